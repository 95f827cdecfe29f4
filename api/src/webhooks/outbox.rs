//! Recording an event: in the caller's transaction, with one delivery per active subscription
//! whose subtree holds the event's unit.

use diesel::sql_types::{Jsonb, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::WebhookEvent;
use crate::http::ApiError;

/// Records `event` at `unit_path` with its `data` (ids and aggregates only, never personal
/// fields). Must run inside the transaction of the change that caused it.
pub async fn record(
    conn: &mut AsyncPgConnection,
    event: WebhookEvent,
    unit_path: &str,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let id = Uuid::now_v7();
    diesel::sql_query(
        "WITH e AS (INSERT INTO outbox_events (id, event, unit_path, payload) VALUES ($1, $2, $3::ltree, $4)
                    RETURNING id, event, unit_path)
         INSERT INTO webhook_deliveries (id, webhook_id, event_id)
         SELECT uuid_v7(), w.id, e.id FROM e JOIN webhooks w
           ON w.status = 'active' AND e.unit_path <@ w.unit_path AND e.event = ANY(w.events)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(event.as_str())
    .bind::<Text, _>(unit_path)
    .bind::<Jsonb, _>(data)
    .execute(conn)
    .await?;
    Ok(())
}
