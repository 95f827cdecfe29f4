//! Values no column of this API can hold, refused at the edge for every parameter and body
//! field alike: a NUL character (PostgreSQL text cannot store it) and a date outside years
//! 1–9999 (`-4713-01-01` parses, but no column or period takes it). Without this each would
//! reach the database and come back as a 500.

use super::error::FieldIssue;
use super::text::Text;

/// What is wrong with `value`, if anything.
pub fn issue(field: &str, value: &str) -> Option<FieldIssue> {
    if value.contains('\0') {
        return Some(FieldIssue::new(
            field,
            "invalid_character",
            Text::new("Giá trị chứa ký tự NUL không hợp lệ.", "The value contains a NUL character."),
        ));
    }
    if is_date_out_of_range(value) {
        return Some(FieldIssue::new(
            field,
            "out_of_range",
            Text::new("Ngày phải trong khoảng năm 1 đến 9999.", "A date must lie between the years 1 and 9999."),
        ));
    }
    None
}

/// `YYYY-MM-DD`-like (optionally signed, any number of year digits, optionally followed by a
/// time) with a year outside 1–9999.
fn is_date_out_of_range(value: &str) -> bool {
    let (signed, rest) = match value.as_bytes().first() {
        Some(b'-' | b'+') => (true, &value[1..]),
        _ => (false, value),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after = &rest[digits..];
    let looks_like_date = digits >= 1 && after.len() >= 6 && after.as_bytes()[0] == b'-' && after.as_bytes()[3] == b'-';
    if !looks_like_date || !after[1..3].bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let year: u64 = rest[..digits].parse().unwrap_or(u64::MAX);
    (signed && value.starts_with('-')) || digits > 4 || year == 0 || (signed && year > 9999)
}

/// The first bad string in a JSON document, with its path (`items[2].note`).
pub fn first_in_json(value: &serde_json::Value, path: &mut String) -> Option<FieldIssue> {
    match value {
        serde_json::Value::String(text) => issue(path, text),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = first_in_json(item, path);
            path.truncate(len);
            found
        }),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = first_in_json(item, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Whether a raw JSON body may hold such a value (a cheap scan before a full walk).
pub fn json_may_hold_one(body: &[u8]) -> bool {
    let escaped_nul = body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    let signed_number_string =
        body.windows(3).any(|w| w[0] == b'"' && (w[1] == b'-' || w[1] == b'+') && w[2].is_ascii_digit());
    let long_year = body.windows(7).any(|w| w[0] == b'"' && w[1..6].iter().all(u8::is_ascii_digit) && w[6] == b'-');
    let year_zero = body.windows(6).any(|w| w == b"\"0000-");
    escaped_nul || signed_number_string || long_year || year_zero
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_years_1_to_9999_and_nul_are_refused() {
        for bad in ["-4713-01-01", "+10000-01-01", "10000-01-01", "0000-01-01", "a\0b", "-0001-12-31T00:00:00Z"] {
            assert!(issue("x", bad).is_some(), "{bad:?}");
        }
        for good in ["2025-07-01", "0001-01-01", "9999-12-31", "-5", "hoa", "2025-Q3", "2026-11", "+84912345678", ""] {
            assert!(issue("x", good).is_none(), "{good:?}");
        }
    }

    #[test]
    fn the_path_of_a_bad_json_string_is_named() {
        let doc = serde_json::json!({"a": 1, "items": [{"note": "ok"}, {"note": "x\u{0}"}]});
        let found = first_in_json(&doc, &mut String::new()).unwrap();
        assert_eq!(found.field, "items[1].note");
        assert!(json_may_hold_one(br#"{"d": "-4713-01-01"}"#));
        assert!(!json_may_hold_one(br#"{"d": "2025-01-01", "n": -5}"#));
    }
}
