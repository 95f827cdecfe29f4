//! The "3 có 3 biết" scorecard names who pulls each share down; a better yearly rating
//! achieves a branch-twin pair.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::activities::meeting_at;
use crate::helpers::{ROOT_UNIT, assert_problem, field_error, spawn_app};
use crate::reports::{member, roster};

#[tokio::test]
async fn the_scorecard_names_who_pulls_each_share_down() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh").await;
    let commune = app.unit(&province, "commune", "Xã").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Một").await;
    // The server's day is Vietnam's (UTC+7); a meeting at its midnight has begun at any hour.
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap()).date_naive();
    let x = member(&admin, &branch, "Xuân", "2015-03-08", json!({})).await;
    let y = member(&admin, &branch, "Yên", "2015-03-08", json!({})).await;
    let z = member(&admin, &branch, "Ánh", "2015-03-08", json!({})).await;
    for who in [&x, &y] {
        admin
            .create(
                &format!("/api/v1/members/{who}/contacts"),
                &json!({"contacted_on": today.to_string(), "method": "home_visit"}),
            )
            .await;
    }
    let verified = admin
        .request(Method::PUT, &format!("/api/v1/members/{x}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "near_poor", "circumstances": ["single_mother"], "verified_on": today.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);
    for who in [&x, &y, &z] {
        admin
            .create(&format!("/api/v1/members/{who}/needs"), &json!({"kind": "capital", "description": "Vay vốn"}))
            .await;
    }
    let month = today.format("%Y-%m").to_string();
    let url = format!("/api/v1/reports/scorecard?unit={commune}&period={month}");
    let card = async || admin.get(&url).await.json::<Value>().await.unwrap();
    let before = card().await;
    let ap = &before["items"][0];
    assert_eq!(ap["name"], "Chi hội ấp Một");
    assert_eq!(ap["face"]["share"], json!({"numerator": 2, "denominator": 3, "percent": 66.67}));
    assert_eq!(ap["face"]["met"], false, "under 80 %");
    assert_eq!(ap["face"]["missing"], json!([{"member_id": z, "full_name": "Nguyễn Thị Ánh"}]));
    let unverified: Vec<&str> =
        ap["circumstances"]["missing"].as_array().unwrap().iter().map(|m| m["full_name"].as_str().unwrap()).collect();
    assert_eq!(unverified, ["Nguyễn Thị Ánh", "Nguyễn Thị Yên"], "in Vietnamese order");
    assert_eq!(ap["needs"]["met"], true);
    assert_eq!(ap["activity"]["met"], false, "no meeting this month yet");
    assert_eq!(ap["criteria_met"], 1);
    assert_eq!(ap["standing"], "weak");

    // A meeting with its roster counts in the next answer.
    let held = meeting_at(&admin, &branch, &today.to_string(), "00:00").await;
    roster(&admin, &held, &[&x, &y, &z], &[]).await;
    let after = card().await;
    assert_eq!(after["items"][0]["activity"]["met"], true);
    assert_eq!(after["items"][0]["criteria_met"], 2);

    let too_long = admin.get(&format!("/api/v1/reports/scorecard?unit={commune}&from=2023-01-01&to=2025-12-31")).await;
    let problem = assert_problem(too_long, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "period")["code"], "too_long");
}

#[tokio::test]
async fn a_better_rating_achieves_the_branch_twin_pair() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh").await;
    let commune = app.unit(&province, "commune", "Xã").await;
    let strong = app.unit(&commune, "branch", "Chi hội mạnh").await;
    let weak = app.unit(&commune, "branch", "Chi hội yếu").await;
    let twin = admin
        .create(
            "/api/v1/pairs",
            &json!({"kind": "branch_twin", "mentor_id": strong, "mentee_id": weak, "started_on": "2025-01-10"}),
        )
        .await;
    app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let officer = app.session("can-bo-xa").await;
    let officer = app.with_token(&officer.access_token);
    let rate = async |year: i32, body: Value| {
        officer
            .request(Method::PUT, &format!("/api/v1/org-units/{weak}/ratings/{year}"))
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let unknown = rate(2024, json!({"rating": "tot_lam", "reason": "x"})).await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "rating")["code"], "not_in_scale");
    let unexplained = rate(2024, json!({"rating": "xuat_sac"})).await;
    let problem = assert_problem(unexplained, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "reason")["code"], "required", "differs from the suggestion without a reason");
    assert_eq!(
        rate(2024, json!({"rating": "trung_binh", "reason": "Sinh hoạt không đều"})).await.status(),
        StatusCode::OK
    );
    let rated = rate(2025, json!({"rating": "kha", "reason": "Có tiến bộ rõ"})).await;
    assert_eq!(rated.status(), StatusCode::OK);
    let rated: Value = rated.json().await.unwrap();
    assert_eq!((rated["previous"].clone(), rated["improved"].clone()), (json!("trung_binh"), json!(true)));
    assert_eq!(rated["scale"], json!(["xuat_sac", "vung_manh", "kha", "trung_binh", "yeu"]));
    let pair: Value = admin.get(&format!("/api/v1/pairs/{}", twin["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(pair["status"], "achieved", "the helped branch rose a level");

    // A province sets its own scale for 2026; the commune officer cannot.
    let scale = json!({"levels": ["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "khong_hoan_thanh"]});
    let refused = officer
        .request(Method::PUT, &format!("/api/v1/org-units/{province}/rating-scales/2026"))
        .json(&scale)
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::NOT_FOUND, "not_found").await;
    let set = admin
        .request(Method::PUT, &format!("/api/v1/org-units/{province}/rating-scales/2026"))
        .json(&scale)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let view: Value = officer.get(&format!("/api/v1/org-units/{weak}/ratings/2026")).await.json().await.unwrap();
    assert_eq!(view["scale"], scale["levels"]);
    assert_eq!(view["rating"], Value::Null);
    // Branch heads rate nobody; a branch cannot rate itself.
    app.user_with_role("chi-hoi-truong", &weak, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let own = head
        .request(Method::PUT, &format!("/api/v1/org-units/{weak}/ratings/2025"))
        .json(&json!({"rating": "xuat_sac", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(own, StatusCode::FORBIDDEN, "forbidden").await;
}
