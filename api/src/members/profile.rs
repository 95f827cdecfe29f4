//! Circumstances (biết hoàn cảnh): a member's household poverty status and circumstance tags,
//! sensitive by law and by policy. One current profile, and every update kept with its author.

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::visible_member;
pub use super::vocabulary::{CIRCUMSTANCES, Circumstance};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, FieldIssue, IfMatch, Text, etag, precondition};
use crate::privacy::consents::ProcessingPurpose;
use crate::privacy::withdrawn::ensure_not_withdrawn;
use crate::schema::{member_profile_events as pe, member_profiles as mp};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Household poverty status (chuẩn nghèo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PovertyStatus {
    /// Không thuộc diện nghèo.
    NotPoor,
    /// Hộ cận nghèo.
    NearPoor,
    /// Hộ nghèo.
    Poor,
    /// Hộ vừa thoát nghèo.
    EscapedPoverty,
}

impl PovertyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PovertyStatus::NotPoor => "not_poor",
            PovertyStatus::NearPoor => "near_poor",
            PovertyStatus::Poor => "poor",
            PovertyStatus::EscapedPoverty => "escaped_poverty",
        }
    }

    fn parse(text: &str) -> PovertyStatus {
        match text {
            "near_poor" => PovertyStatus::NearPoor,
            "poor" => PovertyStatus::Poor,
            "escaped_poverty" => PovertyStatus::EscapedPoverty,
            _ => PovertyStatus::NotPoor,
        }
    }
}

/// A member's circumstances (hồ sơ hoàn cảnh). Sensitive.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "poverty_status": "near_poor",
    "circumstances": ["single_mother"], "notes": "Nuôi hai con nhỏ", "verified_on": "2026-11-02", "version": 3, "updated_at": "2026-11-02T09:00:00Z"}))]
pub struct Profile {
    /// The member.
    pub member_id: Uuid,
    pub poverty_status: PovertyStatus,
    /// Tags among: single_mother, widowed, disability, chronic_illness, elderly_alone,
    /// caring_for_disabled, caring_for_orphans, migrant_worker, domestic_violence, other.
    pub circumstances: Vec<String>,
    /// Free notes by the cadre.
    pub notes: String,
    /// Day a cadre last checked it with her (ngày xác minh).
    pub verified_on: Option<NaiveDate>,
    /// Version for `If-Match`; `0` while nothing is recorded.
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The whole profile to record (it replaces the current one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"poverty_status": "near_poor", "circumstances": ["single_mother"], "notes": "Nuôi hai con nhỏ", "verified_on": "2026-11-02"}))]
pub struct ProfileInput {
    pub poverty_status: PovertyStatus,
    /// Hoàn cảnh / Circumstance tags from the configured list (e.g. `single_mother`).
    #[serde(default)]
    #[schema(value_type = Vec<Circumstance>)]
    pub circumstances: Vec<String>,
    /// Ghi chú / Free notes; sensitive.
    #[serde(default)]
    pub notes: String,
    /// Default today.
    pub verified_on: Option<NaiveDate>,
}

/// One recorded version of the profile, with who recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileRevision {
    pub poverty_status: PovertyStatus,
    /// Circumstance tags at that time.
    pub circumstances: Vec<String>,
    /// Notes at that time.
    pub notes: String,
    /// Day it was checked in person.
    pub verified_on: Option<NaiveDate>,
    /// Account that recorded it.
    pub recorded_by: Option<Uuid>,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

type ProfileRow = (String, Vec<Option<String>>, String, Option<NaiveDate>, i32, DateTime<Utc>);

pub async fn current(conn: &mut AsyncPgConnection, member: Uuid) -> Result<Profile, ApiError> {
    let row: Option<ProfileRow> = mp::table
        .find(member)
        .select((mp::poverty_status, mp::circumstances, mp::notes, mp::verified_on, mp::version, mp::updated_at))
        .first(conn)
        .await
        .optional()?;
    Ok(match row {
        Some((poverty, tags, notes, verified_on, version, updated_at)) => Profile {
            member_id: member,
            poverty_status: PovertyStatus::parse(&poverty),
            circumstances: tags.into_iter().flatten().collect(),
            notes,
            verified_on,
            version,
            updated_at: Some(updated_at),
        },
        None => Profile {
            member_id: member,
            poverty_status: PovertyStatus::NotPoor,
            circumstances: Vec::new(),
            notes: String::new(),
            verified_on: None,
            version: 0,
            updated_at: None,
        },
    })
}

const PROFILE_FIELDS: [&str; 4] = ["poverty_status", "circumstances", "notes", "verified_on"];

/// Get a member's circumstances
///
/// Sensitive: needs `members:sensitive` on her unit; every read is audited.
#[utoipa::path(
    tag = "members",
    operation_id = "get_member_profile",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 200, description = "The profile (version 0 when nothing is recorded yet).", body = Profile, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/profile")]
pub async fn get_member_profile(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    ensure_not_withdrawn(&mut conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
    caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
    let profile = current(&mut conn, member.id).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.read_sensitive")
                .object("member", member.id)
                .unit(member.unit_id)
                .fields(PROFILE_FIELDS),
        )
        .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(profile.version))).json(profile))
}

