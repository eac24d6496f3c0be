//! Scheduling through the real server: a joining desk rebuilds the first desk's schedule exactly (types,
//! templates, profiles, policy, extra sessions, closures, leave, appointments, waitlist); two offline desks
//! booking one slot keep both appointments and every desk sees one `double_booking` item, resolved everywhere
//! once resolved on one desk; status moves made on two desks settle by the forward-only rule (ADR 11).

use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::rbac::Role;
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::clinicians::{self, ClinicianProfile};
use clinic_core::scheduling::leave::{self, LeaveDraft};
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::waitlist::{self, WaitlistDraft};
use clinic_core::scheduling::{
    Appointment, AppointmentStatus, AppointmentType, BookOutcome, BookingDraft, RescheduleDraft, RescheduleOutcome,
    SpecialNeeds, TimeOfDay, appointments, types,
};
use clinic_core::sync::{self, ReviewDecision, ReviewItemKind, ReviewItemStatus, ReviewItemView};
use clinic_sync_tests::{Desk, TestServer, person};
use uuid::Uuid;

const STAFF_PASSWORD: &str = "staff pass phrase 1";
/// What the administrator gives a new account; its owner replaces it with [`STAFF_PASSWORD`] at first sign-in.
const TEMPORARY_PASSWORD: &str = "temporary pass phrase 1";

/// A clinic scheduling on its first desk: a doctor with a profile and office hours, the starter types, a
/// receptionist and two patients, all synced.
struct Clinic {
    server: TestServer,
    d1: Desk,
    doctor: Uuid,
    consultation: AppointmentType,
    patients: [Uuid; 2],
}

/// An account made by the administrator, whose owner signs in once and chooses [`STAFF_PASSWORD`] (the change
/// syncs like the account, so the password works on every desk).
fn staff(desk: &Desk, username: &str, role: Role) -> Uuid {
    let new = NewStaff {
        username: username.into(),
        display_name: username.to_uppercase(),
        role,
        password: TEMPORARY_PASSWORD.into(),
    };
    let id = accounts::create_staff(desk.clinic(), desk.admin, &new).expect("staff").id;
    let first = desk.sign_in(username, TEMPORARY_PASSWORD);
    accounts::change_own_password(desk.clinic(), first, TEMPORARY_PASSWORD, STAFF_PASSWORD).expect("own password");
    id
}

fn office_hours() -> Vec<WorkingPeriod> {
    (1..=5)
        .map(|weekday| WorkingPeriod {
            weekday,
            start: "08:00".parse().expect("time"),
            end: "18:00".parse().expect("time"),
            kind: PeriodKind::Work,
        })
        .collect()
}

fn clinic(allow_overbooking: bool) -> Clinic {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let doctor = staff(&d1, "drdiallo", Role::Doctor);
    staff(&d1, "rita", Role::Receptionist);
    let profile =
        ClinicianProfile { specialty: "General practice".into(), languages: vec!["fr".into()], slot_minutes: 15 };
    clinicians::set_clinician_profile(d1.clinic(), d1.admin, doctor, &profile).expect("profile");
    availability::set_weekly_template(d1.clinic(), d1.admin, doctor, &office_hours()).expect("template");
    let policy = SchedulingPolicy {
        allow_overbooking,
        calendar_patient_names: true,
        telemedicine_base_url: "https://meet.example.org/riverside".into(),
    };
    policy::update_policy(d1.clinic(), d1.admin, &policy).expect("policy");
    let starters = types::create_starter_types(d1.clinic(), d1.admin).expect("types");
    let consultation = starters.into_iter().find(|t| t.name == "Consultation").expect("consultation");
    let patients = [
        d1.register(&person("Amina", "Diallo", (1984, 6, 1))).id,
        d1.register(&person("Bruno", "Keller", (1971, 2, 9))).id,
    ];
    d1.sync();
    Clinic { server, d1, doctor, consultation, patients }
}

impl Clinic {
    fn draft(&self, patient: usize, start: &str) -> BookingDraft {
        BookingDraft {
            patient_id: self.patients[patient],
            clinician_id: self.doctor,
            type_id: self.consultation.id,
            start: start.parse().expect("local start"),
            duration_minutes: None,
            special_needs: SpecialNeeds::default(),
        }
    }
}

fn reception(desk: &Desk) -> SessionId {
    desk.sign_in("rita", STAFF_PASSWORD)
}

fn book(desk: &Desk, draft: &BookingDraft, confirm: bool) -> Appointment {
    match appointments::book(desk.clinic(), reception(desk), draft, confirm).expect("book") {
        BookOutcome::Booked(a) => a,
        other => panic!("booking on desk {} was not made: {other:?}", desk.code),
    }
}

