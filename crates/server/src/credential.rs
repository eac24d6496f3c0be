//! Device credentials (`<device uuid>.<secret>`) and one-time enrollment codes: generation, parsing, hashing.
//!
//! Both secrets are random and high-entropy (256 and 80 bits), so a single SHA-256 is the right stored form
//! (a slow password hash would only slow every request); stored hashes are compared in constant time.

use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::AppError;

/// Bytes of randomness in a device secret.
const SECRET_BYTES: usize = 32;
/// Bytes of randomness in an enrollment code: 80 bits, 16 base32 characters.
const CODE_BYTES: usize = 10;

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(["random source: ", &e.to_string()].concat()))?;
    Ok(bytes)
}

/// SHA-256 of a secret, as stored.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A newly issued credential: the text the device keeps, and the hash the server keeps.
#[derive(Debug)]
pub struct Issued {
    pub credential: String,
    pub secret_hash: Vec<u8>,
}

/// A new random credential for `device_id`.
pub fn issue(device_id: Uuid) -> Result<Issued, AppError> {
    let secret = BASE64URL_NOPAD.encode(&random::<SECRET_BYTES>()?);
    let secret_hash = hash(&secret);
    Ok(Issued { credential: [device_id.to_string().as_str(), ".", &secret].concat(), secret_hash })
}

/// Splits `Authorization: Bearer <device uuid>.<secret>`; `None` when it is not of that shape.
pub fn parse_bearer(header: &str) -> Option<(Uuid, String)> {
    let token = header.strip_prefix("Bearer ")?.trim();
    let (device, secret) = token.split_once('.')?;
    let device = Uuid::parse_str(device).ok()?;
    let decoded = BASE64URL_NOPAD.decode(secret.as_bytes()).ok()?;
    (decoded.len() == SECRET_BYTES).then(|| (device, secret.to_owned()))
}

/// Whether `secret` hashes to `stored`, in constant time.
pub fn matches(stored: &[u8], secret: &str) -> bool {
    let computed = hash(secret);
    stored.len() == computed.len() && bool::from(computed.as_slice().ct_eq(stored))
}

/// A new enrollment code, for a person to type: four groups of four base32 characters, e.g. `K7QF-2MXA-9…`.
pub fn new_enrollment_code() -> Result<String, AppError> {
    let text = BASE32_NOPAD.encode(&random::<CODE_BYTES>()?);
    let groups: Vec<&str> = text.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    Ok(groups.join("-"))
}

/// A typed code in the form it was hashed in: upper case, without spaces or dashes, and with the digits people
/// type for look-alike letters mapped back (base32 has no 0, 1 or 8).
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            '0' => 'O',
            '1' => 'I',
            '8' => 'B',
            other => other,
        })
        .collect()
}

/// The stored form of a code.
pub fn code_hash(typed: &str) -> Vec<u8> {
    hash(&normalise_code(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_parses_back_and_matches_only_its_own_hash() {
        let device = Uuid::now_v7();
        let issued = issue(device).expect("random");
        let (parsed, secret) = parse_bearer(&["Bearer ", &issued.credential].concat()).expect("parses");
        assert_eq!(parsed, device);
        assert!(matches(&issued.secret_hash, &secret));
        let other = issue(device).expect("random");
        assert!(!matches(&other.secret_hash, &secret));
        assert!(!matches(&[], &secret));
    }

    #[test]
    fn malformed_bearers_are_refused() {
        for bad in ["", "Bearer", "Basic abc", "Bearer x.y", "Bearer 0190f3a0-7c1e-7000-8000-000000000000.short"] {
            assert_eq!(parse_bearer(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_are_grouped_and_forgive_case_dashes_and_look_alike_digits() {
        let code = new_enrollment_code().expect("random");
        assert_eq!(code.len(), 19);
        assert_eq!(code.split('-').count(), 4);
        assert_eq!(code_hash(&code), code_hash(&code.to_lowercase().replace('-', " ")));
        assert_eq!(normalise_code("abo1-8"), "ABOIB");
        assert_eq!(normalise_code("ab01"), "ABOI");
    }
}
