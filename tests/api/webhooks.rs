//! Webhooks: a receiver on 127.0.0.1 that fails the first attempts gets each event later, signed
//! with the subscription's secret (checked here with an independent HMAC); deliveries are listed
//! and replayed; an endpoint that keeps failing is disabled with a note; internal targets are
//! refused where private addresses are not allowed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::{As, ROOT_UNIT, assert_problem, spawn_app_with};

#[derive(Clone, Debug)]
pub(crate) struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// An HTTP receiver on 127.0.0.1 answering 500 to the first `failures` requests, then 200.
pub(crate) async fn receiver(failures: usize) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = log.clone();
    tokio::spawn(async move {
        let mut count = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let (head, body) = loop {
                let Ok(n) = socket.read(&mut buf).await else { break (String::new(), Vec::new()) };
                if n == 0 {
                    break (String::new(), Vec::new());
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..end]).to_string();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    while data.len() < end + 4 + length {
                        let Ok(n) = socket.read(&mut buf).await else { break };
                        if n == 0 {
                            break;
                        }
                        data.extend_from_slice(&buf[..n]);
                    }
                    break (head, data[end + 4..].to_vec());
                }
            };
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())))
                .collect();
            seen.lock().unwrap().push(Received { headers, body });
            count += 1;
            let status = if count <= failures { "500 Internal Server Error" } else { "200 OK" };
            let _ = socket
                .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes())
                .await;
        }
    });
    (url, log)
}

/// HMAC-SHA256, written out from RFC 2104 so the test does not reuse the server's code.
fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(inner_hash.iter().copied()).collect();
    Sha256::digest(&outer).iter().map(|b| format!("{b:02x}")).collect()
}

