//! The open clinic: one encrypted database, the device it runs on, and its signed-in sessions.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use uuid::Uuid;

use crate::accounts::sessions::SessionTable;
use crate::audit::{self, AuditEvent};
use crate::clock::{Env, to_db_time};
use crate::keys::{DatabaseKey, KeyStore, RecoveryKey};
use crate::store::{self, DataDir, LATEST_SCHEMA_VERSION};
use crate::{CoreError, CoreResult, ErrorCode};

/// Default idle time before a session locks, until the clinic sets its own.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;

/// This installation's identity, used for per-device number series and the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    /// Short code in MRNs and invoice numbers, e.g. `D01`.
    pub code: String,
}

/// An unlocked clinic database. Every core operation goes through this handle.
#[derive(Debug)]
pub struct Clinic {
    dir: DataDir,
    conn: Mutex<Connection>,
    pub(crate) env: Env,
    device: Device,
    pub(crate) sessions: Mutex<SessionTable>,
    pub(crate) idle_lock_minutes: AtomicU32,
    /// Held for the length of one sync run, so a timer's run and a "sync now" never interleave.
    pub(crate) sync_running: Mutex<()>,
}

impl Clinic {
    /// First run: makes a random key, stores it in the keychain *before* anything is written
    /// (so a keychain that cannot be reached refuses setup instead of losing the key), then creates
    /// the encrypted database. Returns the recovery key to show once.
    pub fn create(
        dir: &DataDir,
        keys: &dyn KeyStore,
        env: Env,
        device_code: &str,
    ) -> CoreResult<(Clinic, RecoveryKey)> {
        let device_code = crate::setup::validate_code("device_code", device_code)?;
        if dir.db_files().iter().any(|f| f.exists()) {
            return Err(CoreError::conflict(
                "A clinic database already exists in this data folder; it was left untouched. Unlock it instead.",
            ));
        }
        let key = DatabaseKey::generate()?;
        keys.save(&key)?;
        let mut conn = store::create_database(dir, &key)?;
        store::apply_migrations(&mut conn, LATEST_SCHEMA_VERSION)?;
        let device = Device { id: env.ids.new_id(), code: device_code };
        conn.execute(
            "INSERT INTO device (id, code, created_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![device.id.to_string(), device.code, to_db_time(env.clock.now())],
        )?;
        let recovery = RecoveryKey::from_database_key(&key);
        Ok((Clinic::from_parts(dir.clone(), conn, env, device)?, recovery))
    }

    /// Normal start: the key comes from the keychain. A missing entry or a refused key leaves the
    /// file untouched and says to use the recovery key.
    pub fn unlock(dir: &DataDir, keys: &dyn KeyStore, env: Env) -> CoreResult<Clinic> {
        let key = keys.load()?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::KeyRejected,
                "The key for this clinic database is not in this computer's keychain (for example after a \
                 new user profile or a repair). Open the database with the recovery key from the recovery sheet.",
            )
        })?;
        Clinic::open_with_key(dir, &key, env)
    }

    /// Opens with the recovery key and, once it is proven right, puts the key back into the keychain.
    pub fn unlock_with_recovery_key(
        dir: &DataDir,
        recovery: &RecoveryKey,
        keys: &dyn KeyStore,
        env: Env,
    ) -> CoreResult<Clinic> {
        let key = recovery.to_database_key()?;
        let clinic = Clinic::open_with_key(dir, &key, env)?;
        keys.save(&key)?;
        Ok(clinic)
    }

    /// Opens with a key in hand, migrates, and loads the device identity.
    pub fn open_with_key(dir: &DataDir, key: &DatabaseKey, env: Env) -> CoreResult<Clinic> {
        let mut conn = match store::open_database(dir, key) {
            Err(e) if e.code == ErrorCode::Corrupt => {
                return Err(quarantine_and_report(dir, &env, e));
            }
            other => other?,
        };
        match store::apply_migrations(&mut conn, LATEST_SCHEMA_VERSION) {
            Err(e) if is_corruption(&e) => {
                drop(conn);
                return Err(quarantine_and_report(dir, &env, e));
            }
            other => other?,
        };
        let device = conn
            .query_row("SELECT id, code FROM device", [], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .optional()?
            .ok_or_else(|| CoreError::internal("database has no device row"))?;
        let device = Device { id: Uuid::parse_str(&device.0).map_err(CoreError::internal)?, code: device.1 };
        Clinic::from_parts(dir.clone(), conn, env, device)
    }

    pub(crate) fn from_parts(dir: DataDir, conn: Connection, env: Env, device: Device) -> CoreResult<Clinic> {
        let idle: Option<u32> =
            conn.query_row("SELECT idle_lock_minutes FROM clinic LIMIT 1", [], |r| r.get(0)).optional()?;
        Ok(Clinic {
            dir,
            conn: Mutex::new(conn),
            env,
            device,
            sessions: Mutex::new(SessionTable::default()),
            idle_lock_minutes: AtomicU32::new(idle.unwrap_or(DEFAULT_IDLE_LOCK_MINUTES)),
            sync_running: Mutex::new(()),
        })
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.dir
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    pub(crate) fn idle_lock_minutes(&self) -> u32 {
        self.idle_lock_minutes.load(Ordering::Relaxed)
    }

    /// Runs `f` with the connection. Keep the closure short: it holds the database for everyone.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> CoreResult<T>) -> CoreResult<T> {
        let conn = self.conn.lock().map_err(|_| CoreError::internal("database lock poisoned"))?;
        f(&conn)
    }

    /// Runs `f` in one IMMEDIATE transaction, committed only if `f` succeeds: a failed operation changes nothing.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> CoreResult<T>) -> CoreResult<T> {
        let mut conn = self.conn.lock().map_err(|_| CoreError::internal("database lock poisoned"))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Appends an audit entry in its own transaction (for events with no other write, such as a view).
    pub(crate) fn audit_alone(&self, event: &AuditEvent<'_>) -> CoreResult<()> {
        let now = self.env.clock.now();
        self.write(|tx| audit::record(tx, self.device.id, now, event))
    }

    /// Appends an audit entry inside an open transaction.
    pub(crate) fn audit_in(&self, tx: &Connection, event: &AuditEvent<'_>) -> CoreResult<()> {
        audit::record(tx, self.device.id, self.env.clock.now(), event)
    }

    /// Direct access to the connection for tests and benchmarks of this crate's internals.
    #[doc(hidden)]
    pub fn with_connection_for_tests<T>(&self, f: impl FnOnce(&Connection) -> T) -> CoreResult<T> {
        let conn = self.conn.lock().map_err(|_| CoreError::internal("database lock poisoned"))?;
        Ok(f(&conn))
    }
}

fn is_corruption(e: &CoreError) -> bool {
    let text = e.to_string();
    e.code == ErrorCode::Corrupt || text.contains("malformed") || text.contains("not a database")
}

fn quarantine_and_report(dir: &DataDir, env: &Env, cause: CoreError) -> CoreError {
    match store::quarantine(dir, env.clock.now()) {
        Ok(moved) => CoreError::new(
            ErrorCode::Corrupt,
            format!(
                "The clinic database is damaged and could not be used. It was set aside, not deleted ({}). \
                 Restore the latest backup, and tell your IT support.",
                moved.first().map(|p| p.display().to_string()).unwrap_or_default()
            ),
        )
        .with_source(cause),
        Err(e) => e.with_source(cause),
    }
}
