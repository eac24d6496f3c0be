//! Booking one appointment or a recurring series, and moving one: every conflict rule checked in the same
//! transaction as the write, overbooking only after an explicit confirmation the clinic's policy allows.

use jiff::civil::DateTime;
use jiff::{SignedDuration, Span, Timestamp};
use rusqlite::Connection;
use serde_json::json;
use uuid::Uuid;

use super::conflicts::{Candidate, clashes, overbooked_detail, refusal};
use super::store;
use crate::accounts::SessionId;
use crate::accounts::sessions::Actor;
use crate::audit::AuditAction;
use crate::rbac::Permission;
use crate::scheduling::clinicians::{self, Clinician, language_tag};
use crate::scheduling::hours::Calendar;
use crate::scheduling::model::{
    Appointment, AppointmentStatus, BookOutcome, BookingDraft, Clash, Frequency, OccurrenceClashes, Recurrence,
    RescheduleDraft, RescheduleOutcome, SeriesOutcome, SpecialNeeds,
};
use crate::scheduling::policy::{self, SchedulingPolicy};
use crate::scheduling::record::{self, Change, text};
use crate::scheduling::time::{ClinicZone, minutes};
use crate::scheduling::types::{self, AppointmentType, MAX_DURATION_MINUTES};
use crate::scheduling::{telemedicine, waitlist};
use crate::{Clinic, CoreError, CoreResult};

/// Everything a booking is checked against, loaded inside its transaction.
struct Context {
    zone: ClinicZone,
    policy: SchedulingPolicy,
    clinician: Clinician,
    kind: AppointmentType,
    duration: u32,
}

fn load(tx: &Connection, clinician_id: Uuid, type_id: Uuid, duration: Option<u32>) -> CoreResult<Context> {
    let zone = ClinicZone::load(tx)?;
    let policy = policy::read(tx)?.0;
    let clinician = clinicians::bookable(tx, clinician_id, "clinician_id")?;
    let kind = types::bookable(tx, type_id)?;
    let duration = duration.unwrap_or(kind.duration_minutes);
    if !(5..=MAX_DURATION_MINUTES).contains(&duration) {
        return Err(CoreError::validation("duration_minutes", "The length must be between 5 minutes and 12 hours."));
    }
    Ok(Context { zone, policy, clinician, kind, duration })
}

fn clean_needs(needs: &SpecialNeeds) -> CoreResult<SpecialNeeds> {
    let interpreter_language = match needs.interpreter_language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(tag) => Some(language_tag("interpreter_language", tag)?),
    };
    Ok(SpecialNeeds {
        interpreter_language,
        accessibility: text("accessibility", &needs.accessibility, 200, "The accessibility note")?,
        notes: text("notes", &needs.notes, 1000, "The note")?,
    })
}

/// The instant of a local start that must not be in the past.
fn future_start(clinic: &Clinic, zone: &ClinicZone, local: DateTime) -> CoreResult<Timestamp> {
    let start = zone.instant("start", local)?;
    if start < clinic.env.clock.now() {
        return Err(CoreError::validation("start", "This time has already passed. Choose a time from now on."));
    }
    Ok(start)
}

/// The clashes of `[start, start + duration)` for this clinician and patient.
fn check(
    tx: &Connection,
    ctx: &Context,
    patient_id: Uuid,
    start: Timestamp,
    exclude: Option<Uuid>,
) -> CoreResult<Vec<Clash>> {
    let end = start + minutes(ctx.duration);
    let margin = SignedDuration::from_hours(36);
    let cal = Calendar::load(tx, &ctx.zone, start - margin, end + margin)?;
    clashes(tx, &cal, &Candidate { clinician: &ctx.clinician, patient_id, start, end, exclude })
}

/// What to do about clashes: `Ok(None)` to ask, `Ok(Some(overbooked))` to write, `Err` when refused.
fn decide(policy: &SchedulingPolicy, found: &[Clash], confirm: bool) -> CoreResult<Option<bool>> {
    match found.first() {
        None => Ok(Some(false)),
        Some(first) if !policy.allow_overbooking => Err(refusal(first)),
        Some(_) if !confirm => Ok(None),
        Some(_) => Ok(Some(true)),
    }
}

/// Books an appointment. A clash is refused with a message on `start` — or, when the clinic allows
/// overbooking, returned for confirmation (nothing written) and booked, marked overbooked, once confirmed.
pub fn book(
    clinic: &Clinic,
    session: SessionId,
    draft: &BookingDraft,
    confirm_overbooking: bool,
) -> CoreResult<BookOutcome> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clean_needs(&draft.special_needs)?;
    clinic.write(|tx| book_in(clinic, tx, &actor, draft, confirm_overbooking))
}

