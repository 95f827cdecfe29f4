//! `/api/v1/users/{id}/roles`: who holds which role where. Granting or revoking a role needs
//! `users:manage` on the unit, a role there that outranks it (`users::access`), and the right
//! to manage the account itself.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::access::{manageable_user, may_grant, visible_grant, visible_user};
use super::models::GrantRow;
use super::queries;
use super::wire::{NewRoleGrant, RoleGrant};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission, Role};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, Text};
use crate::org_units::access::visible_unit;
use crate::schema::role_grants;
use crate::state::AppState;

/// List an account's roles
///
/// The roles an account holds, each on its unit.
#[utoipa::path(
    tag = "users",
    operation_id = "list_user_roles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id.")),
    responses(
        (status = 200, description = "The account's roles (at most a few; not paginated).", body = Vec<RoleGrant>),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/users/{id}/roles")]
pub async fn list_user_roles(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RoleGrant>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let (user, _) = visible_user(&mut conn, &caller, id.into_inner(), Permission::UsersRead).await?;
    let grants = queries::grants(&mut conn, user.id).await?;
    Ok(web::Json(grants.into_iter().filter_map(|(g, name, _)| RoleGrant::from_row(g, name)).collect()))
}

/// Grant a role
///
/// Grants `role` on `org_unit_id` (covering its subtree). The caller needs `users:manage` on
/// that unit and must hold there a role at least as strong; only admins appoint auditors.
/// Takes effect on the account's next request.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user_role",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Account id."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description)."),
    ),
    request_body = NewRoleGrant,
    responses(
        (status = 201, description = "Granted.", body = RoleGrant),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/users/{id}/roles")]
pub async fn create_user_role(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    body: ApiJson<NewRoleGrant>,
) -> Result<HttpResponse, ApiError> {
    let user_id = id.into_inner();
    let body = body.into_inner();
    if body.role == Role::Integration {
        return Err(ApiError::invalid_field(
            "role",
            "not_grantable",
            Text::new(
                "Vai trò integration chỉ dành cho hệ thống (machine client).",
                "The integration role belongs to machine clients only.",
            ),
        ));
    }
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let (user, _) = visible_user(conn, &caller, user_id, Permission::UsersRead).await?;
        let unit = visible_unit(conn, &caller, body.org_unit_id, Permission::OrgUnitsRead).await?;
        if !may_grant(&caller, body.role, &unit.path.0) {
            return Err(ApiError::Forbidden);
        }
        manageable_user(conn, &caller, user.id).await?;
        let row: Option<GrantRow> = diesel::insert_into(role_grants::table)
            .values((
                role_grants::id.eq(Uuid::now_v7()),
                role_grants::user_id.eq(user.id),
                role_grants::role.eq(body.role.as_str()),
                role_grants::org_unit_id.eq(unit.id),
                role_grants::granted_by.eq(caller.principal.user_id()),
            ))
            .on_conflict_do_nothing()
            .returning(GrantRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        let row = row.ok_or_else(|| ApiError::Conflict {
            code: "role_already_granted",
            detail: Text::new(
                "Tài khoản đã có vai trò này trên đơn vị này.",
                "The account already holds this role on this unit.",
            ),
            field: Some("role".into()),
        })?;
        let grant =
            RoleGrant::from_row(row, unit.name.clone()).ok_or_else(|| ApiError::internal("unknown role stored"))?;
        let event = AuditEvent::new("user.role_grant")
            .object("user", user.id)
            .unit(unit.id)
            .fields(["role", "org_unit_id"])
            .details(serde_json::json!({"role": body.role.as_str(), "grant_id": grant.id}));
        caller.audit(conn, event).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &grant)?
            .header(header::LOCATION, format!("/api/v1/users/{}/roles/{}", user.id, grant.id)))
    })
    .await
}

/// Revoke a role
///
/// Removes a grant; the account loses its rights on its next request.
#[utoipa::path(
    tag = "users",
    operation_id = "delete_user_role",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Account id."),
        ("grant_id" = Uuid, Path, description = "Grant id."),
    ),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn delete_user_role(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, grant_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        let (user, grant, unit_path) = visible_grant(conn, &caller, user_id, grant_id).await?;
        let role = Role::parse(&grant.role).ok_or_else(|| ApiError::internal("unknown role stored"))?;
        if !may_grant(&caller, role, &unit_path.0) {
            return Err(ApiError::Forbidden);
        }
        manageable_user(conn, &caller, user.id).await?;
        diesel::delete(role_grants::table.find(grant_id)).execute(conn).await?;
        let event = AuditEvent::new("user.role_revoke")
            .object("user", user.id)
            .unit(grant.org_unit_id)
            .fields(["role", "org_unit_id"])
            .details(serde_json::json!({"role": grant.role, "grant_id": grant_id}));
        caller.audit(conn, event).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
