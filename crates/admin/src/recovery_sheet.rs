//! `recovery-sheet`: the printable PDF with the database recovery key.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;

use clinic_core::keys::{DatabaseKey, OsKeychain};
use clinic_core::recovery_sheet::export_recovery_sheet;

use crate::Target;
use crate::unlock::{self, GivenKey};

pub fn export(target: &Target, out: &Path) -> anyhow::Result<ExitCode> {
    unlock::as_admin(target, |unlocked, session| {
        if target.recovery_key.is_some() {
            let copy = DatabaseKey::from_bytes(unlocked.key.as_bytes())
                .ok_or_else(|| anyhow!("the key could not be copied"))?;
            let given = GivenKey(copy);
            export_recovery_sheet(&unlocked.clinic, session, &given, out)?;
        } else {
            export_recovery_sheet(&unlocked.clinic, session, &OsKeychain::for_data_dir(&target.dir), out)?;
        }
        println!(
            "Recovery sheet written to {}. Print it, keep it somewhere safe and private, then delete the file.",
            out.display()
        );
        Ok(ExitCode::SUCCESS)
    })
}
