//! Booking rules: clinician and patient overlaps, working hours and breaks, leave (requested vs approved),
//! closures, the overbooking policy (refused vs confirmed), moving, and that every booking writes its audit entry
//! and its outbox row together — or nothing at all.

mod common;
mod scheduling_support;

use clinic_core::ErrorCode;
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::leave::{self, LeaveDraft, LeaveStatus};
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::{
    AppointmentStatus, BookOutcome, ClashKind, RescheduleDraft, RescheduleOutcome, SpecialNeeds, appointments,
};
use scheduling_support::{Desk, at, office_hours, time};

fn allow_overbooking(d: &Desk) {
    let p = SchedulingPolicy { allow_overbooking: true, ..SchedulingPolicy::default() };
    policy::update_policy(&d.t.clinic, d.t.admin, &p).expect("policy");
}

#[test]
fn a_booking_is_stored_in_utc_with_its_audit_entry_and_outbox_row() {
    let d = Desk::new();
    let before = d.footprint();
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.special_needs = SpecialNeeds {
        interpreter_language: Some(" FR ".into()),
        accessibility: "wheelchair".into(),
        notes: "prefers the ground floor".into(),
    };
    let BookOutcome::Booked(a) = appointments::book(&d.t.clinic, d.reception, &draft, false).expect("book") else {
        panic!("no clash expected");
    };
    assert_eq!(a.starts_at.to_string(), "2026-03-09T08:00:00Z", "09:00 in Paris in winter is 08:00 UTC");
    assert_eq!(a.local_start, at("2026-03-09T09:00"));
    assert_eq!(a.local_end, at("2026-03-09T09:15"), "the type's 15 minutes");
    assert_eq!(a.status, AppointmentStatus::Booked);
    assert_eq!(a.special_needs.interpreter_language.as_deref(), Some("fr"));
    assert!(!a.overbooked && a.meeting_link.is_none());
    assert_eq!(
        d.footprint(),
        [before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1, before[4]],
        "one row, one outbox row, one audit entry"
    );
    let (name, entity_id, args, base) = d.last_outbox();
    assert_eq!((name.as_str(), entity_id, base), ("appointment.book", a.id.to_string(), None));
    assert_eq!(args["starts_at"], "2026-03-09T08:00:00Z");
    assert_eq!(args["clinician_id"], d.diallo.to_string());
    assert_eq!(args["special_needs"]["accessibility"], "wheelchair");
    let entries = d.audit("appointment_book");
    let last = entries.last().expect("audited");
    assert_eq!(last.0, "rita", "who booked");
    assert_eq!(last.3.as_deref(), Some(d.patients[0].to_string().as_str()), "which patient");
    assert_eq!(appointments::get(&d.t.clinic, d.diallo_session, a.id).expect("get"), a);

    // The length can be given; the end follows.
    let mut long = d.draft(1, d.diallo, &d.consultation, "2026-03-09T10:00");
    long.duration_minutes = Some(45);
    let BookOutcome::Booked(b) = appointments::book(&d.t.clinic, d.reception, &long, false).expect("book") else {
        panic!()
    };
    assert_eq!(b.local_end, at("2026-03-09T10:45"));
}

#[test]
fn one_clinician_never_has_two_overlapping_appointments() {
    let d = Desk::new();
    d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let before = d.footprint();
    for start in ["2026-03-09T09:00", "2026-03-09T08:50", "2026-03-09T09:10"] {
        let draft = d.draft(1, d.diallo, &d.procedure, start);
        if start == "2026-03-09T08:50" {
            // 08:50 is outside hours as well; the overlap is still listed among the reasons.
            let e = appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("refused");
            assert_eq!(e.field.as_deref(), Some("start"));
            continue;
        }
        let e = appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("overlap refused");
        assert_eq!(e.code, ErrorCode::Conflict, "{start}");
        assert_eq!(e.field.as_deref(), Some("start"));
        assert_eq!(
            e.message,
            "Awa Diallo already has an appointment from 09:00 to 09:15. Choose another time or another clinician."
        );
    }
    assert_eq!(d.footprint(), before, "a refusal changes nothing");
    // Back to back is fine, and another clinician at the same time is fine.
    d.book(1, d.diallo, &d.consultation, "2026-03-09T09:15");
    d.book(2, d.okafor, &d.consultation, "2026-03-09T09:00");
}

