//! Reading and writing patient rows, their search keys and look-up rows, and issuing MRNs.
//!
//! Every write goes through here so the folded names, the trigram index (written here on insert, by the
//! `patients_search_update` trigger on a change of names) and the `patient_lookup` rows are always in step.

use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::keys::{fold, normalise_id, phone_digits, reversed, search_names};
use super::model::{MatchKind, Patient, PatientDraft, PatientSummary, Sex, display_name};
use crate::{CoreError, CoreResult};

/// The look-up kinds in `patient_lookup`.
pub const LOOKUP_PHONE: &str = "phone";
pub const LOOKUP_PHONE_REV: &str = "phone_rev";
pub const LOOKUP_ID: &str = "id";
pub const LOOKUP_MRN: &str = "mrn";

/// Only records that are neither deleted nor merged are found by search and duplicate checks.
pub const ACTIVE: &str = "p.deleted_at IS NULL AND p.merged_into IS NULL";

const PATIENT_COLUMNS: &str = "id, mrn, given_name, family_name, other_names, date_of_birth, sex, phones, email, \
     address, identifiers, preferred_language, emergency_contact, insurance, allergies, alerts, notes, communication, \
     merged_into, deleted_at, deleted_reason, created_at, updated_at, updated_by, row_version";

/// Columns for a [`PatientSummary`], on the table aliased `p`.
pub const SUMMARY_COLUMNS: &str = "p.id, p.mrn, p.given_name, p.family_name, p.date_of_birth, p.sex, \
     json_extract(p.phones, '$[0].number'), p.family_key, p.given_key, p.search_names";

/// A summary row with the keys it is sorted and classified by.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub summary: PatientSummary,
    pub family_key: String,
    pub given_key: String,
    pub search_names: String,
}

pub fn read_summary(row: &Row<'_>, kind: MatchKind) -> rusqlite::Result<SummaryRow> {
    let given: String = row.get(2)?;
    let family: String = row.get(3)?;
    let dob: Option<String> = row.get(4)?;
    let sex: String = row.get(5)?;
    Ok(SummaryRow {
        summary: PatientSummary {
            id: uuid_column(row, 0)?,
            mrn: row.get(1)?,
            display_name: display_name(&given, &family),
            date_of_birth: dob.as_deref().and_then(|d| d.parse().ok()),
            sex: Sex::parse(&sex).unwrap_or_default(),
            phone: row.get(6)?,
            match_kind: kind,
            rank: kind.rank(),
        },
        family_key: row.get(7)?,
        given_key: row.get(8)?,
        search_names: row.get(9)?,
    })
}

fn uuid_column(row: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(i)?;
    Uuid::parse_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let text: String = row.get(i)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn read_patient(row: &Row<'_>) -> rusqlite::Result<Patient> {
    let dob: Option<String> = row.get(5)?;
    let sex: String = row.get(6)?;
    let emergency: Option<String> = row.get(12)?;
    let merged_into: Option<String> = row.get(18)?;
    let updated_by: Option<String> = row.get(23)?;
    let bad = |i: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
    };
    Ok(Patient {
        id: uuid_column(row, 0)?,
        mrn: row.get(1)?,
        details: PatientDraft {
            given_name: row.get(2)?,
            family_name: row.get(3)?,
            other_names: json(row, 4)?,
            date_of_birth: dob.map(|d| d.parse()).transpose().map_err(|e| bad(5, Box::new(e)))?,
            sex: Sex::parse(&sex).ok_or_else(|| bad(6, "unknown sex".into()))?,
            phones: json(row, 7)?,
            email: row.get(8)?,
            address: json(row, 9)?,
            identifiers: json(row, 10)?,
            preferred_language: row.get(11)?,
            emergency_contact: emergency
                .map(|e| serde_json::from_str(&e))
                .transpose()
                .map_err(|e| bad(12, Box::new(e)))?,
            insurance: json(row, 13)?,
            allergies: json(row, 14)?,
            alerts: json(row, 15)?,
            notes: row.get(16)?,
            communication: json(row, 17)?,
        },
        merged_into: merged_into.map(|m| Uuid::parse_str(&m)).transpose().map_err(|e| bad(18, Box::new(e)))?,
        deleted_at: row.get(19)?,
        deleted_reason: row.get(20)?,
        created_at: row.get(21)?,
        updated_at: row.get(22)?,
        updated_by: updated_by.map(|u| Uuid::parse_str(&u)).transpose().map_err(|e| bad(23, Box::new(e)))?,
        row_version: row.get(24)?,
    })
}

