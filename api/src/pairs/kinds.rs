//! Pair kinds (loại cặp): seeded (`recruit`, `party_nurture`, `sponsor`, `branch_twin`,
//! `knowledge_share`) and extensible by administrators of the whole installation.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::{PartyType, Rule};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text, optional_name};
use crate::http::{ApiError, ApiJson, IfMatch, Text, etag, precondition};
use crate::schema::pair_kinds as k;
use crate::state::AppState;

/// A kind of pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "party_nurture", "name_vi": "Bồi dưỡng giới thiệu đảng viên", "name_en": "Nurture for Party admission",
    "mentor_type": "member", "mentee_type": "member", "mentor_rules": ["active_member", "party_member"],
    "mentee_rules": ["active_member", "nurture_candidate"], "stages": ["nurturing", "introduced", "admitted"],
    "achieved_stage": "admitted", "sensitive": true, "active": true, "version": 1}))]
pub struct PairKind {
    /// Stable code (`recruit`, `party_nurture`, …).
    pub code: String,
    /// Tên loại cặp.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    pub mentor_type: PartyType,
    pub mentee_type: PartyType,
    /// Rules the mentor must meet (see `Rule`).
    pub mentor_rules: Vec<Rule>,
    /// Rules the mentee must meet.
    pub mentee_rules: Vec<Rule>,
    /// Ordered stages (empty: the kind has none).
    pub stages: Vec<String>,
    /// Reaching this stage achieves the pair; `null`: achieved by closing it.
    pub achieved_stage: Option<String>,
    /// Its rules read sensitive data, so its pairs need `members:sensitive`.
    pub sensitive: bool,
    /// Inactive kinds take no new pairs.
    pub active: bool,
    /// Version for `If-Match`.
    pub version: i32,
}

/// A new kind of pair.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "youth_mentor", "name_vi": "Hội viên giúp đoàn viên nữ", "name_en": "Member mentors a young woman",
    "mentor_type": "member", "mentee_type": "prospect", "mentor_rules": ["active_member"], "stages": ["met", "joined_activity"]}))]
pub struct NewPairKind {
    /// Lower-case code, 2–40 characters (`a-z`, `0-9`, `_`).
    pub code: String,
    /// Tên loại cặp.
    pub name_vi: String,
    /// Name in English.
    pub name_en: String,
    pub mentor_type: PartyType,
    pub mentee_type: PartyType,
    /// Rules the mentor must meet.
    #[serde(default)]
    pub mentor_rules: Vec<Rule>,
    /// Rules the mentee must meet.
    #[serde(default)]
    pub mentee_rules: Vec<Rule>,
    /// Ordered stages; fixed once created.
    #[serde(default)]
    pub stages: Vec<String>,
    /// One of `stages`, reaching which achieves the pair.
    pub achieved_stage: Option<String>,
}

/// Changes to a kind (stages are fixed: pairs refer to them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name_vi": "Vận động phụ nữ vào hội", "active": true}))]
pub struct PairKindPatch {
    /// Tên loại cặp.
    pub name_vi: Option<String>,
    /// Name in English.
    pub name_en: Option<String>,
    /// Rules the mentor must meet (replaces the list).
    pub mentor_rules: Option<Vec<Rule>>,
    /// Rules the mentee must meet (replaces the list).
    pub mentee_rules: Option<Vec<Rule>>,
    /// `false` stops new pairs of this kind; existing ones go on.
    pub active: Option<bool>,
}

/// A pair kind as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = k, check_for_backend(diesel::pg::Pg))]
struct Row {
    code: String,
    name_vi: String,
    name_en: String,
    mentor_type: String,
    mentee_type: String,
    mentor_rules: Vec<Option<String>>,
    mentee_rules: Vec<Option<String>>,
    stages: Vec<Option<String>>,
    achieved_stage: Option<String>,
    sensitive: bool,
    active: bool,
    version: i32,
}

