//! Membership lifecycle (biến động hội viên): events, never overwrites. Joining happens at
//! registration and transfers have their own flow; here: leaving, removal, death, reinstatement,
//! and the history of all of them.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::visible_member;
use super::queries;
use super::wire::Member;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest, etag};
use crate::schema::{member_events, members};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Kind of lifecycle event (loại biến động).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Vào hội.
    Join,
    /// Chuyển đi (a transfer accepted by the receiving unit).
    TransferOut,
    /// Chuyển đến.
    TransferIn,
    /// Ra hội (left of her own will).
    Leave,
    /// Xóa tên (removed).
    Removal,
    /// Từ trần.
    Death,
    /// Phục hồi (back after leaving or removal).
    Reinstatement,
    /// Moved between groups of her branch.
    UnitChange,
}

/// One event of a member's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberEvent {
    pub id: Uuid,
    pub kind: EventKind,
    /// Day it took effect.
    pub occurred_on: NaiveDate,
    /// Why (lý do).
    pub reason: String,
    /// Unit she left, for transfers and unit changes.
    pub from_unit_id: Option<Uuid>,
    /// Unit she joined.
    pub to_unit_id: Option<Uuid>,
    /// The transfer, for transfer events.
    pub transfer_id: Option<Uuid>,
    /// Account that recorded it.
    pub recorded_by: Option<Uuid>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

crate::page_schema!(MemberEventPage, MemberEvent, "lifecycle events");

/// A lifecycle event to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "leave", "occurred_on": "2026-11-15", "reason": "Chuyển đi làm ăn xa, xin ra hội"}))]
pub struct NewMemberEvent {
    /// `leave`, `removal`, `death` or `reinstatement` (joining is registration; transfers have
    /// their own endpoints).
    pub kind: EventKind,
    /// Day it took effect; not in the future, not before her current placement began.
    pub occurred_on: NaiveDate,
    /// Why, at most 500 characters.
    #[serde(default)]
    pub reason: String,
}

/// Query of a member's history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn kind_of(text: &str) -> EventKind {
    match text {
        "transfer_out" => EventKind::TransferOut,
        "transfer_in" => EventKind::TransferIn,
        "leave" => EventKind::Leave,
        "removal" => EventKind::Removal,
        "death" => EventKind::Death,
        "reinstatement" => EventKind::Reinstatement,
        "unit_change" => EventKind::UnitChange,
        _ => EventKind::Join,
    }
}

type EventRow =
    (Uuid, String, NaiveDate, String, Option<Uuid>, Option<Uuid>, Option<Uuid>, Option<Uuid>, DateTime<Utc>);

