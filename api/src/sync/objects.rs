//! The objects of the feed: ids in the caller's scope for a snapshot page, and current
//! representations by id, each exactly as the object's own endpoint returns it.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::SyncType;
use crate::activities::models::{ActivityRow, to_wire as activities_to_wire};
use crate::http::ApiError;
use crate::members::models::MemberRow;
use crate::members::wire::Member;
use crate::privacy::consents::ProcessingPurpose;
use crate::privacy::withdrawn::withdrawn_among;
use crate::schema::{activities, member_contacts, member_needs, members};

/// The caller's subtrees: for everything, and for sensitive data (needs).
pub struct Scopes {
    pub read: Vec<Ltree>,
    pub sensitive: Vec<Ltree>,
}

impl Scopes {
    fn of(&self, kind: SyncType) -> Vec<Ltree> {
        if kind == SyncType::Needs { self.sensitive.clone() } else { self.read.clone() }
    }
}

fn values<T: Serialize>(items: Vec<(Uuid, T)>) -> Result<HashMap<Uuid, Value>, ApiError> {
    items
        .into_iter()
        .map(|(id, item)| serde_json::to_value(item).map(|v| (id, v)).map_err(ApiError::internal))
        .collect()
}

/// A page of ids for the snapshot, in id order after `after`. Activities, rosters and contacts
/// go back to `since`; members and needs are all there.
pub async fn snapshot_ids(
    conn: &mut AsyncPgConnection,
    kind: SyncType,
    after: Option<Uuid>,
    limit: i64,
    scopes: &Scopes,
    since: NaiveDate,
) -> Result<Vec<Uuid>, ApiError> {
    let after = after.unwrap_or(Uuid::nil());
    let scope = scopes.of(kind);
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    Ok(match kind {
        SyncType::Members => {
            members::table
                .filter(members::unit_path.contained_by_any(scope))
                .filter(members::id.gt(after))
                .order(members::id)
                .limit(limit)
                .select(members::id)
                .load(conn)
                .await?
        }
        SyncType::Activities | SyncType::Attendance => {
            activities::table
                .filter(activities::unit_path.contained_by_any(scope))
                .filter(activities::held_on.ge(since))
                .filter(activities::id.gt(after))
                .order(activities::id)
                .limit(limit)
                .select(activities::id)
                .load(conn)
                .await?
        }
        SyncType::Contacts => {
            member_contacts::table
                .inner_join(members::table)
                .filter(members::unit_path.contained_by_any(scope))
                .filter(member_contacts::contacted_on.ge(since))
                .filter(member_contacts::id.gt(after))
                .order(member_contacts::id)
                .limit(limit)
                .select(member_contacts::id)
                .load(conn)
                .await?
        }
        SyncType::Needs => {
            member_needs::table
                .inner_join(members::table)
                .filter(members::unit_path.contained_by_any(scope))
                .filter(member_needs::id.gt(after))
                .order(member_needs::id)
                .limit(limit)
                .select(member_needs::id)
                .load(conn)
                .await?
        }
    })
}

/// The objects among `ids` the caller may see now, as JSON by id; the others are gone or out
/// of scope.
pub async fn load(
    conn: &mut AsyncPgConnection,
    kind: SyncType,
    ids: &[Uuid],
    scopes: &Scopes,
) -> Result<HashMap<Uuid, Value>, ApiError> {
    let scope = scopes.of(kind);
    if ids.is_empty() || scope.is_empty() {
        return Ok(HashMap::new());
    }
    match kind {
        SyncType::Members => {
            let rows: Vec<MemberRow> = members::table
                .filter(members::id.eq_any(ids))
                .filter(members::unit_path.contained_by_any(scope))
                .select(MemberRow::as_select())
                .load(conn)
                .await?;
            values(rows.into_iter().map(|r| (r.id, Member::basic(r))).collect())
        }
        SyncType::Activities | SyncType::Attendance => {
            let rows: Vec<ActivityRow> = activities::table
                .filter(activities::id.eq_any(ids))
                .filter(activities::unit_path.contained_by_any(scope))
                .select(ActivityRow::as_select())
                .load(conn)
                .await?;
            if kind == SyncType::Activities {
                let wire = activities_to_wire(conn, rows).await?;
                return values(wire.into_iter().map(|a| (a.id, a)).collect());
            }
            let mut sheets = Vec::with_capacity(rows.len());
            for row in &rows {
                sheets.push((row.id, crate::activities::sheet::sheet(conn, row).await?));
            }
            values(sheets)
        }
        SyncType::Contacts => {
            let contacts = crate::members::contacts::by_ids(conn, ids, scope).await?;
            values(contacts.into_iter().map(|c| (c.id, c)).collect())
        }
        SyncType::Needs => {
            let needs = crate::members::needs::by_ids(conn, ids, scope).await?;
            // A member who withdrew this purpose: her needs leave the devices (tombstones).
            let owners: Vec<Uuid> = needs.iter().map(|n| n.member_id).collect();
            let withdrawn = withdrawn_among(conn, &owners, ProcessingPurpose::CircumstancesAndNeeds).await?;
            values(needs.into_iter().filter(|n| !withdrawn.contains(&n.member_id)).map(|n| (n.id, n)).collect())
        }
    }
}