/// [`book`] inside the caller's transaction (the waitlist books and closes its entry in one).
pub(crate) fn book_in(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    draft: &BookingDraft,
    confirm_overbooking: bool,
) -> CoreResult<BookOutcome> {
    let needs = clean_needs(&draft.special_needs)?;
    store::bookable_patient(tx, draft.patient_id)?;
    let ctx = load(tx, draft.clinician_id, draft.type_id, draft.duration_minutes)?;
    let start = future_start(clinic, &ctx.zone, draft.start)?;
    let found = check(tx, &ctx, draft.patient_id, start, None)?;
    let Some(overbooked) = decide(&ctx.policy, &found, confirm_overbooking)? else {
        return Ok(BookOutcome::NeedsConfirmation(found));
    };
    let detail = if overbooked { overbooked_detail(&found) } else { String::new() };
    let booked = insert(clinic, tx, actor, &ctx, draft, &needs, start, None, overbooked, &detail)?;
    Ok(BookOutcome::Booked(booked))
}

/// Books a recurring series at the same local time (09:00 stays 09:00 across a DST change): every occurrence,
/// or — when any clashes — none, and the clashing occurrences are listed.
pub fn book_series(
    clinic: &Clinic,
    session: SessionId,
    draft: &BookingDraft,
    recurrence: &Recurrence,
    confirm_overbooking: bool,
) -> CoreResult<SeriesOutcome> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    if !(2..=52).contains(&recurrence.count) {
        return Err(CoreError::validation("count", "A series has between 2 and 52 appointments."));
    }
    if !(1..=12).contains(&recurrence.interval) {
        return Err(CoreError::validation("interval", "Repeat every 1 to 12 days or weeks."));
    }
    let needs = clean_needs(&draft.special_needs)?;
    clinic.write(|tx| {
        store::bookable_patient(tx, draft.patient_id)?;
        let ctx = load(tx, draft.clinician_id, draft.type_id, draft.duration_minutes)?;
        let mut planned = Vec::new();
        let mut clashing = Vec::new();
        for index in 0..recurrence.count {
            let steps = i64::from(index * recurrence.interval);
            let span = match recurrence.frequency {
                Frequency::Daily => Span::new().days(steps),
                Frequency::Weekly => Span::new().weeks(steps),
            };
            let local = draft.start.checked_add(span).map_err(CoreError::internal)?;
            let start = future_start(clinic, &ctx.zone, local).map_err(|mut e| {
                e.message = ["Appointment ", &(index + 1).to_string(), " of the series: ", &e.message].concat();
                e
            })?;
            // Earlier occurrences of this series are not written yet, so a series never clashes with itself
            // (occurrences are at least a day apart and at most 12 hours long).
            let found = check(tx, &ctx, draft.patient_id, start, None)?;
            if !found.is_empty() {
                clashing.push(OccurrenceClashes { index, local_start: local, clashes: found.clone() });
            }
            planned.push((local, start, found));
        }
        let confirmed = ctx.policy.allow_overbooking && confirm_overbooking;
        if !clashing.is_empty() && !confirmed {
            return Ok(SeriesOutcome::Clashes { occurrences: clashing, can_confirm: ctx.policy.allow_overbooking });
        }
        let series_id = clinic.env.ids.new_id();
        let count = recurrence.count.to_string();
        let mut booked = Vec::with_capacity(planned.len());
        for (index, (local, start, found)) in planned.into_iter().enumerate() {
            let mut detail = ["series ", &(index + 1).to_string(), "/", &count].concat();
            if !found.is_empty() {
                detail = [detail, overbooked_detail(&found)].join("; ");
            }
            let one = BookingDraft { start: local, ..draft.clone() };
            booked.push(insert(
                clinic,
                tx,
                &actor,
                &ctx,
                &one,
                &needs,
                start,
                Some(series_id),
                !found.is_empty(),
                &detail,
            )?);
        }
        Ok(SeriesOutcome::Booked(booked))
    })
}

#[allow(clippy::too_many_arguments)] // one private call site per booking path
fn insert(
    clinic: &Clinic,
    tx: &Connection,
    actor: &Actor,
    ctx: &Context,
    draft: &BookingDraft,
    needs: &SpecialNeeds,
    start: Timestamp,
    series_id: Option<Uuid>,
    overbooked: bool,
    detail: &str,
) -> CoreResult<Appointment> {
    let meeting_link =
        if ctx.kind.telemedicine { Some(telemedicine::meeting_link(&ctx.policy.telemedicine_base_url)?) } else { None };
    let now = clinic.env.clock.now();
    let end = start + minutes(ctx.duration);
    let appointment = Appointment {
        id: clinic.env.ids.new_id(),
        patient_id: draft.patient_id,
        clinician_id: ctx.clinician.staff_id,
        type_id: ctx.kind.id,
        starts_at: start,
        ends_at: end,
        local_start: ctx.zone.local(start),
        local_end: ctx.zone.local(end),
        status: AppointmentStatus::Booked,
        series_id,
        overbooked,
        special_needs: needs.clone(),
        meeting_link,
        recording_consent: false,
        consent_recorded_by: None,
        consent_recorded_at: None,
        arrived_at: None,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        cancel_reason: None,
        no_show_at: None,
        status_changed_at: now,
        status_changed_by: Some(actor.staff_id),
        created_at: now,
        created_by: Some(actor.staff_id),
        updated_at: now,
        updated_by: Some(actor.staff_id),
        row_version: 1,
    };
    store::insert(tx, &appointment)?;
    let args = json!({
        "patient_id": appointment.patient_id,
        "clinician_id": appointment.clinician_id,
        "type_id": appointment.type_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "series_id": appointment.series_id,
        "overbooked": overbooked,
        "special_needs": appointment.special_needs,
        "meeting_link": appointment.meeting_link,
        "created_at": appointment.created_at,
    });
    record::record(
        clinic,
        tx,
        actor,
        Change {
            mutation: "appointment.book",
            entity: "appointment",
            entity_id: appointment.id,
            args,
            base_row_version: None,
            action: AuditAction::AppointmentBook,
            patient_id: Some(appointment.patient_id),
            detail,
        },
    )?;
    Ok(appointment)
}

