//! Creating and correcting members.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::access::visible_member;
use super::models::MemberRow;
use super::queries;
use super::registration::{changed_fields, ensure_unique_cccd, register, require_member_unit, row_of};
use super::validate::{self, check_codes, clean, patched};
use super::wire::{Member, MemberPatch, NewMember};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::new_id;
use crate::http::{ApiError, ApiJson, IfMatch, Text, etag, precondition};
use crate::org_units::access::visible_unit;
use crate::org_units::models::OrgUnitRow;
use crate::pioneers::set_flag;
use crate::schema::members;
use crate::state::AppState;
use crate::time::today_in_vietnam;

fn sensitive_in_new(input: &NewMember) -> bool {
    validate::writes_sensitive(
        input.cccd.is_some(),
        input.ethnicity_code.is_some(),
        input.religion_code.is_some(),
        input.party_member == Some(true),
        input.party_joined_on.is_some(),
    )
}

/// Register a member
///
/// Adds a member to a branch or group with her join event. Names are stored NFC with one
/// tone-mark placement ("Hoà" becomes "Hòa"); the CCCD is cross-checked with sex and birth year
/// (a legacy 9-digit CMND is accepted and flagged); the phone is stored as `+84…`. A CCCD already
/// on file is a 409 naming the existing member when the caller may see her.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewMember,
    responses(
        (status = 201, description = "Registered.", body = Member, headers(
            ("Location" = String, description = "URL of the member."), ("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/members")]
pub async fn create_member(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewMember>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let clean = clean(&input, today_in_vietnam(Utc::now()))?;
    let id = new_id(input.id)?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, input.unit_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &unit.path.0)?;
        if sensitive_in_new(&input) {
            caller.require(Permission::MembersSensitive, &unit.path.0)?;
        }
        require_member_unit(&unit)?;
        let member = Member::basic(register(conn, &caller, &clean, &unit, None, id).await?);
        Ok(StoredResponse::json(StatusCode::CREATED, &member)?
            .header(header::LOCATION, format!("/api/v1/members/{}", member.id))
            .header(header::ETAG, etag(member.version)))
    })
    .await
}

const SENSITIVE_WRITES: [&str; 5] = ["cccd", "ethnicity_code", "religion_code", "party_member", "party_joined_on"];

