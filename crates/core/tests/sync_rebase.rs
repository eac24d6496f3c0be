//! Rebase: when a pulled version arrives for a record with local changes not yet on the server, the server's
//! version is written and the local changes are re-applied on top — none lost, none applied twice — and after
//! the next push both sides hold the same record.

mod common;
mod sync_support;

use clinic_core::patients::{self, Patient, Phone, PhoneKind};
use clinic_core::sync::{self, SyncOptions};
use common::TestClinic;
use serde_json::json;
use sync_support::{DuringPull, FakeServer, count, enroll, found, local_patient, register, sync};
use uuid::Uuid;

/// A patient registered here and synced, so both sides hold version 1.
fn shared_patient() -> (TestClinic, FakeServer, Patient) {
    let t = TestClinic::new();
    let server = FakeServer::new();
    enroll(&t, &server, "CODE-1");
    let amina = register(&t, "Amina", "Diallo");
    sync(&t, &server);
    let amina = local_patient(&t, amina.id).expect("patient");
    (t, server, amina)
}

/// Another desk's edit of the patient, through the server.
fn edit_elsewhere(server: &FakeServer, id: Uuid, change: impl FnOnce(&mut serde_json::Value)) {
    let mut data = server.record("patient", id).expect("on the server").data;
    change(&mut data);
    server.put("patient", id, data, None);
}

fn edit_here(t: &TestClinic, id: Uuid, change: impl FnOnce(&mut patients::PatientDraft)) {
    let current = local_patient(t, id).expect("patient");
    let mut draft = current.details.clone();
    change(&mut draft);
    patients::update(&t.clinic, t.admin, id, current.row_version, &draft).expect("edit");
}

/// A sync run during whose pull a person makes `edit` here.
fn sync_while(t: &TestClinic, server: &FakeServer, edit: impl FnOnce()) {
    let transport = DuringPull::new(server, edit);
    let report = sync::run_once(&t.clinic, &transport, &t.keys, &SyncOptions::default()).expect("run");
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(report.rebased, 1, "{report:?}");
}

fn server_patient(server: &FakeServer, id: Uuid) -> serde_json::Value {
    server.record("patient", id).expect("on the server").data["patient"].clone()
}

#[test]
fn a_pending_edit_is_reapplied_over_another_desks_edit_of_other_fields() {
    let (t, server, amina) = shared_patient();
    edit_elsewhere(&server, amina.id, |d| d["patient"]["email"] = json!("amina@example.org"));
    sync_while(&t, &server, || edit_here(&t, amina.id, |d| d.notes = "prefers mornings".into()));

    let local = local_patient(&t, amina.id).expect("patient");
    assert_eq!(local.details.email.as_deref(), Some("amina@example.org"), "the other desk's change is here");
    assert_eq!(local.details.notes, "prefers mornings", "the local change is not lost");
    assert_eq!(count(&t, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 1, "still to be sent");

    sync(&t, &server);
    let remote = server_patient(&server, amina.id);
    assert_eq!(
        (remote["email"].as_str(), remote["notes"].as_str()),
        (Some("amina@example.org"), Some("prefers mornings"))
    );
    let local = local_patient(&t, amina.id).expect("patient");
    assert_eq!(serde_json::to_value(&local.details).expect("json"), remote, "both sides hold the same record");
    assert_eq!(local.row_version, server.record("patient", amina.id).expect("record").row_version);
}

#[test]
fn a_pending_edit_of_the_same_field_stays_here_until_the_server_decides() {
    let (t, server, amina) = shared_patient();
    edit_elsewhere(&server, amina.id, |d| {
        d["patient"]["phones"] = json!([{ "kind": "home", "number": "020 7946 0018" }])
    });
    let mine = vec![Phone { kind: PhoneKind::Mobile, number: "+33 6 12 34 56 78".into() }];
    sync_while(&t, &server, || edit_here(&t, amina.id, |d| d.phones = mine.clone()));
    assert_eq!(local_patient(&t, amina.id).expect("patient").details.phones, mine);
    assert_eq!(found(&t, "0612345678").len(), 1, "look-ups follow the rebased record");
    assert!(found(&t, "02079460018").is_empty());

    sync(&t, &server);
    assert_eq!(server_patient(&server, amina.id)["phones"][0]["number"], json!("+33 6 12 34 56 78"));
    server.with(|s| assert!(s.applications.values().all(|n| *n == 1)));
}

#[test]
fn a_pending_deletion_stays_deleted_over_a_pulled_edit() {
    let (t, server, amina) = shared_patient();
    edit_elsewhere(&server, amina.id, |d| d["patient"]["family_name"] = json!("Diallo-Sow"));
    sync_while(&t, &server, || {
        patients::delete(&t.clinic, t.admin, amina.id, "registered twice").expect("delete");
    });
    let local = local_patient(&t, amina.id).expect("kept");
    assert!(local.deleted_at.is_some(), "still deleted here");
    assert_eq!(local.details.family_name, "Diallo-Sow", "with the other desk's change underneath");
    assert!(found(&t, "sow").is_empty(), "a deleted record is not found");

    sync(&t, &server);
    assert!(server.record("patient", amina.id).expect("record").deleted_at.is_some());
    assert!(local_patient(&t, amina.id).expect("kept").deleted_at.is_some());
}

#[test]
fn a_pending_merge_stays_merged_over_a_pulled_edit() {
    let (t, server, amina) = shared_patient();
    let twin = register(&t, "Aminah", "Diallo");
    sync(&t, &server);
    edit_elsewhere(&server, twin.id, |d| d["patient"]["notes"] = json!("same person?"));
    sync_while(&t, &server, || {
        patients::merge(&t.clinic, t.admin, amina.id, twin.id, "same person, registered twice").expect("merge");
    });
    let local = local_patient(&t, twin.id).expect("kept");
    assert_eq!((local.merged_into, local.details.notes.as_str()), (Some(amina.id), "same person?"));
    sync(&t, &server);
    assert_eq!(server.record("patient", twin.id).expect("record").data["merged_into"], json!(amina.id));
}
