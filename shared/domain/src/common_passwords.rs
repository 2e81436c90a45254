//! The blocklist of common passwords NIST 800-63B asks for: a new password that is one of the
//! 10,000 most common ones is refused, however long it is.
//!
//! The list ships in the binary (`shared/data/common-passwords.txt`, whose first line names
//! its source and licence), so checking needs no I/O and no network, and is read into a set
//! once per process.
use std::collections::HashSet;
use std::sync::LazyLock;

static LIST: &str = include_str!("../data/common-passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    LIST.lines()
        .map(str::trim)
        // `#` lines are the file's header (source and licence), not passwords.
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// True when `password` is on the list. Case-insensitive, since "Password" is no better
/// than "password" against a guessing attack. The list is lower case; Unicode lower-casing
/// leaves its ASCII entries as they are.
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_suspects_are_common() {
        for password in ["password", "123456", "qwerty", "letmein", "iloveyou"] {
            assert!(is_common(password), "{password}");
        }
    }

    #[test]
    fn the_check_ignores_case() {
        assert!(is_common("PassWord"));
        assert!(is_common("QWERTY"));
    }

    #[test]
    fn a_random_twenty_character_string_is_not_common() {
        assert!(!is_common("vT7#qLz9!mWx2$Rb4pKe"));
        assert!(!is_common(""));
    }

    #[test]
    fn the_list_holds_about_ten_thousand_entries() {
        let n = COMMON.len();
        assert!((9_000..=11_000).contains(&n), "{n}");
    }

    #[test]
    fn the_header_is_not_an_entry_and_every_entry_is_lower_case() {
        assert!(LIST.starts_with('#'));
        assert!(COMMON.iter().all(|p| !p.starts_with('#') && *p == p.to_lowercase()));
    }
}
