//! The few plain-text strings the pages build from data: a name in a question, a number in a
//! hint, the scope a cursor is signed for. Text, never markup: maud escapes it wherever a
//! page puts it.
use domain::password::MIN_LENGTH;

/// The question of the removal's confirm step.
pub(super) fn remove_question(name: &str, email: &str, organization: &str) -> String {
    ["Remove ", name, " (", email, ") from ", organization, "?"].concat()
}

/// The confirm step's button names the act and the person: "Remove Ada Lovelace".
pub(super) fn remove_button(name: &str) -> String {
    ["Remove ", name].concat()
}

/// The hint under a new password, from the rule itself so the two never disagree.
pub(super) fn password_hint() -> String {
    ["At least ", &MIN_LENGTH.to_string(), " characters. Avoid passwords used on other sites."].concat()
}

/// The activity page's cursors are signed for this page and its filter: neither the JSON
/// API's cursors nor another filter's work here.
pub(super) fn activity_scope(filter_scope: &str) -> String {
    ["portal-activity:", filter_scope].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_read_as_sentences() {
        assert_eq!(remove_question("Ada", "ada@example.com", "Engines"), "Remove Ada (ada@example.com) from Engines?");
        assert_eq!(remove_button("Ada"), "Remove Ada");
        assert!(password_hint().starts_with("At least 8 characters."));
        assert_eq!(activity_scope("[1]"), "portal-activity:[1]");
    }
}
