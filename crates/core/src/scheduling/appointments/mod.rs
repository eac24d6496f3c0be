//! Appointments: booking (single and recurring), moving, the status lifecycle, and the conflict rules they share.

pub(crate) mod book;
pub(crate) mod conflicts;
mod status;
pub(crate) mod store;

pub use book::{book, book_series, reschedule};
pub use status::{cancel, change_status, check_in, complete, get, mark_no_show, start_consultation};
