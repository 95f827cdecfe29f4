//! Yearly ratings of branches and communes (xếp loại) on a scale set per province (or root) and
//! year, entered by the officers above the unit, with a rating suggested from the scorecard. A
//! rating that rises achieves the unit's active branch-twin pairs.

use actix_web::{HttpResponse, get, put, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text as SqlText};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::LtreeExtensions;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::report_unit;
use super::period::Period;
use super::scorecard::scorecards;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::org_units::access::visible_unit;
use crate::org_units::models::OrgUnitRow;
use crate::org_units::queries;
use crate::schema::{org_units, pairs, rating_scales as s, unit_ratings as r};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// A rating scale: levels from best to worst.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"levels": ["xuat_sac", "vung_manh", "kha", "trung_binh", "yeu"]}))]
pub struct RatingScale {
    /// 2–10 level codes, best first (e.g. xuất sắc, vững mạnh, khá, trung bình, yếu).
    #[schema(min_items = 2, max_items = 10)]
    pub levels: Vec<String>,
}

/// A unit's rating for a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000a001", "year": 2025, "rating": "vung_manh",
    "suggested": "kha", "reason": "Hoàn thành các chỉ tiêu", "scale": ["xuat_sac", "vung_manh", "kha", "trung_binh", "yeu"],
    "previous": "kha", "improved": true}))]
pub struct UnitRating {
    /// The unit.
    pub unit_id: Uuid,
    /// Năm.
    pub year: i32,
    /// The rating given; `null` if none yet.
    pub rating: Option<String>,
    /// Đề xuất: derived from the scorecard of the year (criteria met of 6, across the unit's
    /// branches), mapped onto the scale.
    pub suggested: Option<String>,
    /// Why this rating.
    pub reason: String,
    /// The scale that applies (best first).
    pub scale: Vec<String>,
    /// Last year's rating.
    pub previous: Option<String>,
    /// Better than last year.
    pub improved: bool,
}

/// Rating a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": "vung_manh", "reason": "Hoàn thành các chỉ tiêu"}))]
pub struct NewRating {
    /// One of the applying scale's levels.
    pub rating: String,
    /// Why (required when it differs from the suggestion).
    #[serde(default)]
    pub reason: String,
}

#[derive(QueryableByName)]
struct Levels {
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Nullable<SqlText>>)]
    levels: Vec<Option<String>>,
}

/// The scale of the nearest unit above (or the unit itself) with one for the year.
async fn scale(conn: &mut AsyncPgConnection, path: &str, year: i32) -> Result<Option<Vec<String>>, ApiError> {
    let found: Option<Levels> = crate::db::prepared(
        "SELECT s.levels FROM rating_scales s JOIN org_units u ON u.id = s.unit_id
         WHERE s.year = $2 AND $1::ltree <@ u.path ORDER BY nlevel(u.path) DESC LIMIT 1",
    )
    .bind::<SqlText, _>(path)
    .bind::<Integer, _>(year)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|l| l.levels.into_iter().flatten().collect()))
}

/// The suggested level: criteria met (of 6) averaged over the unit's branches, mapped onto the scale.
async fn suggestion(
    conn: &mut AsyncPgConnection,
    unit: &OrgUnitRow,
    year: i32,
    levels: &[String],
) -> Result<Option<String>, ApiError> {
    let Some(period) = Period::parse(&year.to_string()) else { return Ok(None) };
    let to = period.to.min(today_in_vietnam(Utc::now()));
    let period = Period { to, ..period };
    let branches: Vec<(Uuid, String, diesel_ltree::Ltree)> = org_units::table
        .filter(org_units::path.contained_by(unit.path.clone()))
        .filter(org_units::level.eq("branch"))
        .filter(org_units::valid_to.is_null())
        .select((org_units::id, org_units::name, org_units::path))
        .order(org_units::name.asc())
        .limit(200)
        .load(conn)
        .await?;
    if branches.is_empty() || period.from > period.to {
        return Ok(None);
    }
    let (cards, _, _) = scorecards(conn, branches, &period).await?;
    let met: f64 = cards.iter().map(|c| c.criteria_met as f64).sum::<f64>() / cards.len() as f64;
    let worst = (levels.len() - 1) as f64;
    let index = ((6.0 - met) / 6.0 * worst).round() as usize;
    Ok(levels.get(index.min(levels.len() - 1)).cloned())
}

