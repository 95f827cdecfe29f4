//! The permission matrix of `docs/security.md`, checked cell by cell against a live server: for
//! each role, every operation on an object in the role's own unit, a sibling unit and the parent.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod exercise;
mod fixture;

use exercise::exercise;
use fixture::{Place, fixture};

use crate::helpers::{As, TestApp, spawn_app};

const ROLES: [&str; 8] =
    ["admin", "province_officer", "commune_officer", "branch_head", "group_leader", "member", "auditor", "integration"];

/// The table between the markers, as operation → role → cell.
fn matrix() -> Vec<(String, HashMap<String, String>)> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/security.md")).unwrap();
    let start = doc.find("<!-- permission-matrix:start -->").expect("matrix start marker");
    let end = doc.find("<!-- permission-matrix:end -->").expect("matrix end marker");
    let mut lines = doc[start..end].lines().filter(|l| l.starts_with('|'));
    let header: Vec<String> = cells(lines.next().unwrap());
    assert_eq!(header[0], "operation");
    assert_eq!(&header[1..], ROLES.map(str::to_owned), "role columns");
    lines
        .skip(1)
        .map(|line| {
            let row = cells(line);
            let by_role = header[1..].iter().cloned().zip(row[1..].iter().cloned()).collect();
            (row[0].clone(), by_role)
        })
        .collect()
}

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect()
}

#[test]
fn the_matrix_covers_every_authenticated_operation() {
    let contract: Value = serde_json::from_str(&chihoi::openapi::document_json()).unwrap();
    let mut secured = BTreeSet::new();
    for item in contract["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let requirements = operation["security"].as_array().unwrap();
            if requirements.iter().any(|r| r.as_object().is_some_and(|o| !o.is_empty())) {
                secured.insert(operation["operationId"].as_str().unwrap().to_owned());
            }
        }
    }
    let listed: BTreeSet<String> = matrix().into_iter().map(|(op, _)| op).collect();
    assert_eq!(listed, secured, "docs/security.md lists exactly the operations that need credentials");
    let vocabulary = ["subtree", "visible", "hidden", "none", "any", "global", "unscoped", "self"];
    for (op, row) in matrix() {
        for (role, cell) in row {
            assert!(vocabulary.contains(&cell.as_str()), "{op}/{role}: unknown cell {cell}");
        }
    }
}

/// Where the role is granted, and the sibling and parent of that unit.
fn placement(role: &str) -> (&'static str, &'static str, &'static str) {
    match role {
        "admin" | "province_officer" | "auditor" | "integration" => ("P1", "P2", "root"),
        "commune_officer" => ("C1", "C2", "P1"),
        "branch_head" | "member" => ("B1", "B2", "C1"),
        "group_leader" => ("G1", "G2", "B1"),
        other => panic!("no placement for {other}"),
    }
}

/// A token acting with `role` granted on the place's unit; a person's account is linked to a
/// member of the place, so that her own record (`/me/member`) exists.
async fn actor(app: &TestApp, role: &str, place: &Place) -> String {
    let unit = &place.unit;
    if role == "integration" {
        let client =
            app.admin().await.create("/api/v1/machine-clients", &json!({"name": "actor", "org_unit_id": unit})).await;
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            client["id"].as_str().unwrap(),
            client["client_secret"].as_str().unwrap()
        );
        let response = app
            .request(Method::POST, "/api/v1/auth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let token: Value = response.json().await.unwrap();
        return token["access_token"].as_str().unwrap().to_owned();
    }
    let account = app.user_with_role("actor", unit, role).await;
    let admin = app.admin().await;
    let herself = fixture::member(&admin, &place.home, 99).await;
    let linked = admin.patch_json(&format!("/api/v1/users/{account}"), Some("*"), &json!({"member_id": herself})).await;
    assert_eq!(linked.status(), StatusCode::OK);
    app.session("actor").await.access_token
}

fn success(op: &str) -> StatusCode {
    match op {
        "reset_user_password"
        | "delete_user_role"
        | "delete_api_token"
        | "delete_setting"
        | "delete_session"
        | "replace_member_photo"
        | "delete_member_photo"
        | "delete_oauth_app"
        | "delete_my_authorized_app" => StatusCode::NO_CONTENT,
        "create_member_import" | "cancel_job" => StatusCode::ACCEPTED,
        op if op.starts_with("create_") || op == "convert_prospect" => StatusCode::CREATED,
        _ => StatusCode::OK,
    }
}

async fn check_role(role: &str) {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let (own, sibling, parent) = placement(role);
    let token = actor(&app, role, &fixture.places[own]).await;
    let who = app.with_token(&token);
    let mut failures = Vec::new();
    // Session-ending operations come last in the table; logout uses a session of its own.
    for (op, row) in matrix() {
        let cell = row[role].as_str();
        let session_token;
        let who = if op == "delete_session" && role != "integration" {
            session_token = app.session("actor").await.access_token;
            app.with_token(&session_token)
        } else {
            As { app: &app, token: who.token.clone() }
        };
        let expectations: Vec<(&str, StatusCode)> = match cell {
            "subtree" => vec![(own, success(&op)), (sibling, StatusCode::NOT_FOUND), (parent, StatusCode::NOT_FOUND)],
            "visible" => {
                vec![(own, StatusCode::FORBIDDEN), (sibling, StatusCode::NOT_FOUND), (parent, StatusCode::NOT_FOUND)]
            }
            "hidden" => {
                vec![(own, StatusCode::NOT_FOUND), (sibling, StatusCode::NOT_FOUND), (parent, StatusCode::NOT_FOUND)]
            }
            "none" | "global" => vec![(own, StatusCode::FORBIDDEN)],
            "any" | "unscoped" | "self" => vec![(own, success(&op))],
            other => panic!("unknown cell {other}"),
        };
        for (target, expected) in expectations {
            let status = exercise(&who, &op, &fixture.places[target], &fixture).await;
            if status != expected {
                failures.push(format!("{role} {op} on {target}: expected {expected}, got {status} (cell {cell})"));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

macro_rules! role_tests {
    ($($name:ident => $role:literal),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                check_role($role).await;
            }
        )*
    };
}

role_tests! {
    matrix_admin => "admin",
    matrix_province_officer => "province_officer",
    matrix_commune_officer => "commune_officer",
    matrix_branch_head => "branch_head",
    matrix_group_leader => "group_leader",
    matrix_member => "member",
    matrix_auditor => "auditor",
    matrix_integration => "integration",
}
