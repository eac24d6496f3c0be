//! Server schema migrations: the SQL files of `migrations/server/`, embedded in the binary and applied in order,
//! under an advisory lock (several instances may start at once), each file recorded with its checksum.
//! A database migrated by a newer binary, or a shipped file edited since, is refused.

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::AppError;

/// The application's role: what `serve` connects as. Its name is fixed because the migrations grant to it.
pub const APP_ROLE: &str = "clinic_app";

/// Every migration, oldest first: (version, name, SQL). Never edit one that has shipped; add a new file.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("../../../migrations/server/0001_init.sql")),
    (2, "device_codes", include_str!("../../../migrations/server/0002_device_codes.sql")),
    (3, "calendar_feeds", include_str!("../../../migrations/server/0003_calendar_feeds.sql")),
];

/// The schema version this binary expects.
pub fn latest_version() -> i32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

fn checksum(sql: &str) -> Vec<u8> {
    Sha256::digest(sql.as_bytes()).to_vec()
}

/// Creates the application role (LOGIN, no superuser, no RLS bypass, no password: set one with psql's
/// `\password clinic_app` where passwords are used) unless it exists. Needs CREATEROLE. Returns whether it was created.
pub async fn ensure_app_role(client: &Client) -> Result<bool, AppError> {
    let exists = client.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&APP_ROLE]).await?.is_some();
    if exists {
        return Ok(false);
    }
    let created = client
        .batch_execute("CREATE ROLE clinic_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT")
        .await;
    match created {
        Ok(()) => Ok(true),
        // Created meanwhile by another process (tests create databases in parallel).
        Err(e) if e.code().map(|c| c.code()) == Some("42710") => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Refuses to migrate as a role that RLS would hide rows from: the look-up functions run as the owner and must
/// see every tenant's devices and codes.
async fn check_owner(client: &Client) -> Result<(), AppError> {
    let row =
        client.query_one("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user", &[]).await?;
    if !row.try_get::<_, bool>(0)? {
        return Err(AppError::internal(
            "migrate must run as the schema owner role, which needs BYPASSRLS (ALTER ROLE <owner> BYPASSRLS, as a superuser); see crates/server/README.md",
        ));
    }
    Ok(())
}

/// Applies every pending migration in one transaction. Returns the versions applied.
pub async fn run(client: &mut Client) -> Result<Vec<i32>, AppError> {
    check_owner(client).await?;
    let tx = client.transaction().await?;
    // One migrator at a time across instances; the lock ends with the transaction.
    tx.execute("SELECT pg_advisory_xact_lock(7316001)", &[]).await?;
    let tracked: bool =
        tx.query_one("SELECT to_regclass('public.schema_migrations') IS NOT NULL", &[]).await?.try_get(0)?;
    if !tracked {
        tx.batch_execute(
            "CREATE TABLE schema_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 checksum   bytea NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await?;
    }
    let applied = tx.query("SELECT version, checksum FROM schema_migrations ORDER BY version", &[]).await?;
    for row in &applied {
        let version: i32 = row.try_get(0)?;
        let stored: Vec<u8> = row.try_get(1)?;
        match MIGRATIONS.iter().find(|m| m.0 == version) {
            None => {
                return Err(AppError::internal(
                    [
                        "the database has schema version ",
                        &version.to_string(),
                        ", newer than this clinic-server knows; run the newer binary",
                    ]
                    .concat(),
                ));
            }
            Some(m) if checksum(m.2) != stored => {
                return Err(AppError::internal(
                    ["migration ", &version.to_string(), " was changed after it was applied; restore the shipped file"]
                        .concat(),
                ));
            }
            Some(_) => {}
        }
    }
    let mut done = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if applied.iter().any(|r| r.try_get::<_, i32>(0).ok() == Some(*version)) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[version, name, &checksum(sql)],
        )
        .await?;
        done.push(*version);
    }
    // So `serve` can check the schema version it runs against.
    tx.batch_execute("GRANT SELECT ON schema_migrations TO clinic_app").await?;
    tx.commit().await?;
    Ok(done)
}

/// Refuses to serve as a role that could see other tenants' rows: a superuser, a role with BYPASSRLS, or the
/// owner of the tables (who could switch row-level security off).
pub async fn check_app_role(client: &Client) -> Result<(), AppError> {
    let row = client
        .query_one(
            "SELECT r.rolsuper, r.rolbypassrls,
                    EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user)
             FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await?;
    let (superuser, bypass, owner): (bool, bool, bool) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if superuser || bypass || owner {
        return Err(AppError::internal(
            "serve must connect as the application role (clinic_app: not a superuser, no BYPASSRLS, not the owner of the tables); see crates/server/README.md",
        ));
    }
    let version = client
        .query_opt("SELECT max(version) FROM schema_migrations", &[])
        .await
        .map_err(|_| AppError::internal("the database has no clinic-server schema: run clinic-server migrate first"))?
        .and_then(|r| r.try_get::<_, Option<i32>>(0).ok().flatten())
        .unwrap_or(0);
    if version != latest_version() {
        return Err(AppError::internal(
            [
                "the database schema is version ",
                &version.to_string(),
                " but this clinic-server needs ",
                &latest_version().to_string(),
                ": run clinic-server migrate with this binary",
            ]
            .concat(),
        ));
    }
    Ok(())
}
