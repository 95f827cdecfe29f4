//! The import procedure, shared by the API job and `chihoi import members`: read, validate every
//! row, skip members already on file, and write all valid rows in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::columns::{Column, header, is_sensitive};
use super::read::{Format, read};
use super::rows::{BranchGroups, CodeLists, RowContext, RowError, member_of};
use crate::audit::{self, AuditActor, AuditEvent};
use crate::auth::{Principal, RequestMeta};
use crate::db::{DbPool, in_transaction};
use crate::http::{ApiError, Lang};
use crate::jobs::cancel::{cancelled, lock_for_write};
use crate::jobs::{self, JobStatus};
use crate::members::registration::row_of;
use crate::org_units::models::OrgUnitRow;
use crate::schema::{ethnicities, member_events, member_placements, members, org_units, religions};
use crate::time::today_in_vietnam;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportOutcome {
    /// Nothing was written.
    pub dry_run: bool,
    /// Data rows read.
    pub rows: usize,
    /// Members created (a dry run: that would be created).
    pub created: usize,
    /// Rows already on file (same CCCD, or same name, birth and join date in the unit): skipped,
    /// so importing the same file twice adds nothing.
    pub unchanged: usize,
    /// Problems, by row and column; such rows are not imported.
    pub errors: Vec<RowError>,
}

/// Who imports, as far as the procedure needs to know.
pub struct Importer<'a> {
    pub principal: &'a Principal,
    pub actor: AuditActor,
    pub meta: RequestMeta,
    pub lang: Lang,
    /// The job it runs as (the API's), which may be cancelled; `None` from the command line.
    pub job: Option<Uuid>,
}

const CHUNK: usize = 1000;

/// Reads the file on the blocking pool: parsing is CPU work, and a parser panic on a crafted
/// file fails this import only, never a worker of the server.
async fn read_off_workers(bytes: &[u8], format: Format) -> Result<Vec<super::read::RawRow>, ApiError> {
    let owned = bytes.to_vec();
    match tokio::task::spawn_blocking(move || read(&owned, format)).await {
        Ok(result) => result.map_err(super::read::ReadError::into_api_error),
        Err(panic) => {
            tracing::error!(error = %panic, "the spreadsheet reader failed on an import file");
            Err(ApiError::MalformedJson("the file could not be read".into()))
        }
    }
}

