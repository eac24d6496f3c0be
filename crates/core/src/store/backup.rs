//! Encrypted backups of the whole database to a new SQLCipher file, and restoring them ([`restore`]).
//!
//! **How the copy is made.** SQLite's online backup API (`rusqlite::backup::Backup`) from the live
//! connection into a new, already keyed destination connection. It works in SQLCipher 4 even when the
//! destination has a different key from the source: the backup copies pages through the two pagers,
//! so every page is decrypted by the source's codec and re-encrypted by the destination's (with the
//! destination's own salt). The one condition is the same page size and reserve bytes on both sides,
//! which holds because Clinic Desk never changes SQLCipher's default cipher settings. The same-key and
//! new-key cases are both exercised by `tests/backup_restore.rs`, so `sqlcipher_export` is not needed.
//!
//! **Never a half-written backup.** The copy is written to a hidden `.partial` file beside the
//! destination, switched out of WAL mode (one self-contained file), closed, reopened with its key and
//! checked (`PRAGMA cipher_integrity_check` and `quick_check`), synced, and only then given its name —
//! never over an existing file.

mod restore;

pub use restore::{RestoreSummary, restore_backup};

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::open::{is_corrupt, is_not_a_database, unlock};
use crate::accounts::SessionId;
use crate::audit::{AuditAction, AuditOutcome};
use crate::keys::{DatabaseKey, RecoveryKey};
use crate::rbac::Permission;
use crate::store::LATEST_SCHEMA_VERSION;
use crate::{Clinic, CoreError, CoreResult, ErrorCode};

/// Which key a backup is encrypted with.
#[derive(Debug, Clone, Copy)]
pub enum BackupKey<'a> {
    /// The database's own key, so the clinic's recovery sheet opens the backup. The key given must be
    /// the key of this database (it is checked); the clinic does not keep its key in memory.
    SameAsDatabase(&'a DatabaseKey),
    /// A fresh random key, returned once in [`BackupSummary::backup_key`] to print or write down.
    NewKey,
}

/// What a finished, verified backup is.
#[derive(Debug)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub created_at: Timestamp,
    pub schema_version: u32,
    /// The new backup key, for [`BackupKey::NewKey`] only: show it once, keep it apart from the backup.
    pub backup_key: Option<RecoveryKey>,
}

/// Writes an encrypted copy of the whole database to `destination`, a new file (an existing file is
/// never overwritten), and verifies it before reporting success. Administrators only; audited.
pub fn create_backup(
    clinic: &Clinic,
    session: SessionId,
    destination: &Path,
    key: BackupKey<'_>,
) -> CoreResult<BackupSummary> {
    let actor = clinic.authorize(session, Permission::BackupRestore)?;
    let result = write_backup(clinic, destination, key);
    let (outcome, detail) = match &result {
        Ok(summary) => (
            AuditOutcome::Success,
            format!(
                "key={}; schema={}; bytes={}",
                if summary.backup_key.is_some() { "new" } else { "database" },
                summary.schema_version,
                summary.bytes
            ),
        ),
        Err(e) => (AuditOutcome::Failure, format!("error={:?}", e.code)),
    };
    clinic.audit_alone(&actor.event(AuditAction::Backup, outcome).detail(&detail))?;
    result
}

fn write_backup(clinic: &Clinic, destination: &Path, key: BackupKey<'_>) -> CoreResult<BackupSummary> {
    let folder = destination_folder(destination)?;
    if destination.exists() {
        return Err(already_exists());
    }
    let (key, backup_key) = match key {
        BackupKey::SameAsDatabase(key) => {
            if !clinic.is_database_key(key)? {
                return Err(CoreError::new(
                    ErrorCode::KeyRejected,
                    "The key given is not the key of this clinic database, so the recovery sheet would not open \
                     the backup. Nothing was written.",
                ));
            }
            (Keyed::Borrowed(key), None)
        }
        BackupKey::NewKey => {
            let key = DatabaseKey::generate()?;
            let recovery = RecoveryKey::from_database_key(&key);
            (Keyed::Owned(key), Some(recovery))
        }
    };
    let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = folder.join(format!(".{name}.{}.partial", clinic.env.ids.new_id().simple()));
    let created_at = clinic.env.clock.now();
    let written = (|| {
        let mut dest = create_keyed_file(&partial, key.get())?;
        clinic.copy_database_into(&mut dest)?;
        finish_copy(dest)?;
        restrict_to_owner(&partial);
        let facts = inspect(&partial, key.get())?;
        sync_file(&partial)?;
        persist_without_overwrite(&partial, destination)?;
        Ok(facts)
    })();
    let facts = match written {
        Ok(facts) => facts,
        Err(e) => {
            remove_partial(&partial);
            return Err(e);
        }
    };
    sync_folder(&folder);
    let bytes = std::fs::metadata(destination).map(|m| m.len()).map_err(|e| unwritable().with_source(e))?;
    Ok(BackupSummary {
        path: destination.to_path_buf(),
        bytes,
        created_at,
        schema_version: facts.schema_version,
        backup_key,
    })
}

