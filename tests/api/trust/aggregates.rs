//! What a machine client of a higher-level system (aggregates only) can reach: no person's name.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn a_machine_client_sees_no_office_holder_by_name() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let chair = member(&admin, &t.branch, "Phạm", "Thị", "Chủ Tịch").await;
    admin
        .create(
            &format!("/api/v1/org-units/{}/positions", t.branch),
            &json!({"member_id": chair["id"], "kind": "branch_head", "started_on": "2024-03-08"}),
        )
        .await;
    let machine = app.machine_token(&t.commune).await;
    let machine = app.with_token(&machine);
    let positions = machine.get(&format!("/api/v1/org-units/{}/positions", t.branch)).await;
    assert_problem(positions, StatusCode::FORBIDDEN, "forbidden").await;
    // What it may read carries no name.
    for path in [format!("/api/v1/org-units/{}", t.branch), format!("/api/v1/org-units?parent={}", t.commune)] {
        let body = machine.get(&path).await.text().await.unwrap();
        assert!(!body.contains("Chủ Tịch"), "{path}: {body}");
    }
}

mod suppression {
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use reqwest::Method;

    use crate::helpers::{ROOT_UNIT, TestApp, assert_problem, field_error, spawn_app};
    use crate::reports::{event, member};

    /// A province of three communes with 7, 3 and 9 members at the end of 2025-Q3 (the third
    /// lost 3 in the quarter); returns the province and the communes.
    async fn province_of_three(app: &TestApp) -> (String, Vec<String>) {
        let admin = app.admin().await;
        let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
        let mut communes = Vec::new();
        // Members at the end of 2025-Q3: 7, 3 and 9; the third lost 3 in the quarter.
        for (name, count) in [("Xã An", 7), ("Xã Bình", 3), ("Xã Cúc", 12)] {
            let commune = app.unit(&province, "commune", name).await;
            let branch = app.unit(&commune, "branch", &format!("Chi hội {name}")).await;
            let mut ids = Vec::new();
            const GIVEN: [&str; 12] =
                ["An", "Bình", "Cúc", "Dung", "Đào", "Giang", "Hạnh", "Lan", "Mai", "Nga", "Oanh", "Phượng"];
            for given in &GIVEN[..count] {
                ids.push(member(&admin, &branch, given, "2015-03-08", json!({})).await);
            }
            if count == 12 {
                for id in &ids[..3] {
                    event(&admin, id, "leave", "2025-08-15").await;
                }
            }
            communes.push(commune);
        }
        (province, communes)
    }

    #[tokio::test]
    async fn small_cell_suppression_cannot_be_undone_by_a_machine_client() {
        let app = spawn_app().await;
        let admin = app.admin().await;
        let (province, communes) = province_of_three(&app).await;
        let machine = app.machine_token(&province).await;
        let machine = app.with_token(&machine);
        let report: Value = machine
            .get(&format!("/api/v1/reports/kpis?unit={province}&period=2025-Q3&group_by=child"))
            .await
            .json()
            .await
            .unwrap();
        let ends: Vec<Value> =
            report["children"].as_array().unwrap().iter().map(|c| c["members"]["end"].clone()).collect();
        assert_eq!(report["unit"]["members"]["end"], 19, "the province's own total is large: {report}");
        let hidden = ends.iter().filter(|e| e.is_null()).count();
        assert!(hidden >= 2, "the 3-member commune cannot be recovered as total minus the others: {ends:?}");
        // A small loss is a small count too.
        let cuc = report["children"].as_array().unwrap().iter().find(|c| c["unit_name"] == "Xã Cúc").unwrap();
        assert_eq!(cuc["members"]["growth"]["numerator"], Value::Null, "a growth of −3 is three people: {cuc}");
        assert_eq!(cuc["members"]["leavers"], Value::Null);
        // The same holds in the CSV drawn from the same figures.
        let csv = machine
            .get(&format!("/api/v1/reports/kpis?unit={province}&period=2025-Q3&group_by=child&format=csv"))
            .await
            .text()
            .await
            .unwrap();
        let end_cells: Vec<&str> = csv.lines().filter(|l| l.contains(",members.end,")).collect();
        let empty = end_cells.iter().filter(|l| l.contains(",,,") || l.ends_with(",,")).count();
        assert!(empty >= 2, "{end_cells:?}");

        // Day ranges and the running month could be differenced day by day: refused.
        for query in [
            format!("unit={province}&from=2025-08-01&to=2025-08-02"),
            format!("unit={province}"),
            format!("unit={province}&period=2099-01"),
        ] {
            let refused = machine.get(&format!("/api/v1/reports/kpis?{query}")).await;
            let problem = assert_problem(refused, StatusCode::BAD_REQUEST, "invalid_parameter").await;
            assert_eq!(field_error(&problem, "period")["code"], "closed_periods_only", "{query}");
        }
        // A member count on any day is not for machine clients.
        let summary = machine.get(&format!("/api/v1/org-units/{}/member-summary?as_of=2025-08-15", communes[1])).await;
        assert_problem(summary, StatusCode::FORBIDDEN, "forbidden").await;
        // The chart of the small commune draws no month.
        let chart = machine
            .get(&format!("/api/v1/reports/kpis/chart.svg?unit={}&period=2025-Q3", communes[1]))
            .await
            .text()
            .await
            .unwrap();
        assert!(!chart.contains("07/2025") && !chart.contains("09/2025"), "{chart}");
        // People see every figure.
        let officer: Value = admin
            .get(&format!("/api/v1/reports/kpis?unit={province}&period=2025-Q3&group_by=child"))
            .await
            .json()
            .await
            .unwrap();
        let ends: Vec<Value> =
            officer["children"].as_array().unwrap().iter().map(|c| c["members"]["end"].clone()).collect();
        assert!(ends.iter().all(Value::is_i64), "{ends:?}");
    }

