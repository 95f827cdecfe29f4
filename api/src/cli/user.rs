//! `chihoi user …`: account operations for bootstrap and emergencies, run on the server with
//! database access. Passwords are read from standard input, never from arguments (which leak
//! into shell history and process lists).

use std::io::BufRead;

use clap::Subcommand;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, AuditActor, AuditEvent};
use crate::auth::passwords::{self, policy_issue};
use crate::auth::{RequestMeta, Role, sessions};
use crate::config::Config;
use crate::db::in_transaction;
use crate::http::{ApiError, Lang};
use crate::org_units::queries::find_by_reference;
use crate::schema::{role_grants, users};
use crate::users::models::NewUserRow;
use crate::users::wire::username_issue;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with a role on a unit (password from stdin).
    Create {
        #[arg(long)]
        username: String,
        /// admin, province_officer, commune_officer, branch_head, group_leader, member, auditor.
        #[arg(long)]
        role: String,
        /// Unit id or official code (`TW` is the root).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Make the user choose a new password at first login.
        #[arg(long)]
        must_change_password: bool,
    },
    /// Set a new password (from stdin); ends every session of the account.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        must_change_password: bool,
    },
    /// Disable an account; its sessions and tokens stop working at once.
    Disable {
        #[arg(long)]
        username: String,
    },
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn cli_meta() -> RequestMeta {
    RequestMeta { request_id: Some(format!("cli-{}", Uuid::now_v7())), client_ip: None }
}

async fn user_id(conn: &mut AsyncPgConnection, username: &str) -> Result<Uuid, String> {
    users::table
        .filter(users::username.eq(username.to_lowercase()))
        .select(users::id)
        .first(conn)
        .await
        .optional()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user {username}"))
}

pub async fn run(config: &Config, command: UserCommand) -> Result<String, String> {
    let mut conn =
        AsyncPgConnection::establish(config.database_url.expose()).await.map_err(|e| format!("database: {e}"))?;
    let params = config.auth.password_hash;
    let meta = cli_meta();
    match command {
        UserCommand::Create { username, role, unit, display_name, must_change_password } => {
            let username = username.trim().to_lowercase();
            if let Some(issue) = username_issue("username", &username) {
                return Err(issue.message.get(Lang::En).to_owned());
            }
            let role =
                Role::parse(&role).filter(|r| *r != Role::Integration).ok_or_else(|| format!("unknown role {role}"))?;
            let unit = find_by_reference(&mut conn, &unit)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no unit {unit}"))?;
            let password = read_password()?;
            if let Some(issue) = policy_issue("password", &password, &username) {
                return Err(issue.message.get(Lang::En).to_owned());
            }
            let phc = passwords::hash(&password, params)?;
            let id = in_transaction(&mut conn, async |conn| {
                let row = NewUserRow {
                    id: Uuid::now_v7(),
                    username: username.clone(),
                    display_name: display_name.clone().unwrap_or_else(|| username.clone()),
                    home_unit_id: unit.id,
                    member_id: None,
                    must_change_password,
                    password_hash: phc.clone(),
                };
                let user = crate::users::queries::insert(conn, &row)
                    .await?
                    .ok_or_else(|| crate::http::ApiError::internal("user name taken"))?;
                diesel::insert_into(role_grants::table)
                    .values((
                        role_grants::id.eq(Uuid::now_v7()),
                        role_grants::user_id.eq(user.id),
                        role_grants::role.eq(role.as_str()),
                        role_grants::org_unit_id.eq(unit.id),
                    ))
                    .execute(conn)
                    .await?;
                let event = AuditEvent::new("user.create")
                    .object("user", user.id)
                    .unit(unit.id)
                    .details(serde_json::json!({"via": "cli", "role": role.as_str()}));
                audit::record(conn, &AuditActor::system(), &meta, event).await?;
                Ok::<_, ApiError>(user.id)
            })
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("created {username} ({id}) as {} on {}", role.as_str(), unit.name))
        }
        UserCommand::ResetPassword { username, must_change_password } => {
            let id = user_id(&mut conn, &username).await?;
            let password = read_password()?;
            if let Some(issue) = policy_issue("password", &password, &username) {
                return Err(issue.message.get(Lang::En).to_owned());
            }
            let phc = passwords::hash(&password, params)?;
            in_transaction(&mut conn, async |conn| {
                crate::users::queries::set_password(conn, id, &phc, must_change_password).await?;
                sessions::revoke_all(conn, id, "password_reset").await?;
                let event = AuditEvent::new("user.password_reset")
                    .object("user", id)
                    .fields(["password"])
                    .details(serde_json::json!({"via": "cli"}));
                audit::record(conn, &AuditActor::system(), &meta, event).await
            })
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("password of {username} changed; all its sessions ended"))
        }
        UserCommand::Disable { username } => {
            let id = user_id(&mut conn, &username).await?;
            in_transaction(&mut conn, async |conn| {
                diesel::update(users::table.find(id))
                    .set((
                        users::status.eq("disabled"),
                        users::version.eq(users::version + 1),
                        users::updated_at.eq(diesel::dsl::now),
                    ))
                    .execute(conn)
                    .await?;
                sessions::revoke_all(conn, id, "account_disabled").await?;
                let event = AuditEvent::new("user.disable")
                    .object("user", id)
                    .fields(["status"])
                    .details(serde_json::json!({"via": "cli"}));
                audit::record(conn, &AuditActor::system(), &meta, event).await
            })
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("{username} disabled"))
        }
    }
}