#[test]
fn one_patient_is_never_with_two_clinicians_at_once() {
    let d = Desk::new();
    d.book(0, d.diallo, &d.procedure, "2026-03-09T10:00");
    let draft = d.draft(0, d.okafor, &d.consultation, "2026-03-09T10:15");
    let e = appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("patient busy");
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(
        e.message,
        "This patient already has an appointment from 10:00 to 10:30 with Awa Diallo. Choose another time."
    );
    d.book(0, d.okafor, &d.consultation, "2026-03-09T10:30");
}

#[test]
fn bookings_stay_inside_working_hours_and_out_of_breaks() {
    let d = Desk::new();
    let refused = |start: &str, kind| {
        let e =
            appointments::book(&d.t.clinic, d.reception, &d.draft(0, d.diallo, kind, start), false).expect_err(start);
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Validation, Some("start")), "{start}");
        e.message
    };
    assert_eq!(
        refused("2026-03-09T12:50", &d.procedure),
        "Awa Diallo does not work at 12:50\u{2013}13:20 on Monday 9 March 2026 (working hours that day: \
         09:00\u{2013}13:00, 14:00\u{2013}17:00). Choose a time within them."
    );
    refused("2026-03-09T08:45", &d.consultation);
    refused("2026-03-09T16:50", &d.consultation);
    assert_eq!(
        refused("2026-03-14T10:00", &d.consultation),
        "Awa Diallo does not work on Saturday 14 March 2026. Choose another day or another clinician."
    );
    d.book(0, d.diallo, &d.consultation, "2026-03-09T12:45");
    d.book(1, d.diallo, &d.consultation, "2026-03-09T14:00");

    // An explicit break inside a working period.
    let mut periods = office_hours();
    periods.push(WorkingPeriod { weekday: 2, start: time("10:30"), end: time("11:00"), kind: PeriodKind::Break });
    availability::set_weekly_template(&d.t.clinic, d.t.admin, d.diallo, &periods).expect("template");
    refused("2026-03-10T10:45", &d.consultation);
    refused("2026-03-10T10:20", &d.consultation);
    d.book(0, d.diallo, &d.consultation, "2026-03-10T10:15");
    d.book(0, d.diallo, &d.consultation, "2026-03-10T11:00");

    // An extra session opens a Saturday morning.
    availability::add_extra_session(
        &d.t.clinic,
        d.t.admin,
        d.diallo,
        at("2026-03-14T09:00"),
        at("2026-03-14T12:00"),
        "",
    )
    .expect("extra");
    d.book(2, d.diallo, &d.consultation, "2026-03-14T09:30");
}

