//! Changes of the tree that keep history (rename, move, close, merge, split), and reading it.
//! The 2025 reform is the model: xã Hưng Lễ, Tân Thanh and Hưng Nhượng merged into the new xã
//! Hưng Nhượng; the branches moved, the old communes closed, and every 2024 figure of Hưng Lễ
//! can still be reproduced from the periods.

mod changes;
mod merge;
mod read;

pub use changes::*;
pub use merge::*;
pub use read::*;

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::visible_unit;
use super::handlers::code_issue_at;
use super::models::OrgUnitRow;
use super::queries;
use super::tree::{close_unit, move_members, move_subtree, new_period};
use super::wire::OrgUnit;
use crate::audit::AuditEvent;
use crate::auth::principal::is_within;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::schema::{
    member_placements, member_transfers, org_unit_links, org_unit_periods as periods, org_units, positions, prospects,
};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// The effective date of a change: not in the future, after the unit's current period began.
pub(super) async fn check_effective(
    conn: &mut AsyncPgConnection,
    unit: &OrgUnitRow,
    day: NaiveDate,
) -> Result<(), ApiError> {
    if day > today_in_vietnam(Utc::now()) {
        return Err(ApiError::invalid(
            "effective_on",
            "in_future",
            "Ngày hiệu lực không thể ở tương lai.",
            "The effective date cannot be in the future.",
        ));
    }
    let since: Option<NaiveDate> = periods::table
        .filter(periods::unit_id.eq(unit.id))
        .filter(periods::valid_to.is_null())
        .select(periods::valid_from)
        .first(conn)
        .await
        .optional()?;
    if since.is_some_and(|s| day < s) || day < unit.valid_from {
        return Err(ApiError::invalid(
            "effective_on",
            "before_current_period",
            "Ngày hiệu lực sớm hơn lần thay đổi trước.",
            "Earlier than the unit's last change.",
        ));
    }
    Ok(())
}

/// An open unit the caller may change.
pub(super) async fn writable_open_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<OrgUnitRow, ApiError> {
    let unit = visible_unit(conn, caller, id, Permission::OrgUnitsRead).await?;
    caller.require(Permission::OrgUnitsWrite, &unit.path.0)?;
    if unit.valid_to.is_some() {
        return Err(ApiError::state_conflict(
            "unit_closed",
            "Đơn vị đã giải thể hoặc sáp nhập.",
            "The unit is closed.",
        ));
    }
    Ok(unit)
}

pub(super) async fn reload(conn: &mut AsyncPgConnection, id: Uuid) -> Result<OrgUnit, ApiError> {
    Ok(OrgUnit::from(queries::find(conn, id).await?.ok_or(ApiError::NotFound)?))
}
