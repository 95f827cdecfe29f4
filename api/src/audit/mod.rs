//! The audit trail (nhật ký kiểm tra): append-only rows for every write, every read of sensitive
//! fields, logins and their failures, token and role changes. Rows name fields, never their
//! values. Writes record their event in the same transaction as the change.

pub mod handlers;
mod queries;
pub mod wire;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::principal::Actor;
use crate::auth::{Caller, RequestMeta};
use crate::http::ApiError;
use crate::schema::audit_events;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// Who did it, as recorded.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub name: Option<String>,
}

impl AuditActor {
    pub fn anonymous() -> Self {
        AuditActor { kind: "anonymous", id: None, name: None }
    }

    pub fn system() -> Self {
        AuditActor { kind: "system", id: None, name: Some("chihoi".into()) }
    }

    pub fn user(id: Uuid, name: &str) -> Self {
        AuditActor { kind: "user", id: Some(id), name: Some(name.to_owned()) }
    }

    /// A third-party app acting on its own (giving back a token), by its `client_id`.
    pub fn oauth_app(id: Uuid, client_id: &str) -> Self {
        AuditActor { kind: "oauth_app", id: Some(id), name: Some(client_id.to_owned()) }
    }

    pub fn of(actor: &Actor) -> Self {
        match actor {
            Actor::User { id, username, api_token_id: Some(_), .. } => {
                AuditActor { kind: "api_token", id: Some(*id), name: Some(username.clone()) }
            }
            Actor::User { id, username, .. } => AuditActor::user(*id, username),
            Actor::Client { id, name } => AuditActor { kind: "client", id: Some(*id), name: Some(name.clone()) },
        }
    }
}

/// One event. `fields` are names of fields written or read, never values.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub outcome: Outcome,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
    pub org_unit_id: Option<Uuid>,
    pub fields: Vec<String>,
    pub details: serde_json::Value,
}

impl AuditEvent {
    pub fn new(action: &'static str) -> Self {
        AuditEvent {
            action,
            outcome: Outcome::Success,
            object_type: None,
            object_id: None,
            org_unit_id: None,
            fields: Vec::new(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn object(mut self, object_type: &'static str, id: impl ToString) -> Self {
        self.object_type = Some(object_type);
        self.object_id = Some(id.to_string());
        self
    }

    pub fn unit(mut self, unit: Uuid) -> Self {
        self.org_unit_id = Some(unit);
        self
    }

    pub fn fields<I: IntoIterator<Item = S>, S: Into<String>>(mut self, fields: I) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &AuditActor,
    meta: &RequestMeta,
    event: AuditEvent,
) -> Result<(), ApiError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::actor_type.eq(actor.kind),
            audit_events::actor_id.eq(actor.id),
            audit_events::actor_name.eq(actor.name.as_deref()),
            audit_events::action.eq(event.action),
            audit_events::outcome.eq(event.outcome.as_str()),
            audit_events::object_type.eq(event.object_type),
            audit_events::object_id.eq(event.object_id),
            audit_events::org_unit_id.eq(event.org_unit_id),
            audit_events::fields.eq(event.fields.into_iter().map(Some).collect::<Vec<_>>()),
            audit_events::request_id.eq(meta.request_id.as_deref()),
            audit_events::client_ip.eq(meta.client_ip.as_deref()),
            audit_events::details.eq(event.details),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

impl Caller {
    /// Records `event` as done by this caller (in the caller's transaction, if any).
    pub async fn audit(&self, conn: &mut AsyncPgConnection, mut event: AuditEvent) -> Result<(), ApiError> {
        // What an officer does through an app names the app too.
        if let (Some(app), Some(details)) = (self.principal.oauth_app_id(), event.details.as_object_mut()) {
            details.insert("via_oauth_app".into(), serde_json::json!(app));
        }
        record(conn, &AuditActor::of(&self.principal.actor), &self.meta, event).await
    }
}