    #[tokio::test]
    async fn asking_each_commune_alone_or_its_frozen_report_recovers_no_hidden_cell() {
        // group_by=child hides a partner beside the small commune; asked one by one, or read
        // as submitted reports, the partner must stay hidden too, or the small commune is the
        // province's total minus the others.
        let app = spawn_app().await;
        let admin = app.admin().await;
        let (province, communes) = province_of_three(&app).await;
        let machine = app.machine_token(&province).await;
        let machine = app.with_token(&machine);
        let end_of = |report: &Value| report["members"]["end"].clone();
        let total: Value =
            machine.get(&format!("/api/v1/reports/kpis?unit={province}&period=2025-Q3")).await.json().await.unwrap();
        assert_eq!(end_of(&total["unit"]), 19);
        let mut alone = Vec::new();
        for commune in &communes {
            let report: Value =
                machine.get(&format!("/api/v1/reports/kpis?unit={commune}&period=2025-Q3")).await.json().await.unwrap();
            alone.push(end_of(&report["unit"]));
        }
        assert!(alone.iter().filter(|e| e.is_null()).count() >= 2, "asked one by one: {alone:?}");

        for commune in &communes {
            let draft =
                admin.create("/api/v1/report-submissions", &json!({"unit_id": commune, "period": "2025-Q3"})).await;
            let id = draft["id"].as_str().unwrap();
            let submitted =
                admin.request(Method::POST, &format!("/api/v1/report-submissions/{id}/submit")).send().await.unwrap();
            assert_eq!(submitted.status(), StatusCode::OK);
        }
        let list: Value = machine.get("/api/v1/report-submissions?period=2025-Q3").await.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{list}");
        let frozen: Vec<Value> = items.iter().map(|r| end_of(&r["figures"])).collect();
        assert!(frozen.iter().filter(|e| e.is_null()).count() >= 2, "the list of reports: {frozen:?}");
        let mut one_by_one = Vec::new();
        for item in items {
            let report: Value = machine
                .get(&format!("/api/v1/report-submissions/{}", item["id"].as_str().unwrap()))
                .await
                .json()
                .await
                .unwrap();
            one_by_one.push(end_of(&report["figures"]));
            let diff = report["live_diff"].as_array().unwrap();
            assert!(diff.iter().all(|d| d["figure"] != "members.end"), "no live value beside a hidden one: {diff:?}");
        }
        assert!(one_by_one.iter().filter(|e| e.is_null()).count() >= 2, "each report: {one_by_one:?}");
        // People see every figure.
        let officer: Value = admin.get("/api/v1/report-submissions?period=2025-Q3").await.json().await.unwrap();
        assert!(officer["items"].as_array().unwrap().iter().all(|r| end_of(&r["figures"]).is_i64()), "{officer}");
    }
}
