//! HTTP handlers, one file per endpoint group, each named by what it does. A handler extracts, calls one
//! function of [`crate::sync`] (or the database directly for enrollment and health), and answers.

pub mod bootstrap;
pub mod calendar;
pub mod enroll;
pub mod operations;
pub mod pull;
pub mod push;

use crate::AppError;

/// Anything not routed.
pub async fn not_found() -> AppError {
    AppError::not_found()
}
