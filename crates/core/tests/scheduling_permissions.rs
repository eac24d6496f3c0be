//! Every role × every scheduling operation (the scheduling part of the matrix in `permissions.rs`): allowed
//! ones work, refused ones fail with `forbidden`, change nothing, and leave an `access_denied` audit entry.

mod common;

use std::collections::BTreeMap;

use clinic_core::accounts::{self, NewStaff, SessionId};
use clinic_core::patients::{self, PatientDraft, RegisterOutcome};
use clinic_core::rbac::{Permission, Role};
use clinic_core::scheduling::availability::{self, PeriodKind, WorkingPeriod};
use clinic_core::scheduling::clinicians::{self, ClinicianProfile};
use clinic_core::scheduling::leave::{self, LeaveDraft};
use clinic_core::scheduling::policy::{self, SchedulingPolicy};
use clinic_core::scheduling::slots::{self, SlotQuery};
use clinic_core::scheduling::types::{self, AppointmentTypeDraft};
use clinic_core::scheduling::waitlist::{self, WaitlistDraft};
use clinic_core::scheduling::{
    BookOutcome, BookingDraft, Frequency, Recurrence, RescheduleDraft, TimeOfDay, appointments, ical, telemedicine,
    views,
};
use clinic_core::{CoreResult, ErrorCode};
use common::{STAFF_PASSWORD, TestClinic};
use jiff::civil::{Date, DateTime, Time, date};
use uuid::Uuid;

const READS: &[&str] = &[
    "view_appointment",
    "day_view",
    "week_view",
    "month_overview",
    "waiting_room",
    "my_day",
    "patient_appointments",
    "find_free_slots",
    "alternatives",
    "list_types",
    "list_clinicians",
    "weekly_template",
    "list_closures",
    "list_extra_sessions",
    "list_leave",
    "affected_by_leave",
    "scheduling_policy",
    "list_waitlist",
    "waitlist_offers",
    "export_calendar",
];
const WRITES: &[&str] = &[
    "book_appointment",
    "book_series",
    "reschedule",
    "cancel",
    "check_in",
    "record_consent",
    "start_recorded_session",
    "add_to_waitlist",
    "remove_from_waitlist",
    "skip_offer",
    "book_from_waitlist",
];
const MANAGE: &[&str] = &[
    "create_type",
    "update_type",
    "set_type_active",
    "create_starter_types",
    "set_clinician_profile",
    "set_weekly_template",
    "add_extra_session",
    "remove_extra_session",
    "add_closure",
    "remove_closure",
    "update_scheduling_policy",
    "approve_leave",
    "reject_leave",
];

/// The expected table, written out independently of `Role::can`.
fn expected(role: Role, op: &str) -> bool {
    let reads = READS.contains(&op);
    let writes = WRITES.contains(&op);
    let manages = MANAGE.contains(&op);
    match role {
        Role::Administrator => reads || manages || op == "request_leave",
        Role::Doctor | Role::Nurse => reads || writes || op == "request_leave",
        Role::Receptionist => reads || writes,
        Role::BillingClerk => false,
    }
}

/// Shared fixtures and what one operation acts on (made before the operation is tried).
struct Targets {
    clinician: Uuid,
    patients: [Uuid; 4],
    type_id: Uuid,
    day: Date,
    appointment: Uuid,
    telemedicine: Uuid,
    leave: Uuid,
    entry: Uuid,
    extra: Uuid,
    closure: Uuid,
}

impl Targets {
    fn at(&self, hour: i8) -> DateTime {
        self.day.to_datetime(Time::constant(hour, 0, 0, 0))
    }

    fn booking(&self, patient: usize, hour: i8) -> BookingDraft {
        BookingDraft {
            patient_id: self.patients[patient],
            clinician_id: self.clinician,
            type_id: self.type_id,
            start: self.at(hour),
            duration_minutes: None,
            special_needs: Default::default(),
        }
    }
}

type Operation = fn(&TestClinic, SessionId, &str, &Targets) -> CoreResult<()>;

