//! Free-slot search: it respects templates, breaks, extra sessions, leave, closures and booked appointments
//! (cancelled ones free their time), never offers the past, filters by clinician, specialty, language and part
//! of the day, and every slot it offers can be booked.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::leave::{self, LeaveDraft};
use clinic_core::scheduling::slots::{self, FreeSlot, SlotQuery};
use clinic_core::scheduling::{AppointmentType, BookOutcome, TimeOfDay, appointments};
use jiff::civil::{Date, date};
use scheduling_support::{Desk, at, office_hours, time};
use uuid::Uuid;

fn query(kind: &AppointmentType, clinician: Option<Uuid>, from: Date, to: Date, limit: u32) -> SlotQuery {
    SlotQuery {
        type_id: kind.id,
        duration_minutes: None,
        clinician_id: clinician,
        specialty: None,
        language: None,
        from_date: from,
        to_date: to,
        time_of_day: TimeOfDay::Any,
        limit,
    }
}

fn find(d: &Desk, q: &SlotQuery) -> Vec<FreeSlot> {
    slots::find_free_slots(&d.t.clinic, d.reception, q).expect("search")
}

fn starts(found: &[FreeSlot]) -> Vec<String> {
    found.iter().map(|s| s.local_start.strftime("%d %H:%M").to_string()).collect()
}

fn who(found: &[FreeSlot]) -> Vec<String> {
    found.iter().map(|s| s.clinician_name.clone()).collect()
}

const MON: Date = date(2026, 3, 9);

#[test]
fn slots_skip_booked_time_and_cancelled_time_comes_back() {
    let d = Desk::new();
    let q = query(&d.consultation, Some(d.diallo), MON, MON, 5);
    assert_eq!(starts(&find(&d, &q)), ["09 09:00", "09 09:15", "09 09:30", "09 09:45", "09 10:00"]);
    let first = d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    d.book(1, d.diallo, &d.procedure, "2026-03-09T09:30");
    assert_eq!(starts(&find(&d, &q)), ["09 09:15", "09 10:00", "09 10:15", "09 10:30", "09 10:45"]);
    let long = query(&d.procedure, Some(d.diallo), MON, MON, 3);
    assert_eq!(starts(&find(&d, &long)), ["09 10:00", "09 10:15", "09 10:30"], "15 free minutes do not fit 30");
    appointments::cancel(&d.t.clinic, d.reception, first.id, "patient is better").expect("cancel");
    assert_eq!(starts(&find(&d, &q))[0], "09 09:00", "a cancelled appointment frees its time");
    // The lunch gap and the end of the day are respected.
    let late = find(&d, &query(&d.procedure, Some(d.diallo), MON, MON, 100));
    assert!(late.iter().all(|s| s.local_end.time() <= time("13:00") || s.local_start.time() >= time("14:00")));
    assert_eq!(late.last().map(|s| s.local_start.time()), Some(time("16:30")));
}

#[test]
fn the_past_is_never_offered() {
    let d = Desk::new();
    let today = date(2026, 3, 2);
    assert_eq!(
        starts(&find(&d, &query(&d.consultation, Some(d.diallo), today, today, 1))),
        ["02 09:00"],
        "it is 09:00 now"
    );
    d.t.clock.advance_secs(20 * 60);
    assert_eq!(starts(&find(&d, &query(&d.consultation, Some(d.diallo), today, today, 1))), ["02 09:30"]);
    let past = query(&d.consultation, Some(d.diallo), date(2026, 2, 23), date(2026, 2, 27), 5);
    assert!(find(&d, &past).is_empty());
}

