use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::wire::{ApiToken, ApiTokenListQuery, CreatedApiToken, NewApiToken};
use crate::audit::AuditEvent;
use crate::auth::tokens::{API_TOKEN_PREFIX, digest, generate, shown_part};
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, FieldIssue, Page, PageRequest, Text};
use crate::schema::api_tokens;
use crate::state::AppState;

type TokenRow = (
    Uuid,
    String,
    String,
    Vec<Option<String>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

const COLUMNS: (
    api_tokens::id,
    api_tokens::name,
    api_tokens::token_prefix,
    api_tokens::scopes,
    api_tokens::created_at,
    api_tokens::expires_at,
    api_tokens::last_used_at,
    api_tokens::revoked_at,
) = (
    api_tokens::id,
    api_tokens::name,
    api_tokens::token_prefix,
    api_tokens::scopes,
    api_tokens::created_at,
    api_tokens::expires_at,
    api_tokens::last_used_at,
    api_tokens::revoked_at,
);

fn to_wire(row: TokenRow) -> ApiToken {
    let (id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at) = row;
    ApiToken {
        id,
        name,
        prefix,
        scopes: scopes.iter().flatten().filter_map(|s| Permission::parse(s)).collect(),
        created_at,
        expires_at,
        last_used_at,
        revoked_at,
    }
}

/// Token management needs a logged-in person: a token, or an app acting for her, cannot mint
/// or list tokens.
fn session_user(caller: &Caller) -> Result<Uuid, ApiError> {
    caller.principal.first_party_session().map(|(id, _)| id).ok_or(ApiError::Forbidden)
}

/// List my API tokens
///
/// The caller's tokens, newest first, revoked and expired ones included.
#[utoipa::path(
    tag = "api_tokens",
    operation_id = "list_api_tokens",
    security(("bearer" = [])),
    params(ApiTokenListQuery),
    responses(
        (status = 200, description = "A page of tokens.", body = super::wire::ApiTokenPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[get("/api-tokens")]
pub async fn list_api_tokens(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ApiTokenListQuery>,
) -> Result<web::Json<Page<ApiToken>>, ApiError> {
    let user = session_user(&caller)?;
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let mut select = api_tokens::table
        .filter(api_tokens::user_id.eq(user))
        .select(COLUMNS)
        .order(api_tokens::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(api_tokens::id.lt(after));
    }
    let rows: Vec<TokenRow> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.0, to_wire)))
}

/// Create an API token
///
/// For scripts and curl. The secret is in this response only. Its scopes must be permissions
/// the caller holds; the token can never do more than its owner can at the time of use.
#[utoipa::path(
    tag = "api_tokens",
    operation_id = "create_api_token",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewApiToken,
    responses(
        (status = 201, description = "Created; `secret` is shown this once.", body = CreatedApiToken),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[post("/api-tokens")]
pub async fn create_api_token(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewApiToken>,
) -> Result<HttpResponse, ApiError> {
    let user = session_user(&caller)?;
    let body = body.into_inner();
    let mut v = Validator::new();
    let name = v.result(bounded_text("name", &body.name, 100)).unwrap_or_default();
    v.check(!name.is_empty(), "name", "required", Text::new("Cần đặt tên cho mã.", "A name is required."));
    v.check(
        !body.scopes.is_empty(),
        "scopes",
        "required",
        Text::new("Cần ít nhất một quyền.", "At least one scope is required."),
    );
    let mut scopes = Vec::new();
    for (i, scope) in body.scopes.iter().enumerate() {
        match Permission::parse(scope) {
            Some(p) if p.is_self() || !caller.principal.scope(p).is_empty() => scopes.push(p),
            Some(_) => {
                v.add(FieldIssue::new(
                    format!("scopes[{i}]"),
                    "not_held",
                    Text::new(
                        "Bạn không có quyền này nên không thể cấp cho mã.",
                        "You do not hold this permission, so a token cannot have it.",
                    ),
                ));
            }
            None => {
                v.add(FieldIssue::new(
                    format!("scopes[{i}]"),
                    "invalid_value",
                    Text::new("Không có quyền này.", "No such permission."),
                ));
            }
        }
    }
    let days = body.expires_in_days.unwrap_or(90);
    v.check(
        (1..=365).contains(&days),
        "expires_in_days",
        "out_of_range",
        Text::new("Thời hạn từ 1 đến 365 ngày.", "Between 1 and 365 days."),
    );
    v.finish()?;
    scopes.sort();
    scopes.dedup();
    let secret = generate(API_TOKEN_PREFIX).map_err(ApiError::internal)?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row: TokenRow = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::id.eq(Uuid::now_v7()),
                api_tokens::user_id.eq(user),
                api_tokens::name.eq(&name),
                api_tokens::token_prefix.eq(shown_part(&secret)),
                api_tokens::token_hash.eq(digest(&secret)),
                api_tokens::scopes.eq(scopes.iter().map(|s| Some(s.as_str().to_owned())).collect::<Vec<_>>()),
                api_tokens::expires_at.eq(Utc::now() + Duration::days(i64::from(days))),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .await?;
        let token = to_wire(row);
        let event = AuditEvent::new("api_token.create")
            .object("api_token", token.id)
            .fields(["name", "scopes", "expires_at"])
            .details(serde_json::json!({"scopes": scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>()}));
        caller.audit(conn, event).await?;
        let created = CreatedApiToken { token, secret: secret.clone() };
        Ok(StoredResponse::json_with_secret(StatusCode::CREATED, &created)?
            .header(header::LOCATION, format!("/api/v1/api-tokens/{}", created.token.id)))
    })
    .await
}

/// Revoke an API token
///
/// The token stops working at once. Revoking is final; create a new token to replace it.
#[utoipa::path(
    tag = "api_tokens",
    operation_id = "delete_api_token",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Token id.")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[delete("/api-tokens/{id}")]
pub async fn delete_api_token(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = session_user(&caller)?;
    let id = id.into_inner();
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        let owned: i64 = api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::user_id.eq(user))
            .count()
            .get_result(conn)
            .await?;
        if owned == 0 {
            return Err(ApiError::NotFound);
        }
        // Revoking twice keeps the first time.
        diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        caller.audit(conn, AuditEvent::new("api_token.revoke").object("api_token", id)).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
