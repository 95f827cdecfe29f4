//! Background jobs: listed by their owner, polled with `Retry-After`, and never left `running`
//! by a server that stopped.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_on};
use crate::imports::{HEADER, branch, run_import};

#[tokio::test]
async fn a_job_whose_server_stopped_is_failed_as_interrupted_when_a_server_starts() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, unit) = branch(&app).await;
    let done = run_import(&admin, &unit, format!("{HEADER}\n").into_bytes(), "text/csv", true).await;
    // Two jobs as a crashed server leaves them: one running, silent for ten minutes; one
    // running and heard of just now (another replica's, alive).
    let ids: Vec<uuid::Uuid> = (0..2).map(|_| uuid::Uuid::now_v7()).collect();
    {
        use diesel_async::RunQueryDsl;
        let mut db = app.db().await;
        for (id, silent_minutes) in ids.iter().zip([10, 0]) {
            diesel::sql_query(format!(
                "INSERT INTO jobs (id, kind, status, owner_id, progress, total, heartbeat_at)
                 SELECT '{id}', 'member_import', 'running', owner_id, 10, 100, now() - interval '{silent_minutes} minutes'
                 FROM jobs WHERE id = '{}'",
                done["id"].as_str().unwrap()
            ))
            .execute(&mut db)
            .await
            .unwrap();
        }
    }
    // Before a sweep both look running; a server starting on the database sweeps.
    let before: Value = admin.get(&format!("/api/v1/jobs/{}", ids[0])).await.json().await.unwrap();
    assert_eq!(before["status"], "running");
    let restarted = spawn_app_on(&app.database_url, |_| {}).await;
    let again = restarted.with_token(&admin.token);
    // The new server sweeps as it starts (in the background: give it a moment).
    let mut orphan = again.get(&format!("/api/v1/jobs/{}", ids[0])).await;
    for _ in 0..50 {
        if orphan.headers().get("retry-after").is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        orphan = again.get(&format!("/api/v1/jobs/{}", ids[0])).await;
    }
    assert_eq!(orphan.status(), StatusCode::OK);
    assert!(orphan.headers().get("retry-after").is_none(), "finished: nothing to wait for");
    let orphan: Value = orphan.json().await.unwrap();
    assert_eq!(orphan["status"], "failed");
    assert_eq!(orphan["result"]["code"], "interrupted");
    assert!(orphan["finished_at"].is_string());
    let alive = again.get(&format!("/api/v1/jobs/{}", ids[1])).await;
    assert_eq!(alive.headers()["retry-after"], "2", "still running: look again in 2 s");
    assert_eq!(alive.json::<Value>().await.unwrap()["status"], "running");
}

#[tokio::test]
async fn jobs_are_listed_to_their_owner_newest_first_and_filtered_by_state() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, unit) = branch(&app).await;
    let first = run_import(&admin, &unit, format!("{HEADER}\n").into_bytes(), "text/csv", true).await;
    let started = admin
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={unit}&dry_run=true"))
        .header("content-type", "text/csv")
        .body(format!("{HEADER}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    assert_eq!(started.headers()["retry-after"], "2", "the 202 says when to look first");
    let second: Value = started.json().await.unwrap();
    // Let it finish, so both are in the same state for the filter below.
    for _ in 0..100 {
        let job: Value =
            admin.get(&format!("/api/v1/jobs/{}", second["id"].as_str().unwrap())).await.json().await.unwrap();
        if job["status"] == "succeeded" || job["status"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page: Value = admin.get("/api/v1/jobs").await.json().await.unwrap();
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|j| j["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second["id"].as_str().unwrap(), first["id"].as_str().unwrap()]);
    let state = first["status"].as_str().unwrap();
    let filtered: Value = admin.get(&format!("/api/v1/jobs?status={state}")).await.json().await.unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 2, "{filtered}");
    let none: Value = admin.get("/api/v1/jobs?status=queued").await.json().await.unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    // Paged one by one, the cursor leads to the older job.
    let one: Value = admin.get("/api/v1/jobs?limit=1").await.json().await.unwrap();
    let cursor = one["next_cursor"].as_str().unwrap();
    let next: Value = admin.get(&format!("/api/v1/jobs?limit=1&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(next["items"][0]["id"], first["id"]);
    // Someone else sees none of them.
    let commune = app.unit(crate::helpers::ROOT_UNIT, "commune", "Xã khác").await;
    app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let other = app.session("can-bo-xa").await;
    let theirs: Value = app.with_token(&other.access_token).get("/api/v1/jobs").await.json().await.unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.with_token(&other.access_token)
            .get(&format!("/api/v1/jobs/{}", first["id"].as_str().unwrap()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
