//! Delivering events: a background task claims due deliveries (`FOR UPDATE SKIP LOCKED`, so
//! replicas share the work), POSTs each signed, and reschedules failures with exponential
//! backoff; after `give_up` of failing a delivery is abandoned and its subscription disabled
//! with a note. At least once: receivers deduplicate on `Chihoi-Event-Id`.

pub use crate::config::webhooks::DeliverySettings;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::auth::{Permission, Role};
use crate::http::ApiError;

/// The key of a `whsec_` secret as Standard Webhooks defines it: the base64 after the prefix,
/// decoded. Secrets made before 0.2.0 are URL-safe base64 without padding, so both alphabets
/// are read; a secret that is not base64 at all (none is made so) signs with its own bytes.
fn standard_key(secret: &str) -> Vec<u8> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let unpadded = encoded.trim_end_matches('=');
    STANDARD
        .decode(encoded)
        .or_else(|_| URL_SAFE_NO_PAD.decode(unpadded))
        .or_else(|_| URL_SAFE_NO_PAD.decode(unpadded.replace('+', "-").replace('/', "_")))
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// `webhook-signature` of Standard Webhooks (standardwebhooks.com): `v1,<base64 of
/// HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>" with the secret's key>`, so a
/// receiver verifies it with the Standard Webhooks library of its language.
pub fn standard_signature(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine;
    let mut mac = match Hmac::<Sha256>::new_from_slice(&standard_key(secret)) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// A new subscription secret: `whsec_` and 32 random bytes in standard base64, the form the
/// Standard Webhooks libraries read.
pub fn new_secret() -> Result<String, getrandom::Error> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// The signature of 0.1.0 (`Chihoi-Signature`), sent beside the standard one until its sunset:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the whole secret string>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={digest}")
}

/// Delay before attempt `attempts + 1`.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(20));
    base.saturating_mul(factor).min(Duration::from_secs(6 * 3600))
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    webhook_id: Uuid,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Text)]
    webhook_status: String,
    #[diesel(sql_type = SqlUuid)]
    event_id: Uuid,
    #[diesel(sql_type = Text)]
    event: String,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    /// The owner may still subscribe to this unit: an active account holding a role with
    /// `org_units:write` over it, or an active machine client bound above it.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    owner_in_standing: bool,
}

/// Roles whose holders may own a subscription (`org_units:write`, as creating one needs).
fn owning_roles() -> Vec<String> {
    Role::USER_ROLES
        .into_iter()
        .filter(|r| r.permissions().contains(&Permission::OrgUnitsWrite))
        .map(|r| r.as_str().to_owned())
        .collect()
}

/// Claims up to 20 due deliveries, leasing them for a minute.
async fn claim(conn: &mut AsyncPgConnection) -> Result<Vec<Due>, ApiError> {
    Ok(diesel::sql_query(
        "WITH due AS (
             SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED),
         leased AS (
             UPDATE webhook_deliveries d SET next_attempt_at = now() + interval '60 seconds'
             FROM due WHERE d.id = due.id RETURNING d.*)
         SELECT l.id, l.attempts, l.created_at, w.id AS webhook_id, w.url, w.secret, w.status AS webhook_status,
                e.id AS event_id, e.event, e.payload, e.occurred_at,
                CASE WHEN w.owner_client_id IS NOT NULL THEN EXISTS (
                         SELECT 1 FROM machine_clients c JOIN org_units o ON o.id = c.org_unit_id
                         WHERE c.id = w.owner_client_id AND c.status = 'active' AND w.unit_path <@ o.path)
                     ELSE EXISTS (
                         SELECT 1 FROM users u JOIN role_grants g ON g.user_id = u.id
                                  JOIN org_units o ON o.id = g.org_unit_id
                         WHERE u.id = w.owner_user_id AND u.status = 'active' AND g.role = ANY($1)
                           AND w.unit_path <@ o.path)
                END AS owner_in_standing
         FROM leased l JOIN webhooks w ON w.id = l.webhook_id JOIN outbox_events e ON e.id = l.event_id",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(owning_roles())
    .load(conn)
    .await?)
}

