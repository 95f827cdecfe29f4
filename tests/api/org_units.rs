//! The org tree: levels are data, a child sits below its parent, scopes follow subtrees.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, assert_problem, field_error, spawn_app};

#[tokio::test]
async fn units_nest_by_level_and_list_in_tree_order() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    app.unit(&branch, "group", "Tổ phụ nữ số 1").await;
    let other = app.unit(ROOT_UNIT, "province", "Tỉnh Bến Tre (cũ)").await;

    let upward = admin
        .post_json("/api/v1/org-units", &json!({"parent_id": branch, "level": "commune", "name": "Sai cấp"}))
        .await;
    let problem = assert_problem(upward, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "level")["code"], "level_not_below_parent");
    let unknown =
        admin.post_json("/api/v1/org-units", &json!({"parent_id": branch, "level": "hamlet", "name": "X"})).await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(field_error(&problem, "level")["code"], "unknown_level");

    let subtree: Value = admin.get(&format!("/api/v1/org-units?within={province}")).await.json().await.unwrap();
    let names: Vec<&str> = subtree["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tỉnh Vĩnh Long", "Xã Hưng Nhượng", "Chi hội ấp Rẫy", "Tổ phụ nữ số 1"]);
    let branches: Value =
        admin.get(&format!("/api/v1/org-units?within={province}&level=branch")).await.json().await.unwrap();
    assert_eq!(branches["items"].as_array().unwrap().len(), 1);
    let children: Value = admin.get(&format!("/api/v1/org-units?parent_id={ROOT_UNIT}")).await.json().await.unwrap();
    assert_eq!(children["items"].as_array().unwrap().len(), 2);

    // A commune officer sees her commune's subtree, nothing above or beside it.
    app.user_with_role("can-bo-xa", &commune, "commune_officer").await;
    let officer = app.session("can-bo-xa").await;
    let officer = app.with_token(&officer.access_token);
    let visible: Value = officer.get("/api/v1/org-units").await.json().await.unwrap();
    assert_eq!(visible["items"].as_array().unwrap().len(), 3);
    for hidden in [&province, &other, &ROOT_UNIT.to_owned()] {
        assert_problem(officer.get(&format!("/api/v1/org-units/{hidden}")).await, StatusCode::NOT_FOUND, "not_found")
            .await;
    }
    let bad_id = officer.get("/api/v1/org-units/not-a-uuid").await;
    let problem = assert_problem(bad_id, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(field_error(&problem, "id")["code"], "invalid_format");
}

#[tokio::test]
async fn a_branch_cannot_reference_another_branchs_objects() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    let branch_a = app.unit(&commune, "branch", "Chi hội A").await;
    let branch_b = app.unit(&commune, "branch", "Chi hội B").await;
    let head_a = app.user_with_role("truong-a", &branch_a, "branch_head").await;
    let resident_b = app.user_with_role("hoi-vien-b", &branch_b, "member").await;
    // A commune officer with manage rights on A only tries to act on B's objects.
    let officer = app.user_with_role("can-bo-a", &branch_a, "commune_officer").await;
    let session = app.session("can-bo-a").await;
    let officer_a = app.with_token(&session.access_token);

    let before: Value = admin.get(&format!("/api/v1/users/{resident_b}/roles")).await.json().await.unwrap();
    assert_problem(officer_a.get(&format!("/api/v1/users/{resident_b}")).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_problem(
        officer_a.patch_json(&format!("/api/v1/users/{resident_b}"), Some("*"), &json!({"status": "disabled"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Granting A's own member a role on B names B's unit: 404, as if B did not exist.
    let cross = officer_a
        .post_json(&format!("/api/v1/users/{head_a}/roles"), &json!({"role": "member", "org_unit_id": branch_b}))
        .await;
    assert_problem(cross, StatusCode::NOT_FOUND, "not_found").await;
    let moved = officer_a
        .post_json("/api/v1/users", &json!({"username": "vao-b", "display_name": "X", "home_unit_id": branch_b, "password": "một mật khẩu khá dài"}))
        .await;
    assert_problem(moved, StatusCode::NOT_FOUND, "not_found").await;
    let after: Value = admin.get(&format!("/api/v1/users/{resident_b}/roles")).await.json().await.unwrap();
    assert_eq!(before, after, "nothing changed on B's side");
    let b_user: Value = admin.get(&format!("/api/v1/users/{resident_b}")).await.json().await.unwrap();
    assert_eq!(b_user["status"], "active");
    let head_roles: Value = admin.get(&format!("/api/v1/users/{head_a}/roles")).await.json().await.unwrap();
    assert_eq!(head_roles.as_array().unwrap().len(), 1);
    let _ = officer;
}
