//! Idempotency-Key on POST: replay, reuse with another body, concurrent duplicates, expiry.

use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{As, TestApp, assert_problem, field_error, spawn_app};

async fn post_with_key(admin: &As<'_>, key: &str, body: &Value) -> reqwest::Response {
    admin.request(Method::POST, "/api/v1/settings").header("Idempotency-Key", key).json(body).send().await.unwrap()
}

async fn count_settings(admin: &As<'_>) -> usize {
    let page: Value = admin.get("/api/v1/settings").await.json().await.unwrap();
    page["items"].as_array().unwrap().len()
}

/// POSTs `body` with `key` while a lock holds its insert back: returns the lock's transaction
/// (commit it to let the request finish) and the request, once it has claimed its key.
async fn held_in_progress(
    app: &TestApp,
    admin: &As<'_>,
    key: &str,
    body: &Value,
) -> (diesel_async::AsyncPgConnection, tokio::task::JoinHandle<reqwest::Response>) {
    let mut blocker = app.db().await;
    AnsiTransactionManager::begin_transaction(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE instance_settings IN EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();
    let first = {
        let (client, url, body, token) =
            (app.client.clone(), app.url("/api/v1/settings"), body.clone(), admin.token.clone());
        let key = key.to_owned();
        tokio::spawn(async move {
            client.post(url).bearer_auth(token).header("Idempotency-Key", key).json(&body).send().await.unwrap()
        })
    };
    let mut claimed = false;
    for _ in 0..100 {
        let mut probe = app.db().await;
        let rows = diesel::sql_query("SELECT 1 FROM idempotency_keys WHERE key = $1")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(&mut probe)
            .await
            .unwrap();
        if rows == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(claimed, "the first request claimed its key");
    (blocker, first)
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

    let (mut blocker, first) = held_in_progress(&app, &admin, "dup-1", &body).await;

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

/// A failover cuts the connection of a write in progress: its claim cannot be released, and the
/// client's retry must go through at once rather than meet 409 for a minute.
#[tokio::test]
async fn a_claim_whose_database_session_died_is_taken_over_by_the_retry() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"key": "activities.monthly_minimum", "value": 1});
    let (mut blocker, first) = held_in_progress(&app, &admin, "cut-1", &body).await;
    let mut probe = app.db().await;
    let cut =
        diesel::sql_query("SELECT pg_terminate_backend(claimed_by_pid) FROM idempotency_keys WHERE key = 'cut-1'")
            .execute(&mut probe)
            .await
            .unwrap();
    assert_eq!(cut, 1, "the first request claimed its key and its session was cut");
    let first = first.await.unwrap();
    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE, "a cut connection is a 503 to retry");
    let left: i64 = diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM idempotency_keys WHERE key = 'cut-1' AND response_status IS NULL)",
    ))
    .get_result(&mut probe)
    .await
    .unwrap();
    assert_eq!(left, 1, "the claim could not be released over the dead connection");
    AnsiTransactionManager::commit_transaction(&mut blocker).await.unwrap();

    let retry = post_with_key(&admin, "cut-1", &body).await;
    assert_eq!(retry.status(), StatusCode::CREATED, "the retry takes the abandoned claim over");
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

/// A branch head on weak 3G repeats her requests: each write happens once, and the retry gets
/// the first answer back (the new member's id, the contact, the decided transfer).
#[tokio::test]
async fn registry_writes_happen_once_however_often_they_are_sent() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = crate::members::tree(&app).await;
    let member = crate::members::member(&admin, &t.branch, "Nguyễn", "Thị", "Hòa").await;
    let id = member["id"].as_str().unwrap();
    let send = async |path: &str, key: &str, body: &Value| {
        admin.request(Method::POST, path).header("Idempotency-Key", key).json(body).send().await.unwrap()
    };

    let visit = json!({"method": "home_visit", "note": "Hỏi thăm"});
    let first: Value = send(&format!("/api/v1/members/{id}/contacts"), "visit-1", &visit).await.json().await.unwrap();
    let retry = send(&format!("/api/v1/members/{id}/contacts"), "visit-1", &visit).await;
    assert_eq!(retry.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], first["id"]);
    let contacts: Value = admin.get(&format!("/api/v1/members/{id}/contacts")).await.json().await.unwrap();
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1);

    let prospect = admin
        .create(
            "/api/v1/prospects",
            &json!({"family_name": "Lê", "given_name": "Mai", "birth_year": 1999, "unit_id": t.branch}),
        )
        .await;
    let convert = format!("/api/v1/prospects/{}/convert", prospect["id"].as_str().unwrap());
    let joined = send(&convert, "join-1", &json!({"joined_on": "2026-03-08"})).await;
    assert_eq!(joined.status(), StatusCode::CREATED);
    let joined: Value = joined.json().await.unwrap();
    let again = send(&convert, "join-1", &json!({"joined_on": "2026-03-08"})).await;
    assert_eq!(again.status(), StatusCode::CREATED, "a retry is not a conflict");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], joined["id"]);

    let position = json!({"member_id": id, "kind": "branch_head", "started_on": "2025-01-01"});
    let path = format!("/api/v1/org-units/{}/positions", t.branch);
    send(&path, "head-1", &position).await;
    send(&path, "head-1", &position).await;
    let held: Value = admin.get(&path).await.json().await.unwrap();
    assert_eq!(held.as_array().unwrap().len(), 1, "one branch head, not two");
}

#[test]
fn every_creating_operation_accepts_an_idempotency_key() {
    let doc: Value = serde_json::from_str(&chihoi::openapi::document_json()).unwrap();
    // Session and token endpoints answer with fresh secrets by design; imports are deduplicated
    // row by row; tree changes refuse a second application (409) and are rare admin acts.
    let exempt = [
        "create_session",
        "refresh_session",
        "delete_session",
        "create_client_token",
        "create_member_import",
        "update_my_password",
        "reset_user_password",
        "create_machine_client_secret",
        "replace_member_photo",
        "replace_member_profile",
        "rename_org_unit",
        "move_org_unit",
        "close_org_unit",
        "merge_org_unit",
        "split_org_unit",
        // Each operation of a batch carries its own key; the batch only relays them.
        "run_batch",
        // Replaying a delivery again only schedules the same event again (receivers deduplicate).
        "replay_webhook_delivery",
        // A second run finds nothing due: repeating it changes nothing.
        "run_privacy_retention",
        // A new secret each time, like a machine client's.
        "create_oauth_app_secret",
        // Asking twice to cancel a job asks the same thing (the first request's time is kept).
        "cancel_job",
        // OAuth's protocol endpoints and the forms of its pages: their own rules make a retry
        // safe or refused (a code works once, a refresh token rotates, a form token names its
        // request), and OAuth clients send no such header.
        "create_oauth_signin",
        "update_oauth_password",
        "create_oauth_consent",
        "delete_oauth_signin",
        "create_oauth_token",
        "create_oauth_revocation",
        "create_oauth_introspection",
    ];
    for (path, item) in doc["paths"].as_object().unwrap() {
        if let Some(post) = item.get("post") {
            let id = post["operationId"].as_str().unwrap();
            let has_key = post["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
            assert!(has_key || exempt.contains(&id), "POST {path} ({id}) takes no Idempotency-Key");
        }
    }
}
