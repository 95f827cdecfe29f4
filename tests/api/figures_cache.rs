//! Figures kept between reads (reports/cache.rs): the same answer is served again while nothing
//! under it changes, and each kind of write a figure depends on — including tables no sync
//! client follows (support, population counts, settings, pairs, fees) — makes the next read
//! count it. The differential test (`figures::differential`) reads between every two writes of
//! its random histories as well.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, ROOT_UNIT, spawn_app};
use crate::reports::{kpis, member};

const YEAR: &str = "period=2025";

async fn figures(admin: &As<'_>, unit: &str) -> Value {
    kpis(admin, &format!("unit={unit}&{YEAR}")).await
}

/// Reads the figures twice (the second from memory), runs `write`, reads again: the figure at
/// `path` went from `before` to `after` and the commit clock moved.
async fn after_write(admin: &As<'_>, unit: &str, path: &str, before: Value, after: Value, write: impl AsyncFnOnce()) {
    let first = figures(admin, unit).await;
    let again = figures(admin, unit).await;
    assert_eq!(first, again, "nothing changed, the same answer (and the same freshness)");
    let at = |v: &Value| v["unit"].pointer(path).cloned().unwrap_or(Value::Null);
    assert_eq!(at(&first), before, "{path} before (null: absent): {first}");
    write().await;
    let next = figures(admin, unit).await;
    assert_eq!(at(&next), after, "{path} after the write: {next}");
    let clock = |v: &Value| v["freshness"]["commit_clock"].as_i64().unwrap();
    assert!(clock(&next) > clock(&first), "the commit clock moved: {} → {}", clock(&first), clock(&next));
}

