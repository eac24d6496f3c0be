//! Per-entity sync rules: one `EntityRules` implementation per kind of record, chosen by the mutation name's
//! prefix (`patient.update` → patients). Each checks its mutations' arguments before anything is written and
//! decides, inside the mutation's transaction, what the record becomes and which clashes need a person.
//!
//! Adding a kind (appointments, notes, invoices): write its rules, add it to [`Kind`], and nothing else changes:
//! sequencing, versions, replay protection and review items are generic ([`crate::sync::apply`]).

mod calendar_feed;
mod clinic;
mod patient;
mod review;
mod scheduling;
mod staff;

use chrono::{DateTime, NaiveDate, Utc};
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::ReviewItem;
use deadpool_postgres::Transaction;
use serde_json::Value;
use uuid::Uuid;

use crate::AppError;
use crate::error::FieldError;
use crate::extract::DeviceAuth;
use crate::sync::batch::Batch;

/// What the request-level check learnt about one mutation.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// Other records this mutation names besides its own (`args.survivor_id` of a merge), with the field naming
    /// them: they must not belong to another tenant.
    pub references: Vec<(Uuid, &'static str)>,
    /// For `staff.create`: the account is active, so later mutations of the same push may name it as author.
    pub creates_active_staff: bool,
}

/// Everything a rule may look at while applying one mutation.
#[derive(Debug)]
pub(crate) struct ApplyCtx<'a> {
    pub tx: &'a Transaction<'a>,
    pub device: DeviceAuth,
    pub mutation: &'a MutationEnvelope,
    pub now: DateTime<Utc>,
    /// The push's writes so far; patient rules read and write through it (see [`crate::sync::batch`]).
    pub batch: &'a Batch,
}

/// One record write a rule asks for. The generic part stamps the sequence and the version.
#[derive(Debug, Clone)]
pub(crate) struct Write {
    pub entity: &'static str,
    pub entity_id: Uuid,
    /// The row version the write replaces; `None` to create the record.
    pub replaces: Option<i64>,
    pub data: Value,
    /// Per field, the HLC of its last write (patients); `{}` where unused.
    pub field_hlcs: Value,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What a rule decided.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Not applied, for a reason a person can act on (the record does not exist, …). Recorded, so a retry is a
    /// duplicate.
    Rejected(String),
    /// Write this (the mutation's own record), and raise these review items.
    Apply { write: Write, review_items: Vec<ReviewItem> },
    /// Applied to server-only state the rule wrote itself in the transaction (calendar feed hashes): no synced
    /// record changes, so nothing is sequenced or pulled.
    ServerOnly,
}

/// The rules of one kind of record.
pub(crate) trait EntityRules {
    /// The entity name its records travel under, e.g. `patient`.
    const ENTITY: &'static str;

    /// Checks a mutation's arguments and shape without the database: types, lengths, ranges. `today` is the
    /// server's date (dates of birth may not be later). Errors name the field below the mutation (`args.…`).
    fn check(&self, m: &MutationEnvelope, today: NaiveDate) -> Result<Checked, FieldError>;

    /// Decides what the mutation does to the stored records, inside its transaction.
    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError>;
}

/// Every kind of record the server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Patient,
    Staff,
    Clinic,
    Review,
    CalendarFeed,
    /// Appointments and everything they are booked against (ADR 11).
    Scheduling(scheduling::SchedulingKind),
}

impl Kind {
    /// The rules for a mutation name, by its prefix; `None` for names the server does not know.
    pub fn for_mutation(name: &str) -> Option<Kind> {
        match name.split_once('.')?.0 {
            "patient" => Some(Kind::Patient),
            "staff" => Some(Kind::Staff),
            "clinic" => Some(Kind::Clinic),
            "review" => Some(Kind::Review),
            "calendar_feed" => Some(Kind::CalendarFeed),
            _ => scheduling::SchedulingKind::for_mutation(name).map(Kind::Scheduling),
        }
    }

