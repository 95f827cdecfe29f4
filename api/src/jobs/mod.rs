//! Background jobs (tác vụ nền) with progress: imports run as jobs so a 10,000-row file does not
//! hold a request open on a weak network.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::http::ApiError;
use crate::schema::jobs;
use crate::state::AppState;

/// State of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// A background job.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a11", "kind": "member_import", "status": "running",
    "progress": 4500, "total": 10000, "result": {}, "created_at": "2026-11-29T08:00:00Z", "finished_at": null}))]
pub struct Job {
    pub id: Uuid,
    /// What it does, e.g. `member_import`.
    pub kind: String,
    pub status: JobStatus,
    /// Rows (or items) done so far.
    pub progress: i32,
    /// Rows (or items) in all; 0 until known.
    pub total: i32,
    /// The outcome when finished (for imports: counts and per-row errors).
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// When it succeeded or failed; `null` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = jobs, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    kind: String,
    status: String,
    progress: i32,
    total: i32,
    result: serde_json::Value,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    owner_id: Option<Uuid>,
}

fn to_wire(r: Row) -> Job {
    let status = match r.status.as_str() {
        "running" => JobStatus::Running,
        "succeeded" => JobStatus::Succeeded,
        "failed" => JobStatus::Failed,
        _ => JobStatus::Queued,
    };
    Job {
        id: r.id,
        kind: r.kind,
        status,
        progress: r.progress,
        total: r.total,
        result: r.result,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    kind: &str,
    owner: Option<Uuid>,
    unit: Option<Uuid>,
) -> QueryResult<Job> {
    let row: Row = diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(Uuid::now_v7()),
            jobs::kind.eq(kind),
            jobs::owner_id.eq(owner),
            jobs::org_unit_id.eq(unit),
        ))
        .returning(Row::as_returning())
        .get_result(conn)
        .await?;
    Ok(to_wire(row))
}

pub async fn progress(conn: &mut AsyncPgConnection, id: Uuid, done: i32, total: i32) -> QueryResult<()> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq("running"),
            jobs::progress.eq(done),
            jobs::total.eq(total),
            jobs::started_at.eq(Some(Utc::now())),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    succeeded: bool,
    result: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq(if succeeded { "succeeded" } else { "failed" }),
            jobs::result.eq(result),
            jobs::finished_at.eq(Some(Utc::now())),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Get a job
///
/// Only the account that started a job sees it.
#[utoipa::path(tag = "imports", operation_id = "get_job", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id.")),
    responses((status = 200, description = "The job.", body = Job),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/jobs/{id}")]
pub async fn get_job(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Job>, ApiError> {
    let mut conn = state.pool.get().await?;
    let row: Option<Row> =
        jobs::table.find(id.into_inner()).select(Row::as_select()).first(&mut conn).await.optional()?;
    match row {
        Some(row) if row.owner_id.is_some() && row.owner_id == caller.principal.user_id() => {
            Ok(web::Json(to_wire(row)))
        }
        _ => Err(ApiError::NotFound),
    }
}
