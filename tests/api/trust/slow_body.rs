//! A body that never finishes times out with 408 instead of holding the connection, and writes
//! nothing.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_body_that_never_finishes_times_out() {
    let app = spawn_app_with(|env| {
        env.insert("CHIHOI_BODY_IDLE_TIMEOUT_S".into(), "1".into());
    })
    .await;
    let admin = app.admin().await;
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    let head = format!(
        "POST /api/v1/org-units HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{{\"name\": \"Tỉnh",
        admin.token
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "the server answered within 10 s");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5), "after the idle timeout, not later: {:?}", started.elapsed());
    let units: serde_json::Value = admin.get("/api/v1/org-units?limit=200").await.json().await.unwrap();
    assert_eq!(units["items"].as_array().unwrap().len(), 1, "only the root: nothing was written");
}
