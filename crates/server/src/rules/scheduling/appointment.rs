//! Appointment rules: `appointment.book` (double bookings flagged), `appointment.reschedule` (only while the
//! server still holds it booked; otherwise kept where it was and flagged), `appointment.status` and
//! `appointment.cancel` (the forward-only merge of `status.rs`), `appointment.consent` (the last one wins).
//! The stored document is clinic-core's appointment row without its bookkeeping columns.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::{FieldClash, ReviewItem};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::overlap::double_bookings;
use super::status::{Merge, Status, merge};
use super::values::{Instant, https_address, interval, language_tag};
use super::{checked_args, field_conflict, missing, need_base, not_on_server, stored, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct AppointmentRules;

const ENTITY: &str = "appointment";
/// An appointment lasts 5 minutes to 12 hours (core's `MAX_DURATION_MINUTES`).
const MIN_MINUTES: i64 = 5;
const MAX_MINUTES: i64 = 720;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct SpecialNeeds {
    interpreter_language: Option<String>,
    accessibility: String,
    notes: String,
}

/// The stored appointment (the iCalendar feed reads `patient_id`, `clinician_id`, `type_id`, `starts_at`,
/// `ends_at`, `status` and `meeting_link`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AppointmentData {
    pub patient_id: Uuid,
    pub clinician_id: Uuid,
    pub type_id: Uuid,
    pub starts_at: Instant,
    pub ends_at: Instant,
    pub status: Status,
    series_id: Option<Uuid>,
    overbooked: bool,
    special_needs: SpecialNeeds,
    meeting_link: Option<String>,
    recording_consent: bool,
    consent_recorded_by: Option<Uuid>,
    consent_recorded_at: Option<Instant>,
    arrived_at: Option<Instant>,
    started_at: Option<Instant>,
    completed_at: Option<Instant>,
    cancelled_at: Option<Instant>,
    cancel_reason: Option<String>,
    no_show_at: Option<Instant>,
    status_changed_at: Instant,
    status_changed_by: Option<Uuid>,
    created_at: Instant,
    created_by: Option<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookArgs {
    patient_id: Uuid,
    clinician_id: Uuid,
    type_id: Uuid,
    starts_at: Instant,
    ends_at: Instant,
    #[serde(default)]
    series_id: Option<Uuid>,
    #[serde(default)]
    overbooked: bool,
    #[serde(default)]
    special_needs: SpecialNeeds,
    #[serde(default)]
    meeting_link: Option<String>,
    /// When the desk booked it (older desks leave it out: the mutation's `authored_at` is used).
    #[serde(default)]
    created_at: Option<Instant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RescheduleArgs {
    clinician_id: Uuid,
    starts_at: Instant,
    ends_at: Instant,
    #[serde(default)]
    overbooked: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusArgs {
    from: Status,
    to: Status,
    at: Instant,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelArgs {
    reason: String,
    at: Instant,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentArgs {
    recording_consent: bool,
    at: Instant,
}

fn authored_at(m: &MutationEnvelope) -> Result<Instant, AppError> {
    serde_json::from_value(json!(m.authored_at)).map_err(|e| AppError::internal(e.to_string()))
}

impl EntityRules for AppointmentRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "appointment.book" => {
                let a: BookArgs = args(&m.args)?;
                interval(a.starts_at, a.ends_at, MIN_MINUTES, MAX_MINUTES, "appointment")?;
                let needs = &a.special_needs;
                if let Some(tag) = &needs.interpreter_language {
                    language_tag("args.special_needs.interpreter_language", tag)?;
                }
                text("args.special_needs.accessibility", &needs.accessibility, 200, false)?;
                text("args.special_needs.notes", &needs.notes, 1000, false)?;
                https_address("args.meeting_link", a.meeting_link.as_deref().unwrap_or_default(), 400)?;
                if a.meeting_link.as_deref() == Some("") {
                    return Err(FieldError::new("args.meeting_link", "Leave the link out (null) when there is none."));
                }
                let references = vec![
                    (a.patient_id, "args.patient_id"),
                    (a.clinician_id, "args.clinician_id"),
                    (a.type_id, "args.type_id"),
                ];
                Ok(Checked { references, ..Checked::default() })
            }
            "appointment.reschedule" => {
                let a: RescheduleArgs = args(&m.args)?;
                interval(a.starts_at, a.ends_at, MIN_MINUTES, MAX_MINUTES, "appointment")?;
                need_base(m)?;
                Ok(Checked { references: vec![(a.clinician_id, "args.clinician_id")], ..Checked::default() })
            }
            "appointment.status" => {
                let a: StatusArgs = args(&m.args)?;
                if a.to == Status::Cancelled {
                    return Err(FieldError::new("args.to", "A cancellation is sent as appointment.cancel."));
                }
                if !a.from.can_move_to(a.to) {
                    let message = ["An appointment cannot move from ", a.from.as_str(), " to ", a.to.as_str(), "."];
                    return Err(FieldError::new("args.to", message.concat()));
                }
                need_base(m)?;
                Ok(Checked::default())
            }
            "appointment.cancel" => {
                let a: CancelArgs = args(&m.args)?;
                text("args.reason", &a.reason, 500, true)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            "appointment.consent" => {
                let _: ConsentArgs = args(&m.args)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        if m.name == "appointment.book" {
            return book(ctx).await;
        }
        let Some(record) = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await? else {
            return Ok(not_on_server("appointment"));
        };
        let mut data: AppointmentData = stored(&record.data)?;
        let mut review_items = Vec::new();
        match m.name.as_str() {
            "appointment.reschedule" => {
                let a: RescheduleArgs = checked_args(m)?;
                if let Some(rejected) = missing(ctx, &[("staff", a.clinician_id, "clinician")]).await? {
                    return Ok(rejected);
                }
                review_items = reschedule(ctx, &mut data, a).await?;
            }
            "appointment.status" => {
                let a: StatusArgs = checked_args(m)?;
                review_items.extend(move_status(&mut data, a.to, a.at, None, m));
            }
            "appointment.cancel" => {
                let a: CancelArgs = checked_args(m)?;
                review_items.extend(move_status(&mut data, Status::Cancelled, a.at, Some(a.reason), m));
            }
            "appointment.consent" => {
                let a: ConsentArgs = checked_args(m)?;
                data.recording_consent = a.recording_consent;
                data.consent_recorded_by = m.authored_by;
                data.consent_recorded_at = Some(a.at);
            }
            other => return Err(AppError::internal(["unchecked appointment mutation ", other].concat())),
        }
        let write =
            write(ENTITY, m.entity_id, Some(record.row_version), serde_json::to_value(&data)?, record.deleted_at);
        Ok(Decision::Apply { write, review_items })
    }
}

async fn book(ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
    let (m, tenant) = (ctx.mutation, ctx.device.tenant_id);
    if store::load(ctx.tx, tenant, ENTITY, m.entity_id).await?.is_some() {
        return Ok(super::already_on_server("appointment"));
    }
    let a: BookArgs = checked_args(m)?;
    let needed = [
        ("patient", a.patient_id, "patient"),
        ("staff", a.clinician_id, "clinician"),
        ("appointment_type", a.type_id, "appointment type"),
    ];
    if let Some(rejected) = missing(ctx, &needed).await? {
        return Ok(rejected);
    }
    let created_at = match a.created_at {
        Some(at) => at,
        None => authored_at(m)?,
    };
    let data = AppointmentData {
        patient_id: a.patient_id,
        clinician_id: a.clinician_id,
        type_id: a.type_id,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        status: Status::Booked,
        series_id: a.series_id,
        overbooked: a.overbooked,
        special_needs: a.special_needs,
        meeting_link: a.meeting_link,
        recording_consent: false,
        consent_recorded_by: None,
        consent_recorded_at: None,
        arrived_at: None,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        cancel_reason: None,
        no_show_at: None,
        status_changed_at: created_at,
        status_changed_by: m.authored_by,
        created_at,
        created_by: m.authored_by,
    };
    let review_items = if a.overbooked { Vec::new() } else { double_bookings(ctx, m.entity_id, &data, m).await? };
    let write = write(ENTITY, m.entity_id, None, serde_json::to_value(&data)?, None);
    Ok(Decision::Apply { write, review_items })
}

/// Moves a booked appointment; one that has moved on (or was cancelled) elsewhere stays where it was, flagged.
async fn reschedule(
    ctx: &ApplyCtx<'_>,
    data: &mut AppointmentData,
    a: RescheduleArgs,
) -> Result<Vec<ReviewItem>, AppError> {
    let m = ctx.mutation;
    if data.status != Status::Booked {
        let clash = |field: &str, held: Value, wanted: Value| FieldClash {
            field: field.to_owned(),
            base: Value::Null,
            theirs: held.clone(),
            ours: wanted,
            kept: held,
        };
        let mut fields = vec![
            clash("status", json!(data.status), json!(Status::Booked)),
            clash("starts_at", json!(data.starts_at), json!(a.starts_at)),
        ];
        if a.clinician_id != data.clinician_id {
            fields.push(clash("clinician_id", json!(data.clinician_id), json!(a.clinician_id)));
        }
        return Ok(vec![field_conflict(ENTITY, m.entity_id, fields, m)]);
    }
    data.clinician_id = a.clinician_id;
    data.starts_at = a.starts_at;
    data.ends_at = a.ends_at;
    data.overbooked = a.overbooked;
    if a.overbooked { Ok(Vec::new()) } else { double_bookings(ctx, m.entity_id, data, m).await }
}

/// Applies a status move by the forward-only merge; returns the review item of a clash.
fn move_status(
    data: &mut AppointmentData,
    to: Status,
    at: Instant,
    reason: Option<String>,
    m: &MutationEnvelope,
) -> Option<ReviewItem> {
    let held = data.status;
    let outcome = merge(held, to);
    let wins = matches!(outcome, Merge::Move | Merge::Clash { incoming_wins: true });
    let lost_reason = match (&outcome, wins) {
        (Merge::Clash { .. }, true) if held == Status::Cancelled => data.cancel_reason.clone(),
        (Merge::Clash { .. }, false) => reason.clone(),
        _ => None,
    };
    if wins {
        // A status that overrides a clashing one clears what only the overridden one means.
        if matches!(outcome, Merge::Clash { .. }) {
            match held {
                Status::Cancelled => (data.cancelled_at, data.cancel_reason) = (None, None),
                Status::NoShow => data.no_show_at = None,
                _ => {}
            }
        }
        data.status = to;
        data.status_changed_at = at;
        data.status_changed_by = m.authored_by;
        match to {
            Status::Arrived => data.arrived_at = Some(at),
            Status::InConsultation => data.started_at = Some(at),
            Status::Completed => data.completed_at = Some(at),
            Status::NoShow => data.no_show_at = Some(at),
            Status::Cancelled => (data.cancelled_at, data.cancel_reason) = (Some(at), reason),
            Status::Booked => {}
        }
    }
    let Merge::Clash { .. } = outcome else { return None };
    let from = m.args.get("from").cloned().unwrap_or(json!(Status::Booked));
    let kept = json!(data.status);
    let mut fields =
        vec![FieldClash { field: "status".into(), base: from, theirs: json!(held), ours: json!(to), kept }];
    if let Some(lost) = lost_reason {
        let (theirs, ours) = if wins { (json!(lost), Value::Null) } else { (Value::Null, json!(lost)) };
        fields.push(FieldClash { field: "cancel_reason".into(), base: Value::Null, theirs, ours, kept: Value::Null });
    }
    Some(field_conflict(ENTITY, m.entity_id, fields, m))
}
