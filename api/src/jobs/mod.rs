//! Background jobs (tác vụ nền) with progress: imports run as jobs so a 10,000-row file does not
//! hold a request open on a weak network. A job whose server stopped is marked failed
//! (`watchdog.rs`).

pub mod watchdog;

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::http::pagination::{Page, PageRequest};
use crate::http::{ApiError, ApiQuery};
use crate::schema::jobs;
use crate::state::AppState;

/// State of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

/// Seconds a client should wait before polling an unfinished job again.
pub const POLL_AFTER_SECONDS: u32 = 2;

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
    /// The outcome when finished (for imports: counts and per-row errors). A job whose server
    /// stopped before it ended fails with `{"code": "interrupted", "message": …}`: start it again.
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
            jobs::heartbeat_at.eq(Utc::now()),
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

/// Query of the job list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobListQuery {
    /// Only jobs in this state.
    pub status: Option<JobStatus>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(JobPage, Job, "jobs");

/// List my jobs
///
/// The jobs the caller started (imports), newest first, with their progress and outcome: what
/// an app shows after reconnecting, without having kept each job's id.
#[utoipa::path(tag = "imports", operation_id = "list_jobs", security(("bearer" = [])),
    params(JobListQuery),
    responses((status = 200, description = "A page of jobs.", body = JobPage),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/jobs")]
pub async fn list_jobs(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<JobListQuery>,
) -> Result<web::Json<Page<Job>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    // Jobs belong to an account; a machine client or an app has none of its own.
    let Some(owner) = caller.principal.user_id() else {
        return Ok(web::Json(Page { items: Vec::new(), next_cursor: None }));
    };
    let mut conn = state.read_pool.get().await?;
    let mut select = jobs::table
        .filter(jobs::owner_id.eq(owner))
        .select(Row::as_select())
        .order(jobs::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(jobs::id.lt(after));
    }
    if let Some(status) = query.status {
        select = select.filter(jobs::status.eq(status.as_str()));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, to_wire)))
}

/// Get a job
///
/// Only the account that started a job sees it. While it runs, the answer says when to look
/// again (`Retry-After`).
#[utoipa::path(tag = "imports", operation_id = "get_job", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id.")),
    responses((status = 200, description = "The job.", body = Job,
            headers(("Retry-After" = u32, description = "While the job is queued or running: seconds before asking again."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/jobs/{id}")]
pub async fn get_job(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row: Option<Row> =
        jobs::table.find(id.into_inner()).select(Row::as_select()).first(&mut conn).await.optional()?;
    match row {
        Some(row) if row.owner_id.is_some() && row.owner_id == caller.principal.user_id() => {
            Ok(with_poll_hint(actix_web::HttpResponse::Ok(), &to_wire(row)))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// A job as JSON, with `Retry-After` while it is unfinished (the 202 that starts one, and
/// every look at it until it ends).
pub fn with_poll_hint(mut response: actix_web::HttpResponseBuilder, job: &Job) -> actix_web::HttpResponse {
    if !job.status.is_finished() {
        response.insert_header((actix_web::http::header::RETRY_AFTER, POLL_AFTER_SECONDS.to_string()));
    }
    response.json(job)
}
