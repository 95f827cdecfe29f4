//! Deliveries of a subscription: listed newest first, and sent again on request.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable, Text as SqlText, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{OWNED, owned, owner};
use super::handlers::WebhookListQuery;
use crate::audit::AuditEvent;
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery, Page, PageRequest};
use crate::state::AppState;

/// One delivery of an event to a subscription.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct WebhookDelivery {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// The subscription.
    #[diesel(sql_type = SqlUuid)]
    pub webhook_id: Uuid,
    /// The event (`Chihoi-Event-Id`: deduplicate on it).
    #[diesel(sql_type = SqlUuid)]
    pub event_id: Uuid,
    /// Event name.
    #[diesel(sql_type = SqlText)]
    pub event: String,
    /// `pending`, `delivered`, or `failed` (given up).
    #[diesel(sql_type = SqlText)]
    pub status: String,
    /// Attempts so far.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// Next attempt (pending only).
    #[diesel(sql_type = Timestamptz)]
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last attempt.
    #[diesel(sql_type = Nullable<Integer>)]
    pub last_status: Option<i32>,
    /// What went wrong last.
    #[diesel(sql_type = SqlText)]
    pub last_error: String,
    /// When it was accepted by the receiver.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

crate::page_schema!(WebhookDeliveryPage, WebhookDelivery, "deliveries");

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, d.event_id, e.event, d.status, d.attempts, d.next_attempt_at,
    d.last_status, d.last_error, d.delivered_at, d.created_at";

/// List deliveries of a subscription
///
/// Newest first.
#[utoipa::path(tag = "webhooks", operation_id = "list_webhook_deliveries", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Webhook id."), WebhookListQuery),
    responses((status = 200, description = "A page of deliveries.", body = WebhookDeliveryPage),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<WebhookListQuery>,
) -> Result<web::Json<Page<WebhookDelivery>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let mut conn = state.pool.get().await?;
    let hook = owned(&mut conn, &caller, id.into_inner()).await?;
    let rows: Vec<WebhookDelivery> = diesel::sql_query(format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
         WHERE d.webhook_id = $1 AND ($2::uuid IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3"
    ))
    .bind::<SqlUuid, _>(hook.id)
    .bind::<Nullable<SqlUuid>, _>(page.after)
    .bind::<diesel::sql_types::BigInt, _>(page.fetch_limit())
    .load(&mut conn)
    .await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |d| d.id, |d| d)))
}

/// Replay a delivery
///
/// Sends it again now (delivered or failed ones too), with the same event id.
#[utoipa::path(tag = "webhooks", operation_id = "replay_webhook_delivery", security(("bearer" = []), ("client_credentials" = [])),
    params(("id" = Uuid, Path, description = "Delivery id.")),
    responses((status = 200, description = "Scheduled.", body = WebhookDelivery),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict)))]
#[post("/webhook-deliveries/{id}/replay")]
pub async fn replay_webhook_delivery(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<WebhookDelivery>, ApiError> {
    let (user, client) = owner(&caller);
    let mut conn = state.pool.get().await?;
    let rows: Vec<WebhookDelivery> = diesel::sql_query(format!(
        "WITH d AS (UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = now(), last_error = ''
                    FROM webhooks w WHERE d.id = $3 AND w.id = d.webhook_id AND {} RETURNING d.*)
         SELECT {DELIVERY_COLUMNS} FROM d JOIN outbox_events e ON e.id = d.event_id",
        OWNED.replace("owner_", "w.owner_")
    ))
    .bind::<Nullable<SqlUuid>, _>(user)
    .bind::<Nullable<SqlUuid>, _>(client)
    .bind::<SqlUuid, _>(id.into_inner())
    .load(&mut conn)
    .await?;
    let delivery = rows.into_iter().next().ok_or(ApiError::NotFound)?;
    caller.audit(&mut conn, AuditEvent::new("webhook.replay").object("webhook_delivery", delivery.id)).await?;
    Ok(web::Json(delivery))
}
