//! The patient registry: registering, finding, editing, soft-deleting, merging and importing patients.
//!
//! Every operation checks the role's permission first; every change is written together with its audit
//! entry and its outbox row in one transaction; every opening of a record is audited. Search keys
//! (folded names, phone digits, identifiers, MRNs) are kept in step with the record on every write.

#[cfg(feature = "benchmark-plaintext")]
mod bench_support;
mod duplicates;
mod import;
pub mod keys;
mod model;
mod records;
pub(crate) mod register;
mod search;
pub(crate) mod store;
pub(crate) mod synced;
mod validate;

pub use import::{IMPORT_COLUMNS, import_csv};
pub use model::{
    Address, CommunicationPreferences, EmergencyContact, Identifier, ImportReport, ImportRowError, Insurance,
    MatchKind, Patient, PatientDraft, PatientSummary, Phone, PhoneKind, RegisterOutcome, Sex, identifier_kinds,
};
pub use records::{delete, get, merge, update};
pub use register::{check_duplicates, register, register_many};
pub use search::{MAX_RESULTS, parse_date, search};
pub use validate::{MAX_IDENTIFIER, MAX_NAME};
