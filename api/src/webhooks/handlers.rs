//! `/webhooks`: subscriptions owned by a machine client or an officer, scoped to a subtree; their
//! deliveries, listable and replayable.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Integer, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::WebhookEvent;
use super::access::{OWNED, owned, owner, subscribable_unit};
use super::models::{COLUMNS, Row};
use crate::audit::AuditEvent;
use crate::auth::Caller;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::state::AppState;

/// A subscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    /// Events come from this unit's subtree.
    pub unit_id: Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<WebhookEvent>,
    /// `active`, or `disabled` (by its owner, or after deliveries failed for a day: see `status_note`).
    pub status: String,
    /// Why it was disabled, in Vietnamese and English.
    pub status_note: String,
    /// Deliveries have been failing since then.
    pub failing_since: Option<DateTime<Utc>>,
    /// Version (ETag).
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new subscription and its signing secret, shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    /// Bí mật ký / The signing secret (`whsec_` and the key in base64, as Standard Webhooks
    /// defines it): keep it; it is never shown again. Deliveries carry `webhook-signature`.
    pub secret: String,
}

/// Subscribing.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000a001", "url": "https://baocao.vinhlong.example/hooks/chihoi",
    "events": ["report.submitted", "report.accepted"]}))]
pub struct NewWebhook {
    /// The subtree to hear from; a machine client needs `reports:read` there, a person
    /// `org_units:write`.
    pub unit_id: Uuid,
    /// https URL (http and internal addresses only where allowed: see the integration guide).
    pub url: String,
    /// 1 or more events.
    pub events: Vec<WebhookEvent>,
}

/// Changing a subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "active"}))]
pub struct WebhookPatch {
    /// New URL.
    pub url: Option<String>,
    /// New events.
    pub events: Option<Vec<WebhookEvent>>,
    /// `active` (re-enables after failures) or `disabled`.
    pub status: Option<String>,
}

crate::page_schema!(WebhookPage, Webhook, "webhooks");

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookListQuery {
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn to_wire(r: Row) -> Webhook {
    Webhook {
        id: r.id,
        unit_id: r.unit_id,
        url: r.url,
        events: r.events.iter().filter_map(|e| WebhookEvent::parse(e)).collect(),
        status: r.status,
        status_note: r.status_note,
        failing_since: r.failing_since,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

fn check_events(events: &[WebhookEvent]) -> Result<Vec<String>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::invalid_field(
            "events",
            "required",
            Text::new("Chọn ít nhất một sự kiện.", "At least one event."),
        ));
    }
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Subscribe to events
///
/// Events of the unit's subtree are POSTed to `url`, signed (see the integration guide). The
/// signing secret is in this answer only.
#[utoipa::path(tag = "webhooks", operation_id = "create_webhook", security(("bearer" = []), ("client_credentials" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewWebhook,
    responses((status = 201, description = "Subscribed.", body = CreatedWebhook),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 422, response = crate::http::responses::Unprocessable)))]
#[post("/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let events = check_events(&input.events)?;
    super::target::check(&input.url, state.config.webhooks.allow_private).await?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &input, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = subscribable_unit(conn, &caller, input.unit_id).await?;
        let secret = super::delivery::new_secret().map_err(ApiError::internal)?;
        let (user, client) = owner(&caller);
        let id = Uuid::now_v7();
        let row: Row = diesel::sql_query(format!(
            "INSERT INTO webhooks (id, owner_user_id, owner_client_id, unit_id, unit_path, url, events, secret)
             VALUES ($1, $2, $3, $4, $5::ltree, $6, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<SqlUuid>, _>(user)
        .bind::<Nullable<SqlUuid>, _>(client)
        .bind::<SqlUuid, _>(unit.id)
        .bind::<SqlText, _>(&unit.path.0)
        .bind::<SqlText, _>(&input.url)
        .bind::<Array<SqlText>, _>(&events)
        .bind::<SqlText, _>(&secret)
        .get_result(conn)
        .await?;
        caller.audit(conn, AuditEvent::new("webhook.create").object("webhook", id).unit(unit.id)).await?;
        let created = CreatedWebhook { webhook: to_wire(row), secret };
        Ok(StoredResponse::json_with_secret(StatusCode::CREATED, &created)?
            .header(header::LOCATION, format!("/api/v1/webhooks/{id}"))
            .header(header::ETAG, etag(created.webhook.version)))
    })
    .await
}

