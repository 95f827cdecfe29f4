//! Importing and exporting member lists in the commune offices' layout.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, TestApp, assert_problem, spawn_app};

pub const HEADER: &str =
    "Họ,Tên đệm,Tên,Giới tính,Ngày sinh,Số CCCD,Số điện thoại,Địa chỉ,Dân tộc,Tôn giáo,Ngày vào hội,Số thẻ hội viên,Tổ";

pub async fn branch(app: &TestApp) -> (String, String) {
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    app.unit(&branch, "group", "Tổ 1").await;
    (commune, branch)
}

/// Starts an import and waits for its job to finish; returns the job.
pub async fn run_import(who: &As<'_>, unit: &str, body: Vec<u8>, content_type: &str, dry_run: bool) -> Value {
    let response = who
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={unit}&dry_run={dry_run}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
    for _ in 0..600 {
        let job: Value = who.get(&location).await.json().await.unwrap();
        if ["succeeded", "failed", "cancelled"].contains(&job["status"].as_str().unwrap_or_default()) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in a minute");
}

pub fn good_row(i: usize) -> String {
    let given = ["An", "Bình", "Cúc", "Dung", "Hạnh", "Lan", "Mai", "Ngọc", "Oanh", "Phượng"][i % 10];
    let day = (i % 28) + 1;
    format!("Nguyễn,Thị,{given},Nữ,{day:02}/03/1985,,0912{i:06},Ấp Rẫy,Kinh,Không,08/03/2010,VL-{i:06},")
}

#[tokio::test]
async fn a_dry_run_reports_exactly_the_bad_rows_by_column() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, branch) = branch(&app).await;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend((0..5).map(good_row));
    lines.push("Trần,Thị,Lan,Nữ,31/02/1990,,0912345678,,Kinh,,08/03/2010,,".into()); // row 7: impossible date
    lines.extend((5..8).map(good_row));
    lines.push("Lê,Văn,Tám,Nam,01/01/1980,083080000111,0112345678,,Kinh,,08/03/2010,,".into()); // row 11: bad phone
    lines.push("Phạm,Thị,Hoa,Nữ,1990,,,,Sao Hỏa,,08/03/2010,,Tổ 9".into()); // row 12: unknown ethnicity and group
    lines.extend((8..10).map(good_row));
    let body = lines.join("\n").into_bytes();

    let job = run_import(&admin, &branch, body.clone(), "text/csv", true).await;
    assert_eq!(job["status"], "succeeded");
    let result = &job["result"];
    assert_eq!(result["dry_run"], true);
    assert_eq!(result["rows"], 13);
    assert_eq!(result["created"], 10);
    let errors = result["errors"].as_array().unwrap();
    let found: Vec<(u64, &str, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            (7, "Ngày sinh", "no_such_day"),
            (11, "Số điện thoại", "invalid_format"),
            (12, "Dân tộc", "unknown_code"),
            (12, "Tổ", "unknown_group")
        ]
    );
    let rows_with_errors: std::collections::BTreeSet<u64> = found.iter().map(|f| f.0).collect();
    assert_eq!(rows_with_errors.len(), 3, "exactly the three bad rows");
    let members: Value = admin.get(&format!("/api/v1/members?unit={branch}")).await.json().await.unwrap();
    assert_eq!(members["items"], json!([]), "a dry run writes nothing");

    // The same file for real: the ten good rows go in, the bad ones are reported again.
    let job = run_import(&admin, &branch, body, "text/csv", false).await;
    assert_eq!(job["result"]["created"], 10);
    assert_eq!(job["result"]["errors"].as_array().unwrap().len(), 4);
    let members: Value = admin.get(&format!("/api/v1/members?unit={branch}&limit=200")).await.json().await.unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn ten_thousand_rows_import_once_and_twice_add_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, branch) = branch(&app).await;
    let mut lines = vec![HEADER.to_owned()];
    for i in 0..10_000 {
        // Every row carries a valid CCCD of a woman born in 1985 (083, digit 1, year 85).
        let given = ["An", "Bình", "Cúc", "Dung", "Hạnh", "Lan", "Mai", "Ngọc", "Oanh", "Phượng"][i % 10];
        lines.push(format!("Nguyễn,Thị,{given},Nữ,1985,083185{i:06},,Ấp Rẫy,01,00,08/03/2010,,Tổ 1"));
    }
    let body = lines.join("\r\n").into_bytes();
    let job = run_import(&admin, &branch, body.clone(), "text/csv", false).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result"]["created"], 10_000);
    assert_eq!(job["result"]["errors"], json!([]));
    assert_eq!(job["progress"], 10_000);
    let summary: Value = admin.get(&format!("/api/v1/org-units/{branch}/member-summary")).await.json().await.unwrap();
    assert_eq!(summary["members"], 10_000);

    let again = run_import(&admin, &branch, body, "text/csv", false).await;
    assert_eq!(again["result"]["created"], 0);
    assert_eq!(again["result"]["unchanged"], 10_000);
    let summary: Value = admin.get(&format!("/api/v1/org-units/{branch}/member-summary")).await.json().await.unwrap();
    assert_eq!(summary["members"], 10_000, "the second run added nothing");
}

