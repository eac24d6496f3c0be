//! Pushing: every change reaches the server exactly once whatever is cut or killed (before sending, after the
//! server committed, before the answer was recorded); refused changes are kept and shown; a server restored
//! from a backup gets everything again.

mod common;
mod sync_support;

use clinic_core::ErrorCode;
use clinic_core::sync::{self, Checkpoint, ConnectionState, OFFLINE_MESSAGE, SyncProblemCode};
use clinic_protocol::ApiErrorCode;
use common::TestClinic;
use sync_support::{Call, FakeServer, Fault, count, enroll, outbox, register, stop_at, sync};

fn enrolled() -> (TestClinic, FakeServer) {
    let t = TestClinic::new();
    let server = FakeServer::new();
    enroll(&t, &server, "CODE-1");
    (t, server)
}

fn states(t: &TestClinic) -> Vec<String> {
    outbox(t).into_iter().map(|(_, _, state)| state).collect()
}

/// Every mutation the server holds was applied exactly once.
fn applied_once(server: &FakeServer) {
    server.with(|s| assert!(s.applications.values().all(|n| *n == 1), "{:?}", s.applications));
}

#[test]
fn changes_are_applied_once_and_the_audit_chain_follows() {
    let (t, server) = enrolled();
    let amina = register(&t, "Amina", "Diallo");
    register(&t, "Bruno", "Costa");
    let report = sync(&t, &server);
    let queued = outbox(&t).len() as u32;
    assert_eq!((report.pushed, report.applied, report.pending), (queued, queued, 0), "{report:?}");
    assert!(states(&t).iter().all(|s| s == "applied"), "kept after being applied");
    assert!(server.record("patient", amina.id).is_some());
    applied_once(&server);

    let device = t.clinic.device().id;
    let held = server.with(|s| s.audit.get(&device).map(Vec::len).unwrap_or_default()) as i64;
    assert_eq!(count(&t, "SELECT audit_acknowledged_seq FROM sync_state"), held);
    assert!(held >= 4, "setup, staff, registrations: {held}");
}

#[test]
fn a_push_that_never_left_loses_nothing_and_says_so() {
    let (t, server) = enrolled();
    register(&t, "Amina", "Diallo");
    server.fail_next(Call::Push, Fault::Unreachable);
    let report = sync(&t, &server);
    let problem = report.problem.clone().expect("offline");
    assert_eq!(
        (problem.code, problem.message.as_str(), report.online),
        (SyncProblemCode::Offline, OFFLINE_MESSAGE, false)
    );
    assert!(states(&t).iter().all(|s| s == "pending"));
    let status = sync::status(&t.clinic, t.admin).expect("status");
    assert_eq!(status.connection, ConnectionState::Offline);
    assert_eq!(status.last_error.expect("error").code, SyncProblemCode::Offline);
    assert_eq!(status.consecutive_failures, 1);
    assert!(status.pending_count > 0);

    let report = sync(&t, &server);
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(report.duplicates, 0);
    assert!(states(&t).iter().all(|s| s == "applied"));
    let status = sync::status(&t.clinic, t.admin).expect("status");
    assert_eq!((status.connection, status.consecutive_failures, status.last_error), (ConnectionState::Online, 0, None));
    assert!(status.last_synced_at.is_some());
}

#[test]
fn an_answer_lost_after_the_server_committed_comes_back_as_duplicates() {
    let (t, server) = enrolled();
    register(&t, "Amina", "Diallo");
    server.fail_next(Call::Push, Fault::AnswerLost);
    assert!(sync(&t, &server).problem.is_some());
    assert!(states(&t).iter().all(|s| s == "pending"), "the device does not know the server applied them");

    let t = t.reopen();
    let report = sync(&t, &server);
    let queued = outbox(&t).len() as u32;
    assert_eq!((report.duplicates, report.applied), (queued, 0), "{report:?}");
    assert!(states(&t).iter().all(|s| s == "applied"));
    applied_once(&server);
    assert_eq!(count(&t, "SELECT count(*) FROM outbox WHERE outcome = 'duplicate'"), i64::from(queued));
}

#[test]
fn killed_after_the_answer_arrived_but_before_it_was_recorded() {
    let (t, server) = enrolled();
    register(&t, "Amina", "Diallo");
    let err =
        sync::run_once(&t.clinic, &server, &t.keys, &stop_at(Checkpoint::PushAnswered, 1, 500)).expect_err("killed");
    assert_eq!(err.code, ErrorCode::Internal);
    let t = t.reopen();
    let report = sync(&t, &server);
    assert_eq!(report.applied, 0);
    assert!(report.duplicates > 0);
    applied_once(&server);
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 1, "pulling its own change back doubles nothing");
}

#[test]
fn a_request_refused_for_one_change_marks_that_one_and_sends_the_rest() {
    let (t, server) = enrolled();
    register(&t, "Amina", "Diallo");
    register(&t, "Bruno", "Costa");
    let second = outbox(&t)[1].0;
    server.fail_next(
        Call::Push,
        Fault::Error(422, ApiErrorCode::Validation, Some("mutations[1].args.patient.given_name".into())),
    );
    let report = sync(&t, &server);
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(report.rejected, 1);
    let rejected = sync::list_rejected_mutations(&t.clinic, t.admin).expect("list");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].device_seq, second);
    assert!(rejected[0].reason.contains("fake server"), "the server's message: {}", rejected[0].reason);
    assert_eq!(count(&t, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 0);
}