#[test]
fn breaks_leave_closures_and_extra_sessions_shape_the_slots() {
    let d = Desk::new();
    let mut periods = office_hours();
    periods.push(WorkingPeriod { weekday: 2, start: time("10:30"), end: time("11:00"), kind: PeriodKind::Break });
    availability::set_weekly_template(&d.t.clinic, d.t.admin, d.diallo, &periods).expect("template");
    let tuesday = date(2026, 3, 10);
    let mut q = query(&d.procedure, Some(d.diallo), tuesday, tuesday, 6);
    q.time_of_day = TimeOfDay::Window { from: time("09:45"), to: time("12:00") };
    assert_eq!(starts(&find(&d, &q)), ["10 09:45", "10 10:00", "10 11:00", "10 11:15", "10 11:30", "10 11:45"]);

    let wednesday = date(2026, 3, 11);
    let leave_draft = LeaveDraft::whole_days(d.diallo, wednesday, wednesday, "training");
    let request = leave::request_leave(&d.t.clinic, d.t.admin, &leave_draft).expect("leave");
    let q = query(&d.consultation, Some(d.diallo), wednesday, wednesday, 1);
    assert_eq!(find(&d, &q).len(), 1, "requested leave does not close the diary");
    leave::approve_leave(&d.t.clinic, d.t.admin, request.id, "").expect("approve");
    assert!(find(&d, &q).is_empty(), "approved leave does");

    let thursday = date(2026, 3, 12);
    availability::add_closure(&d.t.clinic, d.t.admin, thursday, "Clinic training day").expect("closure");
    assert!(find(&d, &query(&d.consultation, None, thursday, thursday, 5)).is_empty(), "nobody on a closure");

    let saturday = date(2026, 3, 14);
    assert!(find(&d, &query(&d.consultation, None, saturday, saturday, 5)).is_empty());
    availability::add_extra_session(
        &d.t.clinic,
        d.t.admin,
        d.okafor,
        at("2026-03-14T10:00"),
        at("2026-03-14T10:30"),
        "",
    )
    .expect("extra");
    let sat = find(&d, &query(&d.consultation, None, saturday, saturday, 5));
    assert_eq!(
        (starts(&sat), who(&sat)),
        (vec!["14 10:00".to_owned(), "14 10:15".to_owned()], vec!["Bea Okafor".to_owned(); 2])
    );
}

#[test]
fn any_clinician_specialty_language_and_part_of_day() {
    let d = Desk::new();
    let any = find(&d, &query(&d.consultation, None, MON, MON, 6));
    assert_eq!(starts(&any), ["09 09:00", "09 09:00", "09 09:00", "09 09:15", "09 09:15", "09 09:15"]);
    assert_eq!(who(&any)[..3], ["Awa Diallo", "Bea Okafor", "Chen Li"]);

    let mut q = query(&d.consultation, None, MON, MON, 3);
    q.language = Some("FR".into());
    assert!(who(&find(&d, &q)).iter().all(|n| n == "Awa Diallo"));
    q.language = Some("yo".into());
    assert!(who(&find(&d, &q)).iter().all(|n| n == "Bea Okafor"));
    q.language = Some("de".into());
    assert!(find(&d, &q).is_empty());
    q.language = None;
    q.specialty = Some(" paediatrics ".into());
    assert!(who(&find(&d, &q)).iter().all(|n| n == "Bea Okafor"));
    q.specialty = Some("Nursing".into());
    q.language = Some("zh".into());
    assert_eq!(who(&find(&d, &q)), vec!["Chen Li".to_owned(); 3]);

    let mut q = query(&d.consultation, Some(d.okafor), MON, MON, 2);
    q.time_of_day = TimeOfDay::Afternoon;
    assert_eq!(starts(&find(&d, &q)), ["09 12:00", "09 12:15"], "the afternoon starts at noon");
    q.time_of_day = TimeOfDay::Evening;
    assert!(find(&d, &q).is_empty(), "nobody works after 17:00");
    q.time_of_day = TimeOfDay::Window { from: time("16:30"), to: time("17:00") };
    q.limit = 5;
    assert_eq!(starts(&find(&d, &q)), ["09 16:30", "09 16:45"]);
    q.time_of_day = TimeOfDay::Window { from: time("17:00"), to: time("16:00") };
    assert_eq!(
        slots::find_free_slots(&d.t.clinic, d.reception, &q).expect_err("window").field.as_deref(),
        Some("time_of_day")
    );
}

