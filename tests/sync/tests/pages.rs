//! Page boundaries with a page size of P = 5: exactly 0, 1, P−1, P and P+1 changes pulled by another desk, and
//! downloads of P−1, P and P+1 records by joining desks — everything arrives, nothing twice.

use clinic_core::sync::SyncReport;
use clinic_sync_tests::{Desk, FlakyTransport, TestServer, assert_converged, paged, person};

const P: u32 = 5;

fn pull_paged(desk: &Desk) -> SyncReport {
    let report = desk.sync_with(&paged(P)).expect("sync");
    assert!(report.problem.is_none(), "{report:?}");
    report
}

#[test]
fn pulls_of_0_1_p_minus_1_p_and_p_plus_1_changes() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    let base: Vec<_> = (0..3i8)
        .map(|i| d1.register(&person(&["Base", &i.to_string()].concat(), "Boundary", (1971, 2, 1 + i))).id)
        .collect();
    d1.sync();
    let d2 = Desk::join(&server, "D02");
    pull_paged(&d2);
    let mut registered = 0u32;
    for n in [0, 1, P - 1, P, P + 1] {
        // Each change touches another record (a pull brings a record once however often it changed): new
        // registrations, and edits of records made before, so both kinds cross the boundaries.
        for i in 0..n {
            if i % 2 == 0 {
                registered += 1;
                let given = ["Page", &registered.to_string()].concat();
                d1.register(&person(&given, "Boundary", (1970, 1 + (registered % 12) as i8, 1)));
            } else {
                let note = ["edit ", &n.to_string(), "-", &i.to_string()].concat();
                d1.edit(base[(i / 2) as usize], |d| d.notes = note);
            }
        }
        d1.sync();
        let before = server.applied_and_seq().1;
        let counting = FlakyTransport::new();
        let report = d2.sync_via(&counting, &paged(P)).expect("sync");
        assert!(report.problem.is_none(), "n={n}: {report:?}");
        assert_eq!(report.pulled, n, "n={n}: every change arrives once: {report:?}");
        assert_eq!(report.written, n, "n={n}: {report:?}");
        let pages = counting.counts().pulls;
        assert!(
            pages <= n / P + 2,
            "n={n}: {pages} pulls for {n} changes in pages of {P} (at most one empty page at the end)"
        );
        assert_eq!(server.applied_and_seq().1, before, "n={n}: pulling changes nothing on the server");
        assert_converged(&server, &[&d1, &d2], &["after ", &n.to_string(), " changes"].concat());
        let again = pull_paged(&d2);
        assert_eq!(again.pulled, 0, "n={n}: nothing arrives twice");
    }
}

#[test]
fn downloads_of_p_minus_1_p_and_p_plus_1_records() {
    let server = TestServer::start();
    let d1 = Desk::first(&server, "D01");
    d1.sync();
    let mut desks = Vec::new();
    for (i, extra) in [P - 1, P, P + 1].into_iter().enumerate() {
        // Register until the server holds exactly `extra` records more than two pages.
        let target = i64::from(P) * 2 + i64::from(extra);
        let missing = target - server.record_count();
        for k in 0..missing {
            let given = ["Boot", &i.to_string(), "x", &k.to_string()].concat();
            d1.register(&person(&given, "Download", (1960, 1 + (k % 12) as i8, 1 + (k % 28) as i8)));
        }
        d1.sync();
        assert_eq!(server.record_count(), target, "the server holds exactly {target} records");
        let code = ["D", &(i + 2).to_string()].concat();
        let (mut joined, report) = Desk::join_with(&server, &code, &paged(P));
        let report = report.expect("join");
        assert!(report.problem.is_none(), "{report:?}");
        assert_eq!(i64::from(report.bootstrap_records), target, "{target} records: each downloaded once");
        assert_eq!(i64::from(report.pulled), target, "and nothing pulled again after the download: {report:?}");
        joined.sign_in_again();
        desks.push(joined);
    }
    for desk in &desks {
        desk.sync();
    }
    let mut all: Vec<&Desk> = desks.iter().collect();
    all.push(&d1);
    assert_converged(&server, &all, "after the downloads");
}