#[tokio::test]
async fn kept_figures_never_outlive_a_write_they_depend_on() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Bộ Nhớ").await;
    let commune = app.unit(&province, "commune", "Xã Bộ Nhớ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Nhớ").await;
    let other = app.unit(&commune, "branch", "Chi hội ấp Quên").await;
    let an = member(&admin, &branch, "An", "2020-01-01", json!({})).await;
    let binh = member(&admin, &other, "Bình", "2020-01-01", json!({})).await;

    // A member (a synced table).
    after_write(&admin, &commune, "/members/end", json!(2), json!(3), async || {
        member(&admin, &branch, "Cúc", "2025-03-01", json!({})).await;
    })
    .await;
    // A count of women 18+ (no sync client follows it).
    after_write(&admin, &commune, "/coverage/women_18_plus", Value::Null, json!(40), async || {
        let body = json!({"as_of": "2024-12-31", "women_18_plus": 40});
        admin.create(&format!("/api/v1/org-units/{commune}/population"), &body).await;
    })
    .await;
    // A setting that shapes a figure.
    after_write(&admin, &commune, "/coverage/threshold_percent", json!(60), json!(75), async || {
        let body = json!({"key": "coverage.flag_below_percent", "value": 75});
        let set = admin.post_json("/api/v1/settings", &body).await;
        assert_eq!(set.status(), StatusCode::CREATED, "{}", set.text().await.unwrap());
    })
    .await;
    // Support to a household.
    after_write(&admin, &commune, "/support/entries", json!(0), json!(1), async || {
        let body = json!({"member_id": an, "kind": "grant", "amount_vnd": 500000, "source": "union_fund",
                          "given_on": "2025-05-10"});
        admin.create("/api/v1/support", &body).await;
    })
    .await;
    // A "1+1" pair of branches.
    after_write(&admin, &commune, "/pairs/active_by_kind/branch_twin", Value::Null, json!(1), async || {
        let body = json!({"kind": "branch_twin", "mentor_id": branch, "mentee_id": other, "started_on": "2025-02-01"});
        admin.create("/api/v1/pairs", &body).await;
    })
    .await;
    // A fee payment under a schedule.
    let schedule = json!({"unit_id": commune, "year": 2025, "period": "year", "amount_vnd": 12000});
    admin.create("/api/v1/fee-schedules", &schedule).await;
    after_write(&admin, &commune, "/cards_and_fees/fee_paid/numerator", json!(0), json!(1), async || {
        let body =
            json!({"unit_id": other, "year": 2025, "period_no": 1, "paid_on": "2025-03-03", "member_ids": [binh]});
        admin.create("/api/v1/fee-payments", &body).await;
    })
    .await;
    // A rename shows at once too (the unit's own row).
    after_write(&admin, &commune, "/unit_name", json!("Xã Bộ Nhớ"), json!("Xã Bộ Nhớ Mới"), async || {
        let today = chrono::Utc::now().date_naive().to_string();
        let body = json!({"name": "Xã Bộ Nhớ Mới", "effective_on": today});
        let renamed = admin.post_json(&format!("/api/v1/org-units/{commune}/rename"), &body).await;
        assert_eq!(renamed.status(), StatusCode::OK, "{}", renamed.text().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn a_kept_answer_says_when_it_was_computed_and_is_kept_apart_per_audience() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Bộ Nhớ").await;
    let commune = app.unit(&province, "commune", "Xã Bộ Nhớ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Nhớ").await;
    for given in ["An", "Bình", "Cúc"] {
        member(&admin, &branch, given, "2020-01-01", json!({})).await;
    }
    let first = figures(&admin, &commune).await;
    let computed_at = first["freshness"]["computed_at"].as_str().unwrap().to_owned();
    assert!(chrono::DateTime::parse_from_rfc3339(&computed_at).is_ok(), "{computed_at}");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(figures(&admin, &commune).await["freshness"]["computed_at"], computed_at.as_str());
    // A machine client of the province, asking the same: counts under 5 hidden, not the
    // person's answer from memory.
    let machine_token = app.machine_token(&province).await;
    let machine = app.with_token(&machine_token);
    let shown = kpis(&machine, &format!("unit={commune}&{YEAR}")).await;
    assert_eq!(first["unit"]["members"]["end"], 3);
    assert_eq!(shown["unit"]["members"]["end"], Value::Null, "{shown}");
    assert_eq!(shown["unit"]["suppressed"], true);
}

/// Kept figures are kept per unit and behind the same access check as fresh ones: after the
/// commune and one branch were read (and kept), the other branch's figures are its own, and a
/// branch head of the other branch still gets 404 for the kept branch and the commune.
#[tokio::test]
async fn kept_figures_are_per_unit_and_never_skip_the_access_check() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit(ROOT_UNIT, "province", "Tỉnh Bộ Nhớ").await;
    let commune = app.unit(&province, "commune", "Xã Bộ Nhớ").await;
    let branch = app.unit(&commune, "branch", "Chi hội ấp Nhớ").await;
    let other = app.unit(&commune, "branch", "Chi hội ấp Quên").await;
    for given in ["An", "Bình"] {
        member(&admin, &branch, given, "2020-01-01", json!({})).await;
    }
    member(&admin, &other, "Cúc", "2020-01-01", json!({})).await;
    let end = |v: &Value| v["unit"]["members"]["end"].clone();
    assert_eq!(end(&figures(&admin, &commune).await), json!(3));
    let kept = figures(&admin, &branch).await;
    assert_eq!(end(&kept), json!(2));
    assert_eq!(end(&figures(&admin, &other).await), json!(1), "the other branch, not a kept neighbour");
    assert_eq!(figures(&admin, &branch).await, kept, "the branch again, from memory");

    app.user_with_role("chi-hoi-quen", &other, "branch_head").await;
    let head = app.session("chi-hoi-quen").await;
    let head = app.with_token(&head.access_token);
    assert_eq!(end(&figures(&head, &other).await), json!(1));
    for unit in [&branch, &commune] {
        let hidden = head.get(&format!("/api/v1/reports/kpis?unit={unit}&{YEAR}")).await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "kept figures of {unit} reached a head of another branch");
    }
}
