//! Honorary members (hội viên danh dự) are in no ratio: not in a meeting's attendance rate, not
//! in the KPI `meeting_attendance`, not in the three-haves attendance rate, and not among the
//! households supported.

use serde_json::{Value, json};

use crate::activities::meeting;
use crate::helpers::{ROOT_UNIT, spawn_app};
use crate::reports::{kpis, member, roster};

#[tokio::test]
async fn honorary_members_count_in_no_attendance_ratio() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let commune = app.unit(ROOT_UNIT, "commune", "Xã Thử Danh Dự").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Một").await;
    let lan = member(&admin, &branch, "Lan", "2020-01-10", json!({})).await;
    let hoa = member(&admin, &branch, "Hoa", "2020-01-10", json!({})).await;
    let ong = member(&admin, &branch, "Bình", "2020-01-10", json!({"member_type": "honorary", "sex": "male"})).await;
    let june = meeting(&admin, &branch, "2025-06-15").await;
    roster(&admin, &june, &[&lan, &ong], &[&hoa]).await;

    // The meeting expects the two regular members; of them one came.
    let activity: Value = admin.get(&format!("/api/v1/activities/{june}")).await.json().await.unwrap();
    assert_eq!(activity["expected"], 2);
    assert_eq!(activity["attendance"]["present"], 2, "everyone in the room");
    assert_eq!(activity["attendance"]["honorary_present"], 1);
    assert_eq!(activity["attendance"]["rate_percent"], 50.0);
    let sheet: Value = admin.get(&format!("/api/v1/activities/{june}/attendance")).await.json().await.unwrap();
    assert_eq!(sheet["summary"]["rate_percent"], 50.0, "{sheet}");

    let report = kpis(&admin, &format!("unit={branch}&period=2025-06")).await;
    let figures = &report["unit"];
    let attendance = &figures["engagement"]["meeting_attendance"];
    assert_eq!((attendance["numerator"].as_i64(), attendance["denominator"].as_i64()), (Some(1), Some(2)), "{figures}");
    assert_eq!(attendance["percent"], 50.0);
    assert_eq!(figures["engagement"]["participation"]["numerator"], 1, "Lan only");

    let haves: Value = admin
        .get(&format!("/api/v1/org-units/{commune}/three-haves?from=2025-06&to=2025-06"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(haves["items"][0]["months"][0]["attendance_rate_percent"], 50.0, "{haves}");

    // Support to the honorary member is money given, but no household of the union's count.
    for (who, amount) in [(&lan, 2_000_000), (&ong, 3_000_000)] {
        admin
            .create(
                "/api/v1/support",
                &json!({"member_id": who, "kind": "grant", "amount_vnd": amount, "source": "union_fund",
                        "given_on": "2025-06-20"}),
            )
            .await;
    }
    let report = kpis(&admin, &format!("unit={branch}&period=2025-06")).await;
    let figures = &report["unit"];
    assert_eq!(figures["support"]["households"], 1, "{}", figures["support"]);
    assert_eq!(figures["support"]["entries"], 2);
    assert_eq!(figures["support"]["amount_vnd"], 5_000_000);
}
