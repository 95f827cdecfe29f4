//! The 2025 reform through the API: districts close, communes merge, history stays reproducible.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, assert_problem, spawn_app};

async fn unit(admin: &As<'_>, parent: &str, level: &str, name: &str, from: &str) -> String {
    let unit = admin
        .create("/api/v1/org-units", &json!({"parent_id": parent, "level": level, "name": name, "valid_from": from}))
        .await;
    unit["id"].as_str().unwrap().to_owned()
}

async fn members_in(admin: &As<'_>, branch: &str, count: usize) {
    for given in ["An", "Bình", "Cúc", "Dung", "Hoa", "Lan"].into_iter().take(count) {
        admin.create("/api/v1/members", &json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": given, "joined_on": "2015-03-08", "unit_id": branch})).await;
    }
}

async fn count(admin: &As<'_>, unit: &str, day: &str) -> i64 {
    let summary: Value =
        admin.get(&format!("/api/v1/org-units/{unit}/member-summary?as_of={day}")).await.json().await.unwrap();
    summary["members"].as_i64().unwrap()
}

#[tokio::test]
async fn merging_hung_le_into_hung_nhuong_keeps_2024_reproducible() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ben_tre = unit(&admin, ROOT_UNIT, "province", "Tỉnh Bến Tre", "1976-02-01").await;
    let giong_trom = unit(&admin, &ben_tre, "district", "Huyện Giồng Trôm", "1976-02-01").await;
    let hung_le = unit(&admin, &giong_trom, "commune", "Xã Hưng Lễ", "1990-01-01").await;
    let tan_thanh = unit(&admin, &giong_trom, "commune", "Xã Tân Thanh", "1990-01-01").await;
    let old_hung_nhuong = unit(&admin, &giong_trom, "commune", "Xã Hưng Nhượng (cũ)", "1990-01-01").await;
    let ap_ray = unit(&admin, &hung_le, "branch", "Chi hội ấp Rẫy", "1990-01-01").await;
    let ap_tan = unit(&admin, &tan_thanh, "branch", "Chi hội ấp Tân", "1990-01-01").await;
    let ap_nhuong = unit(&admin, &old_hung_nhuong, "branch", "Chi hội ấp Nhượng", "1990-01-01").await;
    members_in(&admin, &ap_ray, 3).await;
    members_in(&admin, &ap_tan, 2).await;
    members_in(&admin, &ap_nhuong, 1).await;
    assert_eq!(count(&admin, &hung_le, "2024-12-31").await, 3);

    let vinh_long = unit(&admin, ROOT_UNIT, "province", "Tỉnh Vĩnh Long", "2025-07-01").await;
    let hung_nhuong = unit(&admin, &vinh_long, "commune", "Xã Hưng Nhượng", "2025-07-01").await;
    let merged = admin
        .post_json(
            &format!("/api/v1/org-units/{hung_nhuong}/merge"),
            &json!({"sources": [hung_le, tan_thanh, old_hung_nhuong], "effective_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let merged: Value = merged.json().await.unwrap();
    assert_eq!(merged["moved_units"], 3);
    // The district is empty now and closes; the old province merges into the new one.
    let closed = admin
        .post_json(
            &format!("/api/v1/org-units/{giong_trom}/close"),
            &json!({"effective_on": "2025-07-01", "reason": "Không tổ chức cấp huyện"}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let provinces = admin
        .post_json(
            &format!("/api/v1/org-units/{vinh_long}/merge"),
            &json!({"sources": [ben_tre], "effective_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(provinces.status(), StatusCode::OK);

    // 2024 is unchanged; 2025 counts the members in the new commune, each once. Before it
    // existed, the new commune is its predecessors (docs/figures.md), as in the reports.
    for (unit, expected) in [(&hung_le, 3), (&tan_thanh, 2), (&giong_trom, 6), (&ben_tre, 6), (&hung_nhuong, 6)] {
        assert_eq!(count(&admin, unit, "2024-12-31").await, expected);
    }
    assert_eq!(count(&admin, &hung_nhuong, "2025-12-31").await, 6);
    assert_eq!(count(&admin, &hung_le, "2025-12-31").await, 0);
    assert_eq!(count(&admin, &vinh_long, "2025-12-31").await, 6);

    // The tree of 2024, and of now.
    let then: Value = admin
        .get(&format!("/api/v1/org-units?within={ben_tre}&as_of=2024-12-31&level=branch"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(then["items"].as_array().unwrap().len(), 3);
    let now: Value = admin.get(&format!("/api/v1/org-units?parent_id={hung_nhuong}")).await.json().await.unwrap();
    let names: Vec<&str> = now["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["valid_to"].is_null())
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "the three branches are under the new commune: {names:?}");
    let history: Value = admin.get(&format!("/api/v1/org-units/{hung_nhuong}/history")).await.json().await.unwrap();
    assert_eq!(history["predecessors"].as_array().unwrap().len(), 3);
    let ray_history: Value = admin.get(&format!("/api/v1/org-units/{ap_ray}/history")).await.json().await.unwrap();
    let parents: Vec<&str> =
        ray_history["periods"].as_array().unwrap().iter().map(|p| p["parent_id"].as_str().unwrap()).collect();
    assert_eq!(parents, [hung_le.as_str(), hung_nhuong.as_str()]);

    // The officer of the new commune sees the history of the communes it replaced.
    app.user_with_role("can-bo-hung-nhuong", &hung_nhuong, "commune_officer").await;
    let officer = app.session("can-bo-hung-nhuong").await;
    let officer = app.with_token(&officer.access_token);
    assert_eq!(count(&officer, &hung_le, "2024-12-31").await, 3);
    assert_problem(officer.get(&format!("/api/v1/org-units/{giong_trom}")).await, StatusCode::NOT_FOUND, "not_found")
        .await;
}

#[tokio::test]
async fn renames_moves_splits_and_closures_keep_their_dates() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = unit(&admin, ROOT_UNIT, "province", "Tỉnh Vĩnh Long", "2000-01-01").await;
    let commune_a = unit(&admin, &province, "commune", "Xã A", "2000-01-01").await;
    let commune_b = unit(&admin, &province, "commune", "Xã B", "2000-01-01").await;
    let branch = unit(&admin, &commune_a, "branch", "Chi hội ấp Rẫy", "2000-01-01").await;
    members_in(&admin, &branch, 4).await;

    let renamed = admin
        .post_json(
            &format!("/api/v1/org-units/{branch}/rename"),
            &json!({"name": "Chi hội ấp Rẫy Mới", "effective_on": "2025-08-01"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let before: Value =
        admin.get(&format!("/api/v1/org-units?within={branch}&as_of=2025-07-15")).await.json().await.unwrap();
    assert_eq!(before["items"][0]["name"], "Chi hội ấp Rẫy");
    let after: Value = admin.get(&format!("/api/v1/org-units/{branch}")).await.json().await.unwrap();
    assert_eq!(after["name"], "Chi hội ấp Rẫy Mới");

    let early = admin
        .post_json(
            &format!("/api/v1/org-units/{branch}/move"),
            &json!({"parent_id": commune_b, "effective_on": "2025-07-01"}),
        )
        .await;
    assert_problem(early, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let moved = admin
        .post_json(
            &format!("/api/v1/org-units/{branch}/move"),
            &json!({"parent_id": commune_b, "effective_on": "2025-09-01"}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!((count(&admin, &commune_a, "2025-08-31").await, count(&admin, &commune_b, "2025-08-31").await), (4, 0));
    assert_eq!((count(&admin, &commune_a, "2025-09-01").await, count(&admin, &commune_b, "2025-09-01").await), (0, 4));

    let not_empty =
        admin.post_json(&format!("/api/v1/org-units/{branch}/close"), &json!({"effective_on": "2025-10-01"})).await;
    assert_problem(not_empty, StatusCode::CONFLICT, "unit_not_empty").await;

    let members: Value = admin.get(&format!("/api/v1/members?unit={branch}")).await.json().await.unwrap();
    let ids: Vec<&str> = members["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    let incomplete = admin.post_json(&format!("/api/v1/org-units/{branch}/split"), &json!({"effective_on": "2025-10-01", "parts": [{"name": "Ấp Rẫy 1", "members": [ids[0]]}, {"name": "Ấp Rẫy 2", "members": [ids[1]]}]})).await;
    let problem = assert_problem(incomplete, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "members_not_partitioned");
    let split = admin
        .post_json(&format!("/api/v1/org-units/{branch}/split"), &json!({"effective_on": "2025-10-01", "parts": [{"name": "Ấp Rẫy 1", "members": [ids[0], ids[1]]}, {"name": "Ấp Rẫy 2", "members": [ids[2], ids[3]]}]}))
        .await;
    assert_eq!(split.status(), StatusCode::OK);
    let parts: Value = split.json().await.unwrap();
    for part in parts.as_array().unwrap() {
        assert_eq!(count(&admin, part["id"].as_str().unwrap(), "2025-10-01").await, 2);
    }
    assert_eq!(count(&admin, &branch, "2025-09-30").await, 4);
    assert_eq!(count(&admin, &commune_b, "2025-10-01").await, 4, "nobody lost, nobody doubled");
    let gone: Value = admin.get(&format!("/api/v1/org-units/{branch}")).await.json().await.unwrap();
    assert_eq!(gone["valid_to"], "2025-10-01");
}

#[tokio::test]
async fn population_and_positions_are_dated() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = unit(&admin, ROOT_UNIT, "commune", "Xã Hưng Nhượng", "2000-01-01").await;
    let branch = unit(&admin, &commune, "branch", "Chi hội ấp Rẫy", "2000-01-01").await;
    members_in(&admin, &branch, 3).await;
    admin
        .create(
            &format!("/api/v1/org-units/{branch}/population"),
            &json!({"as_of": "2025-01-01", "women_18_plus": 5, "source": "Thống kê ấp"}),
        )
        .await;
    let twice = admin
        .post_json(
            &format!("/api/v1/org-units/{branch}/population"),
            &json!({"as_of": "2025-01-01", "women_18_plus": 6}),
        )
        .await;
    assert_problem(twice, StatusCode::CONFLICT, "population_exists").await;
    let corrected = admin
        .patch_json(
            &format!("/api/v1/org-units/{branch}/population/2025-01-01"),
            Some("\"1\""),
            &json!({"women_18_plus": 4}),
        )
        .await;
    assert_eq!(corrected.status(), StatusCode::OK);
    let summary: Value =
        admin.get(&format!("/api/v1/org-units/{branch}/member-summary?as_of=2025-06-30")).await.json().await.unwrap();
    assert_eq!(summary["members"], 3);
    assert_eq!(summary["women_18_plus"], 4);
    assert_eq!(summary["coverage_percent"], 75.0);
    let negative = admin
        .post_json(
            &format!("/api/v1/org-units/{branch}/population"),
            &json!({"as_of": "2025-02-01", "women_18_plus": -1}),
        )
        .await;
    assert_problem(negative, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let members: Value = admin.get(&format!("/api/v1/members?unit={branch}")).await.json().await.unwrap();
    let head = members["items"][0]["id"].as_str().unwrap();
    let position = admin
        .create(
            &format!("/api/v1/org-units/{branch}/positions"),
            &json!({"member_id": head, "kind": "branch_head", "started_on": "2024-03-08"}),
        )
        .await;
    let now: Value = admin.get(&format!("/api/v1/org-units/{branch}/positions")).await.json().await.unwrap();
    assert_eq!(now[0]["kind"], "branch_head");
    let ended = admin
        .patch_json(
            &format!("/api/v1/positions/{}", position["id"].as_str().unwrap()),
            Some("\"1\""),
            &json!({"ended_on": "2026-01-31"}),
        )
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    let later: Value =
        admin.get(&format!("/api/v1/org-units/{branch}/positions?as_of=2026-02-01")).await.json().await.unwrap();
    assert_eq!(later.as_array().unwrap().len(), 0);
    let outsider = unit(&admin, ROOT_UNIT, "commune", "Xã khác", "2000-01-01").await;
    let wrong = admin
        .post_json(
            &format!("/api/v1/org-units/{outsider}/positions"),
            &json!({"member_id": head, "kind": "chair", "started_on": "2024-03-08"}),
        )
        .await;
    assert_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}
