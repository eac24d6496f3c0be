//! The database key: a random 256-bit raw SQLCipher key, its printable recovery form, and where it is kept;
//! and the sync credential, kept in the same keychain under its own entry.

mod credential;
mod keychain;
mod recovery;

pub use credential::{CredentialStore, SyncCredential};
pub use keychain::{KEYCHAIN_SERVICE, KeyStore, MemoryKeyStore, OsKeychain};
pub use recovery::RecoveryKey;

use zeroize::Zeroizing;

use crate::{CoreError, CoreResult};

/// Length of the raw SQLCipher key in bytes.
pub const KEY_LEN: usize = 32;

/// A raw 256-bit database key, wiped from memory when dropped. Never logged, never sent to the UI.
pub struct DatabaseKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(..)")
    }
}

impl DatabaseKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> CoreResult<Self> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(bytes.as_mut()).map_err(|e| CoreError::internal(e.to_string()))?;
        Ok(DatabaseKey(bytes))
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(DatabaseKey(Zeroizing::new(array)))
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The value for `PRAGMA key` / `ATTACH ... KEY`: SQLCipher's raw-key form `x'<hex>'`,
    /// which skips the passphrase key derivation on every open.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}
