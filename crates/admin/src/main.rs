//! clinic-admin: backup, restore, integrity check, audit trail and patient import, for a clinic's IT person.
//!
//! This file only parses the command line and maps results to exit codes; every rule and permission is
//! checked in clinic-core. Exit codes: 0 done; 1 an error (its message is printed), a broken audit chain,
//! or an import with errors; 2 the integrity check found damage (and the file was set aside).

mod audit;
mod backup;
mod check;
mod import;
mod recovery_sheet;
mod unlock;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use clinic_core::CoreError;

#[derive(Debug, Parser)]
#[command(
    name = "clinic-admin",
    version,
    about = "Administer a Clinic Desk database: backups, checks, audit trail, imports"
)]
struct Cli {
    /// The clinic's data folder [default: the per-user folder the Clinic Desk app uses].
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// The database recovery key from the recovery sheet, when this computer's keychain does not hold the key.
    ///
    /// Prefer the environment variable: a command line can be seen by other users of the computer.
    #[arg(long, global = true, env = "CLINIC_RECOVERY_KEY", hide_env_values = true, value_name = "KEY")]
    recovery_key: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write an encrypted, verified backup of the whole database to a new file (e.g. on a USB stick).
    Backup {
        /// The backup file to create; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt the backup under a new key, printed once, instead of the database key.
        #[arg(long)]
        new_key: bool,
    },
    /// Replace the clinic database with a backup (close Clinic Desk on this computer first).
    ///
    /// The backup is checked completely before anything changes; the database in place (if any) is moved
    /// to `replaced/` in the data folder, never deleted. No sign-in is needed: the keys are the authority.
    Restore {
        /// The backup file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The backup's own key, for a backup made with --new-key [default: the database key].
        #[arg(long, env = "CLINIC_BACKUP_KEY", hide_env_values = true, value_name = "KEY")]
        backup_key: Option<String>,
    },
    /// Check every page of the database; if it is damaged, set it aside in `quarantine/` (exit code 2).
    Check,
    /// Verify the audit trail's hash chain (exit code 1 if it is broken).
    VerifyAudit,
    /// Export the audit trail as CSV.
    ExportAudit(audit::ExportArgs),
    /// Import patients from a CSV file; nothing is imported if any row has an error.
    ImportPatients {
        /// The CSV file (a header row, then one patient per row).
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// Import rows that look like patients already registered.
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// Write the printable recovery sheet (PDF) with the database recovery key.
    RecoverySheet {
        /// The PDF file to create; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// What every subcommand needs to find and unlock the database.
#[derive(Debug)]
pub struct Target {
    pub dir: clinic_core::store::DataDir,
    pub recovery_key: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("clinic-admin: {}", message(&error));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let target = Target { dir: unlock::data_dir(cli.data_dir)?, recovery_key: cli.recovery_key };
    match cli.command {
        Command::Backup { out, new_key } => backup::backup(&target, &out, new_key),
        Command::Restore { from, backup_key } => backup::restore(&target, &from, backup_key.as_deref()),
        Command::Check => check::check(&target),
        Command::VerifyAudit => audit::verify(&target),
        Command::ExportAudit(args) => audit::export(&target, &args),
        Command::ImportPatients { csv, allow_duplicates } => import::import(&target, &csv, allow_duplicates),
        Command::RecoverySheet { out } => recovery_sheet::export(&target, &out),
    }
}

/// The message for the person: core's own message for a core error (never its internal cause).
fn message(error: &anyhow::Error) -> String {
    match error.downcast_ref::<CoreError>() {
        Some(core) => core.message.clone(),
        None => format!("{error:#}"),
    }
}
