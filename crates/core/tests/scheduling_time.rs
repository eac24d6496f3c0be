//! Time zones and daylight saving (Europe/Paris): 09:00 stays 09:00 local across the spring-forward and
//! fall-back weeks, a time in the skipped hour is refused clearly, one in the repeated hour is its first
//! occurrence; recurring series keep their local time and report clashes before booking anything.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::availability;
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::slots::{self, SlotQuery};
use clinic_core::scheduling::{BookOutcome, ClashKind, Frequency, Recurrence, SeriesOutcome, TimeOfDay, appointments};
use jiff::civil::date;
use scheduling_support::{Desk, at};

fn utc(a: &clinic_core::scheduling::Appointment) -> String {
    a.starts_at.to_string()
}

#[test]
fn nine_oclock_stays_nine_oclock_across_the_spring_change() {
    let d = Desk::new();
    let before = d.book(0, d.diallo, &d.consultation, "2026-03-27T09:00");
    let after = d.book(0, d.diallo, &d.consultation, "2026-03-30T09:00");
    assert_eq!(utc(&before), "2026-03-27T08:00:00Z", "CET is UTC+1");
    assert_eq!(utc(&after), "2026-03-30T07:00:00Z", "CEST is UTC+2");
    assert_eq!(
        (before.local_start.time(), after.local_start.time()),
        (at("2026-01-01T09:00").time(), at("2026-01-01T09:00").time())
    );
    // The working template follows local time too: 08:45 local is still outside hours after the change.
    let e =
        appointments::book(&d.t.clinic, d.reception, &d.draft(1, d.diallo, &d.consultation, "2026-03-30T08:45"), false)
            .expect_err("before hours");
    assert_eq!(e.code, ErrorCode::Validation);
    d.book(1, d.diallo, &d.consultation, "2026-03-30T16:45");
}

#[test]
fn nine_oclock_stays_nine_oclock_across_the_autumn_change() {
    let d = Desk::new();
    let before = d.book(0, d.okafor, &d.consultation, "2026-10-23T09:00");
    let after = d.book(0, d.okafor, &d.consultation, "2026-10-26T09:00");
    assert_eq!(utc(&before), "2026-10-23T07:00:00Z");
    assert_eq!(utc(&after), "2026-10-26T08:00:00Z");
    assert_eq!(after.local_start, at("2026-10-26T09:00"));
}

#[test]
fn a_time_in_the_skipped_hour_is_refused_and_one_in_the_repeated_hour_is_its_first_occurrence() {
    let d = Desk::new();
    for (day, from, to) in
        [("2026-03-29", "2026-03-29T00:00", "2026-03-29T06:00"), ("2026-10-25", "2026-10-25T00:00", "2026-10-25T06:00")]
    {
        availability::add_extra_session(&d.t.clinic, d.t.admin, d.diallo, at(from), at(to), "night clinic")
            .unwrap_or_else(|e| panic!("{day}: {e}"));
    }
    let e =
        appointments::book(&d.t.clinic, d.reception, &d.draft(0, d.diallo, &d.consultation, "2026-03-29T02:30"), false)
            .expect_err("skipped hour");
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Validation, Some("start")));
    assert_eq!(
        e.message,
        "There is no 02:30 on Sunday 29 March 2026 in Europe/Paris: the clocks go forward 60 minutes that night. \
         Choose a time before or after the change."
    );
    let just_after = d.book(0, d.diallo, &d.consultation, "2026-03-29T03:00");
    assert_eq!(utc(&just_after), "2026-03-29T01:00:00Z");
    let just_before = d.book(1, d.diallo, &d.consultation, "2026-03-29T01:45");
    assert_eq!(utc(&just_before), "2026-03-29T00:45:00Z");
    assert_eq!(just_before.ends_at, just_after.starts_at, "01:45 + 15 minutes is 03:00 that night");

    let first = d.book(2, d.diallo, &d.consultation, "2026-10-25T02:30");
    assert_eq!(utc(&first), "2026-10-25T00:30:00Z", "the first 02:30 (still summer time)");
    let e =
        appointments::book(&d.t.clinic, d.reception, &d.draft(3, d.diallo, &d.consultation, "2026-10-25T02:30"), false)
            .expect_err("the same instant");
    assert_eq!(e.code, ErrorCode::Conflict);
}

