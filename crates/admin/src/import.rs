//! `import-patients`: patients from a CSV file, all or nothing, with a report of every bad row.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clinic_core::patients;

use crate::{Target, unlock};

pub fn import(target: &Target, csv: &Path, allow_duplicates: bool) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(csv).with_context(|| format!("The file {} could not be opened", csv.display()))?;
    unlock::as_admin(target, |unlocked, session| {
        let report = patients::import_csv(&unlocked.clinic, session, std::io::BufReader::new(file), allow_duplicates)?;
        if report.errors.is_empty() {
            println!("{} patient(s) imported from {} row(s).", report.imported, report.rows);
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "Nothing was imported: {} problem(s) in {} row(s). Correct the file and import it again.",
            report.errors.len(),
            report.rows
        );
        for error in &report.errors {
            println!("  line {}, {}: {}", error.line, error.field, error.message);
        }
        Ok(ExitCode::FAILURE)
    })
}
