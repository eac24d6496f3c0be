//! Reading the audit trail: filtered listing for administrators and CSV export.

use rusqlite::{Connection, Row, ToSql};
use serde::Serialize;
use uuid::Uuid;

use crate::{CoreError, CoreResult};

/// One stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    pub device_id: Uuid,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub at: String,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The entry as it travels to the clinic server.
    pub fn to_record(&self) -> clinic_protocol::audit::AuditRecord {
        clinic_protocol::audit::AuditRecord {
            device_id: self.device_id,
            seq: self.seq,
            at: self.at.clone(),
            user_id: self.user_id,
            username: self.username.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id,
            patient_id: self.patient_id,
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// Which entries to list. Every field narrows; `None` means any. Dates are UTC `YYYY-MM-DD`, inclusive.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct AuditFilter {
    pub user_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub action: Option<super::AuditAction>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub from_date: Option<jiff::civil::Date>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub to_date: Option<jiff::civil::Date>,
    /// At most this many entries, newest first (default 500, at most 10,000).
    pub limit: Option<u32>,
}

const COLUMNS: &str = "device_id, seq, at, user_id, username, action, entity_type, entity_id, patient_id, \
                       outcome, detail, prev_hash, hash";

/// Reads one `audit_log` row selected with the columns in their stored order (device_id … hash).
pub fn read_entry(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let uuid = |i: usize| -> rusqlite::Result<Option<Uuid>> {
        let text: Option<String> = row.get(i)?;
        text.map(|t| {
            Uuid::parse_str(&t)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
        })
        .transpose()
    };
    Ok(AuditEntry {
        device_id: uuid(0)?.unwrap_or_default(),
        seq: row.get(1)?,
        at: row.get(2)?,
        user_id: uuid(3)?,
        username: row.get(4)?,
        action: row.get(5)?,
        entity_type: row.get(6)?,
        entity_id: uuid(7)?,
        patient_id: uuid(8)?,
        outcome: row.get(9)?,
        detail: row.get(10)?,
        prev_hash: row.get(11)?,
        hash: row.get(12)?,
    })
}

/// Entries matching the filter, newest first.
pub(crate) fn select(conn: &Connection, filter: &AuditFilter) -> CoreResult<Vec<AuditEntry>> {
    if let (Some(from), Some(to)) = (filter.from_date, filter.to_date)
        && from > to
    {
        return Err(CoreError::validation("to_date", "The end date is before the start date."));
    }
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(user) = filter.user_id {
        clauses.push("user_id = ?");
        values.push(Box::new(user.to_string()));
    }
    if let Some(patient) = filter.patient_id {
        clauses.push("patient_id = ?");
        values.push(Box::new(patient.to_string()));
    }
    if let Some(action) = filter.action {
        clauses.push("action = ?");
        values.push(Box::new(action.as_str()));
    }
    if let Some(from) = filter.from_date {
        clauses.push("at >= ?");
        values.push(Box::new(format!("{from}T00:00:00.000Z")));
    }
    if let Some(to) = filter.to_date {
        clauses.push("at < ?");
        let next = to.tomorrow().map_err(CoreError::internal)?;
        values.push(Box::new(format!("{next}T00:00:00.000Z")));
    }
    let limit = filter.limit.unwrap_or(500).clamp(1, 10_000);
    let where_clause = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
    // Only fixed clause texts are joined in; every value is a bound parameter.
    let sql = [
        "SELECT ",
        COLUMNS,
        " FROM audit_log ",
        &where_clause,
        " ORDER BY at DESC, seq DESC LIMIT ",
        &limit.to_string(),
    ]
    .concat();
    let mut stmt = conn.prepare(&sql)?;
    let params: Vec<&dyn ToSql> = values.iter().map(|v| v.as_ref()).collect();
    let entries = stmt.query_map(params.as_slice(), read_entry)?.collect::<Result<Vec<_>, _>>()?;
    Ok(entries)
}

/// Writes entries as CSV (a header row, then one row per entry) for the clinic's records or an inspector.
pub(crate) fn write_csv(entries: &[AuditEntry], out: impl std::io::Write) -> CoreResult<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record([
            "at",
            "device_id",
            "seq",
            "user_id",
            "username",
            "action",
            "entity_type",
            "entity_id",
            "patient_id",
            "outcome",
            "detail",
            "hash",
        ])
        .map_err(CoreError::internal)?;
    let text = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    for e in entries {
        writer
            .write_record([
                e.at.as_str(),
                &e.device_id.to_string(),
                &e.seq.to_string(),
                &text(e.user_id),
                e.username.as_deref().unwrap_or(""),
                &e.action,
                e.entity_type.as_deref().unwrap_or(""),
                &text(e.entity_id),
                &text(e.patient_id),
                &e.outcome,
                &e.detail,
                &e.hash,
            ])
            .map_err(CoreError::internal)?;
    }
    writer.flush().map_err(CoreError::internal)?;
    Ok(())
}