#[test]
fn a_weekly_series_keeps_its_local_time_and_reports_its_clash_before_booking_anything() {
    let d = Desk::new();
    let blocker = d.book(5, d.diallo, &d.consultation, "2026-03-30T09:00");
    let weekly = Recurrence { frequency: Frequency::Weekly, interval: 1, count: 6 };
    let draft = d.draft(0, d.diallo, &d.procedure, "2026-03-16T09:00");
    let before = d.footprint();
    let outcome = appointments::book_series(&d.t.clinic, d.reception, &draft, &weekly, false).expect("series");
    let SeriesOutcome::Clashes { occurrences, can_confirm } = outcome else { panic!("one occurrence clashes") };
    assert!(!can_confirm, "the policy does not allow overbooking");
    assert_eq!(occurrences.len(), 1);
    assert_eq!((occurrences[0].index, occurrences[0].local_start), (2, at("2026-03-30T09:00")));
    assert_eq!(occurrences[0].clashes[0].kind, ClashKind::ClinicianOverlap);
    assert_eq!(occurrences[0].clashes[0].appointment_id, Some(blocker.id));
    assert_eq!(d.footprint(), before, "nothing of the series was booked");

    appointments::cancel(&d.t.clinic, d.reception, blocker.id, "moved to make room").expect("cancel");
    let SeriesOutcome::Booked(series) =
        appointments::book_series(&d.t.clinic, d.reception, &draft, &weekly, false).expect("series")
    else {
        panic!("no clash left");
    };
    assert_eq!(series.len(), 6);
    let utc_times: Vec<String> = series.iter().map(utc).collect();
    assert_eq!(
        utc_times,
        [
            "2026-03-16T08:00:00Z",
            "2026-03-23T08:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-04-06T07:00:00Z",
            "2026-04-13T07:00:00Z",
            "2026-04-20T07:00:00Z"
        ]
    );
    assert!(
        series
            .iter()
            .all(|a| a.local_start.time() == at("2026-01-01T09:00").time() && a.series_id == series[0].series_id)
    );
    assert!(series[0].series_id.is_some());
    assert_eq!(d.audit("appointment_book").last().expect("audit").4, "series 6/6");
}

#[test]
fn a_series_can_be_overbooked_when_the_policy_allows_and_it_is_confirmed() {
    let d = Desk::new();
    policy::update_policy(&d.t.clinic, d.t.admin, &SchedulingPolicy { allow_overbooking: true, ..Default::default() })
        .expect("policy");
    d.book(5, d.diallo, &d.consultation, "2026-03-23T09:00");
    let daily = Recurrence { frequency: Frequency::Daily, interval: 7, count: 3 };
    let draft = d.draft(0, d.diallo, &d.follow_up, "2026-03-16T09:00");
    let SeriesOutcome::Clashes { can_confirm: true, .. } =
        appointments::book_series(&d.t.clinic, d.reception, &draft, &daily, false).expect("ask")
    else {
        panic!("must ask");
    };
    let SeriesOutcome::Booked(series) =
        appointments::book_series(&d.t.clinic, d.reception, &draft, &daily, true).expect("confirmed")
    else {
        panic!("booked");
    };
    assert_eq!(series.iter().map(|a| a.overbooked).collect::<Vec<_>>(), vec![false, true, false]);
    let e = appointments::book_series(&d.t.clinic, d.reception, &draft, &Recurrence { count: 60, ..daily }, false)
        .expect_err("too many");
    assert_eq!(e.field.as_deref(), Some("count"));
}

#[test]
fn free_slots_on_a_dst_day_are_in_local_time() {
    let d = Desk::new();
    let query = SlotQuery {
        type_id: d.consultation.id,
        duration_minutes: None,
        clinician_id: Some(d.diallo),
        specialty: None,
        language: None,
        from_date: date(2026, 3, 29),
        to_date: date(2026, 3, 30),
        time_of_day: TimeOfDay::Morning,
        limit: 2,
    };
    let found = slots::find_free_slots(&d.t.clinic, d.reception, &query).expect("slots");
    assert_eq!(
        found.iter().map(|s| s.local_start).collect::<Vec<_>>(),
        vec![at("2026-03-30T09:00"), at("2026-03-30T09:15")]
    );
    assert_eq!(found[0].starts_at.to_string(), "2026-03-30T07:00:00Z");
    let BookOutcome::Booked(_) = appointments::book(
        &d.t.clinic,
        d.reception,
        &d.draft(0, found[0].clinician_id, &d.consultation, &found[0].local_start.to_string()),
        false,
    )
    .expect("a slot offered is bookable") else {
        panic!()
    };
}
