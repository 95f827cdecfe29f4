//! Opening a pair (eligibility by kind, scope on both sides, one active pair of a kind per
//! mentee) and editing its text.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::access::visible_pair;
use super::kinds::{self, PairKind};
use super::models::PairRow;
use super::read::one;
use super::rules::PartyType;
use super::rules::{check_member, check_unit};
use super::wire::{NewPair, Pair, PairPatch};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, FieldIssue, IfMatch, Text, etag, precondition};
use crate::members::access::visible_member;
use crate::org_units::access::visible_unit;
use crate::prospects::access::visible_prospect;
use crate::prospects::wire::ProspectStatus;
use crate::schema::{pair_stage_events as se, pairs as p, prospects};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// A side of a new pair, found and checked.
struct Side {
    party: PartyType,
    id: Uuid,
    unit_id: Uuid,
    path: Ltree,
    issues: Vec<FieldIssue>,
}

/// Finds a side as the kind says, in the caller's `members:read` scope (404 otherwise), and
/// checks the kind's rules for it.
async fn side(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    kind: &PairKind,
    mentor: bool,
    id: Uuid,
) -> Result<Side, ApiError> {
    let (party, rules, field) = if mentor {
        (kind.mentor_type, &kind.mentor_rules, "mentor_id")
    } else {
        (kind.mentee_type, &kind.mentee_rules, "mentee_id")
    };
    match party {
        PartyType::Member => {
            let member = visible_member(conn, caller, id, Permission::MembersRead).await?;
            let issues = check_member(conn, rules, &member, field).await?;
            Ok(Side { party, id, unit_id: member.unit_id, path: member.unit_path, issues })
        }
        PartyType::Prospect => {
            let prospect = visible_prospect(conn, caller, id, false).await?;
            let mut issues = Vec::new();
            if ProspectStatus::from_stored(&prospect.status) != ProspectStatus::Open {
                issues.push(FieldIssue::new(
                    field,
                    "prospect_not_open",
                    Text::new("Người này đã vào hội hoặc thôi vận động.", "She already joined or was dropped."),
                ));
            }
            Ok(Side { party, id, unit_id: prospect.unit_id, path: prospect.unit_path, issues })
        }
        PartyType::OrgUnit => {
            let unit = visible_unit(conn, caller, id, Permission::MembersRead).await?;
            let issues = check_unit(rules, &unit, field);
            Ok(Side { party, id, unit_id: unit.id, path: unit.path, issues })
        }
    }
}

