//! The token endpoint: codes single use and short-lived, bound to the app, the redirect URI and
//! the PKCE verifier; refresh tokens rotated, a reused one ending the grant; scopes never
//! widened; answers never cached. And what the tokens reach.

use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::flow::{Browser, LOOPBACK_REDIRECT, code_for, exchange, fixture, register, token, tokens};
use crate::helpers::spawn_app;

async fn error_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_code_works_once_and_its_reuse_revokes_what_it_gave() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let browser = Browser::new(&app);
    let (code, verifier) = code_for(&fx, &browser, "members:read").await;
    let response = exchange(&fx, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store", "token responses are never cached");
    let issued: Value = response.json().await.unwrap();
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["scope"], "members:read");
    let access = issued["access_token"].as_str().unwrap();
    assert_eq!(
        app.with_token(access).get(&format!("/api/v1/members?unit={}", fx.branch)).await.status(),
        StatusCode::OK
    );

    // The code again (an attacker who caught it): refused, and the tokens it gave die.
    assert_eq!(
        error_of(exchange(&fx, &code, &verifier).await).await,
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    assert_eq!(app.with_token(access).get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let refreshed = token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", issued["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
        ],
    )
    .await;
    assert_eq!(error_of(refreshed).await.1, "invalid_grant");
}

#[tokio::test]
async fn a_code_is_bound_to_its_app_redirect_uri_and_verifier_and_lives_sixty_seconds() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let other = register(&admin, &fx.commune, "members:read", "none").await;
    let other_id = other["client_id"].as_str().unwrap();
    let browser = Browser::new(&app);

    let (code, verifier) = code_for(&fx, &browser, "members:read").await;
    let by_other_app = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("client_id", other_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(error_of(by_other_app).await.1, "invalid_grant", "another app cannot use the code");
    // ... and that did not spend it: the right app still can.
    assert_eq!(exchange(&fx, &code, &verifier).await.status(), StatusCode::OK);

    let (code, verifier) = code_for(&fx, &browser, "members:read").await;
    let other_redirect = token(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "vn.hoilhpn.sotay:/oauth/callback"),
            ("client_id", &fx.client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(error_of(other_redirect).await.1, "invalid_grant");
    assert_eq!(error_of(exchange(&fx, &code, &verifier).await).await.1, "invalid_grant", "one try per code");

    // Verifiers: missing, of the wrong length or characters, or simply another.
    for bad in ["", "short", &"a".repeat(129), &format!("{}%", "a".repeat(50)), &super::flow::pkce().0] {
        let (code, _) = code_for(&fx, &browser, "members:read").await;
        let mut fields = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("client_id", fx.client_id.as_str()),
        ];
        if !bad.is_empty() {
            fields.push(("code_verifier", bad));
        }
        assert_eq!(error_of(token(&app, &fields).await).await.1, "invalid_grant", "verifier {bad:?}");
    }

    // Sixty seconds: a code past its time is refused.
    let (code, verifier) = code_for(&fx, &browser, "members:read").await;
    let mut db = app.db().await;
    diesel::sql_query("UPDATE oauth_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(error_of(exchange(&fx, &code, &verifier).await).await.1, "invalid_grant");
    let lifetime: Vec<Lifetime> =
        diesel::sql_query("SELECT max(expires_at - created_at) <= interval '60 seconds' AS short FROM oauth_codes")
            .load(&mut db)
            .await
            .unwrap();
    assert!(lifetime[0].short, "codes are issued for at most 60 s");
}

#[derive(diesel::QueryableByName)]
struct Lifetime {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    short: bool,
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_whole_grant() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let first = tokens(&fx, "members:read me:read").await;
    let refresh = |token_value: String| {
        let client_id = fx.client_id.clone();
        let app = &app;
        async move {
            token(app, &[("grant_type", "refresh_token"), ("refresh_token", &token_value), ("client_id", &client_id)])
                .await
        }
    };
    let second = refresh(first["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(second.headers()["cache-control"], "no-store");
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"], "a new refresh token each time");
    assert_eq!(second["scope"], "members:read me:read");
    let live = second["access_token"].as_str().unwrap();
    assert_eq!(app.with_token(live).get("/api/v1/me").await.status(), StatusCode::OK);

    // The first refresh token again: it leaked. The whole family dies, the newest included.
    let reused = refresh(first["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(error_of(reused).await.1, "invalid_grant");
    assert_eq!(app.with_token(live).get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(refresh(second["refresh_token"].as_str().unwrap().to_owned()).await).await.1, "invalid_grant");
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_never_widen_it() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let issued = tokens(&fx, "members:read me:read").await;
    let wider = token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", issued["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
            ("scope", "members:read members:write me:read"),
        ],
    )
    .await;
    assert_eq!(error_of(wider).await.1, "invalid_scope");
    // The refused try did not spend the token; narrowing works and stays narrow.
    let narrower = token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", issued["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
            ("scope", "me:read"),
        ],
    )
    .await;
    assert_eq!(narrower.status(), StatusCode::OK);
    let narrower: Value = narrower.json().await.unwrap();
    assert_eq!(narrower["scope"], "me:read");
    let access = narrower["access_token"].as_str().unwrap();
    assert_eq!(
        app.with_token(access).get(&format!("/api/v1/members?unit={}", fx.branch)).await.status(),
        StatusCode::FORBIDDEN
    );
    let again = token(
        &app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", narrower["refresh_token"].as_str().unwrap()),
            ("client_id", &fx.client_id),
            ("scope", "members:read me:read"),
        ],
    )
    .await;
    assert_eq!(error_of(again).await.1, "invalid_scope", "what was narrowed stays narrow");
}

