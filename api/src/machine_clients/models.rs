//! A machine client as stored (its secret's hash is never read back here).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::wire::{ClientStatus, MachineClient};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::machine_clients, check_for_backend(diesel::pg::Pg))]
pub struct ClientRow {
    pub id: Uuid,
    pub name: String,
    pub org_unit_id: Uuid,
    pub secret_prefix: String,
    pub status: String,
    pub last_used_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ClientRow> for MachineClient {
    fn from(r: ClientRow) -> MachineClient {
        MachineClient {
            id: r.id,
            name: r.name,
            org_unit_id: r.org_unit_id,
            secret_prefix: r.secret_prefix,
            status: if r.status == ClientStatus::Active.as_str() {
                ClientStatus::Active
            } else {
                ClientStatus::Disabled
            },
            last_used_at: r.last_used_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