async fn wait_for(log: &Arc<Mutex<Vec<Received>>>, what: impl Fn(&[Received]) -> bool) {
    for _ in 0..200 {
        if what(&log.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out; received {:?}", log.lock().unwrap().len());
}

pub(crate) fn fast(env: &mut std::collections::HashMap<String, String>) {
    env.insert("CHIHOI_WEBHOOK_RETRY_BASE_S".into(), "1".into());
    env.insert("CHIHOI_WEBHOOK_POLL_MS".into(), "100".into());
    env.insert("CHIHOI_WEBHOOK_GIVE_UP_S".into(), "4".into());
}

#[tokio::test]
async fn events_arrive_signed_after_failures_and_can_be_replayed() {
    let app = spawn_app_with(fast).await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    let elsewhere = app.unit(ROOT_UNIT, "province", "Tỉnh khác").await;
    let (url, log) = receiver(2).await;
    let token = app.machine_token(&province).await;
    let system = app.with_token(&token);
    let created = system
        .create(
            "/api/v1/webhooks",
            &json!({"unit_id": province, "url": url, "events": ["member.joined", "report.submitted"]}),
        )
        .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let hook = created["webhook"]["id"].as_str().unwrap().to_owned();
    let shown: Value = system.get(&format!("/api/v1/webhooks/{hook}")).await.json().await.unwrap();
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    let outside = system
        .post_json("/api/v1/webhooks", &json!({"unit_id": elsewhere, "url": url, "events": ["member.joined"]}))
        .await;
    assert_problem(outside, StatusCode::NOT_FOUND, "not_found").await;

    let member = admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Bí Mật",
                                           "birth_year": 1980, "joined_on": "2026-11-01", "unit_id": branch}),
        )
        .await;
    let report = admin.create("/api/v1/report-submissions", &json!({"unit_id": commune, "period": "2026-10"})).await;
    let submitted = admin
        .request(Method::POST, &format!("/api/v1/report-submissions/{}/submit", report["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::OK);
    // Not subscribed: an event elsewhere and another kind of event are not sent.
    admin
        .create("/api/v1/members", &json!({"family_name": "Lê", "middle_name": "Thị", "given_name": "Xa", "birth_year": 1980,
                                           "joined_on": "2026-11-01", "unit_id": app.unit(&elsewhere, "branch", "Chi hội xa").await}))
        .await;

    // Two failures, then both events, each once accepted (deliveries run in event order).
    wait_for(&log, |r| r.len() >= 4).await;
    let received = log.lock().unwrap().clone();
    let events: Vec<String> = received.iter().map(|r| r.header("chihoi-event")).collect();
    assert!(events.iter().all(|e| e == "member.joined" || e == "report.submitted"), "{events:?}");
    assert!(events.contains(&"report.submitted".to_owned()));
    for r in &received {
        let signature = r.header("chihoi-signature");
        let (t, v1) = signature.split_once(",v1=").unwrap();
        let t = t.strip_prefix("t=").unwrap();
        let expected = hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", &r.body].concat());
        assert_eq!(v1, expected, "signed with the subscription secret");
        // Standard Webhooks: key = base64 after `whsec_`, over "<id>.<timestamp>.<body>".
        let id = r.header("webhook-id");
        assert_eq!(id, r.header("chihoi-event-id"), "the message id is the event's, the same on every retry");
        let timestamp = r.header("webhook-timestamp");
        let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).expect("the secret is standard base64");
        let hex = hmac_sha256(&key, &[id.as_bytes(), b".", timestamp.as_bytes(), b".", &r.body].concat());
        let bytes: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        assert_eq!(r.header("webhook-signature"), format!("v1,{}", STANDARD.encode(bytes)));
        let body = String::from_utf8(r.body.clone()).unwrap();
        assert!(!body.contains("Bí Mật") && !body.contains("Nguyễn"), "ids only, never names: {body}");
    }
    let joined = received.iter().find(|r| r.header("chihoi-event") == "member.joined").unwrap();
    let payload: Value = serde_json::from_slice(&joined.body).unwrap();
    assert_eq!(payload["data"]["member_id"], member["id"]);

    let deliveries: Value = system.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await.json().await.unwrap();
    let items = deliveries["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "one per subscribed event in its subtree");
    wait_for(&log, |_| true).await;
    let first = items.iter().find(|d| d["event"] == "member.joined").unwrap();
    assert_eq!(first["status"], "delivered");
    assert!(first["attempts"].as_i64().unwrap() >= 2, "{first}");
    let before = log.lock().unwrap().len();
    let replay = system
        .post_json(&format!("/api/v1/webhook-deliveries/{}/replay", first["id"].as_str().unwrap()), &json!({}))
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    wait_for(&log, |r| r.len() > before).await;
    let again = log.lock().unwrap().last().cloned().unwrap();
    assert_eq!(again.header("chihoi-event-id"), joined.header("chihoi-event-id"), "the same event, to deduplicate");

    // A branch head cannot subscribe; others' subscriptions are invisible.
    app.user_with_role("chi-hoi-truong", &branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let refused =
        head.post_json("/api/v1/webhooks", &json!({"unit_id": branch, "url": url, "events": ["member.left"]})).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(head.get(&format!("/api/v1/webhooks/{hook}")).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_with_a_note() {
    let app = spawn_app_with(fast).await;
    let admin: As<'_> = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh").await;
    let branch = app.unit(&province, "branch", "Chi hội").await;
    let (url, log) = receiver(usize::MAX).await;
    let created =
        admin.create("/api/v1/webhooks", &json!({"unit_id": province, "url": url, "events": ["member.joined"]})).await;
    let hook = created["webhook"]["id"].as_str().unwrap().to_owned();
    admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Trần", "middle_name": "Thị", "given_name": "Lan", "birth_year": 1980,
                                           "joined_on": "2026-11-01", "unit_id": branch}),
        )
        .await;
    let mut state = Value::Null;
    for _ in 0..100 {
        state = admin.get(&format!("/api/v1/webhooks/{hook}")).await.json().await.unwrap();
        if state["status"] == "disabled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(state["status"], "disabled", "{state}");
    assert!(state["status_note"].as_str().unwrap().contains("HTTP 500"), "{state}");
    assert!(log.lock().unwrap().len() >= 2, "retried before giving up");
    let deliveries: Value = admin.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await.json().await.unwrap();
    assert_eq!(deliveries["items"][0]["status"], "failed");
    assert_eq!(deliveries["items"][0]["last_status"], 500);
}

#[tokio::test]
async fn internal_targets_are_refused_where_private_addresses_are_not_allowed() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_WEBHOOK_ALLOW_PRIVATE".into(), "false".into());
    })
    .await;
    let admin = app.admin().await;
    for url in [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "http://203.0.113.5/hook",
        "https://10.0.0.8/x",
    ] {
        let refused = admin
            .post_json("/api/v1/webhooks", &json!({"unit_id": ROOT_UNIT, "url": url, "events": ["report.accepted"]}))
            .await;
        let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
    }
}

#[tokio::test]
async fn an_event_committed_before_a_crash_is_delivered_after_restart() {
    // The first server records the event but never gets to deliver it (its delivery loop is
    // stalled, as if it died right after the commit); a new server on the same database sends it.
    let stalled = spawn_app_with(|env| {
        env.insert("CHIHOI_WEBHOOK_POLL_MS".into(), "60000".into());
    })
    .await;
    let admin = stalled.admin().await;
    let province = stalled.unit(ROOT_UNIT, "province", "Tỉnh").await;
    let branch = stalled.unit(&province, "branch", "Chi hội").await;
    let (url, log) = receiver(0).await;
    admin.create("/api/v1/webhooks", &json!({"unit_id": province, "url": url, "events": ["member.joined"]})).await;
    let member = admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Trần", "middle_name": "Thị", "given_name": "Hậu", "birth_year": 1980,
                                           "joined_on": "2026-11-01", "unit_id": branch}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(log.lock().unwrap().is_empty(), "nothing sent before the restart");
    let restarted = crate::helpers::spawn_app_on(&stalled.database_url, fast).await;
    wait_for(&log, |r| !r.is_empty()).await;
    let body: Value = serde_json::from_slice(&log.lock().unwrap()[0].body).unwrap();
    assert_eq!(body["data"]["member_id"], member["id"]);
    drop(restarted);
}
