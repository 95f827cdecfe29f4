//! One visit of the sign-in pages: the request as the browser sent it, with what every page
//! and form needs (language, issuer, the browser's sign-in, redirects back to the app).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use super::browser::{self, SignedIn};
use super::request::{self, Authorization, Refusal};
use super::{issuer::issuer, pages, redirect};
use crate::auth::RequestMeta;
use crate::http::{ApiError, Lang, Text};
use crate::schema::users;
use crate::state::AppState;

/// The request as the browser sent it, with what every page needs.
pub(super) struct Visit<'a> {
    pub(super) req: &'a HttpRequest,
    pub(super) state: &'a AppState,
    pub(super) lang: Lang,
    pub(super) issuer: String,
    pub(super) secure: bool,
}

impl<'a> Visit<'a> {
    pub(super) fn new(req: &'a HttpRequest, state: &'a AppState, raw: &str) -> Self {
        let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let issuer = issuer(req, &state.config.auth);
        let secure = issuer.starts_with("https://");
        Visit { req, state, lang: request::language(raw, accept), issuer, secure }
    }

    pub(super) fn meta(&self) -> RequestMeta {
        RequestMeta::of(self.req, &self.state.config.auth.trusted_proxies)
    }

    /// The answer to a refused request: a page, or the error sent back to the app.
    pub(super) fn refusal(&self, refusal: Refusal, status: StatusCode) -> HttpResponse {
        match refusal {
            Refusal::Page(message) => pages::error_page(self.lang, &message),
            Refusal::Redirect { redirect_uri, state, error, description } => self.back_to_app(
                &redirect_uri,
                state.as_deref(),
                &[("error", error), ("error_description", description)],
                status,
            ),
        }
    }

    /// Sends the browser back to the app with `params`, its `state` and our `iss` (RFC 9207).
    pub(super) fn back_to_app(
        &self,
        redirect_uri: &str,
        state: Option<&str>,
        params: &[(&str, &str)],
        status: StatusCode,
    ) -> HttpResponse {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(state) = state {
            all.push(("state", state));
        }
        all.push(("iss", &self.issuer));
        HttpResponse::build(status)
            .insert_header((header::LOCATION, redirect::with_params(redirect_uri, &all)))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()
    }

    /// Back to `GET /oauth/authorize` with `raw` (after a form).
    pub(super) fn again(&self, raw: &str, cookies: &[String]) -> HttpResponse {
        let mut response = HttpResponse::SeeOther();
        response.insert_header((header::LOCATION, format!("/oauth/authorize?{raw}")));
        for cookie in cookies {
            response.append_header((header::SET_COOKIE, cookie.as_str()));
        }
        response.finish()
    }

    pub(super) fn switch_language(&self, raw: &str) -> String {
        let other = if self.lang == Lang::Vi { Lang::En } else { Lang::Vi };
        format!("/oauth/authorize?{}", request::in_language(raw, other))
    }

    /// A page of the flow with its forms' anti-forgery token for `form`.
    pub(super) fn form_page(
        &self,
        auth: &Authorization,
        form: &str,
        title: &str,
        body: impl FnOnce(&str) -> String,
    ) -> Result<HttpResponse, ApiError> {
        let (csrf, set_csrf) = browser::csrf_value(self.req, self.secure).map_err(ApiError::internal)?;
        let token = browser::form_token(&self.state.jwt, &csrf, form, &auth.raw).map_err(ApiError::internal)?;
        let target = redirect::csp_source(&auth.redirect_uri);
        let switch = self.switch_language(&auth.raw);
        let mut response =
            pages::page(StatusCode::OK, self.lang, title, &body(&token), Some(&switch), target.as_deref());
        if let Some(cookie) = set_csrf
            && let Ok(value) = header::HeaderValue::from_str(&cookie)
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        Ok(response)
    }

    /// changed since).
    pub(super) async fn officer(&self, conn: &mut AsyncPgConnection) -> Result<Option<Officer>, ApiError> {
        let Some(who) = browser::signed_in(self.req, &self.state.jwt) else {
            return Ok(None);
        };
        officer(conn, who).await
    }

    /// The request a form carries, checked again, and whether the form is genuine.
    pub(super) async fn posted(
        &self,
        form: &FormBase,
        kind: &str,
    ) -> Result<Result<Authorization, HttpResponse>, ApiError> {
        let mut conn = self.state.pool.get().await?;
        let checked = request::check(&mut conn, &form.request).await?;
        drop(conn);
        let auth = match checked {
            Ok(auth) => auth,
            Err(refusal) => return Ok(Err(self.refusal(refusal, StatusCode::SEE_OTHER))),
        };
        if !browser::form_is_genuine(self.req, &self.state.jwt, &self.issuer, &form.csrf, kind, &form.request) {
            let message = Text::new(
                "Trang đã hết hạn hoặc không đến từ chihoi. Hãy mở lại từ ứng dụng.",
                "This page expired or did not come from chihoi. Open it again from the app.",
            );
            let mut page = pages::error_page(self.lang, &message);
            *page.status_mut() = StatusCode::FORBIDDEN;
            return Ok(Err(page));
        }
        Ok(Ok(auth))
    }
}

pub(super) fn redirect_error(auth: &Authorization, error: &'static str, description: &'static str) -> Refusal {
    Refusal::Redirect { redirect_uri: auth.redirect_uri.clone(), state: auth.state.clone(), error, description }
}

/// An officer signed in on this browser.
pub(super) struct Officer {
    pub(super) id: Uuid,
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) must_change_password: bool,
}

async fn officer(conn: &mut AsyncPgConnection, who: SignedIn) -> Result<Option<Officer>, ApiError> {
    let row: Option<(String, String, bool)> = users::table
        .find(who.uid)
        .filter(users::status.eq("active"))
        .filter(users::token_version.eq(who.ver))
        .select((users::username, users::display_name, users::must_change_password))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(username, display_name, must_change_password)| Officer {
        id: who.uid,
        username,
        display_name,
        must_change_password,
    }))
}

/// Fields every form of the flow carries.
#[derive(Debug, Deserialize)]
pub(super) struct FormBase {
    pub(super) request: String,
    pub(super) csrf: String,
}

pub(super) fn read_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_urlencoded::from_bytes(body).ok()
}

pub(super) fn unreadable(visit: &Visit) -> HttpResponse {
    pages::error_page(visit.lang, &Text::new("Biểu mẫu không đọc được.", "The form cannot be read."))
}
