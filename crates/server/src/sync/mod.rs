//! Sync on the server: push (request-level check, audit chain, mutations applied exactly once), pull and
//! bootstrap. The per-entity decisions are in [`crate::rules`]; this is the generic machinery around them.

pub(crate) mod apply;
pub(crate) mod audit;
pub(crate) mod authority;
pub(crate) mod batch;
pub(crate) mod combine;
pub(crate) mod pull;
pub(crate) mod push;
pub(crate) mod store;
pub(crate) mod validate;
pub mod wire;
