//! Helpers of the OAuth tests: a registered app, a browser that keeps cookies and follows no
//! redirect on its own, PKCE pairs, and the steps of the sign-in pages.

use std::collections::BTreeMap;
use std::sync::Mutex;

use base64::Engine;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{As, PASSWORD, ROOT_UNIT, TestApp};

pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1/callback";
pub const APP_SCHEME_REDIRECT: &str = "vn.hoilhpn.sotay:/oauth/callback";

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!("{}{}", uuid::Uuid::now_v7().simple(), uuid::Uuid::now_v7().simple());
    (verifier.clone(), challenge_of(&verifier))
}

pub fn challenge_of(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A province, a commune and its branch "ấp Rẫy", a branch head `ray` there, and a public app
/// registered on the commune.
pub struct Fixture<'a> {
    pub app: &'a TestApp,
    pub commune: String,
    pub branch: String,
    pub client_id: String,
    pub app_id: String,
}

pub async fn fixture(app: &TestApp) -> Fixture<'_> {
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    app.user_with_role("ray", &branch, "branch_head").await;
    let admin = app.admin().await;
    let registered = register(&admin, &commune, "members:read members:write me:read", "none").await;
    Fixture {
        app,
        commune,
        branch,
        client_id: registered["client_id"].as_str().unwrap().to_owned(),
        app_id: registered["id"].as_str().unwrap().to_owned(),
    }
}

/// Registers an app on `unit`; returns the response body (with `client_secret` when
/// confidential).
pub async fn register(admin: &As<'_>, unit: &str, scope: &str, method: &str) -> Value {
    admin
        .create(
            "/api/v1/oauth-apps",
            &json!({
                "client_name": "Sổ tay chi hội",
                "owner": "Công ty phần mềm Mê Kông",
                "logo_text": "ST",
                "org_unit_id": unit,
                "redirect_uris": [LOOPBACK_REDIRECT, APP_SCHEME_REDIRECT],
                "scope": scope,
                "token_endpoint_auth_method": method,
            }),
        )
        .await
}

/// The query of an authorization request.
pub fn authorize_query(client_id: &str, redirect: &str, scope: &str, state: &str, challenge: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .finish()
}

/// A browser: keeps the cookies the server sets, follows no redirect by itself.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookies: Mutex::new(BTreeMap::new()) }
    }

    fn keep_cookies(&self, response: &Response) {
        let mut jar = self.cookies.lock().unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn forget_cookie(&self, name: &str) {
        self.cookies.lock().unwrap().remove(name);
    }

    pub async fn get(&self, path: &str) -> Response {
        let response =
            self.app.request(Method::GET, path).header("cookie", self.cookie_header()).send().await.expect("GET");
        self.keep_cookies(&response);
        response
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.post_form_with(path, fields, None).await
    }

    /// POST as a form, optionally claiming to come from another `origin`.
    pub async fn post_form_with(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Response {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut request = self
            .app
            .request(Method::POST, path)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.expect("POST");
        self.keep_cookies(&response);
        response
    }
}

/// The value of the hidden (or other) input `name` of a page.
pub fn input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no input {name} in {html}")) + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub fn location(response: &Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// The query parameters of a URL (the app's redirect).
pub fn params(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// Signs in on the page `html` (the sign-in page) as `username`; the server's answer.
pub async fn sign_in(browser: &Browser<'_>, html: &str, username: &str, password: &str) -> Response {
    let request = input(html, "request");
    let csrf = input(html, "csrf");
    browser
        .post_form(
            "/oauth/login",
            &[("request", &request), ("csrf", &csrf), ("username", username), ("password", password)],
        )
        .await
}

/// Answers the consent page `html`.
pub async fn decide(browser: &Browser<'_>, html: &str, decision: &str) -> Response {
    let request = input(html, "request");
    let csrf = input(html, "csrf");
    browser.post_form("/oauth/consent", &[("request", &request), ("csrf", &csrf), ("decision", decision)]).await
}

/// Follows a `303` back to the authorize page; its answer.
pub async fn follow(browser: &Browser<'_>, response: Response) -> Response {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "expected a 303");
    browser.get(&location(&response)).await
}

/// The whole flow for `ray` (sign in, allow) with a fresh PKCE pair: the code and verifier.
pub async fn code_for(fx: &Fixture<'_>, browser: &Browser<'_>, scope: &str) -> (String, String) {
    let (verifier, challenge) = pkce();
    let query = authorize_query(&fx.client_id, LOOPBACK_REDIRECT, scope, "s1", &challenge);
    let mut page = browser.get(&format!("/oauth/authorize?{query}")).await;
    if page.status() == StatusCode::OK {
        let html = page.text().await.unwrap();
        if html.contains("name=\"password\"") {
            let signed = sign_in(browser, &html, "ray", PASSWORD).await;
            page = follow(browser, signed).await;
        } else {
            page = decide(browser, &html, "allow").await;
        }
    }
    if page.status() == StatusCode::OK {
        let html = page.text().await.unwrap();
        page = decide(browser, &html, "allow").await;
    }
    let to = location(&page);
    assert!(to.starts_with("http://127.0.0.1/callback?"), "not back to the app: {} {to}", page.status());
    (params(&to)["code"].clone(), verifier)
}

/// `POST /oauth/token` with `fields` (a form).
pub async fn token(app: &TestApp, fields: &[(&str, &str)]) -> Response {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    app.request(Method::POST, "/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /oauth/token")
}

/// Exchanges `code` for tokens as the public app of `fx`.
pub async fn exchange(fx: &Fixture<'_>, code: &str, verifier: &str) -> Response {
    token(
        fx.app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("client_id", &fx.client_id),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Tokens for `ray` through the app, with `scope`: the token response.
pub async fn tokens(fx: &Fixture<'_>, scope: &str) -> Value {
    let browser = Browser::new(fx.app);
    let (code, verifier) = code_for(fx, &browser, scope).await;
    let response = exchange(fx, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}
