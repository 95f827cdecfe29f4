//! Retention (thời hạn lưu trữ): members who left, were removed or died more than
//! `privacy.retention_years` years ago (setting, default 5) are anonymized as by an erasure.
//! Housekeeping runs it every ten minutes in small batches; admins can run it now.

use actix_web::{HttpResponse, post, web};
use chrono::{Months, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Date, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::erasure::{ErasureBasis, PURGED, anonymize};
use crate::audit::{AuditActor, AuditEvent};
use crate::auth::{Caller, Permission, RequestMeta};
use crate::db::in_transaction;
use crate::http::ApiError;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Default years a former member's personal data is kept after her membership ended.
pub const DEFAULT_YEARS: i64 = 5;
/// Members anonymized per transaction (keeps locks short on a busy register).
const BATCH: i64 = 200;

/// What a run did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"retention_years": 5, "ended_before": "2021-11-29", "anonymized": 12}))]
pub struct RetentionRun {
    /// Setting `privacy.retention_years` in force.
    pub retention_years: i64,
    /// Memberships that ended before this day were due.
    pub ended_before: NaiveDate,
    /// Members anonymized by this run.
    pub anonymized: i64,
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Anonymizes up to `limit` members whose retention ran out; returns how many.
pub async fn run(conn: &mut AsyncPgConnection, limit: i64) -> Result<RetentionRun, ApiError> {
    let years = crate::settings::integer(conn, "privacy.retention_years", DEFAULT_YEARS).await?.clamp(1, 100);
    let today = today_in_vietnam(Utc::now());
    let ended_before = today.checked_sub_months(Months::new(12 * years as u32)).unwrap_or(today);
    let mut anonymized = 0;
    while anonymized < limit {
        let batch = in_transaction(conn, async |conn| {
            let due: Vec<Due> = diesel::sql_query(
                "SELECT m.id FROM members m
                 WHERE m.status IN ('left', 'removed', 'deceased')
                   AND NOT EXISTS (SELECT 1 FROM member_erasures e WHERE e.member_id = m.id)
                   AND NOT EXISTS (SELECT 1 FROM member_placements p WHERE p.member_id = m.id
                                   AND (p.valid_to IS NULL OR p.valid_to >= $1))
                 ORDER BY m.id LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind::<Date, _>(ended_before)
            .bind::<diesel::sql_types::BigInt, _>(BATCH.min(limit - anonymized))
            .load(conn)
            .await?;
            for member in &due {
                anonymize(
                    conn,
                    member.id,
                    ErasureBasis::Retention,
                    "Hết thời hạn lưu trữ / Retention period ended",
                    None,
                )
                .await?;
                let event = AuditEvent::new("member.erased")
                    .object("member", member.id)
                    .fields(PURGED)
                    .details(serde_json::json!({"basis": "retention", "retention_years": years}));
                crate::audit::record(conn, &AuditActor::system(), &RequestMeta::none(), event).await?;
            }
            Ok::<_, ApiError>(due.len() as i64)
        })
        .await?;
        anonymized += batch;
        if batch == 0 {
            break;
        }
    }
    Ok(RetentionRun { retention_years: years, ended_before, anonymized })
}

/// Run the retention job now
///
/// Anonymizes former members whose membership ended more than `privacy.retention_years`
/// years ago (setting, default 5), as an erasure would (up to 10,000 per call; call again
/// while `anonymized` is 10,000). Housekeeping runs the same job every ten minutes. Needs
/// `settings:write` at the root. Safe to repeat: a second run finds nothing due.
#[utoipa::path(
    tag = "settings",
    operation_id = "run_privacy_retention",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the run did.", body = RetentionRun),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[post("/privacy/retention/run")]
pub async fn run_privacy_retention(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !caller.principal.can_globally(Permission::SettingsWrite) {
        return Err(ApiError::Forbidden);
    }
    let mut conn = state.pool.get().await?;
    let outcome = run(&mut conn, 10_000).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("privacy.retention_run").details(serde_json::json!({"anonymized": outcome.anonymized})),
        )
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
