//! PostgreSQL connections: the pool (TLS with rustls when the server offers or requires it), single
//! connections for administrative commands, and the tenant-scoped transaction every request runs in.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Transaction};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};
use tokio_postgres_rustls::MakeRustlsConnect;
use uuid::Uuid;

use crate::AppError;

/// Installs rustls' ring provider as the process default (both the HTTPS listener and the PostgreSQL TLS
/// connector use it). Harmless when already installed.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The TLS connector for PostgreSQL: the system's trusted roots. With the default `sslmode=prefer` a server
/// without TLS is still reached in plain text (a local socket or a private network); `sslmode=require`
/// insists on TLS.
fn tls() -> MakeRustlsConnect {
    install_crypto_provider();
    match MakeRustlsConnect::with_native_certs() {
        Ok((connector, _)) => connector,
        Err(errors) => {
            tracing::debug!(?errors, "no system root certificates; PostgreSQL over TLS will not verify");
            MakeRustlsConnect::new(
                rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            )
        }
    }
}

/// Parses a `postgres://` URL (or key=value string) without ever echoing it: it may hold a password.
pub fn parse_config(url: &str) -> Result<tokio_postgres::Config, AppError> {
    url.parse::<tokio_postgres::Config>().map_err(|e| {
        AppError::internal(["DATABASE_URL is not a valid PostgreSQL connection string: ", &e.to_string()].concat())
    })
}

/// A connection pool of at most `max_size` connections.
pub fn pool(config: tokio_postgres::Config, max_size: usize) -> Result<Pool, AppError> {
    let manager = Manager::from_config(config, tls(), ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(10)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| AppError::internal(["connection pool: ", &e.to_string()].concat()))
}

/// One connection, for administrative commands; its driver task runs until the client is dropped.
pub async fn connect(config: &tokio_postgres::Config) -> Result<Client, AppError> {
    let (client, connection) = config.connect(tls()).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "PostgreSQL connection ended with an error");
        }
    });
    Ok(client)
}

/// Starts a transaction scoped to `tenant`: row-level security policies then show and accept only that
/// tenant's rows. The setting is local to the transaction, so a pooled connection never carries it over.
pub async fn tenant_transaction(
    client: &mut deadpool_postgres::Client,
    tenant: Uuid,
) -> Result<Transaction<'_>, AppError> {
    let tx = client.transaction().await?;
    let set = tx.prepare_cached("SELECT set_config('app.tenant_id', $1, true)").await?;
    tx.execute(&set, &[&tenant.to_string()]).await?;
    Ok(tx)
}

/// Whether an error is a unique-constraint violation (a concurrent insert of the same key).
pub fn is_unique_violation(e: &AppError) -> bool {
    e.sql_state() == Some("23505")
}

/// The server's current epoch.
pub async fn epoch(tx: &Transaction<'_>) -> Result<Uuid, AppError> {
    Ok(query_one(tx, "SELECT epoch FROM server_epoch", &[]).await?.try_get(0)?)
}

// Statement helpers. The SQL is `&'static str`: statements are fixed texts (prepared once per connection and
// cached); values only ever travel as bound parameters.

pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub async fn query(tx: &Transaction<'_>, sql: &'static str, params: Params<'_>) -> Result<Vec<Row>, AppError> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.query(&stmt, params).await?)
}

pub async fn query_opt(tx: &Transaction<'_>, sql: &'static str, params: Params<'_>) -> Result<Option<Row>, AppError> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.query_opt(&stmt, params).await?)
}

pub async fn query_one(tx: &Transaction<'_>, sql: &'static str, params: Params<'_>) -> Result<Row, AppError> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.query_one(&stmt, params).await?)
}

pub async fn execute(tx: &Transaction<'_>, sql: &'static str, params: Params<'_>) -> Result<u64, AppError> {
    let stmt = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&stmt, params).await?)
}
