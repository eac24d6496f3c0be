//! What the desktop calls: enrolling (credential in the keychain, never the database), the status, "sync
//! now" with a sentence for each problem, and review items listed and resolved through the outbox.

mod common;
mod sync_support;

use clinic_core::keys::{CredentialStore, SyncCredential};
use clinic_core::sync::{
    self, ConnectionState, OFFLINE_MESSAGE, ReviewDecision, ReviewItemKind, ReviewItemStatus, SyncOptions,
    SyncProblemCode,
};
use clinic_core::{CoreError, CoreResult, ErrorCode};
use clinic_protocol::review::{FieldClash, ReviewItem, ReviewKind, ReviewStatus};
use common::TestClinic;
use serde_json::json;
use sync_support::{Call, FakeServer, Fault, SERVER_URL, count, enroll, outbox, register, sync};
use uuid::Uuid;

/// Every text value in every table, to prove a secret is stored nowhere in the database.
fn database_contains(t: &TestClinic, needle: &str) -> bool {
    t.clinic
        .with_connection_for_tests(|c| {
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'patient_name_search%'")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("names");
            tables.iter().any(|table| {
                let mut stmt = c.prepare(&["SELECT * FROM \"", table, "\""].concat()).expect("prepare");
                let columns = stmt.column_count();
                let mut rows = stmt.query([]).expect("rows");
                let mut hit = false;
                while let Some(row) = rows.next().expect("row") {
                    for i in 0..columns {
                        if let Ok(rusqlite::types::ValueRef::Text(text)) = row.get_ref(i) {
                            hit |= String::from_utf8_lossy(text).contains(needle);
                        }
                    }
                }
                hit
            })
        })
        .expect("conn")
}

#[test]
fn enrollment_keeps_the_credential_in_the_keychain_only() {
    let t = TestClinic::new();
    let server = FakeServer::new();
    let enrolled =
        sync::enroll(&t.clinic, t.admin, &server, &t.keys, "https://clinic.test/", " CODE-1 ", " Reception 1 ")
            .expect("enroll");
    assert_eq!(
        (enrolled.server_url.as_str(), enrolled.clinic_name.as_str(), enrolled.device_name.as_str()),
        (SERVER_URL, "Riverside Clinic (server)", "Reception 1")
    );
    let credential = t.keys.load_credential().expect("keychain").expect("saved");
    assert!(credential.expose().starts_with("secret-credential-"));
    assert!(!database_contains(&t, credential.expose()), "never in the database");
    assert!(!database_contains(&t, "CODE-1"), "nor the one-time code");
    assert_eq!(
        count(
            &t,
            "SELECT count(*) FROM audit_log WHERE action = 'sync_enroll' AND outcome = 'success' AND detail = 'clinic.test'"
        ),
        1
    );

    let status = sync::status(&t.clinic, t.admin).expect("status");
    assert!(status.enrolled && !status.initial_download_done);
    assert_eq!(status.device_name.as_deref(), Some("Reception 1"));
    assert_eq!(status.connection, ConnectionState::Online);
    assert!(sync(&t, &server).problem.is_none());
    assert!(sync::status(&t.clinic, t.admin).expect("status").initial_download_done);
}

#[test]
fn a_refused_code_a_bad_address_and_an_unreachable_keychain_change_nothing() {
    let t = TestClinic::new();
    let server = FakeServer::new();
    let err = sync::enroll(&t.clinic, t.admin, &server, &t.keys, SERVER_URL, "NOPE", "Desk").expect_err("bad code");
    assert_eq!((err.code, err.field.as_deref()), (ErrorCode::Validation, Some("code")));
    assert!(err.message.contains("new code"), "{}", err.message);
    assert_eq!(count(&t, "SELECT count(*) FROM audit_log WHERE action = 'sync_enroll' AND outcome = 'failure'"), 1);

    let err =
        sync::enroll(&t.clinic, t.admin, &server, &t.keys, "http://clinic.test", "CODE-1", "Desk").expect_err("http");
    assert_eq!(err.field.as_deref(), Some("server_url"));
    assert_eq!(server.calls_of(Call::Enroll).len(), 1, "a bad address is refused before anything is sent");

    let err =
        sync::enroll(&t.clinic, t.admin, &server, &LockedKeychain, SERVER_URL, "CODE-1", "Desk").expect_err("keychain");
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(server.with(|s| s.codes.contains("CODE-1")), "the one-time code is not spent");

    server.fail_next(Call::Enroll, Fault::Unreachable);
    let err = sync::enroll(&t.clinic, t.admin, &server, &t.keys, SERVER_URL, "CODE-1", "Desk").expect_err("offline");
    assert_eq!((err.code, err.message.as_str()), (ErrorCode::Unavailable, OFFLINE_MESSAGE));
    assert!(!sync::status(&t.clinic, t.admin).expect("status").enrolled);
    assert!(t.keys.load_credential().expect("keychain").is_none());
}

/// A keychain that cannot be reached.
#[derive(Debug)]
struct LockedKeychain;

impl CredentialStore for LockedKeychain {
    fn load_credential(&self) -> CoreResult<Option<SyncCredential>> {
        Err(CoreError::unavailable("keychain locked"))
    }
    fn save_credential(&self, _: &SyncCredential) -> CoreResult<()> {
        Err(CoreError::unavailable("keychain locked"))
    }
    fn delete_credential(&self) -> CoreResult<()> {
        Err(CoreError::unavailable("keychain locked"))
    }
}

