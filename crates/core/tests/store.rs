//! The encrypted database file: no plaintext on disk, wrong or missing keys leave it untouched,
//! damage is detected and quarantined, migrations are all-or-nothing and upgrade old schemas.

mod common;

use std::path::{Path, PathBuf};

use clinic_core::clock::Env;
use clinic_core::keys::{DatabaseKey, KeyStore, MemoryKeyStore, RecoveryKey};
use clinic_core::setup;
use clinic_core::store::{self, DataDir, DataDirStatus, LATEST_SCHEMA_VERSION, Migration};
use clinic_core::{Clinic, ErrorCode};
use common::TestClinic;
use sha2::{Digest, Sha256};

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() { out.extend(all_files(&path)) } else { out.push(path) }
    }
    out.sort();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A fingerprint of every file in the folder: names and contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    all_files(dir)
        .into_iter()
        .map(|p| {
            let h = hex::encode(Sha256::digest(std::fs::read(&p).expect("read")));
            (p, h)
        })
        .collect()
}

/// Makes the database a few dozen pages big (settings changes write the clinic row, outbox and audit).
fn grow(t: &TestClinic, changes: usize) {
    let mut s = common::settings();
    for i in 0..changes {
        s.address = format!("{i} River Road, building with a long name to fill pages");
        setup::update_settings(&t.clinic, t.admin, &s).expect("update");
    }
}

#[test]
fn nothing_readable_is_left_on_disk_and_the_file_is_not_plain_sqlite() {
    let t = TestClinic::new();
    grow(&t, 50);
    let draft = clinic_core::patients::PatientDraft {
        given_name: "Wanjiku".into(),
        family_name: "Zzyzxquorra".into(),
        phones: vec![clinic_core::patients::Phone { kind: Default::default(), number: "+254 799 123 456".into() }],
        notes: "Penicillin reaction in childhood".into(),
        ..Default::default()
    };
    clinic_core::patients::register(&t.clinic, t.admin, &draft, true).expect("register");
    // While open (WAL and shared-memory files present) and after closing.
    let check = |files: Vec<PathBuf>| {
        assert!(!files.is_empty());
        for file in files {
            let bytes = std::fs::read(&file).expect("read");
            for needle in [
                "Zzyzxquorra",
                "zzyzxquorra",
                "Wanjiku",
                "799123456",
                "Penicillin",
                "Riverside Clinic",
                "Ada Admin",
                "River Road",
            ] {
                assert!(!contains(&bytes, needle.as_bytes()), "{needle} found in {}", file.display());
            }
            assert!(!bytes.starts_with(b"SQLite format 3\0"), "{} is plain SQLite", file.display());
        }
    };
    check(all_files(t.data.root()));
    let data = t.data.clone();
    let _keep = t.dir;
    drop(t.clinic);
    check(all_files(data.root()));
    let plain = rusqlite::Connection::open(data.db_path()).expect("open as plain");
    let err = plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).expect_err("not plain");
    assert_eq!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase));
}

#[test]
fn the_required_pragmas_are_in_force() {
    let t = TestClinic::new();
    let pragmas = t
        .clinic
        .with_connection_for_tests(|c| {
            let get =
                |p: &str| c.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, rusqlite::types::Value>(0)).expect(p);
            [get("journal_mode"), get("synchronous"), get("foreign_keys"), get("secure_delete"), get("temp_store")]
        })
        .expect("connection");
    use rusqlite::types::Value::{Integer, Text};
    assert_eq!(pragmas, [Text("wal".into()), Integer(2), Integer(1), Integer(1), Integer(2)]);
}

#[test]
fn a_wrong_key_changes_nothing_and_creates_nothing() {
    let t = TestClinic::new();
    let data = t.data.clone();
    let _keep = t.dir;
    drop(t.clinic);
    let before = snapshot(data.root());
    let wrong = DatabaseKey::generate().expect("key");
    let err = Clinic::open_with_key(&data, &wrong, Env::system()).expect_err("wrong key");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert!(err.message.contains("recovery key"), "{}", err.message);
    assert_eq!(snapshot(data.root()), before, "byte for byte, no new files");
    // A well-formed recovery key of another database is refused the same way.
    let other = RecoveryKey::from_database_key(&wrong);
    let err = Clinic::unlock_with_recovery_key(&data, &other, &MemoryKeyStore::default(), Env::system())
        .expect_err("other key");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert_eq!(snapshot(data.root()), before);
}

#[test]
fn a_missing_keychain_entry_is_reported_and_the_recovery_key_opens_everything() {
    let t = TestClinic::new();
    grow(&t, 5);
    let TestClinic { dir: _keep, data, keys, clinic, recovery, .. } = t;
    drop(clinic);
    keys.delete().expect("lose the key");
    let before = snapshot(data.root());
    let err = Clinic::unlock(&data, &keys, Env::system()).expect_err("no key");
    assert_eq!(err.code, ErrorCode::KeyRejected);
    assert_eq!(snapshot(data.root()), before);

    let typed = recovery.as_str().to_lowercase();
    let recovered =
        Clinic::unlock_with_recovery_key(&data, &RecoveryKey::parse(&typed).expect("parse"), &keys, Env::system())
            .expect("recover");
    let admin = clinic_core::accounts::login(&recovered, "admin", common::ADMIN_PASSWORD).expect("login").session_id;
    assert_eq!(
        setup::settings(&recovered, admin).expect("settings").address,
        "4 River Road, building with a long name to fill pages"
    );
    assert!(keys.load().expect("load").is_some(), "key back in the keychain");
}