fn operations() -> BTreeMap<&'static str, Operation> {
    let mut ops: BTreeMap<&'static str, Operation> = BTreeMap::new();
    ops.insert("view_appointment", |t, s, _, x| appointments::get(&t.clinic, s, x.appointment).map(drop));
    ops.insert("day_view", |t, s, _, x| views::day_view(&t.clinic, s, x.day).map(drop));
    ops.insert("week_view", |t, s, _, x| views::week_view(&t.clinic, s, x.clinician, x.day).map(drop));
    ops.insert("month_overview", |t, s, _, _| views::month_overview(&t.clinic, s, 2026, 3, None).map(drop));
    ops.insert("waiting_room", |t, s, _, _| views::waiting_room(&t.clinic, s).map(drop));
    ops.insert("my_day", |t, s, _, _| views::my_day(&t.clinic, s).map(drop));
    ops.insert("patient_appointments", |t, s, _, x| views::patient_appointments(&t.clinic, s, x.patients[0]).map(drop));
    ops.insert("find_free_slots", |t, s, _, x| {
        let q = SlotQuery {
            type_id: x.type_id,
            duration_minutes: None,
            clinician_id: None,
            specialty: None,
            language: None,
            from_date: x.day,
            to_date: x.day,
            time_of_day: TimeOfDay::Any,
            limit: 5,
        };
        slots::find_free_slots(&t.clinic, s, &q).map(drop)
    });
    ops.insert("alternatives", |t, s, _, x| slots::alternatives(&t.clinic, s, x.appointment, 3).map(drop));
    ops.insert("list_types", |t, s, _, _| types::list_types(&t.clinic, s, true).map(drop));
    ops.insert("list_clinicians", |t, s, _, _| clinicians::list_clinicians(&t.clinic, s).map(drop));
    ops.insert("weekly_template", |t, s, _, x| availability::weekly_template(&t.clinic, s, x.clinician).map(drop));
    ops.insert("list_closures", |t, s, _, x| availability::list_closures(&t.clinic, s, x.day, x.day).map(drop));
    ops.insert("list_extra_sessions", |t, s, _, x| {
        availability::list_extra_sessions(&t.clinic, s, x.clinician, x.day, x.day).map(drop)
    });
    ops.insert("list_leave", |t, s, _, _| leave::list_leave(&t.clinic, s, None, None).map(drop));
    ops.insert("affected_by_leave", |t, s, _, x| leave::affected_by_leave(&t.clinic, s, x.leave).map(drop));
    ops.insert("scheduling_policy", |t, s, _, _| policy::policy(&t.clinic, s).map(drop));
    ops.insert("list_waitlist", |t, s, _, _| waitlist::list_waitlist(&t.clinic, s).map(drop));
    ops.insert("waitlist_offers", |t, s, _, x| {
        waitlist::offers_for_slot(&t.clinic, s, x.clinician, x.at(15), x.at(16), 3).map(drop)
    });
    ops.insert("export_calendar", |t, s, _, x| {
        ical::export_calendar(&t.clinic, s, x.clinician, x.day, x.day).map(drop)
    });

    ops.insert("book_appointment", |t, s, _, x| booked(appointments::book(&t.clinic, s, &x.booking(2, 11), false)?));
    ops.insert("book_series", |t, s, _, x| {
        let daily = Recurrence { frequency: Frequency::Daily, interval: 1, count: 2 };
        match appointments::book_series(&t.clinic, s, &x.booking(2, 13), &daily, false)? {
            clinic_core::scheduling::SeriesOutcome::Booked(_) => Ok(()),
            other => panic!("series clashes: {other:?}"),
        }
    });
    ops.insert("reschedule", |t, s, _, x| {
        let to = RescheduleDraft { start: x.at(12), clinician_id: None, duration_minutes: None };
        appointments::reschedule(&t.clinic, s, x.appointment, &to, false).map(drop)
    });
    ops.insert("cancel", |t, s, _, x| appointments::cancel(&t.clinic, s, x.appointment, "patient called").map(drop));
    ops.insert("check_in", |t, s, _, x| appointments::check_in(&t.clinic, s, x.appointment).map(drop));
    ops.insert("record_consent", |t, s, _, x| {
        telemedicine::set_recording_consent(&t.clinic, s, x.telemedicine, false).map(drop)
    });
    ops.insert("start_recorded_session", |t, s, _, x| {
        telemedicine::start_recorded_session(&t.clinic, s, x.telemedicine).map(drop)
    });
    ops.insert("add_to_waitlist", |t, s, _, x| {
        let draft = WaitlistDraft {
            patient_id: x.patients[2],
            clinician_id: None,
            type_id: x.type_id,
            from_date: x.day,
            to_date: x.day,
            time_of_day: TimeOfDay::Any,
            notes: String::new(),
        };
        waitlist::add_to_waitlist(&t.clinic, s, &draft).map(drop)
    });
    ops.insert("remove_from_waitlist", |t, s, _, x| waitlist::remove_from_waitlist(&t.clinic, s, x.entry).map(drop));
    ops.insert("skip_offer", |t, s, _, x| waitlist::skip_offer(&t.clinic, s, x.entry).map(drop));
    ops.insert("book_from_waitlist", |t, s, _, x| {
        booked(waitlist::book_from_waitlist(&t.clinic, s, x.entry, x.clinician, x.at(14), false)?)
    });

    ops.insert("create_type", |t, s, tag, _| types::create_type(&t.clinic, s, &type_draft(tag)).map(drop));
    ops.insert("update_type", |t, s, tag, x| {
        let current = types::list_types(&t.clinic, t.admin, true)?.into_iter().find(|k| k.id == x.type_id);
        let version = current.map_or(1, |k| k.row_version);
        let mut draft = type_draft("Consultation");
        draft.colour = if tag.len() % 2 == 0 { "#123456".into() } else { "#654321".into() };
        types::update_type(&t.clinic, s, x.type_id, version, &draft).map(drop)
    });
    ops.insert("set_type_active", |t, s, _, x| {
        types::set_type_active(&t.clinic, s, x.type_id, false)?;
        types::set_type_active(&t.clinic, s, x.type_id, true).map(drop)
    });
    ops.insert("create_starter_types", |t, s, _, _| types::create_starter_types(&t.clinic, s).map(drop));
    ops.insert("set_clinician_profile", |t, s, tag, x| {
        let profile = ClinicianProfile { specialty: tag.into(), languages: vec!["en".into()], slot_minutes: 15 };
        clinicians::set_clinician_profile(&t.clinic, s, x.clinician, &profile).map(drop)
    });
    ops.insert("set_weekly_template", |t, s, _, x| {
        availability::set_weekly_template(&t.clinic, s, x.clinician, &every_day()).map(drop)
    });
    ops.insert("add_extra_session", |t, s, _, x| {
        availability::add_extra_session(&t.clinic, s, x.clinician, x.at(20), x.at(21), "").map(drop)
    });
    ops.insert("remove_extra_session", |t, s, _, x| availability::remove_extra_session(&t.clinic, s, x.extra));
    ops.insert("add_closure", |t, s, _, x| {
        let day = x.day.checked_add(jiff::Span::new().years(3)).expect("day");
        availability::add_closure(&t.clinic, s, day, "Holiday").map(drop)
    });
    ops.insert("remove_closure", |t, s, _, x| availability::remove_closure(&t.clinic, s, x.closure));
    ops.insert("update_scheduling_policy", |t, s, tag, _| {
        let p = SchedulingPolicy {
            allow_overbooking: tag.len() % 2 == 0,
            calendar_patient_names: false,
            telemedicine_base_url: "https://meet.example.org".into(),
        };
        policy::update_policy(&t.clinic, s, &p).map(drop)
    });
    ops.insert("approve_leave", |t, s, _, x| leave::approve_leave(&t.clinic, s, x.leave, "").map(drop));
    ops.insert("reject_leave", |t, s, _, x| leave::reject_leave(&t.clinic, s, x.leave, "").map(drop));
    ops.insert("request_leave", |t, s, _, x| {
        let me = t.clinic.touch(s)?;
        let who = if matches!(me.role, Role::Doctor | Role::Nurse) { me.staff_id } else { x.clinician };
        let draft = LeaveDraft { clinician_id: who, start: x.at(22), end: x.at(23), reason: String::new() };
        leave::request_leave(&t.clinic, s, &draft).map(drop)
    });
    ops
}

