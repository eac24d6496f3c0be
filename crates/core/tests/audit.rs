//! The audit trail: what gets recorded, filters and CSV export, append-only triggers, and the hash
//! chain catching every kind of tampering (and raising no false alarm on a long clean chain).

mod common;

use clinic_core::ErrorCode;
use clinic_core::accounts;
use clinic_core::audit::{self, AuditAction, AuditEvent, AuditFilter, AuditOutcome, entry_hash};
use clinic_core::keys::KeyStore;
use clinic_core::rbac::Role;
use clinic_core::store::{self, DataDir};
use common::{ADMIN_PASSWORD, TestClinic};
use rusqlite::{Connection, params};

/// Appends `n` entries straight through the chain writer (fast, for long chains).
fn append_entries(t: &TestClinic, n: usize) {
    let device = t.clinic.device().id;
    t.clinic
        .with_connection_for_tests(|c| {
            c.execute_batch("BEGIN").expect("begin");
            for i in 0..n {
                let id = uuid::Uuid::from_u128(i as u128 + 1);
                let event =
                    AuditEvent::new(AuditAction::PatientView, AuditOutcome::Success).on("patient", id).patient(id);
                audit::record(c, device, common::start_time(), &event).expect("record");
            }
            c.execute_batch("COMMIT").expect("commit");
        })
        .expect("conn");
}

#[test]
fn sign_ins_locks_and_refusals_are_recorded_without_secrets() {
    let t = TestClinic::new();
    accounts::login(&t.clinic, "admin", "a wrong password typed").expect_err("wrong");
    accounts::login(&t.clinic, "nobody-here", "another wrong one").expect_err("unknown");
    let clerk = t.sign_in_as(Role::BillingClerk);
    accounts::list_staff(&t.clinic, clerk).expect_err("refused");
    accounts::lock(&t.clinic, clerk).expect("lock");
    accounts::logout(&t.clinic, clerk).expect("logout");

    let all = audit::list(&t.clinic, t.admin, &AuditFilter::default()).expect("list");
    let has = |action: &str, outcome: &str| all.iter().any(|e| e.action == action && e.outcome == outcome);
    assert!(has("clinic_setup", "success"));
    assert!(has("login", "success"));
    assert!(has("login", "failure"));
    assert!(has("access_denied", "denied"));
    assert!(has("session_lock", "success"));
    assert!(has("logout", "success"));
    assert!(has("staff_create", "success"));
    let unknown =
        all.iter().find(|e| e.action == "login" && e.detail == "unknown user name").expect("unknown name failure");
    assert_eq!(unknown.username, None, "a mistyped user name (maybe a password) is not stored");
    let everything = format!("{all:?}");
    let secrets = [
        "a wrong password typed",
        "another wrong one",
        ADMIN_PASSWORD,
        common::STAFF_PASSWORD,
        common::TEMPORARY_PASSWORD,
        "nobody-here",
    ];
    for secret in secrets {
        assert!(!everything.contains(secret), "{secret} leaked into the audit trail");
    }
}

