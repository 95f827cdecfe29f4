//! The authorization request: PKCE S256 required, exact redirect URIs (any port on loopback),
//! unknown apps and URIs answered with a page and never redirected, `state` and `iss` returned.

use reqwest::StatusCode;

use super::flow::{
    APP_SCHEME_REDIRECT, Browser, LOOPBACK_REDIRECT, authorize_query, code_for, decide, exchange, fixture, follow,
    location, params, pkce, sign_in, token,
};
use crate::helpers::{PASSWORD, spawn_app};

/// The error the browser is sent back to the app with, and its `state` and `iss`.
async fn redirected_error(browser: &Browser<'_>, query: &str) -> (String, Option<String>, Option<String>) {
    let response = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(response.status(), StatusCode::FOUND, "{query}");
    let to = location(&response);
    assert!(to.starts_with(LOOPBACK_REDIRECT), "{to}");
    let p = params(&to);
    (p.get("error").cloned().unwrap_or_default(), p.get("state").cloned(), p.get("iss").cloned())
}

#[tokio::test]
async fn pkce_s256_is_required_and_the_implicit_grant_is_refused() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let good = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "xyz", &challenge);
    let cases = [
        ("implicit grant", good.replace("response_type=code", "response_type=token"), "unsupported_response_type"),
        ("no challenge", good.replace(&format!("&code_challenge={challenge}"), ""), "invalid_request"),
        ("plain method", good.replace("code_challenge_method=S256", "code_challenge_method=plain"), "invalid_request"),
        ("no method (plain by default)", good.replace("&code_challenge_method=S256", ""), "invalid_request"),
        ("not a S256 challenge", good.replace(&challenge, "short"), "invalid_request"),
        ("a scope the app lacks", good.replace("scope=members%3Aread", "scope=funds%3Awrite"), "invalid_scope"),
        ("a scope apps never get", good.replace("scope=members%3Aread", "scope=apps%3Amanage"), "invalid_scope"),
    ];
    for (what, query, expected) in cases {
        let (error, state, iss) = redirected_error(&browser, &query).await;
        assert_eq!(error, expected, "{what}");
        assert_eq!(state.as_deref(), Some("xyz"), "{what}: state comes back unchanged");
        assert_eq!(iss, Some(app.address.clone()), "{what}: iss names this server (RFC 9207)");
    }
    // The password grant is not offered at the token endpoint either.
    let response = token(
        &app,
        &[("grant_type", "password"), ("username", "ray"), ("password", PASSWORD), ("client_id", &fx.client_id)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn an_unknown_app_or_redirect_uri_gets_a_page_and_never_a_redirect() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let cases = [
        authorize_query("app_unknown00000000000", LOOPBACK_REDIRECT, "members:read", "s", &challenge),
        authorize_query(&fx.client_id, "https://evil.example/callback", "members:read", "s", &challenge),
        authorize_query(&fx.client_id, "http://127.0.0.1/callback/other", "members:read", "s", &challenge),
        authorize_query(&fx.client_id, "http://127.0.0.1/callback?x=1", "members:read", "s", &challenge),
        authorize_query(&fx.client_id, "http://localhost/callback", "members:read", "s", &challenge),
        authorize_query(&fx.client_id, "vn.hoilhpn.sotay:/oauth/callbackX", "members:read", "s", &challenge),
        // A parameter given twice (which of them would be believed?).
        format!(
            "{}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
            authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge)
        ),
    ];
    for query in cases {
        let response = browser.get(&format!("/oauth/authorize?{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(response.headers().get("location").is_none(), "{query} redirected");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(html.contains("Không thể đăng nhập qua ứng dụng"), "{html}");
    }
}

#[tokio::test]
async fn redirects_match_exactly_except_the_port_of_loopback_ones() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (verifier, challenge) = pkce();
    // A native app listening on a port the system gave it (RFC 8252 §7.3).
    let redirect = "http://127.0.0.1:53124/callback";
    let query = authorize_query(&fx.client_id, redirect, "members:read", "st-1", &challenge);
    let page = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let signed = sign_in(&browser, &page.text().await.unwrap(), "ray", PASSWORD).await;
    let consent = follow(&browser, signed).await.text().await.unwrap();
    let back = decide(&browser, &consent, "allow").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let to = location(&back);
    assert!(to.starts_with("http://127.0.0.1:53124/callback?"), "{to}");
    let p = params(&to);
    assert_eq!(p["state"], "st-1");
    assert_eq!(p["iss"], app.address);
    // The code is bound to that exact URI, port included.
    let response = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &p["code"]),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("client_id", &fx.client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // The private-use scheme works too, as registered.
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, APP_SCHEME_REDIRECT, "members:read", "st-2", &challenge);
    let response = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(response.status(), StatusCode::FOUND, "consent is remembered: straight back with a code");
    assert!(location(&response).starts_with("vn.hoilhpn.sotay:/oauth/callback?code="), "{}", location(&response));
}

