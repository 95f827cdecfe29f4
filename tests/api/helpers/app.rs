//! A real chihoi server on 127.0.0.1 (port 0) over a fresh database, and typed request helpers.

use std::collections::HashMap;

use chihoi::config::Config;
use chihoi::startup::Application;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use super::database::{drop_database, fresh_database};

/// The signing key of test servers, so tests can forge tokens the server must refuse.
pub const TEST_JWT_SECRET: &[u8] = b"test-signing-key-for-chihoi-tests-001";
pub const TEST_JWT_KEYS: &str = "test-1:dGVzdC1zaWduaW5nLWtleS1mb3ItY2hpaG9pLXRlc3RzLTAwMQ==";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub database_url: String,
    database_name: Option<String>,
    pub(crate) admin_session: tokio::sync::OnceCell<super::auth::Session>,
}

/// Logs only with `TEST_LOG=1` (to the terminal) or `TEST_LOG_DIR` (JSON files, one per test
/// process, which `scripts/test` searches for leaked secrets).
fn init_logging() {
    if let Ok(dir) = std::env::var("TEST_LOG_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{}.log", std::process::id()));
        if let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            chihoi::telemetry::init_to_file(file, "debug,h2=info,hyper=info,reqwest=info");
        }
    } else if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
        chihoi::telemetry::init(chihoi::config::LogFormat::Pretty, "info");
    }
}

pub fn base_env(database_url: &str) -> HashMap<String, String> {
    [
        ("DATABASE_URL", database_url),
        ("CHIHOI_BIND", "127.0.0.1:0"),
        ("CHIHOI_MIGRATE", "off"),
        ("CHIHOI_WORKERS", "2"),
        ("CHIHOI_DB_POOL_SIZE", "8"),
        ("CHIHOI_JWT_KEYS", TEST_JWT_KEYS),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A server over a fresh migrated database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with configuration variables changed by `customize`.
pub async fn spawn_app_with(customize: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
    let (name, url) = fresh_database().await;
    let mut app = spawn_app_on(&url, customize).await;
    app.database_name = Some(name);
    app
}

/// A server over an existing database (which this harness will not drop).
pub async fn spawn_app_on(database_url: &str, customize: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
    init_logging();
    let mut env = base_env(database_url);
    customize(&mut env);
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("valid test configuration");
    let application = Application::build(config).expect("server builds");
    let port = application.port();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        // The server closes a connection idle for 5 s (actix's keep-alive); a test that works
        // for seconds between requests must not reuse one the server may be closing.
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("http client"),
        database_url: database_url.to_owned(),
        database_name: None,
        admin_session: tokio::sync::OnceCell::new(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("POST")
    }

    /// A direct connection to this test's database, for arranging states an API client cannot.
    pub async fn db(&self) -> diesel_async::AsyncPgConnection {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&self.database_url).await.expect("connect to the test database")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.database_name.take() {
            // Async work cannot run in `drop`; a short-lived runtime on another thread can.
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    runtime.block_on(drop_database(&name));
                }
            })
            .join();
        }
    }
}

/// Asserts a problem+json response with this status and code; returns its body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json", "content type");
    let request_id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status.as_u16(), "status member: {body}");
    assert_eq!(body["code"], code, "code member: {body}");
    assert_eq!(body["type"], format!("urn:chihoi:problem:{code}"), "type member: {body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "title: {body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "detail: {body}");
    assert_eq!(body["request_id"].as_str(), request_id.as_deref(), "request_id matches X-Request-Id");
    body
}

/// The `errors[]` entry for `field`, asserting there is one.
pub fn field_error<'a>(problem: &'a Value, field: &str) -> &'a Value {
    problem["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .unwrap_or_else(|| panic!("no error for field {field:?} in {problem}"))
}
