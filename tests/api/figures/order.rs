//! Lists a person reads come in Vietnamese order (a ă â b c d đ e ê …; tone marks only break
//! ties): report children, the scorecard, the three-haves and unit lists, as members already do.

use serde_json::{Value, json};

use crate::helpers::{ROOT_UNIT, spawn_app};
use crate::reports::kpis;

const VIETNAMESE_ORDER: [&str; 3] = ["Chi hội ấp Tân Phú", "Chi hội ấp Thử", "Chi hội thử"];

fn names(items: &Value, key: &str) -> Vec<String> {
    items.as_array().unwrap().iter().map(|i| i[key].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_list_of_units_is_in_vietnamese_order() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Thứ Tự").await;
    // Created in code point order, which is not the Vietnamese one.
    for name in ["Chi hội thử", "Chi hội ấp Thử", "Chi hội ấp Tân Phú"] {
        app.unit(&commune, "branch", name).await;
    }
    let report = kpis(&admin, &format!("unit={commune}&period=2025&group_by=child")).await;
    assert_eq!(names(&report["children"], "unit_name"), VIETNAMESE_ORDER, "report children");

    let scorecard: Value =
        admin.get(&format!("/api/v1/reports/scorecard?unit={commune}&period=2025")).await.json().await.unwrap();
    assert_eq!(names(&scorecard["items"], "name"), VIETNAMESE_ORDER, "scorecard: {scorecard}");
    let haves: Value = admin
        .get(&format!("/api/v1/org-units/{commune}/three-haves?from=2025-01&to=2025-02"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&haves["items"], "name"), VIETNAMESE_ORDER, "three-haves");

    let listed: Value = admin.get(&format!("/api/v1/org-units?parent_id={commune}")).await.json().await.unwrap();
    assert_eq!(names(&listed["items"], "name"), VIETNAMESE_ORDER, "unit list");
    // Page by page, the same order.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/org-units?parent_id={commune}&limit=1&cursor={c}"),
            None => format!("/api/v1/org-units?parent_id={commune}&limit=1"),
        };
        let page: Value = admin.get(&url).await.json().await.unwrap();
        paged.extend(names(&page["items"], "name"));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, VIETNAMESE_ORDER, "paged");
    let mut scorecard_pages = Vec::new();
    let first: Value =
        admin.get(&format!("/api/v1/reports/scorecard?unit={commune}&period=2025&limit=2")).await.json().await.unwrap();
    scorecard_pages.extend(names(&first["items"], "name"));
    let next = first["next_cursor"].as_str().unwrap();
    let second: Value = admin
        .get(&format!("/api/v1/reports/scorecard?unit={commune}&period=2025&limit=2&cursor={next}"))
        .await
        .json()
        .await
        .unwrap();
    scorecard_pages.extend(names(&second["items"], "name"));
    assert_eq!(scorecard_pages, VIETNAMESE_ORDER, "scorecard paged");
}

/// A cursor continues only the list order it was made in: one of the other order, or a crafted
/// one, is a 400 naming `cursor`, never an empty page (or a database error).
#[tokio::test]
async fn a_unit_cursor_of_another_order_or_made_up_is_refused() {
    use base64::Engine;
    use reqwest::StatusCode;

    use crate::helpers::{assert_problem, field_error};

    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Con Trỏ").await;
    for name in VIETNAMESE_ORDER {
        app.unit(&commune, "branch", name).await;
    }
    let cursor = |url: String| {
        let admin = &admin;
        async move {
            let page: Value = admin.get(&url).await.json().await.unwrap();
            page["next_cursor"].as_str().unwrap().to_owned()
        }
    };
    let by_name = cursor(format!("/api/v1/org-units?parent_id={commune}&limit=1")).await;
    let by_tree = cursor(format!("/api/v1/org-units?within={commune}&limit=1")).await;
    let crafted =
        |k: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({"v": 1, "k": k}).to_string());
    let attempts = [
        format!("within={commune}&cursor={by_name}"),
        format!("parent_id={commune}&cursor={by_tree}"),
        format!("level=branch&as_of=2025-06-01&cursor={by_name}"),
        format!("within={commune}&cursor={}", crafted(json!({"o": "tree", "path": "a;b'--"}))),
        format!("within={commune}&cursor={}", crafted(json!("ROOT"))),
    ];
    for query in attempts {
        let problem = assert_problem(
            admin.get(&format!("/api/v1/org-units?{query}")).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        )
        .await;
        assert_eq!(field_error(&problem, "cursor")["code"], "invalid_cursor", "{query}");
    }
    // Each cursor still continues its own order.
    let next: Value = admin
        .get(&format!("/api/v1/org-units?parent_id={commune}&limit=1&cursor={by_name}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&next["items"], "name"), VIETNAMESE_ORDER[1..2]);
    let next: Value =
        admin.get(&format!("/api/v1/org-units?within={commune}&limit=1&cursor={by_tree}")).await.json().await.unwrap();
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
}
