//! `chihoi import members FILE --unit UNIT`: the import of the API, from the command line, with a
//! progress bar on standard error. Runs with administrator rights (it runs on the server).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use uuid::Uuid;

use crate::audit::AuditActor;
use crate::auth::principal::{Actor, Grant};
use crate::auth::{Principal, RequestMeta, Role};
use crate::config::Config;
use crate::http::Lang;
use crate::imports::read::Format;
use crate::imports::run::{Importer, import};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import members from a CSV or XLSX file in the template's layout into a branch.
    Members {
        file: PathBuf,
        /// Branch id or official code.
        #[arg(long)]
        unit: String,
        /// Check every row and report; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn bar(done: usize, total: usize) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    eprint!("\r[{}{}] {percent:>3}% ({done}/{total})", "#".repeat(filled), " ".repeat(width - filled));
    let _ = std::io::stderr().flush();
}

pub async fn run(config: &Config, command: ImportCommand) -> Result<String, String> {
    let ImportCommand::Members { file, unit, dry_run } = command;
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let format = match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        _ => return Err("the file must end in .csv or .xlsx".into()),
    };
    let pool = crate::db::build_pool(config.database_url.expose(), &config.pool, "chihoi")?;
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let unit = crate::org_units::queries::find_by_reference(&mut conn, &unit)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no unit {unit}"))?;
    drop(conn);
    if unit.level != "branch" {
        return Err(format!("{} is not a branch", unit.name));
    }
    let root = unit.path.0.split('.').next().unwrap_or_default().to_owned();
    let principal = Principal {
        actor: Actor::Client { id: Uuid::nil(), name: "chihoi import".into() },
        grants: vec![Grant { role: Role::Admin, unit_id: unit.id, unit_path: root }],
        token_scopes: None,
    };
    let who = Importer {
        principal: &principal,
        actor: AuditActor::system(),
        meta: RequestMeta { request_id: Some(format!("cli-{}", Uuid::now_v7())), client_ip: None },
        lang: Lang::Vi,
        job: None,
    };
    let outcome = import(&pool, &who, &unit, &bytes, format, dry_run, async |done, total| {
        bar(done, total);
        true
    })
    .await
    .map_err(|e| e.detail().get(Lang::Vi).to_owned())?;
    eprintln!();
    let mut report = format!(
        "{}: {} dòng / rows, {} {} / {}, {} đã có / already on file, {} lỗi / errors\n",
        unit.name,
        outcome.rows,
        outcome.created,
        if dry_run { "sẽ thêm" } else { "đã thêm" },
        if dry_run { "would be added" } else { "added" },
        outcome.unchanged,
        outcome.errors.len()
    );
    for error in outcome.errors.iter().take(50) {
        report.push_str(&format!("  dòng {} [{}] {}: {}\n", error.row, error.column, error.code, error.message));
    }
    Ok(report)
}
