//! Writing patient records as the clinic server holds them (pulled by sync): inserted or replaced whole, with
//! the same search keys, trigram index row and look-up rows as local writes (see `store`).

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::keys::normalise_id;
use super::model::Patient;
use super::store::{LOOKUP_MRN, columns, insert_detail_lookups, insert_lookup, insert_row};
use crate::{CoreError, CoreResult};

/// Inserts a record as the clinic server holds it (pulled by sync), deleted or merged state included.
pub fn insert_from_server(conn: &Connection, p: &Patient) -> CoreResult<()> {
    let updated_by = p.updated_by.map(|u| u.to_string());
    insert_row(conn, p, updated_by.clone(), updated_by)
}

/// Replaces a record with the version the clinic server holds (sync): every field, the record number, the
/// deleted and merged state and the row version as given. The trigram index follows through the
/// `patients_search_update` trigger; the look-up rows are rewritten here.
pub fn overwrite_from_server(conn: &Connection, p: &Patient) -> CoreResult<()> {
    let d = &p.details;
    let c = columns(d)?;
    let id_text = p.id.to_string();
    let old_mrn: Option<String> = conn
        .prepare_cached("SELECT mrn FROM patients WHERE id = ?1")?
        .query_row([&id_text], |r| r.get(0))
        .optional()?;
    let Some(old_mrn) = old_mrn else {
        return Err(CoreError::internal("a patient to overwrite from the server is not stored"));
    };
    conn.prepare_cached(
        "UPDATE patients SET mrn = ?1, given_name = ?2, family_name = ?3, other_names = ?4, date_of_birth = ?5,
             sex = ?6, phones = ?7, email = ?8, address = ?9, identifiers = ?10, preferred_language = ?11,
             emergency_contact = ?12, insurance = ?13, allergies = ?14, alerts = ?15, notes = ?16,
             communication = ?17, given_key = ?18, family_key = ?19, search_names = ?20, merged_into = ?21,
             deleted_at = ?22, deleted_reason = ?23, row_version = ?24, updated_at = ?25, updated_by = ?26
         WHERE id = ?27",
    )?
    .execute(params![
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
        p.merged_into.map(|m| m.to_string()),
        p.deleted_at,
        p.deleted_reason,
        p.row_version,
        p.updated_at,
        p.updated_by.map(|u| u.to_string()),
        id_text,
    ])?;
    conn.prepare_cached("DELETE FROM patient_lookup WHERE patient_id = ?1 AND kind IN ('phone', 'phone_rev', 'id')")?
        .execute([&id_text])?;
    if old_mrn != p.mrn {
        conn.prepare_cached("DELETE FROM patient_lookup WHERE patient_id = ?1 AND kind = 'mrn'")?
            .execute([&id_text])?;
        insert_lookup(conn, LOOKUP_MRN, &normalise_id(&p.mrn), &id_text)?;
    }
    insert_detail_lookups(conn, d, &id_text)
}

/// The id of another record that already has this record number, if any.
pub fn mrn_taken_by_other(conn: &Connection, mrn: &str, id: Uuid) -> CoreResult<Option<Uuid>> {
    let other: Option<String> = conn
        .prepare_cached("SELECT id FROM patients WHERE mrn = ?1 AND id <> ?2")?
        .query_row(params![mrn, id.to_string()], |r| r.get(0))
        .optional()?;
    other.map(|o| Uuid::parse_str(&o).map_err(CoreError::internal)).transpose()
}
