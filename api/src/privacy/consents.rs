//! Legal basis and consent per member and purpose (căn cứ xử lý, sự đồng ý). Append-only: a
//! withdrawal is a new decision, and the current state of a purpose is its latest decision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Date, Nullable, Text as SqlText, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, Text};
use crate::members::access::visible_member;
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// What her data is processed for (mục đích xử lý).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingPurpose {
    /// Sổ hội viên: membership register, placements, fees.
    MembershipRegistry,
    /// Hoàn cảnh và nhu cầu: circumstances and needs ("biết hoàn cảnh", "biết nhu cầu").
    CircumstancesAndNeeds,
    /// Chương trình hỗ trợ: support ledger, pairs.
    SupportPrograms,
    /// Ảnh chân dung: the photo.
    Photo,
    /// Liên lạc qua điện thoại, Zalo.
    ContactByPhone,
    /// Chia sẻ với đối tác (ngân hàng chính sách, nhà tài trợ).
    ShareWithPartners,
}

/// Why processing is lawful (căn cứ pháp lý).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Sự đồng ý của chủ thể dữ liệu / Her consent.
    Consent,
    /// Nghĩa vụ theo luật / A legal obligation (e.g. the Union's charter and register).
    LegalObligation,
    /// Nhiệm vụ vì lợi ích công cộng / A public task.
    PublicTask,
    /// Thực hiện hợp đồng / A contract (e.g. a loan she signed).
    Contract,
    /// Bảo vệ tính mạng, sức khoẻ / Her vital interests.
    VitalInterest,
}

fn code<T: Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(ApiError::internal)
}

/// A decision recorded for one purpose.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d09", "purpose": "circumstances_and_needs",
    "legal_basis": "consent", "granted": true, "decided_on": "2026-11-02", "evidence": "Phiếu đồng ý ký ngày 02/11/2026",
    "recorded_by": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "recorded_at": "2026-11-02T09:00:00Z", "current": true}))]
pub struct ProcessingConsent {
    pub id: Uuid,
    pub purpose: ProcessingPurpose,
    pub legal_basis: LegalBasis,
    /// Đồng ý (true) hoặc rút lại / từ chối (false). For bases other than consent, `true`
    /// records that processing rests on that basis; `false` stops it.
    pub granted: bool,
    /// Day she decided (or the basis began).
    pub decided_on: NaiveDate,
    /// Bằng chứng / Where the decision is kept (signed form, minutes), up to 500 characters.
    pub evidence: String,
    /// Account that recorded it.
    pub recorded_by: Option<Uuid>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Whether this is the latest decision for its purpose (the one in force).
    pub current: bool,
}

/// A decision to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "circumstances_and_needs", "legal_basis": "consent", "granted": true,
    "decided_on": "2026-11-02", "evidence": "Phiếu đồng ý ký ngày 02/11/2026"}))]
pub struct NewProcessingConsent {
    pub purpose: ProcessingPurpose,
    pub legal_basis: LegalBasis,
    /// Đồng ý / Granted (`false` withdraws or refuses).
    pub granted: bool,
    /// Default today (Vietnam); not in the future.
    pub decided_on: Option<NaiveDate>,
    /// Bằng chứng / Where the decision is kept; up to 500 characters.
    #[serde(default)]
    pub evidence: String,
}

/// Her decisions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessingConsentList {
    /// All decisions (at most a few per purpose), newest first; `current` marks those in force.
    pub items: Vec<ProcessingConsent>,
}

#[derive(QueryableByName)]
struct ConsentRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlText)]
    purpose: String,
    #[diesel(sql_type = SqlText)]
    legal_basis: String,
    #[diesel(sql_type = Bool)]
    granted: bool,
    #[diesel(sql_type = Date)]
    decided_on: NaiveDate,
    #[diesel(sql_type = SqlText)]
    evidence: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    recorded_by: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    recorded_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    current: bool,
}

impl ConsentRow {
    fn into_wire(self) -> Result<ProcessingConsent, ApiError> {
        Ok(ProcessingConsent {
            id: self.id,
            purpose: parse(&self.purpose)?,
            legal_basis: parse(&self.legal_basis)?,
            granted: self.granted,
            decided_on: self.decided_on,
            evidence: self.evidence,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
            current: self.current,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.purpose, c.legal_basis, c.granted, c.decided_on, c.evidence, c.recorded_by,
        c.recorded_at, c.id = first_value(c.id) OVER (PARTITION BY c.purpose ORDER BY c.recorded_at DESC, c.id DESC) AS current
     FROM member_consents c";

/// A member's consents and legal bases
///
/// Every decision recorded for her, newest first, with the one in force per purpose marked
/// `current`. Bounded by nature (a few per purpose; at most 200 returned). Needs
/// `members:read` on her unit.
#[utoipa::path(
    tag = "members",
    operation_id = "list_member_consents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 200, description = "Her decisions.", body = ProcessingConsentList),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/consents")]
pub async fn list_member_consents(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let rows: Vec<ConsentRow> =
        diesel::sql_query(format!("{SELECT} WHERE c.member_id = $1 ORDER BY c.recorded_at DESC, c.id DESC LIMIT 200"))
            .bind::<SqlUuid, _>(member.id)
            .load(&mut conn)
            .await?;
    let items = rows.into_iter().map(ConsentRow::into_wire).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ProcessingConsentList { items }))
}

/// Record a consent or legal basis
///
/// Appends a decision for one purpose: consent given or withdrawn, or the other legal basis
/// processing rests on. The latest decision per purpose is in force. Needs `members:write`
/// on her unit; audited.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_consent",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Member id."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description)."),
    ),
    request_body = NewProcessingConsent,
    responses(
        (status = 201, description = "Recorded.", body = ProcessingConsent),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 422, response = crate::http::responses::Unprocessable),
    )
)]
#[post("/members/{id}/consents")]
pub async fn create_member_consent(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewProcessingConsent>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.into_inner();
    let evidence = bounded_text("evidence", &input.evidence, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let decided_on = input.decided_on.unwrap_or(today);
    if decided_on > today {
        return Err(ApiError::invalid_field(
            "decided_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        let new_id = Uuid::now_v7();
        diesel::sql_query(
            "INSERT INTO member_consents (id, member_id, purpose, legal_basis, granted, decided_on, evidence, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind::<SqlUuid, _>(new_id)
        .bind::<SqlUuid, _>(id)
        .bind::<SqlText, _>(code(input.purpose))
        .bind::<SqlText, _>(code(input.legal_basis))
        .bind::<Bool, _>(input.granted)
        .bind::<Date, _>(decided_on)
        .bind::<SqlText, _>(&evidence)
        .bind::<Nullable<SqlUuid>, _>(caller.principal.user_id())
        .execute(conn)
        .await?;
        let row: ConsentRow = diesel::sql_query(format!("SELECT * FROM ({SELECT} WHERE c.member_id = $1) x WHERE x.id = $2"))
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(new_id)
            .get_result(conn)
            .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.consent")
                    .object("member", id)
                    .unit(member.unit_id)
                    .details(serde_json::json!({"purpose": code(input.purpose), "granted": input.granted})),
            )
            .await?;
        StoredResponse::json(StatusCode::CREATED, &row.into_wire()?)
    })
    .await
}
