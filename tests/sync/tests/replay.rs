//! Replays: a push the server applied but whose answer never arrived, a push sent twice, and an old push sent
//! again verbatim much later are each answered `duplicate` and change nothing on the server — no version bumped
//! twice, no change numbered twice — and the desks stay identical.

use clinic_core::keys::CredentialStore;
use clinic_core::sync::{Checkpoint, Remote, ServerUrl, SyncTransport};
use clinic_protocol::push::Outcome;
use clinic_sync_tests::{Desk, Fault, FlakyTransport, TestServer, assert_converged, assert_killed, person, stop_at};

#[test]
fn a_push_whose_answer_was_lost_is_recognised_and_not_applied_again() {
    let server = TestServer::start();
    let mut d1 = Desk::first(&server, "D01");
    d1.sync();
    let d2 = Desk::join(&server, "D02");
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    d1.edit(amina.id, |d| d.notes = "edited once".into());
    assert_killed(d1.sync_with(&stop_at(Checkpoint::PushAnswered, 1, 50)));
    let applied = server.applied_and_seq();
    assert_eq!(server.patients()[&amina.id].row_version, 2, "the server applied both changes once");

    d1.reopen();
    let report = d1.sync();
    assert_eq!((report.duplicates, report.applied), (2, 0), "both answered as duplicates: {report:?}");
    assert_eq!(server.applied_and_seq(), applied, "no mutation applied and no change numbered again");
    assert_eq!(server.patients()[&amina.id].row_version, 2, "the version was not bumped again");
    assert_eq!(server.versions("patient", amina.id), 2);
    d2.sync();
    assert_eq!(d2.patient(amina.id).details.notes, "edited once");
    assert_converged(&server, &[&d1, &d2], "after the replay");
    d1.assert_healthy("after the replay");
}

#[test]
fn a_push_sent_twice_is_applied_once() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    d1.sync();
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    d1.edit(amina.id, |d| d.notes = "edited once".into());
    let twice = FlakyTransport::new();
    twice.queue([Fault::Twice]);
    let report = d1.sync_via(&twice, &Default::default()).expect("sync");
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(twice.counts().twice, 1);
    assert_eq!(report.duplicates, 2, "the answer that came back is the repeat's: {report:?}");
    assert_eq!(server.patients()[&amina.id].row_version, 2);
    assert_eq!(server.versions("patient", amina.id), 2);
    let d2 = Desk::join(&server, "D02");
    assert_converged(&server, &[&d1, &d2], "after the repeated push");
    d1.assert_healthy("after the repeated push");
}

#[test]
fn an_old_push_sent_again_verbatim_changes_nothing() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let recording = FlakyTransport::new();
    let amina = d1.register(&person("Amina", "Diallo", (1984, 6, 1)));
    d1.edit(amina.id, |d| d.notes = "first".into());
    let report = d1.sync_via(&recording, &Default::default()).expect("sync");
    assert!(report.problem.is_none(), "{report:?}");
    let d2 = Desk::join(&server, "D02");
    // Later changes on both desks, so the old push's values are no longer the current ones.
    d2.edit(amina.id, |d| d.notes = "second".into());
    d2.sync();
    d1.sync();

    let before = (server.patients(), server.applied_and_seq());
    let old = recording.pushes().into_iter().find(|p| !p.mutations.is_empty()).expect("a push with changes");
    let credential = d1.keys.load_credential().expect("keychain").expect("credential");
    let url = ServerUrl::parse(&server.url).expect("url");
    let answer = d1.http.push(&Remote { server: &url, credential: &credential }, &old).expect("replayed push");
    assert_eq!(answer.results.len(), old.mutations.len());
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Duplicate), "{:?}", answer.results);
    assert_eq!((server.patients(), server.applied_and_seq()), before, "the replay changed nothing on the server");
    assert_eq!(d2.sync().pulled, 0, "nothing new to pull after the replay");
    assert_eq!(d1.patient(amina.id).details.notes, "second");
    assert_converged(&server, &[&d1, &d2], "after the verbatim replay");
}
