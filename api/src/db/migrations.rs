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
            let applied: Vec<String> = conn
                .run_pending_migrations(MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(|e| format!("migration failed: {e}"))?;
            fill_sort_keys(&mut conn).map_err(|e| format!("sort keys: {e}"))?;
            Ok(applied)
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

/// A batch of org units without a sort key, and the update that gives them theirs.
pub const UNSORTED_UNITS: &str = "SELECT id, name FROM org_units WHERE sort_key = '' LIMIT 5000";
pub const SET_SORT_KEYS: &str =
    "UPDATE org_units u SET sort_key = k.key FROM unnest($1::uuid[], $2::text[]) AS k(id, key) WHERE u.id = k.id";

#[derive(diesel::QueryableByName)]
pub struct Unnamed {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
}

/// Org units written without a sort key (before migration 000017, or by the bulk seeder's SQL)
/// get theirs: the key is computed here, from the name, as for every unit written since.
pub fn fill_sort_keys(conn: &mut AsyncConnectionWrapper<AsyncPgConnection>) -> diesel::QueryResult<usize> {
    let mut filled = 0;
    loop {
        let rows: Vec<Unnamed> = diesel::RunQueryDsl::load(diesel::sql_query(UNSORTED_UNITS), conn)?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let keys: Vec<String> = rows.iter().map(|r| crate::text::collate::text_sort_key(&r.name)).collect();
        let update = diesel::sql_query(SET_SORT_KEYS)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&ids)
            .bind::<diesel::sql_types::Array<Text>, _>(&keys);
        filled += diesel::RunQueryDsl::execute(update, conn)?;
    }
}
