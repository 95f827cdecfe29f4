//! `chihoi seed --demo`: the demonstration data set loads once, is marked as demo, and gives a
//! working account for every role.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::app::base_env;
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn demo_data_loads_once_with_an_account_per_role() {
    let app = spawn_app().await;
    let info: Value = app.get("/api/v1").await.json().await.unwrap();
    assert_eq!(info["demo_data"], false);

    let env = base_env(&app.database_url);
    let config = chihoi::config::Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let first = chihoi::seed::demo(&config, PASSWORD).await.unwrap();
    assert!(first.contains("DEMO"), "{first}");
    let second = chihoi::seed::demo(&config, PASSWORD).await.unwrap();
    assert!(second.contains("already"), "{second}");

    let info: Value = app.get("/api/v1").await.json().await.unwrap();
    assert_eq!(info["demo_data"], true, "the installation says it holds demo data");

    let expected = [
        ("demo-admin", "admin"),
        ("demo-province", "province_officer"),
        ("demo-commune", "commune_officer"),
        ("demo-branch", "branch_head"),
        ("demo-member", "member"),
        ("demo-auditor", "auditor"),
    ];
    for (username, role) in expected {
        let session = app.session(username).await;
        let me: Value = app.with_token(&session.access_token).get("/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["roles"].as_array().unwrap().len(), 1, "{username} has one role after two seeds");
        assert_eq!(me["roles"][0]["role"], role);
        assert!(me["user"]["display_name"].as_str().unwrap().starts_with("[DEMO]"));
    }
    let branch_head = app.session("demo-branch").await;
    let units: Value = app.with_token(&branch_head.access_token).get("/api/v1/org-units").await.json().await.unwrap();
    let names: Vec<&str> = units["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"Chi hội ấp Rẫy"), "{names:?}");

    // The 2025 reform happened in the demo as in life: Hưng Lễ's 2024 figures stay reproducible,
    // the new Hưng Nhượng counts every member of the three communes, nobody twice.
    let commune = app.session("demo-commune").await;
    let commune = app.with_token(&commune.access_token);
    let before: Value = commune.get("/api/v1/org-units?as_of=2025-06-30&limit=200").await.json().await.unwrap();
    let find = |name: &str| {
        before["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .map(|u| u["id"].as_str().unwrap().to_owned())
    };
    let hung_le = find("Xã Hưng Lễ").expect("Hưng Lễ before the reform, visible from its successor");
    assert!(find("Xã Tân Thanh").is_some(), "Tân Thanh too");
    let now: Value = commune.get("/api/v1/org-units?limit=200").await.json().await.unwrap();
    let hung_nhuong = now["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(now["items"][0]["name"], "Xã Hưng Nhượng");
    let summary = async |unit: &str, day: &str| -> Value {
        commune.get(&format!("/api/v1/org-units/{unit}/member-summary?as_of={day}")).await.json().await.unwrap()
    };
    let le_2024 = summary(&hung_le, "2024-12-31").await;
    assert!(le_2024["members"].as_i64().unwrap() > 50, "{le_2024}");
    assert_eq!(le_2024["women_18_plus"], 155);
    let communes: Vec<&str> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["level"] == "commune")
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(communes.len(), 3, "the three communes of 2025-06-30: {communes:?}");
    let history: Value = commune.get(&format!("/api/v1/org-units/{hung_le}/history")).await.json().await.unwrap();
    assert_eq!(history["successors"][0]["org_unit_id"], hung_nhuong.as_str());
    let new_2025 = summary(&hung_nhuong, "2025-07-01").await;
    assert_eq!(new_2025["women_18_plus"], 282);
    let mut sum_before = 0;
    for unit in before["items"].as_array().unwrap().iter().filter(|u| u["level"] == "commune") {
        sum_before += summary(unit["id"].as_str().unwrap(), "2025-06-30").await["members"].as_i64().unwrap();
    }
    assert!(sum_before > 0 && new_2025["members"].as_i64().unwrap() >= sum_before, "{sum_before} vs {new_2025}");

    // "1+1": pairs of every kind, in several stages; support that met a need.
    for kind in ["recruit", "party_nurture", "sponsor", "branch_twin", "knowledge_share"] {
        let pairs: Value = commune.get(&format!("/api/v1/pairs?kind={kind}")).await.json().await.unwrap();
        assert!(!pairs["items"].as_array().unwrap().is_empty(), "demo pairs of kind {kind}");
    }
    let introduced: Value =
        commune.get("/api/v1/pairs?kind=party_nurture&stage=introduced").await.json().await.unwrap();
    assert_eq!(introduced["items"].as_array().unwrap().len(), 1, "one cadre introduced to the Party");
    let achieved: Value = commune.get("/api/v1/pairs?kind=sponsor&status=achieved").await.json().await.unwrap();
    let widow = achieved["items"][0]["mentee"]["id"].as_str().unwrap();
    let household: Value = commune.get(&format!("/api/v1/members/{widow}/support")).await.json().await.unwrap();
    assert!(household["total_vnd"].as_i64().unwrap() > 0);
    assert_eq!(household["needs"][0]["status"], "met");
    let ledger: Value = commune.get("/api/v1/support?source=sponsor_pair").await.json().await.unwrap();
    assert_eq!(ledger["items"].as_array().unwrap().len(), 2, "the loan and the sewing course");

    // "3 có": meetings every month in most branches, one branch skipping some; funds; pioneers.
    let year_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(330)).format("%Y-%m").to_string();
    let this_month = chrono::Utc::now().date_naive().format("%Y-%m").to_string();
    let three: Value = commune
        .get(&format!("/api/v1/org-units/{hung_nhuong}/three-haves?from={year_ago}&to={this_month}&limit=100"))
        .await
        .json()
        .await
        .unwrap();
    let branches = three["items"].as_array().unwrap();
    assert!(branches.len() >= 4, "{three}");
    let skipping = branches.iter().find(|b| b["name"] == "Chi hội ấp An Lợi").unwrap();
    assert!(skipping["months"].as_array().unwrap().iter().any(|m| m["has_activity"] == false), "An Lợi skips months");
    let ray = branches.iter().find(|b| b["name"] == "Chi hội ấp Rẫy").unwrap();
    assert!(ray["months"].as_array().unwrap().iter().all(|m| m["has_pioneers"] == true), "ấp Rẫy always has pioneers");

    // The branch head knows her members; the member reads her own record.
    let head = app.session("demo-branch").await;
    let head = app.with_token(&head.access_token);
    let members: Value = head.get("/api/v1/members?limit=200").await.json().await.unwrap();
    assert!(members["items"].as_array().unwrap().len() > 50);
    let needs: Value = head.get("/api/v1/members?need=capital").await.json().await.unwrap();
    assert!(!needs["items"].as_array().unwrap().is_empty(), "some members of ấp Rẫy need capital");
    let ray_id = ray["unit_id"].as_str().unwrap();
    let absent: Value = head.get(&format!("/api/v1/org-units/{ray_id}/absentees")).await.json().await.unwrap();
    assert!(!absent["items"].as_array().unwrap().is_empty(), "some members drift away: someone to visit");
    let member = app.session("demo-member").await;
    let mine = app.with_token(&member.access_token).get("/api/v1/me/member").await;
    assert_eq!(mine.status(), StatusCode::OK);
    // She already allowed the demo mobile app (OAuth, public with PKCE) to read her branch.
    let allowed: Value = head.get("/api/v1/me/authorized-apps").await.json().await.unwrap();
    assert_eq!(allowed["items"][0]["client_id"], chihoi::seed::apps::DEMO_APP_CLIENT_ID);
    assert_eq!(allowed["items"][0]["scope"], "members:read me:read");
    assert!(allowed["items"][0]["client_name"].as_str().unwrap().starts_with("[DEMO]"));

    // The demo province system can get a token with the documented demo secret.
    let admin = app.session("demo-admin").await;
    let clients: Value = app.with_token(&admin.access_token).get("/api/v1/machine-clients").await.json().await.unwrap();
    let id = clients["items"][0]["id"].as_str().unwrap();
    let response = app
        .request(reqwest::Method::POST, "/api/v1/auth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={}",
            chihoi::seed::DEMO_CLIENT_SECRET
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // Reports: the province accepted last quarter; last month waits; the system pulls both.
    let token: Value = response.json().await.unwrap();
    let system = app.with_token(token["access_token"].as_str().unwrap());
    let pulled: Value = system.get("/api/v1/report-submissions").await.json().await.unwrap();
    let statuses: Vec<&str> =
        pulled["items"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["accepted", "submitted"]);
    let hooks: Value = system.get("/api/v1/webhooks").await.json().await.unwrap();
    assert_eq!(hooks["items"][0]["status"], "disabled", "an example subscription, paused: {hooks}");
    let quarter = &pulled["items"][0];
    assert!(quarter["figures"]["members"]["end"].as_i64().unwrap() > 100, "{quarter}");
    assert_eq!(quarter["figures"]["criteria_codes"]["coverage.coverage"], json!(["NTMNC-18.5"]));
    let last_year = chrono::Utc::now().date_naive().year() - 1;
    let rating: Value =
        commune.get(&format!("/api/v1/org-units/{ray_id}/ratings/{last_year}")).await.json().await.unwrap();
    assert_eq!(rating["rating"], "xuat_sac");
}

#[tokio::test]
async fn bulk_members_are_marked_counted_and_searchable() {
    let app = spawn_app().await;
    let env = base_env(&app.database_url);
    let config = chihoi::config::Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let first = chihoi::seed::bulk::members(&config, 1000).await.unwrap();
    assert!(first.contains("[SEED] 1000"), "{first}");
    let again = chihoi::seed::bulk::members(&config, 1000).await.unwrap();
    assert!(again.contains("already"), "{again}");

    let admin = app.admin().await;
    let provinces: Value = admin.get("/api/v1/org-units?level=province").await.json().await.unwrap();
    let seeded: Vec<&Value> = provinces["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["name"].as_str().unwrap().starts_with("[SEED]"))
        .collect();
    assert_eq!(seeded.len(), 1);
    let province = seeded[0]["id"].as_str().unwrap();
    let summary: Value = admin.get(&format!("/api/v1/org-units/{province}/member-summary")).await.json().await.unwrap();
    assert_eq!(summary["members"].as_i64().unwrap() + summary["honorary_members"].as_i64().unwrap(), 1000);
    assert_eq!(summary["honorary_members"], 2, "every 500th is honorary");

    // Names carry the same search and sort keys as members registered through the API.
    let found: Value = admin.get("/api/v1/members?q=nguyen%20thi&limit=200").await.json().await.unwrap();
    let items = found["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|m| m["full_name"].as_str().unwrap().starts_with("Nguyễn")), "{found}");
    let page: Value = admin.get(&format!("/api/v1/members?unit={province}&limit=50")).await.json().await.unwrap();
    let given: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|m| m["given_name"].as_str().unwrap().to_owned()).collect();
    let mut sorted = given.clone();
    sorted.sort_by_key(|g| chihoi::text::collate::person_sort_key("", "", g));
    assert_eq!(given, sorted, "listed in Vietnamese order of given names");

    // A year of monthly meetings in each of the 4 branches, with rosters (months of Vietnam's
    // calendar, as the seeder and the server count them).
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap()).date_naive();
    let this_month = today.with_day(1).unwrap();
    let from = this_month - chrono::Months::new(12);
    let to = this_month - chrono::Days::new(1);
    let kpis: Value =
        admin.get(&format!("/api/v1/reports/kpis?unit={province}&from={from}&to={to}")).await.json().await.unwrap();
    let engagement = &kpis["unit"]["engagement"];
    assert_eq!(engagement["meetings"], 48, "{engagement}");
    let rate = engagement["meeting_attendance"]["percent"].as_f64().unwrap();
    assert!((60.0..90.0).contains(&rate), "{rate}");
    assert!(engagement["absent_three_running"].as_i64().unwrap() >= 40, "one member in 20 never comes: {engagement}");
}
