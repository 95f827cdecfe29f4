//! Creating and correcting members.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::access::visible_member;
use super::models::{MemberRow, NewMemberRow};
use super::queries;
use super::validate::{self, CleanMember, check_codes, clean, patched};
use super::wire::{Member, MemberPatch, MemberType, NewMember, Sex};
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

/// Members belong to a branch or one of its groups.
pub fn require_member_unit(unit: &OrgUnitRow) -> Result<(), ApiError> {
    if unit.valid_to.is_some() {
        return Err(ApiError::invalid_field(
            "unit_id",
            "unit_closed",
            Text::new("Đơn vị này đã giải thể hoặc sáp nhập.", "This unit was closed or merged."),
        ));
    }
    if unit.level == "branch" || unit.level == "group" {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "unit_id",
            "not_a_branch_or_group",
            Text::new("Hội viên sinh hoạt ở chi hội hoặc tổ phụ nữ.", "Members belong to a branch or a women's group."),
        ))
    }
}

/// 409 when another member holds this citizen id. A caller who may see that member gets her
/// id (`duplicate_cccd`); anyone else gets `cccd_unavailable`, which names no unit, status or
/// id — only that this number cannot be registered here (uniqueness itself cannot be hidden).
pub async fn ensure_unique_cccd(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cccd: Option<&str>,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    let Some(cccd) = cccd else { return Ok(()) };
    match queries::by_cccd(conn, cccd).await? {
        Some((id, path)) if Some(id) != except && caller.can(Permission::MembersRead, &path.0) => {
            Err(ApiError::Duplicate {
                code: "duplicate_cccd",
                detail: Text::new("Số CCCD này đã có trong hệ thống.", "This citizen id is already registered."),
                field: "cccd",
                existing_id: Some(id),
            })
        }
        Some((id, _)) if Some(id) != except => Err(ApiError::Duplicate {
            code: "cccd_unavailable",
            detail: Text::new(
                "Không thể đăng ký với số CCCD này. Nếu chị chuyển đến từ đơn vị khác, hãy đề nghị chuyển sinh hoạt qua cán bộ Hội xã.",
                "This citizen id cannot be registered here. If she is moving from another unit, ask the commune officer for a transfer.",
            ),
            field: "cccd",
            existing_id: None,
        }),
        _ => Ok(()),
    }
}

pub fn row_of(clean: &CleanMember, id: Uuid, unit: &OrgUnitRow, prospect: Option<Uuid>) -> NewMemberRow {
    NewMemberRow {
        id,
        family_name: clean.family_name.clone(),
        middle_name: clean.middle_name.clone(),
        given_name: clean.given_name.clone(),
        search_key: clean.search_key.clone(),
        sort_key: clean.sort_key.clone(),
        sex: if clean.sex == Sex::Male { "male".into() } else { "female".into() },
        birth_date: clean.birth_date,
        birth_year: clean.birth_year,
        cccd: clean.cccd.clone(),
        cccd_legacy: clean.cccd_legacy,
        phone: clean.phone.clone(),
        address: clean.address.clone(),
        ethnicity_code: clean.ethnicity_code.clone(),
        religion_code: clean.religion_code.clone(),
        occupation: clean.occupation.clone(),
        education: clean.education.clone(),
        party_member: clean.party_member,
        party_joined_on: clean.party_joined_on,
        joined_on: clean.joined_on,
        card_number: clean.card_number.clone(),
        member_type: if clean.member_type == MemberType::Honorary { "honorary".into() } else { "regular".into() },
        pioneer: clean.pioneer,
        civil_servant: clean.civil_servant,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        prospect_id: prospect,
    }
}

fn sensitive_in_new(input: &NewMember) -> bool {
    validate::writes_sensitive(
        input.cccd.is_some(),
        input.ethnicity_code.is_some(),
        input.religion_code.is_some(),
        input.party_member == Some(true),
        input.party_joined_on.is_some(),
    )
}

/// Registers a member in `unit` (checks done by the caller) and records it.
pub async fn register(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    clean: &CleanMember,
    unit: &OrgUnitRow,
    prospect: Option<Uuid>,
    id: Uuid,
) -> Result<MemberRow, ApiError> {
    check_codes(conn, clean).await?;
    ensure_unique_cccd(conn, caller, clean.cccd.as_deref(), None).await?;
    let row = row_of(clean, id, unit, prospect);
    let member = queries::insert(conn, &row, unit.valid_from, caller.principal.user_id()).await?;
    if member.pioneer {
        let reason = "Khi đăng ký hội viên / At registration";
        let day = member.joined_on.max(unit.valid_from);
        set_flag(conn, member.id, member.unit_id, &member.unit_path, true, day, reason, caller.principal.user_id())
            .await?;
    }
    let event =
        AuditEvent::new("member.create").object("member", member.id).unit(unit.id).fields(changed_fields(None, clean));
    caller.audit(conn, event).await?;
    let data = serde_json::json!({"member_id": member.id, "unit_id": unit.id});
    crate::webhooks::outbox::record(conn, crate::webhooks::WebhookEvent::MemberJoined, &unit.path.0, data).await?;
    Ok(member)
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

/// Names of the fields that differ between the stored row (if any) and the clean values.
fn changed_fields(before: Option<&MemberRow>, after: &CleanMember) -> Vec<&'static str> {
    let Some(b) = before else {
        return vec![
            "family_name",
            "middle_name",
            "given_name",
            "sex",
            "birth_date",
            "birth_year",
            "cccd",
            "phone",
            "address",
            "ethnicity_code",
            "religion_code",
            "occupation",
            "education",
            "party_member",
            "party_joined_on",
            "joined_on",
            "card_number",
            "member_type",
            "pioneer",
            "civil_servant",
        ];
    };
    let sex = if after.sex == Sex::Male { "male" } else { "female" };
    let member_type = if after.member_type == MemberType::Honorary { "honorary" } else { "regular" };
    [
        (b.family_name != after.family_name, "family_name"),
        (b.middle_name != after.middle_name, "middle_name"),
        (b.given_name != after.given_name, "given_name"),
        (b.sex != sex, "sex"),
        (b.birth_date != after.birth_date, "birth_date"),
        (b.birth_year != after.birth_year, "birth_year"),
        (b.cccd != after.cccd, "cccd"),
        (b.phone != after.phone, "phone"),
        (b.address != after.address, "address"),
        (b.ethnicity_code != after.ethnicity_code, "ethnicity_code"),
        (b.religion_code != after.religion_code, "religion_code"),
        (b.occupation != after.occupation, "occupation"),
        (b.education != after.education, "education"),
        (b.party_member != after.party_member, "party_member"),
        (b.party_joined_on != after.party_joined_on, "party_joined_on"),
        (b.joined_on != after.joined_on, "joined_on"),
        (b.card_number != after.card_number, "card_number"),
        (b.member_type != member_type, "member_type"),
        (b.pioneer != after.pioneer, "pioneer"),
        (b.civil_servant != after.civil_servant, "civil_servant"),
    ]
    .into_iter()
    .filter_map(|(changed, field)| changed.then_some(field))
    .collect()
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