#[test]
fn requested_leave_does_not_block_but_approved_leave_does_and_cancels_nothing() {
    let d = Desk::new();
    let booked = d.book(0, d.diallo, &d.consultation, "2026-03-17T09:00");
    let draft =
        LeaveDraft::whole_days(d.diallo, jiff::civil::date(2026, 3, 16), jiff::civil::date(2026, 3, 18), "conference");
    let requested = leave::request_leave(&d.t.clinic, d.diallo_session, &draft).expect("request own leave");
    assert_eq!(requested.status, LeaveStatus::Requested);
    d.book(1, d.diallo, &d.consultation, "2026-03-17T10:00");

    let preview = leave::affected_by_leave(&d.t.clinic, d.reception, requested.id).expect("preview");
    assert_eq!(preview.len(), 2);
    let approval = leave::approve_leave(&d.t.clinic, d.t.admin, requested.id, "ok").expect("approve");
    assert_eq!(approval.leave.status, LeaveStatus::Approved);
    let mut affected: Vec<_> = approval.affected.iter().map(|a| (a.patient_name.clone(), a.local_start)).collect();
    affected.sort();
    assert_eq!(
        affected,
        vec![
            ("Testpatient, Ama".to_owned(), at("2026-03-17T09:00")),
            ("Testpatient, Bruno".to_owned(), at("2026-03-17T10:00"))
        ]
    );
    let still = appointments::get(&d.t.clinic, d.reception, booked.id).expect("get");
    assert_eq!(still.status, AppointmentStatus::Booked, "approval cancels nothing by itself");
    assert_eq!(d.audit("leave_decision").last().expect("audited").4, "approved; 2 appointments affected");

    let e =
        appointments::book(&d.t.clinic, d.reception, &d.draft(2, d.diallo, &d.consultation, "2026-03-16T11:00"), false)
            .expect_err("on leave");
    assert_eq!(e.field.as_deref(), Some("start"));
    assert_eq!(
        e.message,
        "Awa Diallo is on leave from Monday 16 March 2026 00:00 to Thursday 19 March 2026 00:00. \
         Choose another date or another clinician."
    );
    // The helpers: move one to another clinician, cancel the other with notice.
    let moved = appointments::reschedule(
        &d.t.clinic,
        d.reception,
        booked.id,
        &RescheduleDraft { start: at("2026-03-17T09:00"), clinician_id: Some(d.okafor), duration_minutes: None },
        false,
    )
    .expect("move");
    assert!(
        matches!(moved, RescheduleOutcome::Rescheduled { ref appointment, .. } if appointment.clinician_id == d.okafor)
    );
    let other = &approval.affected.iter().find(|a| a.appointment_id != booked.id).expect("other").appointment_id;
    appointments::cancel(&d.t.clinic, d.reception, *other, "Dr Diallo on leave; patient informed by phone")
        .expect("cancel");
    assert!(leave::affected_by_leave(&d.t.clinic, d.reception, requested.id).expect("after").is_empty());
}

#[test]
fn only_administrators_decide_leave_and_clinicians_ask_only_for_themselves() {
    let d = Desk::new();
    let mine = LeaveDraft::whole_days(d.diallo, jiff::civil::date(2026, 4, 1), jiff::civil::date(2026, 4, 2), "");
    let request = leave::request_leave(&d.t.clinic, d.diallo_session, &mine).expect("own leave");
    let theirs = LeaveDraft::whole_days(d.okafor, jiff::civil::date(2026, 4, 1), jiff::civil::date(2026, 4, 2), "");
    let e = leave::request_leave(&d.t.clinic, d.diallo_session, &theirs).expect_err("not for others");
    assert_eq!(e.code, ErrorCode::Forbidden);
    leave::request_leave(&d.t.clinic, d.t.admin, &theirs).expect("an administrator asks for anyone");
    let e = leave::request_leave(&d.t.clinic, d.reception, &mine).expect_err("reception");
    assert_eq!(e.code, ErrorCode::Forbidden);
    for session in [d.diallo_session, d.reception] {
        let e = leave::approve_leave(&d.t.clinic, session, request.id, "").expect_err("not an administrator");
        assert_eq!(e.code, ErrorCode::Forbidden);
    }
    let rejected = leave::reject_leave(&d.t.clinic, d.t.admin, request.id, "short-staffed").expect("reject");
    assert_eq!(rejected.status, LeaveStatus::Rejected);
    assert_eq!(
        leave::approve_leave(&d.t.clinic, d.t.admin, request.id, "").expect_err("decided").code,
        ErrorCode::Conflict
    );
    let listed = leave::list_leave(&d.t.clinic, d.reception, Some(LeaveStatus::Requested), None).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].clinician_name, "Bea Okafor");
}

