//! Bootstrap: a new (or reset) device's download of every current record, page by page in
//! `(entity, entity_id)` order. Each page is applied together with the snapshot cursor and the last record
//! received, in one transaction, so a crash or cut resumes after the last saved page. When the last page is in,
//! pulls start from the snapshot to pick up what changed meanwhile.

use clinic_protocol::ApiErrorCode;
use clinic_protocol::bootstrap::BootstrapQuery;
use clinic_protocol::pull::Cursor;

use super::engine::{Checkpoint, Run, Stop};
use super::state;
use super::transport::{SyncTransport, TransportError};

impl<T: SyncTransport + ?Sized> Run<'_, T> {
    pub(crate) fn bootstrap(&mut self) -> Result<(), Stop> {
        loop {
            let stored = self.clinic.read(state::read)?;
            let (after_entity, after_id) = match &stored.bootstrap_after {
                Some((entity, id)) => (Some(entity.clone()), Some(*id)),
                None => (None, None),
            };
            let query = BootstrapQuery {
                snapshot: stored.bootstrap_snapshot,
                after_entity,
                after_id,
                limit: Some(self.page_size()),
            };
            let page = match self.transport.bootstrap(&self.remote, &query) {
                Ok(page) => page,
                Err(e) if e.api_code() == Some(ApiErrorCode::EpochChanged) => return Err(Stop::EpochChanged(None)),
                Err(e) => return Err(Stop::Transport(e)),
            };
            if stored.epoch.is_some_and(|held| held != page.snapshot.epoch) {
                return Err(Stop::EpochChanged(Some(page.snapshot.epoch)));
            }
            // If the server had to start a new snapshot part-way, pull from the earliest one seen: records
            // before the resume point may have changed since the first.
            let snapshot = match stored.bootstrap_snapshot {
                Some(held) if held.epoch == page.snapshot.epoch => {
                    Cursor { epoch: held.epoch, seq: held.seq.min(page.snapshot.seq) }
                }
                _ => page.snapshot,
            };
            let last = page.records.last().map(|r| (r.entity.clone(), r.entity_id));
            let done = !page.has_more;
            let count = i64::try_from(page.records.len()).unwrap_or(i64::MAX);
            self.apply_page(&page.records, None, Checkpoint::BootstrapPageApplied, done, |tx| {
                state::save_bootstrap_page(tx, snapshot, last.as_ref().map(|(e, id)| (e.as_str(), *id)), count, done)
            })?;
            self.report.bootstrap_records += u32::try_from(count).unwrap_or(u32::MAX);
            if done {
                return Ok(());
            }
            if page.records.is_empty() || last == stored.bootstrap_after {
                return Err(Stop::Transport(TransportError::BadAnswer(
                    "the server announced more records but did not move on".to_owned(),
                )));
            }
        }
    }
}
