//! The appointment lifecycle: every (from, to) pair of statuses is tried; only the forward moves of the table
//! below succeed, each recording who and when, audited and queued for sync; the rest change nothing.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::{AppointmentStatus, appointments};
use scheduling_support::Desk;

use AppointmentStatus::*;

/// The allowed moves, written out independently of `AppointmentStatus::can_move_to`.
const ALLOWED: [(AppointmentStatus, AppointmentStatus); 7] = [
    (Booked, Arrived),
    (Booked, InConsultation),
    (Booked, Cancelled),
    (Booked, NoShow),
    (Arrived, InConsultation),
    (Arrived, Cancelled),
    (InConsultation, Completed),
];

/// How to bring a booked appointment to a status.
fn path_to(status: AppointmentStatus) -> &'static [AppointmentStatus] {
    match status {
        Booked => &[],
        Arrived => &[Arrived],
        InConsultation => &[Arrived, InConsultation],
        Completed => &[Arrived, InConsultation, Completed],
        Cancelled => &[Cancelled],
        NoShow => &[NoShow],
    }
}

fn reason(to: AppointmentStatus) -> Option<&'static str> {
    (to == Cancelled).then_some("patient called to cancel")
}

#[test]
fn every_pair_of_statuses() {
    let mut d = Desk::new();
    // 36 appointments today (Monday 2 March, it is 09:00 in Paris): one per pair, on three clinicians.
    let clinicians = [d.diallo, d.okafor, d.nurse];
    let mut booked = Vec::new();
    for (i, _) in AppointmentStatus::ALL.iter().flat_map(|f| AppointmentStatus::ALL.map(|t| (f, t))).enumerate() {
        let (who, slot) = (i % 3, i / 3);
        let minutes = 9 * 60 + 15 + 15 * slot;
        let start = format!("2026-03-02T{:02}:{:02}", minutes / 60, minutes % 60);
        booked.push(d.book(who, clinicians[who], &d.consultation, &start).id);
    }
    // Later the same day, so check-in is on the day and no-shows are past their time.
    d.jump_to("2026-03-02T16:00:00Z");
    let reception = d.reception;
    let me = d.t.clinic.touch(reception).expect("session").staff_id;
    let mut i = 0;
    for from in AppointmentStatus::ALL {
        for to in AppointmentStatus::ALL {
            let id = booked[i];
            i += 1;
            for step in path_to(from) {
                appointments::change_status(&d.t.clinic, reception, id, *step, reason(*step))
                    .unwrap_or_else(|e| panic!("setting up {from:?}: {step:?}: {e}"));
            }
            let before = d.footprint();
            let result = appointments::change_status(&d.t.clinic, reception, id, to, reason(to));
            assert_eq!(from.can_move_to(to), ALLOWED.contains(&(from, to)), "{from:?} -> {to:?}: table");
            if ALLOWED.contains(&(from, to)) {
                let changed = result.unwrap_or_else(|e| panic!("{from:?} -> {to:?} must be allowed: {e}")).appointment;
                assert_eq!(changed.status, to);
                assert_eq!(changed.status_changed_by, Some(me), "who");
                assert_eq!(changed.status_changed_at.to_string(), "2026-03-02T16:00:00Z", "when");
                let (name, _, args, _) = d.last_outbox();
                if to == Cancelled {
                    assert_eq!(name, "appointment.cancel");
                    assert_eq!(changed.cancel_reason.as_deref(), Some("patient called to cancel"));
                } else {
                    assert_eq!(name, "appointment.status");
                    assert_eq!((args["from"].as_str(), args["to"].as_str()), (Some(from.as_str()), Some(to.as_str())));
                }
                let action = if to == Cancelled { "appointment_cancel" } else { "appointment_status" };
                let entry = d.audit(action).pop().expect("audited");
                assert_eq!((entry.0.as_str(), entry.4), ("rita", format!("{} -> {}", from.as_str(), to.as_str())));
            } else {
                let e = result.expect_err("backwards or sideways");
                assert_eq!(e.code, ErrorCode::Conflict, "{from:?} -> {to:?}");
                assert_eq!(d.footprint(), before, "{from:?} -> {to:?}: nothing changes");
            }
        }
    }
}

#[test]
fn arrival_and_other_moments_are_recorded() {
    let mut d = Desk::new();
    let a = d.book(0, d.diallo, &d.consultation, "2026-03-02T10:00");
    d.jump_to("2026-03-02T08:50:00Z");
    let arrived = appointments::check_in(&d.t.clinic, d.reception, a.id).expect("check in");
    assert_eq!(arrived.arrived_at.map(|t| t.to_string()).as_deref(), Some("2026-03-02T08:50:00Z"));
    d.t.clock.advance_secs(600);
    let started = appointments::start_consultation(&d.t.clinic, d.diallo_session, a.id).expect("call in");
    assert_eq!(started.started_at.map(|t| t.to_string()).as_deref(), Some("2026-03-02T09:00:00Z"));
    let done = appointments::complete(&d.t.clinic, d.diallo_session, a.id).expect("complete");
    assert!(done.completed_at.is_some());
    assert_eq!(done.arrived_at, arrived.arrived_at, "earlier moments are kept");
    assert_eq!(done.row_version, 4);
}

#[test]
fn the_day_and_the_time_matter() {
    let d = Desk::new();
    let tomorrow = d.book(0, d.diallo, &d.consultation, "2026-03-03T10:00");
    let later_today = d.book(1, d.diallo, &d.consultation, "2026-03-02T11:00");
    let e = appointments::check_in(&d.t.clinic, d.reception, tomorrow.id).expect_err("not today");
    assert_eq!(e.message, "This appointment is on Tuesday 3 March 2026, not today. Check patients in on the day.");
    let e = appointments::mark_no_show(&d.t.clinic, d.reception, later_today.id).expect_err("not yet");
    assert_eq!(
        e.message,
        "The appointment has not started yet (it is at 11:00). Mark a no-show once its time has passed."
    );
    let e = appointments::cancel(&d.t.clinic, d.reception, later_today.id, "  ").expect_err("no reason");
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Validation, Some("reason")));
    let billing = d.t.sign_in_as(clinic_core::rbac::Role::BillingClerk);
    assert_eq!(
        appointments::check_in(&d.t.clinic, billing, later_today.id).expect_err("billing").code,
        ErrorCode::Forbidden
    );
}
