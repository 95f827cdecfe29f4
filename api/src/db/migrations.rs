//! Embedded SQL migrations from `migrations/`, and the check that the database is current.

use std::collections::BTreeSet;

use diesel::Connection;
use diesel::sql_types::Text;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Versions of the migrations compiled into this binary (e.g. `20261129000002`).
pub fn expected_versions() -> BTreeSet<String> {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|list| list.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

/// Applies pending migrations and returns the versions applied now.
///
/// diesel's migration harness is synchronous; it runs on a thread of its own with its own
/// small runtime, so this works from any async context (actix's or tokio's).
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, String> {
    let url = database_url.to_owned();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let result = (|| {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
                .map_err(|e| format!("cannot connect: {e}"))?;
            conn.run_pending_migrations(MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(|e| format!("migration failed: {e}"))
        })();
        let _ = tx.send(result);
    });
    rx.await.map_err(|_| "migration thread ended".to_owned())?
}

#[derive(diesel::QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Versions recorded as applied in the database.
pub async fn applied_versions(conn: &mut AsyncPgConnection) -> diesel::QueryResult<BTreeSet<String>> {
    let rows: Vec<AppliedVersion> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn).await?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}
