//! An app as stored (its secret's hash is read only by the client authentication).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::wire::{AppStatus, OAuthApp, TokenEndpointAuthMethod};
use crate::oauth::scopes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::oauth_apps, check_for_backend(diesel::pg::Pg))]
pub struct AppRow {
    pub id: Uuid,
    pub client_id: String,
    pub client_name: String,
    pub owner: String,
    pub logo_text: Option<String>,
    pub org_unit_id: Uuid,
    pub redirect_uris: Vec<Option<String>>,
    pub scopes: Vec<Option<String>>,
    pub token_endpoint_auth_method: String,
    pub secret_prefix: Option<String>,
    pub status: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AppRow {
    pub fn is_active(&self) -> bool {
        self.status == AppStatus::Active.as_str()
    }

    pub fn auth_method(&self) -> TokenEndpointAuthMethod {
        TokenEndpointAuthMethod::parse(&self.token_endpoint_auth_method)
    }

    pub fn redirect_uris(&self) -> Vec<String> {
        self.redirect_uris.iter().flatten().cloned().collect()
    }

    pub fn scopes(&self) -> Vec<crate::auth::Permission> {
        scopes::from_stored(&self.scopes)
    }
}

impl From<AppRow> for OAuthApp {
    fn from(r: AppRow) -> OAuthApp {
        OAuthApp {
            id: r.id,
            status: if r.is_active() { AppStatus::Active } else { AppStatus::Disabled },
            token_endpoint_auth_method: r.auth_method(),
            redirect_uris: r.redirect_uris(),
            scope: scopes::join(&r.scopes()),
            client_id: r.client_id,
            client_name: r.client_name,
            owner: r.owner,
            logo_text: r.logo_text,
            org_unit_id: r.org_unit_id,
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            response_types: vec!["code".into()],
            client_id_issued_at: r.created_at.timestamp(),
            client_secret_prefix: r.secret_prefix,
            last_used_at: r.last_used_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
