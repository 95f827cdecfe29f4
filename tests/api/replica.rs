//! Read routing: with `DATABASE_READ_URL` set, reports and sync read from a streaming replica
//! (a real hot standby started on this machine) while writes go to the primary.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::private_pg::PrivateCluster;
use crate::helpers::{ROOT_UNIT, spawn_app_on};

#[tokio::test]
async fn reports_and_sync_read_from_the_replica_and_writes_go_to_the_primary() {
    let primary = PrivateCluster::start_new();
    chihoi::db::migrations::run_pending(&primary.url()).await.unwrap();
    let replica = PrivateCluster::replica_of(&primary);
    assert_eq!(replica.sql("SELECT pg_is_in_recovery()"), "t", "the replica is a standby");
    let replica_url = replica.url();
    let app = spawn_app_on(&primary.url(), |env| {
        env.insert("DATABASE_READ_URL".into(), replica_url);
    })
    .await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Lễ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Lan", "birth_year": 1980,
                    "joined_on": "2020-01-01", "unit_id": branch}),
        )
        .await;

    // The write reaches the replica within moments; the report then counts her. With its
    // children the report runs on three replica connections sharing one exported snapshot.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let response = admin.get(&format!("/api/v1/reports/kpis?unit={commune}&period=2025&group_by=child")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let report: Value = response.json().await.unwrap();
        if report["unit"]["members"]["end"] == 1 && report["children"][0]["members"]["end"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the replica never showed the new member: {report}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sync = admin.get("/api/v1/sync/changes?types=members").await;
    assert_eq!(sync.status(), StatusCode::OK);

    // The reads were served by the replica's read pool; the primary never saw that pool.
    let read_sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chihoi-read'";
    assert_ne!(replica.sql(read_sessions), "0", "reports and sync connected to the replica");
    assert_eq!(primary.sql(read_sessions), "0", "no read-pool session on the primary");
    let write_sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'chihoi'";
    assert_ne!(primary.sql(write_sessions), "0", "writes went to the primary");
}
