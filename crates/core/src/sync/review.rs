//! Review items: what sync could not settle alone (a safety field changed on two desks, a likely duplicate
//! registered offline on two desks, …), listed with enough to decide, and resolved by a person. A resolution is
//! written here and queued as a `review.resolve` mutation, so it reaches every desk.

use clinic_protocol::review::{FieldClash, REVIEW_ITEM_ENTITY, ResolveArgs, ReviewKind, ReviewStatus};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::clock::to_db_time;
use crate::outbox::{self, Mutation};
use crate::patients::store as patient_store;
use crate::rbac::Permission;
use crate::{Clinic, CoreError, CoreResult};

/// What kind of clash an item is about (`Other` for kinds a newer server knows and this version does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewItemKind {
    SafetyFieldConflict,
    FieldConflict,
    PossibleDuplicate,
    DoubleBooking,
    EditOfRemovedRecord,
    Other,
}

/// Whether an item still needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewItemStatus {
    Open,
    Resolved,
    Dismissed,
}

/// What a person decided about an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The clash was dealt with (e.g. the right date of birth kept, the two records merged).
    Resolved,
    /// Nothing needed doing (e.g. two different people after all).
    Dismissed,
}

/// A record an item is about, as far as this computer has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewedRecord {
    pub id: Uuid,
    /// For patients: the record number and `Family, Given`; `None` when the record is not on this computer yet.
    pub mrn: Option<String>,
    pub display_name: Option<String>,
}

/// One field's competing values, written out for reading (text as is, other values as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldClashView {
    pub field: String,
    pub base: String,
    /// The value the server held (the earlier change).
    pub theirs: String,
    /// The value of the later change.
    pub ours: String,
    /// The value now in the record.
    pub kept: String,
}

/// One review item for the review screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewItemView {
    pub id: Uuid,
    pub kind: ReviewItemKind,
    pub status: ReviewItemStatus,
    /// The kind of record concerned, e.g. `patient`.
    pub entity: String,
    pub records: Vec<ReviewedRecord>,
    pub fields: Vec<FieldClashView>,
    pub resolution: Option<String>,
    /// The display name of who resolved it, when known here.
    pub resolved_by: Option<String>,
    pub updated_at: String,
    /// Resolved on this computer, and the resolution is not yet on the server.
    pub resolution_pending: bool,
}

const MAX_RESOLUTION: usize = 500;

/// How many items are open (for the status and the badge).
pub(crate) fn open_count(conn: &Connection) -> CoreResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM review_items WHERE status = 'open' AND deleted_at IS NULL", [], |r| {
        r.get(0)
    })?)
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn read_view(
    conn: &Connection,
    id: &str,
    status: &str,
    entity: String,
    data: &str,
    updated_at: String,
) -> CoreResult<ReviewItemView> {
    let data: serde_json::Value = serde_json::from_str(data)?;
    let kind = data.get("kind").and_then(|k| serde_json::from_value::<ReviewKind>(k.clone()).ok()).map_or(
        ReviewItemKind::Other,
        |k| match k {
            ReviewKind::SafetyFieldConflict => ReviewItemKind::SafetyFieldConflict,
            ReviewKind::FieldConflict => ReviewItemKind::FieldConflict,
            ReviewKind::PossibleDuplicate => ReviewItemKind::PossibleDuplicate,
            ReviewKind::DoubleBooking => ReviewItemKind::DoubleBooking,
            ReviewKind::EditOfRemovedRecord => ReviewItemKind::EditOfRemovedRecord,
        },
    );
    let ids: Vec<Uuid> =
        data.get("entity_ids").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    let mut records = Vec::with_capacity(ids.len());
    for record in ids {
        let patient = if entity == "patient" { patient_store::find(conn, record)? } else { None };
        records.push(ReviewedRecord {
            id: record,
            mrn: patient.as_ref().map(|p| p.mrn.clone()),
            display_name: patient.as_ref().map(|p| p.display_name()),
        });
    }
    let clashes: Vec<FieldClash> =
        data.get("fields").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    let fields = clashes
        .iter()
        .map(|c| FieldClashView {
            field: c.field.clone(),
            base: shown(&c.base),
            theirs: shown(&c.theirs),
            ours: shown(&c.ours),
            kept: shown(&c.kept),
        })
        .collect();
    let (resolution, resolved_by): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT r.resolution, s.display_name FROM review_items r LEFT JOIN staff s ON s.id = r.resolved_by
             WHERE r.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let resolution_pending: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND state = 'pending')",
        )?
        .query_row(params![REVIEW_ITEM_ENTITY, id], |r| r.get(0))?;
    Ok(ReviewItemView {
        id: Uuid::parse_str(id).map_err(CoreError::internal)?,
        kind,
        status: match status {
            "resolved" => ReviewItemStatus::Resolved,
            "dismissed" => ReviewItemStatus::Dismissed,
            _ => ReviewItemStatus::Open,
        },
        entity,
        records,
        fields,
        resolution,
        resolved_by,
        updated_at,
        resolution_pending,
    })
}

