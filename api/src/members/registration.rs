//! Registering a member: the one path every way in takes (`POST /members`, a prospect converted, an import, the seed, a transfer into a new unit) — unit and citizen-id checks, the row, the pioneer flag, the audit and the outbox event.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::access::sees_placement;
use super::models::{MemberRow, NewMemberRow};
use super::queries;
use super::validate::{CleanMember, check_codes};
use super::wire::{MemberType, Sex};
use crate::audit::AuditEvent;
use crate::auth::Caller;
use crate::http::{ApiError, Text};
use crate::org_units::models::OrgUnitRow;
use crate::pioneers::set_flag;

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
        Some((id, path)) if Some(id) != except && sees_placement(caller, &path) => Err(ApiError::Duplicate {
            code: "duplicate_cccd",
            detail: Text::new("Số CCCD này đã có trong hệ thống.", "This citizen id is already registered."),
            field: "cccd",
            existing_id: Some(id),
        }),
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

/// Names of the fields that differ between the stored row (if any) and the clean values.
pub(super) fn changed_fields(before: Option<&MemberRow>, after: &CleanMember) -> Vec<&'static str> {
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
