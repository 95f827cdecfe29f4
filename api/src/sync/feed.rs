//! `GET /sync/changes`: the snapshot pages, then the change log in commit order.

use std::collections::{BTreeSet, HashMap};

use actix_web::{get, web};
use chrono::{Months, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_ltree::Ltree;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::objects::{Scopes, load, snapshot_ids};
use super::{SyncChange, SyncOp, SyncPage, SyncPhase, SyncType, TombstoneReason};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::pagination::encode_cursor;
use crate::http::{ApiError, ApiQuery, PageRequest, Text};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Query of the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// `next_cursor` of the previous page; none for a first full snapshot.
    pub cursor: Option<String>,
    /// Entries per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Comma-separated types (default all): `members,activities,attendance,contacts,needs`.
    pub types: Option<String>,
}

/// Where a reader is: in the snapshot (type index, last id, and the commit clock when it
/// began), or in the change log (after this clock and sequence number).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(tag = "p")]
enum Position {
    S { t: usize, after: Option<Uuid>, clock: i64 },
    C { clock: i64, seq: i64 },
}

#[derive(QueryableByName)]
struct Clock {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Logged {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = BigInt)]
    clock: i64,
    #[diesel(sql_type = SqlText)]
    object_type: String,
    #[diesel(sql_type = SqlUuid)]
    object_id: Uuid,
    #[diesel(sql_type = Bool)]
    deleted: bool,
    #[diesel(sql_type = Nullable<SqlText>)]
    old_path: Option<String>,
    #[diesel(sql_type = Nullable<SqlText>)]
    new_path: Option<String>,
}

fn parse_types(raw: Option<&str>) -> Result<Vec<SyncType>, ApiError> {
    let Some(raw) = raw else { return Ok(SyncType::ALL.to_vec()) };
    let mut types = BTreeSet::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let kind = SyncType::ALL.into_iter().find(|t| t.as_str() == part).ok_or_else(|| {
            ApiError::invalid_parameter(
                "types",
                "unknown_type",
                Text::owned(format!("Không có loại dữ liệu \"{part}\"."), format!("No type \"{part}\".")),
            )
        })?;
        types.insert(kind);
    }
    if types.is_empty() {
        return Err(ApiError::invalid_parameter(
            "types",
            "empty",
            Text::new("Cần ít nhất một loại.", "At least one type."),
        ));
    }
    Ok(types.into_iter().collect())
}

fn within(path: Option<&str>, scope: &[Ltree]) -> bool {
    path.is_some_and(|p| scope.iter().any(|s| crate::auth::principal::is_within(p, &s.0)))
}

/// Snapshot pages: each type in turn, in id order.
async fn snapshot(
    conn: &mut AsyncPgConnection,
    types: &[SyncType],
    (mut t, mut after, clock): (usize, Option<Uuid>, i64),
    limit: i64,
    scopes: &Scopes,
) -> Result<SyncPage, ApiError> {
    let since = today_in_vietnam(Utc::now()) - Months::new(13);
    let mut changes = Vec::new();
    while t < types.len() {
        let room = limit - i64::try_from(changes.len()).unwrap_or(limit);
        if room <= 0 {
            break;
        }
        let kind = types[t];
        let ids = snapshot_ids(conn, kind, after, room, scopes, since).await?;
        let found = load(conn, kind, &ids, scopes).await?;
        for id in &ids {
            if let Some(data) = found.get(id) {
                changes.push(SyncChange { kind, id: *id, op: SyncOp::Upsert, reason: None, data: Some(data.clone()) });
            }
        }
        if i64::try_from(ids.len()).unwrap_or(0) < room {
            t += 1;
            after = None;
        } else {
            after = ids.last().copied();
        }
    }
    let (next, phase) = if t < types.len() {
        (Position::S { t, after, clock }, SyncPhase::Snapshot)
    } else {
        // Everything committed before the snapshot began is in it; the log resumes there.
        (Position::C { clock, seq: i64::MAX }, SyncPhase::Snapshot)
    };
    Ok(SyncPage { changes, next_cursor: encode_cursor(&next), has_more: true, phase })
}

