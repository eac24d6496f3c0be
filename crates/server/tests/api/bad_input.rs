//! Bad input from a compromised or buggy device: each request is refused as a whole with a clear 4xx naming
//! the field, nothing of it is written, the attempt is recorded in `rejected_requests`, and nothing is a 5xx.

use clinic_protocol::{ApiError, ApiErrorCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Desk, TestServer, batch, first_desk};

const WRITTEN: [&str; 6] =
    ["entities", "entity_versions", "applied_mutations", "audit_records", "patient_match_keys", "audit_heads"];

async fn written(server: &TestServer) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in WRITTEN {
        counts.push(server.count(table).await);
    }
    counts
}

/// Pushes `body`, expects it refused with `status`, `code` and `field` (a prefix when it ends with `*`).
async fn refused(server: &TestServer, desk: &Desk, body: &Value, status: u16, code: ApiErrorCode, field: Option<&str>) {
    let before = written(server).await;
    let logged = server.count("rejected_requests").await;
    let answer = server.push_raw(&desk.device, body).await;
    assert_eq!(answer.status().as_u16(), status, "for field {field:?}");
    let error: ApiError = answer.json().await.expect("an ApiError body");
    assert_eq!(error.code, code, "{error:?}");
    match (field, error.field.as_deref()) {
        (Some(want), Some(got)) if want.ends_with('*') => {
            assert!(got.starts_with(want.trim_end_matches('*')), "field {got} should start with {want}")
        }
        (want, got) => assert_eq!(got, want, "{error:?}"),
    }
    assert!(!error.message.is_empty());
    assert_eq!(written(server).await, before, "nothing written for {field:?}");
    assert_eq!(server.count("rejected_requests").await, logged + 1, "the attempt is recorded for {field:?}");
}

/// A push of a valid registration followed by `bad`.
fn with_valid_first(desk: &mut Desk, bad: Value) -> Value {
    let good = desk.register(Uuid::now_v7(), "Valid", "Person", "1990-01-01");
    json!({ "mutations": [good, bad], "audit": [] })
}

fn registration(desk: &mut Desk) -> Value {
    serde_json::to_value(desk.register(Uuid::now_v7(), "Amina", "Diallo", "1990-02-03")).expect("json")
}

#[tokio::test]
async fn malformed_and_forged_pushes_are_refused_whole_and_recorded() {
    let mut server = TestServer::start().await;
    let mut desk = first_desk(&mut server, "Bad").await;
    let mut other = first_desk(&mut server, "Other").await;
    let theirs = Uuid::now_v7();
    let m = other.register(theirs, "Their", "Patient", "1970-05-05");
    server.push(&other.device, &batch(vec![m])).await;
    let v = ApiErrorCode::Validation;

    let mut m = registration(&mut desk);
    m["args"]["patient"]["notes"] = json!("x".repeat(clinic_protocol::MAX_BODY_BYTES));
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 413, ApiErrorCode::PayloadTooLarge, None).await;

    let mut nested = json!(1);
    for _ in 0..40 {
        nested = json!([nested]);
    }
    let mut m = registration(&mut desk);
    m["args"]["extra"] = nested;
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].args")).await;

    let mut shallow = registration(&mut desk);
    shallow["args"] = json!("DEEP");
    let deep =
        json!({ "mutations": [shallow] }).to_string().replace("\"DEEP\"", &["[".repeat(300), "]".repeat(300)].concat());
    let answer = server
        .authed(server.http.post(server.url("/v1/push")), &desk.device)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .expect("sent");
    assert_eq!(answer.status(), 400, "nesting beyond the parser's limit is a 400");

    let mut m = registration(&mut desk);
    m["surprise"] = json!(true);
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1]*")).await;

    let mut m = registration(&mut desk);
    m["args"]["patient"]["favourite_colour"] = json!("blue");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].args.patient*")).await;

    let mut m = registration(&mut desk);
    m["device_seq"] = json!("seven");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].device_seq")).await;

    for bad_date in [json!(19900203), json!("1990-13-45"), json!("1850-01-01")] {
        let mut m = registration(&mut desk);
        m["args"]["patient"]["date_of_birth"] = bad_date;
        let body = with_valid_first(&mut desk, m);
        refused(&server, &desk, &body, 422, v, Some("mutations[1].args.patient.date_of_birth")).await;
    }

    let mut m = registration(&mut desk);
    m["args"]["patient"]["given_name"] = json!("a".repeat(101));
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].args.patient.given_name")).await;

    let mut m = registration(&mut desk);
    m["authored_by"] = json!(Uuid::now_v7());
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].authored_by")).await;

    let mut m = registration(&mut desk);
    m["authored_by"] = json!(other.author);
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].authored_by")).await;

    let mut m = registration(&mut desk);
    m["authored_by"] = Value::Null;
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].authored_by")).await;

    let m = serde_json::to_value(desk.update(theirs, 1, json!({"notes": "mine now"}))).expect("json");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].entity_id")).await;

    let mut m = registration(&mut desk);
    m["name"] = json!("patient.teleport");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].name")).await;

    let mut m = registration(&mut desk);
    m["name"] = json!("invoice.issue");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].name")).await;

    let mut m = registration(&mut desk);
    m["entity"] = json!("staff");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].entity")).await;

    let settings = json!({
        "name": "X", "code": "X", "address": "", "time_zone": "Europe/Paris", "currency": "EUR",
        "invoice_prefix": "X", "date_format": "DMY", "idle_lock_minutes": -5
    });
    let m =
        serde_json::to_value(desk.mutation("clinic.settings", "clinic", Uuid::now_v7(), settings, None)).expect("json");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].args.idle_lock_minutes")).await;

    // NUL cannot be stored by PostgreSQL: refused up front, never a 5xx.
    let mut m = registration(&mut desk);
    m["args"]["patient"]["notes"] = json!("before\u{0}after");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].args")).await;
    let mut m = registration(&mut desk);
    m["sneaky\u{0}key"] = json!(1);
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1]*")).await;
    let mut m = registration(&mut desk);
    m["name"] = json!("patient.\u{0}");
    let body = with_valid_first(&mut desk, m);
    refused(&server, &desk, &body, 422, v, Some("mutations[1].name")).await;

    let many: Vec<Value> = (0..501).map(|_| registration(&mut desk)).collect();
    refused(&server, &desk, &json!({ "mutations": many }), 422, v, Some("mutations")).await;

    let record = json!({
        "device_id": other.device.id, "seq": 1, "at": "2025-03-01T09:00:00.000Z", "user_id": null, "username": null,
        "action": "patient.view", "entity_type": null, "entity_id": null, "patient_id": null, "outcome": "success",
        "detail": "", "prev_hash": clinic_protocol::audit::GENESIS_HASH, "hash": "0".repeat(64)
    });
    let good = registration(&mut desk);
    refused(&server, &desk, &json!({ "mutations": [good], "audit": [record] }), 422, v, Some("audit[0].device_id"))
        .await;

    let answer = server
        .authed(server.http.post(server.url("/v1/push")), &desk.device)
        .header("content-type", "application/json")
        .body("{\"mutations\": [")
        .send()
        .await
        .expect("sent");
    assert_eq!(answer.status(), 400);

    // The well-formed part was never written, so the same desk can still push it.
    let fine = desk.register(Uuid::now_v7(), "Still", "Fine", "1990-01-01");
    let answer = server.push(&desk.device, &batch(vec![fine])).await;
    assert_eq!(answer.results[0].outcome, clinic_protocol::push::Outcome::Applied);
    let statuses = server.count("rejected_requests").await;
    assert!(statuses >= 20, "{statuses} refusals recorded");
}
