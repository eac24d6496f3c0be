//! Writes a frozen fixture of a shipped schema version: an encrypted database at schema `VERSION`
//! with a little data, under the fixed test key. Run once when a schema ships, commit the file,
//! never regenerate it: upgrade tests open it with every later binary.
//!
//! `cargo run -p clinic-core --example freeze_schema_fixture -- 1 crates/core/tests/fixtures/schema-v1.db`

use anyhow::{Context, bail};
use clinic_core::keys::DatabaseKey;
use clinic_core::store::{DataDir, apply_migrations, create_database};
use rusqlite::params;

/// The key every schema fixture is encrypted with (test data only).
const FIXTURE_KEY: [u8; 32] = [0x11; 32];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, version, out] = args.as_slice() else { bail!("usage: freeze_schema_fixture VERSION OUT.db") };
    let version: u32 = version.parse().context("VERSION must be a number")?;
    if !(1..=3).contains(&version) {
        bail!("this program knows how to fill schemas 1 to 3; add the data for a new schema here when it ships");
    }
    let out = std::path::Path::new(out);
    if out.exists() {
        bail!("{} exists; fixtures are frozen", out.display());
    }
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path());
    let key = DatabaseKey::from_bytes(&FIXTURE_KEY).context("key")?;
    let mut conn = create_database(&dir, &key)?;
    apply_migrations(&mut conn, version)?;
    // Schema 2 only added the name search index (kept by triggers), so the same rows fit both. Schema 3 dropped
    // the insert trigger (the store writes the index row itself), and its fixture also holds queued mutations.
    fill_schema_1(&conn, version >= 3)?;
    if version >= 3 {
        fill_outbox(&conn)?;
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    drop(conn);
    std::fs::copy(dir.db_path(), out)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn fill_schema_1(conn: &rusqlite::Connection, index_by_hand: bool) -> anyhow::Result<()> {
    let at = "2026-01-15T09:30:00.000Z";
    conn.execute(
        "INSERT INTO device (id, code, created_at) VALUES ('0194a000-0000-7000-8000-000000000001', 'D01', ?1)",
        [at],
    )?;
    conn.execute("INSERT INTO number_series (name, next_value) VALUES ('mrn', 3)", [])?;
    conn.execute(
        "INSERT INTO clinic (id, name, code, address, time_zone, currency, invoice_prefix, date_format, idle_lock_minutes, updated_at)
         VALUES ('0194a000-0000-7000-8000-000000000002', 'Fixture Clinic', 'FIX', '', 'Europe/Paris', 'EUR', 'FIX', 'DMY', 15, ?1)",
        [at],
    )?;
    let hash = clinic_core::accounts::password::hash("fixture admin password")?;
    conn.execute(
        "INSERT INTO staff (id, username, username_key, display_name, role, password_hash, created_at, updated_at)
         VALUES ('0194a000-0000-7000-8000-000000000003', 'admin', 'admin', 'Fixture Admin', 'administrator', ?1, ?2, ?2)",
        params![hash, at],
    )?;
    let patients = [
        (
            "0194a000-0000-7000-8000-000000000010",
            "FIX-D01-000001",
            "José",
            "García",
            "jose",
            "garcia",
            "jose garcia",
            "1980-04-12",
        ),
        (
            "0194a000-0000-7000-8000-000000000011",
            "FIX-D01-000002",
            "Zoë",
            "Ndlovu",
            "zoe",
            "ndlovu",
            "zoe ndlovu",
            "1992-11-30",
        ),
    ];
    for (id, mrn, given, family, given_key, family_key, search_names, dob) in patients {
        conn.execute(
            "INSERT INTO patients (id, mrn, given_name, family_name, date_of_birth, sex, given_key, family_key, search_names, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'unknown', ?6, ?7, ?8, ?9, ?9)",
            params![id, mrn, given, family, dob, given_key, family_key, search_names, at],
        )?;
        if index_by_hand {
            conn.execute(
                "INSERT INTO patient_name_search (rowid, search_names) VALUES (last_insert_rowid(), ?1)",
                [search_names],
            )?;
        }
        conn.execute("INSERT INTO patient_lookup (kind, value, patient_id) VALUES ('mrn', ?1, ?2)", params![mrn, id])?;
    }
    Ok(())
}

/// Two mutations waiting to be pushed, as schema 1 to 3 queued them (no clock stamp yet).
fn fill_outbox(conn: &rusqlite::Connection) -> anyhow::Result<()> {
    let rows = [
        (
            "0194a000-0000-7000-8000-000000000020",
            "0194a000-0000-7000-8000-000000000010",
            "FIX-D01-000001",
            "José",
            "García",
        ),
        (
            "0194a000-0000-7000-8000-000000000021",
            "0194a000-0000-7000-8000-000000000011",
            "FIX-D01-000002",
            "Zoë",
            "Ndlovu",
        ),
    ];
    for (mutation_id, patient_id, mrn, given, family) in rows {
        let args = serde_json::json!({ "mrn": mrn, "patient": { "given_name": given, "family_name": family } });
        conn.execute(
            "INSERT INTO outbox (mutation_id, name, v, entity, entity_id, args, authored_by, authored_at)
             VALUES (?1, 'patient.register', 1, 'patient', ?2, ?3, '0194a000-0000-7000-8000-000000000003',
                     '2026-01-15T09:30:00.000Z')",
            params![mutation_id, patient_id, args.to_string()],
        )?;
    }
    Ok(())
}
