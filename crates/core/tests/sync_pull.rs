//! Pulled records reach the local store correctly (search index and look-ups included), a page and its cursor
//! commit together, page boundaries are exact, and records of every synced kind (patients, staff, clinic
//! settings, unknown kinds) are written or kept.

mod common;
mod sync_support;

use clinic_core::accounts;
use clinic_core::rbac::Role;
use clinic_core::sync::{self, Checkpoint};
use clinic_core::{ErrorCode, setup};
use common::TestClinic;
use serde_json::json;
use sync_support::{Call, FakeServer, count, enroll, found, local_patient, patient_data, stop_at, sync, sync_paged};
use uuid::Uuid;

fn enrolled() -> (TestClinic, FakeServer) {
    let t = TestClinic::new();
    let server = FakeServer::new();
    enroll(&t, &server, "CODE-1");
    (t, server)
}

fn cursor(t: &TestClinic) -> i64 {
    count(t, "SELECT cursor_seq FROM sync_state")
}

#[test]
fn pulled_patients_are_found_changed_and_removed_like_local_ones() {
    let (t, server) = enrolled();
    assert!(sync(&t, &server).problem.is_none());
    let id = Uuid::now_v7();
    server.put("patient", id, patient_data("MAIN-D02-000001", "Wanjiru", "Kamau"), None);
    let report = sync(&t, &server);
    assert_eq!((report.pulled, report.written), (1, 1), "{report:?}");
    assert_eq!(found(&t, "kamau"), vec!["MAIN-D02-000001".to_owned()]);
    assert_eq!(found(&t, "MAIN-D02-000001"), vec!["MAIN-D02-000001".to_owned()], "the MRN look-up is written");

    let mut changed = patient_data("MAIN-D02-000001", "Wanjiru", "Mwangi");
    changed["patient"]["phones"] = json!([{ "kind": "mobile", "number": "+254 712 345 678" }]);
    server.put("patient", id, changed, None);
    sync(&t, &server);
    assert!(found(&t, "kamau").is_empty(), "the old name is out of the index");
    assert_eq!(found(&t, "mwangi"), vec!["MAIN-D02-000001".to_owned()]);
    assert_eq!(found(&t, "0712345678"), vec!["MAIN-D02-000001".to_owned()], "phone look-ups follow");
    let local = local_patient(&t, id).expect("patient");
    assert_eq!(local.row_version, 2, "the server's version");

    let mut removed = patient_data("MAIN-D02-000001", "Wanjiru", "Mwangi");
    removed["delete_reason"] = json!("registered twice");
    server.put("patient", id, removed, Some("2026-03-02T09:00:00Z".into()));
    sync(&t, &server);
    assert!(found(&t, "mwangi").is_empty(), "a tombstone is not found");
    let local = local_patient(&t, id).expect("kept, not removed");
    assert_eq!(local.deleted_at.as_deref(), Some("2026-03-02T09:00:00.000Z"));
    assert_eq!(local.deleted_reason.as_deref(), Some("registered twice"));
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 1, "one record throughout, never two");
}

#[test]
fn a_merge_that_arrives_before_its_survivor_waits_for_it() {
    let server = FakeServer::new();
    let (duplicate, survivor) = (Uuid::from_u128(10), Uuid::from_u128(20));
    server.put("patient", survivor, patient_data("MAIN-D02-000002", "Joseph", "Otieno"), None);
    let mut merged = patient_data("MAIN-D02-000001", "Josef", "Otieno");
    merged["merged_into"] = json!(survivor);
    server.put("patient", duplicate, merged, None);

    let t = TestClinic::new();
    enroll(&t, &server, "CODE-1");
    // One record per page: the duplicate (lower id) comes first, before the record it was merged with.
    let report = sync_paged(&t, &server, 1);
    assert!(report.problem.is_none(), "{report:?}");
    assert!(report.parked >= 1, "it had to wait: {report:?}");
    assert_eq!(local_patient(&t, duplicate).expect("written once the survivor arrived").merged_into, Some(survivor));
    assert_eq!(found(&t, "otieno"), vec!["MAIN-D02-000002".to_owned()], "merged records are not found");
    assert_eq!(sync::status(&t.clinic, t.admin).expect("status").records_waiting, 0);
}

