//! Transfers (chuyển sinh hoạt): the sending side starts one, the receiving unit accepts or
//! rejects it. Until then both sides see it and the member counts only where she was; on
//! acceptance her placement ends there and starts at the destination on the same day, so she is
//! never counted twice.

use actix_web::{get, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::schema::{member_transfers as t, members, org_units};
use crate::state::AppState;

/// State of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Pending,
    Accepted,
    Rejected,
    Cancelled,
}

/// A transfer of a member between units (chuyển sinh hoạt hội).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transfer {
    pub id: Uuid,
    /// The member who moves.
    pub member_id: Uuid,
    /// Her name, so the receiving side knows whom it receives.
    pub member_name: String,
    /// The sending unit.
    pub from_unit_id: Uuid,
    /// The receiving unit.
    pub to_unit_id: Uuid,
    pub status: TransferStatus,
    /// Day the sending side asked.
    pub requested_on: NaiveDate,
    /// Day of acceptance (her move) or rejection.
    pub decided_on: Option<NaiveDate>,
    /// Why she moves.
    pub reason: String,
    /// Why it was rejected or cancelled.
    pub decision_reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::page_schema!(TransferPage, Transfer, "transfers");

/// A transfer to start.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_unit_id": "0193a5c8-0000-7000-8000-00000000a777", "requested_on": "2026-11-20", "reason": "Theo chồng về xã Lương Hòa"}))]
pub struct NewTransfer {
    /// The receiving branch or group; it may lie outside the caller's scope (another commune).
    pub to_unit_id: Uuid,
    /// Default today.
    pub requested_on: Option<NaiveDate>,
    /// Lý do chuyển / Why she moves.
    #[serde(default)]
    pub reason: String,
}

/// A decision on a transfer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decided_on": "2026-11-25"}))]
pub struct TransferDecision {
    /// Day of the decision; for acceptance, the day she moves (default today; not before the
    /// request, not in the future).
    pub decided_on: Option<NaiveDate>,
    /// For acceptance: a group of the receiving branch to place her in.
    pub unit_id: Option<Uuid>,
    /// Lý do / Why (required in practice for a rejection).
    #[serde(default)]
    pub reason: String,
}

/// Which side of transfers to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TransferDirection)]
pub enum Direction {
    /// Into the caller's units.
    Incoming,
    /// Out of the caller's units.
    Outgoing,
}

/// Query of the transfer list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TransferListQuery {
    /// `incoming` or `outgoing` (required).
    pub direction: Direction,
    /// Only this status (e.g. `pending`).
    pub status: Option<TransferStatus>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn status_str(status: TransferStatus) -> &'static str {
    match status {
        TransferStatus::Pending => "pending",
        TransferStatus::Accepted => "accepted",
        TransferStatus::Rejected => "rejected",
        TransferStatus::Cancelled => "cancelled",
    }
}

/// A transfer as stored, with the member's name (the receiving side sees whom it receives).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = t, check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    member_id: Uuid,
    #[diesel(select_expression = members::family_name)]
    family_name: String,
    #[diesel(select_expression = members::middle_name)]
    middle_name: String,
    #[diesel(select_expression = members::given_name)]
    given_name: String,
    from_unit_id: Uuid,
    to_unit_id: Uuid,
    status: String,
    requested_on: NaiveDate,
    decided_on: Option<NaiveDate>,
    reason: String,
    decision_reason: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn to_wire(r: Row) -> Transfer {
    Transfer {
        member_name: super::wire::full_name(&r.family_name, &r.middle_name, &r.given_name),
        id: r.id,
        member_id: r.member_id,
        from_unit_id: r.from_unit_id,
        to_unit_id: r.to_unit_id,
        status: match r.status.as_str() {
            "accepted" => TransferStatus::Accepted,
            "rejected" => TransferStatus::Rejected,
            "cancelled" => TransferStatus::Cancelled,
            _ => TransferStatus::Pending,
        },
        requested_on: r.requested_on,
        decided_on: r.decided_on,
        reason: r.reason,
        decision_reason: r.decision_reason,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

mod access;
mod decisions;

use access::visible_transfer;

pub use decisions::{accept_transfer, cancel_transfer, create_member_transfer, reject_transfer};

/// List transfers
///
/// Incoming transfers (into the caller's units) or outgoing ones, newest first.
#[utoipa::path(
    tag = "members",
    operation_id = "list_transfers",
    security(("bearer" = [])),
    params(TransferListQuery),
    responses(
        (status = 200, description = "A page of transfers.", body = TransferPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[get("/transfers")]
pub async fn list_transfers(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<TransferListQuery>,
) -> Result<web::Json<Page<Transfer>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::MembersRead)?;
    let mut conn = state.pool.get().await?;
    let mut select = t::table
        .inner_join(members::table)
        .inner_join(org_units::table.on(org_units::id.eq(t::from_unit_id)))
        .select(Row::as_select())
        .order(t::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    select = match query.direction {
        Direction::Incoming => select.filter(t::to_unit_path.contained_by_any(scope.paths())),
        Direction::Outgoing => select.filter(org_units::path.contained_by_any(scope.paths())),
    };
    if let Some(status) = query.status {
        select = select.filter(t::status.eq(status_str(status)));
    }
    if let Some(before) = page.after {
        select = select.filter(t::id.lt(before));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, to_wire)))
}

/// Get a transfer
///
/// One transfer (chuyển sinh hoạt) of a member between units: from, to, reason, dates and status
/// (pending, accepted, rejected, cancelled).
#[utoipa::path(
    tag = "members",
    operation_id = "get_transfer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Transfer id.")),
    responses(
        (status = 200, description = "The transfer.", body = Transfer),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/transfers/{id}")]
pub async fn get_transfer(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Transfer>, ApiError> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(visible_transfer(&mut conn, &caller, id.into_inner()).await?.0))
}
