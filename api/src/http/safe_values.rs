//! Values no field of this API takes, refused at the edge for every query parameter, form and
//! JSON body field alike, so the contract can state them once for every string and array
//! (openapi/derived.rs): a NUL character (PostgreSQL text cannot store it) or another control
//! character but tab and line breaks, a string longer than [`MAX_TEXT_CHARS`], an array longer
//! than [`MAX_ITEMS`], and a date outside years 1–9999 (`-4713-01-01` parses, but no column or
//! period takes it). Fields have tighter bounds of their own; these hold where none is said.

use super::error::FieldIssue;
use super::text::Text;

/// The longest string any parameter or body field takes, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The most items any array of a body takes.
pub const MAX_ITEMS: usize = 10_000;
/// What free text may hold, as the contract states it: no control character but tab, line
/// feed and carriage return (C0, DEL and C1 otherwise).
pub const FREE_TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// What is wrong with `value`, if anything.
pub fn issue(field: &str, value: &str) -> Option<FieldIssue> {
    if value.contains('\0') {
        return Some(FieldIssue::new(
            field,
            "invalid_character",
            Text::new("Giá trị chứa ký tự NUL không hợp lệ.", "The value contains a NUL character."),
        ));
    }
    if value.chars().any(is_refused_control) {
        return Some(FieldIssue::new(
            field,
            "invalid_characters",
            Text::new("Không được chứa ký tự điều khiển.", "Control characters are not allowed."),
        ));
    }
    if value.len() > MAX_TEXT_CHARS && value.chars().count() > MAX_TEXT_CHARS {
        return Some(FieldIssue::new(
            field,
            "too_long",
            Text::owned(format!("Tối đa {MAX_TEXT_CHARS} ký tự."), format!("At most {MAX_TEXT_CHARS} characters.")),
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
        serde_json::Value::Array(items) if items.len() > MAX_ITEMS => Some(FieldIssue::new(
            path.as_str(),
            "too_many_items",
            Text::owned(format!("Tối đa {MAX_ITEMS} phần tử."), format!("At most {MAX_ITEMS} items.")),
        )),
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

/// Whether a raw JSON body may hold such a value (a cheap scan before a full walk): a body
/// shorter than the longest string cannot hold a string or an array too long, control
/// characters appear escaped (`\\u…`, `\\b`, `\\f`) or, for C1, as the bytes C2 80–9F.
pub fn json_may_hold_one(body: &[u8]) -> bool {
    let long = body.len() > MAX_TEXT_CHARS;
    let escaped_control = body.windows(2).any(|w| w[0] == b'\\' && matches!(w[1], b'u' | b'b' | b'f'));
    let c1_control = body.windows(2).any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]));
    let signed_number_string =
        body.windows(3).any(|w| w[0] == b'"' && (w[1] == b'-' || w[1] == b'+') && w[2].is_ascii_digit());
    let long_year = body.windows(7).any(|w| w[0] == b'"' && w[1..6].iter().all(u8::is_ascii_digit) && w[6] == b'-');
    let year_zero = body.windows(6).any(|w| w == b"\"0000-");
    long || escaped_control || c1_control || signed_number_string || long_year || year_zero
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
    fn control_characters_and_overlong_strings_are_refused_tab_and_line_breaks_are_not() {
        for bad in ["a\u{1}b", "\u{7f}", "x\u{85}", "\u{1b}[31m"] {
            assert_eq!(issue("x", bad).map(|i| i.code), Some("invalid_characters"), "{bad:?}");
        }
        assert!(issue("x", "dòng 1\r\ndòng 2\tcột").is_none());
        // Characters, not bytes: 4,000 Vietnamese letters are 8,000+ bytes and allowed.
        assert!(issue("x", &"ấ".repeat(MAX_TEXT_CHARS)).is_none());
        assert_eq!(issue("x", &"a".repeat(MAX_TEXT_CHARS + 1)).map(|i| i.code), Some("too_long"));
        let many = serde_json::json!({"items": vec![1; MAX_ITEMS + 1]});
        assert_eq!(
            first_in_json(&many, &mut String::new()).map(|i| (i.field, i.code)),
            Some(("items".to_owned(), "too_many_items"))
        );
        assert!(json_may_hold_one(br#"{"note": "a\u0001"}"#));
        assert!(json_may_hold_one("{\"note\": \"\u{85}\"}".as_bytes()));
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
