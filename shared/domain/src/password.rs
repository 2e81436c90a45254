//! Passwords: argon2id hashes (PHC strings), never the password itself.
//!
//! Parameters: m = 19 MiB, t = 2, p = 1 — OWASP's recommended argon2id floor. Hashing is
//! deliberately slow (tens of milliseconds); callers run it off the async runtime's threads.
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must be at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("is too common; choose one that is not on lists of leaked passwords")]
    Common,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

fn argon2() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks the length rules (no composition rules, per NIST 800-63B) and hashes.
pub fn hash(password: &str, min_length: usize) -> Result<String, PasswordError> {
    let length = password.chars().count();
    if length < min_length {
        return Err(PasswordError::TooShort(min_length));
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    argon2()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// A new password chosen by a person: refused when it is one of the most common passwords,
/// then checked and hashed as `hash` does. Slow (argon2id): run it off the async threads.
pub fn hash_new(password: &str, min_length: usize) -> Result<String, PasswordError> {
    if crate::common_passwords::is_common(password) {
        return Err(PasswordError::Common);
    }
    hash(password, min_length)
}

/// True when `password` matches the PHC `hash` (constant-time inside argon2).
pub fn verify(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = hash("correct horse battery", MIN_LENGTH).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse battery!", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn length_rules_hold() {
        assert_eq!(hash("short", MIN_LENGTH), Err(PasswordError::TooShort(8)));
        assert_eq!(hash(&"x".repeat(129), MIN_LENGTH), Err(PasswordError::TooLong));
    }
}
