//! The presence pre-aggregates the reports read (migration 000014) equal a recount from the raw
//! rosters after every kind of change — rosters recorded, replaced and corrected, an activity
//! moved to another month and year, cancelled and held again, rosters written concurrently —
//! and participation read from them matches the hand count for whole months and ragged days.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

use crate::activities::meeting;
use crate::helpers::{As, ROOT_UNIT, TestApp, spawn_app};
use crate::reports::{kpis, member, roster};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.db().await;
    diesel::sql_query(sql).get_result::<Count>(&mut conn).await.expect(sql).n
}

/// Rows that differ between the kept aggregates and the recount, either way (rows whose counts
/// all fell back to zero are the same as no row).
async fn assert_no_drift(app: &TestApp, after: &str) {
    let members = count(
        app,
        "SELECT count(*) AS n FROM (
             (SELECT * FROM member_presence WHERE months <> '{0,0,0,0,0,0,0,0,0,0,0,0}' EXCEPT SELECT * FROM member_presence_recount)
             UNION ALL (SELECT * FROM member_presence_recount EXCEPT SELECT * FROM member_presence)) d",
    )
    .await;
    let activities = count(
        app,
        "SELECT count(*) AS n FROM (
             (SELECT * FROM activity_presence WHERE present <> 0 EXCEPT SELECT * FROM activity_presence_recount)
             UNION ALL (SELECT * FROM activity_presence_recount EXCEPT SELECT * FROM activity_presence)) d",
    )
    .await;
    assert_eq!((members, activities), (0, 0), "pre-aggregates differ from the recount after {after}");
}

async fn months_of(app: &TestApp, member: &str, year: i32, month: i32) -> i64 {
    count(app, &format!("SELECT coalesce(sum(months[{month}]), 0) AS n FROM member_presence WHERE member_id = '{member}' AND year = {year}")).await
}

async fn move_activity(who: &As<'_>, activity: &str, body: serde_json::Value) {
    let response = who.patch_json(&format!("/api/v1/activities/{activity}"), Some("*"), &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

async fn participation(who: &As<'_>, unit: &str, from: &str, to: &str) -> serde_json::Value {
    kpis(who, &format!("unit={unit}&from={from}&to={to}")).await["unit"]["engagement"]["participation"].clone()
}

#[tokio::test]
async fn presence_aggregates_equal_a_recount_after_every_kind_of_change() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Đồng Tháp").await;
    let commune = app.unit(&province, "commune", "Xã Tân Mỹ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Mỹ").await;
    let old = "2015-03-08";
    let (a, b, c) = (
        member(&admin, &branch, "An", old, json!({})).await,
        member(&admin, &branch, "Bình", old, json!({})).await,
        member(&admin, &branch, "Cúc", old, json!({})).await,
    );
    member(&admin, &branch, "Dung", old, json!({})).await;

    let december = meeting(&admin, &branch, "2025-12-20").await;
    roster(&admin, &december, &[&a, &b], &[&c]).await;
    assert_no_drift(&app, "a roster").await;
    assert_eq!(months_of(&app, &a, 2025, 12).await, 1);
    let january = meeting(&admin, &branch, "2026-01-10").await;
    roster(&admin, &january, &[&a, &c], &[&b]).await;
    // Corrected: An was absent in December after all, Cúc present.
    roster(&admin, &december, &[&b, &c], &[&a]).await;
    assert_no_drift(&app, "a corrected roster").await;
    assert_eq!(months_of(&app, &a, 2025, 12).await, 0);

    // January's meeting really took place in November: the presences move month and year.
    move_activity(&admin, &january, json!({"starts_at": "2025-11-15T08:00:00+07:00"})).await;
    assert_no_drift(&app, "an activity moved to another year").await;
    assert_eq!((months_of(&app, &a, 2026, 1).await, months_of(&app, &a, 2025, 11).await), (0, 1));
    move_activity(&admin, &january, json!({"status": "cancelled"})).await;
    assert_no_drift(&app, "a cancellation").await;
    assert_eq!(months_of(&app, &a, 2025, 11).await, 0, "a cancelled activity counts nobody");
    move_activity(&admin, &january, json!({"status": "held"})).await;
    assert_no_drift(&app, "held again").await;

    // Two rosters written at once touch the same members' rows.
    let (one, two) = (meeting(&admin, &branch, "2025-10-05").await, meeting(&admin, &branch, "2025-10-25").await);
    let (everyone, two_of_them, cuc) = ([a.as_str(), &b, &c], [a.as_str(), &b], [c.as_str()]);
    tokio::join!(roster(&admin, &one, &everyone, &[]), roster(&admin, &two, &two_of_them, &cuc));
    assert_no_drift(&app, "concurrent rosters").await;
    assert_eq!(months_of(&app, &a, 2025, 10).await, 2);

    // Whole months come from the aggregates; days outside them from the rosters. November
    // (moved meeting): An and Cúc; December: Bình and Cúc; Dung never came.
    let ratio = |n: i64, d: i64, p: f64| json!({"numerator": n, "denominator": d, "percent": p});
    assert_eq!(participation(&admin, &branch, "2025-11-01", "2025-12-31").await, ratio(3, 4, 75.0));
    assert_eq!(participation(&admin, &branch, "2025-12-15", "2025-12-31").await, ratio(2, 4, 50.0));
    assert_eq!(participation(&admin, &branch, "2025-11-10", "2025-12-05").await, ratio(2, 4, 50.0));
    assert_eq!(participation(&admin, &commune, "2025-10-06", "2025-12-31").await, ratio(3, 4, 75.0));
}

/// Rosters of several meetings of one branch written at once by many phones (the same members'
/// presence rows): none fails — they deadlocked when each took those rows in hash order (a 500,
/// found by bench/workloads.sh) — and the aggregates still equal the recount.
#[tokio::test]
async fn many_rosters_of_one_branch_at_once_neither_deadlock_nor_drift() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Bến Tre").await;
    let commune = app.unit(&province, "commune", "Xã Phú Túc").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Phú").await;
    let mut people = Vec::new();
    for i in 0..40 {
        let given = ["An", "Bình", "Cúc", "Dung", "Hoa", "Lan", "Mai", "Nga", "Thu", "Yến"][i % 10];
        let given = format!("{given} {}", char::from(b'A' + u8::try_from(i / 10).unwrap()));
        people.push(member(&admin, &branch, &given, "2015-03-08", json!({})).await);
    }
    let mut meetings = Vec::new();
    for day in ["2025-09-06", "2025-09-20", "2025-10-04", "2025-10-18"] {
        meetings.push(meeting(&admin, &branch, day).await);
    }
    let send = |k: usize| {
        let meeting = &meetings[k % meetings.len()];
        // Each version leaves out a different handful: different rows change each time.
        let entries: Vec<serde_json::Value> = people
            .iter()
            .enumerate()
            .map(|(i, m)| json!({"member_id": m, "status": if (i + k).is_multiple_of(7) { "absent" } else { "present" }}))
            .collect();
        admin
            .request(reqwest::Method::PUT, &format!("/api/v1/activities/{meeting}/attendance"))
            .json(&json!({"entries": entries}))
            .send()
    };
    for wave in 0..3 {
        let answers = futures_util::future::join_all((0..16).map(|k| send(wave * 16 + k))).await;
        for answer in answers {
            let answer = answer.unwrap();
            assert_eq!(answer.status(), StatusCode::OK, "{}", answer.text().await.unwrap());
        }
    }
    assert_no_drift(&app, "many concurrent rosters").await;
}
