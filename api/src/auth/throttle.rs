//! Login throttling per account name and per client address. Unknown names are counted exactly
//! like real ones, so a 429 tells an attacker nothing about which accounts exist.

use std::time::Duration;

use diesel::sql_types::{BigInt, Double, Int4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: i32,
    pub window: Duration,
    pub block: Duration,
}

pub fn user_subject(username: &str) -> String {
    format!("user:{username}")
}

pub fn ip_subject(ip: &str) -> String {
    format!("ip:{ip}")
}

#[derive(diesel::QueryableByName)]
struct Remaining {
    #[diesel(sql_type = Nullable<BigInt>)]
    seconds: Option<i64>,
}

/// Seconds until the longest block among `subjects` ends, if any is blocked.
pub async fn blocked_for(conn: &mut AsyncPgConnection, subjects: &[String]) -> diesel::QueryResult<Option<u64>> {
    let rows: Vec<Remaining> = diesel::sql_query(
        "SELECT max(ceil(extract(epoch FROM blocked_until - now())))::bigint AS seconds
         FROM login_throttle WHERE subject = ANY($1) AND blocked_until > now()",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(subjects)
    .load(conn)
    .await?;
    Ok(rows.as_slice().first().and_then(|r| r.seconds).map(|s| u64::try_from(s.max(1)).unwrap_or(1)))
}

#[derive(diesel::QueryableByName)]
struct Counter {
    #[diesel(sql_type = Nullable<BigInt>)]
    blocked_seconds: Option<i64>,
}

/// Counts an attempt *before* the password is checked, as if it failed, under the row's lock:
/// concurrent attempts line up, so no more than `max_failures` ever reach verification in a
/// window (checking first and counting after let 20 through where 5 should). `Some(seconds)`
/// when the subject was already blocked (nothing is counted then). A successful attempt then
/// `clear`s the subject. Run it inside a transaction.
pub async fn reserve_attempt(
    conn: &mut AsyncPgConnection,
    subject: &str,
    policy: Policy,
) -> diesel::QueryResult<Option<u64>> {
    diesel::sql_query(
        "INSERT INTO login_throttle (subject, failures, window_started_at) VALUES ($1, 0, now())
         ON CONFLICT (subject) DO NOTHING",
    )
    .bind::<Text, _>(subject)
    .execute(conn)
    .await?;
    let current: Counter = diesel::sql_query(
        "SELECT CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::bigint END
                AS blocked_seconds
         FROM login_throttle WHERE subject = $1 FOR UPDATE",
    )
    .bind::<Text, _>(subject)
    .get_result(conn)
    .await?;
    if let Some(seconds) = current.blocked_seconds {
        return Ok(Some(u64::try_from(seconds.max(1)).unwrap_or(1)));
    }
    record_failure(conn, subject, policy).await?;
    Ok(None)
}

/// Counts one failure; the subject is blocked when failures in the window reach the maximum.
pub async fn record_failure(conn: &mut AsyncPgConnection, subject: &str, policy: Policy) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO login_throttle AS t (subject, failures, window_started_at, blocked_until)
         VALUES ($1, 1, now(), CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $4) END)
         ON CONFLICT (subject) DO UPDATE SET
             failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $3)
                             THEN 1 ELSE t.failures + 1 END,
             window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $3)
                                      THEN now() ELSE t.window_started_at END,
             blocked_until = CASE
                 WHEN (CASE WHEN t.window_started_at < now() - make_interval(secs => $3)
                            THEN 1 ELSE t.failures + 1 END) >= $2
                 THEN now() + make_interval(secs => $4)
                 ELSE t.blocked_until END",
    )
    .bind::<Text, _>(subject)
    .bind::<Int4, _>(policy.max_failures)
    .bind::<Double, _>(policy.window.as_secs_f64())
    .bind::<Double, _>(policy.block.as_secs_f64())
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets an account's failures after a successful login.
pub async fn clear(conn: &mut AsyncPgConnection, subject: &str) -> diesel::QueryResult<()> {
    diesel::sql_query("DELETE FROM login_throttle WHERE subject = $1").bind::<Text, _>(subject).execute(conn).await?;
    Ok(())
}

/// Removes rows that no longer block anything; run by housekeeping.
pub async fn purge_stale(conn: &mut AsyncPgConnection) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_throttle
         WHERE window_started_at < now() - interval '1 day'
           AND (blocked_until IS NULL OR blocked_until < now())",
    )
    .execute(conn)
    .await
}