#[test]
fn closures_block_the_whole_day_and_list_what_they_touch() {
    let d = Desk::new();
    let booked = d.book(0, d.okafor, &d.consultation, "2026-04-06T14:00");
    let added = availability::add_closure(&d.t.clinic, d.t.admin, jiff::civil::date(2026, 4, 6), "Easter Monday")
        .expect("closure");
    assert_eq!(added.affected.len(), 1);
    assert_eq!(added.affected[0].appointment_id, booked.id);
    let e =
        appointments::book(&d.t.clinic, d.reception, &d.draft(1, d.diallo, &d.consultation, "2026-04-06T09:00"), false)
            .expect_err("closed");
    assert_eq!(e.message, "The clinic is closed on Monday 6 April 2026 (Easter Monday). Choose another date.");
    let e =
        availability::add_closure(&d.t.clinic, d.t.admin, jiff::civil::date(2026, 4, 6), "again").expect_err("twice");
    assert_eq!(e.field.as_deref(), Some("day"));
    availability::remove_closure(&d.t.clinic, d.t.admin, added.closure.id).expect("reopen");
    d.book(1, d.diallo, &d.consultation, "2026-04-06T09:00");
}

#[test]
fn overbooking_is_refused_unless_the_policy_allows_it_and_someone_confirms() {
    let d = Desk::new();
    d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let clash = d.draft(1, d.diallo, &d.consultation, "2026-03-09T09:00");
    assert_eq!(
        appointments::book(&d.t.clinic, d.reception, &clash, true).expect_err("policy off").code,
        ErrorCode::Conflict
    );

    allow_overbooking(&d);
    let before = d.footprint();
    let BookOutcome::NeedsConfirmation(clashes) =
        appointments::book(&d.t.clinic, d.reception, &clash, false).expect("ask")
    else {
        panic!("must ask first");
    };
    assert_eq!(clashes.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![ClashKind::ClinicianOverlap]);
    assert_eq!(d.footprint(), before, "asking writes nothing");
    let BookOutcome::Booked(over) = appointments::book(&d.t.clinic, d.reception, &clash, true).expect("confirmed")
    else {
        panic!("confirmed");
    };
    assert!(over.overbooked);
    assert_eq!(d.audit("appointment_book").last().expect("audit").4, "overbooked: clinician_overlap");
    assert_eq!(d.last_outbox().2["overbooked"], true);

    // Several reasons at once (outside hours and the patient elsewhere) are all listed.
    let late = d.draft(1, d.okafor, &d.consultation, "2026-03-09T08:55");
    let BookOutcome::NeedsConfirmation(clashes) =
        appointments::book(&d.t.clinic, d.reception, &late, false).expect("ask")
    else {
        panic!()
    };
    assert_eq!(
        clashes.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec![ClashKind::OutsideWorkingHours, ClashKind::PatientOverlap]
    );
}

#[test]
fn bad_input_is_refused_on_the_right_field() {
    let mut d = Desk::new();
    let refused = |d: &Desk, draft| appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("refused");
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.patient_id = uuid::Uuid::nil();
    assert_eq!(refused(&d, draft).field.as_deref(), Some("patient_id"));
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.clinician_id = d.t.clinic.touch(d.reception).expect("me").staff_id;
    assert_eq!(refused(&d, draft).field.as_deref(), Some("clinician_id"), "a receptionist is not bookable");
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.type_id = uuid::Uuid::nil();
    assert_eq!(refused(&d, draft).field.as_deref(), Some("type_id"));
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.duration_minutes = Some(1);
    assert_eq!(refused(&d, draft).field.as_deref(), Some("duration_minutes"));
    let mut draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    draft.special_needs.interpreter_language = Some("French please".into());
    assert_eq!(refused(&d, draft).field.as_deref(), Some("interpreter_language"));
    d.jump_to("2026-03-09T09:30:00Z");
    let e = refused(&d, d.draft(0, d.diallo, &d.consultation, "2026-03-09T10:00"));
    assert_eq!(e.message, "This time has already passed. Choose a time from now on.");
}