fn booked(outcome: BookOutcome) -> CoreResult<()> {
    match outcome {
        BookOutcome::Booked(_) => Ok(()),
        BookOutcome::NeedsConfirmation(c) => panic!("unexpected clash: {c:?}"),
    }
}

fn type_draft(name: &str) -> AppointmentTypeDraft {
    AppointmentTypeDraft {
        name: name.into(),
        duration_minutes: 15,
        colour: "#2f80ed".into(),
        price_minor: 0,
        telemedicine: false,
    }
}

/// Every day 06:00–23:30, so each operation gets its own day.
fn every_day() -> Vec<WorkingPeriod> {
    (1..=7)
        .map(|weekday| WorkingPeriod {
            weekday,
            start: Time::constant(6, 0, 0, 0),
            end: Time::constant(23, 30, 0, 0),
            kind: PeriodKind::Work,
        })
        .collect()
}

struct Fixtures {
    clinician: Uuid,
    patients: [Uuid; 4],
    type_id: Uuid,
    telemedicine_type: Uuid,
    desk: SessionId,
}

fn fixtures(t: &TestClinic) -> Fixtures {
    let new = NewStaff {
        username: "sam.shared".into(),
        display_name: "Sam Shared".into(),
        role: Role::Doctor,
        password: STAFF_PASSWORD.into(),
    };
    let clinician = accounts::create_staff(&t.clinic, t.admin, &new).expect("clinician").id;
    availability::set_weekly_template(&t.clinic, t.admin, clinician, &every_day()).expect("template");
    let starters = types::create_starter_types(&t.clinic, t.admin).expect("types");
    let p = SchedulingPolicy { telemedicine_base_url: "https://meet.example.org".into(), ..Default::default() };
    policy::update_policy(&t.clinic, t.admin, &p).expect("policy");
    let patient = |given: &str| {
        let draft = PatientDraft { given_name: given.into(), family_name: "Matrix".into(), ..Default::default() };
        match patients::register(&t.clinic, t.admin, &draft, true).expect("patient") {
            RegisterOutcome::Registered(p) => p.id,
            RegisterOutcome::PossibleDuplicates(_) => panic!("confirmed"),
        }
    };
    Fixtures {
        clinician,
        patients: [patient("Ann"), patient("Ben"), patient("Cat"), patient("Dan")],
        type_id: starters[0].id,
        telemedicine_type: starters.iter().find(|s| s.telemedicine).expect("telemedicine").id,
        desk: t.sign_in_as(Role::Receptionist),
    }
}

