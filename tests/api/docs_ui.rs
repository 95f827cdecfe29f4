//! The interactive docs render offline in a real browser (Debian's headless Chromium) and list
//! every operation of the contract.

use std::process::Command;

use serde_json::Value;

use crate::helpers::spawn_app;

fn chromium() -> String {
    std::env::var("CHIHOI_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

#[tokio::test]
async fn swagger_ui_lists_every_operation_without_internet() {
    let app = spawn_app().await;
    let contract: Value = app.get("/openapi.json").await.json().await.unwrap();
    let url = app.url("/docs/");
    let profile = std::env::temp_dir().join(format!("chihoi-chromium-{}", uuid::Uuid::now_v7().simple()));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=30000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(&url)
            .output()
    })
    .await
    .unwrap()
    .expect("Chromium runs (scripts/test installs Debian's chromium; CHIHOI_CHROMIUM overrides the path)");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("swagger-ui"),
        "no Swagger UI in the DOM; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let mut operations = 0;
    for (path, item) in contract["paths"].as_object().unwrap() {
        assert!(dom.contains(&format!("data-path=\"{path}\"")), "{path} is not listed in the rendered docs");
        operations += item.as_object().unwrap().len();
    }
    let rendered = dom.matches("class=\"opblock-summary-method\"").count();
    assert_eq!(rendered, operations, "every operation has its block");
}