/// A patient by id, deleted and merged ones included.
pub fn find(conn: &Connection, id: Uuid) -> CoreResult<Option<Patient>> {
    let sql = ["SELECT ", PATIENT_COLUMNS, " FROM patients WHERE id = ?1"].concat();
    Ok(conn.prepare_cached(&sql)?.query_row([id.to_string()], read_patient).optional()?)
}

pub fn get(conn: &Connection, id: Uuid) -> CoreResult<Patient> {
    find(conn, id)?.ok_or_else(|| CoreError::not_found("This patient record does not exist."))
}

/// Reserves `count` consecutive numbers of this device's MRN series; returns the first.
pub fn reserve_mrns(conn: &Connection, count: usize) -> CoreResult<i64> {
    conn.prepare_cached(
        "INSERT INTO number_series (name, next_value) VALUES ('mrn', 1) ON CONFLICT (name) DO NOTHING",
    )?
    .execute([])?;
    let count = i64::try_from(count).map_err(CoreError::internal)?;
    Ok(conn.query_row(
        "UPDATE number_series SET next_value = next_value + ?1 WHERE name = 'mrn' RETURNING next_value - ?1",
        [count],
        |r| r.get(0),
    )?)
}

/// `MAIN-D01-000123`: unique across devices because each device has its own code and series.
pub fn format_mrn(clinic_code: &str, device_code: &str, seq: i64) -> String {
    format!("{clinic_code}-{device_code}-{seq:06}")
}

fn to_json<T: serde::Serialize>(value: &T) -> CoreResult<String> {
    Ok(serde_json::to_string(value)?)
}

/// The stored form of a draft's fields, in `UPDATE`/`INSERT` order (after id and mrn).
pub(super) struct Columns {
    pub(super) other_names: String,
    pub(super) date_of_birth: Option<String>,
    pub(super) phones: String,
    pub(super) address: String,
    pub(super) identifiers: String,
    pub(super) emergency_contact: Option<String>,
    pub(super) insurance: String,
    pub(super) allergies: String,
    pub(super) alerts: String,
    pub(super) communication: String,
    pub(super) given_key: String,
    pub(super) family_key: String,
    pub(super) search_names: String,
}

pub(super) fn columns(d: &PatientDraft) -> CoreResult<Columns> {
    Ok(Columns {
        other_names: to_json(&d.other_names)?,
        date_of_birth: d.date_of_birth.map(|x| x.to_string()),
        phones: to_json(&d.phones)?,
        address: to_json(&d.address)?,
        identifiers: to_json(&d.identifiers)?,
        emergency_contact: d.emergency_contact.as_ref().map(to_json).transpose()?,
        insurance: to_json(&d.insurance)?,
        allergies: to_json(&d.allergies)?,
        alerts: to_json(&d.alerts)?,
        communication: to_json(&d.communication)?,
        given_key: fold(&d.given_name),
        family_key: fold(&d.family_name),
        search_names: search_names(&d.given_name, &d.family_name, &d.other_names),
    })
}

/// Inserts a new record (already validated) with its trigram index row and its look-up rows. This (or
/// `synced::insert_from_server`) is the only way a patient row may be inserted: since schema version 3 no
/// trigger indexes new rows (see 0003).
pub fn insert(conn: &Connection, p: &Patient, author: Uuid) -> CoreResult<()> {
    insert_row(conn, p, Some(author.to_string()), Some(author.to_string()))
}

