//! The waitlist: a freed slot (cancellation or move) offers the first matching waiting patients in the order they
//! were added; an offer is booked (closing the entry, in the booking's transaction) or skipped (keeping its place).

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::waitlist::{self, WaitlistDraft, WaitlistStatus};
use clinic_core::scheduling::{
    AppointmentType, BookOutcome, RescheduleDraft, RescheduleOutcome, TimeOfDay, WaitlistOffer, appointments,
};
use jiff::civil::date;
use scheduling_support::{Desk, at};
use uuid::Uuid;

fn wait(d: &Desk, patient: usize, clinician: Option<Uuid>, kind: &AppointmentType, time_of_day: TimeOfDay) -> Uuid {
    let draft = WaitlistDraft {
        patient_id: d.patients[patient],
        clinician_id: clinician,
        type_id: kind.id,
        from_date: date(2026, 3, 9),
        to_date: date(2026, 3, 13),
        time_of_day,
        notes: "any cancellation".into(),
    };
    waitlist::add_to_waitlist(&d.t.clinic, d.reception, &draft).expect("waitlist").id
}

fn patients_offered(d: &Desk, offers: &[WaitlistOffer]) -> Vec<usize> {
    offers.iter().map(|o| d.patients.iter().position(|p| *p == o.patient_id).expect("known patient")).collect()
}

#[test]
fn a_cancellation_offers_the_first_matching_patients_in_order() {
    let d = Desk::new();
    let first = wait(&d, 1, Some(d.diallo), &d.consultation, TimeOfDay::Any);
    wait(&d, 2, None, &d.procedure, TimeOfDay::Any); // 30 minutes: does not fit a 15-minute gap
    wait(&d, 3, Some(d.okafor), &d.consultation, TimeOfDay::Any); // another clinician
    wait(&d, 4, Some(d.diallo), &d.consultation, TimeOfDay::Afternoon); // the wrong part of the day
    let last = wait(&d, 5, Some(d.diallo), &d.follow_up, TimeOfDay::Morning);
    assert_eq!(waitlist::list_waitlist(&d.t.clinic, d.reception).expect("list").len(), 5);

    let a = d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let before = d.footprint();
    let cancelled = appointments::cancel(&d.t.clinic, d.reception, a.id, "patient travelling").expect("cancel");
    assert_eq!(patients_offered(&d, &cancelled.waitlist_offers), [1, 5]);
    assert_eq!(cancelled.waitlist_offers[0].local_start, at("2026-03-09T09:00"));
    assert_eq!(cancelled.waitlist_offers[1].duration_minutes, 10);
    assert_eq!(d.footprint()[2], before[2] + 1, "offering writes nothing but the cancellation");

    // Skipping keeps the entry (and its place); the counter goes up and is synced.
    let skipped = waitlist::skip_offer(&d.t.clinic, d.reception, first).expect("skip");
    assert_eq!((skipped.skips, skipped.status), (1, WaitlistStatus::Waiting));
    assert_eq!(d.last_outbox().0, "waitlist.skip");

    // Booking the second offer closes its entry in the same transaction.
    let outcome = waitlist::book_from_waitlist(&d.t.clinic, d.reception, last, d.diallo, at("2026-03-09T09:00"), false)
        .expect("book offer");
    let BookOutcome::Booked(booked) = outcome else { panic!("free slot") };
    assert_eq!((booked.patient_id, booked.local_end), (d.patients[5], at("2026-03-09T09:10")));
    let entries = waitlist::list_waitlist(&d.t.clinic, d.reception).expect("list");
    assert_eq!(entries.len(), 4, "the booked entry left the list");
    assert_eq!(d.last_outbox().0, "waitlist.book");
    let e = waitlist::book_from_waitlist(&d.t.clinic, d.reception, last, d.diallo, at("2026-03-09T10:00"), false)
        .expect_err("already booked");
    assert_eq!(e.code, ErrorCode::Conflict);

    // A patient who is busy at that time is not offered it.
    d.book(1, d.okafor, &d.consultation, "2026-03-09T11:00");
    let offers = waitlist::offers_for_slot(
        &d.t.clinic,
        d.reception,
        d.diallo,
        at("2026-03-09T11:00"),
        at("2026-03-09T11:15"),
        3,
    )
    .expect("offers");
    assert!(patients_offered(&d, &offers).is_empty(), "patient 1 is with Dr Okafor then; 4 waits for the afternoon");
    let offers = waitlist::offers_for_slot(
        &d.t.clinic,
        d.reception,
        d.diallo,
        at("2026-03-09T15:00"),
        at("2026-03-09T15:15"),
        3,
    )
    .expect("offers");
    assert_eq!(patients_offered(&d, &offers), [1, 4]);
}

#[test]
fn a_move_offers_the_time_it_left() {
    let d = Desk::new();
    wait(&d, 1, Some(d.diallo), &d.consultation, TimeOfDay::Any);
    wait(&d, 2, None, &d.procedure, TimeOfDay::Any);
    let a = d.book(0, d.diallo, &d.procedure, "2026-03-10T10:00");
    let to = RescheduleDraft { start: at("2026-03-10T11:00"), clinician_id: None, duration_minutes: None };
    let RescheduleOutcome::Rescheduled { waitlist_offers, .. } =
        appointments::reschedule(&d.t.clinic, d.reception, a.id, &to, false).expect("move")
    else {
        panic!("free")
    };
    assert_eq!(patients_offered(&d, &waitlist_offers), [1, 2]);
}

#[test]
fn entries_are_checked_and_removable() {
    let d = Desk::new();
    let mut draft = WaitlistDraft {
        patient_id: d.patients[0],
        clinician_id: None,
        type_id: d.consultation.id,
        from_date: date(2026, 3, 13),
        to_date: date(2026, 3, 9),
        time_of_day: TimeOfDay::Any,
        notes: String::new(),
    };
    let e = waitlist::add_to_waitlist(&d.t.clinic, d.reception, &draft).expect_err("dates");
    assert_eq!(e.field.as_deref(), Some("to_date"));
    draft.to_date = date(2026, 3, 20);
    let entry = waitlist::add_to_waitlist(&d.t.clinic, d.reception, &draft).expect("add");
    let removed = waitlist::remove_from_waitlist(&d.t.clinic, d.reception, entry.id).expect("remove");
    assert_eq!(removed.status, WaitlistStatus::Removed);
    assert!(waitlist::list_waitlist(&d.t.clinic, d.reception).expect("list").is_empty());
    let billing = d.t.sign_in_as(clinic_core::rbac::Role::BillingClerk);
    assert_eq!(
        waitlist::add_to_waitlist(&d.t.clinic, billing, &draft).expect_err("billing").code,
        ErrorCode::Forbidden
    );
}
