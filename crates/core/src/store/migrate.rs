//! Schema migrations: SQL files embedded in the binary, applied in one IMMEDIATE transaction.

use rusqlite::{Connection, TransactionBehavior};

use crate::{CoreError, CoreResult, ErrorCode};

/// One schema step, `migrations/local/NNNN_slug.sql`. Never edited once shipped.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every local schema step, in order; a database's `PRAGMA user_version` is the last one applied.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_init", sql: include_str!("../../../../migrations/local/0001_init.sql") },
    Migration {
        version: 2,
        name: "0002_patient_search",
        sql: include_str!("../../../../migrations/local/0002_patient_search.sql"),
    },
    Migration {
        version: 3,
        name: "0003_patient_name_indexes",
        sql: include_str!("../../../../migrations/local/0003_patient_name_indexes.sql"),
    },
    Migration { version: 4, name: "0004_sync", sql: include_str!("../../../../migrations/local/0004_sync.sql") },
    Migration {
        version: 5,
        name: "0005_scheduling",
        sql: include_str!("../../../../migrations/local/0005_scheduling.sql"),
    },
    Migration {
        version: 6,
        name: "0006_calendar_feeds",
        sql: include_str!("../../../../migrations/local/0006_calendar_feeds.sql"),
    },
    Migration {
        version: 7,
        name: "0007_search_only_when_names_change",
        sql: include_str!("../../../../migrations/local/0007_search_only_when_names_change.sql"),
    },
];

pub const LATEST_SCHEMA_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// Brings the database up to `target` (normally [`LATEST_SCHEMA_VERSION`]) in one transaction:
/// either every pending step is applied or none is. A database newer than this program is refused.
pub fn apply_migrations(conn: &mut Connection, target: u32) -> CoreResult<u32> {
    apply_steps(conn, MIGRATIONS, target)
}

/// [`apply_migrations`] over a given list of steps; public so tests can prove a failing step leaves nothing behind.
#[doc(hidden)]
pub fn apply_steps(conn: &mut Connection, steps: &[Migration], target: u32) -> CoreResult<u32> {
    let latest = steps.last().map_or(0, |m| m.version);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest {
        return Err(CoreError::new(
            ErrorCode::Unavailable,
            format!(
                "This clinic database was written by a newer version of Clinic Desk (schema {current}; \
                 this version knows up to {latest}). Install the latest Clinic Desk; \
                 the database was not changed."
            ),
        ));
    }
    for step in steps.iter().filter(|m| m.version > current && m.version <= target) {
        tx.execute_batch(step.sql).map_err(|e| CoreError::internal(format!("migration {} failed: {e}", step.name)))?;
        tx.pragma_update(None, "user_version", step.version)?;
    }
    let reached: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    tx.commit()?;
    Ok(reached)
}
