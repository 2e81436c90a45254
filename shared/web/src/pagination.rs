//! List pages as the contract shapes them: `?limit=1..100&cursor=…` in,
//! `{"data": [...], "has_more": bool, "next_cursor": string|null}` out.
//!
//! A cursor is the store's `Cursor` (where the previous page stopped) made opaque and
//! unforgeable: `base64url(compact JSON ‖ HMAC-SHA256 tag truncated to 16 bytes)`. The tag
//! also covers a *scope* — which list the cursor belongs to (its partition and filters) — so
//! a cursor issued for one list is refused by every other, and a client cannot make the
//! server start reading at a key of its choosing. The cursor is signed, not encrypted: it
//! carries the keys of the last item shown, which the client has already seen.
//!
//! Not for filters or sort orders of particular lists; those are each route's own query
//! parameters (put them into the scope so a cursor cannot cross filters).
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use store::ports::item_store::{Cursor, Index, Item, Key, Page, Query};

/// `limit` when the client gives none.
pub const DEFAULT_LIMIT: usize = 20;
/// The largest `limit` a client may ask for.
pub const MAX_LIMIT: usize = 100;
/// The longest cursor accepted; anything longer was not issued by the server.
pub const MAX_CURSOR_CHARS: usize = 1024;

const TAG_BYTES: usize = 16;

type HmacSha256 = Hmac<Sha256>;

/// The query parameters every list route takes. Both are read as text so that a bad value
/// answers in the contract's shape (`invalid_parameter`, field `limit`) rather than failing
/// inside the query-string deserializer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// How many items to return, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page, to continue after it.
    pub cursor: Option<String>,
}

/// A validated page request: how many items, and where to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Validates `limit` and verifies `cursor` against `key` and the list's `scope`.
    pub fn from_params(params: &ListParams, key: &[u8], scope: &str) -> Result<PageRequest, ApiError> {
        PageRequest::parse(params.limit.as_deref(), params.cursor.as_deref(), key, scope)
    }

    /// The same as `from_params`, for routes whose own query struct carries `limit` and
    /// `cursor` next to their filters.
    pub fn parse(limit: Option<&str>, cursor: Option<&str>, key: &[u8], scope: &str) -> Result<PageRequest, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(raw) => parse_limit(raw)?,
        };
        let after = cursor.map(|c| decode_cursor(key, scope, c)).transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// `query` set to read this page: one item more than `limit`, so that `has_more` is
    /// exact (a store's own "next" may be set when nothing follows). Pair with
    /// `List::from_store_page`.
    pub fn query(&self, query: Query) -> Query {
        query.limit(self.limit + 1).after(self.after.clone())
    }
}

/// Only plain decimal digits: `+5`, ` 5` and `5.0` are not limits either.
fn parse_limit(raw: &str) -> Result<usize, ApiError> {
    let refuse = || {
        ApiError::bad_request("invalid_parameter", format!("`limit` must be an integer from 1 to {MAX_LIMIT}."))
            .with_field("limit")
    };
    if raw.is_empty() || raw.len() > 3 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse());
    }
    match raw.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(refuse()),
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "The cursor was not issued for this list; start again without one.")
        .with_field("cursor")
}

/// The compact form of a store cursor: key parts as pairs, no field names spelled out.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireCursor {
    k: (String, String),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i: Option<(String, String)>,
}

/// The MAC over `scope` and `payload`. The key is first derived for this one purpose, so
/// `cursor_key` can never produce a tag that another use of the same secret would accept;
/// the derived 32-byte key also makes HMAC construction infallible (no length error).
fn mac(key: &[u8], scope: &str, payload: &[u8]) -> HmacSha256 {
    let derived = Sha256::new().chain_update(b"dotmac/cursor/v1\0").chain_update(key).finalize();
    let mut block = [0u8; 64];
    block[..derived.len()].copy_from_slice(&derived);
    let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new(&block.into());
    // Length-prefixing the scope keeps (scope, payload) pairs from running into each other.
    mac.update(&(scope.len() as u64).to_be_bytes());
    mac.update(scope.as_bytes());
    mac.update(payload);
    mac
}

