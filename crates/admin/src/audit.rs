//! `verify-audit` and `export-audit`: the hash-chained audit trail, checked or written out as CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use clinic_core::audit::{self, AuditAction, AuditFilter};
use jiff::civil::Date;
use uuid::Uuid;

use crate::{Target, unlock};

/// Which entries to export.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The CSV file to create; an existing file is never overwritten.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// First day, UTC, as YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    from: Option<Date>,
    /// Last day (included), UTC, as YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    to: Option<Date>,
    /// Only what this member of staff did (their id).
    #[arg(long, value_name = "ID")]
    user: Option<Uuid>,
    /// Only entries about this patient (their id).
    #[arg(long, value_name = "ID")]
    patient: Option<Uuid>,
    /// Only this action, e.g. login, patient_view, backup.
    #[arg(long, value_name = "NAME", value_parser = parse_action)]
    action: Option<AuditAction>,
    /// At most this many entries, newest first.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    limit: u32,
}

fn parse_action(text: &str) -> Result<AuditAction, String> {
    AuditAction::parse(text).ok_or_else(|| {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        format!("unknown action; use one of: {}", names.join(", "))
    })
}

pub fn verify(target: &Target) -> anyhow::Result<ExitCode> {
    unlock::as_admin(target, |unlocked, session| {
        let report = audit::verify(&unlocked.clinic, session)?;
        if report.is_intact() {
            println!(
                "The audit trail is intact: {} entries from {} device(s) checked.",
                report.entries_checked, report.devices
            );
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "The audit trail is BROKEN ({} problem(s) in {} entries):",
            report.breaks.len(),
            report.entries_checked
        );
        for b in &report.breaks {
            println!("  device {} entry {}: {}", b.device_id, b.seq, b.problem);
        }
        Ok(ExitCode::FAILURE)
    })
}

pub fn export(target: &Target, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let filter = AuditFilter {
        user_id: args.user,
        patient_id: args.patient,
        action: args.action,
        from_date: args.from,
        to_date: args.to,
        limit: Some(args.limit),
    };
    unlock::as_admin(target, |unlocked, session| {
        let mut file = create_private(&args.out)?;
        let written = (|| {
            let mut out = std::io::BufWriter::new(&mut file);
            let count = audit::export_csv(&unlocked.clinic, session, &filter, &mut out)?;
            out.flush()?;
            drop(out);
            file.sync_all()?;
            anyhow::Ok(count)
        })();
        let count = match written {
            Ok(count) => count,
            Err(e) => {
                drop(file);
                let _ = std::fs::remove_file(&args.out);
                return Err(e);
            }
        };
        println!("{count} audit entries written to {}.", args.out.display());
        if count == args.limit as usize {
            println!("That is the limit (--limit {}): narrow the dates to export the rest.", args.limit);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Creates a new file readable only by its owner (on Unix); refuses to replace an existing one.
pub fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).with_context(|| {
        format!("{} could not be created (it may already exist; an existing file is never replaced)", path.display())
    })
}
