//! Request extractors: the client's protocol and schema versions, the authenticated device, strict JSON bodies
//! and query strings. Each turns a bad request into an `AppError` with the closed code set.

mod auth;
mod body;
mod versions;

pub use auth::DeviceAuth;
pub use body::{RawJson, StrictJson, StrictQuery, parse_json};
pub use versions::ClientVersions;
