//! Contacts and visits (biết mặt): who met her, when, and how. The latest contact is kept on the
//! member too, for "no contact in N months" lists.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::visible_member;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, ApiQuery, Page, PageRequest, Text};
use crate::schema::{member_contacts as c, members};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// How she was met (hình thức).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    /// Đến nhà.
    HomeVisit,
    /// Gặp tại buổi sinh hoạt.
    Meeting,
    /// Điện thoại.
    Phone,
    /// Nhắn tin, gọi qua Zalo.
    Zalo,
    Other,
}

fn method_str(m: ContactMethod) -> &'static str {
    match m {
        ContactMethod::HomeVisit => "home_visit",
        ContactMethod::Meeting => "meeting",
        ContactMethod::Phone => "phone",
        ContactMethod::Zalo => "zalo",
        ContactMethod::Other => "other",
    }
}

/// One contact with a member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    pub id: Uuid,
    /// The member contacted.
    pub member_id: Uuid,
    /// Day of the contact.
    pub contacted_on: NaiveDate,
    pub method: ContactMethod,
    /// The cadre's account.
    pub contacted_by: Option<Uuid>,
    /// What was said or seen.
    pub note: String,
    pub created_at: DateTime<Utc>,
}

crate::page_schema!(ContactPage, Contact, "contacts");

/// A contact to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contacted_on": "2026-11-02", "method": "home_visit", "note": "Con gái ốm, cần hỗ trợ khám bệnh"}))]
pub struct NewContact {
    /// Mã do ứng dụng tạo khi ngoại tuyến / An id the client made offline (UUIDv7); by default
    /// the server makes one. A taken id is `409 id_exists`.
    pub id: Option<Uuid>,
    /// Default today; not in the future.
    pub contacted_on: Option<NaiveDate>,
    pub method: ContactMethod,
    /// Ghi chú / What came up (kept short; no sensitive details).
    #[serde(default)]
    pub note: String,
}

/// Query of a member's contacts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

type Row = (Uuid, Uuid, NaiveDate, String, Option<Uuid>, String, DateTime<Utc>);

/// These contacts, where their member is within `scope` (for the sync feed).
pub(crate) async fn by_ids(
    conn: &mut diesel_async::AsyncPgConnection,
    ids: &[Uuid],
    scope: Vec<diesel_ltree::Ltree>,
) -> Result<Vec<Contact>, ApiError> {
    use diesel_ltree::LtreeExtensions;
    let rows: Vec<Row> = c::table
        .inner_join(members::table)
        .filter(c::id.eq_any(ids))
        .filter(members::unit_path.contained_by_any(scope))
        .select((c::id, c::member_id, c::contacted_on, c::method, c::contacted_by, c::note, c::created_at))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(to_wire).collect())
}

fn to_wire(r: Row) -> Contact {
    let method = match r.3.as_str() {
        "home_visit" => ContactMethod::HomeVisit,
        "meeting" => ContactMethod::Meeting,
        "phone" => ContactMethod::Phone,
        "zalo" => ContactMethod::Zalo,
        _ => ContactMethod::Other,
    };
    Contact { id: r.0, member_id: r.1, contacted_on: r.2, method, contacted_by: r.4, note: r.5, created_at: r.6 }
}

/// List a member's contacts
///
/// Newest first.
#[utoipa::path(
    tag = "members",
    operation_id = "list_member_contacts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ContactListQuery),
    responses(
        (status = 200, description = "A page of contacts.", body = ContactPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/contacts")]
pub async fn list_member_contacts(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<ContactListQuery>,
) -> Result<web::Json<Page<Contact>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let mut select = c::table
        .filter(c::member_id.eq(member.id))
        .select((c::id, c::member_id, c::contacted_on, c::method, c::contacted_by, c::note, c::created_at))
        .order(c::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(before) = page.after {
        select = select.filter(c::id.lt(before));
    }
    let rows: Vec<Row> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.0, to_wire)))
}

/// Record a contact or visit
///
/// Records a contact or home visit (thăm hỏi) with a member: date, method and a short note, for the
/// branch head's follow-up.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member_contact",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewContact,
    responses(
        (status = 201, description = "Recorded.", body = Contact),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/members/{id}/contacts")]
pub async fn create_member_contact(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewContact>,
) -> Result<HttpResponse, ApiError> {
    let member_id = id.into_inner();
    let input = body.into_inner();
    let note = bounded_text("note", &input.note, 1000).map_err(|i| ApiError::Validation(vec![i]))?;
    let today = today_in_vietnam(Utc::now());
    let day = input.contacted_on.unwrap_or(today);
    if day > today {
        return Err(ApiError::invalid_field(
            "contacted_on",
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let member = visible_member(conn, &caller, member_id, Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        let row: Row = diesel::insert_into(c::table)
            .values((
                c::id.eq(crate::http::validate::new_id(input.id)?),
                c::member_id.eq(member.id),
                c::contacted_on.eq(day),
                c::method.eq(method_str(input.method)),
                c::contacted_by.eq(caller.principal.user_id()),
                c::note.eq(&note),
            ))
            .returning((c::id, c::member_id, c::contacted_on, c::method, c::contacted_by, c::note, c::created_at))
            .get_result(conn)
            .await?;
        diesel::update(
            members::table
                .find(member.id)
                .filter(members::last_contact_on.is_null().or(members::last_contact_on.lt(day))),
        )
        .set((
            members::last_contact_on.eq(day),
            members::version.eq(members::version + 1),
            members::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
        caller
            .audit(
                conn,
                AuditEvent::new("member.contact_create").object("member", member.id).unit(member.unit_id).fields([
                    "contacted_on",
                    "method",
                    "note",
                ]),
            )
            .await?;
        StoredResponse::json(StatusCode::CREATED, &to_wire(row))
    })
    .await
}
