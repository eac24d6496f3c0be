//! Crash points: a sync run killed at each named step (before a push is sent; after the server answered a push
//! but before the answer is recorded; after a pulled or downloaded page is applied but before its cursor is
//! saved), the desk's database closed and opened again from its folder, then synced again: nothing is lost and
//! nothing is doubled, on the desk or on the server.

use clinic_core::sync::{Checkpoint, SyncOptions};
use clinic_sync_tests::{Desk, TestServer, assert_converged, assert_killed, paged, person, stop_at};
use uuid::Uuid;

/// Local work on a desk: four registrations, an edit and a deletion. Returns (id, versions the server must hold).
fn offline_work(desk: &Desk, family: &str) -> Vec<(Uuid, i64)> {
    let ids: Vec<Uuid> = (0..4u8)
        .map(|i| desk.register(&person(&["Given", &i.to_string()].concat(), family, (1980, 1, 1 + i as i8))).id)
        .collect();
    desk.edit(ids[0], |d| d.notes = "edited offline".into());
    desk.delete(ids[1]);
    vec![(ids[0], 2), (ids[1], 2), (ids[2], 1), (ids[3], 1)]
}

/// The server holds each record at exactly the expected version, with one stored version per change.
fn assert_applied_once(server: &TestServer, desk: &Desk, expected: &[(Uuid, i64)]) {
    let on_server = server.patients();
    for (id, version) in expected {
        let record = on_server.get(id).unwrap_or_else(|| panic!("patient {id} reached the server"));
        assert_eq!(record.row_version, *version, "patient {id} changed once per local change");
        assert_eq!(server.versions("patient", *id), *version, "patient {id}: one stored version per change");
    }
    let outcomes = server.outcomes(desk.device_id());
    let sent = desk.count("SELECT count(*) FROM outbox");
    assert_eq!(i64::try_from(outcomes.len()).expect("count"), sent, "every mutation of {} answered once", desk.code);
    assert!(outcomes.iter().all(|(_, o)| o == "applied"), "{outcomes:?}");
    assert_eq!(desk.pending(), 0, "nothing left to send on {}", desk.code);
}

/// A push killed at `at` in its second batch, then a restart and a sync.
fn push_killed_at(at: Checkpoint) {
    let server = TestServer::start();
    let mut d1 = Desk::first(&server, "D01");
    d1.sync();
    let d2 = Desk::join(&server, "D02");
    let expected = offline_work(&d1, "Pushed");
    assert_killed(d1.sync_with(&SyncOptions { push_batch: 2, ..stop_at(at, 2, 50) }));
    d1.reopen();
    assert_eq!(d1.patients().len(), 4, "the desk's own records survive the crash");
    let report = d1.sync();
    if at == Checkpoint::PushAnswered {
        assert!(report.duplicates >= 1, "the batch whose answer was lost is answered as a duplicate: {report:?}");
    }
    d2.sync();
    assert_applied_once(&server, &d1, &expected);
    assert_converged(&server, &[&d1, &d2], "after the restart");
}

#[test]
fn killed_before_a_push_is_sent() {
    push_killed_at(Checkpoint::BeforePush);
}

#[test]
fn killed_after_the_server_answered_a_push() {
    push_killed_at(Checkpoint::PushAnswered);
}

#[test]
fn killed_between_applying_a_pulled_page_and_saving_its_cursor() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    d1.sync();
    let mut d2 = Desk::join(&server, "D02");
    let expected = offline_work(&d1, "Pulled");
    d1.sync();
    // A change of D02's own is pending while the pages arrive.
    let own = d2.register(&person("Pending", "Local", (1999, 9, 9)));
    assert_killed(d2.sync_with(&stop_at(Checkpoint::PullPageApplied, 2, 2)));
    d2.reopen();
    let report = d2.sync_with(&paged(2)).expect("sync after the restart");
    assert!(report.problem.is_none(), "{report:?}");
    d1.sync();
    assert_applied_once(&server, &d1, &expected);
    assert_applied_once(&server, &d2, &[(own.id, 1)]);
    assert_eq!(d2.patients().len(), 5, "four from D01 and D02's own, none twice");
    assert_converged(&server, &[&d1, &d2], "after the restart");
}

#[test]
fn killed_between_applying_a_download_page_and_saving_its_progress() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let expected = offline_work(&d1, "Downloaded");
    d1.sync();
    let total = server.record_count();
    assert!(total > 4, "several pages of 2 to download: {total}");

    let (mut d2, joined) = Desk::join_with(&server, "D02", &stop_at(Checkpoint::BootstrapPageApplied, 2, 2));
    assert_killed(joined);
    d2.reopen_signed_out();
    let report = d2.sync_with(&paged(2)).expect("sync after the restart");
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(
        i64::from(report.bootstrap_records),
        total - 2,
        "the download resumes after the one page it saved, and brings the rest once"
    );
    d2.sign_in_again();
    assert_applied_once(&server, &d1, &expected);
    assert_converged(&server, &[&d1, &d2], "after the restart");
}

#[test]
fn the_first_desk_killed_during_its_own_first_download() {
    let server = TestServer::start();
    let mut d1 = Desk::first(&server, "D01");
    let expected = offline_work(&d1, "Early");
    assert_killed(d1.sync_with(&stop_at(Checkpoint::BootstrapPageApplied, 1, 2)));
    d1.reopen();
    let report = d1.sync_with(&paged(2)).expect("sync after the restart");
    assert!(report.problem.is_none(), "{report:?}");
    assert_applied_once(&server, &d1, &expected);
    let d2 = Desk::join(&server, "D02");
    assert_converged(&server, &[&d1, &d2], "after the restart");
}
