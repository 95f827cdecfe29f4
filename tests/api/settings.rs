//! Instance settings: the resource that proves ETag/If-Match and keyset pagination.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, field_error, spawn_app};

async fn create(admin: &As<'_>, key: &str, value: Value) -> Value {
    let response = admin.post_json("/api/v1/settings", &json!({"key": key, "value": value})).await;
    assert_eq!(response.status(), StatusCode::CREATED, "create {key}");
    response.json().await.unwrap()
}

fn etag_of(response: &reqwest::Response) -> String {
    response.headers().get("etag").expect("ETag header").to_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_read_change_delete_with_etags() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .post_json(
            "/api/v1/settings",
            &json!({"key": "coverage.flag_below_percent", "value": 60, "description": "  Ngưỡng tập hợp  "}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers().get("location").unwrap(), "/api/v1/settings/coverage.flag_below_percent");
    assert_eq!(etag_of(&response), "\"1\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["value"], 60);
    assert_eq!(created["description"], "Ngưỡng tập hợp");
    assert_eq!(created["version"], 1);

    let path = "/api/v1/settings/coverage.flag_below_percent";
    let read = admin.get(path).await;
    assert_eq!(etag_of(&read), "\"1\"");

    // Without If-Match: 428, nothing changes.
    assert_problem(
        admin.patch_json(path, None, &json!({"value": 65})).await,
        StatusCode::PRECONDITION_REQUIRED,
        "precondition_required",
    )
    .await;

    // Based on a version that is not current: 412 with the current representation.
    let stale = admin.patch_json(path, Some("\"7\""), &json!({"value": 65})).await;
    assert_eq!(etag_of(&stale), "\"1\"");
    let problem = assert_problem(stale, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    assert_eq!(problem["current_etag"], "\"1\"");
    assert_eq!(problem["current"]["value"], 60);

    let changed = admin.patch_json(path, Some("\"1\""), &json!({"value": 65})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(etag_of(&changed), "\"2\"");
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["value"], 65);
    assert_eq!(body["description"], "Ngưỡng tập hợp", "absent fields keep their value");

    // The version it was based on is now stale: a second writer loses, with a 412.
    let lost = admin.patch_json(path, Some("\"1\""), &json!({"value": 70})).await;
    assert_problem(lost, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let weak = admin.patch_json(path, Some("W/\"2\""), &json!({"value": 70})).await;
    assert_problem(weak, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    let malformed = admin.patch_json(path, Some("2"), &json!({"value": 70})).await;
    let problem = assert_problem(malformed, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "If-Match")["code"], "invalid_format");

    assert_problem(admin.delete(path, None).await, StatusCode::PRECONDITION_REQUIRED, "precondition_required").await;
    assert_problem(admin.delete(path, Some("\"1\"")).await, StatusCode::PRECONDITION_FAILED, "precondition_failed")
        .await;
    assert_eq!(admin.get(path).await.json::<Value>().await.unwrap()["value"], 65, "failed deletes left it alone");
    assert_eq!(admin.delete(path, Some("\"2\"")).await.status(), StatusCode::NO_CONTENT);
    assert_problem(admin.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(admin.delete(path, Some("*")).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn if_match_star_accepts_any_version() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    create(&admin, "attendance.target_percent", json!(85)).await;
    let response =
        admin.patch_json("/api/v1/settings/attendance.target_percent", Some("*"), &json!({"value": 90})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(etag_of(&response), "\"2\"");
}

#[tokio::test]
async fn patch_rejects_null_values_and_unknown_fields() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    create(&admin, "fees.yearly_vnd", json!(24000)).await;
    let path = "/api/v1/settings/fees.yearly_vnd";
    let problem = assert_problem(
        admin.patch_json(path, Some("\"1\""), &json!({"value": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&problem, "value")["code"], "required");
    let problem = assert_problem(
        admin.patch_json(path, Some("\"1\""), &json!({"key": "other"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&problem, "key")["code"], "unknown_field");
    let read = admin.get(path).await;
    assert_eq!(etag_of(&read), "\"1\"", "rejected patches changed nothing");
}

#[tokio::test]
async fn duplicate_key_is_a_409_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    create(&admin, "report.cutoff_day", json!(25)).await;
    let response = admin.post_json("/api/v1/settings", &json!({"key": "report.cutoff_day", "value": 20})).await;
    let problem = assert_problem(response, StatusCode::CONFLICT, "setting_exists").await;
    assert_eq!(problem["field"], "key");
    let kept: Value = admin.get("/api/v1/settings/report.cutoff_day").await.json().await.unwrap();
    assert_eq!(kept["value"], 25);
}

#[tokio::test]
async fn pages_walk_every_item_once_in_key_order() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let keys = ["g.one", "a.one", "c.two", "b.three", "f.four", "e.five", "d.six"];
    for key in keys {
        create(&admin, key, json!(true)).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/settings?limit=3&cursor={c}"),
            None => "/api/v1/settings?limit=3".to_owned(),
        };
        let page: Value = admin.get(&path).await.json().await.unwrap();
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["key"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut expected: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 7);

    let first: Value = admin.get("/api/v1/settings").await.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 7, "default limit covers small lists");
    assert!(first["next_cursor"].is_null());
}

#[tokio::test]
async fn list_filters_by_prefix_and_rejects_bad_cursors() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for key in ["coverage.flag_below_percent", "coverage.year", "fees.yearly_vnd"] {
        create(&admin, key, json!(1)).await;
    }
    let page: Value = admin.get("/api/v1/settings?prefix=coverage.").await.json().await.unwrap();
    let keys: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["coverage.flag_below_percent", "coverage.year"]);

    for bad in ["garbage", "eyJ2Ijo5LCJrIjoiYSJ9", ""] {
        let problem = assert_problem(
            admin.get(&format!("/api/v1/settings?cursor={bad}")).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
        assert_eq!(field_error(&problem, "cursor")["code"], "invalid_cursor");
    }
    let problem =
        assert_problem(admin.get("/api/v1/settings?limit=0").await, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "limit")["code"], "out_of_range");
}
