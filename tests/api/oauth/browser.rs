//! A real browser signs in: Debian's Chromium driven over WebDriver (chromedriver, W3C
//! protocol spoken with the tests' own HTTP client) opens the demo-like app's authorize URL
//! made by the `oauth2` crate, signs in, reads the consent page, allows, and lands on a
//! loopback listener of the test; the `oauth2` crate exchanges the code. Then it denies once.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::flow::fixture;
use crate::helpers::{PASSWORD, spawn_app};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a free loopback port, ended with the test.
struct Driver {
    process: Child,
    url: String,
    http: reqwest::Client,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = std::env::var("CHIHOI_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let process = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver runs (scripts/test installs Debian's chromium-driver; CHIHOI_CHROMEDRIVER overrides)",
            );
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{url}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("chihoi-webdriver-{}", uuid::Uuid::now_v7().simple()));
        let chromium = std::env::var("CHIHOI_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--accept-lang=vi-VN,vi", format!("--user-data-dir={}", profile.display()),
            ]}
        }}});
        let session: Value =
            http.post(format!("{url}/session")).json(&capabilities).send().await.unwrap().json().await.unwrap();
        let session = session["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {session}"))
            .to_owned();
        Driver { process, url, http, session }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.url, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        reply["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    async fn element(&self, css: &str) -> String {
        let found =
            self.call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
    }

    async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await;
    }

    async fn source(&self) -> String {
        let value = self.call(reqwest::Method::GET, "/source", None).await;
        value.as_str().map(str::to_owned).unwrap_or_else(|| format!("(no page source: {value})"))
    }

    /// The page source once it contains `text` (a click's navigation may still be under way
    /// when the click returns on a loaded machine); the last source seen after 20 s otherwise.
    async fn page_with(&self, text: &str) -> String {
        let mut source = String::new();
        for _ in 0..100 {
            source = self.source().await;
            if source.contains(text) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        source
    }

    async fn close(&self) {
        self.http.delete(format!("{}/session/{}", self.url, self.session)).send().await.ok();
    }
}

/// Accepts one request on `listener` (the app's loopback redirect), answers a small page, and
/// returns the request's path and query.
async fn one_redirect(listener: TcpListener) -> String {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut buffer = vec![0u8; 8192];
    let n = socket.read(&mut buffer).await.unwrap();
    let request = String::from_utf8_lossy(&buffer[..n]).to_string();
    let target = request.split_whitespace().nth(1).unwrap_or_default().to_owned();
    let page = "<!doctype html><title>ok</title><p>Đã đăng nhập, quay lại ứng dụng.</p>";
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
        page.len()
    );
    socket.write_all(reply.as_bytes()).await.unwrap();
    target
}

/// The `oauth2` crate's HTTP through reqwest 0.13 (what a mobile app's HTTP stack would do).
async fn send(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let (parts, body) = request.into_parts();
    let response = client.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
    let mut built = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        built = built.header(name, value);
    }
    let bytes = response.bytes().await?;
    Ok(built.body(bytes.to_vec()).expect("a response"))
}

fn query_of(target: &str) -> std::collections::BTreeMap<String, String> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

#[tokio::test]
async fn an_officer_signs_in_and_allows_an_app_in_a_real_browser() {
    let app = spawn_app().await;
    let fx = fixture(&app).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", listener.local_addr().unwrap().port());
    let client = BasicClient::new(ClientId::new(fx.client_id.clone()))
        .set_auth_uri(AuthUrl::new(format!("{}/oauth/authorize", app.address)).unwrap())
        .set_token_uri(TokenUrl::new(format!("{}/oauth/token", app.address)).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (authorize_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("members:read".into()))
        .add_scope(Scope::new("me:read".into()))
        .set_pkce_challenge(challenge)
        .url();

    let driver = Driver::start().await;
    let redirected = tokio::spawn(one_redirect(listener));
    driver.open(authorize_url.as_str()).await;
    let login = driver.page_with("Sổ tay chi hội").await;
    assert!(login.contains("Sổ tay chi hội"), "{login}");
    driver.type_into("#u", "ray").await;
    driver.type_into("#p", PASSWORD).await;
    driver.click("button.go").await;
    let consent = driver.page_with("value=\"allow\"").await;
    assert!(consent.contains("Xem danh sách hội viên — Chi hội ấp Rẫy"), "{consent}");
    assert!(consent.contains("Công ty phần mềm Mê Kông"));
    driver.click("button.go").await;
    let target =
        tokio::time::timeout(Duration::from_secs(20), redirected).await.expect("redirected to the app").unwrap();
    let answer = query_of(&target);
    assert_eq!(answer["state"], *state.secret(), "state comes back unchanged");
    assert_eq!(answer["iss"], app.address);

    let tokens = client
        .exchange_code(AuthorizationCode::new(answer["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .expect("the oauth2 crate exchanges the code");
    let scopes: Vec<String> = tokens.scopes().unwrap().iter().map(|s| s.to_string()).collect();
    assert_eq!(scopes, ["members:read", "me:read"]);
    let me = app.with_token(tokens.access_token().secret()).get("/api/v1/me").await;
    assert_eq!(me.status(), reqwest::StatusCode::OK);
    let refreshed = client.exchange_refresh_token(tokens.refresh_token().unwrap()).request_async(&send).await;
    assert!(refreshed.is_ok(), "refresh through the oauth2 crate: {refreshed:?}");

    // Asked again with prompt=consent, she denies: the app hears access_denied.
    let listener =
        TcpListener::bind(format!("127.0.0.1:{}", redirect.split(':').nth(2).unwrap().split('/').next().unwrap()))
            .await
            .unwrap();
    let redirected = tokio::spawn(one_redirect(listener));
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (again, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("members:read".into()))
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    driver.open(again.as_str()).await;
    driver.page_with("value=\"deny\"").await;
    driver.click("button.stop").await;
    let target =
        tokio::time::timeout(Duration::from_secs(20), redirected).await.expect("redirected to the app").unwrap();
    let answer = query_of(&target);
    assert_eq!(answer["error"], "access_denied");
    assert_eq!(answer["state"], *state.secret());
    driver.close().await;
}
