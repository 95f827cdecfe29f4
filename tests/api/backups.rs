//! Backups with PostgreSQL's own tools: `scripts/backup` of a database with members, activities
//! and the sync log, `scripts/restore` into a scratch database, and every table's row count and
//! content checksum compared.

use std::process::Command;

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;

use crate::helpers::database::with_database;
use crate::helpers::spawn_app;
use crate::members::{member, tree};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// "table count md5" for every table, from the rows' text in a stable order.
async fn fingerprint(url: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let tables: Vec<Line> =
        diesel::sql_query("SELECT tablename::text AS line FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .load(&mut conn)
            .await
            .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let row: Line = diesel::sql_query(format!(
            "SELECT '{0} ' || count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') AS line
             FROM public.\"{0}\" t",
            t.line
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        out.push(row.line);
    }
    out
}

fn script(name: &str, args: &[&str], database_url: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(root.join("scripts").join(name))
        .args(args)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("run the script");
    assert!(
        output.status.success(),
        "scripts/{name} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_backup_restores_into_a_scratch_database_with_equal_rows() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    for given in ["Lan", "Hoa", "Mai"] {
        let m = member(&admin, &t.branch, "Trần", "Thị", given).await;
        admin
            .create(
                &format!("/api/v1/members/{}/contacts", m["id"].as_str().unwrap()),
                &json!({"method": "home_visit"}),
            )
            .await;
    }
    crate::activities::meeting(&admin, &t.branch, "2026-11-10").await;
    let dir = std::env::temp_dir().join(format!("chihoi-backup-{}", uuid::Uuid::now_v7()));
    let file = dir.join("test.dump");
    let file = file.to_str().unwrap();
    script("backup", &[file], &app.database_url);
    assert!(std::path::Path::new(&format!("{file}.sha256")).exists());

    let scratch = format!("chihoi_test_restore_{}", uuid::Uuid::now_v7().simple());
    let target = with_database(&app.database_url, &scratch);
    script("restore", &[file, &target], &app.database_url);
    let (before, after) = (fingerprint(&app.database_url).await, fingerprint(&target).await);
    assert!(before.iter().any(|l| l.starts_with("members 3 ")), "{before:?}");
    assert_eq!(before, after, "every table, row for row");

    // A second restore into the same (now full) database is refused.
    let again = Command::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/restore"))
        .args([file, &target])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a restore never overwrites a database with tables");
    // Damage is detected before anything is restored.
    let mut bytes = std::fs::read(file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(file, bytes).unwrap();
    let damaged_target = with_database(&app.database_url, &format!("{scratch}_2"));
    let damaged = Command::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/restore"))
        .args([file, &damaged_target])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&damaged.stderr).contains("checksum mismatch"));
    crate::helpers::database::drop_database(&scratch).await;
    let _ = std::fs::remove_dir_all(dir);
}
