//! Jobs run inside a server process; when it stops (a deploy, a crash) its jobs stop with it.
//! A running job beats every [`HEARTBEAT`]; a job not heard of for [`STALE_AFTER`] is marked
//! `failed` with the code `interrupted`, at startup and then every minute, by whichever replica
//! looks first (one UPDATE, so two replicas cannot both finish it).

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::DbPool;
use crate::schema::jobs;

/// How often a running job says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(30);
/// Silence after which a job is taken as dead with its server.
pub const STALE_AFTER: Duration = Duration::from_secs(120);
/// How often the sweep runs after the one at startup.
const SWEEP_EVERY: Duration = Duration::from_secs(300);

pub async fn beat(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(jobs::table.find(id)).set(jobs::heartbeat_at.eq(Utc::now())).execute(conn).await?;
    Ok(())
}

/// Beats for a job while held; dropped when the job ends, even by a panic, so a job that died
/// stops beating and is swept.
pub struct KeepAlive(actix_web::rt::task::JoinHandle<()>);

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub fn keep_alive(pool: DbPool, id: Uuid) -> KeepAlive {
    KeepAlive(actix_web::rt::spawn(async move {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
        loop {
            interval.tick().await;
            if let Ok(mut conn) = pool.get().await
                && let Err(error) = beat(&mut conn, id).await
            {
                tracing::warn!(error = %error, job = %id, "job heartbeat not recorded");
            }
        }
    }))
}

/// Marks the jobs nobody runs any more as failed; how many.
pub async fn fail_orphans(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    let silent_since = Utc::now() - chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
    let result = super::JobFailure::to_json(
        "interrupted",
        "Tác vụ bị dừng vì máy chủ chạy nó đã tắt; hãy chạy lại. / The job stopped because the server running it stopped; start it again.",
    );
    diesel::update(
        jobs::table
            .filter(jobs::finished_at.is_null())
            .filter(jobs::status.eq_any(["queued", "running"]))
            .filter(jobs::heartbeat_at.lt(silent_since)),
    )
    .set((jobs::status.eq("failed"), jobs::result.eq(result), jobs::finished_at.eq(Some(Utc::now()))))
    .execute(conn)
    .await
}

/// Sweeps now and then every [`SWEEP_EVERY`].
pub async fn sweep_forever(pool: DbPool) {
    let mut interval = tokio::time::interval(SWEEP_EVERY);
    loop {
        interval.tick().await;
        let Ok(mut conn) = pool.get().await else { continue };
        match fail_orphans(&mut conn).await {
            Ok(0) => {}
            Ok(failed) => tracing::warn!(failed, "jobs interrupted by a stopped server marked failed"),
            Err(error) => tracing::warn!(error = %error, "job sweep failed"),
        }
    }
}
