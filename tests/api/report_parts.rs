//! A report of several units runs its three parts at once on three connections sharing one
//! snapshot when the pool has two to spare, and one after another otherwise: both give the
//! same figures. A member who came to activities in one commune and then moved to another
//! takes part in the province, not in either commune. Each unit's fee-paid ratio follows the
//! fee schedule that applies to it.

use serde_json::{Value, json};

use crate::activities::meeting;
use crate::helpers::{As, ROOT_UNIT, TestApp, spawn_app, spawn_app_on};
use crate::reports::{kpis, member, roster, transfer};

async fn province_report(who: &As<'_>, province: &str) -> Value {
    kpis(who, &format!("unit={province}&period=2025-Q4&group_by=child")).await
}

#[tokio::test]
async fn parts_at_once_and_one_after_another_give_the_same_figures() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh An Giang").await;
    let mut communes = Vec::new();
    for (name, present) in [("Xã Mỹ Hòa", 2), ("Xã Bình Long", 1)] {
        let commune = app.unit(&province, "commune", name).await;
        let branch = app.unit(&commune, "branch", &format!("Chi hội {name}")).await;
        let mut ids = Vec::new();
        for given in ["Lan", "Hoa", "Mai"] {
            ids.push(member(&admin, &branch, given, "2015-03-08", json!({})).await);
        }
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        for day in ["2025-10-05", "2025-11-05", "2025-12-05"] {
            let activity = meeting(&admin, &branch, day).await;
            roster(&admin, &activity, &refs[..present], &refs[present..]).await;
        }
        communes.push(commune);
    }
    let at_once = province_report(&admin, &province).await;

    // The same database behind a server whose pool has no connection to spare.
    let narrow = spawn_app_on(&app.database_url, |env| {
        env.insert("CHIHOI_DB_POOL_SIZE".into(), "1".into());
    })
    .await;
    let one_after_another = province_report(&narrow.with_token(&admin.token), &province).await;
    // Same figures at the same commit clock; each server computed its own (`computed_at`).
    assert_eq!(at_once["freshness"]["commit_clock"], one_after_another["freshness"]["commit_clock"]);
    let figures = |report: &Value| json!({"unit": report["unit"], "children": report["children"]});
    assert_eq!(figures(&at_once), figures(&one_after_another));

    // And the figures are the hand counts: 2 of 3 and 1 of 3 came; the others missed all three.
    let children = at_once["children"].as_array().unwrap();
    let participation: Vec<&Value> = children.iter().map(|c| &c["engagement"]["participation"]["numerator"]).collect();
    assert_eq!(participation, [&json!(1), &json!(2)], "Xã Bình Long, then Xã Mỹ Hòa");
    let absent: Vec<&Value> = children.iter().map(|c| &c["engagement"]["absent_three_running"]).collect();
    assert_eq!(absent, [&json!(2), &json!(1)]);
    assert_eq!(at_once["unit"]["engagement"]["participation"]["numerator"], 3);
    assert_eq!(
        at_once["unit"]["engagement"]["meeting_attendance"],
        json!({"numerator": 9, "denominator": 18, "percent": 50.0})
    );
}

/// Tỉnh An Giang with Xã Mỹ Hòa (branch ấp Một) and Xã Bình Long (branch ấp Hai).
struct Province {
    province: String,
    binh_long: String,
    first: String,
    second: String,
}

async fn province(app: &TestApp) -> Province {
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh An Giang").await;
    let my_hoa = app.unit(&province, "commune", "Xã Mỹ Hòa").await;
    let binh_long = app.unit(&province, "commune", "Xã Bình Long").await;
    let first = app.unit(&my_hoa, "branch", "Chi hội ấp Một").await;
    let second = app.unit(&binh_long, "branch", "Chi hội ấp Hai").await;
    Province { province, binh_long, first, second }
}

