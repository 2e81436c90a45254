//! Query strings for the links the kit builds (pager links above all).
//!
//! A value put into a URL is percent-encoded first and HTML-escaped after (maud does that
//! when the URL lands in an `href`): escaping alone would let `&` or `#` in a cursor split
//! the query or cut it short.

/// Percent-encodes `value` for a query string: every byte of its UTF-8 form except the
/// RFC 3986 unreserved characters (`A–Z a–z 0–9 - . _ ~`) becomes `%XX`, so `&`, `=`, `+`,
/// `#`, `/`, spaces and non-ASCII characters all survive the trip.
pub fn encode_query_value(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// `base` with `name=value` added to its query string (`?` or `&` as needed, before any
/// `#fragment`), both encoded.
pub fn with_param(base: &str, name: &str, value: &str) -> String {
    let (path, fragment) = match base.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (base, None),
    };
    let separator = match path.find('?') {
        None => "?",
        Some(at) if at + 1 == path.len() || path.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!("{path}{separator}{}={}", encode_query_value(name), encode_query_value(value));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_non_ascii_characters_are_percent_encoded() {
        assert_eq!(encode_query_value("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode_query_value("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_query_value("+#?%\"'<>"), "%2B%23%3F%25%22%27%3C%3E");
    }

    #[test]
    fn a_parameter_joins_the_query_already_there() {
        assert_eq!(with_param("/dashboard/users", "cursor", "x y"), "/dashboard/users?cursor=x%20y");
        assert_eq!(with_param("/dashboard/users?role=admin", "cursor", "c"), "/dashboard/users?role=admin&cursor=c");
        assert_eq!(with_param("/list?", "cursor", "c"), "/list?cursor=c");
        assert_eq!(with_param("/list?a=1#top", "cursor", "c"), "/list?a=1&cursor=c#top");
    }
}
