//! Accounts and sessions for tests: a root administrator made directly in the database (as
//! `chihoi user create` does), everything else through the API.

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::app::TestApp;

/// The password of every test account. Also a canary: it must never appear in any log.
pub const PASSWORD: &str = "Canary-Passphrase-7f3a9e";
/// The root unit created by the migrations.
pub const ROOT_UNIT: &str = "00000000-0000-7000-8000-000000000001";

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Uuid,
    pub access_token: String,
    pub refresh_token: String,
}

/// Requests sent with a bearer token.
pub struct As<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl As<'_> {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.request(method, path).bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("POST")
    }

    pub async fn patch_json(&self, path: &str, if_match: Option<&str>, body: &Value) -> Response {
        let mut request = self.request(Method::PATCH, path).json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("PATCH")
    }

    pub async fn delete(&self, path: &str, if_match: Option<&str>) -> Response {
        let mut request = self.request(Method::DELETE, path);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("DELETE")
    }

    /// POST that must succeed with 201; returns the body.
    pub async fn create(&self, path: &str, body: &Value) -> Value {
        let response = self.post_json(path, body).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
    }
}

impl TestApp {
    pub fn with_token(&self, token: &str) -> As<'_> {
        As { app: self, token: token.to_owned() }
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post_json("/api/v1/auth/login", &json!({"username": username, "password": password})).await
    }

    /// Logs in with `PASSWORD`, which must succeed.
    pub async fn session(&self, username: &str) -> Session {
        let response = self.login(username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login {username}");
        let body: Value = response.json().await.unwrap();
        let me: Value =
            self.with_token(body["access_token"].as_str().unwrap()).get("/api/v1/me").await.json().await.unwrap();
        Session {
            user_id: me["user"]["id"].as_str().unwrap().parse().unwrap(),
            access_token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// An administrator of the whole installation (made once per app), logged in.
    pub async fn admin(&self) -> As<'_> {
        let session = self
            .admin_session
            .get_or_init(|| async {
                let hash = chihoi::auth::passwords::hash(PASSWORD, Default::default()).unwrap();
                let id = Uuid::now_v7();
                let mut db = self.db().await;
                diesel::sql_query(
                    "INSERT INTO users (id, username, display_name, home_unit_id, must_change_password, password_hash)
                     VALUES ($1, 'root-admin', 'Root admin', $2, false, $3)",
                )
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(ROOT_UNIT.parse::<Uuid>().unwrap())
                .bind::<Text, _>(hash)
                .execute(&mut db)
                .await
                .unwrap();
                diesel::sql_query(
                    "INSERT INTO role_grants (id, user_id, role, org_unit_id) VALUES ($1, $2, 'admin', $3)",
                )
                .bind::<SqlUuid, _>(Uuid::now_v7())
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(ROOT_UNIT.parse::<Uuid>().unwrap())
                .execute(&mut db)
                .await
                .unwrap();
                self.session("root-admin").await
            })
            .await;
        self.with_token(&session.access_token)
    }

    /// A bearer token of a new machine client (a province system) bound to `unit`.
    pub async fn machine_token(&self, unit: &str) -> String {
        self.machine_client(unit).await.1
    }

    /// A new machine client bound to `unit`: its id and a bearer token.
    pub async fn machine_client(&self, unit: &str) -> (String, String) {
        let admin = self.admin().await;
        let client =
            admin.create("/api/v1/machine-clients", &json!({"name": "Hệ thống tỉnh", "org_unit_id": unit})).await;
        let token: Value = self
            .request(Method::POST, "/api/v1/auth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&client_id={}&client_secret={}",
                client["id"].as_str().unwrap(),
                client["client_secret"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (client["id"].as_str().unwrap().to_owned(), token["access_token"].as_str().unwrap().to_owned())
    }

    /// Creates a unit under `parent` (as root admin); returns its id.
    pub async fn unit(&self, parent: &str, level: &str, name: &str) -> String {
        let unit = self
            .admin()
            .await
            .create(
                "/api/v1/org-units",
                &json!({"parent_id": parent, "level": level, "name": name, "valid_from": "2000-01-01"}),
            )
            .await;
        unit["id"].as_str().unwrap().to_owned()
    }

    /// Creates an account at `unit` holding `role` there (as root admin); returns its id.
    pub async fn user_with_role(&self, username: &str, unit: &str, role: &str) -> String {
        let admin = self.admin().await;
        let user = admin
            .create(
                "/api/v1/users",
                &json!({"username": username, "display_name": username, "home_unit_id": unit,
                        "password": PASSWORD, "must_change_password": false}),
            )
            .await;
        let id = user["id"].as_str().unwrap().to_owned();
        admin.create(&format!("/api/v1/users/{id}/roles"), &json!({"role": role, "org_unit_id": unit})).await;
        id
    }
}
