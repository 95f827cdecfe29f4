//! `FormOrJson<T>`: a body as `application/x-www-form-urlencoded` (what OAuth2 clients send to a
//! token endpoint) or as JSON, with the same field-naming errors as `ApiJson`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::json::ApiJson;
use super::query::parse_query;

pub struct FormOrJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for FormOrJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            let json = ApiJson::<T>::from_request(req, payload);
            return Box::pin(async move { json.await.map(|j| FormOrJson(j.into_inner())) });
        }
        let bytes = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = bytes.await.map_err(|_| ApiError::PayloadTooLarge(64 * 1024))?;
            if body.len() > 64 * 1024 {
                return Err(ApiError::PayloadTooLarge(64 * 1024));
            }
            let text =
                std::str::from_utf8(&body).map_err(|_| ApiError::MalformedJson("form body is not UTF-8".into()))?;
            // Same parser as query strings: unknown or malformed fields are named.
            parse_query::<T>(text).map(FormOrJson).map_err(|error| match error {
                ApiError::InvalidParameter(issues) => ApiError::Validation(issues),
                other => other,
            })
        })
    }
}