/// Log pages: committed changes after the position, in commit order.
async fn log(
    conn: &mut AsyncPgConnection,
    types: &[SyncType],
    (clock, seq): (i64, i64),
    now: i64,
    limit: i64,
    scopes: &Scopes,
) -> Result<SyncPage, ApiError> {
    let pruned: Clock = diesel::sql_query("SELECT pruned_clock AS n FROM sync_horizon").get_result(conn).await?;
    if clock < pruned.n {
        return Err(ApiError::Gone {
            code: "cursor_expired",
            detail: Text::new(
                "Con trỏ đã quá hạn lưu nhật ký thay đổi: đồng bộ lại từ đầu (không có cursor).",
                "The cursor is older than the kept change log: resync from the start (no cursor).",
            ),
        });
    }
    let logged: Vec<String> =
        types.iter().map(|t| t.logged_as().to_owned()).collect::<BTreeSet<_>>().into_iter().collect();
    let rows: Vec<Logged> = diesel::sql_query(
        "SELECT seq, clock, object_type, object_id, deleted, old_path::text AS old_path, new_path::text AS new_path
         FROM sync_changes
         WHERE clock IS NOT NULL AND (clock, seq) > ($1, $2) AND object_type = ANY($3)
           AND (old_path <@ ANY($4::ltree[]) OR new_path <@ ANY($4::ltree[]))
         ORDER BY clock, seq LIMIT $5",
    )
    .bind::<BigInt, _>(clock)
    .bind::<BigInt, _>(seq)
    .bind::<Array<SqlText>, _>(&logged)
    .bind::<Array<SqlText>, _>(scopes.read.iter().map(|l| l.0.clone()).collect::<Vec<_>>())
    .bind::<BigInt, _>(limit + 1)
    .load(conn)
    .await?;
    let has_more = i64::try_from(rows.len()).unwrap_or(0) > limit;
    let page = &rows[..rows.len().min(usize::try_from(limit).unwrap_or(0))];
    let next = match (has_more, page.last()) {
        (true, Some(last)) => Position::C { clock: last.clock, seq: last.seq },
        // Every committed change up to the clock of this snapshot was considered.
        _ if now > clock => Position::C { clock: now, seq: i64::MAX },
        _ => Position::C { clock, seq },
    };
    // Each object once, where its last change in the page falls.
    let mut last: HashMap<(String, Uuid), usize> = HashMap::new();
    for (i, row) in page.iter().enumerate() {
        last.insert((row.object_type.clone(), row.object_id), i);
    }
    let mut ordered: Vec<(usize, &Logged)> = last.values().map(|i| (*i, &page[*i])).collect();
    ordered.sort_by_key(|(i, _)| *i);
    let mut current: HashMap<SyncType, HashMap<Uuid, serde_json::Value>> = HashMap::new();
    for kind in types {
        let ids: Vec<Uuid> =
            ordered.iter().filter(|(_, r)| r.object_type == kind.logged_as()).map(|(_, r)| r.object_id).collect();
        current.insert(*kind, load(conn, *kind, &ids, scopes).await?);
    }
    let mut changes = Vec::new();
    for (_, row) in ordered {
        for kind in types.iter().filter(|t| t.logged_as() == row.object_type) {
            // Needs are heard of only where the caller may see sensitive data.
            if *kind == SyncType::Needs
                && !within(row.old_path.as_deref(), &scopes.sensitive)
                && !within(row.new_path.as_deref(), &scopes.sensitive)
            {
                continue;
            }
            let data = current.get(kind).and_then(|found| found.get(&row.object_id)).cloned();
            let reason = match (&data, row.deleted) {
                (Some(_), _) => None,
                (None, true) => Some(TombstoneReason::Deleted),
                (None, false) => Some(TombstoneReason::OutOfScope),
            };
            let op = if data.is_some() { SyncOp::Upsert } else { SyncOp::Delete };
            changes.push(SyncChange { kind: *kind, id: row.object_id, op, reason, data });
        }
    }
    Ok(SyncPage { changes, next_cursor: encode_cursor(&next), has_more, phase: SyncPhase::Changes })
}

