//! Coverage (tỷ lệ tập hợp) takes only units with a count of women aged 18+, numerator and
//! denominator alike, names what it leaves out, says when a count is stale, follows merges, and
//! does not flag a unit for periods after it closed. "A unit before it existed" is its
//! predecessors, in the reports and in member-summary alike.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, TestApp, spawn_app};
use crate::reports::{kpis, member};

async fn women(who: &As<'_>, unit: &str, as_of: &str, count: i64) {
    who.create(&format!("/api/v1/org-units/{unit}/population"), &json!({"as_of": as_of, "women_18_plus": count})).await;
}

/// A commune with one branch holding `members` regular members (and one honorary member).
async fn commune(app: &TestApp, parent: &str, name: &str, members: usize) -> (String, String) {
    let admin = app.admin().await;
    let commune = app.unit(parent, "commune", name).await;
    let branch = app.unit(&commune, "branch", &format!("Chi hội {name}")).await;
    const GIVEN: [&str; 8] = ["An", "Bình", "Cúc", "Dung", "Đào", "Giang", "Hạnh", "Lan"];
    for given in &GIVEN[..members] {
        member(&admin, &branch, given, "2015-03-08", json!({})).await;
    }
    member(&admin, &branch, "Danh Dự", "2015-03-08", json!({"member_type": "honorary", "sex": "male"})).await;
    (commune, branch)
}

#[tokio::test]
async fn coverage_takes_only_counted_units_and_names_the_others() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Thử Tập Hợp").await;
    let (an, _) = commune(&app, &province, "Xã An", 6).await;
    let (_binh, _) = commune(&app, &province, "Xã Bình", 3).await;
    let (_, cuc_branch) = commune(&app, &province, "Xã Cúc", 4).await;
    women(&admin, &an, "2025-01-01", 10).await;
    // Xã Cúc's count is on its branch: the branch covers its own members.
    women(&admin, &cuc_branch, "2025-01-01", 8).await;

    let report = kpis(&admin, &format!("unit={province}&period=2025")).await;
    let c = &report["unit"]["coverage"];
    // 6 + 4 regular members of the counted units over 10 + 8 women; Xã Bình's 3 are left out.
    assert_eq!(c["coverage"], json!({"numerator": 10, "denominator": 18, "percent": 55.56}), "{c}");
    assert_eq!(c["women_18_plus"], 18);
    assert_eq!(c["partial"], true);
    assert_eq!(c["left_out"]["units"], 1);
    assert_eq!(c["left_out"]["members"], 3);
    assert_eq!(c["left_out"]["named"][0]["name"], "Xã Bình");
    assert_eq!(report["unit"]["members"]["end"], 13, "the head count is every member, counted or not");

    // A count far out of date: more members than women is stale, not a best result.
    women(&admin, &an, "2025-06-01", 5).await;
    let report = kpis(&admin, &format!("unit={an}&period=2025")).await;
    let c = &report["unit"]["coverage"];
    assert_eq!(c["coverage"]["percent"], 120.0);
    assert_eq!(
        (c["stale"].clone(), c["flagged"].clone(), c["partial"].clone()),
        (json!(true), json!(false), json!(false))
    );
}

#[tokio::test]
async fn a_merge_brings_its_women_and_a_closed_unit_is_not_flagged_after_it_closed() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Thử Sáp Nhập").await;
    let (hung_le, _) = commune(&app, &province, "Xã Hưng Lễ", 2).await;
    let (tan_thanh, _) = commune(&app, &province, "Xã Tân Thanh", 2).await;
    women(&admin, &hung_le, "2025-01-01", 4).await;
    women(&admin, &tan_thanh, "2025-01-01", 3).await;
    let merged = admin
        .post_json(
            &format!("/api/v1/org-units/{hung_le}/merge"),
            &json!({"sources": [tan_thanh], "effective_on": "2025-08-01"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK, "{}", merged.text().await.unwrap());
    // Xã Hưng Lễ's own count predates the merge: Tân Thanh's women come with its members.
    let report = kpis(&admin, &format!("unit={hung_le}&period=2025-Q3")).await;
    let c = &report["unit"]["coverage"];
    assert_eq!(c["coverage"], json!({"numerator": 4, "denominator": 7, "percent": 57.14}), "{c}");
    assert_eq!(c["flagged"], true);
    // A count taken after the merge covers the merged commune on its own.
    women(&admin, &hung_le, "2025-09-01", 6).await;
    let report = kpis(&admin, &format!("unit={hung_le}&period=2025-Q3")).await;
    assert_eq!(report["unit"]["coverage"]["coverage"]["denominator"], 6);

    // An empty branch closes; in a later period it has no members and no coverage to flag.
    let empty = app.unit(&hung_le, "branch", "Chi hội giải thể").await;
    women(&admin, &empty, "2025-01-01", 155).await;
    let closed =
        admin.post_json(&format!("/api/v1/org-units/{empty}/close"), &json!({"effective_on": "2025-10-01"})).await;
    assert_eq!(closed.status(), StatusCode::OK, "{}", closed.text().await.unwrap());
    let report = kpis(&admin, &format!("unit={empty}&period=2025-11")).await;
    let c = &report["unit"]["coverage"];
    assert_eq!(report["unit"]["members"]["end"], 0);
    assert_eq!((c["women_18_plus"].clone(), c["flagged"].clone()), (Value::Null, json!(false)), "{c}");
    // Nobody to be absent either: 0, not "not computed" (found by the differential test).
    assert_eq!(report["unit"]["engagement"]["absent_three_running"], 0);
}

#[tokio::test]
async fn a_unit_before_it_existed_is_its_predecessors_in_reports_and_member_summary_alike() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Thử Tiền Thân").await;
    let (hung_le, _) = commune(&app, &province, "Xã Hưng Lễ", 3).await;
    let (tan_thanh, _) = commune(&app, &province, "Xã Tân Thanh", 2).await;
    let new = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let merged = admin
        .post_json(
            &format!("/api/v1/org-units/{new}/merge"),
            &json!({"sources": [hung_le, tan_thanh], "effective_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK, "{}", merged.text().await.unwrap());
    for day in ["2024-12-31", "2025-09-30"] {
        let summary: Value =
            admin.get(&format!("/api/v1/org-units/{new}/member-summary?as_of={day}")).await.json().await.unwrap();
        let report = kpis(&admin, &format!("unit={new}&from={day}&to={day}")).await;
        assert_eq!(summary["members"], 5, "{day}: {summary}");
        assert_eq!(summary["honorary_members"], 2, "{day}");
        assert_eq!(report["unit"]["members"]["end"], summary["members"], "{day}: one rule for both");
    }
}
