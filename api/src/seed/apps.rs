//! The demo third-party app: a public mobile app (PKCE, no secret) registered on xã Hưng
//! Nhượng, with a loopback and a private-use redirect, which `demo-branch` already allowed to
//! read her branch's members and her own account (docs/integration.md walks through it).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::http::ApiError;
use crate::schema::{oauth_apps, oauth_consents, users};

/// The demo app's client id: known, because this is demo data.
pub const DEMO_APP_CLIENT_ID: &str = "demo-sotay-chi-hoi";
pub const DEMO_APP_REDIRECTS: [&str; 2] = ["http://127.0.0.1/callback", "vn.hoilhpn.demo.sotay:/oauth/callback"];

pub async fn load(conn: &mut AsyncPgConnection, commune: Uuid) -> Result<(), ApiError> {
    let app = Uuid::now_v7();
    let admin: Uuid = users::table.filter(users::username.eq("demo-admin")).select(users::id).first(conn).await?;
    diesel::insert_into(oauth_apps::table)
        .values((
            oauth_apps::id.eq(app),
            oauth_apps::client_id.eq(DEMO_APP_CLIENT_ID),
            oauth_apps::client_name.eq("[DEMO] Sổ tay chi hội"),
            oauth_apps::owner.eq("[DEMO] Công ty phần mềm Mê Kông"),
            oauth_apps::logo_text.eq("ST"),
            oauth_apps::org_unit_id.eq(commune),
            oauth_apps::redirect_uris.eq(DEMO_APP_REDIRECTS.map(|u| Some(u.to_owned())).to_vec()),
            oauth_apps::scopes
                .eq(["members:read", "members:write", "me:read", "reports:read"].map(|s| Some(s.to_owned())).to_vec()),
            oauth_apps::token_endpoint_auth_method.eq("none"),
            oauth_apps::created_by.eq(admin),
        ))
        .execute(conn)
        .await?;
    let branch_head: Uuid =
        users::table.filter(users::username.eq("demo-branch")).select(users::id).first(conn).await?;
    diesel::insert_into(oauth_consents::table)
        .values((
            oauth_consents::user_id.eq(branch_head),
            oauth_consents::app_id.eq(app),
            oauth_consents::scopes.eq(["me:read", "members:read"].map(|s| Some(s.to_owned())).to_vec()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
