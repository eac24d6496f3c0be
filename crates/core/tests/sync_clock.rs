//! The hybrid logical clock: every outbox mutation is stamped in its transaction, stamps only increase (across
//! restarts and a clock set back), server stamps move the clock on, and a large skew is reported.

mod common;
mod sync_support;

use std::path::Path;

use clinic_core::Clinic;
use clinic_core::clock::Env;
use clinic_core::keys::DatabaseKey;
use clinic_core::store::DataDir;
use clinic_core::sync;
use clinic_protocol::hlc::Hlc;
use common::TestClinic;
use sync_support::{FakeServer, enroll, register, sync};

fn stamps(clinic: &Clinic) -> Vec<Hlc> {
    clinic
        .with_connection_for_tests(|c| {
            c.prepare("SELECT hlc FROM outbox ORDER BY device_seq")
                .expect("prepare")
                .query_map([], |r| r.get::<_, String>(0))
                .expect("query")
                .map(|t| t.expect("row").parse::<Hlc>().expect("well-formed stamp"))
                .collect()
        })
        .expect("conn")
}

#[test]
fn stamps_only_increase_across_restarts_and_a_clock_set_back() {
    let t = TestClinic::new();
    register(&t, "Amina", "Diallo");
    register(&t, "Bruno", "Costa");
    let before_restart = sync::current_clock(&t.clinic).expect("clock");
    let t = t.reopen();
    assert_eq!(sync::current_clock(&t.clinic).expect("clock"), before_restart, "the clock is persisted");
    t.clock.advance_secs(-86_400);
    register(&t, "Chen", "Li");
    let t = t.reopen();
    t.clock.advance_secs(-3_600);
    register(&t, "Dara", "Okafor");

    let all = stamps(&t.clinic);
    let device = t.clinic.device().id.to_string();
    assert!(all.len() >= 6, "setup, staff and four registrations are queued");
    assert!(all.iter().all(|s| s.node == device), "the node is this device");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "strictly increasing in queue order: {all:?}");
    let last = all.last().expect("stamp");
    assert_eq!(last.wall_ms, before_restart.wall_ms, "a clock set back does not move stamps back");
    assert_eq!(sync::current_clock(&t.clinic).expect("clock"), *last);
}

#[test]
fn a_server_clock_far_ahead_is_reported_and_later_stamps_order_after_it() {
    let t = TestClinic::new();
    let server = FakeServer::new();
    server.with(|s| s.now_ms += 2 * 3_600_000);
    enroll(&t, &server, "CODE-1");
    register(&t, "Amina", "Diallo");
    let report = sync(&t, &server);
    assert!(report.problem.is_none(), "{report:?}");
    assert_eq!(report.rejected, 0);

    let status = sync::status(&t.clinic, t.admin).expect("status");
    let skew = status.clock_skew.expect("skew reported");
    assert!((119..=121).contains(&skew.ahead_minutes), "{skew:?}");
    assert!(skew.message.contains("right order"), "{}", skew.message);

    let server_stamp = server.with(|s| s.hlc.clone());
    register(&t, "Bruno", "Costa");
    let mine = stamps(&t.clinic).pop().expect("stamp");
    assert!(mine > server_stamp, "a change made after the sync orders after what the server had seen");
    sync(&t, &server);
    assert_eq!(sync_support::count(&t, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 0, "nothing held back");

    // Once the clocks agree again (three hours on, the server's clock put right), no skew is reported.
    t.clock.advance_secs(3 * 3_600);
    server.with(|s| s.now_ms = 1_772_438_400_000 + 3 * 3_600_000);
    sync(&t, &server);
    let admin = clinic_core::accounts::login(&t.clinic, "admin", common::ADMIN_PASSWORD).expect("sign in again");
    assert!(sync::status(&t.clinic, admin.session_id).expect("status").clock_skew.is_none());
}

#[test]
fn mutations_queued_before_the_upgrade_are_stamped_by_the_migration() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v3.db");
    let tmp = tempfile::tempdir().expect("temp");
    let data = DataDir::new(tmp.path().join("old"));
    std::fs::create_dir_all(data.root()).expect("dir");
    std::fs::copy(&fixture, data.db_path()).expect("copy fixture");
    let key = DatabaseKey::from_bytes(&[0x11; 32]).expect("fixture key");
    let clinic = Clinic::open_with_key(&data, &key, Env::system()).expect("open and migrate");

    let old = stamps(&clinic);
    assert_eq!(old.len(), 2);
    assert!(old[0] < old[1]);
    assert_eq!(old[0].wall_ms, 1_768_469_400_000, "stamped from the authoring time 2026-01-15T09:30:00Z");
    assert_eq!(old[0].node, "0194a000-0000-7000-8000-000000000001", "the fixture's device");
    assert_eq!(sync::current_clock(&clinic).expect("clock"), old[1], "the clock starts after the newest");
}
