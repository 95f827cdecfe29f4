//! What a machine client of a higher-level system (aggregates only) can reach: no person's name.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn a_machine_client_sees_no_office_holder_by_name() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let chair = member(&admin, &t.branch, "Phạm", "Thị", "Chủ Tịch").await;
    admin
        .create(
            &format!("/api/v1/org-units/{}/positions", t.branch),
            &json!({"member_id": chair["id"], "kind": "branch_head", "started_on": "2024-03-08"}),
        )
        .await;
    let machine = app.machine_token(&t.commune).await;
    let machine = app.with_token(&machine);
    let positions = machine.get(&format!("/api/v1/org-units/{}/positions", t.branch)).await;
    assert_problem(positions, StatusCode::FORBIDDEN, "forbidden").await;
    // What it may read carries no name.
    for path in [format!("/api/v1/org-units/{}", t.branch), format!("/api/v1/org-units?parent={}", t.commune)] {
        let body = machine.get(&path).await.text().await.unwrap();
        assert!(!body.contains("Chủ Tịch"), "{path}: {body}");
    }
}
