//! The printed recovery sheet: the key on it is readable (pdftotext) and opens the database.

mod common;

use std::path::Path;
use std::process::Command;

use clinic_core::ErrorCode;
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::keys::{DatabaseKey, KeyStore, MemoryKeyStore, RecoveryKey};
use clinic_core::rbac::Role;
use clinic_core::recovery_sheet::{self, TITLE};
use common::TestClinic;

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("run pdftotext");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 text")
}

/// The key as printed: the lines made only of key characters and dashes, joined.
fn key_on_sheet(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| l.len() >= 5 && l.chars().all(|c| c == '-' || c.is_ascii_uppercase() || ('2'..='7').contains(&c)))
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn the_sheet_shows_the_key_and_it_opens_the_database() {
    let t = TestClinic::new();
    let out = t.dir.path().join("recovery.pdf");
    recovery_sheet::export_recovery_sheet(&t.clinic, t.admin, &t.keys, &out).expect("export");

    let text = pdf_text(&out);
    assert!(text.contains("Riverside Clinic"), "{text}");
    assert!(text.contains("database recovery key"), "{text}");
    assert!(text.contains("Open with recovery key"), "{text}");
    assert!(text.contains("2026-03-02"), "the creation date: {text}");
    let groups: Vec<&str> = t.recovery.as_str().split('-').collect();
    for line in groups.chunks(4) {
        assert!(text.contains(&line.join("-")), "{line:?} missing from {text}");
    }
    let printed = RecoveryKey::parse(&key_on_sheet(&text)).expect("the printed key parses");
    let key = printed.to_database_key().expect("key");
    assert_eq!(key.as_bytes(), t.keys.load().expect("store").expect("key").as_bytes());

    let info = Command::new("pdfinfo").arg(&out).output().expect("run pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("2026"), "the document's creation date is set: {info}");
    assert!(info.contains("recovery key"), "{info}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let session = clinic_core::accounts::login(&t.clinic, "admin", common::ADMIN_PASSWORD).expect("login").session_id;
    let filter = AuditFilter { action: Some(AuditAction::RecoverySheetExport), ..Default::default() };
    let entries = audit::list(&t.clinic, session, &filter).expect("list");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome, "success");
}

#[test]
fn write_recovery_sheet_never_replaces_a_file() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("sheet.pdf");
    let key = RecoveryKey::from_database_key(&DatabaseKey::generate().expect("key"));
    let created = common::start_time();
    recovery_sheet::write_recovery_sheet("Clínica Sur", &key, created, &out).expect("first");
    assert!(pdf_text(&out).contains("Clínica Sur"));
    assert!(pdf_text(&out).contains(TITLE.split(' ').next().expect("word")));
    let before = std::fs::read(&out).expect("read");
    let err = recovery_sheet::write_recovery_sheet("Other", &key, created, &out).expect_err("exists");
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(std::fs::read(&out).expect("read"), before);
}

#[test]
fn only_administrators_with_the_right_key_get_a_sheet() {
    let t = TestClinic::new();
    let out = t.dir.path().join("sheet.pdf");
    let receptionist = t.sign_in_as(Role::Receptionist);
    let err = recovery_sheet::export_recovery_sheet(&t.clinic, receptionist, &t.keys, &out).expect_err("refused");
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(!out.exists());

    let wrong = MemoryKeyStore::default();
    wrong.save(&DatabaseKey::generate().expect("key")).expect("save");
    let err =
        recovery_sheet::export_recovery_sheet(&t.clinic, t.admin, &wrong, &out).expect_err("not this database's key");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert!(!out.exists());

    let empty = MemoryKeyStore::default();
    let err = recovery_sheet::export_recovery_sheet(&t.clinic, t.admin, &empty, &out).expect_err("no key");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert!(!out.exists());
}