fn targets(t: &TestClinic, f: &Fixtures, day: Date) -> Targets {
    let mut x = Targets {
        clinician: f.clinician,
        patients: f.patients,
        type_id: f.type_id,
        day,
        appointment: Uuid::nil(),
        telemedicine: Uuid::nil(),
        leave: Uuid::nil(),
        entry: Uuid::nil(),
        extra: Uuid::nil(),
        closure: Uuid::nil(),
    };
    let book = |draft: &BookingDraft| match appointments::book(&t.clinic, f.desk, draft, false).expect("target") {
        BookOutcome::Booked(a) => a.id,
        BookOutcome::NeedsConfirmation(c) => panic!("target clashes: {c:?}"),
    };
    x.appointment = book(&x.booking(0, 9));
    x.telemedicine = book(&BookingDraft { type_id: f.telemedicine_type, ..x.booking(1, 10) });
    telemedicine::set_recording_consent(&t.clinic, f.desk, x.telemedicine, true).expect("consent");
    let leave_draft = LeaveDraft { clinician_id: f.clinician, start: x.at(18), end: x.at(19), reason: String::new() };
    x.leave = leave::request_leave(&t.clinic, t.admin, &leave_draft).expect("leave").id;
    let entry = WaitlistDraft {
        patient_id: f.patients[3],
        clinician_id: None,
        type_id: f.type_id,
        from_date: day,
        to_date: day,
        time_of_day: TimeOfDay::Any,
        notes: String::new(),
    };
    x.entry = waitlist::add_to_waitlist(&t.clinic, f.desk, &entry).expect("entry").id;
    x.extra = availability::add_extra_session(&t.clinic, t.admin, f.clinician, x.at(6), x.at(7), "").expect("extra").id;
    let closure_day = day.checked_add(jiff::Span::new().years(2)).expect("day");
    x.closure = availability::add_closure(&t.clinic, t.admin, closure_day, "Holiday").expect("closure").closure.id;
    x
}

