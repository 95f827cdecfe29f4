//! Demo "1+1" pairs of every kind in several stages, and the support they brought: a sponsor's
//! loan that met a need, a household out of poverty, a cadre introduced to the Party (the
//! article's figure), recruits that joined and recruits still being visited.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::date;
use super::people::People;
use super::support::{Side, hardship, need, place_of, support};
use crate::http::ApiError;
use crate::schema::{member_needs, members, pair_checkins, pair_stage_events, pairs, positions, prospects};

/// A pair with its stage history; `closed` = (status, day, outcome).
#[allow(clippy::too_many_arguments)]
async fn pair(
    conn: &mut AsyncPgConnection,
    kind: &str,
    mentor: Side,
    mentee: Side,
    started_on: NaiveDate,
    goal: &str,
    stages: &[(&str, NaiveDate)],
    closed: Option<(&str, NaiveDate, &str)>,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    let owner = place_of(conn, mentee).await?;
    let mentor_place = place_of(conn, mentor).await?;
    let pick = |side: Side| match side {
        Side::Member(m) => (Some(m), None, None),
        Side::Prospect(p) => (None, Some(p), None),
        Side::Unit(u) => (None, None, Some(u)),
    };
    let (mentor_member, mentor_prospect, mentor_unit) = pick(mentor);
    let (mentee_member, mentee_prospect, mentee_unit) = pick(mentee);
    diesel::insert_into(pairs::table)
        .values((
            pairs::id.eq(id),
            pairs::kind.eq(kind),
            pairs::unit_id.eq(owner.id),
            pairs::unit_path.eq(owner.path),
            pairs::mentor_path.eq(mentor_place.path),
            pairs::mentor_member_id.eq(mentor_member),
            pairs::mentor_prospect_id.eq(mentor_prospect),
            pairs::mentor_unit_id.eq(mentor_unit),
            pairs::mentee_member_id.eq(mentee_member),
            pairs::mentee_prospect_id.eq(mentee_prospect),
            pairs::mentee_unit_id.eq(mentee_unit),
            pairs::started_on.eq(started_on),
            pairs::goal.eq(goal),
            pairs::stage.eq(stages.last().map(|(s, _)| (*s).to_owned())),
            pairs::status.eq(closed.map_or("active", |c| c.0)),
            pairs::ended_on.eq(closed.map(|c| c.1)),
            pairs::outcome.eq(closed.map_or("", |c| c.2)),
        ))
        .execute(conn)
        .await?;
    for (stage, day) in stages {
        diesel::insert_into(pair_stage_events::table)
            .values((
                pair_stage_events::id.eq(Uuid::now_v7()),
                pair_stage_events::pair_id.eq(id),
                pair_stage_events::stage.eq(*stage),
                pair_stage_events::reached_on.eq(*day),
            ))
            .execute(conn)
            .await?;
    }
    Ok(id)
}

