use actix_web::{get, web};

use super::queries::{self, Filter};
use super::wire::{AuditEventListQuery, AuditEventView};
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::org_units::access::visible_unit;
use crate::state::AppState;

/// List audit events
///
/// The audit trail of the units the caller audits (`audit:read`: auditors and admins), newest
/// first. Events not tied to a unit (such as a failed login with an unknown user name) are
/// shown to those who audit the whole installation.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    security(("bearer" = [])),
    params(AuditEventListQuery),
    responses(
        (status = 200, description = "A page of events.", body = super::wire::AuditEventPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<AuditEventListQuery>,
) -> Result<web::Json<Page<AuditEventView>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<i64>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::AuditRead)?;
    let mut conn = state.pool.get().await?;
    let within = match query.org_unit_id {
        Some(unit) => Some(visible_unit(&mut conn, &caller, unit, Permission::AuditRead).await?.path),
        None => None,
    };
    let filter = Filter {
        actor_id: query.actor_id,
        action: query.action,
        object_type: query.object_type,
        object_id: query.object_id,
        within,
        from: query.from,
        to: query.to,
    };
    let see_unscoped = caller.principal.can_globally(Permission::AuditRead) && filter.within.is_none();
    let rows = queries::list(&mut conn, &scope, see_unscoped, &filter, page.after, page.fetch_limit()).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, |r| r)))
}
