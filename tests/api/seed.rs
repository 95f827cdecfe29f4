//! `chihoi seed --demo`: the demonstration data set loads once, is marked as demo, and gives a
//! working account for every role.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::app::base_env;
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn demo_data_loads_once_with_an_account_per_role() {
    let app = spawn_app().await;
    let info: Value = app.get("/api/v1").await.json().await.unwrap();
    assert_eq!(info["demo_data"], false);

    let env = base_env(&app.database_url);
    let config = chihoi::config::Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let first = chihoi::seed::demo(&config, PASSWORD).await.unwrap();
    assert!(first.contains("DEMO"), "{first}");
    let second = chihoi::seed::demo(&config, PASSWORD).await.unwrap();
    assert!(second.contains("already"), "{second}");

    let info: Value = app.get("/api/v1").await.json().await.unwrap();
    assert_eq!(info["demo_data"], true, "the installation says it holds demo data");

    let expected = [
        ("demo-admin", "admin"),
        ("demo-province", "province_officer"),
        ("demo-commune", "commune_officer"),
        ("demo-branch", "branch_head"),
        ("demo-member", "member"),
        ("demo-auditor", "auditor"),
    ];
    for (username, role) in expected {
        let session = app.session(username).await;
        let me: Value = app.with_token(&session.access_token).get("/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["roles"].as_array().unwrap().len(), 1, "{username} has one role after two seeds");
        assert_eq!(me["roles"][0]["role"], role);
        assert!(me["user"]["display_name"].as_str().unwrap().starts_with("[DEMO]"));
    }
    let branch_head = app.session("demo-branch").await;
    let units: Value = app.with_token(&branch_head.access_token).get("/api/v1/org-units").await.json().await.unwrap();
    let names: Vec<&str> = units["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"Chi hội ấp Rẫy"), "{names:?}");

    // The demo province system can get a token with the documented demo secret.
    let admin = app.session("demo-admin").await;
    let clients: Value = app.with_token(&admin.access_token).get("/api/v1/machine-clients").await.json().await.unwrap();
    let id = clients["items"][0]["id"].as_str().unwrap();
    let response = app
        .request(reqwest::Method::POST, "/api/v1/auth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={}",
            chihoi::seed::DEMO_CLIENT_SECRET
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
