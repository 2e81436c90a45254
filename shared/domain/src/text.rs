//! Human text fields (names, titles): trimmed, not empty, bounded, no control characters.

/// Why a text field was refused; the HTTP layer answers 422 `invalid_field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
}

/// Checks and trims a one-line human text of at most `max` characters.
pub fn parse_line(raw: &str, max: usize) -> Result<String, TextError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(TextError::Empty);
    }
    if s.chars().count() > max {
        return Err(TextError::TooLong(max));
    }
    if s.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(parse_line("  Acme  ", 10), Ok("Acme".into()));
    }

    #[test]
    fn empty_long_and_control_text_is_refused() {
        assert_eq!(parse_line("   ", 10), Err(TextError::Empty));
        assert_eq!(parse_line("abcdefghijk", 10), Err(TextError::TooLong(10)));
        assert_eq!(parse_line("Ac\u{7}me", 10), Err(TextError::ControlCharacter));
    }
}
