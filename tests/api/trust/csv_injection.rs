//! Spreadsheet formula injection: no CSV the API writes holds a cell a spreadsheet would run.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ROOT_UNIT, spawn_app};

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Every cell of a CSV body (after the BOM).
fn cells(body: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    reader.records().flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>()).collect()
}

fn live_formulas(cells: &[String]) -> Vec<String> {
    cells
        .iter()
        .filter(|c| c.starts_with(TRIGGERS) && c.trim_start_matches(['-', '+']).parse::<f64>().is_err())
        .cloned()
        .collect()
}

#[tokio::test]
async fn spreadsheet_formula_injection_is_neutralised_in_every_csv() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "=HYPERLINK(\"http://evil.example\",\"Xã\")").await;
    let branch = app.unit(&commune, "branch", "@SUM(1+1)*cmd|' /C calc'!A0").await;
    // Through the API…
    admin
        .create(
            "/api/v1/members",
            &json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Hòa", "birth_year": 1985,
                    "joined_on": "2015-03-08", "unit_id": branch, "address": "=cmd|' /C calc'!A0",
                    "card_number": "+1+1"}),
        )
        .await;
    // …and through an import whose cell begins with a tab.
    let file =
        "Họ,Tên đệm,Tên,Ngày vào hội,Địa chỉ\nTrần,Thị,Lan,08/03/2010,\"\t=HYPERLINK(\"\"http://evil.example\"\")\"\n";
    let started = admin
        .request(Method::POST, &format!("/api/v1/imports/members?unit={branch}"))
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    for _ in 0..100 {
        let job: serde_json::Value = admin.get(&location).await.json().await.unwrap();
        if job["status"] != "queued" && job["status"] != "running" {
            assert_eq!(job["status"], "succeeded", "{job}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let export = admin.get(&format!("/api/v1/members/export?unit={commune}")).await.text().await.unwrap();
    let exported = cells(&export);
    assert!(exported.iter().any(|c| c == "'=cmd|' /C calc'!A0"), "the address is kept, as text: {exported:?}");
    assert!(exported.iter().any(|c| c.contains("HYPERLINK")), "the imported address is there");
    assert_eq!(live_formulas(&exported), Vec::<String>::new(), "no live formula in the member export");

    let report = admin.get(&format!("/api/v1/reports/kpis?unit={commune}&period=2025&group_by=child&format=csv")).await;
    assert_eq!(report.status(), StatusCode::OK);
    let figures = cells(&report.text().await.unwrap());
    assert!(figures.iter().any(|c| c.starts_with("'=HYPERLINK")), "the unit name, as text: {figures:?}");
    assert_eq!(live_formulas(&figures), Vec::<String>::new(), "no live formula in the KPI CSV");
}