/// Sync changes
///
/// For offline-first apps. Without `cursor`: a full snapshot of the caller's scope in pages
/// (members and needs all; activities, rosters and contacts of the last 13 months), then the
/// changes since it began. With `cursor`: every change after it, in commit order, each object
/// with its current representation (`upsert`) or a tombstone (`delete`, with `deleted` or
/// `out_of_scope` when it left the caller's scope, as a member transferred away). Keep
/// `next_cursor` with the data; call again at once while `has_more`. No change is ever skipped,
/// including changes committed late by slow writers; the same object may come again (apply
/// upserts idempotently). A cursor older than the kept log (`CHIHOI_SYNC_RETENTION_DAYS`) is
/// `410 cursor_expired`: resync without a cursor. Needs `members:read`; needs also
/// `members:sensitive`.
#[utoipa::path(tag = "sync", operation_id = "list_sync_changes", security(("bearer" = [])),
    params(SyncQuery),
    responses((status = 200, description = "A page of the feed.", body = SyncPage),
        (status = 400, response = crate::http::responses::BadRequest),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 410, response = crate::http::responses::Gone)))]
#[get("/sync/changes")]
pub async fn list_sync_changes(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<SyncQuery>,
) -> Result<web::Json<SyncPage>, ApiError> {
    let query = query.into_inner();
    let types = parse_types(query.types.as_deref())?;
    let page = PageRequest::<Position>::parse(query.limit, query.cursor.as_deref())?;
    let read: Vec<Ltree> = caller.scope(Permission::MembersRead)?.paths();
    let sensitive = caller.principal.scope(Permission::MembersSensitive).into_iter().map(Ltree).collect();
    let scopes = Scopes { read, sensitive };
    let mut conn = state.read_pool.get().await?;
    let result = in_transaction(&mut conn, async |conn| {
        // One snapshot for the horizon and the reads that follow it.
        conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
        let now: Clock = diesel::sql_query("SELECT n FROM sync_clock").get_result(conn).await?;
        match page.after {
            None => snapshot(conn, &types, (0, None, now.n), page.limit, &scopes).await,
            Some(Position::S { t, after, clock }) => {
                snapshot(conn, &types, (t, after, clock), page.limit, &scopes).await
            }
            Some(Position::C { clock, seq }) => log(conn, &types, (clock, seq), now.n, page.limit, &scopes).await,
        }
    })
    .await?;
    audit_needs_read(&state, &caller, &result).await?;
    Ok(web::Json(result))
}

/// Needs are sensitive: a page that carries some is a sensitive read, audited like
/// `GET /members/{id}/needs` (on the primary: the feed itself may read a replica).
async fn audit_needs_read(state: &AppState, caller: &Caller, page: &SyncPage) -> Result<(), ApiError> {
    let mut members: Vec<&serde_json::Value> = page
        .changes
        .iter()
        .filter(|c| c.kind == SyncType::Needs && c.op == SyncOp::Upsert)
        .filter_map(|c| c.data.as_ref().and_then(|d| d.get("member_id")))
        .collect();
    if members.is_empty() {
        return Ok(());
    }
    members.sort_by_key(|v| v.to_string());
    members.dedup();
    let mut conn = state.pool.get().await?;
    let event = AuditEvent::new("member.read_sensitive")
        .fields(["needs"])
        .details(serde_json::json!({"member_ids": members, "via": "sync"}));
    caller.audit(&mut conn, event).await
}
