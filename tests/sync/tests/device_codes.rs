//! Device codes are one computer's within a clinic: a second computer joining with a code already in use is
//! refused on the device code field before anything is downloaded, chooses another, joins, and numbers its
//! records with its own code.

use clinic_core::ErrorCode;
use clinic_core::sync::{self, SyncOptions};
use clinic_sync_tests::{Desk, TestServer, person};

#[test]
fn a_computer_joining_with_a_code_in_use_is_told_so_and_joins_with_another() {
    let server = TestServer::start();
    let first = Desk::first(&server, "D01");
    first.register(&person("Amina", "Diallo", (1984, 6, 1)));
    first.sync();

    let (mut second, joined) = Desk::join_with(&server, "D01", &SyncOptions::default());
    let refused = joined.expect_err("the device code is in use");
    assert_eq!((refused.code, refused.field.as_deref()), (ErrorCode::Validation, Some("device_code")));
    assert!(refused.message.contains("already uses the device code D01"), "{}", refused.message);
    assert_eq!(second.count("SELECT COUNT(*) FROM patients"), 0, "nothing was downloaded");

    assert!(sync::change_device_code_before_joining(second.clinic(), "d02").expect("changed"));
    second.reopen_signed_out();
    assert_eq!(second.clinic().device().code, "D02");
    let report = sync::join_clinic(
        second.clinic(),
        &second.http,
        &second.keys,
        &server.url,
        &server.code(),
        "Desk D02",
        &SyncOptions::default(),
    )
    .expect("joins with its own code");
    assert!(report.problem.is_none(), "{report:?}");
    second.sign_in_again();
    assert_eq!(second.count("SELECT COUNT(*) FROM patients"), 1);
    let own = second.register(&person("Bruno", "Costa", (1990, 1, 15)));
    assert!(own.mrn.starts_with("MAIN-D02-"), "{}", own.mrn);

    // Once joined, the code is fixed.
    let late = sync::change_device_code_before_joining(second.clinic(), "D03").expect_err("already joined");
    assert_eq!(late.field.as_deref(), Some("device_code"));
}
