//! `ApiQuery<T>`: query-string extractor that names the parameter in every error and rejects
//! unknown parameters (the target type uses `#[serde(deny_unknown_fields)]`).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::serde_errors::issue_from_serde_message;

pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    if let Some(issue) = form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| super::safe_values::issue(&k, &v)) {
        return Err(ApiError::InvalidParameter(vec![issue]));
    }
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let issue = issue_from_serde_message(&path, &error.into_inner().to_string());
        let issue = if issue.code == "unknown_field" {
            super::error::FieldIssue::new(
                issue.field,
                "unknown_parameter",
                super::text::Text::new("Tham số này không được hỗ trợ.", "This query parameter is not supported."),
            )
        } else {
            issue
        };
        ApiError::InvalidParameter(vec![issue])
    })
}
