//! Erasure (quyền xóa dữ liệu): a member who has left, been removed or died is anonymized. Her
//! rows stay, so every count, ratio and sum of every period stays as it was; what identifies
//! her or describes her life is purged. Members still active are refused: the union keeps a
//! register of its members by law (record her leaving first).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::members::access::visible_member;
use crate::members::queries;
use crate::members::wire::MemberStatus;
use crate::schema::member_erasures;
use crate::state::AppState;

/// What an erasure purges, by table and field; also the audit record's field list.
pub const PURGED: [&str; 24] = [
    "members.family_name",
    "members.middle_name",
    "members.given_name",
    "members.birth_date",
    "members.cccd",
    "members.phone",
    "members.address",
    "members.ethnicity_code",
    "members.religion_code",
    "members.occupation",
    "members.education",
    "members.party_member",
    "members.party_joined_on",
    "members.card_number",
    "member_profiles.circumstances",
    "member_profiles.notes",
    "member_profile_events.circumstances",
    "member_profile_events.notes",
    "member_needs.description",
    "member_contacts.note",
    "member_photos",
    "support_entries.notes",
    "attendance.note",
    "prospects.name_phone_address_notes",
];

/// The statements of an erasure, in order; `$1` is the member. The pseudonym keeps her record
/// apart from others' in lists without naming her.
const STATEMENTS: [&str; 11] = [
    "UPDATE members SET family_name = 'Ẩn danh', middle_name = '',
         given_name = 'HV-' || upper(substr(replace(id::text, '-', ''), 25, 8)),
         search_key = 'an danh hv-' || substr(replace(id::text, '-', ''), 25, 8),
         sort_key = '~', birth_date = NULL, cccd = NULL, cccd_legacy = false, phone = NULL, address = '',
         ethnicity_code = NULL, religion_code = NULL, occupation = '', education = '',
         party_member = false, party_joined_on = NULL,
         card_number = CASE WHEN card_number IS NULL THEN NULL
                            ELSE 'XOA-' || upper(substr(replace(id::text, '-', ''), 25, 8)) END,
         version = version + 1, updated_at = now()
     WHERE id = $1",
    "UPDATE member_profiles SET circumstances = '{}', notes = '', version = version + 1, updated_at = now()
     WHERE member_id = $1",
    "UPDATE member_profile_events SET circumstances = '{}', notes = '' WHERE member_id = $1",
    "UPDATE member_needs SET description = '', version = version + 1, updated_at = now() WHERE member_id = $1",
    "UPDATE member_contacts SET note = '' WHERE member_id = $1",
    "DELETE FROM member_photos WHERE member_id = $1",
    "UPDATE support_entries SET notes = '', follow_up = '' WHERE member_id = $1",
    "UPDATE support_revisions r SET snapshot = r.snapshot || '{\"notes\": \"\", \"follow_up\": \"\"}'::jsonb
     FROM support_entries s WHERE s.id = r.entry_id AND s.member_id = $1",
    "UPDATE attendance SET note = '' WHERE member_id = $1",
    "UPDATE pair_checkins c SET note = '(đã xoá / erased)' FROM pairs p
     WHERE p.id = c.pair_id AND p.mentee_member_id = $1",
    "UPDATE prospects p SET family_name = 'Ẩn danh', middle_name = '', given_name = m.given_name,
         search_key = m.search_key, sort_key = '~', birth_date = NULL, phone = NULL, address = '', notes = ''
     FROM members m WHERE m.id = $1 AND p.id = m.prospect_id",
];

/// Why the record was anonymized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErasureBasis {
    /// Theo yêu cầu của chủ thể dữ liệu / At her request (or her family's, after death).
    Request,
    /// Hết thời hạn lưu trữ / Her retention period ran out.
    Retention,
}

/// The record of an erasure (bản ghi xóa dữ liệu).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "basis": "request",
    "reason": "Theo đơn ngày 20/11/2026", "erased_at": "2026-11-29T09:00:00Z", "purged": ["members.cccd"]}))]
pub struct Erasure {
    /// The member, still counted in every past figure under a pseudonym.
    pub member_id: Uuid,
    pub basis: ErasureBasis,
    /// Lý do / Why, as recorded.
    pub reason: String,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// Fields purged (table.field).
    pub purged: Vec<String>,
}

