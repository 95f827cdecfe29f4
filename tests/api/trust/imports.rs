//! Crafted import files: bounded before parsing, refused with the bound they broke, and never
//! able to take the server down.

use std::io::Write;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use zip::write::SimpleFileOptions;

use crate::helpers::{ROOT_UNIT, TestApp, assert_problem, field_error, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A minimal workbook whose only sheet is `sheet_xml`.
fn workbook(sheet_xml: &str, extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(sheet_xml.as_bytes()).unwrap();
    for (name, bytes) in extra {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sheet(dimension: &str, cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

async fn setup(app: &TestApp) -> String {
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Hưng Nhượng").await;
    app.unit(&commune, "branch", "Chi hội ấp Rẫy").await
}

async fn send(app: &TestApp, branch: &str, body: Vec<u8>, content_type: &str) -> reqwest::Response {
    app.admin()
        .await
        .request(Method::POST, &format!("/api/v1/imports/members?unit={branch}&dry_run=true"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn jobs_of(app: &TestApp) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    diesel::sql_query("SELECT count(*) AS n FROM jobs").get_result::<Count>(&mut db).await.unwrap().n
}

#[tokio::test]
async fn a_sparse_xlsx_declaring_the_whole_sheet_is_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let branch = setup(&app).await;
    // The finding: 1.5 KB declaring A1 and XFD1048576 made the reader allocate the whole grid.
    let bomb = workbook(
        &sheet(
            "A1:XFD1048576",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Họ</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
        ),
        &[],
    );
    assert!(bomb.len() < 2048, "the bomb is small: {} bytes", bomb.len());
    let refused =
        assert_problem(send(&app, &branch, bomb, XLSX).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .await;
    assert_eq!(field_error(&refused, "file")["code"], "too_many_columns");
    // Without a dimension the cells themselves are bounded.
    let undeclared = workbook(
        &sheet(
            "A1",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Họ</t></is></c></row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
        )
        .replace(r#"<dimension ref="A1"/>"#, ""),
        &[],
    );
    let job = send(&app, &branch, undeclared, XLSX).await;
    assert_eq!(job.status(), StatusCode::ACCEPTED, "the declared bounds pass; the reader meets the cell");
    let location = job.headers()["location"].to_str().unwrap().to_owned();
    let job = wait(&app, &location).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["result"]["code"], "validation_failed", "{job}");
    assert_eq!(jobs_of(&app).await, 1, "only the job that passed the bounds was made");
    // The server still answers.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_zip_bomb_is_refused_before_parsing_naming_the_limit() {
    let app = spawn_app().await;
    let branch = setup(&app).await;
    // 200 MiB of zeros compresses to about 200 KiB: over the inflated-size bound.
    let zeros = vec![0u8; 200 * 1024 * 1024];
    let bomb = workbook(&sheet("A1", ""), &[("xl/media/padding.bin", zeros)]);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let refused =
        assert_problem(send(&app, &branch, bomb, XLSX).await, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").await;
    assert_eq!(field_error(&refused, "file")["code"], "uncompressed_too_large");
    // 8 MiB inflating 1,000×: over the ratio bound.
    let dense = workbook(&sheet("A1", ""), &[("xl/media/dense.bin", vec![b'a'; 8 * 1024 * 1024])]);
    let refused =
        assert_problem(send(&app, &branch, dense, XLSX).await, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").await;
    assert_eq!(field_error(&refused, "file")["code"], "compression_ratio_too_high");
    // Too many entries.
    let many: Vec<(String, Vec<u8>)> = (0..300).map(|i| (format!("xl/media/{i}.bin"), vec![1u8])).collect();
    let many: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let refused = assert_problem(
        send(&app, &branch, workbook(&sheet("A1", ""), &many), XLSX).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    )
    .await;
    assert_eq!(field_error(&refused, "file")["code"], "too_many_entries");
    assert_eq!(jobs_of(&app).await, 0, "no job was made for a refused file");
}

#[tokio::test]
async fn a_csv_with_a_huge_line_or_too_many_columns_is_refused_naming_the_limit() {
    let app = spawn_app().await;
    let branch = setup(&app).await;
    let header = "Họ,Tên,Ngày vào hội";
    let long = format!("{header}\nNguyễn,{},08/03/2010\n", "a".repeat(100_000));
    let refused = assert_problem(
        send(&app, &branch, long.into_bytes(), "text/csv").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&refused, "file")["code"], "line_too_long");
    let wide = format!("{header}{}\n", ",x".repeat(1000));
    let refused = assert_problem(
        send(&app, &branch, wide.into_bytes(), "text/csv").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&refused, "file")["code"], "too_many_columns");
    let rows = format!("{header}\n{}", "Nguyễn,Lan,08/03/2010\n".repeat(50_001));
    let refused = assert_problem(
        send(&app, &branch, rows.into_bytes(), "text/csv").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(field_error(&refused, "file")["code"], "too_many_rows");
    assert_eq!(jobs_of(&app).await, 0);
}

async fn wait(app: &TestApp, location: &str) -> Value {
    let admin = app.admin().await;
    for _ in 0..300 {
        let job: Value = admin.get(location).await.json().await.unwrap();
        if job["status"] == "succeeded" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job did not finish");
}
