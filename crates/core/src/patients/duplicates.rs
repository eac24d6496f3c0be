//! Likely duplicates: the same folded name and date of birth, the same phone number, or the same identifier.
//!
//! Deleted and merged records are ignored. Works on partly filled drafts, so the form can ask as people type.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::keys::{NATIONAL_DIGITS, fold, normalise_id, phone_digits, prefix_end, reversed};
use super::model::{Identifier, MatchKind, PatientDraft, PatientSummary};
use super::store::{ACTIVE, LOOKUP_ID, LOOKUP_PHONE, LOOKUP_PHONE_REV, SUMMARY_COLUMNS, SummaryRow, read_summary};
use crate::CoreResult;

/// At most this many records are shown in a duplicate warning.
const MAX_SHOWN: usize = 20;

/// The keys two records share when they are likely the same person.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DuplicateKey {
    NameAndBirth {
        given: String,
        family: String,
        date_of_birth: String,
    },
    /// The last nine digits when there are at least nine, else all digits.
    Phone(String),
    Identifier {
        kind: String,
        value: String,
    },
}

/// The phone key: numbers with the same last nine digits are the same number in another format.
pub fn phone_key(digits: &str) -> String {
    if digits.len() >= NATIONAL_DIGITS {
        digits[digits.len() - NATIONAL_DIGITS..].to_owned()
    } else {
        digits.to_owned()
    }
}

fn identifier_kind(kind: &str) -> String {
    kind.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Every duplicate key of a (possibly partial) draft.
pub fn keys_of(d: &PatientDraft) -> Vec<DuplicateKey> {
    let mut keys = Vec::new();
    let (given, family) = (fold(&d.given_name), fold(&d.family_name));
    if let (false, false, Some(dob)) = (given.is_empty(), family.is_empty(), d.date_of_birth) {
        keys.push(DuplicateKey::NameAndBirth { given, family, date_of_birth: dob.to_string() });
    }
    for phone in &d.phones {
        if let Some(digits) = phone_digits(&phone.number) {
            keys.push(DuplicateKey::Phone(phone_key(&digits)));
        }
    }
    for Identifier { kind, value } in &d.identifiers {
        let value = normalise_id(value);
        if !value.is_empty() {
            keys.push(DuplicateKey::Identifier { kind: identifier_kind(kind), value });
        }
    }
    keys.sort_by_key(|k| format!("{k:?}"));
    keys.dedup();
    keys
}

/// Active records that share a key with `draft`, best match first.
pub fn find(conn: &Connection, draft: &PatientDraft) -> CoreResult<Vec<PatientSummary>> {
    let mut found: HashMap<uuid::Uuid, SummaryRow> = HashMap::new();
    let mut add = |row: SummaryRow| {
        let better = found.get(&row.summary.id).is_none_or(|old| row.summary.match_kind < old.summary.match_kind);
        if better {
            found.insert(row.summary.id, row);
        }
    };
    let limit = MAX_SHOWN as i64;
    for key in keys_of(draft) {
        match key {
            DuplicateKey::NameAndBirth { given, family, date_of_birth } => {
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM patients p
                     WHERE p.family_key = ?1 AND p.given_key = ?2 AND p.date_of_birth = ?3 AND {ACTIVE} LIMIT ?4"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![family, given, date_of_birth, limit], |r| {
                    read_summary(r, MatchKind::NameAndDateOfBirth)
                })?;
                for row in rows {
                    add(row?);
                }
            }
            DuplicateKey::Phone(key) => {
                // Short numbers must match exactly; long ones by their last nine digits ("ends with" on the reversed digits).
                let (kind, low, high) = if key.len() >= NATIONAL_DIGITS {
                    let rev = reversed(&key);
                    (LOOKUP_PHONE_REV, rev.clone(), prefix_end(&rev))
                } else {
                    (LOOKUP_PHONE, key.clone(), format!("{key}\u{1}"))
                };
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS} FROM patient_lookup l CROSS JOIN patients p ON p.id = l.patient_id
                     WHERE l.kind = ?1 AND l.value >= ?2 AND l.value < ?3 AND {ACTIVE} LIMIT ?4"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![kind, low, high, limit], |r| read_summary(r, MatchKind::Phone))?;
                for row in rows {
                    add(row?);
                }
            }
            DuplicateKey::Identifier { kind, value } => {
                let sql = format!(
                    "SELECT {SUMMARY_COLUMNS}, p.identifiers FROM patient_lookup l
                     CROSS JOIN patients p ON p.id = l.patient_id
                     WHERE l.kind = ?1 AND l.value = ?2 AND {ACTIVE} LIMIT ?3"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![LOOKUP_ID, value, limit], |r| {
                    Ok((read_summary(r, MatchKind::Identifier)?, r.get::<_, String>(10)?))
                })?;
                for row in rows {
                    let (row, identifiers) = row?;
                    let theirs: Vec<Identifier> = serde_json::from_str(&identifiers)?;
                    if theirs.iter().any(|i| identifier_kind(&i.kind) == kind && normalise_id(&i.value) == value) {
                        add(row);
                    }
                }
            }
        }
    }
    Ok(sorted(found.into_values().collect(), MAX_SHOWN))
}

/// Best rank first, then by family name, given name and MRN; at most `limit`.
pub fn sorted(mut rows: Vec<SummaryRow>, limit: usize) -> Vec<PatientSummary> {
    rows.sort_by(|a, b| {
        (a.summary.rank, &a.family_key, &a.given_key, &a.summary.mrn).cmp(&(
            b.summary.rank,
            &b.family_key,
            &b.given_key,
            &b.summary.mrn,
        ))
    });
    rows.truncate(limit);
    rows.into_iter().map(|r| r.summary).collect()
}