#[test]
fn refused_changes_are_kept_listed_and_retried_or_discarded_by_a_person() {
    let (t, server) = enrolled();
    sync(&t, &server);
    let amina = register(&t, "Amina", "Diallo");
    let mut edit = amina.details.clone();
    edit.notes = "prefers mornings".into();
    clinic_core::patients::update(&t.clinic, t.admin, amina.id, amina.row_version, &edit).expect("edit");
    server.with(|s| s.refused_entities.insert(amina.id));
    let report = sync(&t, &server);
    assert_eq!(report.rejected, 2, "{report:?}");

    let listed = sync::list_rejected_mutations(&t.clinic, t.admin).expect("list");
    let descriptions: Vec<&str> = listed.iter().map(|r| r.description.as_str()).collect();
    assert_eq!(
        descriptions,
        ["Registration of Diallo, Amina (MAIN-D01-000001)", "Edit of Diallo, Amina (MAIN-D01-000001): notes"]
    );
    assert!(listed.iter().all(|r| r.reason == "Refused by the test server." && r.authored_by.is_some()));
    assert_eq!(sync::status(&t.clinic, t.admin).expect("status").rejected.len(), 2);

    let err = sync::discard_rejected_mutation(&t.clinic, t.admin, listed[1].device_seq, "  ").expect_err("why?");
    assert_eq!(err.field.as_deref(), Some("reason"));
    server.with(|s| s.refused_entities.clear());
    let new_seq = sync::retry_rejected_mutation(&t.clinic, t.admin, listed[0].device_seq).expect("retry");
    assert!(new_seq > listed[1].device_seq, "queued again as a new mutation");
    sync::discard_rejected_mutation(&t.clinic, t.admin, listed[1].device_seq, "made again by hand").expect("discard");
    let again = sync::retry_rejected_mutation(&t.clinic, t.admin, listed[1].device_seq).expect_err("dealt with");
    assert_eq!(again.code, ErrorCode::NotFound);
    assert!(sync::list_rejected_mutations(&t.clinic, t.admin).expect("list").is_empty());

    let report = sync(&t, &server);
    assert_eq!((report.applied, report.rejected), (1, 0), "{report:?}");
    assert!(server.record("patient", amina.id).is_some());
    let (retried, discarded) = (
        count(&t, "SELECT count(*) FROM audit_log WHERE action = 'sync_retry' AND user_id IS NOT NULL"),
        count(&t, "SELECT count(*) FROM audit_log WHERE action = 'sync_discard' AND user_id IS NOT NULL"),
    );
    assert_eq!((retried, discarded), (1, 1));
    assert_eq!(
        count(&t, "SELECT count(*) FROM outbox WHERE resolution = 'dismissed' AND resolution_note IS NOT NULL"),
        1
    );
}

#[test]
fn a_server_restored_from_a_backup_gets_everything_again() {
    let (t, server) = enrolled();
    let amina = register(&t, "Amina", "Diallo");
    sync(&t, &server);
    let backup = server.with(|s| s.clone());
    let bruno = register(&t, "Bruno", "Costa");
    sync(&t, &server);
    server.restore(backup);
    assert!(server.record("patient", bruno.id).is_none(), "the restore lost Bruno");

    let report = sync(&t, &server);
    assert!(report.problem.is_none(), "{report:?}");
    assert!(report.epoch_changed);
    assert!(report.duplicates > 0, "what the server still had is answered as duplicate");
    assert!(server.record("patient", bruno.id).is_some(), "re-pushed");
    assert!(server.record("patient", amina.id).is_some());
    applied_once(&server);
    assert!(states(&t).iter().all(|s| s == "applied"));
    assert_eq!(count(&t, "SELECT count(*) FROM patients"), 2);
    let stored: String = t
        .clinic
        .with_connection_for_tests(|c| c.query_row("SELECT epoch FROM sync_state", [], |r| r.get(0)))
        .expect("conn")
        .expect("epoch");
    assert_eq!(stored, server.with(|s| s.epoch.to_string()), "the new epoch is adopted");

    // The audit chain the restore lost is sent again too.
    sync(&t, &server);
    let device = t.clinic.device().id;
    let server_chain = server.with(|s| s.audit.get(&device).cloned().unwrap_or_default());
    let acknowledged = count(&t, "SELECT audit_acknowledged_seq FROM sync_state");
    assert_eq!(server_chain.len() as i64, acknowledged);
    assert_eq!(count(&t, "SELECT count(*) FROM sync_state WHERE audit_chain_break IS NULL"), 1);
}

#[test]
fn audit_entries_the_server_refuses_do_not_hold_up_the_changes() {
    let (t, server) = enrolled();
    register(&t, "Amina", "Diallo");
    server.fail_next(Call::Push, Fault::Error(422, ApiErrorCode::Validation, Some("audit[0].hash".into())));
    let report = sync(&t, &server);
    assert!(report.problem.is_none(), "{report:?}");
    assert!(states(&t).iter().all(|s| s == "applied"), "the changes went without the audit entries");
    let status = sync::status(&t.clinic, t.admin).expect("status");
    assert!(status.audit_chain_break.is_some(), "and the refusal is shown");
    sync(&t, &server);
    assert!(sync::status(&t.clinic, t.admin).expect("status").audit_chain_break.is_none(), "accepted next time");
}
