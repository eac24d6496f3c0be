//! Calendar subscription feeds on the real server and PostgreSQL: a desk issues a feed (only the token's hash goes
//! up), the token's address serves that clinician's appointments and nothing else (not a colleague's, not another
//! organisation's), neutral titles unless the clinic's policy enables names, local times with the clinic's zone
//! across a DST change; revoked and unknown tokens get the same bare 404; bad arguments are refused naming the field.
//!
//! Appointments, appointment types and the scheduling policy are seeded as `entities` rows in the shape their sync
//! rules store (`crates/core/src/scheduling/mod.rs`). Set `CLINIC_FEED_ICS_OUT=/path/feed.ics` to keep the served
//! calendars and what they must hold for the independent check of `scripts/check-ical` (see `keep`).

#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use chrono::{TimeZone, Utc};
use clinic_protocol::calendar::feed_token_hash;
use clinic_protocol::push::Outcome;
use clinic_protocol::{ApiError, ApiErrorCode};
use serde_json::{Value, json};
use support::{Desk, TestServer, batch, first_desk};
use uuid::Uuid;

const ZONE: &str = "Europe/Paris";

/// A token as a desk makes it: 32 random bytes, URL-safe base64.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("random bytes");
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// Stores a record as its sync rules would (version, sequence), through the owner connection.
async fn seed(server: &TestServer, desk: &Desk, entity: &str, id: Uuid, data: Value, row_version: i64) {
    let (tenant, clinic) = (desk.device.tenant, desk.device.clinic);
    let seq: i64 = server
        .owner
        .query_one("UPDATE tenant_sequences SET seq = seq + 1 WHERE tenant_id = $1 RETURNING seq", &[&tenant])
        .await
        .expect("sequence")
        .get(0);
    let at = Utc.with_ymd_and_hms(2025, 2, 20, 10, 0, 0).single().expect("time");
    server
        .owner
        .execute(
            "INSERT INTO entities (tenant_id, entity, entity_id, clinic_id, row_version, data, hlc, seq, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8)
             ON CONFLICT (tenant_id, entity, entity_id)
             DO UPDATE SET data = excluded.data, row_version = excluded.row_version, seq = excluded.seq",
            &[&tenant, &entity, &id, &clinic, &row_version, &data, &seq, &at],
        )
        .await
        .expect("seeded record");
}

/// A doctor's account, created through a push.
async fn doctor(server: &TestServer, desk: &mut Desk, username: &str, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let args = json!({
        "member": {
            "id": id, "username": username, "display_name": name, "role": "doctor",
            "active": true, "must_change_password": false, "created_at": "2025-03-01T09:00:00.000Z"
        },
        "password_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
    });
    let m = desk.mutation("staff.create", "staff", id, args, None);
    assert_eq!(server.push(&desk.device, &batch(vec![m])).await.results[0].outcome, Outcome::Applied);
    id
}

fn clinic_settings() -> Value {
    json!({
        "name": "Lakeside", "code": "LAKE", "address": "", "time_zone": ZONE, "currency": "EUR",
        "invoice_prefix": "LK", "date_format": "DMY", "idle_lock_minutes": 15
    })
}

fn appointment(patient: Uuid, clinician: Uuid, kind: Uuid, starts: &str, ends: &str, status: &str) -> Value {
    json!({
        "patient_id": patient, "clinician_id": clinician, "type_id": kind, "starts_at": starts, "ends_at": ends,
        "status": status, "meeting_link": null, "series_id": null, "overbooked": false,
        "special_needs": {"interpreter_language": null, "accessibility": null, "notes": ""}
    })
}

/// Pushes a feed change as the desk's current author and returns its outcome and reason.
async fn feed_change(
    server: &TestServer,
    desk: &mut Desk,
    name: &str,
    clinician: Uuid,
    args: Value,
) -> (Outcome, Option<String>) {
    let m = desk.mutation(name, "calendar_feed", clinician, args, None);
    let answer = server.push(&desk.device, &batch(vec![m])).await;
    (answer.results[0].outcome, answer.results[0].reason.clone())
}

async fn get_feed(server: &TestServer, token: &str) -> reqwest::Response {
    server.http.get(server.url(&["/v1/calendar/", token, ".ics"].concat())).send().await.expect("request sent")
}

