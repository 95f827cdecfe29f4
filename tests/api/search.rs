//! Name search (tìm theo tên) walked by words (issue 22) gives exactly what a plain reading of
//! its definition gives: the members, in list order, whose folded full name contains the folded
//! query — for one word, several words, fragments of words, wildcards, every page, with other
//! filters, within a unit, and after a rename.

use chihoi::text::fold::fold;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, TestApp, spawn_app};
use crate::members::tree;

/// Every item of a list, page after page (`limit` small, so that cursors are exercised).
async fn all_pages(who: &As<'_>, path: &str, limit: usize) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
            None => format!("{path}{separator}limit={limit}"),
        };
        let response = who.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let page: Value = response.json().await.unwrap();
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
}

/// The reference: the list without a query, in its order, kept where the folded name contains
/// the folded query.
fn reference(listed: &[Value], query: &str) -> Vec<String> {
    let wanted = fold(query);
    ids(&listed
        .iter()
        .filter(|m| fold(m["full_name"].as_str().unwrap()).contains(&wanted))
        .cloned()
        .collect::<Vec<_>>())
}

fn encoded(query: &str) -> String {
    form_urlencoded::byte_serialize(query.as_bytes()).collect()
}

const NAMES: [(&str, &str, &str); 16] = [
    ("Nguyễn", "Thị", "Lan"),
    ("Trần", "Thị", "Lan"),
    ("Lê", "Thị", "Lanh"),
    ("Nguyễn", "Thị Lan", "Anh"),
    ("Phạm", "Văn", "Lan"),
    ("Võ", "Thị", "Thi"),
    ("Đặng", "Thị", "Đào"),
    ("Huỳnh", "Thị Kim", "Lan"),
    ("Lan", "Thị", "Hương"),
    ("Nguyễn", "", "Lan"),
    ("Trương", "Thị", "Thu"),
    ("Bùi", "Thị", "Thanh Lan"),
    ("Nguyễn", "Thị", "Hòa"),
    ("Lâm", "Thị", "Lan"),
    ("Nguyễn", "Thị", "Lan"),
    ("Thị", "Thị", "Nhi"),
];

/// With `%`, `_` and `\`, which are letters to the person typing, not wildcards.
const QUERIES: [&str; 18] = [
    "lan",
    "thi lan",
    "Thị Lan",
    "hi la",
    "an",
    "nguyen thi",
    "thi",
    "lan anh",
    "van lan",
    "i thi",
    "kim lan",
    "nguyen thi lan anh",
    "xyz",
    "l_n",
    "%",
    "n\\",
    "h",
    "thi thi nhi",
];

async fn members(app: &TestApp, admin: &As<'_>) -> (crate::members::Tree, Vec<String>) {
    let t = tree(app).await;
    let mut created = Vec::new();
    for (i, (family, middle, given)) in NAMES.iter().enumerate() {
        let unit = if i % 3 == 0 { &t.other_branch } else { &t.branch };
        let kind = if i % 4 == 1 { "honorary" } else { "regular" };
        let member = admin
            .create(
                "/api/v1/members",
                &json!({"family_name": family, "middle_name": middle, "given_name": given, "joined_on": "2015-03-08",
                        "unit_id": unit, "birth_year": 1980, "member_type": kind}),
            )
            .await;
        created.push(member["id"].as_str().unwrap().to_owned());
    }
    (t, created)
}

#[tokio::test]
async fn search_by_words_equals_the_plain_definition_on_every_page() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (t, _) = members(&app, &admin).await;
    let everyone = all_pages(&admin, "/api/v1/members", 100).await;
    let honorary = all_pages(&admin, "/api/v1/members?type=honorary", 100).await;
    let in_branch = all_pages(&admin, &format!("/api/v1/members?unit={}", t.branch), 100).await;
    assert!(everyone.len() >= NAMES.len());
    for query in QUERIES {
        let q = encoded(query);
        for limit in [1, 2, 5] {
            let found = all_pages(&admin, &format!("/api/v1/members?q={q}"), limit).await;
            assert_eq!(ids(&found), reference(&everyone, query), "q={query} limit={limit}");
        }
        let found = all_pages(&admin, &format!("/api/v1/members?q={q}&type=honorary"), 1).await;
        assert_eq!(ids(&found), reference(&honorary, query), "q={query}, honorary only");
        let found = all_pages(&admin, &format!("/api/v1/members?q={q}&unit={}", t.branch), 2).await;
        assert_eq!(ids(&found), reference(&in_branch, query), "q={query}, within a branch");
    }
    // Not vacuous: the words path found what a scan finds.
    let lan = all_pages(&admin, "/api/v1/members?q=thi%20lan", 2).await;
    assert_eq!(lan.len(), 6, "{lan:?}");
}

#[tokio::test]
async fn a_branch_head_searches_her_branch_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (t, _) = members(&app, &admin).await;
    let in_branch = all_pages(&admin, &format!("/api/v1/members?unit={}", t.branch), 100).await;
    app.user_with_role("chi-hoi-truong-tim", &t.branch, "branch_head").await;
    let session = app.session("chi-hoi-truong-tim").await;
    let head = app.with_token(&session.access_token);
    for query in ["lan", "thi lan", "nguyen"] {
        let found = all_pages(&head, &format!("/api/v1/members?q={}", encoded(query)), 2).await;
        assert_eq!(ids(&found), reference(&in_branch, query), "q={query}");
    }
}

#[tokio::test]
async fn a_renamed_member_is_found_by_her_new_name_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (_, created) = members(&app, &admin).await;
    let id = &created[0];
    let renamed =
        admin.patch_json(&format!("/api/v1/members/{id}"), Some("*"), &json!({"given_name": "Xuân Mai"})).await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let everyone = all_pages(&admin, "/api/v1/members", 100).await;
    for query in ["xuan mai", "thi xuan", "mai", "thi lan"] {
        let found = all_pages(&admin, &format!("/api/v1/members?q={}", encoded(query)), 3).await;
        assert_eq!(ids(&found), reference(&everyone, query), "q={query}");
    }
    let mai = all_pages(&admin, "/api/v1/members?q=mai", 3).await;
    assert_eq!(ids(&mai), std::slice::from_ref(id));
}