async fn send(state: &crate::state::AppState, settings: &DeliverySettings, due: &Due) -> Result<u16, String> {
    crate::webhooks::target::check(&due.url, settings.allow_private).await.map_err(|e| e.to_string())?;
    let body = serde_json::to_vec(&serde_json::json!({
        "id": due.event_id, "event": due.event, "occurred_at": due.occurred_at, "data": due.payload,
    }))
    .map_err(|e| e.to_string())?;
    let timestamp = Utc::now().timestamp();
    let response = state
        .http
        .post(&due.url)
        .timeout(Duration::from_secs(10))
        .header("content-type", "application/json")
        .header("user-agent", "chihoi-webhooks/1")
        .header("chihoi-event", &due.event)
        .header("chihoi-event-id", due.event_id.to_string())
        .header("chihoi-delivery", due.id.to_string())
        .header("webhook-id", due.event_id.to_string())
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", standard_signature(&due.secret, &due.event_id.to_string(), timestamp, &body))
        .header("chihoi-signature", signature(&due.secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{e}"))?;
    Ok(response.status().as_u16())
}

async fn settle(
    conn: &mut AsyncPgConnection,
    settings: &DeliverySettings,
    due: &Due,
    outcome: Result<u16, String>,
) -> Result<(), ApiError> {
    let attempts = due.attempts + 1;
    match outcome {
        Ok(status) if (200..300).contains(&status) => {
            diesel::sql_query(
                "UPDATE webhook_deliveries SET status = 'delivered', attempts = $2, last_status = $3, last_error = '',
                        delivered_at = now() WHERE id = $1;",
            )
            .bind::<SqlUuid, _>(due.id)
            .bind::<Integer, _>(attempts)
            .bind::<Integer, _>(i32::from(status))
            .execute(conn)
            .await?;
            diesel::sql_query("UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
                .bind::<SqlUuid, _>(due.webhook_id)
                .execute(conn)
                .await?;
        }
        outcome => {
            let (status, error) = match outcome {
                Ok(status) => (Some(i32::from(status)), format!("HTTP {status}")),
                Err(error) => (None, error.chars().take(500).collect()),
            };
            let failing_for = Utc::now() - due.created_at;
            let give_up = failing_for.to_std().unwrap_or_default() >= settings.give_up;
            let next = i64::try_from(backoff(settings.retry_base, attempts).as_millis()).unwrap_or(i64::MAX);
            diesel::sql_query(
                "UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4,
                        status = CASE WHEN $5 THEN 'failed' ELSE 'pending' END,
                        next_attempt_at = now() + make_interval(secs => $6::bigint / 1000.0)
                 WHERE id = $1",
            )
            .bind::<SqlUuid, _>(due.id)
            .bind::<Integer, _>(attempts)
            .bind::<Nullable<Integer>, _>(status)
            .bind::<Text, _>(&error)
            .bind::<diesel::sql_types::Bool, _>(give_up)
            .bind::<BigInt, _>(next)
            .execute(conn)
            .await?;
            diesel::sql_query("UPDATE webhooks SET failing_since = now() WHERE id = $1 AND failing_since IS NULL")
                .bind::<SqlUuid, _>(due.webhook_id)
                .execute(conn)
                .await?;
            if give_up {
                diesel::sql_query(
                    "UPDATE webhooks SET status = 'disabled', version = version + 1, updated_at = now(),
                            status_note = 'Tạm dừng: gửi thất bại liên tục từ ' || to_char(failing_since, 'DD/MM/YYYY HH24:MI')
                                          || ' / Disabled: deliveries failing since ' || failing_since::text || ' (' || $2 || ')'
                     WHERE id = $1 AND status = 'active'",
                )
                .bind::<SqlUuid, _>(due.webhook_id)
                .bind::<Text, _>(&error)
                .execute(conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Pauses a subscription whose owner is no longer in standing (disabled, or no longer holding a
/// role over its unit): nothing more is sent until someone with the right resumes it.
async fn pause_for_owner(conn: &mut AsyncPgConnection, webhook: Uuid) -> Result<(), ApiError> {
    diesel::sql_query(
        "UPDATE webhooks SET status = 'disabled', version = version + 1, updated_at = now(),
                status_note = 'Tạm dừng: người đăng ký đã bị khóa hoặc không còn quyền trên đơn vị / Paused: its owner was disabled or lost access to the unit'
         WHERE id = $1 AND status = 'active'",
    )
    .bind::<SqlUuid, _>(webhook)
    .execute(conn)
    .await?;
    Ok(())
}

/// One round: claim, send, settle. Returns how many were attempted.
pub async fn round(state: &crate::state::AppState, settings: &DeliverySettings) -> Result<usize, ApiError> {
    let mut conn = state.pool.get().await?;
    let due = claim(&mut conn).await?;
    for delivery in &due {
        let outcome = if delivery.webhook_status != "active" {
            Err("subscription disabled".into())
        } else if !delivery.owner_in_standing {
            pause_for_owner(&mut conn, delivery.webhook_id).await?;
            Err("subscription paused: its owner was disabled or lost access to the unit".into())
        } else {
            send(state, settings, delivery).await
        };
        settle(&mut conn, settings, delivery, outcome).await?;
    }
    Ok(due.len())
}

/// The background task.
pub async fn run(state: crate::state::AppState, settings: DeliverySettings) {
    loop {
        match round(&state, &settings).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "webhook delivery round failed"),
        }
        tokio::time::sleep(settings.poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_signature_matches_the_specifications_test_vector() {
        // The example of the Standard Webhooks specification and its reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // A secret of 0.1.0 (URL-safe, unpadded) signs with the same key as its standard form.
        let bytes: Vec<u8> = (0u8..32).map(|b| b.wrapping_mul(37).wrapping_add(250)).collect();
        use base64::Engine;
        let old = format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        let new = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&bytes));
        assert_eq!(standard_signature(&old, "m", 1, b"{}"), standard_signature(&new, "m", 1, b"{}"));
        assert!(new_secret().unwrap().starts_with("whsec_"));
    }

    #[test]
    fn signatures_and_backoff_are_as_documented() {
        // The documented example: secret "whsec_test", t=1700000000, body {"a":1}.
        let sig = signature("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert!(sig.starts_with("t=1700000000,v1="));
        assert_eq!(sig.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(sig, signature("other", 1_700_000_000, br#"{"a":1}"#));
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 3), Duration::from_secs(120));
        assert_eq!(backoff(base, 30), Duration::from_secs(6 * 3600));
    }
}
