//! Reading the form bodies of the token, revocation and introspection endpoints (RFC 6749
//! §3.2: `application/x-www-form-urlencoded`, no parameter twice, unknown ones ignored).

use actix_web::HttpRequest;
use actix_web::http::header;
use serde::de::DeserializeOwned;

use super::errors::OAuthError;
use crate::http::Text;

pub fn read<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, OAuthError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::invalid_request(Text::new(
            "Gửi dạng application/x-www-form-urlencoded.",
            "Send the parameters as application/x-www-form-urlencoded.",
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for (key, _) in form_urlencoded::parse(body) {
        if !seen.insert(key.into_owned()) {
            return Err(OAuthError::invalid_request(Text::new("Một tham số bị lặp lại.", "A parameter is repeated.")));
        }
    }
    // Parameters sent without a value are treated as omitted (RFC 6749 §3.1).
    let present: Vec<(String, String)> = form_urlencoded::parse(body)
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(present).finish();
    serde_urlencoded::from_str(&encoded).map_err(|_| {
        OAuthError::invalid_request(Text::new("Tham số không đọc được.", "The parameters cannot be read."))
    })
}