/// An erasure to perform.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Theo đơn ngày 20/11/2026", "data_request_id": null}))]
pub struct NewErasure {
    /// Lý do / Why (1–500 characters), e.g. the request it answers.
    pub reason: String,
    /// Her deletion request (`/me/data-requests`) this answers; marked done.
    pub data_request_id: Option<Uuid>,
}

/// Anonymizes `member` (in the caller's transaction) and records why.
pub async fn anonymize(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    basis: ErasureBasis,
    reason: &str,
    erased_by: Option<Uuid>,
) -> Result<DateTime<Utc>, ApiError> {
    for statement in STATEMENTS {
        diesel::sql_query(statement).bind::<SqlUuid, _>(member).execute(conn).await?;
    }
    Ok(diesel::insert_into(member_erasures::table)
        .values((
            member_erasures::member_id.eq(member),
            member_erasures::basis.eq(if basis == ErasureBasis::Request { "request" } else { "retention" }),
            member_erasures::reason.eq(reason),
            member_erasures::erased_by.eq(erased_by),
        ))
        .returning(member_erasures::erased_at)
        .get_result(conn)
        .await?)
}

/// Erase a member's personal data
///
/// Quyền xóa dữ liệu / Erasure (Law 91/2025/QH15): anonymizes a member who has left, been
/// removed or died — names become a pseudonym; CCCD, phone, birth date, address, ethnicity,
/// religion, Party membership, occupation, education, circumstances and notes, needs'
/// descriptions, contact notes, support notes, the photo and her prospect record are purged.
/// Her rows stay (placements, events, attendance, support amounts, pairs), so every figure of
/// every period is unchanged. Members still active get 409 `member_active`; a second erasure
/// 409 `already_erased`. Needs `members:write` and `members:sensitive` on her unit; audited
/// with the purged field names. Cannot be undone (restore a backup for a mistaken erasure).
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_erasure",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Member id."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description)."),
    ),
    request_body = NewErasure,
    responses(
        (status = 201, description = "Anonymized.", body = Erasure),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
        (status = 422, response = crate::http::responses::Unprocessable),
    )
)]
#[post("/members/{id}/erasure")]
pub async fn create_member_erasure(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewErasure>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    if reason.is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "required",
            Text::new("Cần ghi lý do xoá.", "A reason is required."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let visible = visible_member(conn, &caller, id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &visible.unit_path.0)?;
        caller.require(Permission::MembersSensitive, &visible.unit_path.0)?;
        let current = queries::find_for_update(conn, id).await?.ok_or(ApiError::NotFound)?;
        if matches!(current.status(), MemberStatus::Active | MemberStatus::Transferring) {
            return Err(ApiError::state_conflict(
                "member_active",
                "Hội viên đang sinh hoạt: ghi nhận ra hội trước khi xoá dữ liệu.",
                "She is still a member: record her leaving before erasing her data.",
            ));
        }
        let erased: bool = diesel::select(exists(member_erasures::table.find(id))).get_result(conn).await?;
        if erased {
            return Err(ApiError::state_conflict(
                "already_erased",
                "Dữ liệu đã được xoá.",
                "Her data was already erased.",
            ));
        }
        let erased_at = anonymize(conn, id, ErasureBasis::Request, &reason, caller.principal.user_id()).await?;
        if let Some(request_id) = input.data_request_id {
            let updated = diesel::sql_query(
                "UPDATE data_requests SET status = 'done' WHERE id = $1 AND member_id = $2 AND kind = 'deletion'",
            )
            .bind::<SqlUuid, _>(request_id)
            .bind::<SqlUuid, _>(id)
            .execute(conn)
            .await?;
            if updated == 0 {
                return Err(ApiError::invalid_field(
                    "data_request_id",
                    "not_found",
                    Text::new("Không có yêu cầu xoá này của hội viên.", "No such deletion request of hers."),
                ));
            }
        }
        caller
            .audit(
                conn,
                AuditEvent::new("member.erased")
                    .object("member", id)
                    .unit(current.unit_id)
                    .fields(PURGED)
                    .details(serde_json::json!({"basis": "request"})),
            )
            .await?;
        let erasure = Erasure {
            member_id: id,
            basis: ErasureBasis::Request,
            reason: reason.clone(),
            erased_at,
            purged: PURGED.iter().map(|f| (*f).to_owned()).collect(),
        };
        StoredResponse::json(StatusCode::CREATED, &erasure)
    })
    .await
}
