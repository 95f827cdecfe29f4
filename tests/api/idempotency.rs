//! Idempotency-Key on POST: replay, reuse with another body, concurrent duplicates, expiry.

use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, field_error, spawn_app};

async fn post_with_key(admin: &As<'_>, key: &str, body: &Value) -> reqwest::Response {
    admin.request(Method::POST, "/api/v1/settings").header("Idempotency-Key", key).json(body).send().await.unwrap()
}

async fn count_settings(admin: &As<'_>) -> usize {
    let page: Value = admin.get("/api/v1/settings").await.json().await.unwrap();
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_retry_replays_the_first_response() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"key": "pairs.max_active_per_mentor", "value": 3});
    let first = post_with_key(&admin, "retry-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_etag = first.headers().get("etag").unwrap().clone();
    let first_body: Value = first.json().await.unwrap();

    let retry = post_with_key(&admin, "retry-1", &body).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(retry.headers().get("etag").unwrap(), &first_etag);
    assert_eq!(retry.headers().get("location").unwrap(), "/api/v1/settings/pairs.max_active_per_mentor");
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(count_settings(&admin).await, 1, "the retry created nothing");

    // Without a key the same body is a new request, which conflicts.
    let again = admin.post_json("/api/v1/settings", &body).await;
    assert_problem(again, StatusCode::CONFLICT, "setting_exists").await;
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    post_with_key(&admin, "k-1", &json!({"key": "a.one", "value": 1})).await;
    let reused = post_with_key(&admin, "k-1", &json!({"key": "a.two", "value": 2})).await;
    assert_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    assert_eq!(count_settings(&admin).await, 1);
}

#[tokio::test]
async fn keys_are_per_request_path_and_validated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let too_long = "k".repeat(256);
    let response = post_with_key(&admin, &too_long, &json!({"key": "a.one", "value": 1})).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "Idempotency-Key")["code"], "invalid_format");
    assert_eq!(count_settings(&admin).await, 0);
}

#[tokio::test]
async fn a_concurrent_duplicate_gets_409_and_a_later_retry_the_result() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"key": "activities.monthly_minimum", "value": 1});

    // Hold a lock that the first request's insert must wait for, so it stays in progress.
    let mut blocker = app.db().await;
    AnsiTransactionManager::begin_transaction(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE instance_settings IN EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();

    let first = {
        let client = app.client.clone();
        let url = app.url("/api/v1/settings");
        let body = body.clone();
        let token = admin.token.clone();
        tokio::spawn(async move {
            client.post(url).bearer_auth(token).header("Idempotency-Key", "dup-1").json(&body).send().await.unwrap()
        })
    };
    // Wait until the first request holds its claim.
    let mut claimed = false;
    for _ in 0..100 {
        let mut probe = app.db().await;
        let rows =
            diesel::sql_query("SELECT 1 FROM idempotency_keys WHERE key = 'dup-1'").execute(&mut probe).await.unwrap();
        if rows == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(claimed, "the first request claimed its key");

    let duplicate = post_with_key(&admin, "dup-1", &body).await;
    assert_eq!(duplicate.headers().get("retry-after").unwrap(), "1");
    assert_problem(duplicate, StatusCode::CONFLICT, "idempotency_in_progress").await;

    AnsiTransactionManager::commit_transaction(&mut blocker).await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let retry = post_with_key(&admin, "dup-1", &body).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(count_settings(&admin).await, 1);
}

#[tokio::test]
async fn a_failed_request_releases_its_key() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.post_json("/api/v1/settings", &json!({"key": "taken.key", "value": 1})).await;
    let body = json!({"key": "taken.key", "value": 2});
    let conflict = post_with_key(&admin, "after-fix", &body).await;
    assert_problem(conflict, StatusCode::CONFLICT, "setting_exists").await;

    // The conflict is resolved; the same key and body now go through.
    let current = admin.get("/api/v1/settings/taken.key").await;
    let etag = current.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    assert_eq!(admin.delete("/api/v1/settings/taken.key", Some(&etag)).await.status(), StatusCode::NO_CONTENT);
    let retried = post_with_key(&admin, "after-fix", &body).await;
    assert_eq!(retried.status(), StatusCode::CREATED);
    assert!(retried.headers().get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn expired_keys_can_be_used_again() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    post_with_key(&admin, "old-key", &json!({"key": "a.one", "value": 1})).await;
    let mut db = app.db().await;
    diesel::sql_query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
        .execute(&mut db)
        .await
        .unwrap();
    let fresh = post_with_key(&admin, "old-key", &json!({"key": "a.two", "value": 2})).await;
    assert_eq!(fresh.status(), StatusCode::CREATED);
    assert!(fresh.headers().get("idempotent-replayed").is_none());
    assert_eq!(count_settings(&admin).await, 2);
    let expires: Vec<Expiry> = diesel::sql_query(
        "SELECT (expires_at > now() + interval '23 hours') AS later FROM idempotency_keys WHERE key = 'old-key'",
    )
    .load(&mut db)
    .await
    .unwrap();
    assert!(expires[0].later, "keys are kept at least a day");
}

#[derive(diesel::QueryableByName)]
struct Expiry {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    later: bool,
}
