//! Delta sync for mobile apps (đồng bộ): a first call without a cursor pages through a snapshot
//! of everything in the caller's scope; then every change since, in commit order, each with the
//! object's current representation or a tombstone (deleted, or moved out of the caller's scope).
//!
//! Writes are logged by triggers into `sync_changes` and stamped at commit with a clock that
//! follows commit order (see the migration), so a reader's cursor is a clock value and a change
//! committed late by a slow transaction can never fall behind it.

pub mod feed;
pub mod objects;

use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Removes log rows older than `days` and moves the horizon past them (1 if anything went).
pub async fn prune(conn: &mut AsyncPgConnection, days: i32) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "WITH gone AS (DELETE FROM sync_changes WHERE clock IS NOT NULL AND changed_at < now() - make_interval(days => $1)
                       RETURNING clock)
         UPDATE sync_horizon SET pruned_clock = GREATEST(pruned_clock, (SELECT max(clock) FROM gone))
         WHERE EXISTS (SELECT 1 FROM gone)",
    )
    .bind::<Integer, _>(days)
    .execute(conn)
    .await
}

/// What can be synced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncType {
    /// Hội viên (basic data, as `GET /members/{id}`).
    Members,
    /// Sinh hoạt (as `GET /activities/{id}`); the last 13 months in a snapshot.
    Activities,
    /// Điểm danh: the roster of an activity (as `GET /activities/{id}/attendance`).
    Attendance,
    /// Lần gặp, thăm hội viên (as in `GET /members/{id}/contacts`); the last 13 months in a snapshot.
    Contacts,
    /// Nhu cầu (sensitive: only with `members:sensitive`).
    Needs,
}

impl SyncType {
    pub const ALL: [SyncType; 5] =
        [SyncType::Members, SyncType::Activities, SyncType::Attendance, SyncType::Contacts, SyncType::Needs];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncType::Members => "members",
            SyncType::Activities => "activities",
            SyncType::Attendance => "attendance",
            SyncType::Contacts => "contacts",
            SyncType::Needs => "needs",
        }
    }

    /// The table whose log rows announce a change of this type.
    pub fn logged_as(self) -> &'static str {
        match self {
            SyncType::Attendance => "activities",
            other => other.as_str(),
        }
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncOp {
    /// Created or changed: `data` holds it now.
    Upsert,
    /// Remove it from the device: see `reason`.
    Delete,
}

/// Why a tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TombstoneReason {
    /// Đã xóa / It no longer exists.
    Deleted,
    /// Ngoài phạm vi / It left the caller's scope (e.g. a member transferred away); a member's
    /// tombstone also removes her contacts and needs.
    OutOfScope,
}

/// One entry of the feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "members", "id": "0193a5c8-0000-7000-8000-000000000001", "op": "delete", "reason": "out_of_scope"}))]
pub struct SyncChange {
    #[serde(rename = "type")]
    pub kind: SyncType,
    /// The object's id (for attendance: the activity's id).
    pub id: uuid::Uuid,
    pub op: SyncOp,
    /// For `delete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<TombstoneReason>,
    /// For `upsert`: the object as its own endpoint returns it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncPage {
    /// Changes in commit order (an object appears once per page, as it is now).
    pub changes: Vec<SyncChange>,
    /// Where to resume: store it with the data and pass it back, now or later.
    pub next_cursor: String,
    /// More is waiting now: call again at once with `next_cursor`.
    pub has_more: bool,
    /// `snapshot` while the first full copy is paged, then `changes`.
    pub phase: SyncPhase,
}

/// Which part of the feed a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Snapshot,
    Changes,
}