async fn rating_of(conn: &mut AsyncPgConnection, unit: Uuid, year: i32) -> Result<Option<(String, String)>, ApiError> {
    Ok(r::table
        .filter(r::unit_id.eq(unit))
        .filter(r::year.eq(year))
        .select((r::rating, r::reason))
        .first(conn)
        .await
        .optional()?)
}

async fn view(conn: &mut AsyncPgConnection, unit: &OrgUnitRow, year: i32) -> Result<UnitRating, ApiError> {
    let levels = scale(conn, &unit.path.0, year).await?.unwrap_or_default();
    let current = rating_of(conn, unit.id, year).await?;
    let previous = rating_of(conn, unit.id, year - 1).await?.map(|(rating, _)| rating);
    let rank = |level: &Option<String>| level.as_ref().and_then(|l| levels.iter().position(|x| x == l));
    let rating = current.as_ref().map(|(rating, _)| rating.clone());
    let improved = matches!((rank(&rating), rank(&previous)), (Some(now), Some(before)) if now < before);
    Ok(UnitRating {
        unit_id: unit.id,
        year,
        suggested: suggestion(conn, unit, year, &levels).await?,
        reason: current.map(|(_, reason)| reason).unwrap_or_default(),
        rating,
        scale: levels,
        previous,
        improved,
    })
}

fn check_year(year: i32) -> Result<(), ApiError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "year",
            "out_of_range",
            Text::new("Năm từ 2000 đến 2100.", "Between 2000 and 2100."),
        ))
    }
}