#[test]
fn a_page_and_its_cursor_commit_together() {
    let (t, server) = enrolled();
    sync(&t, &server);
    let before = (cursor(&t), count(&t, "SELECT count(*) FROM patients"), count(&t, "SELECT count(*) FROM audit_log"));
    for i in 1..=3 {
        server.put("patient", Uuid::now_v7(), patient_data(&format!("MAIN-D02-00000{i}"), "Ana", "Silva"), None);
    }
    let err = sync::run_once(&t.clinic, &server, &t.keys, &stop_at(Checkpoint::PullPageApplied, 1, 10))
        .expect_err("killed between applying the page and saving its cursor");
    assert_eq!(err.code, ErrorCode::Internal);
    let after = (cursor(&t), count(&t, "SELECT count(*) FROM patients"), count(&t, "SELECT count(*) FROM audit_log"));
    assert_eq!(after, before, "nothing of the page was kept, and the cursor did not move");

    let t = t.reopen();
    let report = sync(&t, &server);
    assert_eq!(report.written, 3, "{report:?}");
    assert_eq!(found(&t, "silva").len(), 3);
    assert_eq!(cursor(&t), server.with(|s| s.seq));
}

#[test]
fn page_boundaries_are_exact_for_pull_and_bootstrap() {
    const PAGE: u32 = 5;
    for n in [0usize, 1, 4, 5, 6, 11] {
        let server = FakeServer::new();
        let early = TestClinic::new();
        enroll(&early, &server, "CODE-1");
        sync(&early, &server);
        for i in 0..n {
            server.put("patient", Uuid::now_v7(), patient_data(&format!("MAIN-D09-{i:06}"), "Page", "Boundary"), None);
        }
        let pulled = sync_paged(&early, &server, PAGE);
        assert_eq!((pulled.pulled as usize, pulled.written as usize), (n, n), "pull of {n}: {pulled:?}");
        assert_eq!(found(&early, "boundary").len(), n, "pull of {n}");

        let late = TestClinic::new();
        enroll(&late, &server, "CODE-2");
        server.calls.lock().expect("calls").clear();
        let booted = sync_paged(&late, &server, PAGE);
        assert!(booted.problem.is_none(), "{booted:?}");
        assert_eq!(found(&late, "boundary").len(), n, "bootstrap of {n}");
        // The early device's own setup records count too: what matters is every page ends where it should.
        let records = server.with(|s| s.records.len());
        assert_eq!(booted.bootstrap_records as usize, records, "bootstrap of {n}");
        let pages = server.calls_of(Call::Bootstrap).len();
        assert_eq!(pages, records.div_ceil(PAGE as usize).max(1), "bootstrap of {n}: {records} records");
    }
}

#[test]
fn staff_added_on_another_desk_can_sign_in_here_and_lose_access_with_it() {
    let (t, server) = enrolled();
    sync(&t, &server);
    let id = Uuid::now_v7();
    let hash = accounts::password::hash("joy pass phrase 1").expect("hash");
    let member = json!({
        "id": id, "username": "nurse.joy", "display_name": "Joy Wambui", "role": "nurse", "active": true,
        "must_change_password": false, "created_at": "2026-03-01T10:00:00.000Z"
    });
    server.put("staff", id, json!({ "member": member, "password_hash": hash }), None);
    sync(&t, &server);
    let joy = accounts::login(&t.clinic, "nurse.joy", "joy pass phrase 1").expect("signs in here");
    assert_eq!(joy.role, Role::Nurse);

    server.put("staff", id, json!({ "member": member, "password_hash": hash, "active": false }), None);
    sync(&t, &server);
    let err = setup::settings(&t.clinic, joy.session_id).expect_err("session ended");
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert!(accounts::login(&t.clinic, "nurse.joy", "joy pass phrase 1").is_err(), "deactivated");
}

#[test]
fn clinic_settings_from_the_server_apply_but_the_record_number_code_stays() {
    let (t, server) = enrolled();
    sync(&t, &server);
    let mut settings = serde_json::to_value(common::settings()).expect("settings");
    settings["name"] = json!("Riverside Clinic, Annex");
    settings["code"] = json!("OTHER");
    settings["idle_lock_minutes"] = json!(30);
    server.put("clinic", Uuid::now_v7(), settings, None);
    sync(&t, &server);
    let now = setup::settings(&t.clinic, t.admin).expect("settings");
    assert_eq!((now.name.as_str(), now.code.as_str(), now.idle_lock_minutes), ("Riverside Clinic, Annex", "MAIN", 30));
}

#[test]
fn records_of_a_kind_this_version_does_not_know_are_kept_not_lost() {
    let (t, server) = enrolled();
    sync(&t, &server);
    server.put("appointment", Uuid::now_v7(), json!({ "starts_at": "2026-03-03T09:00:00Z" }), None);
    let report = sync(&t, &server);
    assert_eq!(report.parked, 1);
    assert_eq!(cursor(&t), server.with(|s| s.seq), "the stream moves on");
    assert_eq!(sync::status(&t.clinic, t.admin).expect("status").records_waiting, 1);
    assert_eq!(count(&t, "SELECT count(*) FROM sync_parked WHERE entity = 'appointment'"), 1);
}
