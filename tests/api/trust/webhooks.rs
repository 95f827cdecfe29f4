//! Webhooks stop when their owner loses standing: an account disabled or stripped of its role
//! over the unit, a machine client disabled. Each delivery checks the owner first.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, TestApp, spawn_app_with};
use crate::webhooks::{fast, receiver};

async fn join(app: &TestApp, branch: &str, given: &str) {
    app.admin()
        .await
        .create(
            "/api/v1/members",
            &json!({"family_name": "Nguyễn", "given_name": given, "birth_year": 1980, "joined_on": "2026-11-01", "unit_id": branch}),
        )
        .await;
}

/// The subscription's status and note, read in the database (only its owner sees it by API).
async fn status_of(app: &TestApp, hook: &str) -> Value {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status_note: String,
    }
    let mut db = app.db().await;
    let row: Row = diesel::sql_query("SELECT status, status_note FROM webhooks WHERE id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(hook)
        .get_result(&mut db)
        .await
        .unwrap();
    json!({"status": row.status, "status_note": row.status_note})
}

#[tokio::test]
async fn webhooks_stop_when_their_owner_is_disabled() {
    let app = spawn_app_with(fast).await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;

    // A person's subscription: delivered while she is active, paused once she is disabled.
    let officer = app.user_with_role("officer-hook", &commune, "commune_officer").await;
    let session = app.session("officer-hook").await;
    let (url, log) = receiver(0).await;
    let created = app
        .with_token(&session.access_token)
        .create("/api/v1/webhooks", &json!({"unit_id": commune, "url": url, "events": ["member.joined"]}))
        .await;
    let hook = created["webhook"]["id"].as_str().unwrap().to_owned();
    join(&app, &branch, "Một").await;
    for _ in 0..100 {
        if !log.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(log.lock().unwrap().len(), 1, "delivered while the owner is active");
    let disabled =
        admin.patch_json(&format!("/api/v1/users/{officer}"), Some("*"), &json!({"status": "disabled"})).await;
    assert_eq!(disabled.status(), reqwest::StatusCode::OK);
    join(&app, &branch, "Hai").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(log.lock().unwrap().len(), 1, "nothing after the owner was disabled");
    let hook_now = status_of(&app, &hook).await;
    assert_eq!(hook_now["status"], "disabled", "{hook_now}");
    assert!(hook_now["status_note"].as_str().unwrap().contains("owner"), "{hook_now}");

    // A machine client's subscription, likewise.
    let (id, token) = app.machine_client(&commune).await;
    let (url, log) = receiver(0).await;
    let created = app
        .with_token(&token)
        .create("/api/v1/webhooks", &json!({"unit_id": commune, "url": url, "events": ["member.joined"]}))
        .await;
    let hook = created["webhook"]["id"].as_str().unwrap().to_owned();
    let off =
        admin.patch_json(&format!("/api/v1/machine-clients/{id}"), Some("*"), &json!({"status": "disabled"})).await;
    assert_eq!(off.status(), reqwest::StatusCode::OK);
    join(&app, &branch, "Ba").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(log.lock().unwrap().is_empty(), "nothing to a disabled machine client's endpoint");
    assert_eq!(status_of(&app, &hook).await["status"], "disabled");
}

#[tokio::test]
async fn webhook_urls_reaching_internal_ipv4_through_ipv6_or_reserved_ranges_are_refused() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_WEBHOOK_ALLOW_PRIVATE".into(), "false".into());
    })
    .await;
    let admin = app.admin().await;
    for url in [
        "https://[::127.0.0.1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/latest",
        "https://[2002:7f00:1::]/hook",
        "https://198.18.0.1/hook",
        "https://198.19.255.1/hook",
        "https://240.0.0.1/hook",
    ] {
        let refused = admin
            .post_json("/api/v1/webhooks", &json!({"unit_id": ROOT_UNIT, "url": url, "events": ["report.accepted"]}))
            .await;
        let problem =
            crate::helpers::assert_problem(refused, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
                .await;
        assert_eq!(problem["errors"][0]["code"], "internal_address", "{url}: {problem}");
    }
}
