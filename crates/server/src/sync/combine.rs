//! Group commit for pushes. One tenant's pushes apply one after another (its sequence row is locked for each), so
//! pushes that arrive while another of the same tenant is applying wait in this process and are then applied
//! together, in one transaction: one lock and one commit for many devices' pushes. A group that fails is applied
//! again one push at a time, so a push's failure is only ever its own. Nothing waits here beyond its request.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use clinic_protocol::push::{MutationEnvelope, MutationResult};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::apply::{self, Push};
use crate::extract::DeviceAuth;
use crate::{AppError, AppState};

/// At most this many mutations go into one group (a larger push is applied alone).
const GROUP_MUTATIONS: usize = 2_000;

type Answer = Result<Vec<MutationResult>, AppError>;

/// A push waiting to be applied, and where its answer goes.
#[derive(Debug)]
struct Waiting {
    device: DeviceAuth,
    mutations: Vec<MutationEnvelope>,
    reply: oneshot::Sender<Answer>,
}

#[derive(Debug, Default)]
struct TenantQueue {
    /// Whether a task is applying this tenant's pushes (and will take the waiting ones next).
    applying: bool,
    waiting: VecDeque<Waiting>,
}

/// The pushes waiting in this process, per tenant.
#[derive(Debug, Default)]
pub struct Combiner {
    tenants: Mutex<HashMap<Uuid, TenantQueue>>,
}

impl Combiner {
    fn tenants(&self) -> MutexGuard<'_, HashMap<Uuid, TenantQueue>> {
        // The map is only ever changed in whole steps, so it is consistent even after a panic elsewhere.
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the next group: waiting pushes in arrival order, one per device (a device's later push waits for
    /// its earlier one), up to [`GROUP_MUTATIONS`]. `None`, and the tenant is idle, when nothing waits.
    fn next_group(&self, tenant: Uuid) -> Option<Vec<Waiting>> {
        let mut tenants = self.tenants();
        let queue = tenants.get_mut(&tenant)?;
        let (mut group, mut rest) = (Vec::new(), VecDeque::new());
        let (mut in_group, mut held_back) = (HashSet::new(), HashSet::new());
        let mut count = 0;
        while let Some(w) = queue.waiting.pop_front() {
            let fits = group.is_empty() || count + w.mutations.len() <= GROUP_MUTATIONS;
            let device = w.device.device_id;
            if !fits || in_group.contains(&device) || held_back.contains(&device) {
                held_back.insert(device);
                rest.push_back(w);
                continue;
            }
            count += w.mutations.len();
            in_group.insert(device);
            group.push(w);
        }
        queue.waiting = rest;
        if group.is_empty() {
            tenants.remove(&tenant);
            return None;
        }
        Some(group)
    }

    /// On a panic while applying: the tenant is freed for the next push, and the waiting ones are answered with
    /// an error (their senders dropped) rather than left waiting.
    fn abandon(&self, tenant: Uuid) {
        self.tenants().remove(&tenant);
    }
}

/// Applies a device's push (already checked), with whatever other pushes of its tenant wait at the same time.
pub(crate) async fn apply(state: &AppState, device: DeviceAuth, mutations: Vec<MutationEnvelope>) -> Answer {
    let (reply, answer) = oneshot::channel();
    let start = {
        let mut tenants = state.pushes.tenants();
        let queue = tenants.entry(device.tenant_id).or_default();
        queue.waiting.push_back(Waiting { device, mutations, reply });
        !std::mem::replace(&mut queue.applying, true)
    };
    if start {
        // A task of its own: the request that started it may go away (its client gone) while others wait on it.
        let state = state.clone();
        tokio::spawn(async move { apply_waiting(&state, device.tenant_id).await });
    }
    answer.await.map_err(|_| AppError::internal("a push was dropped before it was applied"))?
}

/// Applies the tenant's waiting pushes, group after group, until none wait.
async fn apply_waiting(state: &AppState, tenant: Uuid) {
    /// Frees the tenant unless the loop below ran to its end (a panic while applying).
    struct OnPanic<'a> {
        state: &'a AppState,
        tenant: Uuid,
        finished: bool,
    }
    impl Drop for OnPanic<'_> {
        fn drop(&mut self) {
            if !self.finished {
                self.state.pushes.abandon(self.tenant);
            }
        }
    }
    let mut guard = OnPanic { state, tenant, finished: false };
    while let Some(group) = state.pushes.next_group(tenant) {
        apply_group(state, group).await;
    }
    guard.finished = true;
}

async fn apply_group(state: &AppState, group: Vec<Waiting>) {
    let outcome = {
        let pushes: Vec<Push<'_>> = group.iter().map(|w| Push { device: w.device, mutations: &w.mutations }).collect();
        apply_pushes(state, &pushes).await
    };
    match outcome {
        Ok(results) => {
            for (w, results) in group.into_iter().zip(results) {
                let _ = w.reply.send(Ok(results));
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(w) = group.into_iter().next() {
                let _ = w.reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, pushes = group.len(), "a group of pushes failed; applying them one at a time");
            for w in group {
                let alone = [Push { device: w.device, mutations: &w.mutations }];
                let answer = apply_pushes(state, &alone).await.map(|mut all| all.pop().unwrap_or_default());
                let _ = w.reply.send(answer);
            }
        }
    }
}

async fn apply_pushes(state: &AppState, pushes: &[Push<'_>]) -> Result<Vec<Vec<MutationResult>>, AppError> {
    let mut client = state.pool.get().await?;
    apply::apply_all(state, &mut client, pushes).await
}
