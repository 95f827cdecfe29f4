//! Errors of the token, revocation and introspection endpoints in the form OAuth clients
//! parse (RFC 6749 §5.2: `{"error": …, "error_description": …}`), instead of the API's
//! problem details; other failures (a database outage) stay problem details.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde_json::json;

use crate::http::problem::OwnBody;
use crate::http::{ApiError, Lang, Text};

/// An OAuth error: its RFC 6749 code and a description in both languages.
#[derive(Debug)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: Text,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: Text) -> Self {
        OAuthError { status, error, description }
    }

    pub fn invalid_request(description: Text) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub fn invalid_grant(description: Text) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub fn invalid_client() -> Self {
        OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            Text::new("Ứng dụng không xác thực được.", "Client authentication failed."),
        )
    }

    pub fn response(&self, lang: Lang) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CACHE_CONTROL, "no-store")).insert_header((header::PRAGMA, "no-cache"));
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"chihoi\""));
        }
        let mut response = response.json(json!({"error": self.error, "error_description": self.description.get(lang)}));
        response.extensions_mut().insert(OwnBody);
        response
    }
}

/// What an OAuth endpoint's work can end in: a protocol error for the client, or a failure
/// of the service (answered as problem details).
#[derive(Debug)]
pub enum Failure {
    OAuth(OAuthError),
    Api(ApiError),
}

impl From<OAuthError> for Failure {
    fn from(e: OAuthError) -> Self {
        Failure::OAuth(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Failure::Api(e.into())
    }
}

impl From<crate::db::PoolError> for Failure {
    fn from(e: crate::db::PoolError) -> Self {
        Failure::Api(e.into())
    }
}

/// The endpoint's answer: protocol errors in OAuth's form, the rest as the API answers them.
pub fn answer(result: Result<HttpResponse, Failure>, lang: Lang) -> Result<HttpResponse, ApiError> {
    match result {
        Ok(response) => Ok(response),
        Err(Failure::OAuth(error)) => Ok(error.response(lang)),
        Err(Failure::Api(error)) => Err(error),
    }
}

/// A successful token-endpoint answer: JSON, never cached (RFC 6749 §5.1).
pub fn no_store_json(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}
