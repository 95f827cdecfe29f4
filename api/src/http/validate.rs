//! Collects every problem of a request body before answering, so a client fixes them all at once.

use super::error::{ApiError, FieldIssue};
use super::text::Text;

#[derive(Debug, Default)]
pub struct Validator {
    issues: Vec<FieldIssue>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, issue: FieldIssue) -> &mut Self {
        self.issues.push(issue);
        self
    }

    /// Records an issue unless `ok` holds.
    pub fn check(&mut self, ok: bool, field: &str, code: &'static str, message: Text) -> &mut Self {
        if !ok {
            self.issues.push(FieldIssue::new(field, code, message));
        }
        self
    }

    /// Records the error of a field parser, if any.
    pub fn result<T>(&mut self, result: Result<T, FieldIssue>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(issue) => {
                self.issues.push(issue);
                None
            }
        }
    }

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.issues.is_empty() { Ok(()) } else { Err(ApiError::Validation(std::mem::take(&mut self.issues))) }
    }
}

/// A free-text field trimmed and bounded in characters (not bytes: Vietnamese letters are
/// several bytes in UTF-8).
pub fn bounded_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldIssue> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max_chars {
        return Err(FieldIssue::new(
            field,
            "too_long",
            Text::owned(format!("Tối đa {max_chars} ký tự."), format!("At most {max_chars} characters.")),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldIssue::new(
            field,
            "invalid_characters",
            Text::new("Không được chứa ký tự điều khiển.", "Control characters are not allowed."),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A name a patch may change: bounded like [`bounded_text`], and not blank when given.
pub fn optional_name(v: &mut Validator, field: &str, value: Option<&str>, max_chars: usize) -> Option<String> {
    let name = value.and_then(|n| v.result(bounded_text(field, n, max_chars)));
    v.check(
        name.as_deref().is_none_or(|n| !n.is_empty()),
        field,
        "required",
        Text::new("Tên không được để trống.", "A name cannot be empty."),
    );
    name
}

/// The id a client chose for a new object it made offline (a UUIDv7), or a fresh one.
pub fn new_id(chosen: Option<uuid::Uuid>) -> Result<uuid::Uuid, ApiError> {
    match chosen {
        None => Ok(uuid::Uuid::now_v7()),
        Some(id) if id.get_version_num() == 7 => Ok(id),
        Some(_) => Err(ApiError::invalid_field(
            "id",
            "not_uuid_v7",
            Text::new("Mã (id) phải là UUID phiên bản 7.", "The id must be a UUID version 7."),
        )),
    }
}
