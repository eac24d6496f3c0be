//! `check`: a full integrity check of the encrypted file; a damaged file is set aside, never deleted.

use std::process::ExitCode;

use clinic_core::store;

use crate::{Target, unlock};

/// How many problem lines of each kind to print; the rest are counted.
const SHOWN: usize = 20;

pub fn check(target: &Target) -> anyhow::Result<ExitCode> {
    unlock::require_database(&target.dir)?;
    let key = unlock::database_key(target)?;
    let report = store::check_integrity(&target.dir, &key)?;
    if report.is_ok() {
        println!("No problems found: every page's checksum and the database structure are intact.");
        return Ok(ExitCode::SUCCESS);
    }
    println!("The clinic database is damaged.");
    for (kind, lines) in [("page checksum", &report.cipher_problems), ("structure", &report.structure_problems)] {
        for line in lines.iter().take(SHOWN) {
            println!("  {kind}: {line}");
        }
        if lines.len() > SHOWN {
            println!("  ... and {} more {kind} problems", lines.len() - SHOWN);
        }
    }
    let moved = store::quarantine(&target.dir, jiff::Timestamp::now())?;
    println!("It was set aside (not deleted):");
    for file in &moved {
        println!("  {}", file.display());
    }
    println!("Restore the latest backup: clinic-admin restore --from FILE");
    Ok(ExitCode::from(2))
}
