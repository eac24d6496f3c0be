//! The built `clinic-admin` binary against temporary clinic databases made through clinic-core.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use clinic_core::Clinic;
use clinic_core::accounts;
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::clock::Env;
use clinic_core::keys::{MemoryKeyStore, RecoveryKey};
use clinic_core::setup::{self, ClinicSettings, DateFormat, FirstAdministrator};
use clinic_core::store::DataDir;

const ADMIN_PASSWORD: &str = "admin pass phrase 1";

/// A set-up clinic in a temporary folder, closed again, as the app leaves it.
struct Fixture {
    tmp: tempfile::TempDir,
    data: DataDir,
    recovery: String,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let data = DataDir::new(tmp.path().join("data"));
        let (clinic, recovery) =
            Clinic::create(&data, &MemoryKeyStore::default(), Env::system(), "D01").expect("create");
        setup::initialize(
            &clinic,
            &ClinicSettings {
                name: "Hillside Clinic".into(),
                code: "HILL".into(),
                address: "2 Hill Road".into(),
                time_zone: "Africa/Nairobi".into(),
                currency: "KES".into(),
                invoice_prefix: "HIL".into(),
                date_format: DateFormat::DayMonthYear,
                idle_lock_minutes: 15,
            },
            &FirstAdministrator {
                username: "admin".into(),
                display_name: "Ada Admin".into(),
                password: ADMIN_PASSWORD.into(),
            },
        )
        .expect("setup");
        Fixture { tmp, data, recovery: recovery.as_str().to_owned() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The binary with the data folder, the recovery key and administrator credentials.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clinic-admin"));
        command
            .arg("--data-dir")
            .arg(self.data.root())
            .args(args)
            .env("CLINIC_RECOVERY_KEY", &self.recovery)
            .env("CLINIC_ADMIN_USER", "admin")
            .env("CLINIC_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env_remove("CLINIC_BACKUP_KEY")
            // Never reach a real keychain from a test.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run clinic-admin")
    }

    fn open(&self) -> Clinic {
        let key = RecoveryKey::parse(&self.recovery).expect("key").to_database_key().expect("key");
        Clinic::open_with_key(&self.data, &key, Env::system()).expect("open")
    }

    fn audit(&self, action: AuditAction) -> Vec<audit::AuditEntry> {
        let clinic = self.open();
        let session = accounts::login(&clinic, "admin", ADMIN_PASSWORD).expect("login").session_id;
        audit::list(&clinic, session, &AuditFilter { action: Some(action), ..Default::default() }).expect("list")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit code and a readable error: never a Rust debug dump.
fn assert_fails_cleanly(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stdout: {}\nstderr: {err}", stdout(out));
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    for debug in ["CoreError", "Error {", "code: ", "panicked"] {
        assert!(!err.contains(debug), "debug output {debug:?} in: {err}");
    }
}

fn assert_success(out: &Output) {
    assert!(out.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", out.status.code(), stdout(out), stderr(out));
}

#[test]
fn backup_and_restore_round_trip() {
    let f = Fixture::new();
    let same = f.path("same.backup");
    let out = f.run(&["backup", "--out", same.to_str().expect("path")]);
    assert_success(&out);
    assert!(stdout(&out).contains("Backup written"), "{}", stdout(&out));
    assert!(!stdout(&out).contains(&f.recovery), "the database key is never printed");

    let again = f.run(&["backup", "--out", same.to_str().expect("path")]);
    assert_fails_cleanly(&again, 1, "already exists");

    let new = f.path("new.backup");
    let out = f.run(&["backup", "--out", new.to_str().expect("path"), "--new-key"]);
    assert_success(&out);
    let text = stdout(&out);
    let backup_key = text
        .lines()
        .map(str::trim)
        .find(|l| l.len() > 50 && l.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()))
        .expect("the new key is printed")
        .to_owned();
    assert_ne!(backup_key, f.recovery);

    // Wrong backup key: refused, the database untouched.
    let before = std::fs::read(f.data.db_path()).expect("read db");
    let wrong = f.run(&["restore", "--from", new.to_str().expect("path")]);
    assert_fails_cleanly(&wrong, 1, "could not be opened with the key");
    assert_eq!(std::fs::read(f.data.db_path()).expect("read db"), before);
    assert!(!f.data.root().join("replaced").exists());

    let out = f.run(&["restore", "--from", new.to_str().expect("path"), "--backup-key", &backup_key]);
    assert_success(&out);
    assert!(stdout(&out).contains("replaced"), "{}", stdout(&out));
    let out = f.run(&["restore", "--from", same.to_str().expect("path")]);
    assert_success(&out);
    let replaced = std::fs::read_dir(f.data.root().join("replaced")).expect("replaced/").count();
    assert!(replaced >= 2, "both earlier databases kept ({replaced} files)");

    assert_eq!(f.audit(AuditAction::Restore).len(), 1, "the restored backup has the one restore made into it");
    let out = f.run(&["verify-audit"]);
    assert_success(&out);
}

#[test]
fn check_passes_a_good_database() {
    let f = Fixture::new();
    let out = f.run(&["check"]);
    assert_success(&out);
    assert!(stdout(&out).contains("No problems found"), "{}", stdout(&out));
    assert!(f.data.db_path().exists());
}

#[test]
fn check_sets_a_damaged_database_aside() {
    let f = Fixture::new();
    let mut bytes = std::fs::read(f.data.db_path()).expect("read");
    let middle = (bytes.len() / 2 / 4096) * 4096 + 200;
    for b in &mut bytes[middle..middle + 32] {
        *b ^= 0xFF;
    }
    std::fs::write(f.data.db_path(), &bytes).expect("damage");

    let out = f.run(&["check"]);
    assert_eq!(out.status.code(), Some(2), "stdout: {}\nstderr: {}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("damaged") && text.contains("quarantine"), "{text}");
    assert!(!f.data.db_path().exists(), "moved away");
    let kept: Vec<PathBuf> =
        std::fs::read_dir(f.data.quarantine_dir()).expect("quarantine/").map(|e| e.expect("entry").path()).collect();
    assert!(kept.iter().any(|p| std::fs::read(p).ok().as_deref() == Some(bytes.as_slice())), "kept, not deleted");

    let after = f.run(&["verify-audit"]);
    assert_fails_cleanly(&after, 1, "set aside");
}

#[test]
fn verify_audit_reports_an_intact_chain() {
    let f = Fixture::new();
    let out = f.run(&["verify-audit"]);
    assert_success(&out);
    assert!(stdout(&out).contains("intact"), "{}", stdout(&out));
}

#[test]
fn export_audit_writes_a_csv() {
    let f = Fixture::new();
    let csv = f.path("audit.csv");
    let out = f.run(&["export-audit", "--out", csv.to_str().expect("path")]);
    assert_success(&out);
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    assert!(lines.next().expect("header").starts_with("at,device_id,seq,"), "{text}");
    assert!(lines.count() >= 2, "{text}");

    let logins = f.path("logins.csv");
    let out = f.run(&[
        "export-audit",
        "--out",
        logins.to_str().expect("path"),
        "--action",
        "login",
        "--from",
        "2000-01-01",
        "--to",
        "2999-12-31",
    ]);
    assert_success(&out);
    let text = std::fs::read_to_string(&logins).expect("csv");
    assert!(text.lines().skip(1).all(|l| l.contains(",login,")), "{text}");
    assert!(text.lines().count() >= 2, "{text}");

    let bad = f.run(&["export-audit", "--out", f.path("x.csv").to_str().expect("path"), "--action", "nonsense"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("unknown action"), "{}", stderr(&bad));
    assert!(!f.path("x.csv").exists());
    assert_eq!(f.audit(AuditAction::AuditExport).len(), 2);
}

#[test]
fn a_missing_or_mistyped_key_is_refused_clearly() {
    let f = Fixture::new();
    let before = std::fs::read(f.data.db_path()).expect("read");
    let out = f.command(&["verify-audit"]).env_remove("CLINIC_RECOVERY_KEY").output().expect("run");
    assert_fails_cleanly(&out, 1, "CLINIC_RECOVERY_KEY");
    let out = f.command(&["check"]).env_remove("CLINIC_RECOVERY_KEY").output().expect("run");
    assert_fails_cleanly(&out, 1, "recovery key");

    let mut typo = f.recovery.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).expect("ascii");
    let out = f.command(&["check"]).env("CLINIC_RECOVERY_KEY", &typo).output().expect("run");
    assert_fails_cleanly(&out, 1, "recovery key is not right");
    assert_eq!(std::fs::read(f.data.db_path()).expect("read"), before, "nothing touched");
}

#[test]
fn signing_in_needs_an_administrator() {
    let f = Fixture::new();
    let out = f.command(&["verify-audit"]).env_remove("CLINIC_ADMIN_PASSWORD").output().expect("run");
    assert_fails_cleanly(&out, 1, "CLINIC_ADMIN_PASSWORD");
    let out = f.command(&["verify-audit"]).env("CLINIC_ADMIN_PASSWORD", "wrong password 123").output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).is_empty());
}

#[test]
fn no_database_means_a_clear_message() {
    let tmp = tempfile::tempdir().expect("temp");
    let out = Command::new(env!("CARGO_BIN_EXE_clinic-admin"))
        .arg("--data-dir")
        .arg(tmp.path())
        .arg("check")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .output()
        .expect("run");
    assert_fails_cleanly(&out, 1, "There is no clinic database");
}

#[test]
fn recovery_sheet_writes_the_key() {
    let f = Fixture::new();
    let pdf = f.path("sheet.pdf");
    let out = f.run(&["recovery-sheet", "--out", pdf.to_str().expect("path")]);
    assert_success(&out);
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    let first_group = f.recovery.split('-').next().expect("group");
    assert!(text.contains(first_group) && text.contains("Hillside Clinic"), "{text}");
    assert_eq!(f.audit(AuditAction::RecoverySheetExport).len(), 1);
}

fn patients_named(f: &Fixture, name: &str) -> usize {
    let clinic = f.open();
    let session = accounts::login(&clinic, "admin", ADMIN_PASSWORD).expect("login").session_id;
    clinic_core::patients::search(&clinic, session, name, 50).expect("search").len()
}

#[test]
fn import_patients_is_all_or_nothing_with_a_report() {
    let f = Fixture::new();
    let bad = f.path("bad.csv");
    std::fs::write(
        &bad,
        "given_name,family_name,date_of_birth,sex,phone\n\
         Amina,Wanjiru,1984-05-02,female,0712 345 678\n\
         Brian,Otieno,31/02/1980,male,0722 000 111\n",
    )
    .expect("write csv");
    let out = f.run(&["import-patients", "--csv", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "stdout: {}\nstderr: {}", stdout(&out), stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("Nothing was imported"), "{report}");
    assert!(report.contains("line 3, date_of_birth"), "{report}");
    assert_eq!(patients_named(&f, "Wanjiru"), 0, "the good row was not imported either");

    let good = f.path("good.csv");
    std::fs::write(
        &good,
        "given_name,family_name,date_of_birth,sex,phone\n\
         Amina,Wanjiru,1984-05-02,female,0712 345 678\n\
         Brian,Otieno,1980-02-28,male,0722 000 111\n",
    )
    .expect("write csv");
    let out = f.run(&["import-patients", "--csv", good.to_str().expect("path")]);
    assert_success(&out);
    assert!(stdout(&out).contains("2 patient(s) imported"), "{}", stdout(&out));
    assert_eq!(patients_named(&f, "Wanjiru"), 1);

    let again = f.run(&["import-patients", "--csv", good.to_str().expect("path")]);
    assert_eq!(again.status.code(), Some(1), "duplicates refused: {}", stdout(&again));
    assert!(stdout(&again).contains("line 2"), "{}", stdout(&again));
    assert_eq!(patients_named(&f, "Wanjiru"), 1);
    let allowed = f.run(&["import-patients", "--csv", good.to_str().expect("path"), "--allow-duplicates"]);
    assert_success(&allowed);
    assert_eq!(patients_named(&f, "Wanjiru"), 2);

    let missing = f.run(&["import-patients", "--csv", f.path("none.csv").to_str().expect("path")]);
    assert_fails_cleanly(&missing, 1, "could not be opened");
}
