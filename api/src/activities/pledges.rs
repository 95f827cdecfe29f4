//! In-kind resources pledged for an activity (venue, food, materials): part of "có nguồn lực".

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::visible_activity;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, Text};
use crate::schema::activity_pledges as p;
use crate::state::AppState;

/// A resource pledged for an activity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ActivityPledge, example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a61", "activity_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a51",
    "description": "Mượn nhà văn hóa ấp và 50 ghế", "pledged_by": "Ban nhân dân ấp Rẫy", "value_vnd": 500000, "created_at": "2026-11-10T08:00:00Z"}))]
pub struct Pledge {
    pub id: Uuid,
    /// The activity.
    pub activity_id: Uuid,
    /// What is given (mô tả).
    pub description: String,
    /// Who gives it.
    pub pledged_by: String,
    /// Its estimated value, if known.
    pub value_vnd: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A resource to pledge.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Mượn nhà văn hóa ấp và 50 ghế", "pledged_by": "Ban nhân dân ấp Rẫy", "value_vnd": 500000}))]
pub struct NewPledge {
    /// What is given, 1–300 characters.
    pub description: String,
    /// Who gives it.
    #[serde(default)]
    pub pledged_by: String,
    /// Estimated value in VND.
    pub value_vnd: Option<i64>,
}

/// A pledge as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = p, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    activity_id: Uuid,
    description: String,
    pledged_by: String,
    value_vnd: Option<i64>,
    created_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> Pledge {
    Pledge {
        id: r.id,
        activity_id: r.activity_id,
        description: r.description,
        pledged_by: r.pledged_by,
        value_vnd: r.value_vnd,
        created_at: r.created_at,
    }
}

/// List an activity's pledged resources
///
/// The resources (nguồn lực) pledged for an activity: who pledged what and its value in VND.
#[utoipa::path(tag = "activities", operation_id = "list_activity_pledges", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id.")),
    responses((status = 200, description = "Its pledges (at most 200).", body = Vec<Pledge>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/activities/{id}/pledges")]
pub async fn list_activity_pledges(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Pledge>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let activity = visible_activity(&mut conn, &caller, id.into_inner(), false).await?;
    let rows: Vec<Row> = p::table
        .filter(p::activity_id.eq(activity.id))
        .select(Row::as_select())
        .order(p::id.asc())
        .limit(200)
        .load(&mut conn)
        .await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Pledge a resource for an activity
///
/// Records a resource pledged for an activity: what, by whom, and its value in VND.
#[utoipa::path(tag = "activities", operation_id = "create_activity_pledge", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewPledge,
    responses((status = 201, description = "Recorded.", body = Pledge),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/activities/{id}/pledges")]
pub async fn create_activity_pledge(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewPledge>,
) -> Result<HttpResponse, ApiError> {
    let activity_id = id.into_inner();
    let input = body.into_inner();
    let mut v = Validator::new();
    let description = v.result(bounded_text("description", &input.description, 300)).unwrap_or_default();
    let pledged_by = v.result(bounded_text("pledged_by", &input.pledged_by, 200)).unwrap_or_default();
    v.check(!description.is_empty(), "description", "required", Text::new("Cần mô tả.", "A description is required."));
    v.check(
        input.value_vnd.is_none_or(|x| (0..=100_000_000_000).contains(&x)),
        "value_vnd",
        "out_of_range",
        Text::new("Từ 0 đến 100 tỷ đồng.", "Between 0 and 100,000,000,000 VND."),
    );
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let activity = visible_activity(conn, &caller, activity_id, false).await?;
        caller.require(Permission::MembersWrite, &activity.unit_path.0)?;
        let row: Row = diesel::insert_into(p::table)
            .values((
                p::id.eq(Uuid::now_v7()),
                p::activity_id.eq(activity.id),
                p::description.eq(&description),
                p::pledged_by.eq(&pledged_by),
                p::value_vnd.eq(input.value_vnd),
                p::created_by.eq(caller.principal.user_id()),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(conn, AuditEvent::new("activity.pledge").object("activity", activity.id).unit(activity.unit_id))
            .await?;
        StoredResponse::json(StatusCode::CREATED, &to_wire(row))
    })
    .await
}