/// Rows and versions a refused operation could have touched.
fn footprint(t: &TestClinic) -> Vec<i64> {
    let tables = [
        "appointments",
        "appointment_types",
        "clinician_profiles",
        "working_templates",
        "extra_sessions",
        "leave_requests",
        "clinic_closures",
        "waitlist_entries",
        "scheduling_policy",
    ];
    t.clinic
        .with_connection_for_tests(|c| {
            let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
            let mut all: Vec<i64> = tables
                .iter()
                .map(|table| n(&["SELECT count(*) * 1000 + coalesce(sum(row_version), 0) FROM ", table].concat()))
                .collect();
            all.push(n("SELECT count(*) FROM outbox"));
            all
        })
        .expect("conn")
}

fn denied(t: &TestClinic) -> i64 {
    t.clinic
        .with_connection_for_tests(|c| {
            c.query_row("SELECT count(*) FROM audit_log WHERE action = 'access_denied'", [], |r| r.get(0)).expect("n")
        })
        .expect("conn")
}

#[test]
fn the_scheduling_permissions_are_what_each_role_is_meant_to_have() {
    for role in Role::ALL {
        let admin = role == Role::Administrator;
        assert_eq!(role.can(Permission::ScheduleManage), admin, "{role:?}");
        assert_eq!(role.can(Permission::LeaveApprove), admin, "{role:?}: only administrators approve leave");
        assert_eq!(
            role.can(Permission::LeaveRequest),
            matches!(role, Role::Administrator | Role::Doctor | Role::Nurse)
        );
        assert_eq!(role.can(Permission::AppointmentRead), role != Role::BillingClerk, "{role:?}");
    }
    assert!(
        Role::Receptionist.can(Permission::AppointmentWrite) && !Role::BillingClerk.can(Permission::AppointmentWrite)
    );
}

#[test]
fn every_role_and_every_scheduling_operation() {
    let t = TestClinic::new();
    let f = fixtures(&t);
    let ops = operations();
    assert_eq!(ops.len(), READS.len() + WRITES.len() + MANAGE.len() + 1, "every operation is in the table");
    let mut day = date(2026, 3, 3);
    let mut checked_in: i64 = 0;
    for role in Role::ALL {
        let session = if role == Role::Administrator { t.admin } else { t.sign_in_as(role) };
        for (name, op) in &ops {
            let tag = format!("{}-{name}", role.as_str());
            let mut x = targets(&t, &f, day);
            day = day.tomorrow().expect("day");
            if *name == "check_in" {
                // Check-in is on the appointment's day: today (it is 09:00 in Paris), one slot per role.
                let start = date(2026, 3, 2).to_datetime(Time::constant(10, 0, 0, 0))
                    + jiff::Span::new().minutes(15 * checked_in);
                checked_in += 1;
                let draft = BookingDraft { start, ..x.booking(3, 9) };
                x.appointment = match appointments::book(&t.clinic, f.desk, &draft, false).expect("today") {
                    BookOutcome::Booked(a) => a.id,
                    BookOutcome::NeedsConfirmation(c) => panic!("{c:?}"),
                };
            }
            if expected(role, name) {
                op(&t, session, &tag, &x).unwrap_or_else(|e| panic!("{role:?} should be able to {name}: {e}"));
                continue;
            }
            let (before, denied_before) = (footprint(&t), denied(&t));
            let code = op(&t, session, &tag, &x).map_or_else(|e| e.code, |()| ErrorCode::Internal);
            assert_eq!(code, ErrorCode::Forbidden, "{role:?} must not {name}");
            assert_eq!(footprint(&t), before, "{role:?} {name}: a refusal changes nothing");
            assert_eq!(denied(&t), denied_before + 1, "{role:?} {name}: refusal audited");
        }
    }
}
