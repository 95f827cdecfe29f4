//! The forms of the sign-in pages: sign in, change a password, allow or deny, sign out. Each
//! checks the request again from the query string it carries, and that the form came from
//! this browser's page (CSRF); each answers `303 See Other` or the page again.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::browser::{self, SignedIn};
use super::pages::t;
use super::request;
use super::visit::{FormBase, Visit, read_form, unreadable};
use super::{codes, scopes};
use crate::audit::{self, AuditActor, AuditEvent, Outcome};
use crate::auth::login;
use crate::db::in_transaction;
use crate::http::{ApiError, Lang};
use crate::schema::oauth_consents;
use crate::state::AppState;
use crate::users::password_change;

/// The sign-in form.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct LoginForm {
    /// The authorization request (its query string), as the page gave it.
    request: String,
    /// The page's anti-forgery token.
    csrf: String,
    /// The officer's user name (tên đăng nhập).
    username: String,
    /// Her password (mật khẩu): sent to chihoi only, never to the app.
    password: String,
}

/// Sign in (page form)
///
/// The sign-in form of the authorize page. On success the browser is signed in for an hour
/// and sent back to `/oauth/authorize`; otherwise the page again, with the reason.
#[utoipa::path(
    tag = "oauth",
    operation_id = "create_oauth_signin",
    security(()),
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed in: back to the authorize page.", headers(("Location" = String, description = "`/oauth/authorize?…`"))),
        (status = 200, description = "The sign-in page again, saying why.", content_type = "text/html", body = String),
        (status = 400, description = "The sign-in request in the form is missing, expired or was altered: a page explains, no redirect.", content_type = "text/html", body = String),
        (status = 403, description = "The form did not come from this browser's page.", content_type = "text/html", body = String),
        (status = 429, description = "Too many attempts: the page says how long to wait (the rate limiter's own 429 is problem details).", content_type = "text/html", body = String, headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/oauth/login")]
pub async fn create_oauth_signin(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(form) = read_form::<LoginForm>(&body) else {
        return Ok(unreadable(&Visit::new(&req, &state, "")));
    };
    let visit = Visit::new(&req, &state, &form.request);
    let base = FormBase { request: form.request.clone(), csrf: form.csrf.clone() };
    let auth = match visit.posted(&base, "login").await? {
        Ok(auth) => auth,
        Err(page) => return Ok(page),
    };
    let lang = visit.lang;
    let meta = visit.meta();
    match login::check_password(&state, &meta, &form.username, &form.password, Some(&auth.app.client_id)).await {
        Ok(account) => {
            let who = SignedIn { uid: account.id, ver: account.token_version };
            let cookie = browser::signin_cookie(&state.jwt, who, visit.secure).map_err(ApiError::internal)?;
            Ok(visit.again(&request::without_prompt(&auth.raw), &[cookie]))
        }
        Err(ApiError::InvalidCredentials) => {
            let message = t(lang, "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong user name or password.");
            visit.login_page(&auth, Some(message), &form.username)
        }
        Err(ApiError::TooManyRequests(seconds)) => {
            let message = match lang {
                Lang::Vi => format!("Đăng nhập sai quá nhiều lần. Hãy thử lại sau {} phút.", seconds.div_ceil(60)),
                Lang::En => format!("Too many failed sign-ins. Try again in {} minutes.", seconds.div_ceil(60)),
            };
            let mut page = visit.login_page(&auth, Some(&message), &form.username)?;
            *page.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            page.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            Ok(page)
        }
        Err(other) => Err(other),
    }
}

/// The password change form.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct PasswordForm {
    /// The authorization request (its query string), as the page gave it.
    request: String,
    /// The page's anti-forgery token.
    csrf: String,
    /// Her current password.
    current_password: String,
    /// The new one (the password policy of `/me/password`).
    new_password: String,
    /// The new one again, to catch a typing mistake.
    new_password_again: String,
}

