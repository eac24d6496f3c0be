//! The encrypted SQLCipher database: where it lives, opening it safely, migrations, integrity, backups.

mod backup;
mod data_dir;
mod integrity;
mod migrate;
mod open;

pub use backup::{BackupKey, BackupSummary, RestoreSummary, create_backup, restore_backup};
pub use data_dir::{DataDir, DataDirStatus};
pub use integrity::{IntegrityReport, check_integrity, quarantine};
pub use migrate::{LATEST_SCHEMA_VERSION, MIGRATIONS, Migration, apply_migrations, apply_steps};
pub use open::{create_database, open_database, open_plaintext_for_benchmark};