/// The body of a feed that must be served.
async fn served(server: &TestServer, token: &str) -> String {
    let answer = get_feed(server, token).await;
    assert_eq!(answer.status(), 200);
    let header = |name: &str| answer.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("content-type").as_deref(), Some("text/calendar; charset=utf-8"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    answer.text().await.expect("body")
}

/// A 404 that says nothing about why.
async fn not_served(server: &TestServer, path: &str) -> String {
    let answer = server.http.get(server.url(path)).send().await.expect("request sent");
    assert_eq!(answer.status(), 404, "{path}");
    let error: ApiError = answer.json().await.expect("an ApiError body");
    assert_eq!((error.code, error.field), (ApiErrorCode::NotFound, None));
    error.message
}

fn uids(ics: &str) -> Vec<String> {
    ics.split("\r\n").filter_map(|l| l.strip_prefix("UID:")).map(str::to_owned).collect()
}

/// Keeps the served calendars (`<path>` with neutral titles, `<path minus .ics>-names.ics` with names) and what they must
/// hold (`<path>.expected.json`) for `scripts/check-ical`.
fn keep(neutral: &str, named: &str, mut expected: Value) {
    let Ok(path) = std::env::var("CLINIC_FEED_ICS_OUT") else { return };
    let named_path = [path.strip_suffix(".ics").unwrap_or(&path), "-names.ics"].concat();
    expected["calendars"][0]["file"] = json!(path);
    expected["calendars"][1]["file"] = json!(named_path);
    std::fs::write(&path, neutral).expect("write the served calendar");
    std::fs::write(&named_path, named).expect("write the served calendar with names");
    std::fs::write([&path, ".expected.json"].concat(), serde_json::to_string_pretty(&expected).expect("json"))
        .expect("write the expectations");
}

#[tokio::test]
async fn an_issued_token_serves_its_clinicians_appointments_only_until_revoked() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Lakeside").await;
    let mut other_tenant = first_desk(&mut server, "Elsewhere").await;
    let diallo = doctor(&server, &mut desk, "diallo", "Awa Diallo").await;
    let okafor = doctor(&server, &mut desk, "okafor", "Bea Okafor").await;
    let m = desk.mutation("clinic.settings", "clinic", Uuid::now_v7(), clinic_settings(), None);
    server.push(&desk.device, &batch(vec![m])).await;
    let patient = Uuid::now_v7();
    let m = desk.register(patient, "Ama", "Testpatient", "1985-05-17");
    server.push(&desk.device, &batch(vec![m])).await;
    let consultation = Uuid::now_v7();
    seed(&server, &desk, "appointment_type", consultation, json!({"name": "Consultation"}), 1).await;

    // Around the change to summer time in Paris (Sunday 30 March 2025, 02:00 → 03:00).
    let friday = Uuid::now_v7();
    let monday = Uuid::now_v7();
    let cancelled = Uuid::now_v7();
    let video = Uuid::now_v7();
    let colleagues = Uuid::now_v7();
    let long_ago = Uuid::now_v7();
    let a = |starts: &str, ends: &str, status: &str| appointment(patient, diallo, consultation, starts, ends, status);
    seed(&server, &desk, "appointment", friday, a("2025-03-28T08:00:00.000Z", "2025-03-28T08:15:00.000Z", "booked"), 1)
        .await;
    seed(
        &server,
        &desk,
        "appointment",
        monday,
        a("2025-03-31T07:00:00.000Z", "2025-03-31T07:30:00.000Z", "arrived"),
        2,
    )
    .await;
    seed(
        &server,
        &desk,
        "appointment",
        cancelled,
        a("2025-03-31T08:00:00.000Z", "2025-03-31T08:15:00.000Z", "cancelled"),
        2,
    )
    .await;
    let mut with_link = a("2025-04-01T12:00:00.000Z", "2025-04-01T12:30:00.000Z", "booked");
    with_link["meeting_link"] = json!("https://meet.example/clinic-room-7");
    seed(&server, &desk, "appointment", video, with_link, 1).await;
    let theirs =
        appointment(patient, okafor, consultation, "2025-03-31T07:00:00.000Z", "2025-03-31T07:30:00.000Z", "booked");
    seed(&server, &desk, "appointment", colleagues, theirs, 1).await;
    seed(
        &server,
        &desk,
        "appointment",
        long_ago,
        a("2024-06-03T07:00:00.000Z", "2024-06-03T07:15:00.000Z", "completed"),
        1,
    )
    .await;
    // Another organisation's appointment naming the same clinician id: row-level security keeps it out.
    let foreign = Uuid::now_v7();
    seed(
        &server,
        &other_tenant,
        "appointment",
        foreign,
        a("2025-03-31T09:00:00.000Z", "2025-03-31T09:30:00.000Z", "booked"),
        1,
    )
    .await;

    let token = new_token();
    let args = json!({ "clinician_id": diallo, "token_hash": feed_token_hash(&token) });
    assert_eq!(feed_change(&server, &mut desk, "calendar_feed.issue", diallo, args).await, (Outcome::Applied, None));
    let stored: Vec<u8> =
        server.owner.query_one("SELECT token_hash FROM calendar_feeds", &[]).await.expect("one feed").get(0);
    assert_eq!(hex::encode(stored), feed_token_hash(&token), "the server keeps the hash only");

    let neutral = served(&server, &token).await;
    let mut want = [friday, monday, cancelled, video].map(|id| id.to_string()).to_vec();
    want.sort();
    let mut got = uids(&neutral);
    got.sort();
    assert_eq!(got, want, "Dr Diallo's appointments from 30 days back: not a colleague's, not another tenant's");
    assert!(neutral.contains("\r\nX-WR-CALNAME:Awa Diallo\r\n"));
    assert_eq!(neutral.matches("\r\nSUMMARY:Appointment\r\n").count(), 4, "neutral titles by default");
    assert!(!neutral.contains("Testpatient"));
    assert!(neutral.contains("\r\nDTSTART;TZID=Europe/Paris:20250328T090000\r\n"), "09:00 before the change");
    assert!(neutral.contains("\r\nDTSTART;TZID=Europe/Paris:20250331T090000\r\n"), "09:00 after it");
    assert!(neutral.contains("\r\nSTATUS:CANCELLED\r\n") && neutral.contains("\r\nSEQUENCE:1\r\n"));
    assert!(neutral.contains("\r\nURL:https://meet.example/clinic-room-7\r\n"));
    assert!(neutral.contains("BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"));

    seed(
        &server,
        &desk,
        "scheduling_policy",
        Uuid::now_v7(),
        json!({"allow_overbooking": false, "calendar_patient_names": true, "telemedicine_base_url": ""}),
        1,
    )
    .await;
    let named = served(&server, &token).await;
    assert_eq!(named.matches("\r\nSUMMARY:Testpatient\\, Ama (Consultation)\r\n").count(), 4, "names when enabled");

    let event = |id: Uuid, start: &str, end: &str, status: &str, sequence: u32, url: Option<&str>| json!({ "uid": id, "start": start, "end": end, "status": status, "sequence": sequence, "url": url });
    let expected = json!({
        "zone": ZONE,
        "calendars": [
            {"summary": "Appointment"},
            {"summary": "Testpatient, Ama (Consultation)"}
        ],
        "events": [
            event(friday, "2025-03-28T09:00:00", "2025-03-28T09:15:00", "CONFIRMED", 0, None),
            event(monday, "2025-03-31T09:00:00", "2025-03-31T09:30:00", "CONFIRMED", 1, None),
            event(cancelled, "2025-03-31T10:00:00", "2025-03-31T10:15:00", "CANCELLED", 1, None),
            event(video, "2025-04-01T14:00:00", "2025-04-01T14:30:00", "CONFIRMED", 0, Some("https://meet.example/clinic-room-7")),
        ],
        "vtimezone_covers": ["2025-01-30T09:00:00Z", "2026-03-01T09:00:00Z"]
    });
    keep(&neutral, &named, expected);

    // Issuing again revokes the first token; revoking leaves nothing served. Unknown and revoked look alike.
    let second = new_token();
    let args = json!({ "clinician_id": diallo, "token_hash": feed_token_hash(&second) });
    assert_eq!(feed_change(&server, &mut desk, "calendar_feed.issue", diallo, args).await.0, Outcome::Applied);
    let revoked_message = not_served(&server, &["/v1/calendar/", &token, ".ics"].concat()).await;
    assert_eq!(uids(&served(&server, &second).await).len(), 4);
    let args = json!({ "clinician_id": diallo });
    assert_eq!(feed_change(&server, &mut desk, "calendar_feed.revoke", diallo, args).await.0, Outcome::Applied);
    assert_eq!(not_served(&server, &["/v1/calendar/", &second, ".ics"].concat()).await, revoked_message);
    assert_eq!(not_served(&server, &["/v1/calendar/", &new_token(), ".ics"].concat()).await, revoked_message);
    assert_eq!(not_served(&server, "/v1/calendar/not-a-token.ics").await, revoked_message);
    assert_eq!(not_served(&server, &["/v1/calendar/", &new_token()].concat()).await, revoked_message);
    let live: i64 = server
        .owner
        .query_one("SELECT count(*) FROM calendar_feeds WHERE revoked_at IS NULL", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(live, 0);

    // Another organisation's desk cannot name this organisation's clinician at all.
    let m =
        other_tenant.mutation("calendar_feed.revoke", "calendar_feed", diallo, json!({"clinician_id": diallo}), None);
    let answer = server.push_raw(&other_tenant.device, &json!({ "mutations": [m], "audit": [] })).await;
    assert_eq!(answer.status(), 422);
    let error: ApiError = answer.json().await.expect("an ApiError body");
    assert_eq!(error.field.as_deref(), Some("mutations[0].entity_id"));
}

#[tokio::test]
async fn only_the_clinician_or_an_administrator_changes_a_feed_and_bad_arguments_name_the_field() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Lakeside").await;
    let admin = desk.author;
    let diallo = doctor(&server, &mut desk, "diallo", "Awa Diallo").await;
    let okafor = doctor(&server, &mut desk, "okafor", "Bea Okafor").await;

    desk.author = Some(diallo);
    let own = json!({ "clinician_id": diallo, "token_hash": feed_token_hash(&new_token()) });
    assert_eq!(feed_change(&server, &mut desk, "calendar_feed.issue", diallo, own).await.0, Outcome::Applied);
    let colleague = json!({ "clinician_id": okafor, "token_hash": feed_token_hash(&new_token()) });
    let (outcome, reason) = feed_change(&server, &mut desk, "calendar_feed.issue", okafor, colleague).await;
    assert_eq!(outcome, Outcome::Rejected);
    assert!(reason.expect("a reason").contains("Only the clinician or an administrator"));
    desk.author = admin;
    let to_admin = json!({ "clinician_id": admin, "token_hash": feed_token_hash(&new_token()) });
    let (outcome, reason) =
        feed_change(&server, &mut desk, "calendar_feed.issue", admin.expect("admin"), to_admin).await;
    assert_eq!(outcome, Outcome::Rejected, "administrators have no calendar of their own");
    assert!(reason.expect("a reason").contains("doctors and nurses"));
    assert_eq!(server.count("calendar_feeds").await, 1);

    let bad = |name: &str, entity_id: Uuid, args: Value, desk: &mut Desk| {
        serde_json::to_value(desk.mutation(name, "calendar_feed", entity_id, args, None)).expect("json")
    };
    for (m, field) in [
        (
            bad("calendar_feed.issue", diallo, json!({"clinician_id": diallo, "token_hash": "ABC"}), &mut desk),
            "args.token_hash",
        ),
        (
            bad(
                "calendar_feed.issue",
                diallo,
                json!({"clinician_id": diallo, "token_hash": "a".repeat(63)}),
                &mut desk,
            ),
            "args.token_hash",
        ),
        (bad("calendar_feed.issue", diallo, json!({"clinician_id": diallo}), &mut desk), "args"),
        (
            bad(
                "calendar_feed.issue",
                diallo,
                json!({"clinician_id": okafor, "token_hash": feed_token_hash("x")}),
                &mut desk,
            ),
            "args.clinician_id",
        ),
        (
            bad("calendar_feed.revoke", diallo, json!({"clinician_id": diallo, "token": "leaked"}), &mut desk),
            "args.token",
        ),
        (bad("calendar_feed.revoke", diallo, json!({"clinician_id": "not-a-uuid"}), &mut desk), "args.clinician_id"),
        (bad("calendar_feed.rotate", diallo, json!({}), &mut desk), "name"),
    ] {
        let answer = server.push_raw(&desk.device, &json!({ "mutations": [m], "audit": [] })).await;
        assert_eq!(answer.status(), 422, "{field}");
        let error: ApiError = answer.json().await.expect("an ApiError body");
        assert_eq!(error.code, ApiErrorCode::Validation);
        assert_eq!(error.field.as_deref(), Some(["mutations[0].", field].concat().as_str()), "{}", error.message);
    }
    assert_eq!(server.count("calendar_feeds").await, 1, "nothing of a refused push is written");
}