/// Moves a booked appointment to another time, and optionally another clinician or length, under the same
/// rules as booking. Returns the first waiting patients who fit the time it left.
pub fn reschedule(
    clinic: &Clinic,
    session: SessionId,
    id: Uuid,
    draft: &RescheduleDraft,
    confirm_overbooking: bool,
) -> CoreResult<RescheduleOutcome> {
    let actor = clinic.authorize(session, Permission::AppointmentWrite)?;
    clinic.write(|tx| {
        let zone = ClinicZone::load(tx)?;
        let old = store::get(tx, &zone, id)?;
        if old.status != AppointmentStatus::Booked {
            return Err(CoreError::conflict(
                [
                    "Only booked appointments can be moved; this one is ",
                    &old.status.as_str().replace('_', " "),
                    ". Book a new appointment instead.",
                ]
                .concat(),
            ));
        }
        let length = u32::try_from(old.ends_at.duration_since(old.starts_at).as_mins()).unwrap_or(0);
        let clinician_id = draft.clinician_id.unwrap_or(old.clinician_id);
        let ctx = load(tx, clinician_id, old.type_id, Some(draft.duration_minutes.unwrap_or(length)))
            .or_else(|e| if e.field.as_deref() == Some("type_id") { reload_inactive(tx, clinician_id, &old, draft) } else { Err(e) })?;
        let start = future_start(clinic, &ctx.zone, draft.start)?;
        let found = check(tx, &ctx, old.patient_id, start, Some(id))?;
        let Some(overbooked) = decide(&ctx.policy, &found, confirm_overbooking)? else {
            return Ok(RescheduleOutcome::NeedsConfirmation(found));
        };
        let end = start + minutes(ctx.duration);
        let now = clinic.env.clock.now();
        let (start_text, end_text) = (crate::clock::to_db_time(start), crate::clock::to_db_time(end));
        store::change(
            tx,
            id,
            "clinician_id = ?, starts_at = ?, ends_at = ?, overbooked = ?",
            &[&clinician_id.to_string(), &start_text, &end_text, &overbooked],
            now,
            actor.staff_id,
        )?;
        let detail = if overbooked { overbooked_detail(&found) } else { String::new() };
        record::record(
            clinic,
            tx,
            &actor,
            Change {
                mutation: "appointment.reschedule",
                entity: "appointment",
                entity_id: id,
                args: json!({ "clinician_id": clinician_id, "starts_at": start, "ends_at": end, "overbooked": overbooked }),
                base_row_version: Some(old.row_version),
                action: AuditAction::AppointmentReschedule,
                patient_id: Some(old.patient_id),
                detail: &detail,
            },
        )?;
        let appointment = store::get(tx, &zone, id)?;
        let waitlist_offers = waitlist::offers_in(tx, &zone, old.clinician_id, old.starts_at, old.ends_at, waitlist::OFFERS)?;
        Ok(RescheduleOutcome::Rescheduled { appointment, waitlist_offers })
    })
}

/// An appointment of a type no longer offered can still be moved: its own type is used as it is.
fn reload_inactive(
    tx: &Connection,
    clinician_id: Uuid,
    old: &Appointment,
    draft: &RescheduleDraft,
) -> CoreResult<Context> {
    let zone = ClinicZone::load(tx)?;
    let policy = policy::read(tx)?.0;
    let clinician = clinicians::bookable(tx, clinician_id, "clinician_id")?;
    let kind = types::get(tx, old.type_id)?;
    let length = u32::try_from(old.ends_at.duration_since(old.starts_at).as_mins()).unwrap_or(kind.duration_minutes);
    let duration = draft.duration_minutes.unwrap_or(length);
    if !(5..=MAX_DURATION_MINUTES).contains(&duration) {
        return Err(CoreError::validation("duration_minutes", "The length must be between 5 minutes and 12 hours."));
    }
    Ok(Context { zone, policy, clinician, kind, duration })
}