async fn checkin(conn: &mut AsyncPgConnection, pair: Uuid, day: NaiveDate, note: &str) -> Result<(), ApiError> {
    diesel::insert_into(pair_checkins::table)
        .values((
            pair_checkins::id.eq(Uuid::now_v7()),
            pair_checkins::pair_id.eq(pair),
            pair_checkins::checked_on.eq(day),
            pair_checkins::note.eq(note),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn load(
    conn: &mut AsyncPgConnection,
    ids: &HashMap<&'static str, Uuid>,
    people: &People,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let head = people.nth("ap-ray-to-2", 0)?; // the branch head of ấp Rẫy, a Party member
    let leader_1 = people.nth("ap-ray-to-1", 1)?;
    let leader_2 = people.nth("ap-ray-to-2", 1)?;
    let cadre = people.nth("ap-binh-thanh", 1)?;
    diesel::update(members::table.filter(members::id.eq_any([head, people.nth("ap-binh-thanh", 0)?])))
        .set((members::party_member.eq(true), members::party_joined_on.eq(date(2008, 5, 19))))
        .execute(conn)
        .await?;
    diesel::update(members::table.find(cadre)).set(members::civil_servant.eq(true)).execute(conn).await?;
    for (unit, member) in [("ap-ray-to-1", leader_1), ("ap-ray-to-2", leader_2)] {
        diesel::insert_into(positions::table)
            .values((
                positions::id.eq(Uuid::now_v7()),
                positions::unit_id.eq(ids[unit]),
                positions::member_id.eq(member),
                positions::kind.eq("group_leader"),
                positions::started_on.eq(date(2024, 7, 18)),
            ))
            .execute(conn)
            .await?;
    }

    // Party nurture: one introduced (the article's count), one still being nurtured.
    let introduced = pair(
        conn,
        "party_nurture",
        Side::Member(head),
        Side::Member(leader_1),
        date(2024, 8, 1),
        "Giới thiệu tổ trưởng tổ 1 kết nạp Đảng / Introduce group leader 1 to the Party",
        &[("nurturing", date(2024, 8, 1)), ("introduced", date(2025, 11, 20))],
        None,
    )
    .await?;
    checkin(
        conn,
        introduced,
        date(2025, 11, 20),
        "Chi bộ ấp đã nhận hồ sơ giới thiệu / The hamlet Party cell received the file",
    )
    .await?;
    pair(
        conn,
        "party_nurture",
        Side::Member(people.nth("ap-binh-thanh", 0)?),
        Side::Member(cadre),
        date(2025, 9, 1),
        "Bồi dưỡng cán bộ công chức / Nurture a civil-servant member",
        &[("nurturing", date(2025, 9, 1))],
        None,
    )
    .await?;

    // Sponsor: a single mother of ấp Rẫy, her loan, and a household already out of poverty.
    let mother = people.nth("ap-ray-to-1", 3)?;
    hardship(conn, mother, "poor", "single_mother", today - Duration::days(12)).await?;
    let capital: Option<Uuid> = member_needs::table
        .filter(member_needs::member_id.eq(mother))
        .filter(member_needs::kind.eq("capital"))
        .select(member_needs::id)
        .first(conn)
        .await
        .optional()?;
    let sponsor = pair(
        conn,
        "sponsor",
        Side::Member(people.nth("ap-ray-to-2", 2)?),
        Side::Member(mother),
        date(2025, 8, 15),
        "Thoát nghèo trong năm 2026 / Out of poverty in 2026",
        &[],
        None,
    )
    .await?;
    checkin(conn, sponsor, date(2025, 10, 5), "Đã mua 2 con heo giống / Bought two piglets").await?;
    let loan_day = (today - Duration::days(10)).max(date(2025, 8, 15));
    support(
        conn,
        (
            mother,
            "capital_loan",
            Some(10_000_000),
            None,
            "",
            "sponsor_pair",
            "",
            loan_day,
            capital,
            Some(sponsor),
            None,
        ),
    )
    .await?;
    support(
        conn,
        (mother, "rice", None, Some(20), "kg", "donor", "Chùa Phước Long", date(2025, 9, 2), None, None, None),
    )
    .await?;
    let widow = people.nth("ap-ray-to-2", 4)?;
    hardship(conn, widow, "escaped_poverty", "widowed", date(2025, 12, 20)).await?;
    let vocational = need(conn, widow, "vocational_training", "Học nghề may / Sewing course", date(2025, 3, 1)).await?;
    let done = pair(
        conn,
        "sponsor",
        Side::Member(people.nth("ap-ray-to-1", 6)?),
        Side::Member(widow),
        date(2025, 2, 1),
        "Có nghề, có thu nhập ổn định / A trade and a stable income",
        &[],
        Some(("achieved", date(2025, 12, 20), "Thoát nghèo / Out of poverty")),
    )
    .await?;
    support(
        conn,
        (
            widow,
            "vocational_training",
            Some(3_500_000),
            Some(1),
            "khóa",
            "sponsor_pair",
            "",
            date(2025, 4, 1),
            Some(vocational),
            Some(done),
            Some(("stable_job", date(2025, 9, 1))),
        ),
    )
    .await?;
    support(
        conn,
        (
            widow,
            "livelihood_goods",
            None,
            Some(1),
            "máy may",
            "union_fund",
            "",
            date(2025, 6, 1),
            None,
            Some(done),
            Some(("out_of_poverty", date(2025, 12, 20))),
        ),
    )
    .await?;

    // Recruits: the prospects of ấp Rẫy are being visited by the members assigned to them.
    let open: Vec<(Uuid, Option<Uuid>)> = prospects::table
        .filter(prospects::unit_id.eq(ids["ap-ray"]))
        .select((prospects::id, prospects::assigned_member_id))
        .order(prospects::id.asc())
        .load(conn)
        .await?;
    for (i, (prospect, mentor)) in open.into_iter().enumerate().take(6) {
        if let Some(mentor) = mentor {
            let started = date(2025, 3 + u32::try_from(i).unwrap_or(0), 1);
            pair(
                conn,
                "recruit",
                Side::Member(mentor),
                Side::Prospect(prospect),
                started,
                "Vận động vào hội / Bring her in",
                &[],
                None,
            )
            .await?;
        }
    }

    // Branch twin and knowledge share.
    pair(
        conn,
        "branch_twin",
        Side::Unit(ids["ap-ray"]),
        Side::Unit(ids["ap-an-loi"]),
        date(2025, 8, 1),
        "Chi hội ấp An Lợi đạt loại khá / Raise An Lợi to a good rating",
        &[],
        None,
    )
    .await?;
    pair(
        conn,
        "knowledge_share",
        Side::Member(cadre),
        Side::Unit(ids["ap-tan-phu"]),
        date(2025, 9, 15),
        "Hướng dẫn chuyển đổi số cho chi hội / Digital skills for the branch",
        &[],
        None,
    )
    .await?;

    // Needs still open: next year's work.
    need(
        conn,
        people.nth("ap-ray-to-2", 3)?,
        "capital",
        "Vay vốn mở quán tạp hóa / A loan for a grocery stall",
        today - Duration::days(20),
    )
    .await?;

    // Other support of the year.
    for (branch, n, kind, amount, quantity, unit, source, detail) in [
        ("ap-binh-thanh", 5, "job", None, Some(1), "việc làm", "other", "Công ty may Giồng Trôm"),
        ("ap-an-loi", 4, "charity_house_repair", Some(30_000_000), None, "", "donor", "Mái ấm tình thương"),
        ("ap-tan-phu", 6, "health_insurance", Some(1_100_000), Some(2), "thẻ", "union_fund", ""),
        ("ap-ray-to-2", 7, "capital_loan", Some(50_000_000), None, "", "social_policy_bank", "Vốn ủy thác NHCSXH"),
    ] {
        let member = people.nth(branch, n)?;
        support(conn, (member, kind, amount, quantity, unit, source, detail, date(2025, 10, 10), None, None, None))
            .await?;
    }
    Ok(())
}
