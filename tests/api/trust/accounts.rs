//! Account takeover by a lower role: managing an account needs a role that outranks every role
//! the account holds, on every unit it holds them on.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_problem, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn account_takeover_by_a_lower_role_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    app.user_with_role("officer-c", &t.commune, "commune_officer").await;
    // Two higher accounts whose home unit lies in the officer's commune: an admin of the
    // commune, and a province officer of the whole province.
    let victim = app.user_with_role("victim-admin", &t.commune, "admin").await;
    let province: Value = admin.get(&format!("/api/v1/org-units/{}", t.commune)).await.json().await.unwrap();
    let province_id = province["parent_id"].as_str().unwrap().to_owned();
    let boss = app.user_with_role("boss-province", &t.commune, "branch_head").await;
    admin
        .create(
            &format!("/api/v1/users/{boss}/roles"),
            &json!({"role": "province_officer", "org_unit_id": province_id}),
        )
        .await;
    let peer = app.user_with_role("peer-officer", &t.commune, "commune_officer").await;
    let officer = app.session("officer-c").await;
    let officer = app.with_token(&officer.access_token);

    for target in [&victim, &boss, &peer] {
        let reset = officer
            .post_json(
                &format!("/api/v1/users/{target}/password"),
                &json!({"new_password": "Mật khẩu chiếm quyền 2026", "must_change_password": false}),
            )
            .await;
        assert_problem(reset, StatusCode::FORBIDDEN, "forbidden").await;
        let before: Value = admin.get(&format!("/api/v1/users/{target}")).await.json().await.unwrap();
        for patch in [json!({"display_name": "Đã bị chiếm"}), json!({"status": "disabled"})] {
            let changed = officer.patch_json(&format!("/api/v1/users/{target}"), Some("*"), &patch).await;
            assert_problem(changed, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let grant = officer
            .post_json(&format!("/api/v1/users/{target}/roles"), &json!({"role": "member", "org_unit_id": t.branch}))
            .await;
        assert_problem(grant, StatusCode::FORBIDDEN, "forbidden").await;
        let roles: Value = admin.get(&format!("/api/v1/users/{target}/roles")).await.json().await.unwrap();
        for role in roles.as_array().unwrap() {
            let revoke =
                officer.delete(&format!("/api/v1/users/{target}/roles/{}", role["id"].as_str().unwrap()), None).await;
            // 403, or 404 for a grant on a unit she cannot even see.
            assert!(matches!(revoke.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "revoking {role}");
        }
        let after: Value = admin.get(&format!("/api/v1/users/{target}")).await.json().await.unwrap();
        assert_eq!(after, before, "the account is unchanged");
        let roles_after: Value = admin.get(&format!("/api/v1/users/{target}/roles")).await.json().await.unwrap();
        assert_eq!(roles_after, roles, "its roles are unchanged");
    }
    // The owner still logs in with her own password; the attacker's does not work.
    assert_eq!(app.login("victim-admin", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(app.login("victim-admin", "Mật khẩu chiếm quyền 2026").await.status(), StatusCode::UNAUTHORIZED);
    // Granting a role as high as her own is refused too (a second commune officer is the
    // province's decision).
    let head = app.user_with_role("head-b", &t.branch, "branch_head").await;
    let equal = officer
        .post_json(
            &format!("/api/v1/users/{head}/roles"),
            &json!({"role": "commune_officer", "org_unit_id": t.commune}),
        )
        .await;
    assert_problem(equal, StatusCode::FORBIDDEN, "forbidden").await;

    // What she outranks, she still manages.
    let reset = officer
        .post_json(
            &format!("/api/v1/users/{head}/password"),
            &json!({"new_password": "Mật khẩu mới của chi hội 2026", "must_change_password": true}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    officer
        .create(&format!("/api/v1/users/{head}/roles"), &json!({"role": "group_leader", "org_unit_id": t.group}))
        .await;
    // An admin manages an admin in her subtree.
    let reset = admin
        .post_json(
            &format!("/api/v1/users/{victim}/password"),
            &json!({"new_password": "Mật khẩu quản trị mới 2026", "must_change_password": true}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_account_cannot_be_linked_to_a_member_out_of_scope() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let stranger = member(&admin, &t.other_branch, "Lê", "Thị", "Mai").await;
    app.user_with_role("officer-c", &t.commune, "commune_officer").await;
    let officer = app.session("officer-c").await;
    let officer = app.with_token(&officer.access_token);
    // Linked at creation, the new account would read the stranger's data through /me.
    let created = officer
        .post_json(
            "/api/v1/users",
            &json!({"username": "sockpuppet", "display_name": "Sock", "home_unit_id": t.branch,
                    "password": PASSWORD, "must_change_password": false, "member_id": stranger["id"]}),
        )
        .await;
    assert_problem(created, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.login("sockpuppet", PASSWORD).await.status(), StatusCode::UNAUTHORIZED, "no account was made");
}
