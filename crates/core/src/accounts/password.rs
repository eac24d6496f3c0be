//! Password rules and hashing: argon2id with OWASP parameters in PHC strings, rehashed when they rise.

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

use crate::{CoreError, CoreResult};

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 8;
/// Longest password accepted, in characters (long passphrases are welcome).
pub const MAX_LENGTH: usize = 128;

/// OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> CoreResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| CoreError::internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks a new password: length only, no composition rules, and not a commonly used password.
pub fn check_policy(field: &str, password: &str) -> CoreResult<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(CoreError::validation(
            field,
            format!(
                "The password is too short: use at least {MIN_LENGTH} characters. A few words together make a good one."
            ),
        ));
    }
    if length > MAX_LENGTH {
        return Err(CoreError::validation(
            field,
            format!("The password is too long: use at most {MAX_LENGTH} characters."),
        ));
    }
    if passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(password.to_lowercase())
    {
        return Err(CoreError::validation(
            field,
            "This password is on a list of commonly used passwords that attackers try first. Choose another.",
        ));
    }
    Ok(())
}

/// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) with a fresh random salt.
pub fn hash(password: &str) -> CoreResult<String> {
    let hashed = hasher()?.hash_password(password.as_bytes()).map_err(|e| CoreError::internal(e.to_string()))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the stored PHC string (using the parameters stored in it).
pub fn verify(password: &str, phc: &str) -> bool {
    match hasher() {
        Ok(h) => h.verify_password(password.as_bytes(), phc).is_ok(),
        Err(_) => false,
    }
}

/// Whether a stored hash was made with weaker settings than today's and should be redone at next sign-in.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() < MEMORY_KIB || p.t_cost() < PASSES || p.p_cost() < LANES,
        Err(_) => true,
    }
}

/// A hash to verify against when the user name is unknown, so both cases take the same time.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password never used").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_parameters_and_verifies() {
        let phc = hash("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterY", &phc));
        assert!(!needs_rehash(&phc));
    }

    #[test]
    fn weaker_hashes_are_flagged_for_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).expect("params"))
            .hash_password(b"some long password")
            .expect("hash")
            .to_string();
        assert!(verify("some long password", &weak), "old hashes still verify");
        assert!(needs_rehash(&weak));
        assert!(needs_rehash("not a phc string"));
    }

    #[test]
    fn policy_is_length_and_common_list_only() {
        assert_eq!(check_policy("password", "short").expect_err("short").field.as_deref(), Some("password"));
        assert!(check_policy("password", "password1").is_err(), "common password");
        assert!(check_policy("password", "PASSWORD1").is_err(), "common password in capitals");
        assert!(check_policy("password", &"x".repeat(129)).is_err());
        assert!(check_policy("password", &"ab".repeat(32)).is_ok(), "64 characters allowed");
        assert!(check_policy("password", "quiet river lamp").is_ok(), "no composition rules");
    }
}
