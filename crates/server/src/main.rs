//! The `clinic-server` command: serve the API, migrate the schema, and the administrator's operations
//! (tenants, clinics, enrollment codes, devices, new epoch after a restore).

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use clinic_server::clock::{Clock, SystemClock, rfc3339};
use clinic_server::config::Config;
use clinic_server::serve::{self, Transport};
use clinic_server::{AppState, admin, db, migrate, openapi};
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "clinic-server", version, about = "Clinic Desk central server")]
struct Cli {
    /// A TOML configuration file (also CLINIC_SERVER_CONFIG); environment variables override it.
    #[arg(long, global = true, env = "CLINIC_SERVER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (DATABASE_URL: the application role, clinic_app).
    Serve {
        /// Listen address (overrides CLINIC_SERVER_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        /// Serve plain HTTP without TLS: local development only.
        #[arg(long)]
        insecure_http: bool,
    },
    /// Create or upgrade the schema (DATABASE_URL: the owner role).
    Migrate {
        /// Also create the application role clinic_app if it does not exist (needs CREATEROLE).
        #[arg(long)]
        create_app_role: bool,
    },
    /// Organisations.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Clinics of an organisation.
    Clinic {
        #[command(subcommand)]
        action: ClinicAction,
    },
    /// One-time codes that enroll a desk.
    EnrollmentCode {
        #[command(subcommand)]
        action: CodeAction,
    },
    /// Enrolled desks.
    Devices {
        #[command(subcommand)]
        action: DeviceAction,
    },
    /// Give the server a new epoch after restoring a backup: every desk re-sends and re-downloads.
    NewEpoch,
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Subcommand)]
enum TenantAction {
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum ClinicAction {
    Create {
        #[arg(long)]
        tenant: Uuid,
        #[arg(long)]
        name: String,
    },
    /// Every clinic: id, tenant id, tenant name, clinic name (tab-separated).
    List,
}

#[derive(Debug, Subcommand)]
enum CodeAction {
    Create {
        #[arg(long)]
        clinic: Uuid,
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceAction {
    List {
        #[arg(long)]
        clinic: Uuid,
    },
    Revoke {
        device_id: Uuid,
    },
}

async fn owner_client(config: &Config) -> Result<tokio_postgres::Client> {
    let pg = db::parse_config(config.database_url()?)?;
    db::connect(&pg).await.context("connecting to PostgreSQL")
}

fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(rfc3339).unwrap_or_else(|| "-".into())
}

async fn serve_command(mut config: Config, listen: Option<String>, insecure_http: bool) -> Result<()> {
    if let Some(listen) = listen {
        config.listen = listen.parse().context("--listen: expected an address and port such as 127.0.0.1:8443")?;
    }
    config.insecure_http |= insecure_http;
    let transport = match config.tls()? {
        Some((cert, key)) => Transport::Tls { cert, key },
        None => {
            if !config.listen.ip().is_loopback() {
                tracing::warn!(listen = %config.listen, "serving plain HTTP on a non-loopback address: development only");
            }
            Transport::InsecureHttp
        }
    };
    let pg = db::parse_config(config.database_url()?)?;
    migrate::check_app_role(&db::connect(&pg).await.context("connecting to PostgreSQL")?).await?;
    let pool = db::pool(pg, config.pool_size)?;
    let state = AppState::new(pool, Arc::new(SystemClock));
    let listener = TcpListener::bind(config.listen).with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(listen = %config.listen, tls = matches!(transport, Transport::Tls { .. }), "clinic-server serving");
    serve::run(listener, state, transport, serve::shutdown_signal()).await?;
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let config = Config::load(cli.config.as_deref(), &|name| std::env::var(name).ok())?;
    let now = SystemClock.now();
    match cli.command {
        Command::Serve { listen, insecure_http } => serve_command(config, listen, insecure_http).await?,
        Command::Migrate { create_app_role } => {
            let mut client = owner_client(&config).await?;
            if create_app_role && migrate::ensure_app_role(&client).await? {
                println!("created role {}", migrate::APP_ROLE);
            }
            let applied = migrate::run(&mut client).await?;
            println!("schema at version {} (applied now: {applied:?})", migrate::latest_version());
        }
        Command::Tenant { action: TenantAction::Create { name } } => {
            println!("{}", admin::create_tenant(&mut owner_client(&config).await?, &name, now).await?);
        }
        Command::Clinic { action: ClinicAction::Create { tenant, name } } => {
            println!("{}", admin::create_clinic(&owner_client(&config).await?, tenant, &name, now).await?);
        }
        Command::Clinic { action: ClinicAction::List } => {
            for c in admin::list_clinics(&owner_client(&config).await?).await? {
                println!("{}\t{}\t{}\t{}", c.id, c.tenant_id, c.tenant_name, c.name);
            }
        }
        Command::EnrollmentCode { action: CodeAction::Create { clinic, valid_hours } } => {
            let code = admin::create_enrollment_code(&owner_client(&config).await?, clinic, valid_hours, now).await?;
            println!("{}", code.code);
            eprintln!("valid until {} (single use)", rfc3339(code.expires_at));
        }
        Command::Devices { action: DeviceAction::List { clinic } } => {
            println!("id\tname\tcode\tenrolled\tlast seen\trevoked\tprotocol\tschema");
            for d in admin::list_devices(&owner_client(&config).await?, clinic).await? {
                let version = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.name,
                    d.code.as_deref().unwrap_or("-"),
                    rfc3339(d.enrolled_at),
                    when(d.last_seen_at),
                    when(d.revoked_at),
                    version(d.protocol_version),
                    version(d.schema_version)
                );
            }
        }
        Command::Devices { action: DeviceAction::Revoke { device_id } } => {
            if !admin::revoke_device(&owner_client(&config).await?, device_id, now).await? {
                bail!("no such device, or it is already revoked");
            }
            println!("revoked {device_id}: its next request will be refused");
        }
        Command::NewEpoch => {
            let epoch = admin::new_epoch(&owner_client(&config).await?, now).await?;
            println!("new epoch {epoch}: every desk will re-send what it holds and download again");
        }
        Command::Openapi => print!("{}", openapi::document()),
    }
    Ok(())
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    db::install_crypto_provider();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(run(cli))
}
