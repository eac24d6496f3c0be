//! Pushing the outbox: batches of pending mutations (oldest first) with the audit entries the server has not
//! acknowledged, each answer recorded in one transaction. A repeated batch is harmless: the server answers
//! `duplicate` for what it already applied.

use clinic_protocol::push::PushRequest;
use clinic_protocol::{ApiErrorCode, MAX_BODY_BYTES, MAX_PUSH_BATCH};

use super::engine::{Checkpoint, Run, Stop};
use super::transport::{SyncTransport, TransportError};
use super::{hlc, queue, state};

/// Room left in a request body for what JSON adds around the batch.
const BODY_MARGIN: usize = 64 * 1024;

const TOO_LARGE: &str = "This change is too large for the clinic server to accept. Discard it, or make it again \
                         in smaller parts.";

impl<T: SyncTransport + ?Sized> Run<'_, T> {
    pub(crate) fn push_all(&mut self) -> Result<(), Stop> {
        let clinic = self.clinic;
        let device_id = clinic.device().id;
        let mut mutation_limit = self.options.push_batch.clamp(1, MAX_PUSH_BATCH);
        let mut audit_limit = self.options.audit_batch;
        let stored = clinic.read(state::read)?;
        let mut epoch = stored.epoch;
        let mut acknowledged = stored.audit_acknowledged_seq;
        loop {
            let batch = clinic.read(|c| queue::next_batch(c, device_id, mutation_limit, audit_limit))?;
            if batch.is_empty() {
                return Ok(());
            }
            let request = PushRequest { mutations: batch.mutations, audit: batch.audit };
            let too_large = serde_json::to_vec(&request).map_err(crate::CoreError::from)?.len()
                > MAX_BODY_BYTES.saturating_sub(BODY_MARGIN);
            if too_large {
                self.shrink(&request, &mut mutation_limit, &mut audit_limit)?;
                continue;
            }
            self.checkpoint(Checkpoint::BeforePush)?;
            let answer = match self.transport.push(&self.remote, &request) {
                Ok(answer) => answer,
                Err(TransportError::Api { status, error }) => match error.code {
                    ApiErrorCode::Validation if error.field.as_deref().is_some_and(|f| f.starts_with("audit")) => {
                        // The server will not take this device's audit entries: say so in the status, and keep
                        // sending the changes without them.
                        let acknowledged_now = acknowledged;
                        clinic
                            .write(|tx| state::save_audit_progress(tx, acknowledged_now, Some(Some(&error.message))))?;
                        self.report.online = true;
                        audit_limit = 0;
                        continue;
                    }
                    ApiErrorCode::Validation => {
                        let named = error.field.as_deref().and_then(queue::mutation_index);
                        let Some(refused) = named.and_then(|i| request.mutations.get(i)) else {
                            return Err(Stop::Transport(TransportError::Api { status, error }));
                        };
                        let now = clinic.env.clock.now();
                        clinic.write(|tx| queue::reject_one(tx, refused.device_seq, &error.message, now))?;
                        self.report.online = true;
                        self.report.rejected += 1;
                        continue;
                    }
                    ApiErrorCode::PayloadTooLarge => {
                        self.report.online = true;
                        self.shrink(&request, &mut mutation_limit, &mut audit_limit)?;
                        continue;
                    }
                    ApiErrorCode::EpochChanged => return Err(Stop::EpochChanged(None)),
                    _ => return Err(Stop::Transport(TransportError::Api { status, error })),
                },
                Err(other) => return Err(Stop::Transport(other)),
            };
            self.checkpoint(Checkpoint::PushAnswered)?;
            let now = clinic.env.clock.now();
            let (recorded, skew) = clinic.write(|tx| {
                let recorded = queue::record_results(tx, &request.mutations, &answer, now)?;
                let chain = (!request.audit.is_empty()).then_some(answer.audit_chain_break.as_deref());
                state::save_audit_progress(tx, answer.audit_acknowledged_seq, chain)?;
                let skew = hlc::observe_remote(tx, &answer.server_hlc, now)?;
                if epoch.is_none() {
                    state::set_epoch(tx, answer.epoch)?;
                }
                Ok((recorded, skew))
            })?;
            self.skew = self.skew.max(skew);
            self.report.online = true;
            self.report.pushed += recorded.acknowledged();
            self.report.applied += recorded.applied;
            self.report.conflicts += recorded.conflicts;
            self.report.duplicates += recorded.duplicates;
            self.report.rejected += recorded.rejected;
            if epoch.is_some_and(|held| held != answer.epoch) {
                return Err(Stop::EpochChanged(Some(answer.epoch)));
            }
            epoch = Some(answer.epoch);
            // An audit chain the server will not take (reported in the status) must not hold up the changes.
            if !request.audit.is_empty() && answer.audit_acknowledged_seq <= acknowledged {
                audit_limit = 0;
            }
            acknowledged = answer.audit_acknowledged_seq;
            if !request.mutations.is_empty() && recorded.acknowledged() == 0 {
                return Err(Stop::Transport(TransportError::BadAnswer(
                    "the server acknowledged none of the changes sent".to_owned(),
                )));
            }
        }
    }

    /// A batch was too large: send half as much; a single mutation that is still too large is refused here and
    /// kept for a person; a single audit entry that is too large stops audit sending for this run.
    fn shrink(&mut self, request: &PushRequest, mutations: &mut usize, audit: &mut usize) -> Result<(), Stop> {
        if request.mutations.len() > 1 || request.audit.len() > 1 {
            *mutations = (request.mutations.len() / 2).max(1);
            *audit = request.audit.len() / 2;
            return Ok(());
        }
        if !request.mutations.is_empty() && !request.audit.is_empty() {
            *audit = 0;
            return Ok(());
        }
        match request.mutations.first() {
            Some(single) => {
                let now = self.clinic.env.clock.now();
                self.clinic.write(|tx| queue::reject_one(tx, single.device_seq, TOO_LARGE, now))?;
                self.report.rejected += 1;
            }
            None => *audit = 0,
        }
        Ok(())
    }
}