fn to_wire(r: Row) -> PairKind {
    PairKind {
        mentor_type: PartyType::parse(&r.mentor_type),
        mentee_type: PartyType::parse(&r.mentee_type),
        mentor_rules: r.mentor_rules.iter().flatten().filter_map(|s| Rule::parse(s)).collect(),
        mentee_rules: r.mentee_rules.iter().flatten().filter_map(|s| Rule::parse(s)).collect(),
        stages: r.stages.into_iter().flatten().collect(),
        code: r.code,
        name_vi: r.name_vi,
        name_en: r.name_en,
        achieved_stage: r.achieved_stage,
        sensitive: r.sensitive,
        active: r.active,
        version: r.version,
    }
}

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> Result<Option<PairKind>, ApiError> {
    let row: Option<Row> = k::table.find(code).select(Row::as_select()).first(conn).await.optional()?;
    Ok(row.map(to_wire))
}

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.principal.can_globally(Permission::SettingsWrite) { Ok(()) } else { Err(ApiError::Forbidden) }
}

fn rule_names(rules: &[Rule]) -> Vec<String> {
    rules.iter().map(|r| r.as_str().to_owned()).collect()
}

/// Rules must fit the side they apply to (member rules for members, `branch` for units).
fn check_rules(v: &mut Validator, field: &str, party: PartyType, rules: &[Rule]) {
    for (i, rule) in rules.iter().enumerate() {
        v.check(
            rule.applies_to() == party,
            &format!("{field}[{i}]"),
            "rule_not_applicable",
            Text::new(
                "Điều kiện không áp dụng cho loại đối tượng này.",
                "This rule does not apply to that kind of party.",
            ),
        );
    }
}

/// List pair kinds
///
/// The kinds of "1+1" pairs (loại cặp) with their stages, in Vietnamese and English. Any signed-in
/// caller may read it.
#[utoipa::path(tag = "pairs", operation_id = "list_pair_kinds", security(("bearer" = []), ("client_credentials" = [])),
    responses((status = 200, description = "Every kind (a short list, not paginated).", body = Vec<PairKind>),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/pair-kinds")]
pub async fn list_pair_kinds(
    _caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<PairKind>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let rows: Vec<Row> = k::table.select(Row::as_select()).order(k::code.asc()).limit(200).load(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(to_wire).collect()))
}

/// Add a pair kind
///
/// For communes that invent new "1+1" forms. Needs `settings:write` on the root.
#[utoipa::path(tag = "pairs", operation_id = "create_pair_kind", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewPairKind,
    responses((status = 201, description = "Created.", body = PairKind),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 409, response = crate::http::responses::Conflict)))]
