//! Scheduling mutations on the real server (ADR 11): bad arguments are refused whole with a 422 naming the field
//! and nothing written; a booking overlapping another device's is applied with a `double_booking` item unless it
//! was a confirmed overbooking; status moves merge forward only. Run under `scripts/with-postgres`.

#[allow(dead_code)] // the shared harness of tests/api; this file uses part of it
#[path = "api/support.rs"]
mod support;

use clinic_protocol::push::Outcome;
use clinic_protocol::{ApiError, ApiErrorCode};
use serde_json::{Value, json};
use uuid::Uuid;

use support::{Desk, TestServer, batch, first_desk, second_desk};

const WRITTEN: [&str; 4] = ["entities", "entity_versions", "applied_mutations", "audit_records"];

async fn written(server: &TestServer) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in WRITTEN {
        counts.push(server.count(table).await);
    }
    counts
}

/// Pushes one mutation and expects it refused with 422 on `field`, nothing written and the attempt recorded.
async fn refused(server: &TestServer, desk: &Desk, m: Value, field: &str) {
    let before = written(server).await;
    let logged = server.count("rejected_requests").await;
    let answer = server.push_raw(&desk.device, &json!({ "mutations": [m], "audit": [] })).await;
    assert_eq!(answer.status().as_u16(), 422, "for field {field}");
    let error: ApiError = answer.json().await.expect("an ApiError body");
    assert_eq!((error.code, error.field.as_deref()), (ApiErrorCode::Validation, Some(field)), "{error:?}");
    assert!(error.message.len() > 10, "a sentence for a person: {error:?}");
    assert_eq!(written(server).await, before, "nothing written for {field}");
    assert_eq!(server.count("rejected_requests").await, logged + 1, "the attempt is recorded for {field}");
}

/// A clinic on the server with a clinician (its first account), a receptionist, a patient and an appointment type.
struct Setup {
    desk: Desk,
    clinician: Uuid,
    receptionist: Uuid,
    patient: Uuid,
    kind: Uuid,
}

fn type_args(id: Uuid) -> Value {
    json!({
        "id": id, "name": "Consultation", "duration_minutes": 15, "colour": "#2f80ed", "price_minor": 2500,
        "currency": "EUR", "telemedicine": false, "active": true, "row_version": 1
    })
}

async fn setup(server: &mut TestServer, tenant: &str) -> Setup {
    let mut desk = first_desk(server, tenant).await;
    let clinician = desk.author.expect("the first account");
    let (patient, kind) = (Uuid::now_v7(), Uuid::now_v7());
    let register = desk.register(patient, "Amina", "Diallo", "1990-02-03");
    let create = desk.mutation("appointment_type.create", "appointment_type", kind, type_args(kind), None);
    let receptionist = Uuid::now_v7();
    let member = json!({
        "member": {
            "id": receptionist, "username": "rita", "display_name": "Rita", "role": "receptionist", "active": true,
            "must_change_password": false, "created_at": "2025-03-01T09:00:00.000Z"
        },
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
    });
    let staff = desk.mutation("staff.create", "staff", receptionist, member, None);
    let answer = server.push(&desk.device, &batch(vec![register, create, staff])).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied), "{answer:?}");
    Setup { desk, clinician, receptionist, patient, kind }
}

fn booking(s: &Setup, starts: &str, ends: &str) -> Value {
    json!({
        "patient_id": s.patient, "clinician_id": s.clinician, "type_id": s.kind, "starts_at": starts, "ends_at": ends,
        "series_id": null, "overbooked": false,
        "special_needs": {"interpreter_language": null, "accessibility": "", "notes": ""},
        "meeting_link": null, "created_at": "2025-03-01T09:00:00Z"
    })
}

fn envelope(desk: &mut Desk, name: &str, entity: &str, args: Value, base: Option<i64>) -> Value {
    serde_json::to_value(desk.mutation(name, entity, Uuid::now_v7(), args, base)).expect("json")
}