#[test]
fn sync_now_says_why_it_could_not_sync() {
    let t = TestClinic::new();
    let server = FakeServer::new();
    let now = |t: &TestClinic| sync::sync_now(&t.clinic, t.admin, &server, &t.keys, &SyncOptions::default());
    let err = now(&t).expect_err("not enrolled");
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(err.message.contains("enrollment code"), "{}", err.message);

    enroll(&t, &server, "CODE-1");
    server.fail_next(Call::Push, Fault::Unreachable);
    let err = now(&t).expect_err("offline");
    assert_eq!((err.code, err.message.as_str()), (ErrorCode::Unavailable, OFFLINE_MESSAGE));
    assert!(now(&t).is_ok());

    server.with(|s| s.devices.values_mut().for_each(|d| d.1 = true));
    register(&t, "Amina", "Diallo");
    let err = now(&t).expect_err("revoked");
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(err.message.contains("revoked"), "{}", err.message);
    let status = sync::status(&t.clinic, t.admin).expect("status");
    assert_eq!(status.last_error.expect("error").code, SyncProblemCode::DeviceRevoked);
    assert_eq!(status.connection, ConnectionState::Online, "the server answered");
    assert_eq!(status.pending_count, 1, "the change waits, it is not lost");
}

#[test]
fn polling_the_status_does_not_keep_an_idle_session_open() {
    let t = TestClinic::new();
    t.clock.advance_secs(14 * 60);
    sync::status(&t.clinic, t.admin).expect("status");
    t.clock.advance_secs(2 * 60);
    assert_eq!(sync::status(&t.clinic, t.admin).expect_err("idle").code, ErrorCode::Locked);
}

fn review_item(kind: ReviewKind, ids: Vec<Uuid>, fields: Vec<FieldClash>) -> serde_json::Value {
    let item = ReviewItem {
        kind,
        entity: "patient".into(),
        entity_ids: ids,
        fields,
        mutation_ids: vec![],
        status: ReviewStatus::Open,
        resolved_by: None,
        resolution: None,
    };
    serde_json::to_value(item).expect("item")
}

#[test]
fn review_items_show_their_patients_and_are_resolved_through_the_outbox() {
    let t = TestClinic::new();
    let server = FakeServer::new();
    enroll(&t, &server, "CODE-1");
    let (amina, aminah) = (register(&t, "Amina", "Diallo"), register(&t, "Aminah", "Diallo"));
    sync(&t, &server);
    let duplicate = Uuid::now_v7();
    server.put(
        "review_item",
        duplicate,
        review_item(ReviewKind::PossibleDuplicate, vec![amina.id, aminah.id], vec![]),
        None,
    );
    let clash = FieldClash {
        field: "date_of_birth".into(),
        base: json!("1984-06-01"),
        theirs: json!("1984-01-06"),
        ours: json!("1984-06-11"),
        kept: json!("1984-06-11"),
    };
    server.put(
        "review_item",
        Uuid::now_v7(),
        review_item(ReviewKind::SafetyFieldConflict, vec![amina.id], vec![clash]),
        None,
    );
    assert_eq!(sync(&t, &server).review_items_open, 2);

    let items = sync::list_review_items(&t.clinic, t.admin, false).expect("list");
    let pair = items.iter().find(|i| i.kind == ReviewItemKind::PossibleDuplicate).expect("duplicate item");
    let names: Vec<_> = pair
        .records
        .iter()
        .map(|r| (r.mrn.clone().unwrap_or_default(), r.display_name.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        names,
        [("MAIN-D01-000001".into(), "Diallo, Amina".into()), ("MAIN-D01-000002".into(), "Diallo, Aminah".into())]
    );
    let conflict = items.iter().find(|i| i.kind == ReviewItemKind::SafetyFieldConflict).expect("conflict item");
    assert_eq!((conflict.fields[0].theirs.as_str(), conflict.fields[0].kept.as_str()), ("1984-01-06", "1984-06-11"));

    let err =
        sync::resolve_review_item(&t.clinic, t.admin, duplicate, ReviewDecision::Dismissed, " ").expect_err("say what");
    assert_eq!(err.field.as_deref(), Some("resolution"));
    let done =
        sync::resolve_review_item(&t.clinic, t.admin, duplicate, ReviewDecision::Dismissed, "two different people")
            .expect("resolve");
    assert_eq!((done.status, done.resolution_pending), (ReviewItemStatus::Dismissed, true));
    assert_eq!(done.resolved_by.as_deref(), Some("Ada Admin"));
    assert_eq!(
        outbox(&t).last().map(|o| (o.1.clone(), o.2.clone())),
        Some(("review.resolve".into(), "pending".into()))
    );
    assert_eq!(count(&t, "SELECT count(*) FROM audit_log WHERE action = 'review_resolve' AND detail = 'dismissed'"), 1);
    let again =
        sync::resolve_review_item(&t.clinic, t.admin, duplicate, ReviewDecision::Resolved, "merged").expect_err("done");
    assert_eq!(again.code, ErrorCode::Conflict);

    assert_eq!(sync(&t, &server).review_items_open, 1);
    assert_eq!(server.record("review_item", duplicate).expect("on the server").data["status"], json!("dismissed"));
    let all = sync::list_review_items(&t.clinic, t.admin, true).expect("list");
    let dismissed = all.iter().find(|i| i.id == duplicate).expect("listed with closed ones");
    assert!(!dismissed.resolution_pending);
    assert_eq!(sync::list_review_items(&t.clinic, t.admin, false).expect("open").len(), 1);
}
