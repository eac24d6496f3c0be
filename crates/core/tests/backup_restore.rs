//! Encrypted backups and restore, on real encrypted files in temporary folders.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clinic_core::accounts::{self, NewStaff};
use clinic_core::audit::{self, AuditAction, AuditFilter};
use clinic_core::clock::{Env, ManualClock};
use clinic_core::keys::{DatabaseKey, KeyStore, MemoryKeyStore, RecoveryKey};
use clinic_core::rbac::Role;
use clinic_core::store::{self, BackupKey, DataDir, DataDirStatus, LATEST_SCHEMA_VERSION};
use clinic_core::{Clinic, ErrorCode};
use common::{ADMIN_PASSWORD, STAFF_PASSWORD, TestClinic};

fn database_key(t: &TestClinic) -> DatabaseKey {
    t.keys.load().expect("key store").expect("a key")
}

fn add_staff(t: &TestClinic, username: &str, display_name: &str) {
    accounts::create_staff(
        &t.clinic,
        t.admin,
        &NewStaff {
            username: username.into(),
            display_name: display_name.into(),
            role: Role::Nurse,
            password: STAFF_PASSWORD.into(),
        },
    )
    .expect("create staff");
}

fn usb_folder(t: &TestClinic) -> PathBuf {
    let folder = t.dir.path().join("usb");
    std::fs::create_dir_all(&folder).expect("usb folder");
    folder
}

/// Every file under `root` with its bytes, to prove a failed restore changed nothing.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    names.sort();
    names
}

/// Closes the clinic (as the app does before a restore), keeping the folder and the key store.
fn close(t: TestClinic) -> (tempfile::TempDir, DataDir, MemoryKeyStore, Arc<ManualClock>) {
    let TestClinic { dir, data, keys, clock, clinic, .. } = t;
    drop(clinic);
    (dir, data, keys, clock)
}

fn env_of(clock: &Arc<ManualClock>) -> Env {
    Env::with_clock(clock.clone())
}

fn staff_usernames(clinic: &Clinic) -> Vec<String> {
    let session = accounts::login(clinic, "admin", ADMIN_PASSWORD).expect("admin login").session_id;
    accounts::list_staff(clinic, session).expect("staff").into_iter().map(|m| m.username).collect()
}

fn assert_chain_intact(clinic: &Clinic) {
    let session = accounts::login(clinic, "admin", ADMIN_PASSWORD).expect("admin login").session_id;
    let report = audit::verify(clinic, session).expect("verify");
    assert!(report.is_intact(), "audit chain broken: {:?}", report.breaks);
    assert!(report.entries_checked > 3);
}

fn entries(clinic: &Clinic, action: AuditAction) -> Vec<audit::AuditEntry> {
    let session = accounts::login(clinic, "admin", ADMIN_PASSWORD).expect("admin login").session_id;
    audit::list(clinic, session, &AuditFilter { action: Some(action), ..Default::default() }).expect("list")
}

