//! Demo "3 có": 18 months of monthly meetings with realistic attendance (a few members drifting
//! away, one branch skipping months), thematic and online sessions, the branch funds with fees
//! and spending, fee schedules and payments, pioneers, and the branches' Zalo groups.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::date;
use super::people::Dice;
use crate::http::ApiError;
use crate::members::queries::placed_on;
use crate::org_units::lineage::members_on;
use crate::schema::{
    activities, activity_pledges, attendance, fee_payments, fee_schedules, fund_entries, members, org_units,
    pioneer_designations, unit_channels,
};

/// Branches with meetings, and every how many months they skip one (0: never).
const BRANCHES: &[(&str, u32)] =
    &[("ap-ray", 0), ("ap-binh-thanh", 0), ("ap-tan-phu", 7), ("ap-an-loi", 4), ("ap-luong-thien", 0)];

fn at_8am(day: NaiveDate) -> chrono::DateTime<Utc> {
    // 08:00 in Vietnam is 01:00 UTC.
    Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default()))
}

#[allow(clippy::too_many_arguments)]
async fn activity(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    path: &diesel_ltree::Ltree,
    kind: &str,
    day: NaiveDate,
    title: &str,
    topic: &str,
    expected: i32,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    diesel::insert_into(activities::table)
        .values((
            activities::id.eq(id),
            activities::unit_id.eq(unit),
            activities::unit_path.eq(path),
            activities::kind.eq(kind),
            activities::starts_at.eq(at_8am(day)),
            activities::held_on.eq(day),
            activities::title.eq(title),
            activities::topic.eq(topic),
            activities::location.eq("Nhà văn hóa ấp"),
            activities::expected.eq(expected),
            activities::attendance_recorded_at.eq(Some(at_8am(day) + chrono::Duration::hours(2))),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

const TOPICS: [&str; 6] = [
    "Phòng chống bạo lực gia đình / Preventing domestic violence",
    "Chăm sóc sức khỏe sinh sản / Reproductive health",
    "Xây dựng nông thôn mới nâng cao / Advanced new rural area",
    "Vay vốn ưu đãi NHCSXH / Social Policy Bank loans",
    "An toàn thực phẩm / Food safety",
    "Chuyển đổi số cho hội viên / Digital skills",
];

pub async fn load(
    conn: &mut AsyncPgConnection,
    ids: &HashMap<&'static str, Uuid>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut dice = Dice::new(20_260_101); // the year of the scorecards
    let first_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today) - Months::new(17);
    // A few members drift away: present until half a year ago, then never.
    let all: Vec<Uuid> = members::table
        .filter(members::status.eq("active"))
        .select(members::id)
        .order(members::id.asc())
        .load(conn)
        .await?;
    let drifting: HashSet<Uuid> = all.iter().copied().filter(|_| dice.chance(7)).collect();
    let drift_from = today - Days::new(130);
    for (key, skip_every) in BRANCHES {
        let unit = ids[key];
        let path: diesel_ltree::Ltree = org_units::table.find(unit).select(org_units::path).first(conn).await?;
        // What was in the fund before the demo starts.
        fund_entry(
            conn,
            unit,
            "income",
            "other_income",
            300_000,
            first_month - Days::new(1),
            "Số dư chuyển sang / Balance carried over",
        )
        .await?;
        for n in 0..18 {
            let month = first_month + Months::new(n);
            if *skip_every > 0 && n % skip_every == skip_every - 1 {
                continue;
            }
            let day = month + Days::new(9);
            if day > today {
                break;
            }
            let placed: Vec<Uuid> = placed_on(conn, unit, day).await?;
            if placed.is_empty() {
                continue;
            }
            let expected = i32::try_from(members_on(conn, unit, day).await?.0).unwrap_or(0);
            let topic = TOPICS[usize::try_from(n).unwrap_or(0) % TOPICS.len()];
            let title = format!("Sinh hoạt tháng {}/{}", month.month(), month.year());
            let meeting = activity(conn, unit, &path, "monthly_meeting", day, &title, topic, expected).await?;
            for member in placed {
                let status = if drifting.contains(&member) && day >= drift_from {
                    "absent"
                } else {
                    match dice.below(100) {
                        0..=83 => "present",
                        84..=92 => "excused",
                        _ => "absent",
                    }
                };
                diesel::insert_into(attendance::table)
                    .values((
                        attendance::id.eq(Uuid::now_v7()),
                        attendance::activity_id.eq(meeting),
                        attendance::member_id.eq(member),
                        attendance::status.eq(status),
                    ))
                    .execute(conn)
                    .await?;
            }
            if n % 3 == 1 {
                diesel::insert_into(activity_pledges::table)
                    .values((
                        activity_pledges::id.eq(Uuid::now_v7()),
                        activity_pledges::activity_id.eq(meeting),
                        activity_pledges::description.eq("Nước uống và bánh / Drinks and cakes"),
                        activity_pledges::pledged_by.eq("Hội viên tiên phong / Pioneer members"),
                        activity_pledges::value_vnd.eq(Some(200_000_i64)),
                    ))
                    .execute(conn)
                    .await?;
            }
            let fees = 2_000 * i64::from(expected);
            fund_entry(
                conn,
                unit,
                "income",
                "fees",
                fees,
                day,
                &format!("Hội phí tháng {}/{}", month.month(), month.year()),
            )
            .await?;
            let spent = 150_000 + 10_000 * i64::try_from(dice.below(10)).unwrap_or(0);
            fund_entry(conn, unit, "spending", "activity", spent, day, "Chi buổi sinh hoạt / Meeting costs").await?;
            if n % 6 == 2 {
                activity(
                    conn,
                    unit,
                    &path,
                    "vocational_class",
                    day + Days::new(5),
                    "Lớp may công nghiệp",
                    "Dạy nghề may",
                    expected / 3,
                )
                .await?;
            }
        }
        diesel::insert_into(unit_channels::table)
            .values((
                unit_channels::id.eq(Uuid::now_v7()),
                unit_channels::unit_id.eq(unit),
                unit_channels::platform.eq("zalo"),
                unit_channels::name.eq(format!("Phụ nữ {key} (DEMO)")),
                unit_channels::url.eq(format!("https://zalo.me/g/demo-{key}")),
            ))
            .execute(conn)
            .await?;
    }
    // An online session of ấp Rẫy on Zalo, the article's remedy.
    let ray_path: diesel_ltree::Ltree =
        org_units::table.find(ids["ap-ray"]).select(org_units::path).first(conn).await?;
    let online_day = today - Days::new(20);
    let expected = i32::try_from(members_on(conn, ids["ap-ray"], online_day).await?.0).unwrap_or(0);
    activity(
        conn,
        ids["ap-ray"],
        &ray_path,
        "online_session",
        online_day,
        "Sinh hoạt trực tuyến qua Zalo",
        "Hỏi đáp pháp luật",
        expected,
    )
    .await?;
    // Fee schedules: the province sets them per year.
    for year in [today.year() - 1, today.year()] {
        diesel::insert_into(fee_schedules::table)
            .values((
                fee_schedules::id.eq(Uuid::now_v7()),
                fee_schedules::unit_id.eq(ids["vinh-long"]),
                fee_schedules::year.eq(year),
                fee_schedules::period.eq("month"),
                fee_schedules::amount_vnd.eq(2_000_i64),
                fee_schedules::notes.eq("Theo hướng dẫn của Trung ương Hội / As the central union guides"),
            ))
            .execute(conn)
            .await?;
    }
    // Fee payments this year: most pay every month, some are behind.
    let payers: Vec<(Uuid, Uuid, diesel_ltree::Ltree)> = members::table
        .filter(members::status.eq("active"))
        .filter(members::member_type.eq("regular"))
        .select((members::id, members::unit_id, members::unit_path))
        .order(members::id.asc())
        .load(conn)
        .await?;
    for (member, unit, path) in payers {
        let behind = dice.below(5) == 0 || drifting.contains(&member);
        for month in 1..=today.month() {
            if behind && month + 2 > today.month() {
                break;
            }
            diesel::insert_into(fee_payments::table)
                .values((
                    fee_payments::id.eq(Uuid::now_v7()),
                    fee_payments::member_id.eq(member),
                    fee_payments::unit_id.eq(unit),
                    fee_payments::unit_path.eq(&path),
                    fee_payments::year.eq(today.year()),
                    fee_payments::period.eq("month"),
                    fee_payments::period_no.eq(i32::try_from(month).unwrap_or(1)),
                    fee_payments::amount_vnd.eq(2_000_i64),
                    fee_payments::paid_on.eq(date(today.year(), month, 10).min(today)),
                ))
                .execute(conn)
                .await?;
        }
    }
    // Pioneers: the members flagged as pioneers, since the model began.
    let pioneers: Vec<(Uuid, Uuid, diesel_ltree::Ltree, NaiveDate)> = members::table
        .filter(members::pioneer.eq(true))
        .select((members::id, members::unit_id, members::unit_path, members::joined_on))
        .load(conn)
        .await?;
    for (member, unit, path, joined) in pioneers {
        diesel::insert_into(pioneer_designations::table)
            .values((
                pioneer_designations::id.eq(Uuid::now_v7()),
                pioneer_designations::member_id.eq(member),
                pioneer_designations::unit_id.eq(unit),
                pioneer_designations::unit_path.eq(path),
                pioneer_designations::from_on.eq(joined.max(date(2024, 7, 18))),
                pioneer_designations::reason.eq("Đi đầu trong phong trào của chi hội / Leads the branch's movements"),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn fund_entry(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    direction: &str,
    category: &str,
    amount: i64,
    day: NaiveDate,
    description: &str,
) -> Result<(), ApiError> {
    if amount <= 0 {
        return Ok(());
    }
    diesel::insert_into(fund_entries::table)
        .values((
            fund_entries::id.eq(Uuid::now_v7()),
            fund_entries::unit_id.eq(unit),
            fund_entries::direction.eq(direction),
            fund_entries::category.eq(category),
            fund_entries::amount_vnd.eq(amount),
            fund_entries::entry_on.eq(day),
            fund_entries::description.eq(description),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
