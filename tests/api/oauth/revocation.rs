//! Giving back and looking into tokens: revocation (RFC 7009), introspection (RFC 7662), the
//! officer's own list of authorized apps, and the server metadata (RFC 8414).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::flow::{fixture, register, tokens};
use crate::helpers::{TestApp, spawn_app};

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> reqwest::Response {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let mut request =
        app.request(Method::POST, path).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn revoking_a_refresh_token_kills_its_access_tokens_and_another_apps_token_is_refused() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let other = register(&admin, &fx.commune, "members:read", "none").await;
    let other_id = other["client_id"].as_str().unwrap();
    let issued = tokens(&fx, "members:read me:read").await;
    let access = issued["access_token"].as_str().unwrap();
    let refresh = issued["refresh_token"].as_str().unwrap();

    // An unknown token: 200, nothing to learn.
    let unknown =
        post_form(&app, "/oauth/revoke", &[("token", "chr_not-a-real-token"), ("client_id", &fx.client_id)], None)
            .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    // Another app's token: refused, and it keeps working.
    let foreign = post_form(&app, "/oauth/revoke", &[("token", refresh), ("client_id", other_id)], None).await;
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
    let body: Value = foreign.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client");
    assert_eq!(app.with_token(access).get("/api/v1/me").await.status(), StatusCode::OK);
    // No client at all: 401.
    let anonymous = post_form(&app, "/oauth/revoke", &[("token", refresh)], None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let revoked = post_form(
        &app,
        "/oauth/revoke",
        &[("token", refresh), ("token_type_hint", "refresh_token"), ("client_id", &fx.client_id)],
        None,
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        app.with_token(access).get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "its access token died with it"
    );
    // Revoking an access token ends its grant as well.
    let second = tokens(&fx, "me:read").await;
    let revoked = post_form(
        &app,
        "/oauth/revoke",
        &[("token", second["access_token"].as_str().unwrap()), ("client_id", &fx.client_id)],
        None,
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let refreshed = super::flow::token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", second["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn introspection_needs_a_confidential_caller_and_dead_tokens_say_only_inactive() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let issued = tokens(&fx, "members:read me:read").await;
    let access = issued["access_token"].as_str().unwrap();

    let anonymous = post_form(&app, "/oauth/introspect", &[("token", access)], None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let public_app =
        post_form(&app, "/oauth/introspect", &[("token", access), ("client_id", &fx.client_id)], None).await;
    assert_eq!(public_app.status(), StatusCode::UNAUTHORIZED, "a public app cannot introspect");

    // A machine client of the province above the app's commune: it may.
    let admin = app.admin().await;
    let commune: Value = admin.get(&format!("/api/v1/org-units/{}", fx.commune)).await.json().await.unwrap();
    let province = commune["parent_id"].as_str().unwrap();
    let client =
        admin.create("/api/v1/machine-clients", &json!({"name": "Hệ thống tỉnh", "org_unit_id": province})).await;
    let creds = (client["id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let seen: Value =
        post_form(&app, "/oauth/introspect", &[("token", access)], Some(creds)).await.json().await.unwrap();
    assert_eq!(seen["active"], true);
    assert_eq!(seen["client_id"], fx.client_id.as_str());
    assert_eq!(seen["scope"], "members:read me:read");
    assert_eq!(seen["token_type"], "Bearer");
    assert_eq!(seen["iss"], app.address.as_str());
    // A machine client elsewhere learns nothing.
    let other_province = app.unit(crate::helpers::ROOT_UNIT, "province", "Tỉnh khác").await;
    let outsider =
        admin.create("/api/v1/machine-clients", &json!({"name": "Tỉnh khác", "org_unit_id": other_province})).await;
    let outsider_creds = (outsider["id"].as_str().unwrap(), outsider["client_secret"].as_str().unwrap());
    let hidden: Value =
        post_form(&app, "/oauth/introspect", &[("token", access)], Some(outsider_creds)).await.json().await.unwrap();
    assert_eq!(hidden, json!({"active": false}));
    // Dead tokens: only {"active": false}.
    post_form(&app, "/oauth/revoke", &[("token", access), ("client_id", &fx.client_id)], None).await;
    let dead: Value =
        post_form(&app, "/oauth/introspect", &[("token", access)], Some(creds)).await.json().await.unwrap();
    assert_eq!(dead, json!({"active": false}));
    let garbage: Value =
        post_form(&app, "/oauth/introspect", &[("token", "nonsense")], Some(creds)).await.json().await.unwrap();
    assert_eq!(garbage, json!({"active": false}));
}

#[tokio::test]
async fn revoking_an_app_from_my_authorized_apps_kills_its_tokens_at_once() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let issued = tokens(&fx, "members:read me:read").await;
    let access = issued["access_token"].as_str().unwrap();
    let ray = app.session("ray").await;
    let me = app.with_token(&ray.access_token);
    let list: Value = me.get("/api/v1/me/authorized-apps").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["client_name"], "Sổ tay chi hội");
    assert_eq!(items[0]["scope"], "members:read me:read");
    assert_eq!(items[0]["active_grants"], 1);
    // The admin sees who authorized it.
    let admin = app.admin().await;
    let who: Value = admin.get(&format!("/api/v1/oauth-apps/{}/authorizations", fx.app_id)).await.json().await.unwrap();
    assert_eq!(who["items"][0]["username"], "ray");

    let revoked = me.delete(&format!("/api/v1/me/authorized-apps/{}", fx.app_id), None).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.with_token(access).get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let refreshed = super::flow::token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", issued["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST);
    let list: Value = me.get("/api/v1/me/authorized-apps").await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    assert_eq!(
        me.delete(&format!("/api/v1/me/authorized-apps/{}", fx.app_id), None).await.status(),
        StatusCode::NOT_FOUND
    );
    // The next sign-in asks her consent again.
    let browser = super::flow::Browser::new(&app);
    let (_, challenge) = super::flow::pkce();
    let query = super::flow::authorize_query(&fx.client_id, super::flow::LOOPBACK_REDIRECT, "me:read", "s", &challenge);
    let html = browser.get(&format!("/oauth/authorize?{query}")).await.text().await.unwrap();
    let signed = super::flow::sign_in(&browser, &html, "ray", crate::helpers::PASSWORD).await;
    let page = super::flow::follow(&browser, signed).await.text().await.unwrap();
    assert!(page.contains("value=\"allow\""));
}

#[tokio::test]
async fn disabling_an_app_ends_its_tokens_and_its_sign_ins() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let issued = tokens(&fx, "me:read").await;
    let admin = app.admin().await;
    let disabled =
        admin.patch_json(&format!("/api/v1/oauth-apps/{}", fx.app_id), Some("*"), &json!({"status": "disabled"})).await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(
        app.with_token(issued["access_token"].as_str().unwrap()).get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, challenge) = super::flow::pkce();
    let query = super::flow::authorize_query(&fx.client_id, super::flow::LOOPBACK_REDIRECT, "me:read", "s", &challenge);
    let page = app.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST, "a disabled app gets a page, no redirect");
    // Enabling it again does not bring the old grant back.
    admin.patch_json(&format!("/api/v1/oauth-apps/{}", fx.app_id), Some("*"), &json!({"status": "active"})).await;
    assert_eq!(
        app.with_token(issued["access_token"].as_str().unwrap()).get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_metadata_names_the_address_it_was_fetched_from_and_only_what_is_offered() {
    let app = spawn_app().await;
    let response = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(response.status(), StatusCode::OK);
    let metadata: Value = response.json().await.unwrap();
    assert_eq!(metadata["issuer"], app.address.as_str());
    assert_eq!(metadata["authorization_endpoint"], format!("{}/oauth/authorize", app.address));
    assert_eq!(metadata["token_endpoint"], format!("{}/oauth/token", app.address));
    assert_eq!(metadata["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(metadata["response_types_supported"], json!(["code"]));
    let grants: Vec<&str> =
        metadata["grant_types_supported"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
    assert!(!grants.contains(&"implicit") && !grants.contains(&"password"), "{grants:?}");
    assert_eq!(metadata["authorization_response_iss_parameter_supported"], true);
    let scopes = metadata["scopes_supported"].as_array().unwrap();
    assert!(scopes.contains(&json!("members:read")) && !scopes.contains(&json!("apps:manage")));
}
