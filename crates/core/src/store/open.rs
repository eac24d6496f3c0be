//! Opening the SQLCipher database: key first, never create over an existing file, then the pragmas.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::DataDir;
use crate::keys::DatabaseKey;
use crate::{CoreError, CoreResult, ErrorCode};

/// Opens an existing encrypted database. The file is only read until the key is proven right,
/// and it is never created: a missing file is reported, not replaced.
pub fn open_database(dir: &DataDir, key: &DatabaseKey) -> CoreResult<Connection> {
    let path = dir.db_path();
    if !path.exists() {
        return Err(CoreError::not_found(
            "There is no clinic database in this data folder. Run the first-time setup, or restore a backup.",
        ));
    }
    let conn = keyed_connection(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX, key)?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

/// Creates a new encrypted database file; refuses if one is already there.
pub fn create_database(dir: &DataDir, key: &DatabaseKey) -> CoreResult<Connection> {
    std::fs::create_dir_all(dir.root()).map_err(|e| {
        CoreError::unavailable("The data folder could not be created. Check that the disk is writable.").with_source(e)
    })?;
    if dir.db_files().iter().any(|f| f.exists()) {
        return Err(CoreError::conflict(
            "A clinic database already exists in this data folder; it was left untouched. Unlock it instead.",
        ));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = keyed_connection(&dir.db_path(), flags, key)?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

/// Opens a connection and gives it the key, once SQLCipher has finished starting in this process.
fn keyed_connection(path: &Path, flags: OpenFlags, key: &DatabaseKey) -> CoreResult<Connection> {
    wait_until_sqlcipher_is_ready()?;
    let conn = Connection::open_with_flags(path, flags).map_err(open_failure)?;
    unlock(&conn, key)?;
    Ok(conn)
}

/// Set once an in-memory database has accepted a key in this process.
static SQLCIPHER_READY: AtomicBool = AtomicBool::new(false);

/// SQLite marks itself initialised *before* it runs SQLCipher's own start-up (on the first thread to open a
/// database), so another thread opening its first database at that moment is refused its key ("An error
/// occurred with PRAGMA key") until that start-up ends a few milliseconds later. Every keyed connection
/// therefore first waits, once per process, until a throwaway in-memory database accepts a key.
fn wait_until_sqlcipher_is_ready() -> CoreResult<()> {
    if SQLCIPHER_READY.load(Ordering::Acquire) {
        return Ok(());
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let probe = Connection::open_in_memory().map_err(open_failure)?;
        match probe.pragma_update(None, "key", PROBE_KEY) {
            Ok(()) => {
                SQLCIPHER_READY.store(true, Ordering::Release);
                return Ok(());
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(CoreError::internal(e)),
        }
    }
}

/// A raw key for the readiness probe's in-memory database, which holds nothing.
const PROBE_KEY: &str = "x'0000000000000000000000000000000000000000000000000000000000000000'";

/// An unencrypted database with the same pragmas, only to measure what encryption costs.
pub fn open_plaintext_for_benchmark(path: &Path) -> CoreResult<Connection> {
    let conn = Connection::open(path)?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

/// Gives SQLCipher the key and proves it by reading the schema. A wrong key reads nothing and writes nothing.
pub(crate) fn unlock(conn: &Connection, key: &DatabaseKey) -> CoreResult<()> {
    silence_sqlcipher_log(conn);
    conn.pragma_update(None, "key", key.sqlcipher_literal().as_str())?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(e) if is_not_a_database(&e) => Err(key_rejected().with_source(e)),
        Err(e) if is_corrupt(&e) => Err(corrupt_error().with_source(e)),
        Err(e) => Err(CoreError::internal(e)),
    }
}

/// Pragmas every connection runs with (see DESIGN.md: durability and no plaintext leftovers).
fn apply_pragmas(conn: &Connection) -> CoreResult<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // 16 MiB of decrypted pages (SQLite's default is 2 MiB): the scheduling and name indexes of a busy clinic
    // stay decrypted in memory, so a free-slot search over months does not decrypt them again on every query.
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// SQLCipher prints "hmac check failed" to stderr on a wrong key; the error we return says it better.
fn silence_sqlcipher_log(conn: &Connection) {
    let _ = conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()));
}

pub(crate) fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::NotADatabase))
}

pub(crate) fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt))
}

pub(crate) fn key_rejected() -> CoreError {
    CoreError::new(
        ErrorCode::KeyRejected,
        "The clinic database could not be unlocked with this key. The file was left exactly as it was. \
         Open it with the recovery key from the recovery sheet; if that is refused too, the file may be \
         damaged: restore the latest backup.",
    )
}

pub(crate) fn corrupt_error() -> CoreError {
    CoreError::new(
        ErrorCode::Corrupt,
        "The clinic database is damaged. It has been set aside (not deleted). Restore the latest backup, \
         and tell your IT support.",
    )
}

fn open_failure(e: rusqlite::Error) -> CoreError {
    CoreError::unavailable(
        "The clinic database file could not be opened. Check that the disk is connected and readable.",
    )
    .with_source(e)
}
