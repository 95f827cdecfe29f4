//! Reading pairs: who sees one (either side in scope; sensitive kinds need `members:sensitive`),
//! and turning rows into the wire shape with names and stages.

use std::collections::HashMap;

use actix_web::{get, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::{can_see, visible_pair};
use super::models::PairRow;
use super::rules::PartyType;
use super::wire::{Pair, PairListQuery, PairPage, PairStatus, Party, StageReached};
use crate::auth::{Caller, Permission};
use crate::http::codes::known_code;
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::members::access::visible_member;
use crate::members::wire::full_name;
use crate::org_units::access::visible_unit;
use crate::schema::{members, org_units, pair_kinds, pair_stage_events as se, pairs as p, prospects};
use crate::state::AppState;

/// Names of the parties of these pairs, by id.
async fn names(conn: &mut AsyncPgConnection, rows: &[PairRow]) -> Result<HashMap<Uuid, String>, ApiError> {
    let ids = |pick: fn(&PairRow) -> [Option<Uuid>; 2]| -> Vec<Uuid> { rows.iter().flat_map(pick).flatten().collect() };
    let member_ids = ids(|r| [r.mentor_member_id, r.mentee_member_id]);
    let prospect_ids = ids(|r| [r.mentor_prospect_id, r.mentee_prospect_id]);
    let unit_ids = ids(|r| [r.mentor_unit_id, r.mentee_unit_id]);
    let mut out = HashMap::new();
    let people: Vec<(Uuid, String, String, String)> = members::table
        .filter(members::id.eq_any(&member_ids))
        .select((members::id, members::family_name, members::middle_name, members::given_name))
        .load(conn)
        .await?;
    let candidates: Vec<(Uuid, String, String, String)> = prospects::table
        .filter(prospects::id.eq_any(&prospect_ids))
        .select((prospects::id, prospects::family_name, prospects::middle_name, prospects::given_name))
        .load(conn)
        .await?;
    for (id, family, middle, given) in people.into_iter().chain(candidates) {
        out.insert(id, full_name(&family, &middle, &given));
    }
    let units: Vec<(Uuid, String)> = org_units::table
        .filter(org_units::id.eq_any(&unit_ids))
        .select((org_units::id, org_units::name))
        .load(conn)
        .await?;
    out.extend(units);
    Ok(out)
}

fn party(member: Option<Uuid>, prospect: Option<Uuid>, unit: Option<Uuid>, names: &HashMap<Uuid, String>) -> Party {
    let (party_type, id) = match (member, prospect, unit) {
        (Some(id), _, _) => (PartyType::Member, id),
        (_, Some(id), _) => (PartyType::Prospect, id),
        (_, _, id) => (PartyType::OrgUnit, id.unwrap_or_default()),
    };
    Party { party_type, id, name: names.get(&id).cloned().unwrap_or_default() }
}

/// Rows in wire shape, with names and stage histories (three queries, whatever the count).
pub async fn to_wire(conn: &mut AsyncPgConnection, rows: Vec<PairRow>) -> Result<Vec<Pair>, ApiError> {
    let names = names(conn, &rows).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let events: Vec<(Uuid, String, chrono::NaiveDate, bool, String)> = se::table
        .filter(se::pair_id.eq_any(&ids))
        .select((se::pair_id, se::stage, se::reached_on, se::reverted, se::reason))
        .order((se::recorded_at.asc(), se::id.asc()))
        .load(conn)
        .await?;
    let mut stages: HashMap<Uuid, Vec<StageReached>> = HashMap::new();
    for (pair, stage, reached_on, reverted, reason) in events {
        stages.entry(pair).or_default().push(StageReached { stage, reached_on, reverted, reason });
    }
    Ok(rows
        .into_iter()
        .map(|r| Pair {
            id: r.id,
            kind: r.kind,
            unit_id: r.unit_id,
            mentor: party(r.mentor_member_id, r.mentor_prospect_id, r.mentor_unit_id, &names),
            mentee: party(r.mentee_member_id, r.mentee_prospect_id, r.mentee_unit_id, &names),
            started_on: r.started_on,
            ended_on: r.ended_on,
            status: PairStatus::parse(&r.status),
            goal: r.goal,
            stage: r.stage,
            stages: stages.remove(&r.id).unwrap_or_default(),
            outcome: r.outcome,
            result_member_id: r.result_member_id,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

pub async fn one(conn: &mut AsyncPgConnection, row: PairRow) -> Result<Pair, ApiError> {
    to_wire(conn, vec![row]).await?.pop().ok_or(ApiError::NotFound)
}

/// Codes of the sensitive kinds.
async fn sensitive_kinds(conn: &mut AsyncPgConnection) -> Result<Vec<String>, ApiError> {
    Ok(pair_kinds::table.filter(pair_kinds::sensitive.eq(true)).select(pair_kinds::code).load(conn).await?)
}

/// List pairs
///
/// Pairs with either side in the caller's scope (`members:read`); pairs of sensitive kinds
/// (Party nurture, sponsor) only where she also has `members:sensitive`. Newest first.
#[utoipa::path(tag = "pairs", operation_id = "list_pairs", security(("bearer" = [])),
    params(PairListQuery),
    responses((status = 200, description = "A page of pairs.", body = PairPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/pairs")]
pub async fn list_pairs(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<PairListQuery>,
) -> Result<web::Json<Page<Pair>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let read = caller.scope(Permission::MembersRead)?.paths();
    let sensitive_scope = caller.principal.scope(Permission::MembersSensitive);
    let sensitive_scope: Vec<diesel_ltree::Ltree> = sensitive_scope.into_iter().map(diesel_ltree::Ltree).collect();
    let mut conn = state.pool.get().await?;
    let hidden_kinds = sensitive_kinds(&mut conn).await?;
    let mut select = p::table
        .select(PairRow::as_select())
        .filter(p::unit_path.contained_by_any(read.clone()).or(p::mentor_path.contained_by_any(read)))
        .filter(
            p::kind
                .ne_all(hidden_kinds)
                .or(p::unit_path.contained_by_any(sensitive_scope.clone()))
                .or(p::mentor_path.contained_by_any(sensitive_scope)),
        )
        .order(p::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(unit) = query.unit {
        let unit = visible_unit(&mut conn, &caller, unit, Permission::MembersRead).await?;
        select = select.filter(p::unit_path.contained_by(unit.path));
    }
    if let Some(kind) = &query.kind {
        let kinds: Vec<String> = pair_kinds::table.select(pair_kinds::code).load(&mut conn).await?;
        known_code("kind", kind, &kinds)?;
        select = select.filter(p::kind.eq(kind.clone()));
    }
    if let Some(status) = query.status {
        select = select.filter(p::status.eq(status.as_str()));
    }
    if let Some(stage) = &query.stage {
        // The stages of the kind asked for, or of every kind.
        let mut stages_of = pair_kinds::table.select(pair_kinds::stages).into_boxed();
        if let Some(kind) = &query.kind {
            stages_of = stages_of.filter(pair_kinds::code.eq(kind.clone()));
        }
        let mut stages: Vec<String> =
            stages_of.load::<Vec<Option<String>>>(&mut conn).await?.into_iter().flatten().flatten().collect();
        stages.sort();
        stages.dedup();
        known_code("stage", stage, &stages)?;
        select = select.filter(p::stage.eq(stage.clone()));
    }
    if let Some(mentor) = query.mentor_id {
        select = select.filter(
            p::mentor_member_id.eq(mentor).or(p::mentor_prospect_id.eq(mentor)).or(p::mentor_unit_id.eq(mentor)),
        );
    }
    if let Some(mentee) = query.mentee_id {
        select = select.filter(
            p::mentee_member_id.eq(mentee).or(p::mentee_prospect_id.eq(mentee)).or(p::mentee_unit_id.eq(mentee)),
        );
    }
    if let Some(before) = page.after {
        select = select.filter(p::id.lt(before));
    }
    let rows: Vec<PairRow> = select.load(&mut conn).await?;
    let next = Page::from_rows(rows, page.limit, |r| r.id, |r| r);
    Ok(web::Json(Page { items: to_wire(&mut conn, next.items).await?, next_cursor: next.next_cursor }))
}

/// Get a pair
///
/// One "1+1" pair: the two people, its kind, current stage, goal, notes and status, with its
/// `ETag`.
#[utoipa::path(tag = "pairs", operation_id = "get_pair", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Pair id.")),
    responses((status = 200, description = "The pair.", body = Pair, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/pairs/{id}")]
pub async fn get_pair(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (row, _) = visible_pair(&mut conn, &caller, id.into_inner(), false).await?;
    let pair = one(&mut conn, row).await?;
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, crate::http::etag(pair.version)))
        .json(pair))
}

/// List a member's pairs
///
/// The pairs she is in, as mentor or mentee, that the caller may see; newest first.
#[utoipa::path(tag = "pairs", operation_id = "list_member_pairs", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses((status = 200, description = "Her pairs (at most 200).", body = Vec<Pair>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/pairs")]
pub async fn list_member_pairs(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Pair>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let rows: Vec<PairRow> = p::table
        .select(PairRow::as_select())
        .filter(p::mentor_member_id.eq(member.id).or(p::mentee_member_id.eq(member.id)))
        .order(p::id.desc())
        .limit(200)
        .load(&mut conn)
        .await?;
    let hidden = sensitive_kinds(&mut conn).await?;
    let rows: Vec<PairRow> = rows.into_iter().filter(|r| can_see(&caller, r, hidden.contains(&r.kind))).collect();
    Ok(web::Json(to_wire(&mut conn, rows).await?))
}