/// Runs an import into `unit` (a branch, or a commune whose rows name their branch);
/// `progress(done, total)` is called as rows are handled and answers whether to go on (`false`
/// once the job is cancelled: the import then stops with [`cancelled`], having written nothing).
/// As a job, the import ends its job inside the transaction of its write (see `jobs/cancel.rs`).
pub async fn import(
    pool: &DbPool,
    who: &Importer<'_>,
    unit: &OrgUnitRow,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
    mut progress: impl AsyncFnMut(usize, usize) -> bool,
) -> Result<ImportOutcome, ApiError> {
    let rows = read_off_workers(bytes, format).await?;
    let total = rows.len();
    let sensitive_cells = rows.iter().any(|r| r.cells.iter().any(|(c, v)| is_sensitive(*c) && !v.is_empty()));
    if sensitive_cells && !super::access::may_import_sensitive(who.principal, &unit.path.0) {
        return Err(ApiError::Forbidden);
    }
    let mut conn = pool.get().await?;
    let codes = CodeLists::new(
        ethnicities::table.select((ethnicities::code, ethnicities::name)).load(&mut conn).await?,
        religions::table.select((religions::code, religions::name)).load(&mut conn).await?,
    );
    // The branches rows may go to (the branch itself, or the commune's open branches) and
    // their groups, by folded name.
    let branch_rows: Vec<(Uuid, String)> = if unit.level == "branch" {
        vec![(unit.id, unit.name.clone())]
    } else {
        org_units::table
            .filter(org_units::parent_id.eq(unit.id))
            .filter(org_units::level.eq("branch"))
            .filter(org_units::valid_to.is_null())
            .select((org_units::id, org_units::name))
            .load(&mut conn)
            .await?
    };
    let branch_ids: Vec<Uuid> = branch_rows.iter().map(|b| b.0).collect();
    let group_rows: Vec<(Uuid, String, Option<Uuid>)> = org_units::table
        .filter(org_units::parent_id.eq_any(&branch_ids))
        .filter(org_units::level.eq("group"))
        .filter(org_units::valid_to.is_null())
        .select((org_units::id, org_units::name, org_units::parent_id))
        .load(&mut conn)
        .await?;
    let mut branches: HashMap<String, BranchGroups> = HashMap::new();
    for (id, name) in &branch_rows {
        let groups = group_rows
            .iter()
            .filter(|g| g.2 == Some(*id))
            .map(|(group, name, _)| (crate::text::fold::fold(name), *group))
            .collect();
        branches.insert(crate::text::fold::fold(name), (*id, groups));
    }
    let place_ids: Vec<Uuid> =
        branch_ids.iter().copied().chain(group_rows.iter().map(|g| g.0)).chain([unit.id]).collect();
    let group_paths: HashMap<Uuid, diesel_ltree::Ltree> = org_units::table
        .filter(org_units::id.eq_any(&place_ids))
        .select((org_units::id, org_units::path))
        .load(&mut conn)
        .await?
        .into_iter()
        .collect();
    let today = today_in_vietnam(Utc::now());
    let default_branch = if unit.level == "branch" { branches.values().next() } else { None };
    let ctx =
        RowContext { unit_id: unit.id, default_branch, branches: &branches, codes: &codes, today, lang: who.lang };

    // Members already in the branch, by citizen id and by (name, birth year, join date).
    let existing: Vec<(Option<String>, String, Option<i16>, NaiveDate)> = members::table
        .filter(members::unit_path.contained_by(unit.path.clone()))
        .select((members::cccd, members::search_key, members::birth_year, members::joined_on))
        .load(&mut conn)
        .await?;
    let on_file_cccd: HashSet<String> = existing.iter().filter_map(|e| e.0.clone()).collect();
    let on_file_keys: HashSet<(String, Option<i16>, NaiveDate)> =
        existing.into_iter().map(|e| (e.1, e.2, e.3)).collect();

    let mut errors = Vec::new();
    let mut valid = Vec::new();
    let mut seen_cccd = HashSet::new();
    let mut unchanged = 0;
    for (i, row) in rows.iter().enumerate() {
        match member_of(row, &ctx) {
            Ok((member, unit_id)) => {
                if let Some(cccd) = &member.cccd {
                    if on_file_cccd.contains(cccd) {
                        unchanged += 1;
                        continue;
                    }
                    if !seen_cccd.insert(cccd.clone()) {
                        errors.push(RowError {
                            row: row.number,
                            column: header(Column::Cccd).into(),
                            code: "duplicate_in_file".into(),
                            message: crate::http::Text::new(
                                "Số CCCD này đã có ở một dòng trước.",
                                "This citizen id appears on an earlier row.",
                            )
                            .get(who.lang)
                            .into(),
                        });
                        continue;
                    }
                } else if on_file_keys.contains(&(member.search_key.clone(), member.birth_year, member.joined_on)) {
                    unchanged += 1;
                    continue;
                }
                valid.push((row.number, member, unit_id));
            }
            Err(row_errors) => errors.extend(row_errors),
        }
        if i % 500 == 499 && !progress(i + 1, total).await {
            return Err(cancelled());
        }
    }
    // A citizen id held by a member elsewhere (outside this branch) is an error of its row.
    let cccds: Vec<String> = valid.iter().filter_map(|(_, m, _)| m.cccd.clone()).collect();
    let elsewhere: HashSet<String> = members::table
        .filter(members::cccd.eq_any(&cccds))
        .select(members::cccd)
        .load::<Option<String>>(&mut conn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    valid.retain(|(number, member, _)| match &member.cccd {
        Some(c) if elsewhere.contains(c) => {
            errors.push(RowError {
                row: *number,
                column: header(Column::Cccd).into(),
                code: "duplicate_cccd".into(),
                message: crate::http::Text::new(
                    "Số CCCD này đã có trong hệ thống ở đơn vị khác.",
                    "This citizen id is registered in another unit.",
                )
                .get(who.lang)
                .into(),
            });
            false
        }
        _ => true,
    });
    errors.sort_by_key(|e| e.row);
    if !progress(total, total).await {
        return Err(cancelled());
    }
    let created = valid.len();
    let outcome = ImportOutcome { dry_run, rows: total, created, unchanged, errors };
    if !dry_run && created > 0 {
        let by = who.principal.user_id();
        in_transaction(&mut conn, async |conn| {
            if let Some(job) = who.job {
                lock_for_write(conn, job).await?;
            }
            for chunk in valid.chunks(CHUNK) {
                let rows: Vec<_> = chunk
                    .iter()
                    .map(|(_, member, unit_id)| {
                        let target = OrgUnitRow {
                            id: *unit_id,
                            path: group_paths.get(unit_id).cloned().unwrap_or_else(|| unit.path.clone()),
                            ..unit.clone()
                        };
                        row_of(member, Uuid::now_v7(), &target, None)
                    })
                    .collect();
                diesel::insert_into(members::table).values(&rows).execute(conn).await?;
                let placements: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        (
                            member_placements::member_id.eq(r.id),
                            member_placements::unit_id.eq(r.unit_id),
                            member_placements::valid_from.eq(r.joined_on.max(unit.valid_from)),
                        )
                    })
                    .collect();
                diesel::insert_into(member_placements::table).values(&placements).execute(conn).await?;
                let events: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        (
                            member_events::id.eq(Uuid::now_v7()),
                            member_events::member_id.eq(r.id),
                            member_events::kind.eq("join"),
                            member_events::occurred_on.eq(r.joined_on),
                            member_events::to_unit_id.eq(Some(r.unit_id)),
                            member_events::recorded_by.eq(by),
                            member_events::reason.eq("import"),
                        )
                    })
                    .collect();
                diesel::insert_into(member_events::table).values(&events).execute(conn).await?;
            }
            let fields = [
                "family_name",
                "middle_name",
                "given_name",
                "sex",
                "birth_date",
                "cccd",
                "phone",
                "address",
                "ethnicity_code",
                "religion_code",
                "occupation",
                "education",
                "party_member",
                "party_joined_on",
                "joined_on",
                "card_number",
                "member_type",
            ];
            let event = AuditEvent::new("member.import")
                .object("org_unit", unit.id)
                .unit(unit.id)
                .fields(fields)
                .details(serde_json::json!({"created": created, "rows": total}));
            audit::record(conn, &who.actor, &who.meta, event).await?;
            if let Some(job) = who.job {
                let result = serde_json::to_value(&outcome).map_err(ApiError::internal)?;
                jobs::finish(conn, job, JobStatus::Succeeded, &result).await?;
            }
            Ok::<(), ApiError>(())
        })
        .await?;
    }
    Ok(outcome)
}
