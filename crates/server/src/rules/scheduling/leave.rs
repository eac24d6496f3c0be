//! Leave rules: `availability.request_leave` creates a request; `availability.decide_leave` approves or rejects
//! it. Two different decisions made offline keep the first by server order and need a person; the same decision
//! twice is kept once.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::FieldClash;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::values::{Instant, interval};
use super::{already_on_server, apply, checked_args, field_conflict, missing, need_base, not_on_server, stored, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct LeaveRules;

const ENTITY: &str = "leave_request";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LeaveStatus {
    Requested,
    Approved,
    Rejected,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestArgs {
    clinician_id: Uuid,
    starts_at: Instant,
    ends_at: Instant,
    reason: String,
    /// When the desk recorded the request (older desks leave it out: the mutation's `authored_at` is used).
    #[serde(default)]
    requested_at: Option<Instant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideArgs {
    status: LeaveStatus,
    note: String,
    at: Instant,
}

/// The stored request: clinic-core's `leave_requests` row without its bookkeeping columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LeaveData {
    clinician_id: Uuid,
    starts_at: Instant,
    ends_at: Instant,
    reason: String,
    status: LeaveStatus,
    requested_by: Option<Uuid>,
    requested_at: Instant,
    decided_by: Option<Uuid>,
    decided_at: Option<Instant>,
    decision_note: Option<String>,
}

impl EntityRules for LeaveRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "availability.request_leave" => {
                let a: RequestArgs = args(&m.args)?;
                interval(a.starts_at, a.ends_at, 1, 366 * 24 * 60, "leave")?;
                text("args.reason", &a.reason, 500, false)?;
                Ok(Checked { references: vec![(a.clinician_id, "args.clinician_id")], ..Checked::default() })
            }
            "availability.decide_leave" => {
                let a: DecideArgs = args(&m.args)?;
                if a.status == LeaveStatus::Requested {
                    return Err(FieldError::new("args.status", "A decision is approved or rejected."));
                }
                text("args.note", &a.note, 500, false)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await?;
        if m.name == "availability.request_leave" {
            if existing.is_some() {
                return Ok(already_on_server("leave request"));
            }
            let a: RequestArgs = checked_args(m)?;
            if let Some(rejected) = missing(ctx, &[("staff", a.clinician_id, "clinician")]).await? {
                return Ok(rejected);
            }
            let requested_at = match a.requested_at {
                Some(at) => at,
                None => serde_json::from_value(json!(m.authored_at)).map_err(|e| AppError::internal(e.to_string()))?,
            };
            let data = LeaveData {
                clinician_id: a.clinician_id,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                reason: a.reason,
                status: LeaveStatus::Requested,
                requested_by: m.authored_by,
                requested_at,
                decided_by: None,
                decided_at: None,
                decision_note: None,
            };
            return Ok(apply(write(ENTITY, m.entity_id, None, serde_json::to_value(data)?, None)));
        }
        let Some(record) = existing else { return Ok(not_on_server("leave request")) };
        let a: DecideArgs = checked_args(m)?;
        let mut data: LeaveData = stored(&record.data)?;
        let mut review_items = Vec::new();
        if data.status == LeaveStatus::Requested {
            data.status = a.status;
            data.decided_by = m.authored_by;
            data.decided_at = Some(a.at);
            data.decision_note = Some(a.note);
        } else if data.status != a.status {
            let clash = FieldClash {
                field: "status".into(),
                base: json!(LeaveStatus::Requested),
                theirs: json!(data.status),
                ours: json!(a.status),
                kept: json!(data.status),
            };
            review_items.push(field_conflict(ENTITY, m.entity_id, vec![clash], m));
        }
        let write =
            write(ENTITY, m.entity_id, Some(record.row_version), serde_json::to_value(&data)?, record.deleted_at);
        Ok(Decision::Apply { write, review_items })
    }
}
