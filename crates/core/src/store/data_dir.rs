//! The layout of a clinic's data directory: the database file, its WAL files, quarantine and backups.

use std::path::{Path, PathBuf};

/// A clinic's data directory. Everything Clinic Desk keeps on disk for one clinic lives here.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// What is in a data directory before anything is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataDirStatus {
    /// No database yet: first-run setup may create one.
    Empty,
    /// A database is there: it must be unlocked, never replaced.
    Present,
    /// No database, but a damaged one was set aside: restore a backup (or start afresh on purpose).
    Quarantined { files: Vec<PathBuf> },
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join("clinic.db")
    }

    /// The database file and the side files SQLite may keep next to it.
    pub fn db_files(&self) -> [PathBuf; 3] {
        let db = self.db_path();
        let with = |suffix: &str| {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        [db.clone(), with("-wal"), with("-shm")]
    }

    pub fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    pub fn status(&self) -> std::io::Result<DataDirStatus> {
        if self.db_path().exists() {
            return Ok(DataDirStatus::Present);
        }
        let quarantine = self.quarantine_dir();
        if quarantine.is_dir() {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(&quarantine)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            if !files.is_empty() {
                return Ok(DataDirStatus::Quarantined { files });
            }
        }
        Ok(DataDirStatus::Empty)
    }
}
