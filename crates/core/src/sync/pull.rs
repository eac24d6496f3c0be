//! Pulling: pages of changes after the stored cursor, each page applied and its cursor saved in one local
//! transaction, until the server has no more.

use clinic_protocol::ApiErrorCode;
use clinic_protocol::pull::PullQuery;

use super::engine::{Checkpoint, Run, Stop};
use super::state;
use super::transport::{SyncTransport, TransportError};

impl<T: SyncTransport + ?Sized> Run<'_, T> {
    pub(crate) fn pull_all(&mut self) -> Result<(), Stop> {
        loop {
            let stored = self.clinic.read(state::read)?;
            let Some(epoch) = stored.epoch else { return Err(Stop::EpochChanged(None)) };
            let query = PullQuery { epoch, after: stored.cursor_seq, limit: Some(self.page_size()) };
            let page = match self.transport.pull(&self.remote, &query) {
                Ok(page) => page,
                Err(e) if e.api_code() == Some(ApiErrorCode::EpochChanged) => return Err(Stop::EpochChanged(None)),
                Err(e) => return Err(Stop::Transport(e)),
            };
            if page.next.epoch != epoch {
                return Err(Stop::EpochChanged(Some(page.next.epoch)));
            }
            let next = page.next.seq;
            // Parked records are tried again once a run, with its last page, when all it brought is in.
            let last = !page.has_more;
            self.apply_page(&page.changes, Some(&page.server_hlc), Checkpoint::PullPageApplied, last, |tx| {
                state::save_cursor(tx, next)
            })?;
            if !page.has_more {
                return Ok(());
            }
            if next <= stored.cursor_seq {
                return Err(Stop::Transport(TransportError::BadAnswer(
                    "the server announced more changes but its cursor did not move".to_owned(),
                )));
            }
        }
    }
}
