//! `GET /oauth/authorize` (RFC 6749 §4.1 with PKCE): where an authorization goes next —
//! sign-in, password change, consent, or straight back to the app with a code.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::request::{self, Authorization, Prompt};
use super::visit::{Visit, redirect_error};
use super::{codes, scopes};
use crate::audit::{self, AuditActor, AuditEvent};
use crate::db::in_transaction;
use crate::http::ApiError;
use crate::schema::oauth_consents;
use crate::state::AppState;

impl Visit<'_> {
    /// Where an authorization goes next: sign-in, password change, consent, or the code.
    async fn proceed(&self, auth: Authorization) -> Result<HttpResponse, ApiError> {
        let mut conn = self.state.pool.get().await?;
        let officer = if auth.prompt == Prompt::Login { None } else { self.officer(&mut conn).await? };
        let Some(officer) = officer else {
            drop(conn);
            if auth.prompt == Prompt::None {
                return Ok(self
                    .refusal(redirect_error(&auth, "login_required", "the user is not signed in"), StatusCode::FOUND));
            }
            return self.login_page(&auth, None, "");
        };
        if officer.must_change_password {
            drop(conn);
            if auth.prompt == Prompt::None {
                return Ok(self.refusal(
                    redirect_error(&auth, "login_required", "the user must change her password"),
                    StatusCode::FOUND,
                ));
            }
            return self.password_page(&auth, None);
        }
        let consented: Option<Vec<Option<String>>> = oauth_consents::table
            .find((officer.id, auth.app.id))
            .select(oauth_consents::scopes)
            .first(&mut conn)
            .await
            .optional()?;
        let covered =
            consented.map(|c| scopes::from_stored(&c)).is_some_and(|held| auth.scopes.iter().all(|s| held.contains(s)));
        if covered && auth.prompt != Prompt::Consent {
            let meta = self.meta();
            let code = in_transaction(&mut conn, async |conn| {
                let code = codes::issue(conn, auth.app.id, officer.id, &auth.redirect_uri, &auth.scopes, &auth.code_challenge).await?;
                let event = AuditEvent::new("oauth.authorize")
                    .object("oauth_app", auth.app.id)
                    .details(json!({"client_id": auth.app.client_id, "scope": scopes::join(&auth.scopes), "consent": "remembered"}));
                audit::record(conn, &AuditActor::user(officer.id, &officer.username), &meta, event).await?;
                Ok::<_, ApiError>(code)
            })
            .await?;
            return Ok(self.back_to_app(
                &auth.redirect_uri,
                auth.state.as_deref(),
                &[("code", &code)],
                StatusCode::FOUND,
            ));
        }
        drop(conn);
        if auth.prompt == Prompt::None {
            return Ok(self.refusal(
                redirect_error(&auth, "consent_required", "the user has not allowed these scopes"),
                StatusCode::FOUND,
            ));
        }
        self.consent_page(&auth, &officer).await
    }
}

/// The authorization request (RFC 6749 §4.1.1).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthorizeQuery {
    /// `code` (the only flow offered: no implicit grant).
    response_type: String,
    /// The app's `client_id`.
    client_id: String,
    /// One of the app's registered redirect URIs (a loopback one on any port).
    redirect_uri: String,
    /// Space-separated scopes, within the app's; none: all of the app's.
    scope: Option<String>,
    /// Returned unchanged with the answer (up to 1024 characters).
    state: Option<String>,
    /// PKCE: base64url SHA-256 of the verifier (43 characters).
    code_challenge: String,
    /// `S256` (plain is refused).
    code_challenge_method: String,
    /// `none`, `login` or `consent` (OpenID Connect's meanings).
    prompt: Option<String>,
    /// `vi` (default) or `en`: the pages' language.
    ui_locales: Option<String>,
}

/// Authorize an app (OAuth 2.0)
///
/// Starts the authorization code flow with PKCE (S256 only). Open it in the system browser
/// (not a WebView). The officer signs in (and changes her password if she must), sees what
/// the app asks for and allows or denies it; the browser is then sent to `redirect_uri` with
/// `code` (or `error`), `state` unchanged and `iss` (RFC 9207). A request naming an unknown
/// app or an unregistered redirect URI gets a page (400), never a redirect.
#[utoipa::path(
    tag = "oauth",
    operation_id = "get_oauth_authorization",
    security(()),
    params(AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in, password or consent page.", content_type = "text/html", body = String),
        (status = 302, description = "Back to the app: `code`, `state` and `iss`, or `error`, `error_description`, `state` and `iss`.", headers(("Location" = String, description = "The app's redirect URI with the answer."))),
        (status = 400, description = "Unknown app or redirect URI: a page, no redirect.", content_type = "text/html", body = String),
    )
)]
#[get("/oauth/authorize")]
pub async fn get_oauth_authorization(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let raw = req.query_string().to_owned();
    let visit = Visit::new(&req, &state, &raw);
    let mut conn = state.pool.get().await?;
    let checked = request::check(&mut conn, &raw).await?;
    drop(conn);
    match checked {
        Ok(auth) => visit.proceed(auth).await,
        Err(refusal) => Ok(visit.refusal(refusal, StatusCode::FOUND)),
    }
}
