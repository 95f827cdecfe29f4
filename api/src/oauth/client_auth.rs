//! Who calls the token, revocation and introspection endpoints (RFC 6749 §2.3): a registered
//! app by its `client_id` (public apps, which prove themselves with PKCE instead) or by its
//! secret in the way it registered (`client_secret_basic` or `client_secret_post`), or, for
//! introspection, a machine client of a higher-level system.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::apps::models::AppRow;
use super::apps::wire::TokenEndpointAuthMethod;
use super::errors::{Failure, OAuthError};
use crate::auth::handlers::same_digest;
use crate::auth::tokens::{CLIENT_SECRET_PREFIX, digest};
use crate::http::Text;
use crate::schema::{machine_clients, oauth_apps, org_units};

/// Credentials as presented.
struct Presented {
    client_id: String,
    secret: Option<String>,
    basic: bool,
}

fn decode(part: &str) -> String {
    form_urlencoded::parse(format!("x={part}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

fn presented(
    req: &HttpRequest,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<Option<Presented>, OAuthError> {
    let header = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let basic = header.and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")));
    match basic {
        Some(encoded) => {
            // RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(OAuthError::invalid_client)?;
            let (id, secret) = decoded.split_once(':').ok_or_else(OAuthError::invalid_client)?;
            let (id, secret) = (decode(id), decode(secret));
            if form_secret.is_some() || form_id.is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_request(Text::new(
                    "Chỉ dùng một cách xác thực ứng dụng.",
                    "Use one way of authenticating the client.",
                )));
            }
            Ok(Some(Presented { client_id: id, secret: Some(secret).filter(|s| !s.is_empty()), basic: true }))
        }
        None => Ok(form_id.map(|id| Presented {
            client_id: id.to_owned(),
            secret: form_secret.map(str::to_owned),
            basic: false,
        })),
    }
}

/// The app calling, authenticated as it registered; `invalid_client` otherwise.
pub async fn app(
    conn: &mut AsyncPgConnection,
    req: &HttpRequest,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<AppRow, Failure> {
    let Some(p) = presented(req, form_id, form_secret)? else {
        return Err(OAuthError::invalid_client().into());
    };
    if p.client_id.len() > 64 {
        return Err(OAuthError::invalid_client().into());
    }
    let found: Option<(AppRow, Option<Vec<u8>>)> = oauth_apps::table
        .filter(oauth_apps::client_id.eq(&p.client_id))
        .select((AppRow::as_select(), oauth_apps::secret_hash))
        .first(conn)
        .await
        .optional()?;
    let Some((app, hash)) = found.filter(|(a, _)| a.is_active()) else {
        return Err(OAuthError::invalid_client().into());
    };
    let genuine = match (app.auth_method(), &p.secret, hash) {
        (TokenEndpointAuthMethod::None, None, _) => true,
        (TokenEndpointAuthMethod::ClientSecretBasic, Some(secret), Some(hash)) if p.basic => {
            same_digest(&hash, &digest(secret))
        }
        (TokenEndpointAuthMethod::ClientSecretPost, Some(secret), Some(hash)) if !p.basic => {
            same_digest(&hash, &digest(secret))
        }
        _ => false,
    };
    if genuine { Ok(app) } else { Err(OAuthError::invalid_client().into()) }
}

/// Who may introspect tokens: a confidential app (its own tokens) or a machine client (the
/// tokens of apps registered within its subtree).
pub enum Introspector {
    /// A confidential app (boxed: its row is large).
    App(Box<AppRow>),
    Machine {
        unit_path: String,
    },
}

pub async fn introspector(
    conn: &mut AsyncPgConnection,
    req: &HttpRequest,
    form_id: Option<&str>,
    form_secret: Option<&str>,
) -> Result<Introspector, Failure> {
    let Some(p) = presented(req, form_id, form_secret)? else {
        return Err(OAuthError::invalid_client().into());
    };
    if let Ok(machine) = Uuid::parse_str(&p.client_id) {
        let secret = p.secret.filter(|s| s.starts_with(CLIENT_SECRET_PREFIX)).ok_or_else(OAuthError::invalid_client)?;
        let found: Option<(Vec<u8>, Ltree)> = machine_clients::table
            .inner_join(org_units::table)
            .filter(machine_clients::id.eq(machine))
            .filter(machine_clients::status.eq("active"))
            .select((machine_clients::secret_hash, org_units::path))
            .first(conn)
            .await
            .optional()?;
        return match found {
            Some((hash, path)) if same_digest(&hash, &digest(&secret)) => {
                Ok(Introspector::Machine { unit_path: path.0 })
            }
            _ => Err(OAuthError::invalid_client().into()),
        };
    }
    let app = app(conn, req, form_id, form_secret).await?;
    if !app.auth_method().is_confidential() {
        return Err(OAuthError::invalid_client().into());
    }
    Ok(Introspector::App(Box::new(app)))
}
