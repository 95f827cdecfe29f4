//! Every malformed, forged, expired or misdirected token is a 401; only a well-formed token of a
//! live session gets through.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chihoi::auth::jwt::{Claims, JwtKeys};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::app::TEST_JWT_SECRET;
use crate::helpers::{TestApp, assert_problem, spawn_app};

fn keys(kid: &str, secret: &[u8], issuer: &str, audience: &str) -> JwtKeys {
    JwtKeys::new(&[(kid.to_owned(), secret.to_vec())], issuer, audience).unwrap()
}

fn claims_for(session: &crate::helpers::Session, app_token: &str) -> Claims {
    // Start from the claims of a real token, so each forgery differs in one thing only.
    let payload = app_token.split('.').nth(1).unwrap();
    let mut claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims.sub, session.user_id.to_string());
    claims.jti = uuid::Uuid::now_v7().to_string();
    claims
}

async fn status_with(app: &TestApp, token: &str) -> StatusCode {
    app.with_token(token).get("/api/v1/me").await.status()
}

#[tokio::test]
async fn forged_and_misdirected_tokens_are_refused() {
    let app = spawn_app().await;
    app.admin().await;
    let session = app.session("root-admin").await;
    assert_eq!(status_with(&app, &session.access_token).await, StatusCode::OK);
    let genuine = keys("test-1", TEST_JWT_SECRET, "chihoi", "chihoi-api");
    let base = claims_for(&session, &session.access_token);

    // Re-signed with the real key and unchanged claims: accepted (the harness forges correctly).
    assert_eq!(status_with(&app, &genuine.sign(&base).unwrap()).await, StatusCode::OK);

    let mut expired = base.clone();
    expired.exp = chrono::Utc::now().timestamp() - 120;
    expired.iat = expired.exp - 900;
    let mut wrong_typ = base.clone();
    wrong_typ.typ = "refresh".into();
    let mut other_user = base.clone();
    other_user.sub = uuid::Uuid::now_v7().to_string();
    let mut old_version = base.clone();
    old_version.ver -= 1;
    let mut no_session = base.clone();
    no_session.sid = None;
    let mut wrong_audience = base.clone();
    wrong_audience.aud = "another-api".into();
    let mut wrong_issuer = base.clone();
    wrong_issuer.iss = "someone-else".into();

    let forged = [
        ("expired", genuine.sign(&expired).unwrap()),
        ("wrong audience", genuine.sign(&wrong_audience).unwrap()),
        ("wrong issuer", genuine.sign(&wrong_issuer).unwrap()),
        ("unknown kid", keys("test-9", TEST_JWT_SECRET, "chihoi", "chihoi-api").sign(&base).unwrap()),
        (
            "other key",
            keys("test-1", b"another-secret-that-is-long-enough-000", "chihoi", "chihoi-api").sign(&base).unwrap(),
        ),
        ("wrong token type", genuine.sign(&wrong_typ).unwrap()),
        ("unknown subject", genuine.sign(&other_user).unwrap()),
        ("stale token version", genuine.sign(&old_version).unwrap()),
        ("no session", genuine.sign(&no_session).unwrap()),
        ("alg none", alg_none(&base)),
        ("HS512", other_algorithm(&base)),
        ("RS256 header", with_header(&session.access_token, json!({"alg": "RS256", "typ": "JWT", "kid": "test-1"}))),
        ("tampered payload", tampered(&session.access_token)),
        ("refresh token as access token", session.refresh_token.clone()),
        ("garbage", "not.a.jwt".into()),
        ("unknown API token", "chh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
    ];
    for (what, token) in forged {
        let response = app.with_token(&token).get("/api/v1/me").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            response.headers().get("www-authenticate").map(|v| v.to_str().unwrap()),
            Some("Bearer realm=\"chihoi\""),
            "{what}"
        );
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // The genuine token still works after all that.
    assert_eq!(status_with(&app, &session.access_token).await, StatusCode::OK);
}

#[tokio::test]
async fn requests_without_credentials_are_401() {
    let app = spawn_app().await;
    for path in ["/api/v1/me", "/api/v1/users", "/api/v1/org-units", "/api/v1/settings", "/api/v1/audit-events"] {
        assert_problem(app.get(path).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let basic = app
        .request(reqwest::Method::GET, "/api/v1/me")
        .header("authorization", "Basic cm9vdDpyb290")
        .send()
        .await
        .unwrap();
    assert_problem(basic, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn alg_none(claims: &Claims) -> String {
    let header = encode_json(&json!({"alg": "none", "typ": "JWT", "kid": "test-1"}));
    format!("{header}.{}.", encode_json(&serde_json::to_value(claims).unwrap()))
}

fn other_algorithm(claims: &Claims) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
    header.kid = Some("test-1".into());
    jsonwebtoken::encode(&header, claims, &jsonwebtoken::EncodingKey::from_secret(TEST_JWT_SECRET).unwrap()).unwrap()
}

fn with_header(token: &str, header: Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[0] = encode_json(&header);
    parts.join(".")
}

fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
    parts[1] = encode_json(&claims);
    parts.join(".")
}
