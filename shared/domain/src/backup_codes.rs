//! Backup codes: the ten single-use codes a user writes down when turning on 2FA, to sign in
//! (`POST /api/v1/auth/login/mfa` with `backup_code`) when the authenticator is lost.
//!
//! Codes are 10 symbols of Crockford's base32 alphabet (digits and lower-case letters without
//! `i`, `l`, `o`, `u`), shown as `xxxxx-xxxxx`: exactly 50 random bits each, read aloud or
//! retyped without confusing `0`/`o` or `1`/`l`. This module only makes and normalises
//! codes; the caller stores `tokens::hash_secret(normalize_backup_code(code))` and compares
//! the same way, so a code is never stored in the clear.
use rand::RngCore;

/// How many codes one set holds.
pub const COUNT: usize = 10;

/// Symbols per code (not counting the dash).
pub const LENGTH: usize = 10;

/// Crockford's base32: 32 symbols, so each is 5 bits and a random byte masked to 5 bits
/// picks one without bias.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A fresh set of `COUNT` distinct codes, each `xxxxx-xxxxx`, from the OS's CSPRNG.
pub fn generate_backup_codes() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = generate_one();
        // A repeat has odds of about 2^-44 per set; skipping it keeps "ten codes" true.
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn generate_one() -> String {
    let mut bytes = [0u8; LENGTH];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut code = String::with_capacity(LENGTH + 1);
    for (i, byte) in bytes.iter().enumerate() {
        if i == LENGTH / 2 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    code
}

/// The canonical form a code is hashed and compared in: lower case, without spaces or
/// dashes, with the look-alikes Crockford's alphabet leaves out read as what they resemble
/// (`o` → `0`, `i`/`l` → `1`), so `ABCDE-FGHJK`, `abcde fghjk` and `abcdefghjk` are one code.
pub fn normalize_backup_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_has_ten_distinct_codes_shaped_xxxxx_dash_xxxxx() {
        let codes = generate_backup_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-", "{code}");
            assert!(code.bytes().filter(|&b| b != b'-').all(|b| ALPHABET.contains(&b)), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn each_code_carries_at_least_50_bits() {
        let bits = LENGTH as f64 * (ALPHABET.len() as f64).log2();
        assert!(bits >= 50.0, "{bits}");
    }

    #[test]
    fn the_alphabet_has_no_ambiguous_letters_and_no_repeats() {
        for ambiguous in [b'i', b'l', b'o', b'u'] {
            assert!(!ALPHABET.contains(&ambiguous));
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), 32);
    }

    #[test]
    fn two_sets_share_no_code() {
        let a = generate_backup_codes();
        let b = generate_backup_codes();
        assert!(a.iter().all(|code| !b.contains(code)));
    }

    #[test]
    fn normalisation_ignores_case_spaces_and_dashes() {
        let canonical = normalize_backup_code("abcde-fghjk");
        assert_eq!(canonical, "abcdefghjk");
        for typed in ["ABCDE-FGHJK", "abcde fghjk", " abcdefghjk ", "AbCdE--FgHjK", "ab cd e-fg hjk"] {
            assert_eq!(normalize_backup_code(typed), canonical, "{typed:?}");
        }
    }

    #[test]
    fn look_alike_letters_are_read_as_the_digits_they_resemble() {
        assert_eq!(normalize_backup_code("O1IL0-oilx2"), "01110011x2");
    }

    #[test]
    fn a_generated_code_normalises_to_its_ten_symbols() {
        for code in generate_backup_codes() {
            let normal = normalize_backup_code(&code);
            assert_eq!(normal, code.replace('-', ""));
            assert_eq!(normalize_backup_code(&normal), normal);
        }
    }
}