#[test]
fn setup_never_creates_over_an_existing_database() {
    let t = TestClinic::new();
    let data = t.data.clone();
    let _keep = t.dir;
    drop(t.clinic);
    let before = snapshot(data.root());
    let err = Clinic::create(&data, &MemoryKeyStore::default(), Env::system(), "D02").expect_err("exists");
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(snapshot(data.root()), before);
    assert_eq!(data.status().expect("status"), DataDirStatus::Present);
}

#[test]
fn a_damaged_file_is_detected_and_quarantined_not_deleted() {
    let t = TestClinic::new();
    grow(&t, 300);
    let TestClinic { dir: _keep, data, keys, clinic, .. } = t;
    drop(clinic);
    let key = keys.load().expect("load").expect("key");
    assert!(store::check_integrity(&data, &key).expect("check").is_ok(), "healthy before");

    let mut bytes = std::fs::read(data.db_path()).expect("read");
    let pages = bytes.len() / 4096;
    assert!(pages > 10, "need several pages, have {pages}");
    let middle = (pages / 2) * 4096 + 100;
    for b in &mut bytes[middle..middle + 16] {
        *b ^= 0xA5;
    }
    std::fs::write(data.db_path(), &bytes).expect("damage");

    let report = store::check_integrity(&data, &key).expect("check runs");
    assert!(!report.is_ok(), "damage detected: {report:?}");
    let moved = store::quarantine(&data, jiff::Timestamp::now()).expect("quarantine");
    assert_eq!(moved.len(), 1);
    assert_eq!(std::fs::read(&moved[0]).expect("kept"), bytes, "quarantined file is the damaged file, intact");
    assert!(!data.db_path().exists());
    assert!(matches!(data.status().expect("status"), DataDirStatus::Quarantined { .. }));
    // And a fresh setup is not offered silently over it: unlocking says there is nothing to unlock.
    assert_eq!(Clinic::unlock(&data, &keys, Env::system()).expect_err("gone").code, ErrorCode::NotFound);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let t = TestClinic::new();
    let TestClinic { dir: _keep, data, keys, clinic, .. } = t;
    clinic
        .with_connection_for_tests(|c| c.pragma_update(None, "user_version", LATEST_SCHEMA_VERSION + 1).expect("bump"))
        .expect("conn");
    drop(clinic);
    let before = snapshot(data.root());
    let err = Clinic::unlock(&data, &keys, Env::system()).expect_err("too new");
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(err.message.contains("newer version"), "{}", err.message);
    assert_eq!(snapshot(data.root()), before);
}

#[test]
fn a_failing_migration_step_leaves_the_schema_as_it_was() {
    let tmp = tempfile::tempdir().expect("temp");
    let data = DataDir::new(tmp.path());
    let key = DatabaseKey::generate().expect("key");
    let mut conn = store::create_database(&data, &key).expect("create");
    let steps = [
        Migration { version: 1, name: "0001_ok", sql: "CREATE TABLE a (x INTEGER);" },
        Migration { version: 2, name: "0002_broken", sql: "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;" },
    ];
    store::apply_steps(&mut conn, &steps, 2).expect_err("broken step");
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).expect("tables");
    assert_eq!((version, tables), (0, 0), "not even step 1 was kept");
}

fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String, String)> {
    let mut stmt = conn
        .prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn every_frozen_schema_upgrades_to_the_same_schema_as_a_fresh_one_with_its_data() {
    for version in [1, 2, 3] {
        upgrade_fixture(version);
    }
}

fn upgrade_fixture(version: u32) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}.db"));
    let tmp = tempfile::tempdir().expect("temp");
    let data = DataDir::new(tmp.path().join("old"));
    std::fs::create_dir_all(data.root()).expect("dir");
    std::fs::copy(&fixture, data.db_path()).expect("copy fixture");
    let key = DatabaseKey::from_bytes(&[0x11; 32]).expect("fixture key");

    let upgraded = Clinic::open_with_key(&data, &key, Env::system()).expect("open and migrate");
    let (version, upgraded_schema, found) = upgraded
        .with_connection_for_tests(|c| {
            let version: u32 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
            let found: Vec<String> = c
                .prepare("SELECT p.mrn FROM patient_name_search s JOIN patients p ON p.local_rowid = s.rowid WHERE patient_name_search MATCH 'arci' ORDER BY p.mrn")
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            (version, schema_of(c), found)
        })
        .expect("conn");
    assert_eq!(version, LATEST_SCHEMA_VERSION);
    assert_eq!(
        found,
        vec!["FIX-D01-000001".to_owned()],
        "patients written before the search index existed are indexed"
    );
    let admin =
        clinic_core::accounts::login(&upgraded, "admin", "fixture admin password").expect("old account signs in");
    assert_eq!(setup::settings(&upgraded, admin.session_id).expect("settings").name, "Fixture Clinic");

    let fresh = TestClinic::new();
    let fresh_schema = fresh.clinic.with_connection_for_tests(schema_of).expect("conn");
    assert_eq!(upgraded_schema, fresh_schema);
}

#[test]
fn many_databases_can_be_created_and_opened_at_once() {
    // SQLCipher's key set-up is not safe to run on several connections at the same instant; the store
    // must serialise it, so concurrent opens (the app and a backup, parallel tests) never fail.
    let tmp = tempfile::tempdir().expect("temp");
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let root = tmp.path().join(format!("thread-{t}"));
            std::thread::spawn(move || {
                for i in 0..15 {
                    let data = DataDir::new(root.join(format!("db-{i}")));
                    let keys = MemoryKeyStore::default();
                    let (clinic, _) = Clinic::create(&data, &keys, Env::system(), "D01").expect("create");
                    drop(clinic);
                    Clinic::unlock(&data, &keys, Env::system()).expect("reopen");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("no thread failed");
    }
}