fn appointment(desk: &Desk, id: Uuid) -> Appointment {
    appointments::get(desk.clinic(), reception(desk), id).expect("appointment")
}

/// Syncs until every desk has sent and received everything.
fn settle(desks: &[&Desk]) {
    for _ in 0..2 {
        for desk in desks {
            desk.sync();
        }
    }
}

fn items(desk: &Desk, kind: ReviewItemKind) -> Vec<ReviewItemView> {
    desk.review_items(true).into_iter().filter(|i| i.kind == kind).collect()
}

/// Both desks hold the same scheduling rows, and nothing is waiting, refused or parked.
fn assert_same_schedule(desks: &[&Desk], context: &str) {
    let reference = desks[0].schedule_rows();
    for desk in desks {
        desk.assert_healthy(context);
        assert_eq!(desk.schedule_rows(), reference, "{context}: desk {} holds another schedule", desk.code);
    }
}

#[test]
fn a_joining_desk_rebuilds_the_whole_schedule_exactly() {
    let c = clinic(false);
    let d1 = &c.d1;
    let extra_start = "2026-03-07T09:00".parse().expect("local");
    let extra_end = "2026-03-07T12:00".parse().expect("local");
    availability::add_extra_session(d1.clinic(), d1.admin, c.doctor, extra_start, extra_end, "Saturday clinic")
        .expect("extra session");
    let closure = availability::add_closure(d1.clinic(), d1.admin, jiff::civil::date(2026, 4, 6), "Easter Monday")
        .expect("closure")
        .closure;
    let gone =
        availability::add_closure(d1.clinic(), d1.admin, jiff::civil::date(2026, 5, 1), "Labour day").expect("closure");
    availability::remove_closure(d1.clinic(), d1.admin, gone.closure.id).expect("reopen");
    let draft =
        LeaveDraft::whole_days(c.doctor, jiff::civil::date(2026, 3, 23), jiff::civil::date(2026, 3, 27), "Course");
    let asked = leave::request_leave(d1.clinic(), d1.admin, &draft).expect("leave");
    leave::approve_leave(d1.clinic(), d1.admin, asked.id, "Covered").expect("approve");
    let mut needs = c.draft(0, "2026-03-03T10:00");
    needs.special_needs.accessibility = "wheelchair".into();
    let booked = book(d1, &needs, false);
    let moved = appointments::reschedule(
        d1.clinic(),
        reception(d1),
        booked.id,
        &RescheduleDraft {
            start: "2026-03-03T11:00".parse().expect("local"),
            clinician_id: None,
            duration_minutes: None,
        },
        false,
    )
    .expect("reschedule");
    assert!(matches!(moved, RescheduleOutcome::Rescheduled { .. }), "{moved:?}");
    let other = book(d1, &c.draft(1, "2026-03-04T09:00"), false);
    appointments::cancel(d1.clinic(), reception(d1), other.id, "Patient called").expect("cancel");
    let wait = WaitlistDraft {
        patient_id: c.patients[1],
        clinician_id: Some(c.doctor),
        type_id: c.consultation.id,
        from_date: jiff::civil::date(2026, 3, 2),
        to_date: jiff::civil::date(2026, 3, 20),
        time_of_day: TimeOfDay::Morning,
        notes: "any cancellation".into(),
    };
    let entry = waitlist::add_to_waitlist(d1.clinic(), reception(d1), &wait).expect("waitlist");
    waitlist::skip_offer(d1.clinic(), reception(d1), entry.id).expect("skip");
    d1.sync();

    let d2 = Desk::join(&c.server, "D02");
    d1.sync();
    assert_same_schedule(&[d1, &d2], "joined");
    for table in clinic_sync_tests::desk::SCHEDULING_TABLES {
        assert!(!d2.schedule_rows()[table].is_empty(), "the joining desk received {table}");
    }
    let there = appointment(&d2, booked.id);
    assert_eq!(there, appointment(d1, booked.id), "the same appointment, as core reads it, on both desks");
    assert_eq!(
        (there.local_start.to_string().as_str(), there.special_needs.accessibility.as_str()),
        ("2026-03-03T11:00:00", "wheelchair")
    );
    assert_eq!(appointment(&d2, other.id).status, AppointmentStatus::Cancelled);
    let closures = availability::list_closures(
        d2.clinic(),
        d2.admin,
        jiff::civil::date(2026, 1, 1),
        jiff::civil::date(2026, 12, 31),
    )
    .expect("closures");
    assert_eq!(closures.iter().map(|c| c.id).collect::<Vec<_>>(), vec![closure.id], "the reopened day is gone");
    assert!(policy::policy(d2.clinic(), d2.admin).expect("policy").calendar_patient_names);

    // What the server's calendar feed reads.
    let stored = &c.server.records("appointment")[&booked.id].data;
    assert_eq!(stored["patient_id"], c.patients[0].to_string());
    assert_eq!(stored["clinician_id"], c.doctor.to_string());
    assert_eq!(stored["type_id"], c.consultation.id.to_string());
    assert_eq!(
        (stored["starts_at"].as_str(), stored["ends_at"].as_str()),
        (Some("2026-03-03T10:00:00Z"), Some("2026-03-03T10:15:00Z"))
    );
    assert_eq!((stored["status"].as_str(), &stored["meeting_link"]), (Some("booked"), &serde_json::Value::Null));
    assert_eq!(c.server.records("appointment")[&other.id].data["status"], "cancelled");
    assert_eq!(c.server.records("appointment_type")[&c.consultation.id].data["name"], "Consultation");
    let policies = c.server.records("scheduling_policy");
    assert_eq!(
        policies.values().map(|p| p.data["calendar_patient_names"].clone()).collect::<Vec<_>>(),
        vec![serde_json::json!(true)]
    );
}