    pub fn entity(self) -> &'static str {
        match self {
            Kind::Patient => patient::PatientRules::ENTITY,
            Kind::Staff => staff::StaffRules::ENTITY,
            Kind::Clinic => clinic::ClinicRules::ENTITY,
            Kind::Review => review::ReviewRules::ENTITY,
            Kind::CalendarFeed => calendar_feed::CalendarFeedRules::ENTITY,
            Kind::Scheduling(kind) => kind.entity(),
        }
    }

    pub fn check(self, m: &MutationEnvelope, today: NaiveDate) -> Result<Checked, FieldError> {
        match self {
            Kind::Patient => patient::PatientRules.check(m, today),
            Kind::Staff => staff::StaffRules.check(m, today),
            Kind::Clinic => clinic::ClinicRules.check(m, today),
            Kind::Review => review::ReviewRules.check(m, today),
            Kind::CalendarFeed => calendar_feed::CalendarFeedRules.check(m, today),
            Kind::Scheduling(kind) => kind.check(m, today),
        }
    }

    /// Whether this kind's rules read only through the push's [`Batch`], so its writes can wait there until the
    /// push ends. Other kinds query the tables themselves: the batch is written out before and after each of theirs.
    pub fn reads_through_batch(self) -> bool {
        matches!(self, Kind::Patient)
    }

    pub async fn apply(self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        match self {
            Kind::Patient => patient::PatientRules.apply(ctx).await,
            Kind::Staff => staff::StaffRules.apply(ctx).await,
            Kind::Clinic => clinic::ClinicRules.apply(ctx).await,
            Kind::Review => review::ReviewRules.apply(ctx).await,
            Kind::CalendarFeed => calendar_feed::CalendarFeedRules.apply(ctx).await,
            Kind::Scheduling(kind) => kind.apply(ctx).await,
        }
    }
}

/// The patient records and match keys a push's patient mutations will read (see [`Kind::reads_through_batch`]).
pub(crate) fn patient_preload<'a>(mutations: impl Iterator<Item = &'a MutationEnvelope>) -> (Vec<Uuid>, Vec<String>) {
    patient::preload_plan(mutations)
}

/// The error for a mutation name a kind does not have (the name is quoted only when short and printable).
pub(crate) fn unknown_name(name: &str) -> FieldError {
    let printable = name.len() <= 64 && !name.chars().any(char::is_control);
    let message = if printable {
        ["The server does not know the change \"", name, "\". Update the clinic server."].concat()
    } else {
        "The server does not know this change. Update the clinic server.".to_owned()
    };
    FieldError::new("name", message)
}

/// Whether any string (or object key) inside a JSON value holds a NUL, which PostgreSQL's jsonb cannot store.
pub(crate) fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Deserializes a mutation's args strictly as `T`, naming the field at fault below `args`.
pub(crate) fn args<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "args".to_owned() } else { ["args.", &path].concat() };
        FieldError::new(field, ["This is not what the server expects here: ", &e.into_inner().to_string()].concat())
    })
}

/// A text's length check: at most `max` characters (and at least one when `required`), and no NUL, which
/// PostgreSQL cannot store.
pub(crate) fn text(field: &str, value: &str, max: usize, required: bool) -> Result<(), FieldError> {
    if value.contains('\0') {
        return Err(FieldError::new(field, "This contains a NUL character, which cannot be stored."));
    }
    if required && value.trim().is_empty() {
        return Err(FieldError::new(field, "This must not be empty."));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, ["This is too long: at most ", &max.to_string(), " characters."].concat()));
    }
    Ok(())
}

/// A list's length check.
pub(crate) fn list<T>(field: &str, items: &[T], max: usize) -> Result<(), FieldError> {
    if items.len() > max {
        return Err(FieldError::new(field, ["Too many entries: at most ", &max.to_string(), "."].concat()));
    }
    Ok(())
}
