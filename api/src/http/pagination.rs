//! Keyset (cursor) pagination: `limit` (1–200, default 50) and an opaque `cursor`.
//!
//! A cursor is the sort key of the last item of a page, as base64url JSON. Lists read one row
//! more than asked to learn whether a next page exists, so no count query is needed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::text::Text;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;
const MAX_CURSOR_LEN: usize = 1024;
const CURSOR_VERSION: u8 = 1;

/// A page of results (một trang kết quả). Its schema in the contract is a named type per item
/// type, declared with [`page_schema!`], so generated clients get `UserPage`, `SettingPage`…
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Declares the contract schema of `Page<$item>` under the name `$name`.
#[macro_export]
macro_rules! page_schema {
    ($name:ident, $item:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, " (một trang kết quả).")]
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)]
        pub struct $name {
            /// The items of this page, in the list's documented order.
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            #[schema(example = "eyJ2IjoxLCJrIjoiY292ZXJhZ2UuZmxhZ19iZWxvd19wZXJjZW50In0")]
            pub next_cursor: Option<String>,
        }
    };
}

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    v: u8,
    k: K,
}

/// A validated page request: how many items, and after which key.
#[derive(Debug)]
pub struct PageRequest<K> {
    pub limit: i64,
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_parameter(
                "limit",
                "out_of_range",
                Text::owned(
                    format!("Giá trị phải từ 1 đến {MAX_LIMIT}."),
                    format!("Must be between 1 and {MAX_LIMIT}."),
                ),
            ));
        }
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(PageRequest { limit, after })
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

/// 400 for a cursor that is not one this list made (or not of the order asked for).
pub fn invalid_cursor() -> ApiError {
    ApiError::invalid_parameter(
        "cursor",
        "invalid_cursor",
        Text::new(
            "Con trỏ phân trang không hợp lệ; hãy dùng đúng giá trị next_cursor đã nhận.",
            "Invalid cursor; pass back the next_cursor value exactly as received.",
        ),
    )
}

fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    if cursor.is_empty() || cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid_cursor());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())?;
    let envelope: Envelope<K> = serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())?;
    if envelope.v != CURSOR_VERSION {
        return Err(invalid_cursor());
    }
    Ok(envelope.k)
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    let envelope = Envelope { v: CURSOR_VERSION, k: key };
    // Serialising plain keys (strings, numbers, ids, dates) cannot fail.
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows in list order.
    pub fn from_rows<R, K: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        key_of: impl Fn(&R) -> K,
        into_item: impl Fn(R) -> T,
    ) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if has_more { rows.last().map(|row| encode_cursor(&key_of(row))) } else { None };
        Page { items: rows.into_iter().map(into_item).collect(), next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor(&("a.b".to_owned(), 7));
        let request: PageRequest<(String, i32)> = PageRequest::parse(Some(10), Some(&cursor)).unwrap();
        assert_eq!(request.after, Some(("a.b".to_owned(), 7)));
        assert!(PageRequest::<String>::parse(None, Some("!!")).is_err());
        assert!(PageRequest::<String>::parse(None, Some(&cursor)).is_err());
        assert!(PageRequest::<String>::parse(Some(0), None).is_err());
        assert!(PageRequest::<String>::parse(Some(201), None).is_err());
        assert_eq!(PageRequest::<String>::parse(None, None).unwrap().limit, 50);
    }

    #[test]
    fn pages_know_whether_more_follow() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(page.items, vec![10, 20]);
        let next: PageRequest<i32> = PageRequest::parse(Some(2), page.next_cursor.as_deref()).unwrap();
        assert_eq!(next.after, Some(2));
        let last = Page::from_rows(vec![1, 2], 2, |r| *r, |r| r);
        assert!(last.next_cursor.is_none());
    }
}
