//! Background jobs (tác vụ nền) with progress: imports run as jobs so a 10,000-row file does not
//! hold a request open on a weak network. A job whose server stopped is marked failed
//! (`watchdog.rs`); its owner may cancel it (`cancel.rs`).

pub mod cancel;
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
    /// Stopped at its owner's request, having written nothing.
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled)
    }
}

/// Seconds a client should wait before polling an unfinished job again.
pub const POLL_AFTER_SECONDS: u32 = 2;

/// A background job.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a11", "kind": "member_import", "status": "running",
    "progress": 4500, "total": 10000, "result": null, "created_at": "2026-11-29T08:00:00Z", "finished_at": null, "cancel_requested_at": null}))]
pub struct Job {
    pub id: Uuid,
    /// What it does, e.g. `member_import`.
    pub kind: String,
    pub status: JobStatus,
    /// Rows (or items) done so far.
    pub progress: i32,
    /// Rows (or items) in all; 0 until known.
    pub total: i32,
    /// The outcome once finished, `null` before: for a `member_import` that succeeded, an
    /// `ImportOutcome` (counts and per-row errors); for a job that failed or was cancelled, a
    /// `JobFailure` (`interrupted`: its server stopped, start it again; `cancelled`; or the code
    /// of the problem that stopped it).
    #[schema(value_type = Option<JobResult>)]
    pub result: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    /// When it succeeded, failed or was cancelled; `null` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// When its owner asked to cancel it (`POST /jobs/{id}/cancel`); `null` if never.
    pub cancel_requested_at: Option<DateTime<Utc>>,
}

/// Why a job did not succeed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "interrupted", "detail": "Tác vụ bị dừng vì máy chủ chạy nó đã tắt; hãy chạy lại. / The job stopped because the server running it stopped; start it again."}))]
pub struct JobFailure {
    /// `interrupted`, `cancelled`, or the `code` of the problem that stopped it (e.g.
    /// `validation_failed`, `forbidden`).
    pub code: String,
    /// What happened, in the language of the request that started it (both languages for
    /// `interrupted` and `cancelled`).
    pub detail: String,
}

impl JobFailure {
    pub fn to_json(code: &str, detail: &str) -> serde_json::Value {
        serde_json::json!({"code": code, "detail": detail})
    }
}

/// The contract's name for a finished job's result: one of the outcomes a job can have. A
/// schema only (named by reference, so this module does not depend on the features whose
/// jobs it runs).
pub struct JobResult;

impl utoipa::PartialSchema for JobResult {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Ref};
        OneOfBuilder::new()
            .item(Ref::from_schema_name("ImportOutcome"))
            .item(Ref::from_schema_name("JobFailure"))
            .description(Some("Một kết quả / A job's result: `ImportOutcome` or `JobFailure`."))
            .into()
    }
}

impl ToSchema for JobResult {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("JobResult")
    }
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
    cancel_requested_at: Option<DateTime<Utc>>,
}

fn to_wire(r: Row) -> Job {
    let status = match r.status.as_str() {
        "running" => JobStatus::Running,
        "succeeded" => JobStatus::Succeeded,
        "failed" => JobStatus::Failed,
        "cancelled" => JobStatus::Cancelled,
        _ => JobStatus::Queued,
    };
    Job {
        id: r.id,
        kind: r.kind,
        status,
        progress: r.progress,
        total: r.total,
        // Stored as `{}` until the job ends.
        result: r.finished_at.map(|_| r.result),
        created_at: r.created_at,
        finished_at: r.finished_at,
        cancel_requested_at: r.cancel_requested_at,
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

/// Records how far a job is; whether it should go on (`false` once its owner asked to cancel).
pub async fn progress(conn: &mut AsyncPgConnection, id: Uuid, done: i32, total: i32) -> QueryResult<bool> {
    let cancel_requested: Option<Option<DateTime<Utc>>> = diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq("running"),
            jobs::progress.eq(done),
            jobs::total.eq(total),
            jobs::started_at.eq(Some(Utc::now())),
            jobs::heartbeat_at.eq(Utc::now()),
        ))
        .returning(jobs::cancel_requested_at)
        .get_result(conn)
        .await
        .optional()?;
    Ok(cancel_requested.flatten().is_none())
}

/// Ends a job with `status` and `result`, unless it has already ended. A job that would end
/// `succeeded` after its owner asked to cancel it (one that had nothing to write) ends
/// `cancelled` instead, so a cancel that was answered 202 is never followed by a success.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: JobStatus,
    result: &serde_json::Value,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE jobs SET
             status = CASE WHEN $2 = 'succeeded' AND cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE $2 END,
             result = CASE WHEN $2 = 'succeeded' AND cancel_requested_at IS NOT NULL THEN $4 ELSE $3 END,
             finished_at = now()
         WHERE id = $1 AND finished_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Text, _>(status.as_str())
    .bind::<diesel::sql_types::Jsonb, _>(result)
    .bind::<diesel::sql_types::Jsonb, _>(cancel::cancelled_result())
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
