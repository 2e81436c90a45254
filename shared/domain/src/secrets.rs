//! Secret tokens (refresh, verification, reset, invitation, MFA challenge, backup codes):
//! 256 random bits, shown once, stored only as a SHA-256 hash, compared in constant time.
//! A fast hash is right here: the token is random, so there is nothing to brute-force.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new secret: 32 random bytes, base64url (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The only form in which a secret is stored.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality of two strings (hashes, CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A secret as it may arrive from a client: 1–256 visible ASCII characters.
pub fn plausible(secret: &str) -> bool {
    !secret.is_empty() && secret.len() <= 256 && secret.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_url_safe() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn a_hash_matches_only_its_secret() {
        let s = new_secret();
        assert!(same(&hash_secret(&s), &hash_secret(&s)));
        assert!(!same(&hash_secret(&s), &hash_secret(&new_secret())));
        assert!(!same("abc", "abcd"));
    }
}