#[test]
fn the_trail_filters_by_user_action_and_date_and_exports_csv() {
    let t = TestClinic::new();
    let admin_id = accounts::list_staff(&t.clinic, t.admin).expect("staff")[0].id;
    t.clock.advance_secs(2 * 86_400);
    accounts::unlock(&t.clinic, t.admin, ADMIN_PASSWORD).expect("unlock after the idle lock");
    let nurse = t.sign_in_as(Role::Nurse);
    accounts::logout(&t.clinic, nurse).expect("logout");

    let by_admin = audit::list(&t.clinic, t.admin, &AuditFilter { user_id: Some(admin_id), ..Default::default() })
        .expect("by user");
    assert!(!by_admin.is_empty() && by_admin.iter().all(|e| e.user_id == Some(admin_id)));
    let logouts =
        audit::list(&t.clinic, t.admin, &AuditFilter { action: Some(AuditAction::Logout), ..Default::default() })
            .expect("action");
    assert_eq!(logouts.len(), 1);
    let first_day = jiff::civil::date(2026, 3, 2);
    let day_one = audit::list(
        &t.clinic,
        t.admin,
        &AuditFilter { from_date: Some(first_day), to_date: Some(first_day), ..Default::default() },
    )
    .expect("dates");
    assert!(day_one.iter().all(|e| e.at.starts_with("2026-03-02")));
    assert!(day_one.iter().any(|e| e.action == "clinic_setup"));
    assert!(!day_one.iter().any(|e| e.action == "logout"));
    let bad = audit::list(
        &t.clinic,
        t.admin,
        &AuditFilter { from_date: Some(first_day), to_date: Some(jiff::civil::date(2026, 3, 1)), ..Default::default() },
    )
    .expect_err("reversed dates");
    assert_eq!(bad.field.as_deref(), Some("to_date"));

    let mut csv_out = Vec::new();
    let written = audit::export_csv(&t.clinic, t.admin, &AuditFilter::default(), &mut csv_out).expect("export");
    let text = String::from_utf8(csv_out).expect("utf8");
    let mut lines = text.lines();
    assert!(lines.next().expect("header").starts_with("at,device_id,seq,user_id,username,action"));
    assert_eq!(lines.count(), written);
    let exports =
        audit::list(&t.clinic, t.admin, &AuditFilter { action: Some(AuditAction::AuditExport), ..Default::default() })
            .expect("export audited");
    assert_eq!(exports.len(), 1);
}

#[test]
fn only_administrators_read_the_trail() {
    let t = TestClinic::new();
    for role in [Role::Doctor, Role::Nurse, Role::Receptionist, Role::BillingClerk] {
        let session = t.sign_in_as(role);
        assert_eq!(
            audit::list(&t.clinic, session, &AuditFilter::default()).expect_err("refused").code,
            ErrorCode::Forbidden
        );
        assert_eq!(audit::verify(&t.clinic, session).expect_err("refused").code, ErrorCode::Forbidden);
    }
}

#[test]
fn the_table_refuses_updates_and_deletes() {
    let t = TestClinic::new();
    t.clinic
        .with_connection_for_tests(|c| {
            let update = c.execute("UPDATE audit_log SET detail = 'changed'", []).expect_err("no update");
            assert!(update.to_string().contains("append-only"), "{update}");
            let delete = c.execute("DELETE FROM audit_log", []).expect_err("no delete");
            assert!(delete.to_string().contains("append-only"), "{delete}");
        })
        .expect("conn");
    assert!(audit::verify(&t.clinic, t.admin).expect("verify").is_intact());
}

#[test]
fn a_long_clean_chain_raises_no_alarm() {
    let t = TestClinic::new();
    append_entries(&t, 20_000);
    let report = audit::verify(&t.clinic, t.admin).expect("verify");
    assert!(report.is_intact(), "{:?}", report.breaks.first());
    assert!(report.entries_checked > 20_000);
    assert_eq!(report.devices, 1);
}

/// A tiny deterministic generator, so a failing case can be replayed from its seed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

fn entry_count(c: &Connection) -> i64 {
    c.query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0)).expect("count")
}