#[test]
fn round_trip_under_the_database_key() {
    let t = TestClinic::new();
    add_staff(&t, "nina", "Nina Nurse");
    let key = database_key(&t);
    let dest = usb_folder(&t).join("clinic.backup");
    let summary = store::create_backup(&t.clinic, t.admin, &dest, BackupKey::SameAsDatabase(&key)).expect("backup");
    assert_eq!(summary.path, dest);
    assert!(summary.bytes > 0);
    assert_eq!(summary.bytes, std::fs::metadata(&dest).expect("backup file").len());
    assert_eq!(summary.schema_version, LATEST_SCHEMA_VERSION);
    assert_eq!(summary.created_at, common::start_time());
    assert!(summary.backup_key.is_none());
    assert_eq!(names_in(dest.parent().expect("folder")), ["clinic.backup"], "one self-contained file, nothing else");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    let audited = entries(&t.clinic, AuditAction::Backup);
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].outcome, "success");
    assert!(audited[0].detail.contains("key=database") && !audited[0].detail.contains("usb"), "{}", audited[0].detail);

    // Work done after the backup is replaced by the restore, but kept in replaced/.
    add_staff(&t, "late", "Late Starter");
    let (_dir, data, keys, clock) = close(t);
    let summary = store::restore_backup(&data, &dest, &key, &key, env_of(&clock)).expect("restore");
    assert_eq!(summary.backup_schema_version, LATEST_SCHEMA_VERSION);
    assert_eq!(summary.schema_version, LATEST_SCHEMA_VERSION);
    assert!(summary.backup_as_of.is_some());
    assert!(!summary.replaced.is_empty());
    for file in &summary.replaced {
        assert!(file.starts_with(data.root().join("replaced")) && file.exists(), "{}", file.display());
    }

    let clinic = Clinic::unlock(&data, &keys, env_of(&clock)).expect("unlock restored database");
    let names = staff_usernames(&clinic);
    assert!(names.contains(&"nina".to_owned()) && names.contains(&"admin".to_owned()), "{names:?}");
    assert!(!names.contains(&"late".to_owned()), "{names:?}");
    assert_chain_intact(&clinic);
    let restores = entries(&clinic, AuditAction::Restore);
    assert_eq!(restores.len(), 1);
    assert!(restores[0].user_id.is_none());
    assert!(restores[0].detail.contains("backup as of"), "{}", restores[0].detail);

    // The replaced database still opens, with the late change in it.
    let replaced_db = summary.replaced.iter().find(|p| p.to_string_lossy().ends_with("-clinic.db")).expect("db file");
    let conn = rusqlite::Connection::open(replaced_db).expect("open replaced");
    conn.pragma_update(None, "key", format!("x'{}'", hex::encode(key.as_bytes()))).expect("key");
    let late: i64 =
        conn.query_row("SELECT count(*) FROM staff WHERE username = 'late'", [], |r| r.get(0)).expect("query");
    assert_eq!(late, 1);
}

#[test]
fn round_trip_under_a_new_key_into_an_empty_folder() {
    let t = TestClinic::new();
    add_staff(&t, "nina", "Nina Nurse");
    let dest = usb_folder(&t).join("clinic.backup");
    let summary = store::create_backup(&t.clinic, t.admin, &dest, BackupKey::NewKey).expect("backup");
    let shown = summary.backup_key.expect("a new key is returned");
    let backup_key = RecoveryKey::parse(shown.as_str()).expect("parses").to_database_key().expect("key");
    assert_ne!(backup_key.as_bytes(), database_key(&t).as_bytes());
    assert!(entries(&t.clinic, AuditAction::Backup)[0].detail.contains("key=new"));

    // The database key does not open it.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let data = DataDir::new(elsewhere.path().join("data"));
    let new_database_key = DatabaseKey::generate().expect("key");
    let wrong = store::restore_backup(&data, &dest, &database_key(&t), &new_database_key, t.env())
        .expect_err("the database key is not the backup key");
    assert_eq!(wrong.code, ErrorCode::KeyRejected);
    assert!(!data.db_path().exists());

    let summary = store::restore_backup(&data, &dest, &backup_key, &new_database_key, t.env()).expect("restore");
    assert!(summary.replaced.is_empty());
    assert_eq!(names_in(data.root()), ["clinic.db"], "no partial files left behind");
    let clinic = Clinic::open_with_key(&data, &new_database_key, t.env()).expect("open under the new database key");
    assert!(staff_usernames(&clinic).contains(&"nina".to_owned()));
    assert_chain_intact(&clinic);
    assert_eq!(clinic.device(), t.clinic.device(), "the device identity travels with the backup");
}

#[test]
fn a_backup_is_unreadable_without_its_key() {
    let t = TestClinic::new();
    add_staff(&t, "nina", "Nina Nightingale-Quartermaine");
    let folder = usb_folder(&t);
    let same = folder.join("same.backup");
    let new = folder.join("new.backup");
    store::create_backup(&t.clinic, t.admin, &same, BackupKey::SameAsDatabase(&database_key(&t))).expect("backup");
    store::create_backup(&t.clinic, t.admin, &new, BackupKey::NewKey).expect("backup");
    for file in [&same, &new] {
        let plain = rusqlite::Connection::open(file).expect("sqlite opens any file lazily");
        let read = plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        assert!(read.is_err(), "{} must not read as plain SQLite", file.display());
        let bytes = std::fs::read(file).expect("read");
        for secret in ["Nightingale-Quartermaine", "Riverside Clinic", "Ada Admin", "SQLite format 3"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret:?} in {}", file.display());
        }
    }
}