#[post("/pair-kinds")]
pub async fn create_pair_kind(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewPairKind>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let input = body.into_inner();
    let mut v = Validator::new();
    v.check(
        input.code.len() >= 2
            && input.code.len() <= 40
            && input.code.starts_with(|c: char| c.is_ascii_lowercase())
            && input.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "code",
        "invalid_format",
        Text::new("Mã gồm 2–40 ký tự a-z, 0-9, _.", "2–40 characters a-z, 0-9, _."),
    );
    let name_vi = v.result(bounded_text("name_vi", &input.name_vi, 200)).unwrap_or_default();
    let name_en = v.result(bounded_text("name_en", &input.name_en, 200)).unwrap_or_default();
    v.check(
        !name_vi.is_empty(),
        "name_vi",
        "required",
        Text::new("Cần tên tiếng Việt.", "A Vietnamese name is required."),
    );
    check_rules(&mut v, "mentor_rules", input.mentor_type, &input.mentor_rules);
    check_rules(&mut v, "mentee_rules", input.mentee_type, &input.mentee_rules);
    for (i, stage) in input.stages.iter().enumerate() {
        v.check(
            !stage.is_empty()
                && stage.len() <= 40
                && stage.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !input.stages[..i].contains(stage),
            &format!("stages[{i}]"),
            "invalid_format",
            Text::new("Giai đoạn: mã a-z và _, không trùng.", "Stages are distinct codes of a-z and _."),
        );
    }
    if let Some(achieved) = &input.achieved_stage {
        v.check(
            input.stages.contains(achieved),
            "achieved_stage",
            "not_a_stage",
            Text::new("Phải là một trong các giai đoạn.", "Must be one of the stages."),
        );
    }
    v.finish()?;
    let sensitive = input.mentor_rules.iter().chain(&input.mentee_rules).any(|r| r.is_sensitive());
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row: Option<Row> = diesel::insert_into(k::table)
            .values((
                k::code.eq(&input.code),
                k::name_vi.eq(&name_vi),
                k::name_en.eq(&name_en),
                k::mentor_type.eq(input.mentor_type.as_str()),
                k::mentee_type.eq(input.mentee_type.as_str()),
                k::mentor_rules.eq(rule_names(&input.mentor_rules)),
                k::mentee_rules.eq(rule_names(&input.mentee_rules)),
                k::stages.eq(&input.stages),
                k::achieved_stage.eq(&input.achieved_stage),
                k::sensitive.eq(sensitive),
            ))
            .on_conflict_do_nothing()
            .returning(Row::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let kind = to_wire(row.ok_or(ApiError::Conflict {
            code: "pair_kind_exists",
            detail: Text::new("Đã có loại cặp với mã này.", "A pair kind with this code exists."),
            field: Some("code".into()),
        })?);
        caller.audit(conn, AuditEvent::new("pair_kind.create").details(serde_json::json!({"code": kind.code}))).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &kind)?.header(header::ETAG, etag(kind.version)))
    })
    .await
}

/// Change a pair kind
///
/// Names, rules, or `active`. Needs `settings:write` on the root and `If-Match`.
#[utoipa::path(tag = "pairs", operation_id = "update_pair_kind", security(("bearer" = [])),
    params(("code" = String, Path, description = "Kind code."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = PairKindPatch,
    responses((status = 200, description = "Updated.", body = PairKind),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/pair-kinds/{code}")]
pub async fn update_pair_kind(
    caller: Caller,
    state: web::Data<AppState>,
    code: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<PairKindPatch>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&caller)?;
    let code = code.into_inner();
    let patch = body.into_inner();
    let mut v = Validator::new();
    let name_vi = optional_name(&mut v, "name_vi", patch.name_vi.as_deref(), 200);
    let name_en = optional_name(&mut v, "name_en", patch.name_en.as_deref(), 200);
    let mut conn = state.pool.get().await?;
    let kind = in_transaction(&mut conn, async |conn| {
        let current: Row = k::table
            .find(&code)
            .select(Row::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(ApiError::NotFound)?;
        let current = to_wire(current);
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        if let Some(rules) = &patch.mentor_rules {
            check_rules(&mut v, "mentor_rules", current.mentor_type, rules);
        }
        if let Some(rules) = &patch.mentee_rules {
            check_rules(&mut v, "mentee_rules", current.mentee_type, rules);
        }
        v.finish()?;
        let mentor_rules = patch.mentor_rules.clone().unwrap_or(current.mentor_rules.clone());
        let mentee_rules = patch.mentee_rules.clone().unwrap_or(current.mentee_rules.clone());
        let sensitive = mentor_rules.iter().chain(&mentee_rules).any(|r| r.is_sensitive());
        let row: Row = diesel::update(k::table.find(&code))
            .set((
                name_vi.map(|n| k::name_vi.eq(n)),
                name_en.map(|n| k::name_en.eq(n)),
                k::mentor_rules.eq(rule_names(&mentor_rules)),
                k::mentee_rules.eq(rule_names(&mentee_rules)),
                k::sensitive.eq(sensitive),
                patch.active.map(|a| k::active.eq(a)),
                k::version.eq(k::version + 1),
                k::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Row::as_returning())
            .get_result(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("pair_kind.update").details(serde_json::json!({"code": code}))).await?;
        Ok::<_, ApiError>(to_wire(row))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(kind.version))).json(kind))
}
