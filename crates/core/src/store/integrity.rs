//! Full integrity checks of the encrypted file, and quarantine of a damaged one (never deletion).

use std::path::PathBuf;

use jiff::Timestamp;

use super::DataDir;
use super::open::{is_corrupt, is_not_a_database, open_database};
use crate::keys::DatabaseKey;
use crate::{CoreError, CoreResult, ErrorCode};

/// What a full check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    /// Pages whose encryption checksum (HMAC) failed.
    pub cipher_problems: Vec<String>,
    /// Problems SQLite's own structure check found.
    pub structure_problems: Vec<String>,
}

impl IntegrityReport {
    pub fn is_ok(&self) -> bool {
        self.cipher_problems.is_empty() && self.structure_problems.is_empty()
    }
}

/// Reads every page: `PRAGMA cipher_integrity_check` (page HMACs) and `PRAGMA quick_check`.
/// A file too damaged to read at all counts as a problem, not as an error.
pub fn check_integrity(dir: &DataDir, key: &DatabaseKey) -> CoreResult<IntegrityReport> {
    let conn = match open_database(dir, key) {
        Ok(conn) => conn,
        Err(e) if e.code == ErrorCode::Corrupt => {
            return Ok(IntegrityReport { cipher_problems: vec![e.to_string()], structure_problems: vec![] });
        }
        Err(e) => return Err(e),
    };
    let rows = |sql: &str| -> CoreResult<Vec<String>> {
        let mut stmt = match conn.prepare(sql) {
            Ok(stmt) => stmt,
            Err(e) if is_corrupt(&e) || is_not_a_database(&e) => return Ok(vec![e.to_string()]),
            Err(e) => return Err(e.into()),
        };
        let collected: Result<Vec<String>, rusqlite::Error> = stmt.query_map([], |r| r.get(0))?.collect();
        match collected {
            Ok(lines) => Ok(lines),
            Err(e) if is_corrupt(&e) || is_not_a_database(&e) => Ok(vec![e.to_string()]),
            Err(e) => Err(e.into()),
        }
    };
    let cipher_problems = rows("PRAGMA cipher_integrity_check")?;
    let structure_problems: Vec<String> = rows("PRAGMA quick_check")?.into_iter().filter(|line| line != "ok").collect();
    Ok(IntegrityReport { cipher_problems, structure_problems })
}

/// Moves the database and its side files into `quarantine/` under a timestamped name, so a damaged
/// file is kept for recovery but never used again by mistake. Returns where they went.
pub fn quarantine(dir: &DataDir, at: Timestamp) -> CoreResult<Vec<PathBuf>> {
    let target = dir.quarantine_dir();
    std::fs::create_dir_all(&target).map_err(|e| {
        CoreError::unavailable("The damaged database could not be set aside: the data folder is not writable.")
            .with_source(e)
    })?;
    let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut moved = Vec::new();
    for file in dir.db_files().iter().filter(|f| f.exists()) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let destination = target.join(format!("{stamp}-{name}"));
        std::fs::rename(file, &destination)
            .map_err(|e| CoreError::unavailable("The damaged database could not be set aside.").with_source(e))?;
        moved.push(destination);
    }
    Ok(moved)
}