/// List my subscriptions
///
/// The caller's own webhook subscriptions (each caller sees only the ones she or her machine client
/// made).
#[utoipa::path(tag = "webhooks", operation_id = "list_webhooks", security(("bearer" = []), ("client_credentials" = [])),
    params(WebhookListQuery),
    responses((status = 200, description = "A page of the caller's subscriptions.", body = WebhookPage),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<WebhookListQuery>,
) -> Result<web::Json<Page<Webhook>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let (user, client) = owner(&caller);
    let mut conn = state.pool.get().await?;
    let rows: Vec<Row> =
        diesel::sql_query(format!("SELECT {COLUMNS} FROM webhooks WHERE {OWNED} AND id > $3 ORDER BY id LIMIT $4"))
            .bind::<Nullable<SqlUuid>, _>(user)
            .bind::<Nullable<SqlUuid>, _>(client)
            .bind::<SqlUuid, _>(page.after.unwrap_or(Uuid::nil()))
            .bind::<diesel::sql_types::BigInt, _>(page.fetch_limit())
            .load(&mut conn)
            .await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, to_wire)))
}

/// Get a subscription
///
/// One of the caller's webhook subscriptions: URL, events and status; the signing secret is shown
/// only at creation.
#[utoipa::path(tag = "webhooks", operation_id = "get_webhook", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Webhook id.")),
    responses((status = 200, description = "The subscription.", body = Webhook),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let hook = to_wire(owned(&mut conn, &caller, id.into_inner()).await?);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(hook.version))).json(hook))
}

/// Change a subscription
///
/// `status: active` re-enables one disabled after failures (its failed deliveries can then be
/// replayed). Needs `If-Match`.
#[utoipa::path(tag = "webhooks", operation_id = "update_webhook", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Webhook id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    request_body = WebhookPatch,
    responses((status = 200, description = "Updated.", body = Webhook),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed), (status = 422, response = crate::http::responses::Unprocessable),
        (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<WebhookPatch>,
) -> Result<web::Json<Webhook>, ApiError> {
    let patch = body.into_inner();
    let events = patch.events.as_deref().map(check_events).transpose()?;
    if let Some(url) = &patch.url {
        super::target::check(url, state.config.webhooks.allow_private).await?;
    }
    if patch.status.as_deref().is_some_and(|s| s != "active" && s != "disabled") {
        return Err(ApiError::invalid_field(
            "status",
            "invalid_value",
            Text::new("active hoặc disabled.", "active or disabled."),
        ));
    }
    let mut conn = state.pool.get().await?;
    let current = owned(&mut conn, &caller, id.into_inner()).await?;
    precondition::check(&if_match, current.version, || {
        serde_json::to_value(to_wire(current.clone())).unwrap_or_default()
    })?;
    let row: Row = diesel::sql_query(format!(
        "UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events), status = coalesce($4, status),
                status_note = CASE WHEN $4 = 'active' THEN '' ELSE status_note END,
                failing_since = CASE WHEN $4 = 'active' THEN NULL ELSE failing_since END,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $5 RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(current.id)
    .bind::<Nullable<SqlText>, _>(patch.url)
    .bind::<Nullable<Array<SqlText>>, _>(events)
    .bind::<Nullable<SqlText>, _>(patch.status)
    .bind::<Integer, _>(current.version)
    .get_result(&mut conn)
    .await
    .map_err(|e| match e {
        diesel::result::Error::NotFound => {
            ApiError::PreconditionFailed { etag: etag(current.version + 1), current: None }
        }
        other => other.into(),
    })?;
    caller.audit(&mut conn, AuditEvent::new("webhook.update").object("webhook", row.id).unit(row.unit_id)).await?;
    Ok(web::Json(to_wire(row)))
}

/// Unsubscribe
///
/// Unsubscribes: the subscription and its pending deliveries are removed (`If-Match` required).
/// Another caller's subscription is 404.
#[utoipa::path(tag = "webhooks", operation_id = "delete_webhook", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Webhook id."), ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.")),
    responses((status = 204, description = "Removed, with its pending deliveries."),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed), (status = 428, response = crate::http::responses::PreconditionRequired)))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let current = owned(&mut conn, &caller, id.into_inner()).await?;
    precondition::check(&if_match, current.version, || {
        serde_json::to_value(to_wire(current.clone())).unwrap_or_default()
    })?;
    diesel::sql_query("DELETE FROM webhooks WHERE id = $1").bind::<SqlUuid, _>(current.id).execute(&mut conn).await?;
    caller
        .audit(&mut conn, AuditEvent::new("webhook.delete").object("webhook", current.id).unit(current.unit_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
