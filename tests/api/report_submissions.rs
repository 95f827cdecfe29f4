//! A report submitted upward: frozen figures, returned with a reason, resubmitted, accepted;
//! adjustments audited; what officers and machine clients of the subtree see.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, field_error, spawn_app};
use crate::reports::{event, world};

#[tokio::test]
async fn a_report_is_frozen_returned_resubmitted_and_accepted() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin().await;
    app.user_with_role("can-bo-xa", &w.commune, "commune_officer").await;
    app.user_with_role("can-bo-tinh", &w.province, "province_officer").await;
    let commune = app.session("can-bo-xa").await;
    let commune = app.with_token(&commune.access_token);
    let province = app.session("can-bo-tinh").await;
    let province = app.with_token(&province.access_token);

    let draft = commune.create("/api/v1/report-submissions", &json!({"unit_id": w.commune, "period": "2025-Q3"})).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["figures"]["members"]["deaths"], 1);
    let again =
        commune.post_json("/api/v1/report-submissions", &json!({"unit_id": w.commune, "period": "2025-Q3"})).await;
    assert_problem(again, StatusCode::CONFLICT, "report_exists").await;
    let bad = commune.post_json("/api/v1/report-submissions", &json!({"unit_id": w.commune, "period": "quý 3"})).await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "period")["code"], "invalid_period");

    // A death recorded late: the frozen report differs from the live figures, and says so.
    event(&admin, &w.a6, "death", "2025-09-20").await;
    let shown: Value = commune.get(&format!("/api/v1/report-submissions/{id}")).await.json().await.unwrap();
    let diff: Vec<(&str, &Value, &Value)> = shown["live_diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["figure"].as_str().unwrap(), &d["frozen"], &d["live"]))
        .filter(|(f, _, _)| *f == "members.deaths" || *f == "members.end")
        .collect();
    assert_eq!(diff, [("members.deaths", &json!(1), &json!(2)), ("members.end", &json!(9), &json!(8))]);

    // A manual adjustment needs a reason and is audited.
    let adjustments = format!("/api/v1/report-submissions/{id}/adjustments");
    let adjust = async |body: Value| commune.post_json(&adjustments, &body).await;
    let unexplained = adjust(json!({"figure": "members.joins", "value": 2, "reason": ""})).await;
    let problem = assert_problem(unexplained, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "reason")["code"], "required");
    let unknown = adjust(json!({"figure": "members.nothing", "value": 2, "reason": "x"})).await;
    assert_eq!(
        field_error(&assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "figure")["code"],
        "unknown_figure"
    );
    let adjusted =
        adjust(json!({"figure": "members.joins", "value": 2, "reason": "Một hội viên kết nạp chưa nhập kịp"})).await;
    assert_eq!(adjusted.status(), StatusCode::CREATED);
    let adjusted: Value = adjusted.json().await.unwrap();
    assert_eq!(adjusted["figures"]["members"]["joins"], 2);
    assert_eq!(adjusted["adjustments"][0]["before"], 1);

    // The commune submits; it cannot accept its own report; the province returns it.
    let submit_url = format!("/api/v1/report-submissions/{id}/submit");
    let submit = async |who: &As<'_>| who.request(Method::POST, &submit_url).send().await.unwrap();
    let submitted: Value = submit(&commune).await.json().await.unwrap();
    assert_eq!((submitted["status"].clone(), submitted["submissions"].clone()), (json!("submitted"), json!(1)));
    assert_eq!(submitted["figures"]["members"]["deaths"], 2, "refrozen on submission");
    assert_eq!(submitted["figures"]["members"]["joins"], 2, "adjustments kept");
    let own = commune.post_json(&format!("/api/v1/report-submissions/{id}/accept"), &json!({})).await;
    assert_problem(own, StatusCode::FORBIDDEN, "forbidden").await;
    let twice = submit(&commune).await;
    assert_problem(twice, StatusCode::CONFLICT, "report_state").await;
    let no_reason =
        province.post_json(&format!("/api/v1/report-submissions/{id}/return"), &json!({"reason": " "})).await;
    assert_eq!(
        field_error(&assert_problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await, "reason")
            ["code"],
        "required"
    );
    let returned: Value = province
        .post_json(
            &format!("/api/v1/report-submissions/{id}/return"),
            &json!({"reason": "Số kết nạp chưa khớp danh sách"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (returned["status"].clone(), returned["decision_note"].clone()),
        (json!("returned"), json!("Số kết nạp chưa khớp danh sách"))
    );
    let resubmitted: Value = submit(&commune).await.json().await.unwrap();
    assert_eq!(resubmitted["submissions"], 2);
    let accept = async || {
        province
            .request(Method::POST, &format!("/api/v1/report-submissions/{id}/accept"))
            .header("Idempotency-Key", "accept-q3")
            .json(&json!({"note": "Đạt"}))
            .send()
            .await
            .unwrap()
    };
    let accepted = accept().await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let replay = accept().await;
    assert_eq!(replay.status(), StatusCode::OK, "a retried accept replays the answer");
    assert_eq!(replay.json::<Value>().await.unwrap()["status"], "accepted");
    let audit: Value = admin.get("/api/v1/audit-events?action=report.adjust").await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit["items"][0]["details"]["before"], 1);

    // A province system pulls what changed, submitted and accepted only, suppressed.
    let ray_draft = admin.create("/api/v1/report-submissions", &json!({"unit_id": w.ray, "period": "2025-Q3"})).await;
    let token = app.machine_token(&w.province).await;
    let machine = app.with_token(&token);
    let pulled: Value =
        machine.get("/api/v1/report-submissions?updated_since=2025-01-01T00:00:00Z").await.json().await.unwrap();
    let items = pulled["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the draft of ấp Rẫy is not sent up");
    assert_eq!(items[0]["status"], "accepted");
    assert_eq!(items[0]["figures"]["members"]["deaths"], Value::Null, "2 deaths: suppressed");
    assert_eq!(items[0]["figures"]["members"]["start"], 10);
    let hidden = machine.get(&format!("/api/v1/report-submissions/{}", ray_draft["id"].as_str().unwrap())).await;
    assert_problem(hidden, StatusCode::NOT_FOUND, "not_found").await;
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    let nothing: Value = machine
        .get(&format!("/api/v1/report-submissions?updated_since={}", later.format("%Y-%m-%dT%H:%M:%SZ")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(nothing["items"], json!([]));
}
