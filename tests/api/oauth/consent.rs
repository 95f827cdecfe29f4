//! The consent page: what it says (the app, its owner, each scope in plain Vietnamese with the
//! units it reaches), remembered per app and scope set, asked again for a new scope, and its
//! form bound to the browser it was shown in (CSRF).

use reqwest::StatusCode;

use super::flow::{
    Browser, LOOPBACK_REDIRECT, authorize_query, code_for, decide, fixture, follow, input, location, pkce, sign_in,
};
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn the_consent_page_names_the_app_its_owner_and_each_scope_with_the_units_it_reaches() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read me:read", "s", &challenge);
    let login = browser.get(&format!("/oauth/authorize?{query}")).await;
    let headers = login.headers().clone();
    let html = login.text().await.unwrap();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(!html.contains("<script") && !html.contains("src=\"http"), "no script, nothing loaded from elsewhere");
    assert!(html.len() < 8 * 1024, "a page for 3G: {} bytes", html.len());
    assert!(html.contains("lang=\"vi\""));

    let signed = sign_in(&browser, &html, "ray", PASSWORD).await;
    let consent = follow(&browser, signed).await.text().await.unwrap();
    assert!(consent.contains("Sổ tay chi hội"), "{consent}");
    assert!(consent.contains("Công ty phần mềm Mê Kông"));
    assert!(consent.contains("Xem danh sách hội viên — Chi hội ấp Rẫy"), "{consent}");
    assert!(consent.contains("Xem thông tin tài khoản của bạn — của chính bạn"), "{consent}");

    // English on request.
    let english = browser.get(&format!("/oauth/authorize?{query}&ui_locales=en")).await.text().await.unwrap();
    assert!(english.contains("See the list of members — Chi hội ấp Rẫy"), "{english}");
    assert!(english.contains("lang=\"en\""));
}

#[tokio::test]
async fn consent_is_remembered_per_app_and_scopes_and_asked_again_for_a_new_scope() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    code_for(&fx, &browser, "members:read").await;
    // The same scopes (or fewer): straight back with a code, no page.
    for scope in ["members:read", ""] {
        let (_, challenge) = pkce();
        let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge)
            .replace("scope=members%3Aread", &format!("scope={}", scope.replace(':', "%3A")));
        if scope.is_empty() {
            // No scope: the app's own (members:read members:write me:read), more than allowed.
            let page = browser.get(&format!("/oauth/authorize?{query}")).await;
            assert_eq!(page.status(), StatusCode::OK, "more than consented: asked");
            continue;
        }
        let response = browser.get(&format!("/oauth/authorize?{query}")).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert!(location(&response).contains("code="));
    }
    // A new scope: the consent page again, naming it.
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read members:write", "s", &challenge);
    let page = browser.get(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Thêm, sửa hội viên"), "{html}");
    let back = decide(&browser, &html, "allow").await;
    assert!(location(&back).contains("code="));
    // Now both are remembered.
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:write", "s", &challenge);
    assert_eq!(browser.get(&format!("/oauth/authorize?{query}")).await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn a_consent_form_from_another_browser_or_site_is_refused() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let victim = Browser::new(&app);
    let (_, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &challenge);
    let html = victim.get(&format!("/oauth/authorize?{query}")).await.text().await.unwrap();
    let signed = sign_in(&victim, &html, "ray", PASSWORD).await;
    let consent = follow(&victim, signed).await.text().await.unwrap();
    let request = input(&consent, "request");
    let csrf = input(&consent, "csrf");

    // A page elsewhere posting the form into her browser: the browser sends her cookies but
    // says where the form came from.
    let forged = victim
        .post_form_with(
            "/oauth/consent",
            &[("request", &request), ("csrf", &csrf), ("decision", "allow")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get("location").is_none());
    // A token made for another request (the attacker's own, with his challenge).
    let (_, his_challenge) = pkce();
    let his_request = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, "members:read", "s", &his_challenge);
    let swapped =
        victim.post_form("/oauth/consent", &[("request", &his_request), ("csrf", &csrf), ("decision", "allow")]).await;
    assert_eq!(swapped.status(), StatusCode::FORBIDDEN);
    // No token, or one from another browser (without this browser's anti-forgery cookie).
    let bare = victim.post_form("/oauth/consent", &[("request", &request), ("csrf", ""), ("decision", "allow")]).await;
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    victim.forget_cookie("chihoi_csrf");
    let other_browser =
        victim.post_form("/oauth/consent", &[("request", &request), ("csrf", &csrf), ("decision", "allow")]).await;
    assert_eq!(other_browser.status(), StatusCode::FORBIDDEN);
    // Nothing was consented.
    let mut db = app.db().await;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Count> = diesel::sql_query("SELECT count(*) AS n FROM oauth_consents").load(&mut db).await.unwrap();
    assert_eq!(rows[0].n, 0);
}