#[test]
fn two_offline_desks_booking_one_slot_keep_both_and_one_resolution_closes_it_everywhere() {
    let c = clinic(true);
    let d1 = &c.d1;
    let d2 = Desk::join(&c.server, "D02");
    // Offline from each other: each desk sees a free slot.
    let first = book(d1, &c.draft(0, "2026-03-05T09:00"), false);
    let second = book(&d2, &c.draft(1, "2026-03-05T09:00"), false);
    assert!(!first.overbooked && !second.overbooked);
    settle(&[d1, &d2]);

    for desk in [d1, &d2] {
        assert_eq!(appointment(desk, first.id).status, AppointmentStatus::Booked, "desk {}", desk.code);
        assert_eq!(appointment(desk, second.id).status, AppointmentStatus::Booked, "desk {}", desk.code);
        let found = items(desk, ReviewItemKind::DoubleBooking);
        assert_eq!(found.len(), 1, "one double booking on desk {}: {found:?}", desk.code);
        let mut named: Vec<Uuid> = found[0].records.iter().map(|r| r.id).collect();
        named.sort();
        let mut both = vec![first.id, second.id];
        both.sort();
        assert_eq!((named, found[0].status, found[0].entity.as_str()), (both, ReviewItemStatus::Open, "appointment"));
    }
    assert_same_schedule(&[d1, &d2], "after the double booking");

    // A deliberate, confirmed overbooking of the same slot is no clash to review.
    let confirmed = match appointments::book(d1.clinic(), reception(d1), &c.draft(0, "2026-03-05T09:05"), false) {
        Ok(BookOutcome::NeedsConfirmation(clashes)) => {
            assert!(!clashes.is_empty());
            book(d1, &c.draft(0, "2026-03-05T09:05"), true)
        }
        other => panic!("the clash should need a confirmation: {other:?}"),
    };
    assert!(confirmed.overbooked);
    settle(&[d1, &d2]);
    assert_eq!(items(&d2, ReviewItemKind::DoubleBooking).len(), 1, "no item for a confirmed overbooking");

    // Reception moves one appointment away and marks the item resolved on D02; D01 sees it resolved.
    let item = items(&d2, ReviewItemKind::DoubleBooking).remove(0);
    appointments::cancel(d2.clinic(), reception(&d2), second.id, "Booked twice; moved to Friday").expect("cancel");
    sync::resolve_review_item(d2.clinic(), reception(&d2), item.id, ReviewDecision::Resolved, "cancelled the second")
        .expect("resolve");
    settle(&[d1, &d2]);
    for desk in [d1, &d2] {
        let now = desk.review_items(true).into_iter().find(|i| i.id == item.id).expect("still listed");
        assert_eq!((now.status, now.resolution.as_deref()), (ReviewItemStatus::Resolved, Some("cancelled the second")));
        assert!(desk.review_items(false).is_empty(), "nothing open on desk {}", desk.code);
        assert_eq!(appointment(desk, second.id).status, AppointmentStatus::Cancelled);
    }
    assert_eq!(c.server.records("review_item")[&item.id].data["status"], "resolved");
    assert_same_schedule(&[d1, &d2], "after the resolution");
}

