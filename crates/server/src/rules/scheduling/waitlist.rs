//! Waitlist rules: `waitlist.add` creates an entry; `waitlist.skip` adds one skip (two desks skipping count
//! twice); `waitlist.remove` and `waitlist.book` close it. Booked is final: a removal after a booking keeps the
//! booking; a second booking of the same entry into another appointment keeps the first and needs a person.

use chrono::NaiveDate;
use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::FieldClash;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::values::{ClockTime, Day, Instant, date_range};
use super::{already_on_server, checked_args, field_conflict, missing, need_base, not_on_server, stored, write};
use crate::AppError;
use crate::error::FieldError;
use crate::rules::{ApplyCtx, Checked, Decision, EntityRules, args, text, unknown_name};
use crate::sync::store;

#[derive(Debug, Clone, Copy)]
pub(crate) struct WaitlistRules;

const ENTITY: &str = "waitlist_entry";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EntryStatus {
    Waiting,
    Booked,
    Removed,
}

/// clinic-core's `TimeOfDay`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum TimeOfDay {
    Any,
    Morning,
    Afternoon,
    Evening,
    Window { from: ClockTime, to: ClockTime },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddArgs {
    patient_id: Uuid,
    clinician_id: Option<Uuid>,
    type_id: Uuid,
    from_date: Day,
    to_date: Day,
    time_of_day: TimeOfDay,
    notes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveArgs {
    status: EntryStatus,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipArgs {
    /// The desk's new count, read for its shape only: the server counts one skip per mutation.
    #[allow(dead_code)]
    skips: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookArgs {
    status: EntryStatus,
    appointment_id: Uuid,
}

/// The stored entry: clinic-core's `waitlist_entries` row without its bookkeeping columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EntryData {
    patient_id: Uuid,
    clinician_id: Option<Uuid>,
    type_id: Uuid,
    from_date: Day,
    to_date: Day,
    time_of_day: TimeOfDay,
    notes: String,
    status: EntryStatus,
    appointment_id: Option<Uuid>,
    skips: u32,
    created_at: Instant,
    created_by: Option<Uuid>,
}

impl EntityRules for WaitlistRules {
    const ENTITY: &'static str = ENTITY;

    fn check(&self, m: &MutationEnvelope, _today: NaiveDate) -> Result<Checked, FieldError> {
        match m.name.as_str() {
            "waitlist.add" => {
                let a: AddArgs = args(&m.args)?;
                date_range(&a.from_date, &a.to_date)?;
                if let TimeOfDay::Window { from, to } = &a.time_of_day
                    && to.time() <= from.time()
                {
                    return Err(FieldError::new(
                        "args.time_of_day.to",
                        "The end of the window must be after its start.",
                    ));
                }
                text("args.notes", &a.notes, 500, false)?;
                let mut references = vec![(a.patient_id, "args.patient_id"), (a.type_id, "args.type_id")];
                if let Some(clinician) = a.clinician_id {
                    references.push((clinician, "args.clinician_id"));
                }
                Ok(Checked { references, ..Checked::default() })
            }
            "waitlist.remove" => {
                let a: RemoveArgs = args(&m.args)?;
                if a.status != EntryStatus::Removed {
                    return Err(FieldError::new("args.status", "A removal sets the status to removed."));
                }
                need_base(m)?;
                Ok(Checked::default())
            }
            "waitlist.skip" => {
                let _: SkipArgs = args(&m.args)?;
                need_base(m)?;
                Ok(Checked::default())
            }
            "waitlist.book" => {
                let a: BookArgs = args(&m.args)?;
                if a.status != EntryStatus::Booked {
                    return Err(FieldError::new("args.status", "A booking sets the status to booked."));
                }
                need_base(m)?;
                Ok(Checked { references: vec![(a.appointment_id, "args.appointment_id")], ..Checked::default() })
            }
            other => Err(unknown_name(other)),
        }
    }

    async fn apply(&self, ctx: &ApplyCtx<'_>) -> Result<Decision, AppError> {
        let m = ctx.mutation;
        let existing = store::load(ctx.tx, ctx.device.tenant_id, ENTITY, m.entity_id).await?;
        if m.name == "waitlist.add" {
            return add(ctx, existing.is_some()).await;
        }
        let Some(record) = existing else { return Ok(not_on_server("waitlist entry")) };
        let mut data: EntryData = stored(&record.data)?;
        let mut review_items = Vec::new();
        match m.name.as_str() {
            "waitlist.skip" if data.status == EntryStatus::Waiting => data.skips += 1,
            "waitlist.remove" if data.status == EntryStatus::Waiting => data.status = EntryStatus::Removed,
            "waitlist.book" => {
                let a: BookArgs = checked_args(m)?;
                if let Some(rejected) = missing(ctx, &[("appointment", a.appointment_id, "appointment")]).await? {
                    return Ok(rejected);
                }
                match data.appointment_id {
                    Some(first) if data.status == EntryStatus::Booked && first != a.appointment_id => {
                        let clash = FieldClash {
                            field: "appointment_id".into(),
                            base: Value::Null,
                            theirs: json!(first),
                            ours: json!(a.appointment_id),
                            kept: json!(first),
                        };
                        review_items.push(field_conflict(ENTITY, m.entity_id, vec![clash], m));
                    }
                    _ => {
                        data.status = EntryStatus::Booked;
                        data.appointment_id = Some(a.appointment_id);
                    }
                }
            }
            // A skip or removal of an entry already closed elsewhere changes nothing.
            _ => {}
        }
        let write =
            write(ENTITY, m.entity_id, Some(record.row_version), serde_json::to_value(&data)?, record.deleted_at);
        Ok(Decision::Apply { write, review_items })
    }
}

async fn add(ctx: &ApplyCtx<'_>, exists: bool) -> Result<Decision, AppError> {
    let m = ctx.mutation;
    if exists {
        return Ok(already_on_server("waitlist entry"));
    }
    let a: AddArgs = checked_args(m)?;
    let mut needed = vec![("patient", a.patient_id, "patient"), ("appointment_type", a.type_id, "appointment type")];
    if let Some(clinician) = a.clinician_id {
        needed.push(("staff", clinician, "clinician"));
    }
    if let Some(rejected) = missing(ctx, &needed).await? {
        return Ok(rejected);
    }
    let created_at: Instant =
        serde_json::from_value(json!(m.authored_at)).map_err(|e| AppError::internal(e.to_string()))?;
    let data = EntryData {
        patient_id: a.patient_id,
        clinician_id: a.clinician_id,
        type_id: a.type_id,
        from_date: a.from_date,
        to_date: a.to_date,
        time_of_day: a.time_of_day,
        notes: a.notes,
        status: EntryStatus::Waiting,
        appointment_id: None,
        skips: 0,
        created_at,
        created_by: m.authored_by,
    };
    Ok(super::apply(write(ENTITY, m.entity_id, None, serde_json::to_value(data)?, None)))
}
