//! A fresh database per test, cloned from a template migrated once per migration set.
//!
//! Test processes run in parallel (nextest runs each test in its own process), so the
//! template is built under a PostgreSQL advisory lock and named after a hash of `migrations/`:
//! a changed migration makes a new template, an unchanged one is reused.

use std::path::{Path, PathBuf};

use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

const TEMPLATE_LOCK: i64 = 0x00c1_4101;

pub fn admin_url() -> String {
    std::env::var("CHIHOI_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect("set CHIHOI_TEST_DATABASE_URL (scripts/test does) to a PostgreSQL URL whose role may CREATE DATABASE")
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")
}

fn migrations_fingerprint() -> String {
    let mut files = Vec::new();
    let mut stack = vec![migrations_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read migrations/") {
            let path = entry.expect("migrations entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.strip_prefix(migrations_dir()).unwrap().to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read migration"));
    }
    hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    let rows: Vec<Exists> = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(name)
        .load(conn)
        .await
        .expect("query pg_database");
    rows.iter().any(|r| r.exists)
}

async fn ensure_template(admin: &str) -> String {
    let template = format!("chihoi_tpl_{}", migrations_fingerprint());
    let mut conn = AsyncPgConnection::establish(admin).await.expect("connect to the test PostgreSQL");
    if database_exists(&mut conn, &template).await {
        return template;
    }
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut conn)
        .await
        .expect("take the template lock");
    if !database_exists(&mut conn, &template).await {
        let building = format!("{template}_build");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
            .execute(&mut conn)
            .await
            .expect("drop stale template");
        diesel::sql_query(format!("CREATE DATABASE {building}")).execute(&mut conn).await.expect("create template");
        chihoi::db::migrations::run_pending(&with_database(admin, &building))
            .await
            .expect("migrate the template database");
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(&mut conn)
            .await
            .expect("publish template");
    }
    let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})")).execute(&mut conn).await;
    template
}

/// Creates an empty, migrated database for one test; returns its name and URL.
pub async fn fresh_database() -> (String, String) {
    let admin = admin_url();
    let template = ensure_template(&admin).await;
    let name = format!("chihoi_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = AsyncPgConnection::establish(&admin).await.expect("connect to the test PostgreSQL");
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut conn)
        .await
        .expect("clone the template database");
    let url = with_database(&admin, &name);
    (name, url)
}

/// Drops a test database, closing the connections still open to it.
pub async fn drop_database(name: &str) {
    if let Ok(mut conn) = AsyncPgConnection::establish(&admin_url()).await {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
    }
}
