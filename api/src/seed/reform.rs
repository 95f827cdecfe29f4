//! Demo data after the 2025 reform: the merged xã Hưng Nhượng and what happened there since
//! (clearly marked demo data).

use super::date;
use super::people::{Dice, FAMILY, GIVEN, MIDDLE, People};
use crate::http::ApiError;
use crate::members::queries;
use crate::members::validate::search_key;
use crate::org_units::queries as units;
use crate::schema::{member_needs, members, org_unit_population, positions, prospects};
use crate::text::collate::person_sort_key;
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::HashMap;
use uuid::Uuid;

/// Women aged 18+ living in each branch's hamlet, as the commune counted them.
const POPULATION: &[(&str, i32, i32)] =
    &[("ap-ray", 84, 83), ("ap-binh-thanh", 71, 72), ("ap-tan-phu", 66, 64), ("ap-an-loi", 63, 63)];

/// After the reform: positions, population figures, prospects, a transfer, a departure.
pub async fn after_reform(
    conn: &mut AsyncPgConnection,
    ids: &HashMap<&'static str, Uuid>,
    people: &People,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut dice = Dice::new(20_250_701); // the reform
    for (key, before, after) in POPULATION {
        for (year, women) in [(2024, before), (2025, after)] {
            diesel::insert_into(org_unit_population::table)
                .values((
                    org_unit_population::unit_id.eq(ids[key]),
                    org_unit_population::as_of.eq(date(year, 1, 1)),
                    org_unit_population::women_18_plus.eq(women),
                    org_unit_population::source.eq("Thống kê của ấp / Hamlet statistics"),
                ))
                .execute(conn)
                .await?;
        }
    }
    // The communes counted too: old Hưng Lễ before the reform, the new Hưng Nhượng after it.
    for (key, as_of, women) in [("hung-le", date(2024, 1, 1), 155), ("hung-nhuong", date(2025, 7, 1), 282)] {
        diesel::insert_into(org_unit_population::table)
            .values((
                org_unit_population::unit_id.eq(ids[key]),
                org_unit_population::as_of.eq(as_of),
                org_unit_population::women_18_plus.eq(women),
                org_unit_population::source.eq("Thống kê của xã / Commune statistics"),
            ))
            .execute(conn)
            .await?;
    }
    for (unit, holder, kind) in [
        ("hung-nhuong", "ap-ray-to-1", "chair"),
        ("hung-nhuong", "ap-binh-thanh", "vice_chair"),
        ("ap-ray", "ap-ray-to-2", "branch_head"),
        ("ap-binh-thanh", "ap-binh-thanh", "branch_head"),
        ("ap-tan-phu", "ap-tan-phu", "branch_head"),
        ("ap-an-loi", "ap-an-loi", "branch_head"),
    ] {
        let member = people.nth(holder, 0)?;
        diesel::insert_into(positions::table)
            .values((
                positions::id.eq(Uuid::now_v7()),
                positions::unit_id.eq(ids[unit]),
                positions::member_id.eq(member),
                positions::kind.eq(kind),
                positions::started_on.eq(date(2025, 7, 1)),
            ))
            .execute(conn)
            .await?;
    }
    // "1+1" recruits: women of ấp Rẫy each assigned to a member who will bring her in.
    let ray = units::find(conn, ids["ap-ray"]).await?.ok_or(ApiError::NotFound)?;
    for i in 0..8 {
        let (family, middle, given) = (dice.pick(&FAMILY), dice.pick(&MIDDLE), dice.pick(&GIVEN));
        diesel::insert_into(prospects::table)
            .values((
                prospects::id.eq(Uuid::now_v7()),
                prospects::family_name.eq(family),
                prospects::middle_name.eq(middle),
                prospects::given_name.eq(given),
                prospects::search_key.eq(search_key(family, middle, given)),
                prospects::sort_key.eq(person_sort_key(family, middle, given)),
                prospects::birth_year.eq(i16::try_from(1985 + i * 2).unwrap_or(1990)),
                prospects::address.eq("Ấp Rẫy"),
                prospects::unit_id.eq(ray.id),
                prospects::unit_path.eq(ray.path.clone()),
                prospects::assigned_member_id.eq(people.nth("ap-ray-to-1", 1 + i % 4)?),
            ))
            .execute(conn)
            .await?;
    }
    // A member of Tân Phú follows her family to Lương Thiện: pending.
    let mover = people.nth("ap-tan-phu", 1)?;
    let destination = units::find(conn, ids["ap-luong-thien"]).await?.ok_or(ApiError::NotFound)?;
    diesel::insert_into(crate::schema::member_transfers::table)
        .values((
            crate::schema::member_transfers::id.eq(Uuid::now_v7()),
            crate::schema::member_transfers::member_id.eq(mover),
            crate::schema::member_transfers::from_unit_id.eq(ids["ap-tan-phu"]),
            crate::schema::member_transfers::to_unit_id.eq(destination.id),
            crate::schema::member_transfers::to_unit_path.eq(destination.path.clone()),
            crate::schema::member_transfers::requested_on.eq(today - Duration::days(5)),
            crate::schema::member_transfers::reason.eq("Theo gia đình / Moves with her family"),
        ))
        .execute(conn)
        .await?;
    diesel::update(members::table.find(mover)).set(members::status.eq("transferring")).execute(conn).await?;
    // The sponsor story of the article: a single mother of ấp Rẫy needs capital for a cow.
    diesel::insert_into(member_needs::table)
        .values((
            member_needs::id.eq(Uuid::now_v7()),
            member_needs::member_id.eq(people.nth("ap-ray-to-1", 3)?),
            member_needs::kind.eq("capital"),
            member_needs::description.eq("Vay 10 triệu đồng nuôi bò sinh sản / 10 million VND for a breeding cow"),
            member_needs::verified_on.eq(today - Duration::days(12)),
        ))
        .execute(conn)
        .await?;
    // One member of An Lợi left to work in Bình Dương: no longer counted from that day.
    let leaver = people.nth("ap-an-loi", 2)?;
    let left_on = date(2025, 9, 15);
    queries::end_placement(conn, leaver, left_on).await?;
    queries::record_event(conn, leaver, "leave", left_on, "Đi làm ăn xa / Works far away", None, None, None, None)
        .await?;
    diesel::update(members::table.find(leaver)).set(members::status.eq("left")).execute(conn).await?;
    Ok(())
}
