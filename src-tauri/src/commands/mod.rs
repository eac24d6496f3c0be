//! Thin IPC commands: each parses its input, calls one clinic-core function on a blocking thread,
//! and maps the result. No SQL and no rules here.

pub mod app;
pub mod arrivals;
pub mod audit;
pub mod files;
pub mod patients;
pub mod scheduling;
pub mod session;
pub mod settings;
pub mod staff;
pub mod sync;

use crate::error::{IpcError, IpcResult};

/// Runs database work off the UI and async threads.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> IpcResult<T> + Send + 'static) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(IpcError::internal)?
}
