//! The browser's side of the sign-in pages: the sign-in cookie (who signed in on this browser,
//! for an hour), the anti-forgery cookie and the form tokens bound to it (CSRF), and the
//! same-origin check of posted forms.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::jwt::JwtKeys;

pub const SIGNIN_COOKIE: &str = "chihoi_signin";
pub const CSRF_COOKIE: &str = "chihoi_csrf";
/// How long a sign-in on a browser lasts (the app's own tokens live on their own terms).
pub const SIGNIN_SECONDS: i64 = 3600;
/// How long a page's form may wait before it is sent.
const FORM_SECONDS: i64 = 1800;

/// Who signed in on this browser: the account and its token version then (a password change,
/// reset or disabling bumps it, which ends the sign-in too).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub uid: Uuid,
    pub ver: i32,
}

/// What a form token binds: the browser's anti-forgery cookie, the form, the request.
#[derive(Serialize, Deserialize)]
struct FormBinding {
    b: String,
    f: String,
    r: String,
}

fn hash(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(value.as_bytes()))
}

pub fn cookie<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty() && v.len() <= 2048)
}

/// A `Set-Cookie` value for the sign-in pages: never readable by scripts, sent only to
/// `/oauth`, only over https when the service is reached over https.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool, same_site: &str) -> String {
    let mut cookie = format!("{name}={value}; Path=/oauth; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

pub fn signed_in(req: &HttpRequest, keys: &JwtKeys) -> Option<SignedIn> {
    keys.verify_page_value("signin", cookie(req, SIGNIN_COOKIE)?)
}

pub fn signin_cookie(keys: &JwtKeys, who: SignedIn, secure: bool) -> Result<String, String> {
    let value = keys.sign_page_value("signin", SIGNIN_SECONDS, who)?;
    Ok(set_cookie(SIGNIN_COOKIE, &value, Some(SIGNIN_SECONDS), secure, "Lax"))
}

pub fn signout_cookie(secure: bool) -> String {
    set_cookie(SIGNIN_COOKIE, "", Some(0), secure, "Lax")
}

/// The browser's anti-forgery value, and the `Set-Cookie` to send when it is new.
pub fn csrf_value(req: &HttpRequest, secure: bool) -> Result<(String, Option<String>), getrandom::Error> {
    if let Some(value) = cookie(req, CSRF_COOKIE) {
        return Ok((value.to_owned(), None));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let value = URL_SAFE_NO_PAD.encode(bytes);
    let set = set_cookie(CSRF_COOKIE, &value, None, secure, "Strict");
    Ok((value, Some(set)))
}

/// A token for the form `form` of the authorization request `request`, bound to the browser.
pub fn form_token(keys: &JwtKeys, csrf: &str, form: &str, request: &str) -> Result<String, String> {
    let binding = FormBinding { b: hash(csrf), f: form.to_owned(), r: hash(request) };
    keys.sign_page_value("form", FORM_SECONDS, binding)
}

/// Whether a posted form came from our own page on this browser, for this request: its token
/// is genuine, unexpired, bound to this browser's anti-forgery cookie, this form and this
/// request, and the browser says it was sent from our origin.
pub fn form_is_genuine(
    req: &HttpRequest,
    keys: &JwtKeys,
    issuer: &str,
    token: &str,
    form: &str,
    request: &str,
) -> bool {
    let Some(csrf) = cookie(req, CSRF_COOKIE) else {
        return false;
    };
    let Some(binding) = keys.verify_page_value::<FormBinding>("form", token) else {
        return false;
    };
    let same_origin = match req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => origin == issuer,
    };
    same_origin && binding.b == hash(csrf) && binding.f == form && binding.r == hash(request)
}
