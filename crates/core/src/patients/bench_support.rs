//! Benchmark only (feature `benchmark-plaintext`): a clinic on an unencrypted database, to show what encryption costs.
//!
//! Never compiled into the app: the feature exists for `benches/patient_search.rs` alone.

use crate::clock::{Env, to_db_time};
use crate::store::{self, DataDir, LATEST_SCHEMA_VERSION};
use crate::{Clinic, CoreError, CoreResult, Device};

impl Clinic {
    /// Creates an UNENCRYPTED clinic database in `dir`. For the benchmark's comparison only.
    #[doc(hidden)]
    pub fn create_plaintext_for_benchmark(dir: &DataDir, env: Env, device_code: &str) -> CoreResult<Clinic> {
        std::fs::create_dir_all(dir.root()).map_err(CoreError::internal)?;
        if dir.db_path().exists() {
            return Err(CoreError::conflict("A database already exists in this folder."));
        }
        let mut conn = store::open_plaintext_for_benchmark(&dir.db_path())?;
        store::apply_migrations(&mut conn, LATEST_SCHEMA_VERSION)?;
        let device = Device { id: env.ids.new_id(), code: device_code.to_owned() };
        conn.execute(
            "INSERT INTO device (id, code, created_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![device.id.to_string(), device.code, to_db_time(env.clock.now())],
        )?;
        Clinic::from_parts(dir.clone(), conn, env, device)
    }

    /// Reopens an unencrypted benchmark database.
    #[doc(hidden)]
    pub fn open_plaintext_for_benchmark(dir: &DataDir, env: Env) -> CoreResult<Clinic> {
        let mut conn = store::open_plaintext_for_benchmark(&dir.db_path())?;
        store::apply_migrations(&mut conn, LATEST_SCHEMA_VERSION)?;
        let (id, code): (String, String) =
            conn.query_row("SELECT id, code FROM device", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let device = Device { id: uuid::Uuid::parse_str(&id).map_err(CoreError::internal)?, code };
        Clinic::from_parts(dir.clone(), conn, env, device)
    }
}
