//! RFC 9457 problem details: the wire schema, and rendering an error into it.

use actix_web::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::error::ApiError;
use super::text::{Lang, Text};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Marks an error response whose body the handler wrote on purpose and the error renderer
/// keeps: OAuth's RFC 6749 errors (`{"error": …}`, what OAuth clients parse) and the sign-in
/// pages' HTML.
#[derive(Debug, Clone, Copy)]
pub struct OwnBody;

/// Problem details (RFC 9457) — mô tả lỗi theo RFC 9457. Every 4xx and 5xx response of the API
/// has this body with `Content-Type: application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:chihoi:problem:validation_failed",
    "title": "Dữ liệu không hợp lệ",
    "status": 422,
    "detail": "Một số trường dữ liệu không hợp lệ, xem danh sách errors.",
    "code": "validation_failed",
    "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
    "errors": [{"field": "value", "code": "required", "message": "Trường này là bắt buộc."}]
}))]
pub struct ProblemDetails {
    /// URI reference identifying the problem type: `urn:chihoi:problem:{code}`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type, in the caller's language (Vietnamese by default,
    /// English with `Accept-Language: en`).
    pub title: String,
    /// HTTP status code of this response.
    pub status: u16,
    /// Explanation of this occurrence, in the caller's language.
    pub detail: String,
    /// Stable machine-readable code (mã lỗi). Branch on this, never on the texts.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Identifier of the request, also sent as `X-Request-Id` and present in every server log
    /// line about it. Quote it when reporting a problem.
    pub request_id: String,
    /// Field-level errors (lỗi theo trường), for validation and parameter problems: the first
    /// 100 found (a body with more mistakes is sent again once these are fixed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 100)]
    pub errors: Vec<FieldError>,
    /// For 412 responses: the current ETag of the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_etag: Option<String>,
    /// For 412 responses: the current representation, so a client can merge its change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<Value>,
    /// For 503 from `/readyz`: the state of each readiness check.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub checks: Option<Value>,
    /// For 409 conflicts about one field: that field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For 409 duplicates: the id of the existing object, when the caller may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
}

/// One invalid field (trường không hợp lệ).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the problem is: a JSON path in the body (`items[3].status`), a query parameter
    /// (`limit`) or a header (`Idempotency-Key`). A name the caller made up is echoed with
    /// control characters replaced by `�` and cut at 200 characters.
    #[schema(example = "limit", max_length = 200)]
    pub field: String,
    /// Stable machine-readable code of the problem, e.g. `required`, `invalid_type`,
    /// `unknown_field`, `out_of_range`, `invalid_format`.
    #[schema(example = "out_of_range")]
    pub code: String,
    /// Human-readable message in the caller's language; input it quotes is cleaned like `field`.
    #[schema(example = "Giá trị phải từ 1 đến 200.", max_length = 1000)]
    pub message: String,
}

/// The most field errors one problem lists: a batch of 10,000 bad operations must not answer
/// with 10,000 errors.
const MAX_FIELD_ERRORS: usize = 100;

/// Input echoed back in a problem: control characters (which a terminal or log viewer would
/// obey) replaced by U+FFFD, and cut at `max` characters, so a crafted name or value can
/// neither inject nor swell the answer.
fn echoed(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() && c != '\n' { char::REPLACEMENT_CHARACTER } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

/// Renders an error raised by this service.
pub fn from_error(error: &ApiError, lang: Lang, request_id: &str) -> ProblemDetails {
    let mut problem = base(error.status(), error.code(), &error.title(), &error.detail(), lang, request_id);
    problem.errors = error
        .field_issues()
        .iter()
        .take(MAX_FIELD_ERRORS)
        .map(|issue| FieldError {
            field: echoed(&issue.field, 200),
            code: issue.code.to_owned(),
            message: echoed(issue.message.get(lang), 1000),
        })
        .collect();
    match error {
        ApiError::PreconditionFailed { etag, current } => {
            problem.current_etag = Some(etag.clone());
            problem.current = current.clone();
        }
        ApiError::NotReady(checks) => problem.checks = Some(checks.clone()),
        ApiError::Conflict { field, .. } => problem.field = field.clone(),
        ApiError::Duplicate { field, existing_id, .. } => {
            problem.field = Some((*field).to_owned());
            problem.existing_id = existing_id.map(|id| id.to_string());
        }
        _ => {}
    }
    problem
}

/// Renders an error response produced by the framework or a library rather than by
/// `ApiError` (for example a CORS rejection): the status decides the code.
pub fn from_status(status: StatusCode, lang: Lang, request_id: &str) -> ProblemDetails {
    let (code, title) = match status.as_u16() {
        400 => ("bad_request", Text::new("Yêu cầu không hợp lệ", "Bad request")),
        401 => ("unauthorized", Text::new("Chưa xác thực", "Unauthorized")),
        403 => ("forbidden", Text::new("Không có quyền", "Forbidden")),
        404 => ("not_found", Text::new("Không tìm thấy", "Not found")),
        405 => ("method_not_allowed", Text::new("Phương thức không được hỗ trợ", "Method not allowed")),
        408 => ("request_timeout", Text::new("Hết thời gian chờ yêu cầu", "Request timeout")),
        413 => ("payload_too_large", Text::new("Dữ liệu gửi lên quá lớn", "Payload too large")),
        415 => ("unsupported_media_type", Text::new("Kiểu nội dung không được hỗ trợ", "Unsupported media type")),
        429 => ("rate_limited", Text::new("Quá nhiều yêu cầu", "Too many requests")),
        503 => ("service_unavailable", Text::new("Dịch vụ tạm thời không sẵn sàng", "Service unavailable")),
        s if s >= 500 => ("internal_error", Text::new("Lỗi hệ thống", "Internal error")),
        _ => ("bad_request", Text::new("Yêu cầu không hợp lệ", "Bad request")),
    };
    base(status, code, &title, &title, lang, request_id)
}

fn base(status: StatusCode, code: &str, title: &Text, detail: &Text, lang: Lang, request_id: &str) -> ProblemDetails {
    ProblemDetails {
        problem_type: format!("urn:chihoi:problem:{code}"),
        title: title.get(lang).to_owned(),
        status: status.as_u16(),
        detail: detail.get(lang).to_owned(),
        code: code.to_owned(),
        request_id: request_id.to_owned(),
        errors: Vec::new(),
        current_etag: None,
        current: None,
        checks: None,
        field: None,
        existing_id: None,
    }
}

/// An example problem body for the OpenAPI document.
pub fn example(status: u16, code: &str, title: &str, detail: &str) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!(format!("urn:chihoi:problem:{code}")));
    map.insert("title".into(), json!(title));
    map.insert("status".into(), json!(status));
    map.insert("detail".into(), json!(detail));
    map.insert("code".into(), json!(code));
    map.insert("request_id".into(), json!("0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::echoed;

    #[test]
    fn echoed_input_loses_control_characters_and_its_excess() {
        assert_eq!(echoed("a\u{6}.I\u{1b}[2J", 200), "a\u{fffd}.I\u{fffd}[2J");
        assert_eq!(echoed("Chi hội ấp Rẫy", 200), "Chi hội ấp Rẫy");
        let long = "0".repeat(5000);
        let cut = echoed(&long, 200);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with('…'));
    }
}