/// Change a password (page form)
///
/// For an officer who must change her password before an app gets access. Every session of
/// the account ends; the browser stays signed in and goes back to `/oauth/authorize`.
#[utoipa::path(
    tag = "oauth",
    operation_id = "update_oauth_password",
    security(()),
    request_body(content = PasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Changed (or not signed in): back to the authorize page.", headers(("Location" = String, description = "`/oauth/authorize?…`"))),
        (status = 200, description = "The page again, saying what to fix.", content_type = "text/html", body = String),
        (status = 400, description = "The sign-in request in the form is missing, expired or was altered: a page explains, no redirect.", content_type = "text/html", body = String),
        (status = 403, description = "The form did not come from this browser's page.", content_type = "text/html", body = String),
    )
)]
#[post("/oauth/password")]
pub async fn update_oauth_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(form) = read_form::<PasswordForm>(&body) else {
        return Ok(unreadable(&Visit::new(&req, &state, "")));
    };
    let visit = Visit::new(&req, &state, &form.request);
    let base = FormBase { request: form.request.clone(), csrf: form.csrf.clone() };
    let auth = match visit.posted(&base, "password").await? {
        Ok(auth) => auth,
        Err(page) => return Ok(page),
    };
    let lang = visit.lang;
    let mut conn = state.pool.get().await?;
    let officer = visit.officer(&mut conn).await?;
    drop(conn);
    let Some(officer) = officer else {
        return Ok(visit.again(&auth.raw, &[]));
    };
    if form.new_password != form.new_password_again {
        return visit.password_page(
            &auth,
            Some(t(lang, "Hai lần nhập mật khẩu mới không khớp.", "The two new passwords differ.")),
        );
    }
    let actor = AuditActor::user(officer.id, &officer.username);
    let changed = password_change::change(
        &state,
        &actor,
        &visit.meta(),
        (officer.id, &officer.username),
        &form.current_password,
        &form.new_password,
    )
    .await;
    match changed {
        Ok(()) => {
            let mut conn = state.pool.get().await?;
            let ver = crate::auth::sessions::current_token_version(&mut conn, officer.id).await?;
            let cookie = browser::signin_cookie(&state.jwt, SignedIn { uid: officer.id, ver }, visit.secure)
                .map_err(ApiError::internal)?;
            Ok(visit.again(&auth.raw, &[cookie]))
        }
        Err(ApiError::Validation(issues)) => {
            let message: Vec<&str> = issues.iter().map(|i| i.message.get(lang)).collect();
            visit.password_page(&auth, Some(&message.join(" ")))
        }
        Err(ApiError::TooManyRequests(seconds)) => {
            let message = match lang {
                Lang::Vi => format!("Nhập sai quá nhiều lần. Hãy thử lại sau {} phút.", seconds.div_ceil(60)),
                Lang::En => format!("Too many wrong tries. Try again in {} minutes.", seconds.div_ceil(60)),
            };
            visit.password_page(&auth, Some(&message))
        }
        Err(other) => Err(other),
    }
}

/// The officer's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ConsentDecision)]
pub enum Decision {
    Allow,
    Deny,
}

/// The consent form.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ConsentForm {
    /// The authorization request (its query string), as the page gave it.
    request: String,
    /// The page's anti-forgery token.
    csrf: String,
    /// `allow` or `deny`.
    decision: Decision,
}