#[test]
fn a_wrong_key_or_a_file_that_is_no_backup_leaves_everything_untouched() {
    let t = TestClinic::new();
    let folder = usb_folder(&t);
    let dest = folder.join("clinic.backup");
    store::create_backup(&t.clinic, t.admin, &dest, BackupKey::NewKey).expect("backup");
    let key = database_key(&t);
    let not_a_backup = folder.join("notes.txt");
    std::fs::write(&not_a_backup, b"not a database at all").expect("write");
    let (dir, data, _keys, clock) = close(t);
    let before = snapshot(dir.path());

    let wrong_key = store::restore_backup(&data, &dest, &key, &key, env_of(&clock)).expect_err("wrong key");
    assert_eq!(wrong_key.code, ErrorCode::KeyRejected);
    assert!(wrong_key.message.contains("Nothing was changed"), "{}", wrong_key.message);
    assert!(!wrong_key.message.contains(&hex::encode(key.as_bytes())));

    let backup_key = DatabaseKey::generate().expect("key");
    let bad = store::restore_backup(&data, &not_a_backup, &backup_key, &key, env_of(&clock)).expect_err("not a backup");
    assert_eq!(bad.code, ErrorCode::KeyRejected);

    let missing = store::restore_backup(&data, &folder.join("nope.backup"), &key, &key, env_of(&clock))
        .expect_err("missing file");
    assert_eq!(missing.code, ErrorCode::NotFound);

    assert_eq!(snapshot(dir.path()), before, "nothing changed, nothing added");
}

#[test]
fn a_damaged_backup_is_refused_and_changes_nothing() {
    let t = TestClinic::new();
    let key = database_key(&t);
    let folder = usb_folder(&t);
    let dest = folder.join("clinic.backup");
    add_staff(&t, "nina", "Nina Nurse");
    store::create_backup(&t.clinic, t.admin, &dest, BackupKey::SameAsDatabase(&key)).expect("backup");
    let mut bytes = std::fs::read(&dest).expect("read");
    let middle = (bytes.len() / 2 / 4096) * 4096 + 100;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xA5;
    }
    std::fs::write(&dest, bytes).expect("damage it");
    let (dir, data, _keys, clock) = close(t);
    let before = snapshot(dir.path());
    let err = store::restore_backup(&data, &dest, &key, &key, env_of(&clock)).expect_err("damaged");
    assert_eq!(err.code, ErrorCode::Corrupt, "{}", err.message);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn restore_into_a_folder_whose_database_was_quarantined() {
    let t = TestClinic::new();
    let key = database_key(&t);
    let dest = usb_folder(&t).join("clinic.backup");
    store::create_backup(&t.clinic, t.admin, &dest, BackupKey::SameAsDatabase(&key)).expect("backup");
    let (_dir, data, keys, clock) = close(t);
    let moved = store::quarantine(&data, common::start_time()).expect("quarantine");
    assert!(matches!(data.status().expect("status"), DataDirStatus::Quarantined { .. }));

    let summary = store::restore_backup(&data, &dest, &key, &key, env_of(&clock)).expect("restore");
    assert!(summary.replaced.is_empty());
    assert!(moved.iter().all(|f| f.exists()), "quarantined files are kept");
    assert_eq!(data.status().expect("status"), DataDirStatus::Present);
    let clinic = Clinic::unlock(&data, &keys, env_of(&clock)).expect("unlock");
    assert_chain_intact(&clinic);
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let t = TestClinic::new();
    let key = database_key(&t);
    let folder = usb_folder(&t);
    let dest = folder.join("precious.backup");
    std::fs::write(&dest, b"precious").expect("write");
    for key in [BackupKey::SameAsDatabase(&key), BackupKey::NewKey] {
        let err = store::create_backup(&t.clinic, t.admin, &dest, key).expect_err("refused");
        assert_eq!(err.code, ErrorCode::Conflict);
        assert_eq!(err.field.as_deref(), Some("destination"));
    }
    assert_eq!(std::fs::read(&dest).expect("read"), b"precious");
    assert_eq!(names_in(&folder), ["precious.backup"]);
    let failures = entries(&t.clinic, AuditAction::Backup);
    assert!(failures.iter().all(|e| e.outcome == "failure"), "{failures:?}");

    // A second backup to the same name is refused too.
    let other = folder.join("first.backup");
    store::create_backup(&t.clinic, t.admin, &other, BackupKey::NewKey).expect("first");
    let again = store::create_backup(&t.clinic, t.admin, &other, BackupKey::NewKey).expect_err("second");
    assert_eq!(again.code, ErrorCode::Conflict);
}