/// One tampering, as someone holding the key and editing the file directly would do it.
fn tamper(c: &Connection, rng: &mut XorShift) -> String {
    c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").expect("drop triggers");
    let n = entry_count(c);
    let k = 1 + rng.below(n - 1); // an entry that has a successor
    match rng.below(7) {
        0 => {
            let column = ["detail", "action", "at", "outcome", "username", "entity_type"][rng.below(6) as usize];
            let sql = ["UPDATE audit_log SET ", column, " = coalesce(", column, ", '') || 'x' WHERE seq = ?1"].concat();
            c.execute(&sql, [k]).expect("edit");
            format!("edit {column} of entry {k}")
        }
        1 => {
            c.execute("DELETE FROM audit_log WHERE seq = ?1", [k]).expect("delete");
            format!("remove entry {k}")
        }
        2 => {
            let tail = 1 + rng.below(3);
            c.execute("DELETE FROM audit_log WHERE seq > ?1", [n - tail]).expect("delete tail");
            format!("remove the last {tail} entries")
        }
        3 => {
            // A forged entry appended with a correct link and hash.
            let last = read(c, n);
            let mut forged = last.clone();
            forged.seq = n + 1;
            forged.detail = "forged".into();
            forged.prev_hash = last.hash.clone();
            forged.hash = entry_hash(&forged.prev_hash, &forged);
            insert(c, &forged);
            "append a forged entry".into()
        }
        4 => {
            // A forged entry inserted in the middle, later entries renumbered to make room.
            c.execute("UPDATE audit_log SET seq = -(seq + 1) WHERE seq > ?1", [k]).expect("shift");
            c.execute("UPDATE audit_log SET seq = -seq WHERE seq < 0", []).expect("shift back");
            let before = read(c, k);
            let mut forged = before.clone();
            forged.seq = k + 1;
            forged.detail = "forged".into();
            forged.prev_hash = before.hash.clone();
            forged.hash = entry_hash(&forged.prev_hash, &forged);
            insert(c, &forged);
            format!("slip a forged entry in after {k}")
        }
        5 => {
            let other = 1 + rng.below(n);
            let other = if other == k { k + 1 } else { other };
            c.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?1", [k]).expect("swap");
            c.execute("UPDATE audit_log SET seq = ?1 WHERE seq = ?2", [k, other]).expect("swap");
            c.execute("UPDATE audit_log SET seq = ?1 WHERE seq = -1", [other]).expect("swap");
            format!("swap entries {k} and {other}")
        }
        _ => {
            // Edit and re-hash the entry itself: its successor no longer links to it.
            let mut entry = read(c, k);
            entry.detail.push_str(" (edited)");
            entry.hash = entry_hash(&entry.prev_hash, &entry);
            c.execute(
                "UPDATE audit_log SET detail = ?1, hash = ?2 WHERE seq = ?3",
                params![entry.detail, entry.hash, k],
            )
            .expect("edit and rehash");
            format!("edit and re-hash entry {k}")
        }
    }
}

fn read(c: &Connection, seq: i64) -> audit::AuditEntry {
    c.query_row(
        "SELECT device_id, seq, at, user_id, username, action, entity_type, entity_id, patient_id, outcome, detail, prev_hash, hash
         FROM audit_log WHERE seq = ?1",
        [seq],
        audit::read_entry,
    )
    .expect("entry")
}

fn insert(c: &Connection, e: &audit::AuditEntry) {
    c.execute(
        "INSERT INTO audit_log (device_id, seq, at, user_id, username, action, entity_type, entity_id, patient_id, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            e.device_id.to_string(),
            e.seq,
            e.at,
            e.user_id.map(|u| u.to_string()),
            e.username,
            e.action,
            e.entity_type,
            e.entity_id.map(|u| u.to_string()),
            e.patient_id.map(|u| u.to_string()),
            e.outcome,
            e.detail,
            e.prev_hash,
            e.hash
        ],
    )
    .expect("insert forged");
}

#[test]
fn every_random_tampering_is_detected() {
    let t = TestClinic::new();
    append_entries(&t, 150);
    let TestClinic { dir, data, keys, clinic, .. } = t;
    drop(clinic);
    let key = keys.load().expect("load").expect("key");
    let seed: u64 = std::env::var("AUDIT_TAMPER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_CAFE);
    let mut rng = XorShift(seed);
    for round in 0..200 {
        let copy = DataDir::new(dir.path().join(format!("round-{round}")));
        std::fs::create_dir_all(copy.root()).expect("dir");
        std::fs::copy(data.db_path(), copy.db_path()).expect("copy");
        let conn = store::open_database(&copy, &key).expect("open copy");
        assert!(audit::verify_audit_chain(&conn).expect("verify").is_intact(), "copy starts clean");
        let what = tamper(&conn, &mut rng);
        let report = audit::verify_audit_chain(&conn).expect("verify");
        assert!(!report.is_intact(), "not detected: {what} (seed {seed}, round {round})");
        drop(conn);
        std::fs::remove_dir_all(copy.root()).expect("clean up");
    }
}
