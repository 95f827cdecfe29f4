//! What a commune exports imports back: the export names each member's branch (chi hội) and
//! group (tổ), and writes ethnicity and religion as the names the template takes.

use serde_json::json;

use crate::helpers::{As, ROOT_UNIT, TestApp, spawn_app};
use crate::imports::run_import;
use crate::reports::member;

/// A commune with ấp Rẫy (and its Tổ 1) and ấp Tân Phú; returns the commune and the units.
async fn commune(app: &TestApp, name: &str) -> (String, String, String, String) {
    let commune = app.unit(ROOT_UNIT, "commune", name).await;
    let ray = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    let group = app.unit(&ray, "group", "Tổ 1").await;
    let tan_phu = app.unit(&commune, "branch", "Chi hội ấp Tân Phú").await;
    (commune, ray, group, tan_phu)
}

async fn export(who: &As<'_>, unit: &str) -> String {
    who.get(&format!("/api/v1/members/export?unit={unit}&include=sensitive")).await.text().await.unwrap()
}

#[tokio::test]
async fn the_commune_export_names_the_branch_and_imports_back() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (from, ray, group, tan_phu) = commune(&app, "Xã Xuất").await;
    let khmer = json!({"ethnicity_code": "05", "religion_code": "01"});
    member(&admin, &ray, "An", "2015-03-08", khmer.clone()).await;
    member(&admin, &group, "Bình", "2016-03-08", json!({"ethnicity_code": "01", "religion_code": "00"})).await;
    member(&admin, &tan_phu, "Cúc", "2017-03-08", khmer).await;
    let file = export(&admin, &from).await;
    let mut lines = file.lines();
    let head: Vec<&str> = lines.next().unwrap().trim_start_matches('\u{feff}').split(',').collect();
    let column = |name: &str| head.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no {name}: {head:?}"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let an = rows.iter().find(|r| r[column("Tên")] == "An").unwrap();
    let binh = rows.iter().find(|r| r[column("Tên")] == "Bình").unwrap();
    assert_eq!((an[column("Chi hội")], an[column("Tổ")]), ("Chi hội ấp Rẫy", ""), "a member of the branch itself");
    assert_eq!((binh[column("Chi hội")], binh[column("Tổ")]), ("Chi hội ấp Rẫy", "Tổ 1"), "a member of a group");
    assert_eq!((an[column("Dân tộc")], an[column("Tôn giáo")]), ("Khơ-me", "Phật giáo"), "names, not codes");

    // Into another commune with the same branches: every row goes to its branch and group.
    let (to, ..) = commune(&app, "Xã Nhận").await;
    let job = run_import(&admin, &to, file.clone().into_bytes(), "text/csv", false).await;
    assert_eq!(job["result"]["created"], 3, "{job}");
    assert_eq!(job["result"]["errors"], json!([]));
    assert_eq!(export(&admin, &to).await, file, "the import's export is the file imported");
    // Into the same commune again: nothing new.
    let again = run_import(&admin, &from, file.into_bytes(), "text/csv", false).await;
    assert_eq!((again["result"]["created"].clone(), again["result"]["unchanged"].clone()), (json!(0), json!(3)));
}

/// Into a commune, a row names its branch: an empty or unknown `Chi hội` is an error of that
/// row and column (the row is not written); a name matches without its diacritics or case.
#[tokio::test]
async fn a_commune_import_names_each_rows_branch() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (from, ray, ..) = commune(&app, "Xã Mẫu").await;
    member(&admin, &ray, "An", "2015-03-08", json!({})).await;
    let file = export(&admin, &from).await;
    let mut lines: Vec<String> = file.lines().map(str::to_owned).collect();
    let head: Vec<String> = lines[0].trim_start_matches('\u{feff}').split(',').map(str::to_owned).collect();
    let branch = head.iter().position(|h| h == "Chi hội").unwrap();
    let given = head.iter().position(|h| h == "Tên").unwrap();
    let row = lines[1].clone();
    let with = |name: &str, branch_name: &str| {
        let mut cells: Vec<String> = row.split(',').map(str::to_owned).collect();
        cells[given] = name.to_owned();
        cells[branch] = branch_name.to_owned();
        cells.join(",")
    };
    lines.truncate(1);
    lines.push(with("Bình", ""));
    lines.push(with("Cúc", "Chi hội ấp Không Có"));
    lines.push(with("Dung", "chi hoi ap ray"));

    let (to, to_ray, ..) = commune(&app, "Xã Đích").await;
    let job = run_import(&admin, &to, lines.join("\n").into_bytes(), "text/csv", false).await;
    let errors: Vec<(u64, &str, &str)> = job["result"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(2, "Chi hội", "required"), (3, "Chi hội", "unknown_branch")], "{job}");
    assert_eq!(job["result"]["created"], 1, "only Dung: {job}");
    let listed: serde_json::Value = admin.get(&format!("/api/v1/members?unit={to}")).await.json().await.unwrap();
    let placed: Vec<(&str, &str)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["given_name"].as_str().unwrap(), m["unit_id"].as_str().unwrap()))
        .collect();
    assert_eq!(placed, [("Dung", to_ray.as_str())], "in ấp Rẫy: {listed}");
}
