//! Turning serde's error messages into field issues with a path and a stable code.
//!
//! serde reports unknown and missing fields in its message, relative to the struct that
//! holds them, so the field name is lifted out of the message and appended to the path.

use super::error::FieldIssue;
use super::text::Text;

pub fn issue_from_serde_message(path: &str, message: &str) -> FieldIssue {
    let join = |name: &str| {
        if path.is_empty() || path == "." { name.to_owned() } else { format!("{path}.{name}") }
    };
    let here = if path.is_empty() || path == "." { "body".to_owned() } else { path.to_owned() };
    // serde's message without its " at line L column C" suffix.
    let message = message.find(" at line ").map_or(message, |cut| &message[..cut]);

    if let Some(name) = message.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()) {
        // serde_path_to_error already puts an unknown field's own name at the end of the path.
        let field = if path == name || path.ends_with(&format!(".{name}")) { path.to_owned() } else { join(name) };
        return FieldIssue::new(
            field,
            "unknown_field",
            Text::new(
                "Trường này không được chấp nhận (không có hoặc không được phép ghi).",
                "This field is not accepted (unknown, or not writable).",
            ),
        );
    }
    if let Some(name) = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
        return FieldIssue::new(
            join(name),
            "required",
            Text::new("Trường này là bắt buộc.", "This field is required."),
        );
    }
    if let Some(name) = message.strip_prefix("duplicate field `").and_then(|rest| rest.split('`').next()) {
        return FieldIssue::new(
            join(name),
            "duplicate",
            Text::new("Trường này bị lặp lại.", "This field appears more than once."),
        );
    }
    if message.starts_with("invalid type") || message.starts_with("invalid digit") {
        let expected = message.split(", expected ").nth(1).unwrap_or("another type");
        return FieldIssue::new(
            here,
            "invalid_type",
            Text::owned(format!("Sai kiểu dữ liệu, cần: {expected}."), format!("Wrong type, expected {expected}.")),
        );
    }
    if message.starts_with("unknown variant") {
        let expected = message.split(", expected ").nth(1).unwrap_or("");
        return FieldIssue::new(
            here,
            "invalid_value",
            Text::owned(
                format!("Giá trị không thuộc danh sách cho phép: {expected}."),
                format!("Value not allowed; expected {expected}."),
            ),
        );
    }
    FieldIssue::new(
        here,
        "invalid_value",
        Text::owned(format!("Giá trị không hợp lệ ({message})."), format!("Invalid value ({message}).")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unknown_and_missing_fields_under_their_parent() {
        let issue = issue_from_serde_message(
            "items[2].colour",
            "unknown field `colour`, expected one of `a`, `b` at line 1 column 9",
        );
        assert_eq!(issue.field, "items[2].colour");
        assert_eq!(issue.code, "unknown_field");
        let issue = issue_from_serde_message(".", "missing field `key`");
        assert_eq!(issue.field, "key");
        assert_eq!(issue.code, "required");
    }

    #[test]
    fn wrong_types_point_at_the_field_itself() {
        let issue = issue_from_serde_message("limit", "invalid type: string \"x\", expected i64");
        assert_eq!(issue.field, "limit");
        assert_eq!(issue.code, "invalid_type");
        let issue = issue_from_serde_message("limit", "invalid digit found in string");
        assert_eq!(issue.code, "invalid_type");
    }
}