/// A key either borrowed from the caller or generated here.
enum Keyed<'a> {
    Borrowed(&'a DatabaseKey),
    Owned(DatabaseKey),
}

impl Keyed<'_> {
    fn get(&self) -> &DatabaseKey {
        match self {
            Keyed::Borrowed(key) => key,
            Keyed::Owned(key) => key,
        }
    }
}

impl Clinic {
    /// Copies the live database into `dest` with the online backup API. It holds the clinic's
    /// connection for the copy (a clinic database copies in well under a second).
    pub(crate) fn copy_database_into(&self, dest: &mut Connection) -> CoreResult<()> {
        self.read(|src| copy_pages(src, dest))
    }

    /// Whether `key` opens this clinic's database file (tried on a separate read-only connection).
    pub(crate) fn is_database_key(&self, key: &DatabaseKey) -> CoreResult<bool> {
        let conn = Connection::open_with_flags(
            self.data_dir().db_path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        match unlock(&conn, key) {
            Ok(()) => Ok(true),
            Err(e) if e.code == ErrorCode::KeyRejected => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// What a verified backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackupFacts {
    pub schema_version: u32,
    /// The time of the newest audit entry in the file: what the backup is "as of".
    pub as_of: Option<String>,
}

/// Opens a backup file read-only with `key` and checks it completely: every page's HMAC, SQLite's
/// structure check, that it is a Clinic Desk database, and that its schema is not newer than this program.
pub(crate) fn inspect(path: &Path, key: &DatabaseKey) -> CoreResult<BackupFacts> {
    let conn = open_read_only(path, key)?;
    let lines = |sql: &str| -> CoreResult<Vec<String>> {
        let collect = || -> rusqlite::Result<Vec<String>> { conn.prepare(sql)?.query_map([], |r| r.get(0))?.collect() };
        collect().map_err(|e| if is_corrupt(&e) || is_not_a_database(&e) { damaged().with_source(e) } else { e.into() })
    };
    let cipher = lines("PRAGMA cipher_integrity_check")?;
    let structure: Vec<String> = lines("PRAGMA quick_check")?.into_iter().filter(|l| l != "ok").collect();
    if !cipher.is_empty() || !structure.is_empty() {
        return Err(damaged().with_source(format!(
            "{} page checksum problems, {} structure problems",
            cipher.len(),
            structure.len()
        )));
    }
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if schema_version > LATEST_SCHEMA_VERSION {
        return Err(CoreError::new(
            ErrorCode::Unavailable,
            format!(
                "This backup was made by a newer version of Clinic Desk (schema {schema_version}; this version \
                 knows up to {LATEST_SCHEMA_VERSION}). Install the latest Clinic Desk first. Nothing was changed."
            ),
        ));
    }
    let devices: i64 = conn.query_row("SELECT count(*) FROM device", [], |r| r.get(0)).map_err(|e| {
        CoreError::validation("backup", "This file is not a Clinic Desk backup. Nothing was changed.").with_source(e)
    })?;
    if devices != 1 {
        return Err(CoreError::validation("backup", "This file is not a Clinic Desk backup. Nothing was changed."));
    }
    let as_of: Option<String> = conn.query_row("SELECT max(at) FROM audit_log", [], |r| r.get(0))?;
    Ok(BackupFacts { schema_version, as_of })
}

/// Opens an existing file read-only with `key`, with errors that speak of a backup, not the clinic database.
pub(crate) fn open_read_only(path: &Path, key: &DatabaseKey) -> CoreResult<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| {
            CoreError::unavailable(
                "The backup file could not be opened. Check that the drive is connected and the file is readable.",
            )
            .with_source(e)
        })?;
    match unlock(&conn, key) {
        Ok(()) => {}
        Err(e) if e.code == ErrorCode::KeyRejected => {
            return Err(CoreError::new(
                ErrorCode::KeyRejected,
                "This backup could not be opened with the key given. Check the key (a backup made with the \
                 database key opens with the clinic's recovery key; one made with its own key needs that backup \
                 key). It may also not be a Clinic Desk backup, or be damaged. Nothing was changed.",
            )
            .with_source(e));
        }
        Err(e) if e.code == ErrorCode::Corrupt => return Err(damaged().with_source(e)),
        Err(e) => return Err(e),
    }
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Creates a new, empty SQLCipher file at `path` under `key`, ready to be the destination of a copy.
pub(crate) fn create_keyed_file(path: &Path, key: &DatabaseKey) -> CoreResult<Connection> {
    if path.exists() {
        return Err(already_exists());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unwritable().with_source(e))?;
    unlock(&conn, key)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Copies every page of `src` into `dest` (the online backup API), retrying briefly if `src` is busy.
pub(crate) fn copy_pages(src: &Connection, dest: &mut Connection) -> CoreResult<()> {
    let backup = Backup::new(src, dest).map_err(|e| unwritable().with_source(e))?;
    let mut waits = 0;
    loop {
        match backup.step(-1).map_err(|e| unwritable().with_source(e))? {
            StepResult::Done => return Ok(()),
            StepResult::Busy | StepResult::Locked if waits < 100 => {
                waits += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            StepResult::More => {}
            _ => {
                return Err(CoreError::unavailable(
                    "The database stayed busy, so the copy could not be made. Try again in a moment.",
                ));
            }
        }
    }
}

/// Makes a finished copy one self-contained file (no WAL beside it) and closes it, surfacing any error.
pub(crate) fn finish_copy(dest: Connection) -> CoreResult<()> {
    dest.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0))?;
    dest.close().map_err(|(_, e)| unwritable().with_source(e))
}

/// Gives a finished file its final name, refusing to replace anything already there.
fn persist_without_overwrite(partial: &Path, destination: &Path) -> CoreResult<()> {
    match std::fs::hard_link(partial, destination) {
        Ok(()) => {
            let _ = std::fs::remove_file(partial);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(already_exists()),
        // File systems without hard links (FAT and exFAT USB sticks): check, then rename.
        Err(_) => {
            if destination.exists() {
                return Err(already_exists());
            }
            std::fs::rename(partial, destination).map_err(|e| unwritable().with_source(e))
        }
    }
}

/// Removes a partial copy of ours and the rollback journal SQLite may have left beside it.
pub(crate) fn remove_partial(partial: &Path) {
    let mut journal = partial.as_os_str().to_owned();
    journal.push("-journal");
    for file in [partial.to_path_buf(), PathBuf::from(journal)] {
        if file.exists() {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Owner-only permissions on Unix, where the file system has them (a FAT USB stick does not: ignored).
fn restrict_to_owner(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

pub(crate) fn sync_file(path: &Path) -> CoreResult<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(|e| unwritable().with_source(e))
}

/// Makes a rename durable where the platform allows it (a no-op on Windows).
pub(crate) fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

fn destination_folder(destination: &Path) -> CoreResult<PathBuf> {
    if destination.file_name().is_none() {
        return Err(CoreError::validation(
            "destination",
            "Give the backup a file name, e.g. clinic-2026-03-02.backup.",
        ));
    }
    let folder = match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(CoreError::validation(
            "destination",
            "The folder for the backup does not exist. Check that the drive is connected.",
        ));
    }
    Ok(folder)
}

fn already_exists() -> CoreError {
    let mut e = CoreError::new(
        ErrorCode::Conflict,
        "A file with this name already exists there; it was left untouched. Choose another name.",
    );
    e.field = Some("destination".to_owned());
    e
}

fn unwritable() -> CoreError {
    CoreError::unavailable(
        "The copy could not be written: the disk may be full, removed or read-only. Nothing was changed.",
    )
}

fn damaged() -> CoreError {
    CoreError::new(
        ErrorCode::Corrupt,
        "This backup file is damaged and cannot be used. Nothing was changed; try another backup.",
    )
}
