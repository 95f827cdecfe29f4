use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::models::SettingRow;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, FieldIssue, Text};

const MAX_KEY_LEN: usize = 64;
const MAX_VALUE_BYTES: usize = 16 * 1024;
const MAX_DESCRIPTION_CHARS: usize = 500;

/// An instance setting (cài đặt hệ thống): one configurable rule of this installation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "key": "coverage.flag_below_percent",
    "value": 60,
    "description": "Đơn vị có tỷ lệ tập hợp dưới ngưỡng này bị đánh dấu / Units under this coverage are flagged",
    "version": 1,
    "created_at": "2026-11-29T08:00:00Z",
    "updated_at": "2026-11-29T08:00:00Z"
}))]
pub struct Setting {
    /// Dotted lowercase key (khóa), e.g. `coverage.flag_below_percent`.
    pub key: String,
    /// Any JSON value except `null`, at most 16 KiB serialised.
    #[schema(value_type = Value)]
    pub value: serde_json::Value,
    /// What the setting controls (mô tả).
    pub description: String,
    /// Version, incremented by every change; the ETag is this number in quotes.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SettingRow> for Setting {
    fn from(row: SettingRow) -> Self {
        Setting {
            key: row.key,
            value: row.value,
            description: row.description,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new setting (cài đặt mới).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "coverage.flag_below_percent",
    "value": 60,
    "description": "Đơn vị có tỷ lệ tập hợp dưới ngưỡng này bị đánh dấu / Units under this coverage are flagged"
}))]
pub struct NewSetting {
    /// Dotted lowercase key: letters a–z, digits and `_`, segments separated by `.`, at most 64
    /// characters, starting with a letter.
    pub key: String,
    /// Any JSON value except `null`, at most 16 KiB serialised.
    #[schema(value_type = Value)]
    pub value: serde_json::Value,
    /// What the setting controls, at most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
}

/// Changes to a setting (JSON merge patch): fields present are replaced.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 65}))]
pub struct SettingPatch {
    /// New value; `null` is not allowed.
    #[schema(value_type = Option<Value>)]
    #[serde(default, deserialize_with = "present")]
    pub value: Option<serde_json::Value>,
    /// New description, at most 500 characters.
    pub description: Option<String>,
}

/// Distinguishes `"value": null` (present, invalid) from an absent field.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Query of the settings list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SettingListQuery {
    /// Only keys starting with this prefix, e.g. `coverage.`.
    #[param(example = "coverage.")]
    pub prefix: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub fn key_issue(field: &str, key: &str) -> Option<FieldIssue> {
    let well_formed = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.split('.').all(|segment| {
            segment.starts_with(|c: char| c.is_ascii_lowercase())
                && segment.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    (!well_formed).then(|| {
        FieldIssue::new(
            field,
            "invalid_format",
            Text::new(
                "Khóa gồm chữ thường a–z, chữ số, dấu _ và dấu chấm phân đoạn, bắt đầu bằng chữ, tối đa 64 ký tự.",
                "Keys use lowercase a–z, digits, _ and dots between segments, start with a letter, at most 64 characters.",
            ),
        )
    })
}

/// PostgreSQL's `jsonb` cannot hold `\u0000` in a string or a key.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn value_issues(validator: &mut Validator, field: &str, value: &serde_json::Value) {
    validator.check(
        !value.is_null(),
        field,
        "required",
        Text::new("Giá trị không được để trống (null).", "The value must not be null."),
    );
    validator.check(
        !has_nul(value),
        field,
        "invalid_characters",
        Text::new("Giá trị không được chứa ký tự NUL (\\u0000).", "The value must not contain NUL (\\u0000)."),
    );
    let size = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len());
    validator.check(
        size <= MAX_VALUE_BYTES,
        field,
        "too_large",
        Text::new("Giá trị vượt quá 16 KiB.", "The value exceeds 16 KiB."),
    );
}

/// A new setting after validation.
pub struct ValidNewSetting {
    pub key: String,
    pub value: serde_json::Value,
    pub description: String,
}

impl NewSetting {
    pub fn validate(&self) -> Result<ValidNewSetting, ApiError> {
        let mut v = Validator::new();
        if let Some(issue) = key_issue("key", &self.key) {
            v.add(issue);
        }
        value_issues(&mut v, "value", &self.value);
        let description = v
            .result(bounded_text("description", self.description.as_deref().unwrap_or(""), MAX_DESCRIPTION_CHARS))
            .unwrap_or_default();
        v.finish()?;
        Ok(ValidNewSetting { key: self.key.clone(), value: self.value.clone(), description })
    }
}

impl SettingPatch {
    /// The validated description, if one is given.
    pub fn validate(&self) -> Result<Option<String>, ApiError> {
        let mut v = Validator::new();
        if let Some(value) = &self.value {
            value_issues(&mut v, "value", value);
        }
        let description = match &self.description {
            Some(text) => v.result(bounded_text("description", text, MAX_DESCRIPTION_CHARS)),
            None => None,
        };
        v.finish()?;
        Ok(description)
    }
}

crate::page_schema!(SettingPage, Setting, "settings");