/// Allow or deny an app (page form)
///
/// The officer's answer on the consent page. Allowing remembers her consent for the app and
/// these scopes (a new scope asks again) and sends the browser to the app with a code;
/// denying sends it back with `error=access_denied`.
#[utoipa::path(
    tag = "oauth",
    operation_id = "create_oauth_consent",
    security(()),
    request_body(content = ConsentForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the app (`code` or `error=access_denied`, with `state` and `iss`), or to the authorize page when not signed in.", headers(("Location" = String, description = "Where the browser goes."))),
        (status = 400, description = "The sign-in request in the form is missing, expired or was altered: a page explains, no redirect.", content_type = "text/html", body = String),
        (status = 403, description = "The form did not come from this browser's page.", content_type = "text/html", body = String),
    )
)]
#[post("/oauth/consent")]
pub async fn create_oauth_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(form) = read_form::<ConsentForm>(&body) else {
        return Ok(unreadable(&Visit::new(&req, &state, "")));
    };
    let visit = Visit::new(&req, &state, &form.request);
    let base = FormBase { request: form.request.clone(), csrf: form.csrf.clone() };
    let auth = match visit.posted(&base, "consent").await? {
        Ok(auth) => auth,
        Err(page) => return Ok(page),
    };
    let mut conn = state.pool.get().await?;
    let Some(officer) = visit.officer(&mut conn).await?.filter(|o| !o.must_change_password) else {
        return Ok(visit.again(&auth.raw, &[]));
    };
    let meta = visit.meta();
    let actor = AuditActor::user(officer.id, &officer.username);
    let details = json!({"client_id": auth.app.client_id, "scope": scopes::join(&auth.scopes)});
    if form.decision == Decision::Deny {
        let event =
            AuditEvent::new("oauth.consent").outcome(Outcome::Denied).object("oauth_app", auth.app.id).details(details);
        audit::record(&mut conn, &actor, &meta, event).await?;
        let params = [("error", "access_denied"), ("error_description", "the user denied the request")];
        return Ok(visit.back_to_app(&auth.redirect_uri, auth.state.as_deref(), &params, StatusCode::SEE_OTHER));
    }
    let code = in_transaction(&mut conn, async |conn| {
        let held: Option<Vec<Option<String>>> = oauth_consents::table
            .find((officer.id, auth.app.id))
            .select(oauth_consents::scopes)
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let mut all = held.map(|h| scopes::from_stored(&h)).unwrap_or_default();
        all.extend(auth.scopes.iter().copied());
        all.sort();
        all.dedup();
        diesel::insert_into(oauth_consents::table)
            .values((
                oauth_consents::user_id.eq(officer.id),
                oauth_consents::app_id.eq(auth.app.id),
                oauth_consents::scopes.eq(scopes::to_stored(&all)),
            ))
            .on_conflict((oauth_consents::user_id, oauth_consents::app_id))
            .do_update()
            .set((oauth_consents::scopes.eq(scopes::to_stored(&all)), oauth_consents::updated_at.eq(Utc::now())))
            .execute(conn)
            .await?;
        let event = AuditEvent::new("oauth.consent").object("oauth_app", auth.app.id).details(details.clone());
        audit::record(conn, &actor, &meta, event).await?;
        codes::issue(conn, auth.app.id, officer.id, &auth.redirect_uri, &auth.scopes, &auth.code_challenge).await
    })
    .await?;
    Ok(visit.back_to_app(&auth.redirect_uri, auth.state.as_deref(), &[("code", &code)], StatusCode::SEE_OTHER))
}

/// The sign-out form.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SignOutForm {
    /// The authorization request (its query string), as the page gave it.
    request: String,
    /// The page's anti-forgery token.
    csrf: String,
}

/// Sign out of the browser (page form)
///
/// "Not you?" on the consent page: forgets the browser's sign-in and goes back to the
/// authorize page, which asks to sign in.
#[utoipa::path(
    tag = "oauth",
    operation_id = "delete_oauth_signin",
    security(()),
    request_body(content = SignOutForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Signed out: back to the authorize page.", headers(("Location" = String, description = "`/oauth/authorize?…`"))),
        (status = 400, description = "The sign-in request in the form is missing, expired or was altered: a page explains, no redirect.", content_type = "text/html", body = String),
        (status = 403, description = "The form did not come from this browser's page.", content_type = "text/html", body = String),
    )
)]
#[post("/oauth/logout")]
pub async fn delete_oauth_signin(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(form) = read_form::<SignOutForm>(&body) else {
        return Ok(unreadable(&Visit::new(&req, &state, "")));
    };
    let visit = Visit::new(&req, &state, &form.request);
    let base = FormBase { request: form.request.clone(), csrf: form.csrf.clone() };
    let auth = match visit.posted(&base, "consent").await? {
        Ok(auth) => auth,
        Err(page) => return Ok(page),
    };
    Ok(visit.again(&auth.raw, &[browser::signout_cookie(visit.secure)]))
}