/// Correct a member
///
/// A JSON merge patch of her data, validated as a whole. Changing a sensitive field needs
/// `members:sensitive`. `unit_id` moves her between groups of her own branch; moving to another
/// branch is a transfer. Needs `If-Match`.
#[utoipa::path(
    tag = "members",
    operation_id = "update_member",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Member id."),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`."),
    ),
    request_body = MemberPatch,
    responses(
        (status = 200, description = "Corrected.", body = Member, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/members/{id}")]
pub async fn update_member(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<MemberPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let mut conn = state.pool.get().await?;
    let member = in_transaction(&mut conn, async |conn| {
        let visible = visible_member(conn, &caller, id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &visible.unit_path.0)?;
        let current = queries::find_for_update(conn, id).await?.ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(Member::basic(current.clone())).unwrap_or_default()
        })?;
        let clean = clean(&patched(&current, &patch), today)?;
        let changed = changed_fields(Some(&current), &clean);
        if changed.iter().any(|f| SENSITIVE_WRITES.contains(f)) {
            caller.require(Permission::MembersSensitive, &current.unit_path.0)?;
        }
        check_codes(conn, &clean).await?;
        ensure_unique_cccd(conn, &caller, clean.cccd.as_deref(), Some(id)).await?;
        let mut fields: Vec<&str> = changed.clone();
        if let Some(unit_id) = patch.unit_id.filter(|u| *u != current.unit_id) {
            move_within_branch(conn, &caller, &current, unit_id, today).await?;
            fields.push("unit_id");
        }
        let row = row_of(&clean, id, &placeholder_unit(&current), current.prospect_id);
        let updated: MemberRow = diesel::update(members::table.find(id))
            .set((
                members::family_name.eq(&row.family_name),
                members::middle_name.eq(&row.middle_name),
                members::given_name.eq(&row.given_name),
                members::search_key.eq(&row.search_key),
                members::sort_key.eq(&row.sort_key),
                members::sex.eq(&row.sex),
                members::birth_date.eq(row.birth_date),
                members::birth_year.eq(row.birth_year),
                members::cccd.eq(&row.cccd),
                members::cccd_legacy.eq(row.cccd_legacy),
                members::phone.eq(&row.phone),
                members::address.eq(&row.address),
                members::ethnicity_code.eq(&row.ethnicity_code),
                members::religion_code.eq(&row.religion_code),
                members::occupation.eq(&row.occupation),
                members::education.eq(&row.education),
                members::party_member.eq(row.party_member),
                members::party_joined_on.eq(row.party_joined_on),
                members::joined_on.eq(row.joined_on),
                members::card_number.eq(&row.card_number),
                members::member_type.eq(&row.member_type),
                members::pioneer.eq(row.pioneer),
                members::civil_servant.eq(row.civil_servant),
                members::version.eq(members::version + 1),
                members::updated_at.eq(diesel::dsl::now),
            ))
            .returning(MemberRow::as_returning())
            .get_result(conn)
            .await?;
        if updated.pioneer != current.pioneer {
            let reason = "Cập nhật hồ sơ hội viên / Member record updated";
            let by = caller.principal.user_id();
            set_flag(conn, id, updated.unit_id, &updated.unit_path, updated.pioneer, today, reason, by).await?;
        }
        caller
            .audit(conn, AuditEvent::new("member.update").object("member", id).unit(updated.unit_id).fields(fields))
            .await?;
        Ok::<_, ApiError>(Member::basic(updated))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(member.version))).json(member))
}

/// The member's own unit, as the unit of `row_of` for an update (unit columns are not updated).
fn placeholder_unit(current: &MemberRow) -> OrgUnitRow {
    OrgUnitRow {
        id: current.unit_id,
        level: String::new(),
        name: String::new(),
        official_code: None,
        parent_id: None,
        path: current.unit_path.clone(),
        valid_from: current.joined_on,
        valid_to: None,
        version: 1,
        created_at: current.created_at,
        updated_at: current.updated_at,
        sort_key: String::new(),
    }
}

/// Moves a member to another group (or the branch itself) of the branch she belongs to.
async fn move_within_branch(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    member: &MemberRow,
    unit_id: Uuid,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let current_unit = crate::org_units::queries::find(conn, member.unit_id).await?.ok_or(ApiError::NotFound)?;
    let branch_path = if current_unit.level == "group" {
        crate::org_units::queries::find(conn, current_unit.parent_id.unwrap_or(current_unit.id))
            .await?
            .map_or(current_unit.path.clone(), |b| b.path)
    } else {
        current_unit.path.clone()
    };
    let target = visible_unit(conn, caller, unit_id, Permission::MembersRead).await?;
    caller.require(Permission::MembersWrite, &target.path.0)?;
    require_member_unit(&target)?;
    if !crate::auth::principal::is_within(&target.path.0, &branch_path.0) {
        return Err(ApiError::invalid_field(
            "unit_id",
            "use_transfer",
            Text::new(
                "Chuyển sang chi hội khác phải làm thủ tục chuyển sinh hoạt.",
                "Moving to another branch is a transfer (POST /members/{id}/transfers).",
            ),
        ));
    }
    queries::end_placement(conn, member.id, today).await?;
    queries::start_placement(conn, member.id, target.id, &target.path, today).await?;
    queries::record_event(
        conn,
        member.id,
        "unit_change",
        today,
        "",
        Some(member.unit_id),
        Some(target.id),
        None,
        caller.principal.user_id(),
    )
    .await?;
    Ok(())
}