pub(super) fn insert_row(
    conn: &Connection,
    p: &Patient,
    created_by: Option<String>,
    updated_by: Option<String>,
) -> CoreResult<()> {
    let d = &p.details;
    let c = columns(d)?;
    let id = p.id.to_string();
    conn.prepare_cached(
        "INSERT INTO patients (id, mrn, given_name, family_name, other_names, date_of_birth, sex, phones, email, address,
             identifiers, preferred_language, emergency_contact, insurance, allergies, alerts, notes, communication,
             given_key, family_key, search_names, created_at, created_by, row_version, updated_at, updated_by,
             merged_into, deleted_at, deleted_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
    )?
    .execute(params![
        id,
        p.mrn,
        d.given_name,
        d.family_name,
        c.other_names,
        c.date_of_birth,
        d.sex.as_str(),
        c.phones,
        d.email,
        c.address,
        c.identifiers,
        d.preferred_language,
        c.emergency_contact,
        c.insurance,
        c.allergies,
        c.alerts,
        d.notes,
        c.communication,
        c.given_key,
        c.family_key,
        c.search_names,
        p.created_at,
        created_by,
        p.row_version,
        p.updated_at,
        updated_by,
        p.merged_into.map(|m| m.to_string()),
        p.deleted_at,
        p.deleted_reason,
    ])?;
    let rowid = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO patient_name_search (rowid, search_names) VALUES (?1, ?2)")?
        .execute(params![rowid, c.search_names])?;
    insert_lookup(conn, LOOKUP_MRN, &normalise_id(&p.mrn), &id)?;
    insert_detail_lookups(conn, d, &id)
}

pub(super) fn insert_lookup(conn: &Connection, kind: &str, value: &str, id: &str) -> CoreResult<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO patient_lookup (kind, value, patient_id) VALUES (?1, ?2, ?3)")?
        .execute(params![kind, value, id])?;
    Ok(())
}

/// Phone and identifier look-ups (the MRN row never changes).
pub(super) fn insert_detail_lookups(conn: &Connection, d: &PatientDraft, id: &str) -> CoreResult<()> {
    for phone in &d.phones {
        if let Some(digits) = phone_digits(&phone.number) {
            insert_lookup(conn, LOOKUP_PHONE, &digits, id)?;
            insert_lookup(conn, LOOKUP_PHONE_REV, &reversed(&digits), id)?;
        }
    }
    for identifier in &d.identifiers {
        insert_lookup(conn, LOOKUP_ID, &normalise_id(&identifier.value), id)?;
    }
    Ok(())
}

/// Rewrites a record's fields, keys and look-ups if it is still at `expected_version`.
/// Returns false (and writes nothing) when the stored version differs.
pub fn update(
    conn: &Connection,
    id: Uuid,
    expected_version: i64,
    d: &PatientDraft,
    at: &str,
    author: Uuid,
) -> CoreResult<bool> {
    let c = columns(d)?;
    let id_text = id.to_string();
    let changed = conn
        .prepare_cached(
            "UPDATE patients SET given_name = ?1, family_name = ?2, other_names = ?3, date_of_birth = ?4, sex = ?5,
                 phones = ?6, email = ?7, address = ?8, identifiers = ?9, preferred_language = ?10,
                 emergency_contact = ?11, insurance = ?12, allergies = ?13, alerts = ?14, notes = ?15,
                 communication = ?16, given_key = ?17, family_key = ?18, search_names = ?19,
                 row_version = row_version + 1, updated_at = ?20, updated_by = ?21
             WHERE id = ?22 AND row_version = ?23",
        )?
        .execute(params![
            d.given_name,
            d.family_name,
            c.other_names,
            c.date_of_birth,
            d.sex.as_str(),
            c.phones,
            d.email,
            c.address,
            c.identifiers,
            d.preferred_language,
            c.emergency_contact,
            c.insurance,
            c.allergies,
            c.alerts,
            d.notes,
            c.communication,
            c.given_key,
            c.family_key,
            c.search_names,
            at,
            author.to_string(),
            id_text,
            expected_version,
        ])?;
    if changed == 0 {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM patient_lookup WHERE patient_id = ?1 AND kind IN ('phone', 'phone_rev', 'id')")?
        .execute([&id_text])?;
    insert_detail_lookups(conn, d, &id_text)?;
    Ok(true)
}

/// Sets the bookkeeping of a soft delete or a merge; bumps the version.
pub fn mark(
    conn: &Connection,
    id: Uuid,
    set_sql: &str,
    values: &[&dyn rusqlite::ToSql],
    at: &str,
    author: Uuid,
) -> CoreResult<()> {
    let sql = [
        "UPDATE patients SET ",
        set_sql,
        ", row_version = row_version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
    ]
    .concat();
    let (author, id) = (author.to_string(), id.to_string());
    let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
    all.extend([&at as &dyn rusqlite::ToSql, &author, &id]);
    conn.execute(&sql, all.as_slice())?;
    Ok(())
}