/// List a member's history
///
/// Every lifecycle event, oldest first.
#[utoipa::path(
    tag = "members",
    operation_id = "list_member_events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), EventListQuery),
    responses(
        (status = 200, description = "A page of events.", body = MemberEventPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/events")]
pub async fn list_member_events(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<EventListQuery>,
) -> Result<web::Json<Page<MemberEvent>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    Ok(web::Json(events_page(&mut conn, member.id, page).await?))
}

/// A page of a member's events (also used by her self-service view).
pub async fn events_page(
    conn: &mut diesel_async::AsyncPgConnection,
    member: Uuid,
    page: PageRequest<Uuid>,
) -> Result<Page<MemberEvent>, ApiError> {
    let mut select = member_events::table
        .filter(member_events::member_id.eq(member))
        .select((
            member_events::id,
            member_events::kind,
            member_events::occurred_on,
            member_events::reason,
            member_events::from_unit_id,
            member_events::to_unit_id,
            member_events::transfer_id,
            member_events::recorded_by,
            member_events::recorded_at,
        ))
        .order(member_events::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(member_events::id.gt(after));
    }
    let rows: Vec<EventRow> = select.load(conn).await?;
    Ok(Page::from_rows(
        rows,
        page.limit,
        |r| r.0,
        |r| MemberEvent {
            id: r.0,
            kind: kind_of(&r.1),
            occurred_on: r.2,
            reason: r.3,
            from_unit_id: r.4,
            to_unit_id: r.5,
            transfer_id: r.6,
            recorded_by: r.7,
            recorded_at: r.8,
        },
    ))
}

/// Record a lifecycle event
///
/// Leaving, removal and death end her membership from `occurred_on` (she is no longer counted
/// from that day); reinstatement starts it again in her last unit. Returns the member.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_event",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewMemberEvent,
    responses(
        (status = 201, description = "Recorded; the member as she is now.", body = Member),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/members/{id}/events")]
pub async fn create_member_event(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewMemberEvent>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let event = body.into_inner();
    let reason = bounded_text("reason", &event.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    if event.occurred_on > today {
        return Err(ApiError::invalid(
            "occurred_on",
            "in_future",
            "Ngày không thể ở tương lai.",
            "The date cannot be in the future.",
        ));
    }
    let (status, kind) = match event.kind {
        EventKind::Leave => ("left", "leave"),
        EventKind::Removal => ("removed", "removal"),
        EventKind::Death => ("deceased", "death"),
        EventKind::Reinstatement => ("active", "reinstatement"),
        _ => {
            return Err(ApiError::invalid(
                "kind",
                "not_allowed_here",
                "Vào hội là khi đăng ký; chuyển sinh hoạt dùng /transfers.",
                "Joining is registration; transfers use the transfer endpoints.",
            ));
        }
    };
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &event, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let visible = visible_member(conn, &caller, id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &visible.unit_path.0)?;
        let current = queries::find_for_update(conn, id).await?.ok_or(ApiError::NotFound)?;
        let ends = kind != "reinstatement";
        match (ends, current.status.as_str()) {
            (true, "active") | (false, "left" | "removed") => {}
            (true, "transferring") => {
                return Err(ApiError::state_conflict(
                    "transfer_pending",
                    "Đang có thủ tục chuyển sinh hoạt; hãy hủy trước.",
                    "A transfer is pending; cancel it first.",
                ));
            }
            _ => {
                return Err(ApiError::state_conflict(
                    "invalid_status",
                    "Trạng thái hiện tại không cho phép biến động này.",
                    "Her current status does not allow this event.",
                ));
            }
        }
        if ends {
            let since = queries::open_placement_since(conn, id).await?;
            if since.is_some_and(|s| event.occurred_on < s) {
                return Err(ApiError::invalid(
                    "occurred_on",
                    "before_placement",
                    "Ngày sớm hơn ngày bắt đầu sinh hoạt hiện tại.",
                    "Earlier than her current placement began.",
                ));
            }
            queries::end_placement(conn, id, event.occurred_on).await?;
        } else {
            let left = queries::last_placement_end(conn, id).await?;
            if left.is_some_and(|l| event.occurred_on < l) {
                return Err(ApiError::invalid(
                    "occurred_on",
                    "before_leaving",
                    "Ngày phục hồi sớm hơn ngày ra hội.",
                    "Earlier than the day she left.",
                ));
            }
            queries::start_placement(conn, id, current.unit_id, &current.unit_path, event.occurred_on).await?;
        }
        queries::record_event(
            conn,
            id,
            kind,
            event.occurred_on,
            &reason,
            None,
            Some(current.unit_id).filter(|_| !ends),
            None,
            caller.principal.user_id(),
        )
        .await?;
        let updated = diesel::update(members::table.find(id))
            .set((
                members::status.eq(status),
                members::version.eq(members::version + 1),
                members::updated_at.eq(diesel::dsl::now),
            ))
            .returning(super::models::MemberRow::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.lifecycle")
                    .object("member", id)
                    .unit(current.unit_id)
                    .fields(["status"])
                    .details(serde_json::json!({"kind": kind})),
            )
            .await?;
        if ends {
            let data = serde_json::json!({"member_id": id, "unit_id": current.unit_id, "kind": kind});
            crate::webhooks::outbox::record(
                conn,
                crate::webhooks::WebhookEvent::MemberLeft,
                &current.unit_path.0,
                data,
            )
            .await?;
        }
        let member = Member::basic(updated);
        Ok(StoredResponse::json(StatusCode::CREATED, &member)?.header(header::ETAG, etag(member.version)))
    })
    .await
}
