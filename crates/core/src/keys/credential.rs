//! The device's sync credential (from enrollment), kept in the OS keychain beside — never in — the database.

use zeroize::Zeroizing;

use super::keychain::{MemoryKeyStore, OsKeychain, Slot};
use crate::{CoreError, CoreResult};

/// The bearer credential the clinic server gave this computer at enrollment. Wiped from memory when dropped,
/// never logged, never shown, never stored in the database.
#[derive(Clone)]
pub struct SyncCredential(Zeroizing<String>);

impl std::fmt::Debug for SyncCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncCredential(..)")
    }
}

impl SyncCredential {
    pub fn new(text: impl Into<String>) -> Self {
        SyncCredential(Zeroizing::new(text.into()))
    }

    /// The text for the `Authorization: Bearer` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Where the sync credential lives between runs: the same keychain as the database key, a separate entry.
pub trait CredentialStore: Send + Sync + std::fmt::Debug {
    fn load_credential(&self) -> CoreResult<Option<SyncCredential>>;
    fn save_credential(&self, credential: &SyncCredential) -> CoreResult<()>;
    fn delete_credential(&self) -> CoreResult<()>;
}

fn unreachable_keychain(cause: impl std::fmt::Display) -> CoreError {
    CoreError::unavailable(
        "The system keychain could not be reached, so this computer's clinic server credential cannot be read \
         or saved. Sign in to your computer account normally (the keychain unlocks with it) and try again.",
    )
    .with_source(cause.to_string())
}

impl CredentialStore for OsKeychain {
    fn load_credential(&self) -> CoreResult<Option<SyncCredential>> {
        match self.credential_entry()?.get_password() {
            Ok(text) => Ok(Some(SyncCredential::new(text))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }

    fn save_credential(&self, credential: &SyncCredential) -> CoreResult<()> {
        self.credential_entry()?.set_password(credential.expose()).map_err(unreachable_keychain)
    }

    fn delete_credential(&self) -> CoreResult<()> {
        match self.credential_entry()?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(unreachable_keychain(e)),
        }
    }
}

impl CredentialStore for MemoryKeyStore {
    fn load_credential(&self) -> CoreResult<Option<SyncCredential>> {
        let Some(bytes) = self.get(Slot::SyncCredential)? else { return Ok(None) };
        let text = String::from_utf8(bytes.to_vec()).map_err(CoreError::internal)?;
        Ok(Some(SyncCredential::new(text)))
    }

    fn save_credential(&self, credential: &SyncCredential) -> CoreResult<()> {
        self.set(Slot::SyncCredential, credential.expose().as_bytes())
    }

    fn delete_credential(&self) -> CoreResult<()> {
        self.remove(Slot::SyncCredential)
    }
}