#[test]
fn moving_frees_the_old_time_and_keeps_the_rules() {
    let d = Desk::new();
    let a = d.book(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    d.book(1, d.diallo, &d.consultation, "2026-03-09T10:00");
    let to = |start: &str| RescheduleDraft { start: at(start), clinician_id: None, duration_minutes: None };
    let e =
        appointments::reschedule(&d.t.clinic, d.reception, a.id, &to("2026-03-09T10:00"), false).expect_err("taken");
    assert_eq!(e.code, ErrorCode::Conflict);
    // Moving within its own time does not clash with itself.
    let RescheduleOutcome::Rescheduled { appointment, .. } =
        appointments::reschedule(&d.t.clinic, d.reception, a.id, &to("2026-03-09T09:05"), false).expect("nudge")
    else {
        panic!()
    };
    assert_eq!((appointment.local_start, appointment.row_version), (at("2026-03-09T09:05"), 2));
    let (name, _, args, base) = d.last_outbox();
    assert_eq!((name.as_str(), base), ("appointment.reschedule", Some(1)));
    assert_eq!(args["starts_at"], "2026-03-09T08:05:00Z");
    d.book(2, d.diallo, &d.consultation, "2026-03-09T09:20");
    appointments::cancel(&d.t.clinic, d.reception, a.id, "patient asked").expect("cancel");
    let e = appointments::reschedule(&d.t.clinic, d.reception, a.id, &to("2026-03-09T11:00"), false)
        .expect_err("cancelled");
    assert_eq!(e.code, ErrorCode::Conflict);
}

#[test]
fn reception_books_but_billing_cannot_and_admin_manages_types() {
    let d = Desk::new();
    let billing = d.t.sign_in_as(clinic_core::rbac::Role::BillingClerk);
    let draft = d.draft(0, d.diallo, &d.consultation, "2026-03-09T09:00");
    let before = d.footprint();
    assert_eq!(
        appointments::book(&d.t.clinic, billing, &draft, false).expect_err("billing").code,
        ErrorCode::Forbidden
    );
    assert_eq!(d.footprint(), before);
    assert_eq!(d.audit("access_denied").last().expect("refusal audited").4, "AppointmentWrite");
    let BookOutcome::Booked(_) =
        appointments::book(&d.t.clinic, d.diallo_session, &draft, false).expect("doctor books")
    else {
        panic!()
    };
    let new_type = clinic_core::scheduling::types::AppointmentTypeDraft {
        name: "Vaccination".into(),
        duration_minutes: 10,
        colour: "#00AA00".into(),
        price_minor: 2500,
        telemedicine: false,
    };
    let e = clinic_core::scheduling::types::create_type(&d.t.clinic, d.reception, &new_type).expect_err("reception");
    assert_eq!(e.code, ErrorCode::Forbidden);
    let made = clinic_core::scheduling::types::create_type(&d.t.clinic, d.t.admin, &new_type).expect("admin");
    assert_eq!((made.colour.as_str(), made.currency.as_str(), made.price_minor), ("#00aa00", "EUR", 2500));
    let e = clinic_core::scheduling::types::create_type(&d.t.clinic, d.t.admin, &new_type).expect_err("same name");
    assert_eq!(e.field.as_deref(), Some("name"));
    let off = clinic_core::scheduling::types::set_type_active(&d.t.clinic, d.t.admin, made.id, false).expect("off");
    let mut draft = d.draft(1, d.diallo, &d.consultation, "2026-03-09T11:00");
    draft.type_id = off.id;
    assert_eq!(
        appointments::book(&d.t.clinic, d.reception, &draft, false).expect_err("inactive").field.as_deref(),
        Some("type_id")
    );
}