#[tokio::test]
async fn exports_round_trip_through_the_template_layout() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (commune, branch) = branch(&app).await;
    let csv = format!("{HEADER}\n{}\n{}\n", good_row(1), good_row(2));
    run_import(&admin, &branch, csv.into_bytes(), "text/csv", false).await;

    let exported = admin.get(&format!("/api/v1/members/export?unit={commune}")).await;
    assert_eq!(exported.status(), StatusCode::OK);
    assert!(exported.headers().get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    let text = exported.text().await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines.next().unwrap().starts_with("Họ,Tên đệm,Tên,Giới tính,Ngày sinh,Số điện thoại"),
        "no sensitive column by default"
    );
    let first = lines.next().unwrap();
    assert!(first.contains("Nguyễn,Thị,Bình,Nữ,02/03/1985,0912000001") && first.contains("08/03/2010"), "{first}");

    let xlsx = admin.get(&format!("/api/v1/members/export?unit={commune}&format=xlsx&include=sensitive")).await;
    assert_eq!(
        xlsx.headers().get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = xlsx.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip archive");
    // Importing the export into the same branch adds nothing.
    let job = run_import(
        &admin,
        &branch,
        bytes.to_vec(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        false,
    )
    .await;
    assert_eq!(job["result"]["created"], 0, "{job}");
    assert_eq!(job["result"]["unchanged"], 2);

    let audit: Value = admin.get("/api/v1/audit-events?action=member.export").await.json().await.unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);

    // A branch head may not export; the template is for everyone who may import.
    app.user_with_role("chi-hoi-truong", &branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    assert_problem(
        head.get(&format!("/api/v1/members/export?unit={branch}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let template = admin.get("/api/v1/imports/members/template?format=xlsx").await;
    assert_eq!(template.status(), StatusCode::OK);
    let template_csv = admin.get("/api/v1/imports/members/template").await.text().await.unwrap();
    assert!(template_csv.contains("Ngày vào hội"));
}

#[tokio::test]
async fn unusable_files_fail_their_job_or_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, branch) = branch(&app).await;
    let no_header = run_import(&admin, &branch, b"a,b,c\n1,2,3\n".to_vec(), "text/csv", true).await;
    assert_eq!(no_header["status"], "failed");
    let wrong_type = admin
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={branch}"))
        .header("content-type", "application/pdf")
        .body("%PDF")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    // A commune takes a file whose rows name their branch; a province takes none.
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Nhập").await;
    let at_province = admin
        .request(reqwest::Method::POST, &format!("/api/v1/imports/members?unit={province}"))
        .header("content-type", "text/csv")
        .body(HEADER)
        .send()
        .await
        .unwrap();
    assert_problem(at_province, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}