/// Open a pair
///
/// The mentee's unit owns the pair: the caller needs `members:write` there and must see the
/// mentor. Kinds whose rules read sensitive data (Party nurture, sponsor) also need
/// `members:sensitive` on both sides. Eligibility problems are 422 naming `mentor_id` or
/// `mentee_id`; a mentee already in an active pair of the kind is 422 `already_paired`.
#[utoipa::path(tag = "pairs", operation_id = "create_pair", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewPair,
    responses((status = 201, description = "Opened.", body = Pair, headers(("Location" = String, description = "URL of the pair."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[post("/pairs")]
pub async fn create_pair(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewPair>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let today = today_in_vietnam(Utc::now());
    let started_on = input.started_on.unwrap_or(today);
    let mut v = Validator::new();
    let goal = v.result(bounded_text("goal", &input.goal, 500)).unwrap_or_default();
    let notes = v.result(bounded_text("notes", &input.notes, 2000)).unwrap_or_default();
    v.check(
        started_on <= today,
        "started_on",
        "in_future",
        Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
    );
    v.check(
        input.mentor_id != input.mentee_id,
        "mentee_id",
        "same_as_mentor",
        Text::new("Hai bên của cặp phải khác nhau.", "Mentor and mentee must differ."),
    );
    v.finish()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let kind = kinds::find(conn, &input.kind).await?.filter(|k| k.active).ok_or_else(|| {
            ApiError::invalid(
                "kind",
                "unknown_kind",
                "Không có loại cặp này (hoặc đã ngừng).",
                "No such active pair kind.",
            )
        })?;
        let mentor = side(conn, &caller, &kind, true, input.mentor_id).await?;
        let mentee = side(conn, &caller, &kind, false, input.mentee_id).await?;
        caller.require(Permission::MembersWrite, &mentee.path.0)?;
        if kind.sensitive {
            caller.require(Permission::MembersSensitive, &mentee.path.0)?;
            caller.require(Permission::MembersSensitive, &mentor.path.0)?;
        }
        let mut issues: Vec<FieldIssue> = mentor.issues.iter().chain(&mentee.issues).cloned().collect();
        let busy: i64 = p::table
            .filter(p::kind.eq(&kind.code))
            .filter(p::status.eq("active"))
            .filter(
                p::mentee_member_id
                    .eq(mentee.id)
                    .or(p::mentee_prospect_id.eq(mentee.id))
                    .or(p::mentee_unit_id.eq(mentee.id)),
            )
            .count()
            .get_result(conn)
            .await?;
        if busy > 0 {
            issues.push(FieldIssue::new(
                "mentee_id",
                "already_paired",
                Text::new(
                    "Người này đã có một cặp cùng loại đang thực hiện.",
                    "She already has an active pair of this kind.",
                ),
            ));
        }
        if !issues.is_empty() {
            return Err(ApiError::Validation(issues));
        }
        let id = Uuid::now_v7();
        let of = |side: &Side, party| (side.party == party).then_some(side.id);
        let first_stage = <[String]>::first(&kind.stages).cloned();
        let row: PairRow = diesel::insert_into(p::table)
            .values((
                p::id.eq(id),
                p::kind.eq(&kind.code),
                p::unit_id.eq(mentee.unit_id),
                p::unit_path.eq(&mentee.path),
                p::mentor_path.eq(&mentor.path),
                p::mentor_member_id.eq(of(&mentor, PartyType::Member)),
                p::mentor_prospect_id.eq(of(&mentor, PartyType::Prospect)),
                p::mentor_unit_id.eq(of(&mentor, PartyType::OrgUnit)),
                p::mentee_member_id.eq(of(&mentee, PartyType::Member)),
                p::mentee_prospect_id.eq(of(&mentee, PartyType::Prospect)),
                p::mentee_unit_id.eq(of(&mentee, PartyType::OrgUnit)),
                p::started_on.eq(started_on),
                p::goal.eq(&goal),
                p::stage.eq(&first_stage),
                p::notes.eq(&notes),
                p::created_by.eq(caller.principal.user_id()),
            ))
            .returning(PairRow::as_returning())
            .get_result(conn)
            .await?;
        if let Some(stage) = first_stage {
            diesel::insert_into(se::table)
                .values((
                    se::id.eq(Uuid::now_v7()),
                    se::pair_id.eq(id),
                    se::stage.eq(stage),
                    se::reached_on.eq(started_on),
                    se::recorded_by.eq(caller.principal.user_id()),
                ))
                .execute(conn)
                .await?;
        }
        // A recruit's mentor is the member who brings the prospect in.
        if mentee.party == PartyType::Prospect && mentor.party == PartyType::Member {
            diesel::update(prospects::table.find(mentee.id))
                .set((prospects::assigned_member_id.eq(mentor.id), prospects::updated_at.eq(diesel::dsl::now)))
                .execute(conn)
                .await?;
        }
        caller
            .audit(
                conn,
                AuditEvent::new("pair.create")
                    .object("pair", id)
                    .unit(mentee.unit_id)
                    .details(serde_json::json!({"kind": kind.code})),
            )
            .await?;
        let pair = one(conn, row).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &pair)?
            .header(header::LOCATION, format!("/api/v1/pairs/{id}"))
            .header(header::ETAG, etag(pair.version)))
    })
    .await
}

/// Change a pair's goal or notes
///
/// Changes a pair's goal or notes (`If-Match` required); stages are recorded with their own
/// operation so the history stays.
#[utoipa::path(tag = "pairs", operation_id = "update_pair", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = PairPatch,
    responses((status = 200, description = "Updated.", body = Pair),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/pairs/{id}")]
pub async fn update_pair(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<PairPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let mut v = Validator::new();
    let goal = patch.goal.as_deref().and_then(|g| v.result(bounded_text("goal", g, 500)));
    let notes = patch.notes.as_deref().and_then(|n| v.result(bounded_text("notes", n, 2000)));
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let pair = in_transaction(&mut conn, async |conn| {
        let (row, _) = visible_pair(conn, &caller, id.into_inner(), true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        let current = one(conn, row.clone()).await?;
        precondition::check(&if_match, row.version, || serde_json::to_value(&current).unwrap_or_default())?;
        let updated: PairRow = diesel::update(p::table.find(row.id))
            .set((
                goal.map(|g| p::goal.eq(g)),
                notes.map(|n| p::notes.eq(n)),
                p::version.eq(p::version + 1),
                p::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PairRow::as_returning())
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("pair.update").object("pair", row.id).unit(row.unit_id).fields(["goal", "notes"]),
            )
            .await?;
        one(conn, updated).await
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(pair.version))).json(pair))
}
