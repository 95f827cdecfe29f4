//! Bad input always gets an RFC 9457 problem naming what is wrong; never a 500.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, field_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_is_400_and_names_the_request() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .request(Method::POST, "/api/v1/settings")
        .header("content-type", "application/json")
        .header("x-request-id", "branch-app-42")
        .body("{\"key\": \"a\", ")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(problem["request_id"], "branch-app-42");
}

#[tokio::test]
async fn wrong_type_missing_and_unknown_fields_are_named() {
    let app = spawn_app().await;
    let admin = app.admin().await;

    let response = admin.post_json("/api/v1/settings", &json!({"key": 5, "value": 1})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "key")["code"], "invalid_type");

    let response = admin.post_json("/api/v1/settings", &json!({"value": 1})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "key")["code"], "required");

    let response = admin.post_json("/api/v1/settings", &json!({"key": "a.b", "value": 1, "version": 9})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "version")["code"], "unknown_field");

    // Nothing was written by any of them.
    let list: serde_json::Value = admin.get("/api/v1/settings").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn rule_violations_are_all_reported_at_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin.post_json("/api/v1/settings", &json!({"key": "Bad Key", "value": null})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "key")["code"], "invalid_format");
    assert_eq!(field_error(&problem, "value")["code"], "required");
}

#[tokio::test]
async fn vietnamese_by_default_english_on_request() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let vi = admin.post_json("/api/v1/settings", &json!({"value": 1})).await;
    let vi = assert_problem(vi, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(vi["title"], "Dữ liệu không hợp lệ");
    assert_eq!(field_error(&vi, "key")["message"], "Trường này là bắt buộc.");

    let en = admin
        .request(Method::POST, "/api/v1/settings")
        .header("accept-language", "en-GB,en;q=0.9,vi;q=0.5")
        .json(&json!({"value": 1}))
        .send()
        .await
        .unwrap();
    let en = assert_problem(en, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(en["title"], "Invalid data");
    assert_eq!(field_error(&en, "key")["message"], "This field is required.");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_MAX_BODY_BYTES".into(), "2048".into());
    })
    .await;
    let admin = app.admin().await;
    let big = "x".repeat(4096);
    let response = admin.post_json("/api/v1/settings", &json!({"key": "a", "value": big})).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn oversized_chunked_body_is_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_MAX_BODY_BYTES".into(), "2048".into());
    })
    .await;
    let admin = app.admin().await;
    // No Content-Length: the limit must hold while the body streams in.
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    let head = format!(
        "POST /api/v1/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        admin.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..8 {
        let chunk = " ".repeat(1024);
        // The server may answer and close before every chunk is sent.
        if stream.write_all(format!("400\r\n{chunk}\r\n").as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "answer: {answer}");
    assert!(answer.to_ascii_lowercase().contains("content-type: application/problem+json"), "answer: {answer}");
    assert!(answer.contains("\"code\":\"payload_too_large\""), "answer: {answer}");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin
        .request(Method::POST, "/api/v1/settings")
        .header("content-type", "text/plain")
        .body("{\"key\": \"a\", \"value\": 1}")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;

    let response =
        admin.request(Method::POST, "/api/v1/settings").body("{\"key\": \"a\", \"value\": 1}").send().await.unwrap();
    assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

#[tokio::test]
async fn unknown_method_is_405_with_allow() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let response = admin.request(Method::PUT, "/api/v1/settings").send().await.unwrap();
    let allow = response.headers().get("allow").unwrap().to_str().unwrap().to_owned();
    assert_eq!(allow, "GET, HEAD, POST");
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    let response = admin.request(Method::POST, "/api/v1/settings/a.b").send().await.unwrap();
    let allow = response.headers().get("allow").unwrap().to_str().unwrap().to_owned();
    assert_eq!(allow, "GET, HEAD, PATCH, DELETE");
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn unknown_routes_and_objects_are_404() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    assert_problem(app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND, "no_such_route").await;
    assert_problem(admin.get("/api/v1/settings/no.such.key").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn bad_query_parameters_are_400_and_named() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let problem =
        assert_problem(admin.get("/api/v1/settings?limit=abc").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    assert_eq!(field_error(&problem, "limit")["code"], "invalid_type");

    let problem =
        assert_problem(admin.get("/api/v1/settings?colour=red").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    assert_eq!(field_error(&problem, "colour")["code"], "unknown_parameter");

    let problem =
        assert_problem(admin.get("/api/v1/settings?limit=201").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    assert_eq!(field_error(&problem, "limit")["code"], "out_of_range");

    let problem =
        assert_problem(admin.get("/api/v1/settings?prefix=A%25").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    assert_eq!(field_error(&problem, "prefix")["code"], "invalid_format");

    let problem =
        assert_problem(admin.get("/api/v1/settings/Not%20A%20Key").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    assert_eq!(field_error(&problem, "key")["code"], "invalid_format");
}

/// A filter on a code that does not exist (`level=xa`, a typo) is refused naming it and listing
/// the codes there are, instead of answering an empty list as if no unit had that level; the
/// same for kinds, stages, periods, months, circumstances, needs and `include`.
#[tokio::test]
async fn filters_on_codes_and_periods_that_do_not_exist_are_400() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let refused = [
        ("/api/v1/org-units?level=xa", "level", "unknown_code"),
        ("/api/v1/activities?kind=hop_chi_hoi_khong_co", "kind", "unknown_code"),
        ("/api/v1/pairs?kind=khong_co", "kind", "unknown_code"),
        ("/api/v1/pairs?stage=khong_co", "stage", "unknown_code"),
        ("/api/v1/support?kind=khong_co", "kind", "unknown_code"),
        ("/api/v1/report-submissions?period=2025-6", "period", "invalid_period"),
        ("/api/v1/report-submissions?period=%2B2025", "period", "invalid_period"),
        ("/api/v1/members?circumstance=rich", "circumstance", "invalid_value"),
        ("/api/v1/members?need=yacht", "need", "invalid_value"),
        ("/api/v1/members?include=", "include", "invalid_value"),
    ];
    for (path, field, code) in refused {
        let problem = assert_problem(admin.get(path).await, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(field_error(&problem, field)["code"], code, "{path}");
    }
    let level =
        assert_problem(admin.get("/api/v1/org-units?level=xa").await, StatusCode::BAD_REQUEST, "invalid_parameter")
            .await;
    let listed = field_error(&level, "level")["message"].as_str().unwrap_or_default().to_owned();
    assert!(listed.contains("commune") && listed.contains("branch"), "the answer lists the levels: {listed}");
    // The real codes still filter.
    for path in ["/api/v1/org-units?level=commune", "/api/v1/report-submissions?period=2025-06"] {
        assert_eq!(admin.get(path).await.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn the_edge_refuses_control_characters_overlong_strings_and_arrays_and_cleans_what_it_echoes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // A query value with a control character.
    let response = admin.get("/api/v1/members?q=a%1Bb").await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "q")["code"], "invalid_characters");
    // A body string over 4,000 characters, and an array over 10,000 items.
    let long = "a".repeat(4001);
    let response = admin.post_json("/api/v1/settings", &json!({"key": "x.y", "value": 1, "description": long})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "description")["code"], "too_long");
    let response = admin.post_json("/api/v1/settings", &json!({"key": "x.y", "value": vec![0; 10_001]})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "value")["code"], "too_many_items");
    // A made-up parameter name is echoed without its control characters, and cut short.
    let name = format!("x%06{}", "y".repeat(500));
    let response = admin.get(&format!("/api/v1/settings?{name}=1")).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let echoed = problem["errors"][0]["field"].as_str().unwrap();
    assert!(echoed.starts_with("x\u{fffd}yyy"), "{echoed}");
    assert_eq!(echoed.chars().count(), 200);
    // A body with hundreds of mistakes gets the first 100, not one error each.
    let operations: Vec<_> = (0..300).map(|_| json!({"method": "GET", "path": "/nowhere"})).collect();
    let response = admin.post_json("/api/v1/batch", &json!({"operations": operations})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 100);
}
