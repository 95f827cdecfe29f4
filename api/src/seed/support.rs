//! Demo support and the sides of demo pairs: where a member, prospect or unit sits, the support
//! she was given, her needs and hardship (clearly marked demo data).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::http::ApiError;
use crate::members::queries as member_queries;
use crate::schema::{member_needs, member_profiles, prospects, support_entries};

/// A side of a demo pair.
#[derive(Clone, Copy)]
pub enum Side {
    Member(Uuid),
    Prospect(Uuid),
    Unit(Uuid),
}

pub struct Place {
    pub id: Uuid,
    pub path: diesel_ltree::Ltree,
}

pub async fn place_of(conn: &mut AsyncPgConnection, side: Side) -> Result<Place, ApiError> {
    Ok(match side {
        Side::Member(id) => {
            let m = member_queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
            Place { id: m.unit_id, path: m.unit_path }
        }
        Side::Prospect(id) => {
            let (unit, path) =
                prospects::table.find(id).select((prospects::unit_id, prospects::unit_path)).first(conn).await?;
            Place { id: unit, path }
        }
        Side::Unit(id) => {
            let u = crate::org_units::queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
            Place { id: u.id, path: u.path }
        }
    })
}

/// (member, kind, amount, quantity, unit, source, detail, day, need, pair, outcome)
pub type Support<'a> = (
    Uuid,
    &'a str,
    Option<i64>,
    Option<i32>,
    &'a str,
    &'a str,
    &'a str,
    NaiveDate,
    Option<Uuid>,
    Option<Uuid>,
    Option<(&'a str, NaiveDate)>,
);

pub async fn support(conn: &mut AsyncPgConnection, s: Support<'_>) -> Result<(), ApiError> {
    let (member, kind, amount, quantity, unit, source, detail, day, need, pair, outcome) = s;
    let place = place_of(conn, Side::Member(member)).await?;
    diesel::insert_into(support_entries::table)
        .values((
            support_entries::id.eq(Uuid::now_v7()),
            support_entries::member_id.eq(member),
            support_entries::unit_id.eq(place.id),
            support_entries::unit_path.eq(place.path),
            support_entries::kind.eq(kind),
            support_entries::amount_vnd.eq(amount),
            support_entries::quantity.eq(quantity),
            support_entries::quantity_unit.eq(unit),
            support_entries::source.eq(source),
            support_entries::source_detail.eq(detail),
            support_entries::given_on.eq(day),
            support_entries::need_id.eq(need),
            support_entries::pair_id.eq(pair),
            support_entries::outcome.eq(outcome.map(|o| o.0)),
            support_entries::outcome_on.eq(outcome.map(|o| o.1)),
        ))
        .execute(conn)
        .await?;
    if let Some(need) = need {
        crate::members::queries::mark_met(conn, need, day).await?;
    }
    Ok(())
}

pub async fn need(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    kind: &str,
    description: &str,
    day: NaiveDate,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    diesel::insert_into(member_needs::table)
        .values((
            member_needs::id.eq(id),
            member_needs::member_id.eq(member),
            member_needs::kind.eq(kind),
            member_needs::description.eq(description),
            member_needs::verified_on.eq(day),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn hardship(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    poverty: &str,
    tag: &str,
    day: NaiveDate,
) -> Result<(), ApiError> {
    diesel::insert_into(member_profiles::table)
        .values((
            member_profiles::member_id.eq(member),
            member_profiles::poverty_status.eq(poverty),
            member_profiles::circumstances.eq(vec![tag.to_owned()]),
            member_profiles::verified_on.eq(day),
        ))
        .on_conflict(member_profiles::member_id)
        .do_update()
        .set((member_profiles::poverty_status.eq(poverty), member_profiles::circumstances.eq(vec![tag.to_owned()])))
        .execute(conn)
        .await?;
    Ok(())
}
