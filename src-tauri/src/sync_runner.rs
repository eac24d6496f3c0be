//! Automatic sync: a background thread that syncs on a timer while things work, backs off after failures
//! (so it notices within seconds to minutes when the network returns), and can be woken to sync at once.

use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use clinic_core::sync::{self, HttpTransport, SyncOptions, SyncProblemCode};

use crate::state::AppState;

/// How long the thread waits before its first run, so start-up (opening the database, the first screen) comes first.
const FIRST_RUN_AFTER: Duration = Duration::from_secs(3);

/// Wakes the sync thread early (after a "sync now", an enrollment, or a change worth sending at once).
#[derive(Debug, Default)]
pub struct SyncWaker {
    woken: Mutex<bool>,
    signal: Condvar,
}

impl SyncWaker {
    pub fn wake(&self) {
        if let Ok(mut woken) = self.woken.lock() {
            *woken = true;
            self.signal.notify_all();
        }
    }

    /// Waits for `delay` or until woken, whichever comes first.
    fn wait(&self, delay: Duration) {
        let Ok(guard) = self.woken.lock() else { return };
        if let Ok((mut woken, _)) = self.signal.wait_timeout_while(guard, delay, |woken| !*woken) {
            *woken = false;
        }
    }
}

/// Starts the thread. It runs for the life of the process and only syncs while a clinic is open.
pub fn start(state: Arc<AppState>) {
    let spawned = thread::Builder::new().name("clinic-sync".into()).spawn(move || {
        let transport = HttpTransport::new();
        let mut failures = 0u32;
        state.sync_waker.wait(FIRST_RUN_AFTER);
        loop {
            failures = if run(&state, &transport) { 0 } else { failures.saturating_add(1) };
            state.sync_waker.wait(sync::retry_delay(failures, sync::random_jitter()));
        }
    });
    if let Err(e) = spawned {
        eprintln!("Clinic Desk could not start automatic sync: {e}");
    }
}

/// One automatic run. False when it failed (offline, refused, a local fault), so the next waits longer.
fn run(state: &AppState, transport: &HttpTransport) -> bool {
    // No clinic open yet (first-run setup, recovery key): nothing to sync.
    let Ok(clinic) = state.clinic() else { return true };
    match sync::run_once(&clinic, transport, &*state.credentials, &SyncOptions::default()) {
        // Not enrolled: nothing to try until an administrator enrolls this computer (which wakes the thread).
        Ok(report) => report.problem.is_none_or(|p| p.code == SyncProblemCode::NotEnrolled),
        Err(e) => {
            eprintln!("Clinic Desk sync failed on this computer: {} ({:?})", e.message, e.code);
            false
        }
    }
}