#[tokio::test]
async fn bad_scheduling_arguments_are_refused_naming_the_field() {
    let mut server = TestServer::start().await;
    let mut s = setup(&mut server, "Sched").await;
    let other = setup(&mut server, "Other").await;
    let good = booking(&s, "2025-03-03T09:00:00Z", "2025-03-03T09:15:00Z");
    let cases: Vec<(&str, &str, Value, Option<i64>, &str)> = vec![
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["patient_id"] = json!(42);
                a
            },
            None,
            "args.patient_id",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["colour_of_day"] = json!("red");
                a
            },
            None,
            "args.colour_of_day",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["patient_id"] = json!(other.patient);
                a
            },
            None,
            "args.patient_id",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["type_id"] = json!(other.kind);
                a
            },
            None,
            "args.type_id",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["ends_at"] = json!("2025-03-03T08:45:00Z");
                a
            },
            None,
            "args.ends_at",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["ends_at"] = json!("2025-03-04T09:00:00Z");
                a
            },
            None,
            "args.ends_at",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["starts_at"] = json!("Monday 9am");
                a
            },
            None,
            "args.starts_at",
        ),
        (
            "appointment.book",
            "appointment",
            {
                let mut a = good.clone();
                a["meeting_link"] = json!("http://meet");
                a
            },
            None,
            "args.meeting_link",
        ),
        ("appointment.book", "patient", good.clone(), None, "entity"),
        (
            "appointment.reschedule",
            "appointment",
            json!({"clinician_id": s.clinician, "starts_at": "2025-03-03T09:00:00Z", "ends_at": "2025-03-03T09:15:00Z", "overbooked": false}),
            None,
            "base_row_version",
        ),
        (
            "appointment.status",
            "appointment",
            json!({"from": "completed", "to": "arrived", "at": "2025-03-03T09:00:00Z"}),
            Some(1),
            "args.to",
        ),
        (
            "appointment.status",
            "appointment",
            json!({"from": "booked", "to": "lost", "at": "2025-03-03T09:00:00Z"}),
            Some(1),
            "args.to",
        ),
        (
            "appointment.cancel",
            "appointment",
            json!({"reason": " ", "at": "2025-03-03T09:00:00Z"}),
            Some(1),
            "args.reason",
        ),
        (
            "appointment_type.create",
            "appointment_type",
            {
                let mut a = type_args(Uuid::now_v7());
                a["colour"] = json!("blue");
                a
            },
            None,
            "args.id",
        ),
        ("availability.teleport", "working_template", json!({}), None, "name"),
        (
            "availability.add_closure",
            "extra_session",
            json!({"day": "2025-04-21", "name": "Easter Monday"}),
            None,
            "entity",
        ),
        (
            "availability.add_closure",
            "clinic_closure",
            json!({"day": "2025-02-30", "name": "Nowhen"}),
            None,
            "args.day",
        ),
        (
            "availability.add_extra_session",
            "extra_session",
            json!({"clinician_id": s.clinician, "starts_at": "2025-03-08T09:00:00Z", "ends_at": "2025-03-08T08:00:00Z", "note": ""}),
            None,
            "args.ends_at",
        ),
        (
            "availability.request_leave",
            "leave_request",
            json!({"clinician_id": other.clinician, "starts_at": "2025-03-08T00:00:00Z", "ends_at": "2025-03-09T00:00:00Z", "reason": ""}),
            None,
            "args.clinician_id",
        ),
        (
            "availability.decide_leave",
            "leave_request",
            json!({"status": "requested", "note": "", "at": "2025-03-03T09:00:00Z"}),
            Some(1),
            "args.status",
        ),
        (
            "clinician_profile.set",
            "clinician_profile",
            json!({"specialty": "GP", "languages": ["French"], "slot_minutes": 15}),
            None,
            "args.languages[0]",
        ),
        (
            "scheduling.policy",
            "scheduling_policy",
            json!({"allow_overbooking": "yes", "calendar_patient_names": true, "telemedicine_base_url": ""}),
            None,
            "args.allow_overbooking",
        ),
        (
            "waitlist.add",
            "waitlist_entry",
            json!({"patient_id": s.patient, "clinician_id": null, "type_id": s.kind, "from_date": "2025-03-10", "to_date": "2025-03-01", "time_of_day": {"kind": "any"}, "notes": ""}),
            None,
            "args.to_date",
        ),
        (
            "waitlist.add",
            "waitlist_entry",
            json!({"patient_id": s.patient, "clinician_id": null, "type_id": s.kind, "from_date": "2025-03-01", "to_date": "2025-03-10", "time_of_day": {"kind": "teatime"}, "notes": ""}),
            None,
            "args.time_of_day.kind",
        ),
    ];
    for (name, entity, args, base, field) in cases {
        let m = envelope(&mut s.desk, name, entity, args, base);
        refused(&server, &s.desk, m, &["mutations[0].", field].concat()).await;
    }
    // A type with its own id and a colour that is no colour.
    let id = Uuid::now_v7();
    let mut blue = type_args(id);
    blue["colour"] = json!("blue");
    let m = serde_json::to_value(s.desk.mutation("appointment_type.create", "appointment_type", id, blue, None));
    refused(&server, &s.desk, m.expect("json"), "mutations[0].args.colour").await;
    // A template whose period ends before it starts, for the clinician it is keyed by.
    let periods = json!({"clinician_id": s.clinician, "periods": [{"weekday": 1, "start": "13:00:00", "end": "09:00:00", "kind": "work"}]});
    let m = serde_json::to_value(s.desk.mutation(
        "availability.set_template",
        "working_template",
        s.clinician,
        periods,
        None,
    ))
    .expect("json");
    refused(&server, &s.desk, m, "mutations[0].args.periods[0].end").await;
}

