//! A second computer joins a clinic that already syncs: it enrolls with a one-time code instead of running
//! setup, downloads the clinic, its staff and patients, and the first desk's administrator signs in there.

mod common;
mod sync_support;

use clinic_core::clock::Env;
use clinic_core::keys::MemoryKeyStore;
use clinic_core::store::DataDir;
use clinic_core::sync::{self, SyncOptions, SyncProblemCode};
use clinic_core::{Clinic, ErrorCode, accounts, patients, setup};
use common::{ADMIN_PASSWORD, TestClinic};
use sync_support::{Call, FakeServer, Fault, SERVER_URL, enroll, found, register, sync};

struct NewComputer {
    _dir: tempfile::TempDir,
    keys: MemoryKeyStore,
    clinic: Clinic,
}

fn new_computer(code: &str) -> NewComputer {
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = MemoryKeyStore::default();
    let (clinic, _) =
        Clinic::create(&DataDir::new(dir.path().join("data")), &keys, Env::system(), code).expect("create");
    NewComputer { _dir: dir, keys, clinic }
}

fn join(computer: &NewComputer, server: &FakeServer, code: &str) -> sync::SyncReport {
    sync::join_clinic(
        &computer.clinic,
        server,
        &computer.keys,
        SERVER_URL,
        code,
        "Reception 2",
        &SyncOptions::default(),
    )
    .expect("join")
}

#[test]
fn a_joining_computer_gets_the_clinic_its_staff_and_patients() {
    let server = FakeServer::new();
    let first = TestClinic::new();
    let awa = register(&first, "Awa", "Traoré");
    enroll(&first, &server, "CODE-1");
    assert!(sync(&first, &server).problem.is_none());

    let second = new_computer("D02");
    assert_eq!(sync::join_progress(&second.clinic).expect("progress"), None, "not joining before enrolling");
    let report = join(&second, &server, "CODE-2");
    assert_eq!(report.problem, None);
    assert!(setup::is_set_up(&second.clinic).expect("set up"), "the download brought the clinic");
    assert_eq!(setup::clinic_name(&second.clinic).expect("name").as_deref(), Some(common::settings().name.as_str()));
    assert_eq!(sync::join_progress(&second.clinic).expect("progress"), None);

    let session = accounts::login(&second.clinic, "admin", ADMIN_PASSWORD).expect("the first desk's admin signs in");
    let there = patients::get(&second.clinic, session.session_id, awa.id).expect("patient downloaded");
    assert_eq!((there.mrn.as_str(), there.details.family_name.as_str()), (awa.mrn.as_str(), "Traoré"));
    assert!(
        patients::search(&second.clinic, session.session_id, "trao", 10)
            .expect("search")
            .iter()
            .any(|p| p.id == awa.id)
    );

    // A patient registered on the new computer reaches the first, with the new computer's own series.
    let draft = sync_support::draft("Kofi", "Mensah");
    let kofi = match patients::register(&second.clinic, session.session_id, &draft, true).expect("register") {
        patients::RegisterOutcome::Registered(p) => p,
        other => panic!("not registered: {other:?}"),
    };
    assert!(kofi.mrn.contains("-D02-"), "{}", kofi.mrn);
    sync::run_once(&second.clinic, &server, &second.keys, &SyncOptions::default()).expect("push");
    sync(&first, &server);
    assert_eq!(found(&first, "mensah").len(), 1);
}

#[test]
fn joining_offline_waits_for_the_download_and_a_set_up_computer_cannot_join() {
    let server = FakeServer::new();
    let first = TestClinic::new();
    enroll(&first, &server, "CODE-1");
    sync(&first, &server);

    let second = new_computer("D02");
    server.fail_next(Call::Bootstrap, Fault::Unreachable);
    let report = join(&second, &server, "CODE-2");
    assert_eq!(report.problem.as_ref().map(|p| p.code), Some(SyncProblemCode::Offline));
    let waiting = sync::join_progress(&second.clinic).expect("progress").expect("joining");
    assert_eq!(waiting.server_url, SERVER_URL);
    assert_eq!(waiting.problem.map(|p| p.code), Some(SyncProblemCode::Offline));
    assert!(
        accounts::login(&second.clinic, "admin", ADMIN_PASSWORD).is_err(),
        "nobody can sign in before the download"
    );

    // The next sync (the app's timer) finishes the download.
    sync::run_once(&second.clinic, &server, &second.keys, &SyncOptions::default()).expect("sync");
    assert_eq!(sync::join_progress(&second.clinic).expect("progress"), None);
    accounts::login(&second.clinic, "admin", ADMIN_PASSWORD).expect("sign in after the download");

    let refused =
        sync::join_clinic(&first.clinic, &server, &first.keys, SERVER_URL, "CODE-3", "Desk", &SyncOptions::default())
            .expect_err("already set up");
    assert_eq!(refused.code, ErrorCode::Conflict);
}

#[test]
fn a_wrong_code_is_refused_and_nothing_is_enrolled() {
    let server = FakeServer::new();
    let second = new_computer("D02");
    let refused = sync::join_clinic(
        &second.clinic,
        &server,
        &second.keys,
        SERVER_URL,
        "NOT-A-CODE",
        "Desk 2",
        &SyncOptions::default(),
    )
    .expect_err("wrong code");
    assert_ne!(refused.code, ErrorCode::Internal);
    assert_eq!(sync::join_progress(&second.clinic).expect("progress"), None);
    assert!(!setup::is_set_up(&second.clinic).expect("set up"));
}
