//! `ApiJson<T>`: a JSON body extractor whose every failure is a problem naming the field.
//!
//! actix's own `Json` reports serde errors without the path of the offending field; this one
//! deserialises through `serde_path_to_error`, checks the media type (415) and enforces the
//! body limit while streaming (413).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldIssue};
use super::serde_errors::issue_from_serde_message;
use super::text::Text;

/// Maximum accepted request body, in bytes (`CHIHOI_MAX_BODY_BYTES`), and how long it may
/// pause while arriving (`CHIHOI_BODY_IDLE_TIMEOUT_S`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize, pub std::time::Duration);

pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (limit, idle) = req
            .app_data::<BodyLimit>()
            .or_else(|| req.app_data::<web::Data<BodyLimit>>().map(|d| d.get_ref()))
            .map_or((1024 * 1024, std::time::Duration::from_secs(15)), |l| (l.0, l.1));
        let media_type_ok = is_json_media_type(req);
        let declared = super::body::declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            if !media_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            let body = super::body::read_limited(payload, declared, limit, idle).await?;
            parse_json(&body).map(ApiJson)
        })
    }
}

/// `application/json` or any `application/*+json` (e.g. `merge-patch+json`).
fn is_json_media_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON document into `T`, turning serde's errors into problems that name the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("empty body".into()));
    }
    if super::safe_values::json_may_hold_one(body)
        && let Ok(document) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(issue) = super::safe_values::first_in_json(&document, &mut String::new())
    {
        return Err(ApiError::Validation(vec![issue]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let message = inner.to_string();
            return Err(match inner.classify() {
                // JSON has one number type: `544.0` is the integer 544 to JSON Schema and to
                // many serializers. Retry with integral floats made integers.
                serde_json::error::Category::Data if message.starts_with("invalid type: floating point") => {
                    return parse_with_integral_floats(body);
                }
                serde_json::error::Category::Data => {
                    ApiError::Validation(vec![issue_from_serde_message(&path, &message)])
                }
                _ => ApiError::MalformedJson(message),
            });
        }
    };
    deserializer.end().map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    Ok(value)
}

fn parse_with_integral_floats<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut document: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    integral_floats_to_integers(&mut document);
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = error.path().to_string();
        ApiError::Validation(vec![issue_from_serde_message(&path, &error.into_inner().to_string())])
    })
}

/// `3.0` becomes `3` (within ±2^53, where floats are exact); other numbers stay as they are.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15)
            {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// A required body field that was absent.
pub fn missing(field: &str) -> FieldIssue {
    FieldIssue::new(field, "required", Text::new("Trường này là bắt buộc.", "This field is required."))
}