#[test]
fn the_search_moves_on_to_later_days_and_every_slot_offered_is_bookable() {
    let d = Desk::new();
    // Fill Dr Diallo's Monday completely: the next slot is on Tuesday.
    for (i, minutes) in (9 * 60..13 * 60).chain(14 * 60..17 * 60).step_by(30).enumerate() {
        let start = format!("2026-03-09T{:02}:{:02}", minutes / 60, minutes % 60);
        d.book(i % 6, d.diallo, &d.procedure, &start);
    }
    let q = query(&d.consultation, Some(d.diallo), MON, date(2026, 6, 30), 2);
    assert_eq!(starts(&find(&d, &q)), ["10 09:00", "10 09:15"]);

    let tuesday = date(2026, 3, 10);
    let offered = find(&d, &query(&d.consultation, None, tuesday, date(2026, 3, 20), 12));
    assert_eq!(offered.len(), 12);
    assert!(offered.windows(2).all(|w| w[0].starts_at <= w[1].starts_at), "earliest first");
    for (i, slot) in offered.iter().enumerate() {
        let mut draft = d.draft(i % 6, slot.clinician_id, &d.consultation, "2026-03-10T09:00");
        draft.start = slot.local_start;
        let outcome = appointments::book(&d.t.clinic, d.reception, &draft, false);
        assert!(matches!(outcome, Ok(BookOutcome::Booked(_))), "slot {i} {slot:?}: {outcome:?}");
    }
}

#[test]
fn the_query_is_checked() {
    let d = Desk::new();
    let mut q = query(&d.consultation, None, MON, MON, 0);
    assert_eq!(
        slots::find_free_slots(&d.t.clinic, d.reception, &q).expect_err("limit").field.as_deref(),
        Some("limit")
    );
    q.limit = 3;
    q.to_date = date(2026, 3, 1);
    assert_eq!(
        slots::find_free_slots(&d.t.clinic, d.reception, &q).expect_err("dates").field.as_deref(),
        Some("to_date")
    );
    let billing = d.t.sign_in_as(clinic_core::rbac::Role::BillingClerk);
    assert_eq!(slots::find_free_slots(&d.t.clinic, billing, &q).expect_err("billing").code, ErrorCode::Forbidden);
}

#[test]
fn the_search_finds_exactly_the_free_grid_slots() {
    // A day of random bookings, then every 15-minute grid time checked by hand against them.
    let d = Desk::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut booked: Vec<(i64, i64)> = Vec::new();
    for i in 0..40 {
        let minute = 9 * 60 + 5 * next(96) as i64;
        let kind = [&d.follow_up, &d.consultation, &d.procedure][next(3) as usize];
        let start = format!("2026-03-09T{:02}:{:02}", minute / 60, minute % 60);
        let draft = d.draft(i % 6, d.diallo, kind, &start);
        if let Ok(BookOutcome::Booked(_)) = appointments::book(&d.t.clinic, d.reception, &draft, false) {
            booked.push((minute, minute + i64::from(kind.duration_minutes)));
        }
    }
    assert!(booked.len() >= 10, "enough bookings to make gaps: {}", booked.len());
    let expected: Vec<String> = (9 * 60..17 * 60)
        .step_by(15)
        .filter(|m| (*m + 15 <= 13 * 60 || *m >= 14 * 60) && *m + 15 <= 17 * 60)
        .filter(|m| booked.iter().all(|(s, e)| *m + 15 <= *s || *m >= *e))
        .map(|m| format!("09 {:02}:{:02}", m / 60, m % 60))
        .collect();
    assert_eq!(starts(&find(&d, &query(&d.consultation, Some(d.diallo), MON, MON, 100))), expected);
}