/// Set a rating scale
///
/// The levels for a unit's subtree and a year (replaces the unit's own scale for that year).
/// Needs `org_units:write` on the unit.
#[utoipa::path(tag = "reports", operation_id = "replace_org_unit_rating_scale", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id (usually a province)."), ("year" = i32, Path, description = "Năm.")),
    request_body = RatingScale,
    responses((status = 200, description = "The scale.", body = RatingScale),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[put("/org-units/{id}/rating-scales/{year}")]
pub async fn replace_org_unit_rating_scale(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    body: ApiJson<RatingScale>,
) -> Result<web::Json<RatingScale>, ApiError> {
    let (id, year) = path.into_inner();
    check_year(year)?;
    let input = body.into_inner();
    let ok = (2..=10).contains(&input.levels.len())
        && input.levels.iter().enumerate().all(|(i, l)| {
            (1..=40).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !input.levels[..i].contains(l)
        });
    if !ok {
        return Err(ApiError::invalid_field(
            "levels",
            "invalid_value",
            Text::new("Từ 2 đến 10 mức, mã a-z và _, không trùng.", "2 to 10 distinct codes of a-z and _."),
        ));
    }
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        let unit = visible_unit(conn, &caller, id, Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        diesel::insert_into(s::table)
            .values((s::id.eq(Uuid::now_v7()), s::unit_id.eq(unit.id), s::year.eq(year), s::levels.eq(&input.levels)))
            .on_conflict((s::unit_id, s::year))
            .do_update()
            .set((s::levels.eq(&input.levels), s::version.eq(s::version + 1), s::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
        caller
            .audit(conn, AuditEvent::new("rating_scale.set").unit(unit.id).details(serde_json::json!({"year": year})))
            .await
    })
    .await?;
    Ok(web::Json(input))
}

/// Get a unit's rating
///
/// The rating given for the year (if any), the suggestion from the scorecard, the scale and
/// last year's rating.
#[utoipa::path(tag = "reports", operation_id = "get_org_unit_rating", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ("year" = i32, Path, description = "Năm.")),
    responses((status = 200, description = "The rating.", body = UnitRating),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/ratings/{year}")]
pub async fn get_org_unit_rating(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<UnitRating>, ApiError> {
    let (id, year) = path.into_inner();
    check_year(year)?;
    let mut conn = state.pool.get().await?;
    let unit = report_unit(&mut conn, &caller, id).await?;
    Ok(web::Json(view(&mut conn, &unit, year).await?))
}

/// Rate a unit
///
/// By the officers above it (`org_units:write` on its parent). A reason is required when the
/// rating differs from the suggestion. If the rating is better than last year's, the unit's
/// active branch-twin pairs (where it is the helped branch) are achieved.
#[utoipa::path(tag = "reports", operation_id = "replace_org_unit_rating", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ("year" = i32, Path, description = "Năm.")),
    request_body = NewRating,
    responses((status = 200, description = "The rating.", body = UnitRating),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[put("/org-units/{id}/ratings/{year}")]
pub async fn replace_org_unit_rating(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    body: ApiJson<NewRating>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    check_year(year)?;
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let mut conn = state.pool.get().await?;
    let rating = in_transaction(&mut conn, async |conn| {
        let unit = report_unit(conn, &caller, id).await?;
        let parent = match unit.parent_id {
            Some(parent) => queries::find(conn, parent).await?.ok_or(ApiError::NotFound)?,
            None => return Err(ApiError::Forbidden),
        };
        caller.require(Permission::OrgUnitsWrite, &parent.path.0)?;
        let levels = scale(conn, &unit.path.0, year).await?.ok_or_else(|| {
            ApiError::invalid_parameter(
                "year",
                "no_scale",
                Text::new("Chưa có thang xếp loại cho năm này.", "No rating scale for this year."),
            )
        })?;
        if !levels.contains(&input.rating) {
            return Err(ApiError::invalid_field(
                "rating",
                "not_in_scale",
                Text::new("Không có mức này trong thang.", "Not a level of the scale."),
            ));
        }
        let suggested = suggestion(conn, &unit, year, &levels).await?;
        if suggested.as_ref() != Some(&input.rating) && reason.is_empty() {
            return Err(ApiError::invalid_field(
                "reason",
                "required",
                Text::new(
                    "Cần nêu lý do khi khác mức đề xuất.",
                    "A reason is required when it differs from the suggestion.",
                ),
            ));
        }
        diesel::insert_into(r::table)
            .values((
                r::id.eq(Uuid::now_v7()),
                r::unit_id.eq(unit.id),
                r::year.eq(year),
                r::rating.eq(&input.rating),
                r::suggested.eq(&suggested),
                r::reason.eq(&reason),
                r::rated_by.eq(caller.principal.user_id()),
            ))
            .on_conflict((r::unit_id, r::year))
            .do_update()
            .set((
                r::rating.eq(&input.rating),
                r::suggested.eq(&suggested),
                r::reason.eq(&reason),
                r::rated_by.eq(caller.principal.user_id()),
                r::version.eq(r::version + 1),
                r::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        let rating = view(conn, &unit, year).await?;
        if rating.improved {
            let outcome = format!(
                "Xếp loại tăng / Rating rose: {} → {} ({year})",
                rating.previous.clone().unwrap_or_default(),
                input.rating
            );
            diesel::update(
                pairs::table
                    .filter(pairs::kind.eq("branch_twin"))
                    .filter(pairs::status.eq("active"))
                    .filter(pairs::mentee_unit_id.eq(unit.id)),
            )
            .set((
                pairs::status.eq("achieved"),
                pairs::ended_on.eq(today),
                pairs::outcome.eq(outcome),
                pairs::version.eq(pairs::version + 1),
                pairs::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        }
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.rating")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .details(serde_json::json!({"year": year, "rating": input.rating})),
            )
            .await?;
        Ok(rating)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rating))
}
