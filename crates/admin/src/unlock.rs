//! Finding the data folder, unlocking the database (keychain or recovery key), signing in as an administrator.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use clinic_core::accounts::{self, SessionId};
use clinic_core::clock::Env;
use clinic_core::keys::{DatabaseKey, KeyStore, OsKeychain, RecoveryKey};
use clinic_core::store::{DataDir, DataDirStatus};
use clinic_core::{APP_IDENTIFIER, Clinic};

use crate::Target;

const GIVE_RECOVERY_KEY: &str = "Give the recovery key from the recovery sheet in the CLINIC_RECOVERY_KEY \
                                 environment variable (or with --recovery-key).";

/// The data folder: `--data-dir`, or the per-user folder the desktop app uses. Made absolute, because the
/// keychain entry is named after the folder's path.
pub fn data_dir(arg: Option<PathBuf>) -> anyhow::Result<DataDir> {
    let root = match arg {
        Some(dir) => dir,
        None => dirs::data_dir()
            .ok_or_else(|| {
                anyhow!("This computer account has no data folder; give the clinic's folder with --data-dir.")
            })?
            .join(APP_IDENTIFIER),
    };
    let root =
        std::path::absolute(&root).with_context(|| format!("The data folder {} is not usable", root.display()))?;
    Ok(DataDir::new(root))
}

/// Stops early, with advice, when there is no database to work on.
pub fn require_database(dir: &DataDir) -> anyhow::Result<()> {
    let status = dir.status().with_context(|| format!("The data folder {} could not be read", dir.root().display()))?;
    match status {
        DataDirStatus::Present => Ok(()),
        DataDirStatus::Empty => bail!(
            "There is no clinic database in {}. Check --data-dir, or restore a backup with `clinic-admin restore --from FILE`.",
            dir.root().display()
        ),
        DataDirStatus::Quarantined { files } => bail!(
            "The clinic database in {} was set aside as damaged ({}). Restore a backup with `clinic-admin restore --from FILE`.",
            dir.root().display(),
            files.first().map(|f| f.display().to_string()).unwrap_or_default()
        ),
    }
}

/// The database key: from the recovery key when one is given, otherwise from this computer's keychain.
/// clinic-admin never writes the keychain.
pub fn database_key(target: &Target) -> anyhow::Result<DatabaseKey> {
    if let Some(typed) = &target.recovery_key {
        return Ok(RecoveryKey::parse(typed)?.to_database_key()?);
    }
    match OsKeychain::for_data_dir(&target.dir).load() {
        Ok(Some(key)) => Ok(key),
        Ok(None) => bail!("The key for this clinic database is not in this computer's keychain. {GIVE_RECOVERY_KEY}"),
        Err(e) => bail!("{} {GIVE_RECOVERY_KEY}", e.message),
    }
}

/// An unlocked clinic and the key that opened it (a backup under the database key needs it).
#[derive(Debug)]
pub struct Unlocked {
    pub clinic: Clinic,
    pub key: DatabaseKey,
}

/// Unlocks the database, signs in as an administrator, runs `f`, and signs out.
pub fn as_admin<T>(target: &Target, f: impl FnOnce(&Unlocked, SessionId) -> anyhow::Result<T>) -> anyhow::Result<T> {
    require_database(&target.dir)?;
    let key = database_key(target)?;
    let clinic = Clinic::open_with_key(&target.dir, &key, Env::system())?;
    let unlocked = Unlocked { clinic, key };
    let session = sign_in(&unlocked.clinic)?;
    let result = f(&unlocked, session);
    let _ = accounts::logout(&unlocked.clinic, session);
    result
}

/// Signs in with `CLINIC_ADMIN_USER` / `CLINIC_ADMIN_PASSWORD`, or asks (the password without echo).
fn sign_in(clinic: &Clinic) -> anyhow::Result<SessionId> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let interactive = std::io::stdin().is_terminal();
    let missing = || {
        anyhow!(
            "Sign in as an administrator: set CLINIC_ADMIN_USER and CLINIC_ADMIN_PASSWORD, or run clinic-admin in a \
             terminal to be asked."
        )
    };
    let username = match from_env("CLINIC_ADMIN_USER") {
        Some(name) => name,
        None if interactive => ask("Administrator user name: ")?,
        None => return Err(missing()),
    };
    let password = match from_env("CLINIC_ADMIN_PASSWORD") {
        Some(password) => password,
        None if interactive => rpassword::prompt_password("Password: ").context("The password could not be read")?,
        None => return Err(missing()),
    };
    Ok(accounts::login(clinic, &username, &password)?.session_id)
}

fn ask(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("The answer could not be read")?;
    Ok(line.trim().to_owned())
}

/// A key already in hand, offered to core operations that read the key from a key store.
#[derive(Debug)]
pub struct GivenKey(pub DatabaseKey);

impl KeyStore for GivenKey {
    fn load(&self) -> clinic_core::CoreResult<Option<DatabaseKey>> {
        Ok(DatabaseKey::from_bytes(self.0.as_bytes()))
    }

    fn save(&self, _key: &DatabaseKey) -> clinic_core::CoreResult<()> {
        Err(clinic_core::CoreError::unavailable("clinic-admin does not change stored keys."))
    }

    fn delete(&self) -> clinic_core::CoreResult<()> {
        Err(clinic_core::CoreError::unavailable("clinic-admin does not change stored keys."))
    }
}
