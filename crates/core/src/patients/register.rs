//! Registering patients: one at a time with a duplicate warning, or many at once in one transaction.

use rusqlite::Connection;

use super::model::{Patient, PatientDraft, PatientSummary, RegisterOutcome};
use super::{duplicates, store, validate};
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::rbac::Permission;
use crate::setup::{ClinicSettings, settings_internal};
use crate::{Clinic, CoreError, CoreResult};

/// Registers a patient. When a likely duplicate exists and the person has not confirmed that this is someone
/// else, nothing is written and the look-alikes are returned to show.
pub fn register(
    clinic: &Clinic,
    session: SessionId,
    draft: &PatientDraft,
    confirm_not_duplicate: bool,
) -> CoreResult<RegisterOutcome> {
    let actor = clinic.authorize(session, Permission::PatientWrite)?;
    clinic.write(|tx| {
        let settings = settings_internal(tx)?;
        let clean = validate::clean(draft, today(clinic, &settings)?)?;
        if !confirm_not_duplicate {
            let look_alikes = duplicates::find(tx, &clean)?;
            if !look_alikes.is_empty() {
                return Ok(RegisterOutcome::PossibleDuplicates(look_alikes));
            }
        }
        let first = store::reserve_mrns(tx, 1)?;
        let mrn = store::format_mrn(&settings.code, &clinic.device().code, first);
        Ok(RegisterOutcome::Registered(create(clinic, tx, &actor, clean, mrn)?))
    })
}

/// Likely duplicates of what has been typed so far (no validation: any part may still be empty).
pub fn check_duplicates(clinic: &Clinic, session: SessionId, draft: &PatientDraft) -> CoreResult<Vec<PatientSummary>> {
    clinic.authorize(session, Permission::PatientWrite)?;
    clinic.read(|conn| duplicates::find(conn, draft))
}

/// Registers many patients in one transaction, without duplicate prompts (bulk import permission).
/// Every draft is validated first; the first problem is returned with its index (`drafts[3].given_name`)
/// and nothing is written. Returns how many were registered.
pub fn register_many(clinic: &Clinic, session: SessionId, drafts: &[PatientDraft]) -> CoreResult<usize> {
    let actor = clinic.authorize(session, Permission::PatientImport)?;
    let settings = clinic.read(settings_internal)?;
    let today = today(clinic, &settings)?;
    let clean = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            validate::clean(d, today).map_err(|mut e| {
                e.field = Some(format!("drafts[{i}].{}", e.field.as_deref().unwrap_or_default()));
                e
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    with_bulk_cache(clinic, || clinic.write(|tx| insert_many(clinic, tx, &actor, &settings, clean)))
}

/// Page cache (KiB) while writing in bulk, so the random inserts into the name, look-up and audit indexes
/// find their pages in memory instead of re-reading and decrypting them, and dirty pages are not spilled
/// (encrypted) to the log before the commit.
/// Pages are only allocated as they are used, and the usual size is put back afterwards.
const BULK_CACHE_KIB: i64 = 512 * 1024;

/// Runs a bulk write with a larger page cache on the connection, then puts the usual size back.
pub(crate) fn with_bulk_cache<T>(clinic: &Clinic, f: impl FnOnce() -> CoreResult<T>) -> CoreResult<T> {
    let usual: i64 = clinic.read(|c| Ok(c.query_row("PRAGMA cache_size", [], |r| r.get(0))?))?;
    clinic.read(|c| Ok(c.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?))?;
    let result = f();
    let restored = clinic.read(|c| Ok(c.pragma_update(None, "cache_size", usual)?));
    let value = result?;
    restored?;
    Ok(value)
}

/// Inserts validated drafts: one MRN block, a `PatientCreate` audit entry and an outbox row per patient,
/// and one `PatientImport` entry with the count.
pub(crate) fn insert_many(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    settings: &ClinicSettings,
    clean: Vec<PatientDraft>,
) -> CoreResult<usize> {
    let count = clean.len();
    if count == 0 {
        return Ok(0);
    }
    let first = store::reserve_mrns(tx, count)?;
    for (seq, draft) in (first..).zip(clean) {
        let mrn = store::format_mrn(&settings.code, &clinic.device().code, seq);
        create(clinic, tx, actor, draft, mrn)?;
    }
    let detail = format!("{count} patients");
    clinic.audit_in(tx, &actor.event(AuditAction::PatientImport, AuditOutcome::Success).detail(&detail))?;
    Ok(count)
}

/// The clinic's date today, in its own time zone (a date of birth may not be after it).
pub(crate) fn today(clinic: &Clinic, settings: &ClinicSettings) -> CoreResult<jiff::civil::Date> {
    let tz = jiff::tz::TimeZone::get(&settings.time_zone).map_err(CoreError::internal)?;
    Ok(tz.to_datetime(clinic.env.clock.now()).date())
}

/// Writes one validated patient with its audit entry and outbox row, in the caller's transaction.
fn create(clinic: &Clinic, tx: &Connection, actor: &Actor, details: PatientDraft, mrn: String) -> CoreResult<Patient> {
    let id = clinic.env.ids.new_id();
    let now = clinic.env.clock.now();
    let stamp = to_db_time(now);
    let patient = Patient {
        id,
        mrn,
        details,
        merged_into: None,
        deleted_at: None,
        deleted_reason: None,
        created_at: stamp.clone(),
        updated_at: stamp,
        updated_by: Some(actor.staff_id),
        row_version: 1,
    };
    store::insert(tx, &patient, actor.staff_id)?;
    clinic
        .audit_in(tx, &actor.event(AuditAction::PatientCreate, AuditOutcome::Success).on("patient", id).patient(id))?;
    outbox::record(
        tx,
        clinic.env.ids.new_id(),
        now,
        &Mutation {
            name: "patient.register",
            v: 1,
            entity: "patient",
            entity_id: id,
            args: serde_json::json!({ "mrn": patient.mrn, "patient": patient.details }),
            base_row_version: None,
            authored_by: Some(actor.staff_id),
        },
    )?;
    Ok(patient)
}
