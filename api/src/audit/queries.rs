use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use uuid::Uuid;

use super::wire::AuditEventView;
use crate::auth::Scope;
use crate::schema::{audit_events as a, org_units};

type Row = (
    i64,
    DateTime<Utc>,
    String,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    Vec<Option<String>>,
    Option<String>,
    Option<String>,
    serde_json::Value,
);

pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub within: Option<Ltree>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Events of units in `scope`, newest first; events without a unit (e.g. a failed login of an
/// unknown name) only when `see_unscoped` (an auditor or admin at the root).
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    see_unscoped: bool,
    filter: &Filter,
    before: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<AuditEventView>> {
    let mut query = a::table
        .left_join(org_units::table.on(org_units::id.nullable().eq(a::org_unit_id)))
        .select((
            a::id,
            a::occurred_at,
            a::actor_type,
            a::actor_id,
            a::actor_name,
            a::action,
            a::outcome,
            a::object_type,
            a::object_id,
            a::org_unit_id,
            a::fields,
            a::request_id,
            a::client_ip,
            a::details,
        ))
        .order(a::id.desc())
        .limit(fetch)
        .into_boxed();
    query = if see_unscoped {
        query.filter(org_units::path.contained_by_any(scope.paths()).or(a::org_unit_id.is_null()))
    } else {
        query.filter(org_units::path.contained_by_any(scope.paths()))
    };
    if let Some(within) = &filter.within {
        query = query.filter(org_units::path.contained_by(within.clone()));
    }
    if let Some(actor) = filter.actor_id {
        query = query.filter(a::actor_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(a::action.eq(action.clone()));
    }
    if let Some(object_type) = &filter.object_type {
        query = query.filter(a::object_type.eq(object_type.clone()));
    }
    if let Some(object_id) = &filter.object_id {
        query = query.filter(a::object_id.eq(object_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(a::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(a::occurred_at.lt(to));
    }
    if let Some(before) = before {
        query = query.filter(a::id.lt(before));
    }
    let rows: Vec<Row> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEventView {
            id: r.0,
            occurred_at: r.1,
            actor_type: r.2,
            actor_id: r.3,
            actor_name: r.4,
            action: r.5,
            outcome: r.6,
            object_type: r.7,
            object_id: r.8,
            org_unit_id: r.9,
            fields: r.10.into_iter().flatten().collect(),
            request_id: r.11,
            client_ip: r.12,
            details: r.13,
        })
        .collect())
}
