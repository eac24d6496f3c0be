//! The printable recovery key: the database key in base32 groups with a checksum that catches typos.

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{DatabaseKey, KEY_LEN};
use crate::{CoreError, CoreResult};

const CHECKSUM_LEN: usize = 2;
const GROUP: usize = 5;

/// The one-time recovery key shown at setup. It opens the database when the keychain entry
/// is lost (a new OS profile, a repaired laptop), so it is shown once and kept on paper.
pub struct RecoveryKey(Zeroizing<String>);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(..)")
    }
}

impl RecoveryKey {
    /// The recovery form of a database key: `XXXXX-XXXXX-...` (11 groups of 5).
    pub fn from_database_key(key: &DatabaseKey) -> Self {
        let mut payload = Zeroizing::new(Vec::with_capacity(KEY_LEN + CHECKSUM_LEN));
        payload.extend_from_slice(key.as_bytes());
        payload.extend_from_slice(&checksum(key.as_bytes()));
        let plain = Zeroizing::new(BASE32_NOPAD.encode(&payload));
        let grouped: Vec<&str> =
            plain.as_bytes().chunks(GROUP).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        RecoveryKey(Zeroizing::new(grouped.join("-")))
    }

    /// Reads a recovery key as typed: case, spaces and dashes do not matter; a typo is caught.
    pub fn parse(typed: &str) -> CoreResult<Self> {
        let key = Self::decode(typed)?;
        Ok(Self::from_database_key(&key))
    }

    /// The database key this recovery key stands for.
    pub fn to_database_key(&self) -> CoreResult<DatabaseKey> {
        Self::decode(&self.0)
    }

    /// The text to show and print.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn decode(typed: &str) -> CoreResult<DatabaseKey> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect(),
        );
        let wrong = || {
            CoreError::validation(
                "recovery_key",
                "This recovery key is not right: check each group of letters and digits \
                 against the printed recovery sheet and type it again.",
            )
        };
        let bytes = Zeroizing::new(BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|_| wrong())?);
        if bytes.len() != KEY_LEN + CHECKSUM_LEN {
            return Err(wrong());
        }
        let (key, sum) = bytes.split_at(KEY_LEN);
        if checksum(key) != sum {
            return Err(wrong());
        }
        DatabaseKey::from_bytes(key).ok_or_else(wrong)
    }
}

fn checksum(key: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest = Sha256::digest(key);
    [digest[0], digest[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_case_spaces_and_dashes() {
        let key = DatabaseKey::generate().expect("random key");
        let recovery = RecoveryKey::from_database_key(&key);
        assert_eq!(recovery.as_str().split('-').count(), 11);
        let typed = recovery.as_str().to_lowercase().replace('-', " ");
        let back = RecoveryKey::parse(&typed).expect("parses").to_database_key().expect("key");
        assert_eq!(back.as_bytes(), key.as_bytes());
    }

    #[test]
    fn a_single_typo_is_caught() {
        let key = DatabaseKey::from_bytes(&[7u8; KEY_LEN]).expect("fixed key");
        let text = RecoveryKey::from_database_key(&key).as_str().to_owned();
        for i in (0..text.len()).filter(|i| text.as_bytes()[*i] != b'-') {
            let mut typo = text.clone().into_bytes();
            typo[i] = if typo[i] == b'A' { b'B' } else { b'A' };
            let typo = String::from_utf8(typo).expect("ascii");
            let err = RecoveryKey::parse(&typo).expect_err("typo must be caught");
            assert_eq!(err.field.as_deref(), Some("recovery_key"));
        }
    }
}