#[test]
fn same_as_database_refuses_a_key_that_is_not_the_database_key() {
    let t = TestClinic::new();
    let folder = usb_folder(&t);
    let dest = folder.join("clinic.backup");
    let other = DatabaseKey::generate().expect("key");
    let err = store::create_backup(&t.clinic, t.admin, &dest, BackupKey::SameAsDatabase(&other)).expect_err("refused");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert!(names_in(&folder).is_empty());
}

#[test]
fn a_receptionist_may_not_back_up() {
    let t = TestClinic::new();
    let session = t.sign_in_as(Role::Receptionist);
    let folder = usb_folder(&t);
    let err =
        store::create_backup(&t.clinic, session, &folder.join("x.backup"), BackupKey::NewKey).expect_err("refused");
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(names_in(&folder).is_empty());
    let denied = entries(&t.clinic, AuditAction::AccessDenied);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].outcome, "denied");
    assert!(denied[0].detail.contains("BackupRestore"), "{}", denied[0].detail);
}

#[test]
fn an_older_backup_is_migrated_on_restore() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.db");
    let tmp = tempfile::tempdir().expect("temp");
    let old_backup = tmp.path().join("old.backup");
    std::fs::copy(&fixture, &old_backup).expect("copy fixture");
    let fixture_key = DatabaseKey::from_bytes(&[0x11; 32]).expect("fixture key");
    let data = DataDir::new(tmp.path().join("data"));
    let database_key = DatabaseKey::generate().expect("key");
    let env = Env::with_clock(ManualClock::new(common::start_time()));

    let summary = store::restore_backup(&data, &old_backup, &fixture_key, &database_key, env.clone()).expect("restore");
    assert_eq!(summary.backup_schema_version, 1);
    assert_eq!(summary.schema_version, LATEST_SCHEMA_VERSION);
    let clinic = Clinic::open_with_key(&data, &database_key, env).expect("open");
    let session = accounts::login(&clinic, "admin", "fixture admin password").expect("old account signs in");
    assert!(audit::verify(&clinic, session.session_id).expect("verify").is_intact());
}

#[test]
fn a_backup_from_a_newer_version_is_refused() {
    let t = TestClinic::new();
    let key = database_key(&t);
    let dest = usb_folder(&t).join("clinic.backup");
    store::create_backup(&t.clinic, t.admin, &dest, BackupKey::SameAsDatabase(&key)).expect("backup");
    {
        let conn = rusqlite::Connection::open(&dest).expect("open backup");
        conn.pragma_update(None, "key", format!("x'{}'", hex::encode(key.as_bytes()))).expect("key");
        conn.pragma_update(None, "user_version", LATEST_SCHEMA_VERSION + 1).expect("pretend newer");
    }
    let (dir, data, _keys, clock) = close(t);
    let before = snapshot(dir.path());
    let err = store::restore_backup(&data, &dest, &key, &key, env_of(&clock)).expect_err("newer");
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(err.message.contains("newer version"), "{}", err.message);
    assert_eq!(snapshot(dir.path()), before);
}
