//! Background jobs: listed by their owner, polled with `Retry-After`, and never left `running`
//! by a server that stopped.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{As, assert_problem, spawn_app, spawn_app_on};
use crate::imports::{HEADER, branch, good_row, run_import};

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

async fn start_import(who: &As<'_>, unit: &str, rows: usize) -> String {
    let file = format!("{HEADER}\n{}\n", (0..rows).map(good_row).collect::<Vec<_>>().join("\n"));
    let started = who
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={unit}"))
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    started.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn wait_for_end(who: &As<'_>, job: &str) -> Value {
    for _ in 0..600 {
        let seen: Value = who.get(&format!("/api/v1/jobs/{job}")).await.json().await.unwrap();
        if seen["finished_at"].is_string() {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job did not end in a minute");
}

/// Waits until a statement starting with `query` waits for a lock (the test holds it). `db` must
/// not be the connection holding the lock: inside a transaction `pg_stat_activity` is a snapshot
/// taken at its first read.
async fn wait_for_lock_wait(db: &mut diesel_async::AsyncPgConnection, query: &str) {
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    for _ in 0..600 {
        let waiting: Count = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '{query}%'"
        ))
        .get_result(db)
        .await
        .unwrap();
        if waiting.n > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    #[derive(diesel::QueryableByName)]
    struct Activity {
        #[diesel(sql_type = diesel::sql_types::Text)]
        seen: String,
    }
    let activity: Vec<Activity> = diesel::sql_query(
        "SELECT coalesce(state, '') || ' ' || coalesce(wait_event_type, '') || ' ' || left(query, 120) AS seen FROM pg_stat_activity WHERE datname = current_database()",
    )
    .load(db)
    .await
    .unwrap();
    let seen: Vec<&str> = activity.iter().map(|a| a.seen.as_str()).collect();
    panic!("nothing waited for a lock with {query}: {seen:#?}");
}

/// A cancel stops an import before its write (202; the job ends `cancelled` and no member is
/// written) or, once the write has begun, waits for it and is refused (409; the members stay):
/// never a cancel accepted for a job whose changes are kept. Each case is held at its point by
/// a lock the test takes, so both are played every time.
#[tokio::test]
async fn a_cancelled_import_writes_nothing_and_a_cancel_during_its_write_is_refused() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, unit) = branch(&app).await;
    let members_in_unit = async || -> usize {
        let page: Value = admin.get(&format!("/api/v1/members?unit={unit}&limit=200")).await.json().await.unwrap();
        page["items"].as_array().unwrap().len()
    };
    let mut blocker = app.db().await;
    let mut watcher = app.db().await;

    // Before it starts: its first read waits on the lock; the cancel is recorded at once.
    diesel::sql_query("BEGIN").execute(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE ethnicities IN ACCESS EXCLUSIVE MODE").execute(&mut blocker).await.unwrap();
    let job = start_import(&admin, &unit, 30).await;
    wait_for_lock_wait(&mut watcher, "SELECT \"ethnicities\"").await;
    let cancel = admin.post_json(&format!("/api/v1/jobs/{job}/cancel"), &serde_json::json!({})).await;
    assert_eq!(cancel.status(), StatusCode::ACCEPTED);
    assert_eq!(cancel.headers()["retry-after"], "2");
    let asked: Value = cancel.json().await.unwrap();
    assert!(asked["cancel_requested_at"].is_string(), "{asked}");
    assert!(asked["finished_at"].is_null());
    diesel::sql_query("COMMIT").execute(&mut blocker).await.unwrap();
    let ended = wait_for_end(&admin, &job).await;
    assert_eq!(ended["status"], "cancelled", "{ended}");
    assert_eq!(ended["result"]["code"], "cancelled");
    assert_eq!(members_in_unit().await, 0, "a cancelled import writes nothing");

    // During its write: the job holds its row, the cancel waits for the commit and is refused.
    diesel::sql_query("BEGIN").execute(&mut blocker).await.unwrap();
    diesel::sql_query("LOCK TABLE members IN SHARE MODE").execute(&mut blocker).await.unwrap();
    let job = start_import(&admin, &unit, 30).await;
    wait_for_lock_wait(&mut watcher, "INSERT INTO \"members\"").await;
    let late = {
        let token = admin.token.clone();
        let app = &app;
        let job = job.clone();
        async move { app.with_token(&token).post_json(&format!("/api/v1/jobs/{job}/cancel"), &serde_json::json!({})).await }
    };
    let release = async {
        wait_for_lock_wait(&mut app.db().await, "UPDATE \"jobs\" SET \"cancel_requested_at\"").await;
        diesel::sql_query("COMMIT").execute(&mut blocker).await.unwrap();
    };
    let (late, ()) = tokio::join!(late, release);
    assert_problem(late, StatusCode::CONFLICT, "job_finished").await;
    let ended = wait_for_end(&admin, &job).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    assert_eq!(ended["result"]["created"], 30);
    assert!(ended["cancel_requested_at"].is_null(), "the refused cancel left no mark: {ended}");
    assert_eq!(members_in_unit().await, 30);

    // A finished job cannot be cancelled; someone else's is not found.
    let finished = admin.post_json(&format!("/api/v1/jobs/{job}/cancel"), &serde_json::json!({})).await;
    assert_problem(finished, StatusCode::CONFLICT, "job_finished").await;
    let commune = app.unit(crate::helpers::ROOT_UNIT, "commune", "Xã khác").await;
    app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let other = app.session("can-bo-xa").await;
    let theirs = app
        .with_token(&other.access_token)
        .post_json(&format!("/api/v1/jobs/{job}/cancel"), &serde_json::json!({}))
        .await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "not_found").await;
}
