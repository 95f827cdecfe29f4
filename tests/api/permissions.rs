//! The permission matrix of `docs/security.md`, checked cell by cell against a live server: for
//! each role, every operation on an object in the role's own unit, a sibling unit and the parent.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{As, PASSWORD, ROOT_UNIT, TestApp, spawn_app};

const ROLES: [&str; 8] = [
    "admin",
    "province_officer",
    "commune_officer",
    "branch_head",
    "group_leader",
    "member",
    "auditor",
    "integration",
];

/// The table between the markers, as operation → role → cell.
fn matrix() -> Vec<(String, HashMap<String, String>)> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/security.md"))
            .unwrap();
    let start = doc
        .find("<!-- permission-matrix:start -->")
        .expect("matrix start marker");
    let end = doc
        .find("<!-- permission-matrix:end -->")
        .expect("matrix end marker");
    let mut lines = doc[start..end].lines().filter(|l| l.starts_with('|'));
    let header: Vec<String> = cells(lines.next().unwrap());
    assert_eq!(header[0], "operation");
    assert_eq!(&header[1..], ROLES.map(str::to_owned), "role columns");
    lines
        .skip(1)
        .map(|line| {
            let row = cells(line);
            let by_role = header[1..]
                .iter()
                .cloned()
                .zip(row[1..].iter().cloned())
                .collect();
            (row[0].clone(), by_role)
        })
        .collect()
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

#[test]
fn the_matrix_covers_every_authenticated_operation() {
    let contract: Value = serde_json::from_str(&chihoi::openapi::document_json()).unwrap();
    let mut secured = BTreeSet::new();
    for item in contract["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let requirements = operation["security"].as_array().unwrap();
            if requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            {
                secured.insert(operation["operationId"].as_str().unwrap().to_owned());
            }
        }
    }
    let listed: BTreeSet<String> = matrix().into_iter().map(|(op, _)| op).collect();
    assert_eq!(
        listed, secured,
        "docs/security.md lists exactly the operations that need credentials"
    );
    let vocabulary = [
        "subtree", "visible", "hidden", "none", "any", "global", "unscoped", "self",
    ];
    for (op, row) in matrix() {
        for (role, cell) in row {
            assert!(
                vocabulary.contains(&cell.as_str()),
                "{op}/{role}: unknown cell {cell}"
            );
        }
    }
}

/// A unit of the fixture with what lives in it.
#[derive(Clone)]
struct Place {
    unit: String,
    child_level: &'static str,
    resident: String,
    resident_grant: String,
    client: String,
}

struct Fixture {
    places: HashMap<&'static str, Place>,
}

/// root → P1, P2; P1 → C1, C2; C1 → B1, B2; B1 → G1, G2. In each unit a resident account (a
/// member there) and a machine client, all made by the root administrator.
async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin().await;
    let mut units: HashMap<&'static str, String> = HashMap::from([("root", ROOT_UNIT.to_owned())]);
    for (key, parent, level) in [
        ("P1", "root", "province"),
        ("P2", "root", "province"),
        ("C1", "P1", "commune"),
        ("C2", "P1", "commune"),
        ("B1", "C1", "branch"),
        ("B2", "C1", "branch"),
        ("G1", "B1", "group"),
        ("G2", "B1", "group"),
    ] {
        let id = app
            .unit(&units[parent], level, &format!("Đơn vị {key}"))
            .await;
        units.insert(key, id);
    }
    let child_level = |key: &str| match &key[..1] {
        "r" => "province",
        "P" => "commune",
        "C" => "branch",
        _ => "group",
    };
    let mut places = HashMap::new();
    for key in ["root", "P1", "P2", "C1", "C2", "B1", "B2", "G1", "G2"] {
        let unit = units[key].clone();
        let resident = app
            .user_with_role(&format!("resident-{}", key.to_lowercase()), &unit, "member")
            .await;
        let roles: Value = admin
            .get(&format!("/api/v1/users/{resident}/roles"))
            .await
            .json()
            .await
            .unwrap();
        let client = admin
            .create(
                "/api/v1/machine-clients",
                &json!({"name": format!("client {key}"), "org_unit_id": unit}),
            )
            .await;
        places.insert(
            key,
            Place {
                unit,
                child_level: child_level(key),
                resident,
                resident_grant: roles[0]["id"].as_str().unwrap().to_owned(),
                client: client["id"].as_str().unwrap().to_owned(),
            },
        );
    }
    admin
        .create(
            "/api/v1/settings",
            &json!({"key": "test.matrix", "value": 1}),
        )
        .await;
    Fixture { places }
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

/// A token acting with `role` granted on `unit`.
async fn actor(app: &TestApp, role: &str, unit: &str) -> String {
    if role == "integration" {
        let client = app
            .admin()
            .await
            .create(
                "/api/v1/machine-clients",
                &json!({"name": "actor", "org_unit_id": unit}),
            )
            .await;
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
    app.user_with_role("actor", unit, role).await;
    app.session("actor").await.access_token
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    )
}

