//! Reports: KPIs of a commune formed by a merge, each expected value worked out by hand from the
//! fixture below (a join, a death, a leaver, transfers both ways, an honorary member, three
//! meetings); the same figures suppressed for a machine client, as CSV and as XLSX read back
//! cell by cell; absence streaks across a transfer. The scorecard and ratings are in
//! `report_scorecard`, the submission cycle in `report_submissions`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::activities::meeting;
use crate::helpers::{As, ROOT_UNIT, TestApp, assert_problem, spawn_app};

/// A member of `unit` who joined on `joined_on`; returns her id.
pub async fn member(who: &As<'_>, unit: &str, given: &str, joined_on: &str, extra: Value) -> String {
    let mut body = json!({"family_name": "Nguyễn", "middle_name": "Thị", "given_name": given, "birth_year": 1975,
                          "joined_on": joined_on, "unit_id": unit});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    who.create("/api/v1/members", &body).await["id"].as_str().unwrap().to_owned()
}

pub async fn event(who: &As<'_>, member: &str, kind: &str, day: &str) {
    who.create(
        &format!("/api/v1/members/{member}/events"),
        &json!({"kind": kind, "occurred_on": day, "reason": "Ghi nhận"}),
    )
    .await;
}

pub async fn transfer(who: &As<'_>, member: &str, to: &str, day: &str) {
    let transfer = who
        .create(
            &format!("/api/v1/members/{member}/transfers"),
            &json!({"to_unit_id": to, "requested_on": day, "reason": "Theo gia đình"}),
        )
        .await;
    let accepted = who
        .post_json(
            &format!("/api/v1/transfers/{}/accept", transfer["id"].as_str().unwrap()),
            &json!({"decided_on": day}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
}

pub async fn roster(who: &As<'_>, activity: &str, present: &[&str], absent: &[&str]) {
    let entries: Vec<Value> = present
        .iter()
        .map(|m| json!({"member_id": m, "status": "present"}))
        .chain(absent.iter().map(|m| json!({"member_id": m, "status": "absent"})))
        .collect();
    let response = who
        .request(Method::PUT, &format!("/api/v1/activities/{activity}/attendance"))
        .json(&json!({"entries": entries}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

pub struct World {
    pub province: String,
    pub commune: String,
    pub old_commune: String,
    pub ray: String,
    /// A member who attended no meeting of Q3, to die late in the tests.
    pub a6: String,
}

/// Two communes merge into a new one on 2025-08-01; in Q3 2025 one member joins, one dies, one
/// leaves, one arrives and one moves away; an honorary member is never counted.
pub async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let hung_le = app.unit(&province, "commune", "Xã Hưng Lễ").await;
    let tan_thanh = app.unit(&province, "commune", "Xã Tân Thanh").await;
    let ray = app.unit(&hung_le, "branch", "Chi hội ấp Rẫy").await;
    let tan = app.unit(&tan_thanh, "branch", "Chi hội ấp Tân").await;
    let far_province = app.unit(ROOT_UNIT, "province", "Tỉnh Bến Tre").await;
    let far_commune = app.unit(&far_province, "commune", "Xã Khác").await;
    let far = app.unit(&far_commune, "branch", "Chi hội xa").await;

    let old = "2015-03-08";
    let a1 = member(&admin, &ray, "An", old, json!({"card_number": "HV-0001"})).await;
    let a2 = member(&admin, &ray, "Bình", old, json!({"card_number": "HV-0002"})).await;
    let a3 = member(&admin, &ray, "Cúc", old, json!({"card_number": "HV-0003"})).await;
    let a4 = member(&admin, &ray, "Dung", old, json!({})).await;
    let a5 = member(&admin, &ray, "Đào", old, json!({})).await;
    let a6 = member(&admin, &ray, "Giang", old, json!({})).await;
    member(&admin, &ray, "Hạnh", old, json!({"member_type": "honorary"})).await;
    let b1 = member(&admin, &tan, "Lan", old, json!({})).await;
    let b2 = member(&admin, &tan, "Mai", old, json!({})).await;
    member(&admin, &tan, "Nga", old, json!({})).await;
    member(&admin, &tan, "Oanh", old, json!({})).await;
    let c1 = member(&admin, &far, "Phượng", old, json!({})).await;

    let commune = app.unit(&province, "commune", "Xã Hưng Nhượng").await;
    let merged = admin
        .post_json(
            &format!("/api/v1/org-units/{commune}/merge"),
            &json!({"sources": [hung_le, tan_thanh], "effective_on": "2025-08-01"}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);

    // Movements of Q3 2025.
    event(&admin, &b2, "leave", "2025-07-15").await;
    transfer(&admin, &c1, &ray, "2025-07-20").await;
    let a7 = member(&admin, &ray, "Yến", "2025-08-15", json!({})).await;
    event(&admin, &a1, "death", "2025-09-01").await;
    transfer(&admin, &b1, &far, "2025-09-10").await;

    // Three meetings of ấp Rẫy; Đào and Giang miss all three.
    let july = meeting(&admin, &ray, "2025-07-05").await;
    roster(&admin, &july, &[&a1, &a2, &a3, &a4], &[&a5, &a6]).await;
    let august = meeting(&admin, &ray, "2025-08-05").await;
    roster(&admin, &august, &[&a1, &a2, &a3, &c1], &[&a4, &a5, &a6]).await;
    let september = meeting(&admin, &ray, "2025-09-05").await;
    roster(&admin, &september, &[&a2, &a3, &a4, &a7], &[&a5, &a6, &c1]).await;

    // Support: two households in the period, one entry after it.
    for (who, kind, amount, source, day) in [
        (&a2, "capital_loan", json!(2_000_000), "union_fund", "2025-08-10"),
        (&a3, "grant", json!(500_000), "donor", "2025-09-01"),
        (&a5, "grant", json!(300_000), "donor", "2025-10-05"),
    ] {
        admin
            .create(
                "/api/v1/support",
                &json!({"member_id": who, "kind": kind, "amount_vnd": amount, "source": source, "given_on": day}),
            )
            .await;
    }
    admin
        .create(
            "/api/v1/support",
            &json!({"member_id": a4, "kind": "job", "quantity": 1, "source": "other", "given_on": "2025-09-15"}),
        )
        .await;
    let hardship = admin
        .request(Method::PUT, &format!("/api/v1/members/{a3}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "poor", "circumstances": ["single_mother"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(hardship.status(), StatusCode::OK);
    admin
        .create(
            "/api/v1/pairs",
            &json!({"kind": "sponsor", "mentor_id": a2, "mentee_id": a3, "started_on": "2025-07-05"}),
        )
        .await;
    admin
        .create(
            &format!("/api/v1/org-units/{commune}/population"),
            &json!({"as_of": "2025-08-01", "women_18_plus": 20}),
        )
        .await;
    World { province, commune, old_commune: hung_le, ray, a6 }
}

pub async fn kpis(who: &As<'_>, query: &str) -> Value {
    let response = who.get(&format!("/api/v1/reports/kpis?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn kpis_of_a_merged_commune_match_the_hand_count() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let report = kpis(&admin, &format!("unit={}&period=2025-Q3", w.commune)).await;
    let k = &report["unit"];
    assert_eq!(k["period"]["from"], "2025-07-01");
    assert_eq!(k["period"]["to"], "2025-09-30");
    let m = &k["members"];
    // Start: 6 regular in ấp Rẫy + 4 in ấp Tân, through the merged predecessors. End: ấp Rẫy
    // lost An (death), gained Phượng (transfer) and Yến (join); ấp Tân lost Mai (left) and Lan
    // (moved away). Hạnh is honorary and never counts.
    let expected = json!({"start": 10, "end": 9, "honorary_end": 1, "joins": 1, "reinstatements": 0,
        "transfers_in": 1, "transfers_out": 1, "leavers": 1, "removals": 0, "deaths": 1, "net_change": -1,
        "other_moves": 0, "year_before": 10});
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&m[key], value, "members.{key}");
    }
    assert_eq!(m["growth"], json!({"numerator": -1, "denominator": 10, "percent": -10.0}));
    assert_eq!(m["growth_year"]["percent"], -10.0);
    // 9 members of 20 women: 45 %, under the 60 % threshold.
    assert_eq!(k["coverage"]["coverage"], json!({"numerator": 9, "denominator": 20, "percent": 45.0}));
    assert_eq!(k["coverage"]["flagged"], true);
    let e = &k["engagement"];
    assert_eq!(e["meetings"], 3);
    // Expected 6 + 7 + 7 regular members, present 4 + 4 + 4.
    assert_eq!(e["meeting_attendance"], json!({"numerator": 12, "denominator": 20, "percent": 60.0}));
    // Of the 9 at the end, Bình, Cúc, Dung, Phượng and Yến came at least once (An died).
    assert_eq!(e["participation"], json!({"numerator": 5, "denominator": 9, "percent": 55.56}));
    assert_eq!(e["absent_three_running"], 2, "Đào and Giang");
    assert_eq!(k["pairs"]["active_by_kind"], json!({"sponsor": 1}));
    let s = &k["support"];
    assert_eq!((s["households"].clone(), s["entries"].clone(), s["jobs"].clone()), (json!(3), json!(3), json!(1)));
    assert_eq!(s["amount_vnd"], 2_500_000);
    assert_eq!(s["amount_vnd_by_kind"], json!({"capital_loan": 2_000_000, "grant": 500_000, "job": 0}));
    assert_eq!(s["amount_vnd_by_source"], json!({"donor": 500_000, "other": 0, "union_fund": 2_000_000}));
    assert_eq!(k["cards_and_fees"]["card_holders"], json!({"numerator": 2, "denominator": 9, "percent": 22.22}));
    assert_eq!(k["cards_and_fees"]["fee_paid"], Value::Null, "no fee schedule applies");
    assert_eq!(k["suppressed"], false);

    // Before the merge the old commune still has its own figures: history is not rewritten.
    let june = kpis(&admin, &format!("unit={}&period=2025-06", w.old_commune)).await;
    assert_eq!(june["unit"]["members"]["end"], 6);
    // The province, with a line per open commune; the merged ones are closed.
    let province = kpis(&admin, &format!("unit={}&period=2025-Q3&group_by=child", w.province)).await;
    assert_eq!(province["unit"]["members"]["end"], 9);
    let children: Vec<&str> =
        province["children"].as_array().unwrap().iter().map(|c| c["unit_name"].as_str().unwrap()).collect();
    assert_eq!(children, ["Xã Hưng Nhượng"]);
    // Computed with its province (one query per figure for both, on three connections sharing
    // one snapshot), the commune has exactly the figures it has when asked alone.
    assert_eq!(province["children"][0], *k);

    // Live: a death recorded now is in the next answer.
    event(&admin, &w.a6, "death", "2025-09-20").await;
    let after = kpis(&admin, &format!("unit={}&period=2025-Q3", w.commune)).await;
    assert_eq!(
        (after["unit"]["members"]["deaths"].clone(), after["unit"]["members"]["end"].clone()),
        (json!(2), json!(8))
    );

    // Bad periods name the parameter.
    for bad in ["period=2025-Q5", "period=2025-13", "from=2025-09-01&to=2025-01-01", "period=2025&from=2025-01-01"] {
        let response = admin.get(&format!("/api/v1/reports/kpis?unit={}&{bad}", w.commune)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn machine_clients_get_small_counts_suppressed_and_outsiders_get_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let token = app.machine_token(&w.province).await;
    let machine = app.with_token(&token);
    let report = kpis(&machine, &format!("unit={}&period=2025-Q3", w.commune)).await;
    let k = &report["unit"];
    assert_eq!(k["suppressed"], true);
    let m = &k["members"];
    assert_eq!((m["start"].clone(), m["end"].clone()), (json!(10), json!(9)), "counts of 5 and more stay");
    for key in
        ["joins", "deaths", "leavers", "transfers_in", "transfers_out", "honorary_end", "net_change", "other_moves"]
    {
        assert_eq!(m[key], Value::Null, "members.{key} is hidden");
    }
    assert_eq!(m["removals"], 0, "zero identifies nobody");
    assert_eq!(k["support"]["households"], Value::Null);
    assert_eq!(k["support"]["amount_vnd"], Value::Null, "money of fewer than 5 households points at them");
    assert_eq!(k["engagement"]["participation"]["numerator"], 5);
    assert_eq!(k["engagement"]["absent_three_running"], Value::Null);
    // The scorecard names members: machine clients never get it.
    let names = machine.get(&format!("/api/v1/reports/scorecard?unit={}&period=2025-09", w.commune)).await;
    assert_problem(names, StatusCode::NOT_FOUND, "not_found").await;

    // A commune officer of another province sees nothing of this one.
    let elsewhere = app.unit(ROOT_UNIT, "province", "Tỉnh khác").await;
    app.user_with_role("tinh-khac", &elsewhere, "province_officer").await;
    let other = app.session("tinh-khac").await;
    let other = app.with_token(&other.access_token);
    let hidden = other.get(&format!("/api/v1/reports/kpis?unit={}&period=2025-Q3", w.commune)).await;
    assert_problem(hidden, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn exports_are_laid_out_like_a_commune_report() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin().await;
    admin
        .create(
            "/api/v1/settings",
            &json!({"key": "reports.criteria_codes", "value": {"coverage.coverage": ["NTMNC-18.5"]}}),
        )
        .await;
    let csv = admin.get(&format!("/api/v1/reports/kpis/export?unit={}&period=2025-Q3&format=csv", w.commune)).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let bytes = csv.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM so that Excel reads UTF-8");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Đơn vị,Từ ngày,Đến ngày,Nhóm,Mã chỉ tiêu,Chỉ tiêu,Indicator,Giá trị,Tử số,Mẫu số,Mã tiêu chí"
    );
    assert!(
        text.contains("Xã Hưng Nhượng,01/07/2025,30/09/2025,Hội viên,members.deaths,Từ trần,Deaths,1,,,\n"),
        "{text}"
    );
    assert!(text.contains(",coverage.coverage,Tỷ lệ tập hợp (%),Coverage (%),45,9,20,NTMNC-18.5\n"), "{text}");

    let xlsx = admin.get(&format!("/api/v1/reports/kpis/export?unit={}&period=2025-Q3&format=xlsx", w.province)).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook");
    assert_eq!(book.sheet_names(), ["Tổng hợp", "Hội viên", "Sinh hoạt", "1+1", "Hỗ trợ", "Xu hướng"]);
    let members = book.worksheet_range("Hội viên").unwrap();
    assert_eq!(members.get_value((0, 0)), Some(&Data::String("Tỉnh Vĩnh Long — 01/07/2025 đến 30/09/2025".into())));
    assert_eq!(members.get_value((2, 0)), Some(&Data::String("Chỉ tiêu".into())));
    assert_eq!(members.get_value((2, 5)), Some(&Data::String("Mã tiêu chí".into())));
    let row = |label: &str| {
        (0..members.height() as u32)
            .find(|r| members.get_value((*r, 0)) == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(members.get_value((row("Hội viên đầu kỳ"), 2)), Some(&Data::Float(10.0)));
    assert_eq!(members.get_value((row("Hội viên cuối kỳ"), 2)), Some(&Data::Float(9.0)));
    assert_eq!(members.get_value((row("Từ trần"), 2)), Some(&Data::Float(1.0)));
    assert_eq!(members.get_value((row("Tỷ lệ tập hợp (%)"), 3)), Some(&Data::Float(9.0)));
    assert_eq!(members.get_value((row("Tỷ lệ tập hợp (%)"), 5)), Some(&Data::String("NTMNC-18.5".into())));
    let support = book.worksheet_range("Hỗ trợ").unwrap();
    let money = (0..support.height() as u32)
        .find(|r| support.get_value((*r, 0)) == Some(&Data::String("Tổng tiền hỗ trợ (đồng)".into())))
        .unwrap();
    assert_eq!(support.get_value((money, 2)), Some(&Data::Float(2_500_000.0)));
    let trend = book.worksheet_range("Xu hướng").unwrap();
    assert_eq!(trend.get_value((0, 0)), Some(&Data::String("Tháng".into())));
    let months: Vec<String> = (1..=3).map(|r| trend.get_value((r, 0)).unwrap().to_string()).collect();
    assert_eq!(months, ["07/2025", "08/2025", "09/2025"]);
    assert_eq!(trend.get_value((3, 1)), Some(&Data::Float(9.0)), "members at the end of September");
    assert_eq!(trend.get_value((1, 2)), Some(&Data::Float(66.67)), "4 of 6 in July");

    let svg = admin.get(&format!("/api/v1/reports/kpis/chart.svg?unit={}&period=2025-Q3", w.commune)).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("09/2025"), "{svg}");
}

/// "Absent three meetings running" follows a member across a transfer: her last three meetings
/// are counted over both branches, whether she arrived before her new branch's last three
/// meetings (checked in one pass) or between them (looked up one by one).
#[tokio::test]
async fn absence_streaks_follow_a_member_across_a_transfer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Vĩnh Long").await;
    let commune = app.unit(&province, "commune", "Xã Hưng Lễ").await;
    let from = app.unit(&commune, "branch", "Chi hội ấp Rẫy").await;
    let to = app.unit(&commune, "branch", "Chi hội ấp Tân").await;
    let old = "2015-03-08";
    let moved_absent = member(&admin, &from, "Xuân", old, json!({})).await;
    let moved_present = member(&admin, &from, "Vân", old, json!({})).await;
    let settled_absent = member(&admin, &to, "Yên", old, json!({})).await;
    let settled_present = member(&admin, &to, "Duyên", old, json!({})).await;
    let honorary = member(&admin, &to, "Hạnh", old, json!({"member_type": "honorary"})).await;

    let june = meeting(&admin, &to, "2025-06-15").await;
    roster(&admin, &june, &[&settled_present], &[&settled_absent, &honorary]).await;
    let july = meeting(&admin, &from, "2025-07-05").await;
    roster(&admin, &july, &[&moved_present], &[&moved_absent]).await;
    transfer(&admin, &moved_absent, &to, "2025-07-10").await;
    transfer(&admin, &moved_present, &to, "2025-07-10").await;
    for day in ["2025-08-15", "2025-09-15"] {
        let held = meeting(&admin, &to, day).await;
        roster(&admin, &held, &[], &[&moved_absent, &moved_present, &settled_absent, &settled_present, &honorary])
            .await;
    }

    let k = kpis(&admin, &format!("unit={commune}&period=2025-Q3")).await;
    // Xuân missed July (ấp Rẫy), August and September (ấp Tân); Yên missed June, August and
    // September. Vân came in July, Duyên in June; Hạnh is honorary.
    assert_eq!(k["unit"]["engagement"]["absent_three_running"], 2);
    let branch = kpis(&admin, &format!("unit={to}&period=2025-Q3")).await;
    assert_eq!(branch["unit"]["engagement"]["absent_three_running"], 2);
    let before = kpis(&admin, &format!("unit={commune}&period=2025-08")).await;
    // On 31 August Xuân has had two meetings (July in ấp Rẫy, August) and Yên two (June,
    // August): nobody has three yet.
    assert_eq!(before["unit"]["engagement"]["absent_three_running"], 0);
}

#[tokio::test]
async fn the_deprecated_format_parameter_still_answers_and_names_its_sunset_and_successor() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let successor =
        admin.get(&format!("/api/v1/reports/kpis/export?unit={}&period=2025-Q3&format=csv", w.commune)).await;
    assert_eq!(successor.status(), StatusCode::OK);
    assert!(successor.headers().get("deprecation").is_none());
    let expected = successor.bytes().await.unwrap();

    let old = admin.get(&format!("/api/v1/reports/kpis?unit={}&period=2025-Q3&format=csv", w.commune)).await;
    assert_eq!(old.status(), StatusCode::OK);
    assert_eq!(old.headers()["deprecation"], "@1796601600");
    assert_eq!(old.headers()["sunset"], "Tue, 07 Dec 2027 00:00:00 GMT");
    assert_eq!(old.headers()["link"], "</api/v1/reports/kpis/export>; rel=\"successor-version\"");
    assert_eq!(old.bytes().await.unwrap(), expected, "the same file either way");

    // JSON, the operation's own answer, is not deprecated.
    let json = admin.get(&format!("/api/v1/reports/kpis?unit={}&period=2025-Q3", w.commune)).await;
    assert_eq!(json.status(), StatusCode::OK);
    assert!(json.headers().get("deprecation").is_none());
    // The export takes files only, and names the field when asked for anything else.
    let refused = admin.get(&format!("/api/v1/reports/kpis/export?unit={}&format=json", w.commune)).await;
    let problem = assert_problem(refused, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["field"], "format");
}