#[tokio::test]
async fn offline_double_bookings_are_kept_and_flagged_unless_confirmed() {
    let mut server = TestServer::start().await;
    let s = setup(&mut server, "Double").await;
    let mut one = s.desk;
    // Reception books; the first account (an administrator) stands for the clinician.
    one.author = Some(s.receptionist);
    let mut two = second_desk(&server, &one).await;
    let (first, second, confirmed) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let setup = Setup { desk: Desk::new(one.device.clone()), ..s };
    let a = one.mutation(
        "appointment.book",
        "appointment",
        first,
        booking(&setup, "2025-03-03T09:00:00Z", "2025-03-03T09:15:00Z"),
        None,
    );
    let answer = server.push(&one.device, &batch(vec![a])).await;
    assert_eq!(answer.results[0].outcome, Outcome::Applied, "{answer:?}");

    let b = two.mutation(
        "appointment.book",
        "appointment",
        second,
        booking(&setup, "2025-03-03T09:10:00Z", "2025-03-03T09:25:00Z"),
        None,
    );
    let answer = server.push(&two.device, &batch(vec![b])).await;
    assert_eq!(answer.results[0].outcome, Outcome::AppliedWithConflict, "{answer:?}");
    assert_eq!(answer.results[0].review_items.len(), 1);
    let (changes, _) = server.pull_all(&two.device, 0).await;
    let item = changes.iter().find(|c| c.entity_id == answer.results[0].review_items[0]).expect("the item is pulled");
    assert_eq!(item.data["kind"], "double_booking");
    assert_eq!(item.data["entity"], "appointment");
    assert_eq!(item.data["entity_ids"], json!([second, first]));

    let mut overbooked = booking(&setup, "2025-03-03T09:00:00Z", "2025-03-03T09:15:00Z");
    overbooked["overbooked"] = json!(true);
    let c = two.mutation("appointment.book", "appointment", confirmed, overbooked, None);
    let answer = server.push(&two.device, &batch(vec![c])).await;
    assert_eq!((answer.results[0].outcome, answer.results[0].review_items.len()), (Outcome::Applied, 0));

    // Cancelled elsewhere, the first no longer holds its time: a move next to it raises nothing new.
    let cancel = one.mutation(
        "appointment.cancel",
        "appointment",
        first,
        json!({"reason": "moved", "at": "2025-03-01T10:00:00Z"}),
        Some(1),
    );
    let answer = server.push(&one.device, &batch(vec![cancel])).await;
    assert_eq!(answer.results[0].outcome, Outcome::Applied);
    let late = one.mutation(
        "appointment.status",
        "appointment",
        first,
        json!({"from": "booked", "to": "arrived", "at": "2025-03-03T09:01:00Z"}),
        Some(1),
    );
    let answer = server.push(&one.device, &batch(vec![late])).await;
    assert_eq!(answer.results[0].outcome, Outcome::Applied, "a move the record went past is a no-op, never an error");
    let (changes, _) = server.pull_all(&one.device, 0).await;
    let stored = changes.iter().rev().find(|c| c.entity_id == first).expect("the appointment");
    assert_eq!(
        (stored.data["status"].as_str(), stored.data["cancel_reason"].as_str()),
        (Some("cancelled"), Some("moved"))
    );
}