#[tokio::test]
async fn a_denial_goes_back_as_access_denied_and_issues_nothing() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "deny-me", &challenge);
    let page = browser.get(&format!("/oauth/authorize?{query}")).await;
    let signed = sign_in(&browser, &page.text().await.unwrap(), "ray", PASSWORD).await;
    let consent = follow(&browser, signed).await.text().await.unwrap();
    let back = decide(&browser, &consent, "deny").await;
    let p = params(&location(&back));
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], "deny-me");
    assert!(!p.contains_key("code"));
    // And nothing was remembered: asking again shows the consent page.
    let again = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("value=\"allow\""));
}

#[tokio::test]
async fn a_wrong_password_shows_the_page_again_and_the_app_never_sees_the_password() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge);
    let html = browser.get(&format!("/oauth/authorize?{query}")).await.text().await.unwrap();
    assert!(html.contains("Sổ tay chi hội") && html.contains("Công ty phần mềm Mê Kông"), "the page names the app");
    let response = sign_in(&browser, &html, "ray", "wrong password").await;
    assert_eq!(response.status(), StatusCode::OK);
    let again = response.text().await.unwrap();
    assert!(again.contains("Tên đăng nhập hoặc mật khẩu không đúng"), "{again}");
    assert!(!again.contains("wrong password"), "the typed password is not echoed");
    // Signing in again with the right one works from the re-shown page.
    let signed = sign_in(&browser, &again, "ray", PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_officer_who_must_change_her_password_does_it_before_consenting() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let user = admin
        .create(
            "/api/v1/users",
            &serde_json::json!({"username": "moi", "display_name": "Cán bộ mới", "home_unit_id": fx.branch,
                                "password": PASSWORD, "must_change_password": true}),
        )
        .await;
    let id = user["id"].as_str().unwrap();
    admin
        .create(
            &format!("/api/v1/users/{id}/roles"),
            &serde_json::json!({"role": "branch_head", "org_unit_id": fx.branch}),
        )
        .await;
    let browser = Browser::new(&app);
    let (verifier, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge);
    let html = browser.get(&format!("/oauth/authorize?{query}")).await.text().await.unwrap();
    let signed = sign_in(&browser, &html, "moi", PASSWORD).await;
    let page = follow(&browser, signed).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"new_password\""), "the password page comes first: {html}");
    let request = super::flow::input(&html, "request");
    let csrf = super::flow::input(&html, "csrf");
    let new = "Mật-khẩu-mới-của-chị-2026";
    let mismatch = browser
        .post_form(
            "/oauth/password",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", new),
                ("new_password_again", "other"),
            ],
        )
        .await;
    assert!(mismatch.text().await.unwrap().contains("không khớp"));
    let changed = browser
        .post_form(
            "/oauth/password",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", new),
                ("new_password_again", new),
            ],
        )
        .await;
    let consent = follow(&browser, changed).await.text().await.unwrap();
    assert!(consent.contains("value=\"allow\""), "then the consent page: {consent}");
    let back = decide(&browser, &consent, "allow").await;
    let code = params(&location(&back))["code"].clone();
    assert_eq!(exchange(&fx, &code, &verifier).await.status(), StatusCode::OK);
    assert_eq!(app.login("moi", new).await.status(), StatusCode::OK, "the new password is hers now");
}

#[tokio::test]
async fn prompt_none_fails_instead_of_showing_a_page() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let query =
        format!("{}&prompt=none", authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge));
    let response = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(params(&location(&response))["error"], "login_required");
    // Signed in and consented: prompt=none gives a code straight away.
    code_for(&fx, &browser, "members:read").await;
    let response = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert!(params(&location(&response)).contains_key("code"));
}