#[tokio::test]
async fn an_apps_token_reaches_only_its_scopes_its_unit_and_never_the_officers_credentials() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    // The officer also heads a branch of another commune: the app (registered on the first
    // commune) must not reach it through her.
    let elsewhere_commune = app.unit(crate::helpers::ROOT_UNIT, "commune", "Xã khác").await;
    let elsewhere = app.unit(&elsewhere_commune, "branch", "Chi hội ấp Khác").await;
    let ray: Value = admin.get("/api/v1/users?limit=200").await.json().await.unwrap();
    let ray_id = ray["items"].as_array().unwrap().iter().find(|u| u["username"] == "ray").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .create(&format!("/api/v1/users/{ray_id}/roles"), &json!({"role": "branch_head", "org_unit_id": elsewhere}))
        .await;

    let issued = tokens(&fx, "members:read me:read").await;
    let access = issued["access_token"].as_str().unwrap();
    let as_app = app.with_token(access);
    assert_eq!(as_app.get(&format!("/api/v1/members?unit={}", fx.branch)).await.status(), StatusCode::OK);
    let outside = as_app.get(&format!("/api/v1/members?unit={elsewhere}")).await.status();
    assert!(outside == StatusCode::NOT_FOUND || outside == StatusCode::FORBIDDEN, "outside the app's unit: {outside}");
    // No members:write in the grant: writing is refused although her role allows it.
    let write = as_app
        .post_json(
            "/api/v1/members",
            &json!({"unit_id": fx.branch, "family_name": "Trần", "given_name": "An", "joined_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
    // Her own credentials are hers: no API tokens, no password change through an app.
    assert_eq!(as_app.get("/api/v1/api-tokens").await.status(), StatusCode::FORBIDDEN);
    let password = as_app
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": crate::helpers::PASSWORD, "new_password": "Một-mật-khẩu-khác-2026"}),
        )
        .await;
    assert_eq!(password.status(), StatusCode::FORBIDDEN);
    assert_eq!(as_app.get("/api/v1/me/authorized-apps").await.status(), StatusCode::FORBIDDEN);
    // What she does through the app names the app in the audit trail.
    let me: Value = as_app.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "ray");
}

#[tokio::test]
async fn a_confidential_app_authenticates_with_its_secret_as_it_registered() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let admin = app.admin().await;
    let server_app = register(&admin, &fx.commune, "members:read", "client_secret_basic").await;
    let client_id = server_app["client_id"].as_str().unwrap();
    let secret = server_app["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("chs_"));
    let fixture_of_server = super::flow::Fixture { client_id: client_id.to_owned(), ..fx };
    let browser = Browser::new(&app);
    let (code, verifier) = code_for(&fixture_of_server, &browser, "members:read").await;
    let form = |with_id: bool| {
        let mut fields = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", LOOPBACK_REDIRECT.to_owned()),
            ("code_verifier", verifier.clone()),
        ];
        if with_id {
            fields.push(("client_id", client_id.to_owned()));
        }
        form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
    };
    // Without its secret (as if public): refused.
    let bare = app
        .request(reqwest::Method::POST, "/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(true))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(bare).await, (StatusCode::UNAUTHORIZED, "invalid_client".into()));
    // The secret in the body when it registered Basic: refused.
    let posted = app
        .request(reqwest::Method::POST, "/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{}&client_secret={secret}", form(true)))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(posted).await.1, "invalid_client");
    // With Basic: tokens.
    let basic = app
        .request(reqwest::Method::POST, "/oauth/token")
        .basic_auth(client_id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(false))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_token_endpoint_takes_only_forms_and_machine_clients_keep_their_grant() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let json =
        app.post_json("/oauth/token", &json!({"grant_type": "authorization_code", "client_id": fx.client_id})).await;
    assert_eq!(error_of(json).await.1, "invalid_request");
    // client_credentials works here as at /api/v1/auth/token.
    let admin = app.admin().await;
    let client =
        admin.create("/api/v1/machine-clients", &json!({"name": "Hệ thống tỉnh", "org_unit_id": fx.commune})).await;
    let response = token(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client["id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let wrong = token(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client["id"].as_str().unwrap()),
            ("client_secret", "chs_wrong"),
        ],
    )
    .await;
    assert_eq!(error_of(wrong).await, (StatusCode::UNAUTHORIZED, "invalid_client".into()));
}
