//! Idempotency records hold no secret and replay only to the credential that made them.

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[derive(diesel::QueryableByName)]
struct Body {
    #[diesel(sql_type = Text)]
    body: String,
}

#[tokio::test]
async fn idempotency_records_hold_no_secret_and_replay_only_to_their_credential() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // Two API tokens of the same owner.
    let first = admin
        .create("/api/v1/api-tokens", &json!({"name": "một", "scopes": ["org_units:read", "org_units:write"]}))
        .await;
    let second = admin
        .create("/api/v1/api-tokens", &json!({"name": "hai", "scopes": ["org_units:read", "org_units:write"]}))
        .await;
    let create_token = async |key: &str| {
        admin
            .request(Method::POST, "/api/v1/api-tokens")
            .header("Idempotency-Key", key)
            .json(&json!({"name": "ba", "scopes": ["org_units:read"]}))
            .send()
            .await
            .unwrap()
    };
    let made = create_token("key-secret-1").await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    // The stored record never holds the secret.
    let mut db = app.db().await;
    let stored: Vec<Body> =
        diesel::sql_query("SELECT convert_from(response_body, 'UTF8') AS body FROM idempotency_keys")
            .load(&mut db)
            .await
            .unwrap();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|r| !r.body.contains(&secret) && !r.body.contains("chh_")), "no secret at rest");
    // A replay says it was done, without the secret.
    let replay = create_token("key-secret-1").await;
    let problem = assert_problem(replay, StatusCode::CONFLICT, "secret_not_replayed").await;
    assert!(!problem.to_string().contains(&secret));

    // A record made by one API token is not replayed to another of the same owner.
    let with = |token: &Value, key: &'static str, name: &'static str| {
        app.request(Method::POST, "/api/v1/org-units")
            .bearer_auth(token["secret"].as_str().unwrap())
            .header("Idempotency-Key", key)
            .json(&json!({"parent_id": crate::helpers::ROOT_UNIT, "level": "province", "name": name, "valid_from": "2000-01-01"}))
            .send()
    };
    assert_eq!(with(&first, "shared-key", "Tỉnh A").await.unwrap().status(), StatusCode::CREATED);
    let again = with(&first, "shared-key", "Tỉnh A").await.unwrap();
    assert_eq!(
        again.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap()),
        Some("true"),
        "its own retry replays"
    );
    let other = with(&second, "shared-key", "Tỉnh A").await.unwrap();
    assert!(other.headers().get("idempotent-replayed").is_none(), "not a replay of the other token's response");
    assert_eq!(other.status(), StatusCode::CREATED, "the other token's request is its own");
}
