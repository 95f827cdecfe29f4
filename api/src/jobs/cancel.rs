//! Cancelling a job. The request is recorded on the job's row; the job looks at it as it goes
//! (an import at each progress step) and once more, with the row locked, just before it writes,
//! so a cancel either stops the job before its write or waits for that write to commit and is
//! then answered 409: never a cancel reported as accepted for a job whose changes are kept.

use actix_web::{HttpResponse, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Row, to_wire, with_poll_hint};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::schema::jobs;
use crate::state::AppState;

/// The code of the error a job stops with when cancelled.
pub const CANCELLED: &str = "job_cancelled";

/// The `result` of a cancelled job.
pub fn cancelled_result() -> serde_json::Value {
    super::JobFailure::to_json(
        "cancelled",
        "Tác vụ đã dừng theo yêu cầu, không ghi gì. / The job stopped as asked and wrote nothing.",
    )
}

/// What a job returns when it sees its owner asked to stop.
pub fn cancelled() -> ApiError {
    ApiError::state_conflict(CANCELLED, "Tác vụ đã bị hủy.", "The job was cancelled.")
}

/// Locks the job's row for the rest of the transaction, refusing if a cancel was asked: called
/// by a job in the transaction of its write, so a cancel arriving later waits for the commit.
pub async fn lock_for_write(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), ApiError> {
    let asked: Option<chrono::DateTime<chrono::Utc>> =
        jobs::table.find(id).select(jobs::cancel_requested_at).for_update().first(conn).await?;
    if asked.is_some() { Err(cancelled()) } else { Ok(()) }
}

/// Cancel a job
///
/// Asks a queued or running job to stop; only the account that started it may. An import stops
/// at its next step (every 500 rows, and just before it writes), writes nothing and ends
/// `cancelled`: the answer is `202` with the job as it is now, and `GET /jobs/{id}` shows the
/// end. A job that has finished (or that had already begun its write, which completes) is
/// `409` `job_finished`.
#[utoipa::path(tag = "imports", operation_id = "cancel_job", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Job id.")),
    responses((status = 202, description = "Cancel recorded; the job stops at its next step.", body = super::Job,
            headers(("Retry-After" = u32, description = "Seconds before asking for the job again."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict)))]
#[post("/jobs/{id}/cancel")]
pub async fn cancel_job(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let owner = caller.principal.user_id().ok_or(ApiError::NotFound)?;
    let id = id.into_inner();
    let mut conn = state.pool.get().await?;
    let mine = jobs::table
        .find(id)
        .filter(jobs::owner_id.eq(owner))
        .select(jobs::id)
        .first::<Uuid>(&mut conn)
        .await
        .optional()?;
    if mine.is_none() {
        return Err(ApiError::NotFound);
    }
    // Waits for a job's write in progress (it holds the row), then finds it finished.
    let asked: Option<Row> = diesel::update(jobs::table.find(id).filter(jobs::finished_at.is_null()))
        .set(jobs::cancel_requested_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("coalesce(cancel_requested_at, now())")))
        .returning(Row::as_returning())
        .get_result(&mut conn)
        .await
        .optional()?;
    match asked {
        Some(row) => Ok(with_poll_hint(HttpResponse::Accepted(), &to_wire(row))),
        None => Err(ApiError::state_conflict(
            "job_finished",
            "Tác vụ đã xong, không thể hủy.",
            "The job has finished; it cannot be cancelled.",
        )),
    }
}
