//! Women aged 18 and over per unit and date (số phụ nữ từ 18 tuổi trở lên): the denominator of
//! coverage (tỷ lệ tập hợp), updated by commune officers from local statistics.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::visible_unit;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, IfMatch, Text, etag, precondition};
use crate::schema::org_unit_population as pop;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// A count of women aged 18+ in a unit on a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"org_unit_id": "0193a5c8-0000-7000-8000-00000000a001", "as_of": "2026-01-01", "women_18_plus": 412,
    "source": "Thống kê dân số ấp đầu năm", "version": 1, "recorded_at": "2026-01-05T08:00:00Z"}))]
pub struct Population {
    /// The unit.
    pub org_unit_id: Uuid,
    /// Day the count refers to.
    pub as_of: NaiveDate,
    /// Women aged 18 and over living in the unit's area.
    pub women_18_plus: i32,
    /// Where the figure comes from (nguồn số liệu).
    pub source: String,
    /// Version for `If-Match`.
    pub version: i32,
    /// When the figure was entered.
    pub recorded_at: DateTime<Utc>,
}

/// A count to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"as_of": "2026-01-01", "women_18_plus": 412, "source": "Thống kê dân số ấp đầu năm"}))]
pub struct NewPopulation {
    /// Day the figure refers to.
    pub as_of: NaiveDate,
    /// Số phụ nữ từ 18 tuổi / Women aged 18 or more living in the unit's area.
    #[schema(minimum = 0)]
    pub women_18_plus: i32,
    /// Nguồn số liệu / Where the figure comes from.
    #[serde(default)]
    pub source: String,
}

/// A corrected count.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"women_18_plus": 415}))]
pub struct PopulationPatch {
    /// Corrected number of women aged 18 or more.
    #[schema(minimum = 0)]
    pub women_18_plus: Option<i32>,
    /// Corrected source.
    pub source: Option<String>,
}

/// A count as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pop, check_for_backend(diesel::pg::Pg))]
struct Row {
    unit_id: Uuid,
    as_of: NaiveDate,
    women_18_plus: i32,
    source: String,
    version: i32,
    recorded_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> Population {
    Population {
        org_unit_id: r.unit_id,
        as_of: r.as_of,
        women_18_plus: r.women_18_plus,
        source: r.source,
        version: r.version,
        recorded_at: r.recorded_at,
    }
}

fn check(count: i32, day: Option<NaiveDate>) -> Result<(), ApiError> {
    if count < 0 {
        return Err(ApiError::invalid_field(
            "women_18_plus",
            "out_of_range",
            Text::new("Số lượng không thể âm.", "Cannot be negative."),
        ));
    }
    if day.is_some_and(|d| d > today_in_vietnam(Utc::now())) {
        return Err(ApiError::invalid_field(
            "as_of",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    Ok(())
}

/// List a unit's women-18+ counts
///
/// A unit's counts of women aged 18 and over (số phụ nữ từ 18 tuổi), each as of its date and
/// with its source: the denominator of coverage.
#[utoipa::path(tag = "org_units", operation_id = "list_org_unit_population", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")),
    responses((status = 200, description = "Counts, newest first (at most 200).", body = Vec<Population>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/population")]
pub async fn list_org_unit_population(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Population>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
    let rows: Vec<Row> = pop::table
        .filter(pop::unit_id.eq(unit.id))
        .select(Row::as_select())
        .order(pop::as_of.desc())
        .limit(200)
        .load(&mut conn)
        .await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Record a women-18+ count
///
/// Records a unit's count of women 18+ as of a date, with its source (the commune's statistics):
/// the denominator of coverage from then on.
#[utoipa::path(tag = "org_units", operation_id = "create_org_unit_population", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")), request_body = NewPopulation,
    responses((status = 201, description = "Recorded.", body = Population),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/population")]
pub async fn create_org_unit_population(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewPopulation>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    check(input.women_18_plus, Some(input.as_of))?;
    let source = bounded_text("source", &input.source, 200).map_err(|i| ApiError::Validation(vec![i]))?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        let row: Option<Row> = diesel::insert_into(pop::table)
            .values((
                pop::unit_id.eq(unit.id),
                pop::as_of.eq(input.as_of),
                pop::women_18_plus.eq(input.women_18_plus),
                pop::source.eq(&source),
                pop::recorded_by.eq(caller.principal.user_id()),
            ))
            .on_conflict_do_nothing()
            .returning(Row::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let row = row.ok_or_else(|| {
            ApiError::state_conflict(
                "population_exists",
                "Đã có số liệu cho ngày này; hãy sửa số liệu đó.",
                "A count for this date exists; correct it instead.",
            )
        })?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.population")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .fields(["women_18_plus"]),
            )
            .await?;
        let population = to_wire(row);
        Ok(StoredResponse::json(StatusCode::CREATED, &population)?.header(header::ETAG, etag(population.version)))
    })
    .await
}

/// Correct a women-18+ count
///
/// Corrects a recorded count of women 18+ (`If-Match` required); reports computed afterwards use
/// the corrected count.
#[utoipa::path(tag = "org_units", operation_id = "update_org_unit_population", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id."), ("as_of" = NaiveDate, Path, description = "Date of the count."),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = PopulationPatch,
    responses((status = 200, description = "Corrected.", body = Population),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/org-units/{id}/population/{as_of}")]
pub async fn update_org_unit_population(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, NaiveDate)>,
    if_match: IfMatch,
    body: ApiJson<PopulationPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, as_of) = path.into_inner();
    let patch = body.into_inner();
    if let Some(count) = patch.women_18_plus {
        check(count, None)?;
    }
    let source = match &patch.source {
        Some(s) => Some(bounded_text("source", s, 200).map_err(|i| ApiError::Validation(vec![i]))?),
        None => None,
    };
    let mut conn = state.pool.get().await?;
    let population = in_transaction(&mut conn, async |conn| {
        let unit = visible_unit(conn, &caller, id, Permission::OrgUnitsRead).await?;
        caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
        let current: Row = pop::table
            .find((unit.id, as_of))
            .select(Row::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(to_wire(current.clone())).unwrap_or_default()
        })?;
        let row: Row = diesel::update(pop::table.find((unit.id, as_of)))
            .set((
                patch.women_18_plus.map(|c| pop::women_18_plus.eq(c)),
                source.clone().map(|s| pop::source.eq(s)),
                pop::version.eq(pop::version + 1),
                pop::recorded_by.eq(caller.principal.user_id()),
                pop::recorded_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.population")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .fields(["women_18_plus"]),
            )
            .await?;
        Ok::<_, ApiError>(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(population.version))).json(population))
}