/// A clinic whose first desk booked two appointments (10:00 and 10:30) and synced, a second desk that joined, and
/// both desks' clocks moved past both starts (the desks start at 09:00 in Paris).
fn two_desks_after_two_starts() -> (Clinic, Desk, Appointment, Appointment) {
    let mut c = clinic(false);
    let arrived = book(&c.d1, &c.draft(0, "2026-03-02T10:00"), false);
    let done = book(&c.d1, &c.draft(1, "2026-03-02T10:30"), false);
    c.d1.sync();
    let mut d2 = Desk::join(&c.server, "D02");
    c.d1.move_clock(2 * 3600);
    d2.move_clock(2 * 3600);
    (c, d2, arrived, done)
}

#[test]
fn status_moves_from_two_desks_settle_forward_only_on_both_desks_and_the_server() {
    let (c, d2, arrived, done) = two_desks_after_two_starts();
    let d1 = &c.d1;
    let doctor = d1.sign_in("drdiallo", STAFF_PASSWORD);
    appointments::check_in(d1.clinic(), reception(d1), arrived.id).expect("arrived on D01");
    appointments::mark_no_show(d2.clinic(), reception(&d2), arrived.id).expect("no-show on D02");
    appointments::check_in(d1.clinic(), reception(d1), done.id).expect("check in");
    appointments::start_consultation(d1.clinic(), doctor, done.id).expect("start");
    appointments::complete(d1.clinic(), doctor, done.id).expect("completed on D01");
    appointments::cancel(d2.clinic(), reception(&d2), done.id, "Patient phoned").expect("cancelled on D02");
    // D02 pushes first, so the server holds the no-show and the cancellation before the moves they clash with.
    settle(&[&d2, d1]);

    let on_server = c.server.records("appointment");
    for desk in [d1, &d2] {
        let a = appointment(desk, arrived.id);
        assert_eq!((a.status, a.no_show_at), (AppointmentStatus::Arrived, None), "desk {}", desk.code);
        assert!(a.arrived_at.is_some());
        let b = appointment(desk, done.id);
        assert_eq!((b.status, b.cancelled_at, b.cancel_reason.as_deref()), (AppointmentStatus::Completed, None, None));
        let clashes = items(desk, ReviewItemKind::FieldConflict);
        let mut about: Vec<Uuid> = clashes.iter().map(|i| i.records[0].id).collect();
        about.sort();
        let mut both = vec![arrived.id, done.id];
        both.sort();
        assert_eq!(about, both, "one status clash per appointment on desk {}: {clashes:?}", desk.code);
        for item in &clashes {
            assert_eq!((item.fields[0].field.as_str(), item.status), ("status", ReviewItemStatus::Open));
        }
    }
    assert_eq!(on_server[&arrived.id].data["status"], "arrived");
    assert_eq!(on_server[&done.id].data["status"], "completed");
    assert_same_schedule(&[d1, &d2], "after the status clashes");
}

/// The other push order: the forward moves reach the server first; the late no-show and cancellation change
/// nothing but are still flagged, and everything ends as in the first order.
#[test]
fn late_terminal_moves_keep_the_progress_already_on_the_server() {
    let (c, d2, arrived, done) = two_desks_after_two_starts();
    let d1 = &c.d1;
    let doctor = d2.sign_in("drdiallo", STAFF_PASSWORD);
    appointments::mark_no_show(d1.clinic(), reception(d1), arrived.id).expect("no-show on D01");
    appointments::check_in(d2.clinic(), reception(&d2), arrived.id).expect("arrived on D02");
    appointments::cancel(d1.clinic(), reception(d1), done.id, "Patient phoned").expect("cancelled on D01");
    appointments::start_consultation(d2.clinic(), doctor, done.id).expect("start on D02");
    appointments::complete(d2.clinic(), doctor, done.id).expect("completed on D02");
    settle(&[&d2, d1]);
    for desk in [d1, &d2] {
        assert_eq!(appointment(desk, arrived.id).status, AppointmentStatus::Arrived, "desk {}", desk.code);
        assert_eq!(appointment(desk, done.id).status, AppointmentStatus::Completed, "desk {}", desk.code);
        assert_eq!(items(desk, ReviewItemKind::FieldConflict).len(), 2, "desk {}", desk.code);
    }
    let on_server = c.server.records("appointment");
    assert_eq!(
        (on_server[&arrived.id].data["status"].as_str(), on_server[&done.id].data["status"].as_str()),
        (Some("arrived"), Some("completed"))
    );
    assert_same_schedule(&[d1, &d2], "late terminal moves");
}