#[tokio::test]
async fn a_member_who_came_in_one_commune_and_moved_takes_part_in_the_province_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let Province { province, binh_long, first, second } = province(&app).await;
    let lan = member(&admin, &first, "Lan", "2015-03-08", json!({})).await;
    let hoa = member(&admin, &second, "Hoa", "2015-03-08", json!({})).await;
    // Lan comes to ấp Một in October and November, then moves to ấp Hai, where she misses
    // December's meeting; Hoa comes in December.
    for day in ["2025-10-05", "2025-11-05"] {
        let held = meeting(&admin, &first, day).await;
        roster(&admin, &held, &[&lan], &[]).await;
    }
    transfer(&admin, &lan, &second, "2025-11-20").await;
    let december = meeting(&admin, &second, "2025-12-05").await;
    roster(&admin, &december, &[&hoa], &[&lan]).await;

    // Whole months (read from the kept presences) and ragged days (read from the rosters).
    for period in ["period=2025-Q4", "from=2025-11-03&to=2025-12-20"] {
        let report = kpis(&admin, &format!("unit={province}&{period}&group_by=child")).await;
        let participation = |k: &Value| k["engagement"]["participation"].clone();
        assert_eq!(
            participation(&report["unit"]),
            json!({"numerator": 2, "denominator": 2, "percent": 100.0}),
            "{period}: both came to an activity of the province"
        );
        let children = report["children"].as_array().unwrap();
        assert_eq!(children[0]["unit_name"], "Xã Bình Long");
        assert_eq!(
            participation(&children[0]),
            json!({"numerator": 1, "denominator": 2, "percent": 50.0}),
            "{period}: Lan never came in Bình Long"
        );
        assert_eq!(children[1]["engagement"]["participation"]["denominator"], 0, "{period}: nobody left in Mỹ Hòa");
        let alone = kpis(&admin, &format!("unit={binh_long}&{period}")).await;
        assert_eq!(alone["unit"]["engagement"], children[0]["engagement"], "{period}: asked alone");
    }
}

#[tokio::test]
async fn each_unit_counts_fees_by_the_schedule_that_applies_to_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let Province { province, binh_long, first, second } = province(&app).await;
    let mut people = Vec::new();
    for (branch, given) in [(&first, "Lan"), (&first, "Hoa"), (&first, "Mai"), (&second, "Cúc"), (&second, "Đào")] {
        people.push(member(&admin, branch, given, "2015-03-08", json!({})).await);
    }
    // The province collects monthly; Bình Long has its own quarterly schedule.
    for (unit, period) in [(&province, "month"), (&binh_long, "quarter")] {
        admin
            .create(
                "/api/v1/fee-schedules",
                &json!({"unit_id": unit, "year": 2025, "period": period, "amount_vnd": 2000}),
            )
            .await;
    }
    // Lan and Hoa pay December (month 12); Cúc pays the fourth quarter.
    for (branch, period_no, paid) in [(&first, 12, &people[..2]), (&second, 4, &people[3..4])] {
        let body = json!({"unit_id": branch, "year": 2025, "period_no": period_no, "paid_on": "2025-12-10", "member_ids": paid});
        admin.create("/api/v1/fee-payments", &body).await;
    }

    let report = kpis(&admin, &format!("unit={province}&period=2025-Q4&group_by=child")).await;
    let fee_paid = |k: &Value| k["cards_and_fees"]["fee_paid"].clone();
    // The province and Mỹ Hòa count December's payments; Bình Long counts the quarter's.
    assert_eq!(fee_paid(&report["unit"]), json!({"numerator": 2, "denominator": 5, "percent": 40.0}));
    let children = report["children"].as_array().unwrap();
    assert_eq!(children[0]["unit_name"], "Xã Bình Long");
    assert_eq!(fee_paid(&children[0]), json!({"numerator": 1, "denominator": 2, "percent": 50.0}));
    assert_eq!(fee_paid(&children[1]), json!({"numerator": 2, "denominator": 3, "percent": 66.67}));
    let alone = kpis(&admin, &format!("unit={binh_long}&period=2025-Q4")).await;
    assert_eq!(fee_paid(&alone["unit"]), fee_paid(&children[0]));
}
