//! Bootstrap: a new device downloads every record page by page; killed after any page (or cut before one), it
//! resumes where it stopped, downloads at most the interrupted page again, holds each record once, and
//! afterwards picks up what changed on the server meanwhile.

mod common;
mod sync_support;

use clinic_core::sync::{self, Checkpoint};
use common::TestClinic;
use sync_support::{Call, FakeServer, Fault, count, enroll, found, patient_data, stop_at, sync_paged};
use uuid::Uuid;

const PAGE: u32 = 2;

fn server_with_patients(n: usize) -> (FakeServer, Vec<Uuid>) {
    let server = FakeServer::new();
    server.with(|s| s.codes.extend((10..30).map(|i| format!("CODE-{i}"))));
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for (i, id) in ids.iter().enumerate() {
        server.put("patient", *id, patient_data(&format!("MAIN-D02-{i:06}"), "Boot", "Strap"), None);
    }
    (server, ids)
}

#[test]
fn a_bootstrap_killed_after_any_page_resumes_there_and_holds_each_record_once() {
    let (server, ids) = server_with_patients(7);
    // 7 patients plus each new device's own clinic and administrator records: 9 records, 5 pages of 2.
    for killed_at in 1..=5 {
        let t = TestClinic::new();
        enroll(&t, &server, &format!("CODE-{}", 10 + killed_at));
        let stop = stop_at(Checkpoint::BootstrapPageApplied, killed_at, PAGE);
        let err = sync::run_once(&t.clinic, &server, &t.keys, &stop).expect_err("killed");
        assert_eq!(err.code, clinic_core::ErrorCode::Internal);
        let t = t.reopen();
        let kept = count(&t, "SELECT bootstrap_records FROM sync_state");
        assert_eq!(kept, 2 * (killed_at as i64 - 1), "pages before the kill are kept (killed at {killed_at})");

        // Meanwhile another desk renames a patient the download has already passed.
        server.put("patient", ids[0], patient_data("MAIN-D02-000000", "Boot", "Renamed"), None);
        server.calls.lock().expect("calls").clear();
        let report = sync_paged(&t, &server, PAGE);
        assert!(report.problem.is_none(), "{report:?}");
        let records = server.with(|s| s.records.len());
        let pages_total = records.div_ceil(PAGE as usize);
        let pages_again = server.calls_of(Call::Bootstrap).len();
        assert!(
            pages_again <= pages_total - (killed_at - 1),
            "resumed, not restarted: {pages_again} pages (killed at {killed_at})"
        );
        assert_eq!(count(&t, "SELECT count(*) FROM patients"), 7, "each record once (killed at {killed_at})");
        assert_eq!(found(&t, "renamed").len(), 1, "the change made meanwhile arrived (killed at {killed_at})");
        assert_eq!(found(&t, "strap").len(), 6);
        let status = sync::status(&t.clinic, t.admin).expect("status");
        assert!(status.initial_download_done);
    }
}

#[test]
fn a_bootstrap_cut_by_the_network_carries_on_next_time() {
    let (server, _) = server_with_patients(3);
    let t = TestClinic::new();
    enroll(&t, &server, "CODE-10");
    server.fail_next(Call::Bootstrap, Fault::Unreachable);
    let report = sync_paged(&t, &server, PAGE);
    assert_eq!(report.problem.expect("offline").code, sync::SyncProblemCode::Offline);
    assert!(!sync::status(&t.clinic, t.admin).expect("status").initial_download_done);
    assert!(sync_paged(&t, &server, PAGE).problem.is_none());
    assert_eq!(found(&t, "strap").len(), 3);
}
