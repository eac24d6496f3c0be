//! Keeping the database key in the operating system's keychain (and an in-memory store for unit tests).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::DatabaseKey;
use crate::{CoreError, CoreResult, ErrorCode};

/// Where the database key lives between runs.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// The stored key, or `None` when there is no entry.
    fn load(&self) -> CoreResult<Option<DatabaseKey>>;
    fn save(&self, key: &DatabaseKey) -> CoreResult<()>;
    fn delete(&self) -> CoreResult<()>;
}

/// The service name Clinic Desk's keychain entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "Clinic Desk";

/// An entry in the OS keychain: Windows Credential Manager, macOS Keychain, or the
/// Secret Service on Linux. There is deliberately no fallback: when no keychain can be
/// reached every call fails with `unavailable`, and the key is never written anywhere else.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
    account: String,
}

impl OsKeychain {
    /// `service` names the application ("Clinic Desk"), `account` the database (its data directory).
    pub fn new(service: &str, account: &str) -> Self {
        OsKeychain { service: service.to_owned(), account: account.to_owned() }
    }

    /// The keychain entry of the database in `dir`: service "Clinic Desk", account = the data folder's path,
    /// so the app and `clinic-admin` find the same key and two data folders never share one.
    pub fn for_data_dir(dir: &crate::store::DataDir) -> Self {
        OsKeychain::new(KEYCHAIN_SERVICE, &dir.root().display().to_string())
    }

    fn entry(&self) -> CoreResult<keyring_core::Entry> {
        ensure_os_store()?;
        keyring_core::Entry::new(&self.service, &self.account).map_err(keychain_error)
    }

    /// The entry holding this database's sync credential: same service, the account with a suffix, so it
    /// never overwrites the database key.
    pub(super) fn credential_entry(&self) -> CoreResult<keyring_core::Entry> {
        ensure_os_store()?;
        let account = [self.account.as_str(), SYNC_CREDENTIAL_SUFFIX].concat();
        keyring_core::Entry::new(&self.service, &account).map_err(keychain_error)
    }
}

/// Appended to a database's keychain account name for its sync credential entry.
const SYNC_CREDENTIAL_SUFFIX: &str = " (sync credential)";

impl KeyStore for OsKeychain {
    fn load(&self) -> CoreResult<Option<DatabaseKey>> {
        match self.entry()?.get_secret() {
            Ok(bytes) => {
                let bytes = zeroize::Zeroizing::new(bytes);
                DatabaseKey::from_bytes(&bytes).map(Some).ok_or_else(|| {
                    CoreError::new(
                        ErrorCode::KeyRejected,
                        "The database key in the system keychain is not in the expected form. \
                         Open the database with its recovery key to restore it.",
                    )
                })
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn save(&self, key: &DatabaseKey) -> CoreResult<()> {
        self.entry()?.set_secret(key.as_bytes()).map_err(keychain_error)
    }

    fn delete(&self) -> CoreResult<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

pub(super) fn keychain_error(e: keyring_core::Error) -> CoreError {
    CoreError::unavailable(
        "The system keychain could not be reached, so the clinic database cannot be unlocked. \
         Sign in to your computer account normally (the keychain unlocks with it) and try again, \
         or open the database with its recovery key.",
    )
    .with_source(e.to_string())
}

static OS_STORE: OnceLock<Result<(), String>> = OnceLock::new();

/// Installs this OS's native credential store as keyring-core's default, once per process.
fn ensure_os_store() -> CoreResult<()> {
    OS_STORE
        .get_or_init(install_os_store)
        .clone()
        .map_err(|e| keychain_error(keyring_core::Error::NotSupportedByStore(e)))
}

#[cfg(target_os = "linux")]
fn install_os_store() -> Result<(), String> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "windows")]
fn install_os_store() -> Result<(), String> {
    let store = windows_native_keyring_store::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "macos")]
fn install_os_store() -> Result<(), String> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn install_os_store() -> Result<(), String> {
    Err("no supported keychain on this operating system".to_owned())
}

/// What a [`MemoryKeyStore`] entry holds: the database key, or the sync credential (a separate entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    DatabaseKey,
    SyncCredential,
}

/// A key store in process memory, shared between clones. For unit tests of the seam only:
/// nothing survives the process.
#[derive(Debug, Clone, Default)]
pub struct MemoryKeyStore {
    entries: Arc<Mutex<HashMap<Slot, Vec<u8>>>>,
}

impl MemoryKeyStore {
    pub(super) fn get(&self, slot: Slot) -> CoreResult<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let entries = self.entries.lock().map_err(|_| CoreError::internal("key store poisoned"))?;
        Ok(entries.get(&slot).map(|b| zeroize::Zeroizing::new(b.clone())))
    }

    pub(super) fn set(&self, slot: Slot, bytes: &[u8]) -> CoreResult<()> {
        let mut entries = self.entries.lock().map_err(|_| CoreError::internal("key store poisoned"))?;
        entries.insert(slot, bytes.to_vec());
        Ok(())
    }

    pub(super) fn remove(&self, slot: Slot) -> CoreResult<()> {
        let mut entries = self.entries.lock().map_err(|_| CoreError::internal("key store poisoned"))?;
        entries.remove(&slot);
        Ok(())
    }
}

impl KeyStore for MemoryKeyStore {
    fn load(&self) -> CoreResult<Option<DatabaseKey>> {
        Ok(self.get(Slot::DatabaseKey)?.and_then(|b| DatabaseKey::from_bytes(&b)))
    }

    fn save(&self, key: &DatabaseKey) -> CoreResult<()> {
        self.set(Slot::DatabaseKey, key.as_bytes())
    }

    fn delete(&self) -> CoreResult<()> {
        self.remove(Slot::DatabaseKey)
    }
}