/// Performs `op` on `place` (ignored by operations without a target); returns the status.
async fn exercise(who: &As<'_>, op: &str, place: &Place) -> StatusCode {
    let p = place;
    let response = match op {
        "get_me" => who.get("/api/v1/me").await,
        "list_org_units" => who.get(&format!("/api/v1/org-units?within={}", p.unit)).await,
        "get_org_unit" => who.get(&format!("/api/v1/org-units/{}", p.unit)).await,
        "create_org_unit" => who.post_json("/api/v1/org-units", &json!({"parent_id": p.unit, "level": p.child_level, "name": unique("unit")})).await,
        "list_users" => who.get(&format!("/api/v1/users?unit={}", p.unit)).await,
        "get_user" => who.get(&format!("/api/v1/users/{}", p.resident)).await,
        "create_user" => {
            let body = json!({"username": unique("new"), "display_name": "Mới", "home_unit_id": p.unit, "password": PASSWORD, "must_change_password": false});
            who.post_json("/api/v1/users", &body).await
        }
        "update_user" => who.patch_json(&format!("/api/v1/users/{}", p.resident), Some("*"), &json!({"display_name": "Đã đổi tên"})).await,
        "reset_user_password" => who.post_json(&format!("/api/v1/users/{}/password", p.resident), &json!({"new_password": "Mật khẩu mới đặt lại 2026", "must_change_password": false})).await,
        "list_user_roles" => who.get(&format!("/api/v1/users/{}/roles", p.resident)).await,
        "create_user_role" => who.post_json(&format!("/api/v1/users/{}/roles", p.resident), &json!({"role": "group_leader", "org_unit_id": p.unit})).await,
        "delete_user_role" => who.delete(&format!("/api/v1/users/{}/roles/{}", p.resident, p.resident_grant), None).await,
        "list_api_tokens" => who.get("/api/v1/api-tokens").await,
        "create_api_token" => who.post_json("/api/v1/api-tokens", &json!({"name": unique("token"), "scopes": ["org_units:read"]})).await,
        "delete_api_token" => {
            let created = who.post_json("/api/v1/api-tokens", &json!({"name": unique("to-delete"), "scopes": ["org_units:read"]})).await;
            let id = created.json::<Value>().await.ok().and_then(|b| b["id"].as_str().map(str::to_owned)).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            who.delete(&format!("/api/v1/api-tokens/{id}"), None).await
        }
        "list_machine_clients" => who.get("/api/v1/machine-clients").await,
        "create_machine_client" => who.post_json("/api/v1/machine-clients", &json!({"name": unique("client"), "org_unit_id": p.unit})).await,
        "get_machine_client" => who.get(&format!("/api/v1/machine-clients/{}", p.client)).await,
        "update_machine_client" => who.patch_json(&format!("/api/v1/machine-clients/{}", p.client), Some("*"), &json!({"name": "Đổi tên"})).await,
        "create_machine_client_secret" => who.post_json(&format!("/api/v1/machine-clients/{}/secret", p.client), &json!({})).await,
        "list_audit_events" => who.get(&format!("/api/v1/audit-events?org_unit_id={}", p.unit)).await,
        "list_settings" => who.get("/api/v1/settings").await,
        "get_setting" => who.get("/api/v1/settings/test.matrix").await,
        "create_setting" => who.post_json("/api/v1/settings", &json!({"key": unique("test.created").replace('-', "_"), "value": 1})).await,
        "update_setting" => who.patch_json("/api/v1/settings/test.matrix", Some("*"), &json!({"value": 2})).await,
        "delete_setting" => who.delete("/api/v1/settings/test.matrix", Some("*")).await,
        "delete_session" => who.post_json("/api/v1/auth/logout", &json!({})).await,
        "update_my_password" => who.post_json("/api/v1/me/password", &json!({"current_password": PASSWORD, "new_password": "Đổi mật khẩu của chính mình"})).await,
        other => panic!("{other} is in the matrix but this test cannot exercise it yet: add it here"),
    };
    response.status()
}

fn success(op: &str) -> StatusCode {
    match op {
        "reset_user_password"
        | "delete_user_role"
        | "delete_api_token"
        | "delete_setting"
        | "delete_session" => StatusCode::NO_CONTENT,
        op if op.starts_with("create_") => StatusCode::CREATED,
        _ => StatusCode::OK,
    }
}

async fn check_role(role: &str) {
    let app = spawn_app().await;
    let fixture = fixture(&app).await;
    let (own, sibling, parent) = placement(role);
    let token = actor(&app, role, &fixture.places[own].unit).await;
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
            As {
                app: &app,
                token: who.token.clone(),
            }
        };
        let expectations: Vec<(&str, StatusCode)> = match cell {
            "subtree" => vec![
                (own, success(&op)),
                (sibling, StatusCode::NOT_FOUND),
                (parent, StatusCode::NOT_FOUND),
            ],
            "visible" => vec![
                (own, StatusCode::FORBIDDEN),
                (sibling, StatusCode::NOT_FOUND),
                (parent, StatusCode::NOT_FOUND),
            ],
            "hidden" => vec![
                (own, StatusCode::NOT_FOUND),
                (sibling, StatusCode::NOT_FOUND),
                (parent, StatusCode::NOT_FOUND),
            ],
            "none" | "global" => vec![(own, StatusCode::FORBIDDEN)],
            "any" | "unscoped" | "self" => vec![(own, success(&op))],
            other => panic!("unknown cell {other}"),
        };
        for (target, expected) in expectations {
            let status = exercise(&who, &op, &fixture.places[target]).await;
            if status != expected {
                failures.push(format!(
                    "{role} {op} on {target}: expected {expected}, got {status} (cell {cell})"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
