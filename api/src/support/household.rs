//! The household view (hồ sơ hỗ trợ hộ): what a member and her household received over time,
//! next to her needs and how far each was met.

use actix_web::{get, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::models::SupportRow;
use super::wire::SupportEntry;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::members::access::visible_member;
use crate::members::needs::{Need, needs_of};
use crate::members::wire::full_name;
use crate::schema::support_entries as s;
use crate::state::AppState;

/// Support and needs of a member's household.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdSupport {
    /// The member the household is recorded under.
    pub member_id: Uuid,
    /// Her full name.
    pub member_name: String,
    /// Total of the recorded (not voided) entries in VND.
    pub total_vnd: i64,
    /// Support received, newest first (at most 200; voided entries included, marked).
    pub entries: Vec<SupportEntry>,
    /// Her needs, open ones first.
    pub needs: Vec<Need>,
}

/// Get a household's support
///
/// Needs `members:sensitive`; audited.
#[utoipa::path(tag = "support", operation_id = "get_member_support", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses((status = 200, description = "Her household's support and needs.", body = HouseholdSupport),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/support")]
pub async fn get_member_support(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<HouseholdSupport>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
    let rows: Vec<SupportRow> = s::table
        .filter(s::member_id.eq(member.id))
        .select(SupportRow::as_select())
        .order((s::given_on.desc(), s::id.desc()))
        .limit(200)
        .load(&mut conn)
        .await?;
    let needs = needs_of(&mut conn, member.id).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.read_sensitive")
                .object("member", member.id)
                .unit(member.unit_id)
                .fields(["support", "needs"]),
        )
        .await?;
    let total_vnd = rows.iter().filter(|r| r.status == "recorded").filter_map(|r| r.amount_vnd).sum();
    Ok(web::Json(HouseholdSupport {
        member_id: member.id,
        member_name: full_name(&member.family_name, &member.middle_name, &member.given_name),
        total_vnd,
        entries: rows.into_iter().map(SupportEntry::from).collect(),
        needs,
    }))
}