/// Record a member's circumstances
///
/// Replaces the profile (`If-Match` with its ETag, `"0"` for the first time) and keeps the
/// previous one in its history with the author and date. Needs `members:sensitive`.
#[utoipa::path(
    tag = "members",
    operation_id = "replace_member_profile",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Member id."),
        ("If-Match" = String, Header, description = "ETag of the profile read (`\"0\"` when none), or `*`."),
    ),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "Recorded.", body = Profile, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[put("/members/{id}/profile")]
pub async fn replace_member_profile(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ProfileInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let mut v = Validator::new();
    for (i, tag) in input.circumstances.iter().enumerate() {
        if !CIRCUMSTANCES.contains(&tag.as_str()) {
            v.add(FieldIssue::new(
                format!("circumstances[{i}]"),
                "invalid_value",
                Text::owned(
                    format!("Giá trị cho phép: {}.", CIRCUMSTANCES.join(", ")),
                    format!("Allowed: {}.", CIRCUMSTANCES.join(", ")),
                ),
            ));
        }
    }
    let notes = v.result(bounded_text("notes", &input.notes, 2000)).unwrap_or_default();
    let verified_on = input.verified_on.unwrap_or(today);
    v.check(
        verified_on <= today,
        "verified_on",
        "in_future",
        Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
    );
    v.finish()?;
    let mut tags = input.circumstances.clone();
    tags.sort();
    tags.dedup();
    let mut conn = state.pool.get().await?;
    let profile = in_transaction(&mut conn, async |conn| {
        let member = visible_member(conn, &caller, id.into_inner(), Permission::MembersRead).await?;
        ensure_not_withdrawn(conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
        let existing: Option<i32> =
            mp::table.find(member.id).select(mp::version).for_update().first(conn).await.optional()?;
        let before = current(conn, member.id).await?;
        precondition::check(&if_match, existing.unwrap_or(0), || serde_json::to_value(&before).unwrap_or_default())?;
        let tag_values: Vec<Option<String>> = tags.iter().cloned().map(Some).collect();
        diesel::insert_into(mp::table)
            .values((
                mp::member_id.eq(member.id),
                mp::poverty_status.eq(input.poverty_status.as_str()),
                mp::circumstances.eq(&tag_values),
                mp::notes.eq(&notes),
                mp::verified_on.eq(verified_on),
                mp::verified_by.eq(caller.principal.user_id()),
            ))
            .on_conflict(mp::member_id)
            .do_update()
            .set((
                mp::poverty_status.eq(input.poverty_status.as_str()),
                mp::circumstances.eq(&tag_values),
                mp::notes.eq(&notes),
                mp::verified_on.eq(verified_on),
                mp::verified_by.eq(caller.principal.user_id()),
                mp::version.eq(mp::version + 1),
                mp::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(pe::table)
            .values((
                pe::id.eq(Uuid::now_v7()),
                pe::member_id.eq(member.id),
                pe::poverty_status.eq(input.poverty_status.as_str()),
                pe::circumstances.eq(&tag_values),
                pe::notes.eq(&notes),
                pe::verified_on.eq(verified_on),
                pe::recorded_by.eq(caller.principal.user_id()),
            ))
            .execute(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.profile_update")
                    .object("member", member.id)
                    .unit(member.unit_id)
                    .fields(PROFILE_FIELDS),
            )
            .await?;
        current(conn, member.id).await
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(profile.version))).json(profile))
}

/// A member's circumstance history
///
/// Every recorded version, newest first (at most 200). Sensitive and audited.
#[utoipa::path(
    tag = "members",
    operation_id = "list_member_profile_revisions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 200, description = "The revisions.", body = Vec<ProfileRevision>),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/profile/revisions")]
pub async fn list_member_profile_revisions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<ProfileRevision>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    ensure_not_withdrawn(&mut conn, member.id, ProcessingPurpose::CircumstancesAndNeeds).await?;
    caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
    let rows: Vec<RevisionRow> = pe::table
        .filter(pe::member_id.eq(member.id))
        .select((pe::poverty_status, pe::circumstances, pe::notes, pe::verified_on, pe::recorded_by, pe::recorded_at))
        .order(pe::recorded_at.desc())
        .limit(200)
        .load(&mut conn)
        .await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.read_sensitive")
                .object("member", member.id)
                .unit(member.unit_id)
                .fields(PROFILE_FIELDS)
                .details(serde_json::json!({"history": true})),
        )
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(poverty, tags, notes, verified_on, recorded_by, recorded_at)| ProfileRevision {
                poverty_status: PovertyStatus::parse(&poverty),
                circumstances: tags.into_iter().flatten().collect(),
                notes,
                verified_on,
                recorded_by,
                recorded_at,
            })
            .collect(),
    ))
}

/// Poverty status, circumstance tags, notes, verified on, recorded by, recorded at.
type RevisionRow = (String, Vec<Option<String>>, String, Option<NaiveDate>, Option<Uuid>, DateTime<Utc>);
