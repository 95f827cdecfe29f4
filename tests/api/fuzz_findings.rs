//! What contract fuzzing (scripts/fuzz-contract) found, kept as tests so it stays fixed.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, assert_problem, field_error, spawn_app};

#[tokio::test]
async fn inputs_the_database_would_refuse_are_422s_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // jsonb cannot hold NUL.
    let nul = admin.post_json("/api/v1/settings", &json!({"key": "test.nul", "value": {"a": "x\u{0}y"}})).await;
    field_error(&assert_problem(nul, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "value.a");
    // Official codes are checked on rename as on creation.
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let renamed = admin
        .post_json(
            &format!("/api/v1/org-units/{province}/rename"),
            &json!({"name": "Tỉnh mới", "official_code": "", "effective_on": "2025-07-01"}),
        )
        .await;
    field_error(&assert_problem(renamed, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "official_code");
    // A prospect's birth year before 1900 is implausible, not a server error.
    let commune = app.unit(&province, "commune", "Xã Hưng Lễ").await;
    let prospect = admin
        .post_json(
            "/api/v1/prospects",
            &json!({"family_name": "Phan", "given_name": "Oanh", "birth_year": 77, "unit_id": commune}),
        )
        .await;
    field_error(&assert_problem(prospect, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "birth_year");
}

#[tokio::test]
async fn query_filters_outside_their_range_are_400s() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for (query, field) in
        [("no_contact_months=0", "no_contact_months"), ("age_min=-1", "age_min"), ("age_max=131", "age_max")]
    {
        let response = admin.get(&format!("/api/v1/members?{query}")).await;
        field_error(&assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await, field);
    }
}

#[tokio::test]
async fn a_setting_is_not_readable_without_credentials() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/settings/coverage.flag_below_percent").await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn an_integral_float_is_an_integer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let response = admin
        .post_json(
            &format!("/api/v1/org-units/{province}/population"),
            &json!({"as_of": "2025-01-01", "women_18_plus": 1200.0}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.json::<Value>().await.unwrap()["women_18_plus"], 1200);
    let fraction = admin
        .post_json(
            &format!("/api/v1/org-units/{province}/population"),
            &json!({"as_of": "2025-02-01", "women_18_plus": 1200.5}),
        )
        .await;
    field_error(
        &assert_problem(fraction, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await,
        "women_18_plus",
    );
}

#[tokio::test]
async fn a_fixed_path_answers_405_for_a_method_it_lacks() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin.request(Method::PATCH, "/api/v1/members/export").json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
}

#[tokio::test]
async fn reports_without_a_period_cover_the_current_month() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let report: Value = admin.get(&format!("/api/v1/reports/kpis?unit={province}")).await.json().await.unwrap();
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap()).date_naive();
    assert_eq!(report["unit"]["period"]["label"], today.format("%Y-%m").to_string());
}
