//! `backup` and `restore`: encrypted copies of the whole database, and putting one back.

use std::path::Path;
use std::process::ExitCode;

use clinic_core::clock::Env;
use clinic_core::keys::RecoveryKey;
use clinic_core::store::{self, BackupKey};

use crate::{Target, unlock};

pub fn backup(target: &Target, out: &Path, new_key: bool) -> anyhow::Result<ExitCode> {
    unlock::as_admin(target, |unlocked, session| {
        let key = if new_key { BackupKey::NewKey } else { BackupKey::SameAsDatabase(&unlocked.key) };
        let summary = store::create_backup(&unlocked.clinic, session, out, key)?;
        println!(
            "Backup written to {} ({} bytes, schema {}); it was reopened and checked.",
            summary.path.display(),
            summary.bytes,
            summary.schema_version
        );
        match &summary.backup_key {
            Some(recovery) => {
                println!();
                println!("Backup key (shown only now; write it down and keep it apart from the backup):");
                println!();
                println!("    {}", recovery.as_str());
                println!();
            }
            None => println!("It opens with the clinic's database recovery key (the recovery sheet)."),
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn restore(target: &Target, from: &Path, backup_key: Option<&str>) -> anyhow::Result<ExitCode> {
    let database_key = unlock::database_key(target)?;
    let backup_key = backup_key.map(|typed| RecoveryKey::parse(typed)?.to_database_key()).transpose()?;
    let summary = store::restore_backup(
        &target.dir,
        from,
        backup_key.as_ref().unwrap_or(&database_key),
        &database_key,
        Env::system(),
    )?;
    println!(
        "Restored the backup into {} (backup as of {}, schema {}; now schema {}).",
        target.dir.root().display(),
        summary.backup_as_of.as_deref().unwrap_or("an unknown time"),
        summary.backup_schema_version,
        summary.schema_version
    );
    if summary.replaced.is_empty() {
        println!("There was no database in place before.");
    } else {
        println!("The database that was in place was kept here:");
        for file in &summary.replaced {
            println!("  {}", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
