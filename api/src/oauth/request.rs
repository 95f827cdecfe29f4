//! The authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636): read from the query of
//! `GET /oauth/authorize` and, on the sign-in forms, from the same query string carried in a
//! hidden field and checked again. A request that names no known app or no registered redirect
//! URI is answered with a page and never redirected (§4.1.2.1); any other fault goes back to
//! the app's redirect URI as `error=…`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;

use super::apps::models::AppRow;
use super::{pkce, redirect, scopes};
use crate::auth::Permission;
use crate::http::{ApiError, Lang, Text};
use crate::schema::oauth_apps;

/// The longest query string taken (a state of up to 1 KiB and the rest fit easily).
pub const MAX_REQUEST_LENGTH: usize = 4096;

#[derive(Debug, Default, Deserialize)]
struct Params {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    prompt: Option<String>,
    ui_locales: Option<String>,
}

/// What the app asks for to show the officer (`prompt`, OpenID Connect's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Sign in and ask consent only when needed.
    Default,
    /// Fail (`login_required`, `consent_required`) rather than show a page.
    None,
    /// Sign in again even if signed in on this browser.
    Login,
    /// Ask consent again even if given before.
    Consent,
}

/// A request whose app and redirect URI are known good.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub app: AppRow,
    pub redirect_uri: String,
    pub scopes: Vec<Permission>,
    pub state: Option<String>,
    pub code_challenge: String,
    pub prompt: Prompt,
    /// The query string as received, carried by the forms.
    pub raw: String,
}

/// Why a request cannot go on.
#[derive(Debug)]
pub enum Refusal {
    /// The app or its redirect URI is unknown: a page, never a redirect.
    Page(Text),
    /// An error for the app, sent to its redirect URI.
    Redirect { redirect_uri: String, state: Option<String>, error: &'static str, description: &'static str },
}

/// The page language: `ui_locales` of the request, else the browser's `Accept-Language`.
pub fn language(raw: &str, accept_language: Option<&str>) -> Lang {
    let asked = serde_urlencoded::from_str::<Params>(raw).ok().and_then(|p| p.ui_locales);
    match asked.as_deref().and_then(|l| l.split(' ').next()) {
        Some(tag) if tag.starts_with("en") => Lang::En,
        Some(tag) if tag.starts_with("vi") => Lang::Vi,
        _ => Lang::from_accept_language(accept_language),
    }
}

fn bad_page(vi: &'static str, en: &'static str) -> Refusal {
    Refusal::Page(Text::new(vi, en))
}

/// Reads and checks the request in `raw` (a query string).
pub async fn check(conn: &mut AsyncPgConnection, raw: &str) -> Result<Result<Authorization, Refusal>, ApiError> {
    if raw.len() > MAX_REQUEST_LENGTH {
        return Ok(Err(bad_page("Yêu cầu quá dài.", "The request is too long.")));
    }
    // A parameter given twice is refused (RFC 6749 §3.1) rather than one of them picked.
    let mut seen = std::collections::HashSet::new();
    for (key, _) in form_urlencoded::parse(raw.as_bytes()) {
        if !seen.insert(key.into_owned()) {
            return Ok(Err(bad_page("Một tham số bị lặp lại.", "A parameter is repeated.")));
        }
    }
    let Ok(params) = serde_urlencoded::from_str::<Params>(raw) else {
        return Ok(Err(bad_page("Yêu cầu không đọc được.", "The request cannot be read.")));
    };
    let Some(client_id) = params.client_id.as_deref().filter(|c| c.len() <= 64) else {
        return Ok(Err(bad_page("Thiếu client_id.", "client_id is missing.")));
    };
    let app: Option<AppRow> = oauth_apps::table
        .filter(oauth_apps::client_id.eq(client_id))
        .select(AppRow::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(app) = app.filter(AppRow::is_active) else {
        return Ok(Err(bad_page("Ứng dụng không có hoặc đã bị tắt.", "No such app, or it was disabled.")));
    };
    let Some(asked_redirect) = params.redirect_uri.clone() else {
        return Ok(Err(bad_page("Thiếu redirect_uri.", "redirect_uri is missing.")));
    };
    if !app.redirect_uris().iter().any(|r| redirect::matches(r, &asked_redirect)) {
        return Ok(Err(bad_page(
            "Địa chỉ chuyển hướng không được đăng ký cho ứng dụng này.",
            "The redirect URI is not registered for this app.",
        )));
    }
    let refuse = |error, description| {
        Ok(Err(Refusal::Redirect {
            redirect_uri: asked_redirect.clone(),
            state: params.state.clone(),
            error,
            description,
        }))
    };
    match params.response_type.as_deref() {
        Some("code") => {}
        None => return refuse("invalid_request", "response_type is required"),
        Some(_) => return refuse("unsupported_response_type", "only the authorization code flow (code) is supported"),
    }
    if params.state.as_ref().is_some_and(|s| s.len() > 1024) {
        return refuse("invalid_request", "state is longer than 1024 characters");
    }
    let Some(code_challenge) = params.code_challenge.clone() else {
        return refuse("invalid_request", "code_challenge is required (PKCE, RFC 7636)");
    };
    match params.code_challenge_method.as_deref() {
        Some("S256") => {}
        None | Some("plain") => return refuse("invalid_request", "code_challenge_method must be S256"),
        Some(_) => return refuse("invalid_request", "code_challenge_method must be S256"),
    }
    if !pkce::is_challenge(&code_challenge) {
        return refuse("invalid_request", "code_challenge must be 43 base64url characters (S256)");
    }
    let allowed = app.scopes();
    let scopes = match params.scope.as_deref() {
        None => allowed.clone(),
        Some(text) => match scopes::parse(text) {
            Ok(asked) if !asked.is_empty() && asked.iter().all(|s| allowed.contains(s)) => asked,
            Ok(asked) if asked.is_empty() => allowed.clone(),
            _ => return refuse("invalid_scope", "a scope is unknown or not allowed for this app"),
        },
    };
    let prompt = match params.prompt.as_deref() {
        None | Some("") => Prompt::Default,
        Some("none") => Prompt::None,
        Some("login") => Prompt::Login,
        Some("consent") => Prompt::Consent,
        Some(_) => return refuse("invalid_request", "prompt must be none, login or consent"),
    };
    Ok(Ok(Authorization {
        app,
        redirect_uri: asked_redirect,
        scopes,
        state: params.state,
        code_challenge,
        prompt,
        raw: raw.to_owned(),
    }))
}

/// `raw` without its `prompt` (after the officer signed in as `prompt=login` asked).
pub fn without_prompt(raw: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(raw.as_bytes()).filter(|(k, _)| k != "prompt"))
        .finish()
}

/// `raw` with `ui_locales` set to `lang` (the page's language switch).
pub fn in_language(raw: &str, lang: Lang) -> String {
    let tag = match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(raw.as_bytes()).filter(|(k, _)| k != "ui_locales"))
        .append_pair("ui_locales", tag)
        .finish()
}