/// Signs `cursor` for the list named by `scope`.
pub fn encode_cursor(key: &[u8], scope: &str, cursor: &Cursor) -> String {
    let wire = WireCursor {
        k: (cursor.key.pk.clone(), cursor.key.sk.clone()),
        i: cursor.index_key.as_ref().map(|k| (k.pk.clone(), k.sk.clone())),
    };
    // Serializing two string pairs cannot fail; an empty payload would only make the cursor
    // unreadable (400 on use), never wrong.
    let mut bytes = serde_json::to_vec(&wire).unwrap_or_default();
    let tag = mac(key, scope, &bytes).finalize().into_bytes();
    bytes.extend_from_slice(&tag[..TAG_BYTES]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Verifies a cursor a client sent back; anything the server did not issue for this
/// `scope` with this `key` answers 400 `invalid_cursor`.
pub fn decode_cursor(key: &[u8], scope: &str, s: &str) -> Result<Cursor, ApiError> {
    if s.is_empty() || s.len() > MAX_CURSOR_CHARS {
        return Err(invalid_cursor());
    }
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid_cursor())?;
    if bytes.len() <= TAG_BYTES {
        return Err(invalid_cursor());
    }
    let (payload, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
    // Constant-time comparison of the truncated tag.
    mac(key, scope, payload).verify_truncated_left(tag).map_err(|_| invalid_cursor())?;
    let wire: WireCursor = serde_json::from_slice(payload).map_err(|_| invalid_cursor())?;
    Ok(Cursor { key: Key::new(wire.k.0, wire.k.1), index_key: wire.i.map(|(pk, sk)| Key::new(pk, sk)) })
}

/// One page of a list, as every list route answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Pass as `cursor` to read the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A page of `items`, continued by `next` when more follow.
    pub fn from_page(items: Vec<T>, next: Option<Cursor>, key: &[u8], scope: &str) -> List<T> {
        List {
            data: items,
            has_more: next.is_some(),
            next_cursor: next.map(|c| encode_cursor(key, scope, &c)),
        }
    }

    /// A page from a store query made with `PageRequest::query` (one item more than asked
    /// for): the extra item only tells that more follow, and the cursor points after the
    /// last item shown. `map` turns each item into what the client sees.
    pub fn from_store_page<E>(
        page: Page,
        request: &PageRequest,
        index: Index,
        key: &[u8],
        scope: &str,
        map: impl FnMut(Item) -> Result<T, E>,
    ) -> Result<List<T>, E> {
        let Page { mut items, next } = page;
        let next = if items.len() > request.limit {
            items.truncate(request.limit);
            items.last().map(|item| Cursor::after(item, index))
        } else {
            // Fewer items than asked for with a `next` means the store stopped early (its
            // own size limit), so more may follow from there.
            next
        };
        let data = items.into_iter().map(map).collect::<Result<Vec<T>, E>>()?;
        Ok(List::from_page(data, next, key, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test cursor key";
    const SCOPE: &str = "TENANT#ten_01hzz/invoices";

    fn cursor() -> Cursor {
        Cursor {
            key: Key::new("TENANT#ten_01hzz", "INVOICE#inv_01j0000000000000000000000"),
            index_key: Some(Key::new("STATUS#paid", "2026-11-25T10:00:00Z#inv_01j0000000000000000000000")),
        }
    }

    fn code(result: Result<PageRequest, ApiError>) -> (String, Option<String>) {
        let e = result.unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        (e.code().to_string(), e.detail.field)
    }

    #[test]
    fn limit_defaults_to_twenty() {
        let page = PageRequest::from_params(&ListParams::default(), KEY, SCOPE).unwrap();
        assert_eq!(page, PageRequest { limit: 20, after: None });
    }

    #[test]
    fn limits_from_one_to_a_hundred_are_accepted() {
        for (raw, n) in [("1", 1), ("100", 100), ("42", 42), ("007", 7)] {
            assert_eq!(PageRequest::parse(Some(raw), None, KEY, SCOPE).unwrap().limit, n);
        }
    }

    #[test]
    fn any_other_limit_answers_invalid_parameter_naming_limit() {
        for raw in ["abc", "0", "101", "", "-1", "+5", " 5", "5.0", "99999999999999999999", "1e2"] {
            let expected = ("invalid_parameter".to_string(), Some("limit".to_string()));
            assert_eq!(code(PageRequest::parse(Some(raw), None, KEY, SCOPE)), expected, "{raw:?}");
        }
    }

    #[test]
    fn a_cursor_reads_back_as_the_store_cursor() {
        let encoded = encode_cursor(KEY, SCOPE, &cursor());
        assert_eq!(decode_cursor(KEY, SCOPE, &encoded).unwrap(), cursor());
        let table_only = Cursor { key: Key::new("P", "S"), index_key: None };
        assert_eq!(decode_cursor(KEY, SCOPE, &encode_cursor(KEY, SCOPE, &table_only)).unwrap(), table_only);
    }

    #[test]
    fn a_cursor_is_url_safe_and_well_under_the_length_limit() {
        let encoded = encode_cursor(KEY, SCOPE, &cursor());
        assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{encoded}");
        assert!(encoded.len() < MAX_CURSOR_CHARS / 2, "{}", encoded.len());
    }

    fn refused(key: &[u8], scope: &str, s: &str) -> bool {
        let expected = ("invalid_cursor".to_string(), Some("cursor".to_string()));
        code(PageRequest::parse(None, Some(s), key, scope)) == expected
    }

    #[test]
    fn a_cursor_for_another_list_is_refused() {
        let encoded = encode_cursor(KEY, SCOPE, &cursor());
        assert!(refused(KEY, "TENANT#ten_other/invoices", &encoded));
    }

    #[test]
    fn a_cursor_signed_with_another_key_is_refused() {
        let encoded = encode_cursor(b"another key", SCOPE, &cursor());
        assert!(refused(KEY, SCOPE, &encoded));
    }

    #[test]
    fn a_tampered_cursor_is_refused() {
        let encoded = encode_cursor(KEY, SCOPE, &cursor());
        let mut bytes = URL_SAFE_NO_PAD.decode(&encoded).unwrap();
        // Point the cursor at another partition, keeping the old tag.
        let text = String::from_utf8_lossy(&bytes[..bytes.len() - TAG_BYTES]).replace("ten_01hzz", "ten_01hzy");
        let tag = bytes.split_off(bytes.len() - TAG_BYTES);
        let forged = [text.into_bytes(), tag].concat();
        assert!(refused(KEY, SCOPE, &URL_SAFE_NO_PAD.encode(forged)));
        // And a flipped bit in the tag.
        let mut bytes = URL_SAFE_NO_PAD.decode(&encoded).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(refused(KEY, SCOPE, &URL_SAFE_NO_PAD.encode(bytes)));
    }

    #[test]
    fn garbage_empty_and_overlong_cursors_are_refused() {
        assert!(refused(KEY, SCOPE, "!!!not base64!!!"));
        assert!(refused(KEY, SCOPE, ""));
        assert!(refused(KEY, SCOPE, "abc"));
        assert!(refused(KEY, SCOPE, &"A".repeat(MAX_CURSOR_CHARS + 1)));
        let padded = format!("{}=", encode_cursor(KEY, SCOPE, &cursor()));
        assert!(refused(KEY, SCOPE, &padded));
    }

    #[test]
    fn a_page_request_carries_the_verified_cursor() {
        let encoded = encode_cursor(KEY, SCOPE, &cursor());
        let params = ListParams { limit: Some("5".into()), cursor: Some(encoded) };
        let page = PageRequest::from_params(&params, KEY, SCOPE).unwrap();
        assert_eq!(page, PageRequest { limit: 5, after: Some(cursor()) });
        let query = page.query(Query::table("P"));
        assert_eq!((query.limit, query.after), (6, Some(cursor())));
    }

    #[test]
    fn the_last_page_serializes_a_null_cursor() {
        let list = List::from_page(vec![1, 2], None, KEY, SCOPE);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json, serde_json::json!({"data": [1, 2], "has_more": false, "next_cursor": null}));
    }

    #[test]
    fn a_page_with_more_carries_a_cursor_that_reads_back() {
        let list = List::from_page(vec!["a"], Some(cursor()), KEY, SCOPE);
        assert!(list.has_more);
        assert_eq!(decode_cursor(KEY, SCOPE, list.next_cursor.as_deref().unwrap()).unwrap(), cursor());
    }

    fn items(n: usize) -> Vec<Item> {
        (0..n).map(|i| Item::new(Key::new("P", format!("S#{i}"))).with("n", i as i64)).collect()
    }

    fn read(page: Page, limit: usize) -> List<i64> {
        let request = PageRequest { limit, after: None };
        List::from_store_page(page, &request, Index::Table, KEY, SCOPE, |item| {
            item.get_i64("n").ok_or("no n")
        })
        .unwrap()
    }

    #[test]
    fn the_extra_item_of_a_store_page_only_says_that_more_follow() {
        let list = read(Page { items: items(3), next: Some(Cursor::after(&items(3)[2], Index::Table)) }, 2);
        assert_eq!(list.data, vec![0, 1]);
        assert!(list.has_more);
        let next = decode_cursor(KEY, SCOPE, list.next_cursor.as_deref().unwrap()).unwrap();
        assert_eq!(next.key, Key::new("P", "S#1"));
    }

    #[test]
    fn a_full_last_page_has_no_more() {
        let list = read(Page { items: items(2), next: None }, 2);
        assert_eq!((list.data.len(), list.has_more, list.next_cursor), (2, false, None));
    }

    #[test]
    fn a_store_page_cut_short_by_the_store_continues_from_its_cursor() {
        let cut = Cursor::after(&items(1)[0], Index::Table);
        let list = read(Page { items: items(1), next: Some(cut.clone()) }, 5);
        assert!(list.has_more);
        assert_eq!(decode_cursor(KEY, SCOPE, list.next_cursor.as_deref().unwrap()).unwrap(), cut);
    }

    #[test]
    fn the_openapi_parameters_are_limit_and_cursor() {
        let params = ListParams::into_params(|| None);
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["limit", "cursor"]);
        let limit = serde_json::to_value(&params[0]).unwrap();
        assert_eq!(limit["in"], "query");
        assert_eq!(limit["schema"]["maximum"], 100);
    }

    #[tokio::test]
    async fn list_params_are_read_by_the_query_extractor() {
        use axum::extract::FromRequestParts;
        let (mut parts, _) = axum::http::Request::builder().uri("/x?limit=7&cursor=abc").body(()).unwrap().into_parts();
        let super::super::json::Query(params) =
            super::super::json::Query::<ListParams>::from_request_parts(&mut parts, &()).await.unwrap();
        assert_eq!(params, ListParams { limit: Some("7".into()), cursor: Some("abc".into()) });
    }
}