fn load(conn: &Connection, only_open: bool, id: Option<Uuid>) -> CoreResult<Vec<ReviewItemView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, status, entity, data, updated_at FROM review_items
         WHERE deleted_at IS NULL AND (?1 = 0 OR status = 'open') AND (?2 IS NULL OR id = ?2)
         ORDER BY status = 'open' DESC, updated_at DESC",
    )?;
    let rows = stmt
        .query_map(params![only_open, id.map(|i| i.to_string())], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(id, status, entity, data, updated_at)| read_view(conn, &id, &status, entity, &data, updated_at))
        .collect()
}

/// The review items, open ones first (with `include_closed`, resolved and dismissed ones too). Shows patient
/// names and record numbers, so it needs the permission to read patients.
pub fn list_review_items(clinic: &Clinic, session: SessionId, include_closed: bool) -> CoreResult<Vec<ReviewItemView>> {
    clinic.authorize(session, Permission::PatientRead)?;
    clinic.read(|conn| load(conn, !include_closed, None))
}

/// Resolves or dismisses an open item, saying what was done. Written here and queued for the server in one
/// transaction with its audit entry.
pub fn resolve_review_item(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    decision: ReviewDecision,
    resolution: &str,
) -> CoreResult<ReviewItemView> {
    let actor = clinic.authorize(session, Permission::ReviewResolve)?;
    let resolution = resolution.trim();
    if resolution.is_empty() || resolution.chars().count() > MAX_RESOLUTION {
        return Err(CoreError::validation(
            "resolution",
            "Say what was done, e.g. \"kept the date of birth from the ID card\" (at most 500 characters).",
        ));
    }
    let (status, text) = match decision {
        ReviewDecision::Resolved => (ReviewStatus::Resolved, "resolved"),
        ReviewDecision::Dismissed => (ReviewStatus::Dismissed, "dismissed"),
    };
    clinic.write(|tx| {
        let current: Option<(String, i64)> = tx
            .query_row(
                "SELECT status, row_version FROM review_items WHERE id = ?1 AND deleted_at IS NULL",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((current_status, version)) = current else {
            return Err(CoreError::not_found("This review item does not exist on this computer."));
        };
        if current_status != "open" {
            return Err(CoreError::conflict("This item has already been dealt with. Reload the list to see how."));
        }
        let now = clinic.env.clock.now();
        tx.execute(
            "UPDATE review_items SET status = ?1, resolution = ?2, resolved_by = ?3, row_version = row_version + 1,
                 updated_at = ?4, updated_by = ?3 WHERE id = ?5",
            params![text, resolution, actor.staff_id.to_string(), to_db_time(now), id.to_string()],
        )?;
        let args = serde_json::to_value(ResolveArgs { status, resolution: resolution.to_owned() })?;
        outbox::record(
            tx,
            clinic.env.ids.new_id(),
            now,
            &Mutation {
                name: "review.resolve",
                v: 1,
                entity: REVIEW_ITEM_ENTITY,
                entity_id: id,
                args,
                base_row_version: Some(version),
                authored_by: Some(actor.staff_id),
            },
        )?;
        clinic.audit_in(
            tx,
            &actor.event(AuditAction::ReviewResolve, AuditOutcome::Success).on(REVIEW_ITEM_ENTITY, id).detail(text),
        )?;
        load(tx, false, Some(id))?.pop().ok_or_else(|| CoreError::internal("resolved item vanished"))
    })
}
