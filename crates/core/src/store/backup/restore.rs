//! Restoring a backup in place of the clinic database; whatever was there is kept in `replaced/`.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::{
    copy_pages, create_keyed_file, finish_copy, inspect, open_read_only, remove_partial, sync_file, sync_folder,
};
use crate::audit::{AuditAction, AuditEvent, AuditOutcome};
use crate::clock::Env;
use crate::keys::DatabaseKey;
use crate::store::DataDir;
use crate::{Clinic, CoreError, CoreResult};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub restored_at: Timestamp,
    /// The time of the newest audit entry in the backup: how recent the restored data is.
    pub backup_as_of: Option<String>,
    /// The backup's schema version, before any migration.
    pub backup_schema_version: u32,
    /// The schema version of the restored database, after migrations.
    pub schema_version: u32,
    /// Where the database files that were in place went (empty if there were none).
    pub replaced: Vec<PathBuf>,
}

/// Puts the backup at `backup` in place of the clinic database in `dir`, re-encrypted under `database_key`.
///
/// No session is needed: the current database may be damaged, quarantined or gone, and knowing the
/// backup's key is the authority. The backup is checked completely first; a wrong key or a damaged
/// backup changes nothing at all. Existing database files are moved to `replaced/`, never deleted.
/// The restored database is opened once (migrating an older backup) and the restore is audited.
/// Clinic Desk must not have this data folder open meanwhile.
pub fn restore_backup(
    dir: &DataDir,
    backup: &Path,
    backup_key: &DatabaseKey,
    database_key: &DatabaseKey,
    env: Env,
) -> CoreResult<RestoreSummary> {
    if !backup.is_file() {
        return Err(CoreError::not_found(
            "The backup file was not found. Check that the drive is connected and the name is right.",
        ));
    }
    let facts = inspect(backup, backup_key)?;
    std::fs::create_dir_all(dir.root()).map_err(|e| {
        CoreError::unavailable("The data folder could not be created. Check that the disk is writable.").with_source(e)
    })?;
    let partial = dir.root().join(format!("clinic.db.restoring-{}.partial", env.ids.new_id().simple()));
    let copied = (|| {
        let src = open_read_only(backup, backup_key)?;
        let mut dest = create_keyed_file(&partial, database_key)?;
        copy_pages(&src, &mut dest)?;
        drop(src);
        finish_copy(dest)?;
        inspect(&partial, database_key)?;
        sync_file(&partial)
    })();
    if let Err(e) = copied {
        remove_partial(&partial);
        return Err(e);
    }
    let restored_at = env.clock.now();
    let moved = match set_aside(dir, restored_at) {
        Ok(moved) => moved,
        Err(e) => {
            remove_partial(&partial);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&partial, dir.db_path()) {
        put_back(&moved);
        remove_partial(&partial);
        return Err(CoreError::unavailable(
            "The backup could not be put in place; the clinic database was left as it was.",
        )
        .with_source(e));
    }
    sync_folder(dir.root());
    let clinic = Clinic::open_with_key(dir, database_key, env)?;
    let schema_version: u32 = clinic.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))?;
    let detail = format!(
        "backup as of {}; backup schema {}; previous database {}",
        facts.as_of.as_deref().unwrap_or("unknown"),
        facts.schema_version,
        if moved.is_empty() { "none" } else { "kept in replaced/" }
    );
    clinic.audit_alone(&AuditEvent::new(AuditAction::Restore, AuditOutcome::Success).detail(&detail))?;
    Ok(RestoreSummary {
        restored_at,
        backup_as_of: facts.as_of,
        backup_schema_version: facts.schema_version,
        schema_version,
        replaced: moved.into_iter().map(|(_, to)| to).collect(),
    })
}

/// Moves `clinic.db`, `-wal` and `-shm` to `replaced/<UTC time>-<name>`, keeping them a usable set.
/// On failure, puts back what was already moved. Returns (original, new) paths.
fn set_aside(dir: &DataDir, at: Timestamp) -> CoreResult<Vec<(PathBuf, PathBuf)>> {
    let present: Vec<PathBuf> = dir.db_files().into_iter().filter(|f| f.exists()).collect();
    if present.is_empty() {
        return Ok(Vec::new());
    }
    let target = dir.root().join("replaced");
    let cannot = |e: std::io::Error| {
        CoreError::unavailable("The current database could not be set aside, so nothing was restored.").with_source(e)
    };
    std::fs::create_dir_all(&target).map_err(cannot)?;
    let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let name = |file: &Path| file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = (0..)
        .map(|n| if n == 0 { stamp.clone() } else { format!("{stamp}-{n}") })
        .find(|prefix| present.iter().all(|f| !target.join(format!("{prefix}-{}", name(f))).exists()))
        .unwrap_or(stamp);
    let mut moved = Vec::new();
    for file in present {
        let destination = target.join(format!("{prefix}-{}", name(&file)));
        if let Err(e) = std::fs::rename(&file, &destination) {
            put_back(&moved);
            return Err(cannot(e));
        }
        moved.push((file, destination));
    }
    Ok(moved)
}

/// Best effort: moves set-aside files back where they were.
fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (original, now) in moved {
        let _ = std::fs::rename(now, original);
    }
}
