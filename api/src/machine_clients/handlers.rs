use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use uuid::Uuid;

use super::access::managed_client;
use super::models::ClientRow;
use super::wire::{
    ClientStatus, MachineClient, MachineClientListQuery, MachineClientPatch, MachineClientWithSecret, NewMachineClient,
};
use crate::audit::AuditEvent;
use crate::auth::tokens::{CLIENT_SECRET_PREFIX, digest, generate, shown_part};
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::org_units::access::visible_unit;
use crate::schema::{machine_clients as mc, org_units};
use crate::state::AppState;

fn with_etag(status: StatusCode, client: &MachineClient) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(client.version))).json(client)
}

/// List machine clients
///
/// The machine clients (hệ thống cấp trên) registered for higher-level systems, with the unit each
/// reaches. Secrets are never shown again.
#[utoipa::path(
    tag = "machine_clients",
    operation_id = "list_machine_clients",
    security(("bearer" = [])),
    params(MachineClientListQuery),
    responses(
        (status = 200, description = "Clients bound to units the caller manages, oldest first.", body = super::wire::MachineClientPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
    )
)]
#[get("/machine-clients")]
pub async fn list_machine_clients(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<MachineClientListQuery>,
) -> Result<web::Json<Page<MachineClient>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<Uuid>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::ClientsManage)?;
    let mut conn = state.pool.get().await?;
    let mut select = mc::table
        .inner_join(org_units::table)
        .filter(org_units::path.contained_by_any(scope.paths()))
        .select(ClientRow::as_select())
        .order(mc::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        select = select.filter(mc::id.gt(after));
    }
    let rows: Vec<ClientRow> = select.load(&mut conn).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.id, MachineClient::from)))
}

/// Register a machine client
///
/// The response carries `client_secret`, shown this once.
#[utoipa::path(
    tag = "machine_clients",
    operation_id = "create_machine_client",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewMachineClient,
    responses(
        (status = 201, description = "Registered.", body = MachineClientWithSecret),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/machine-clients")]
pub async fn create_machine_client(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewMachineClient>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut v = Validator::new();
    let name = v.result(bounded_text("name", &body.name, 100)).unwrap_or_default();
    v.check(!name.is_empty(), "name", "required", Text::new("Cần đặt tên.", "A name is required."));
    v.finish()?;
    let secret = generate(CLIENT_SECRET_PREFIX).map_err(ApiError::internal)?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, body.org_unit_id, Permission::OrgUnitsRead).await?;
        caller.require(Permission::ClientsManage, &unit.path.0)?;
        let row: ClientRow = diesel::insert_into(mc::table)
            .values((
                mc::id.eq(Uuid::now_v7()),
                mc::name.eq(&name),
                mc::org_unit_id.eq(unit.id),
                mc::secret_prefix.eq(shown_part(&secret)),
                mc::secret_hash.eq(digest(&secret)),
                mc::created_by.eq(caller.principal.user_id()),
            ))
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        let client = MachineClient::from(row);
        caller
            .audit(
                conn,
                AuditEvent::new("machine_client.create").object("machine_client", client.id).unit(unit.id).fields([
                    "name",
                    "org_unit_id",
                    "secret",
                ]),
            )
            .await?;
        let body = MachineClientWithSecret { client, client_secret: secret.clone() };
        Ok(StoredResponse::json_with_secret(StatusCode::CREATED, &body)?
            .header(header::LOCATION, format!("/api/v1/machine-clients/{}", body.client.id))
            .header(header::ETAG, etag(body.client.version)))
    })
    .await
}

/// Get a machine client
///
/// One machine client: its name, unit and status; not its secret (shown once at creation or
/// rotation).
#[utoipa::path(
    tag = "machine_clients",
    operation_id = "get_machine_client",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id.")),
    responses(
        (status = 200, description = "The client.", body = MachineClient, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/machine-clients/{id}")]
pub async fn get_machine_client(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let client = managed_client(&mut conn, &caller, id.into_inner(), false).await?;
    Ok(with_etag(StatusCode::OK, &client))
}

/// Change a machine client
///
/// Rename it, or disable it (its tokens stop working at once) and enable it again.
#[utoipa::path(
    tag = "machine_clients",
    operation_id = "update_machine_client",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Client id."),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`."),
    ),
    request_body = MachineClientPatch,
    responses(
        (status = 200, description = "Changed.", body = MachineClient, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/machine-clients/{id}")]
pub async fn update_machine_client(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<MachineClientPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut v = Validator::new();
    let name = match &patch.name {
        Some(n) => v.result(bounded_text("name", n, 100)),
        None => None,
    };
    v.check(
        name.as_deref().is_none_or(|n| !n.is_empty()),
        "name",
        "required",
        Text::new("Cần đặt tên.", "A name is required."),
    );
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let client = in_transaction(&mut conn, async |conn| {
        let current = managed_client(conn, &caller, id, true).await?;
        precondition::check(&if_match, current.version, || serde_json::to_value(&current).unwrap_or_default())?;
        let disabling = patch.status == Some(ClientStatus::Disabled) && current.status == ClientStatus::Active;
        let row: ClientRow = diesel::update(mc::table.find(id))
            .set((
                name.clone().map(|n| mc::name.eq(n)),
                patch.status.map(|s| mc::status.eq(s.as_str())),
                disabling.then_some(mc::token_version.eq(mc::token_version + 1)),
                mc::version.eq(mc::version + 1),
                mc::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        let client = MachineClient::from(row);
        let action = if disabling { "machine_client.disable" } else { "machine_client.update" };
        caller.audit(conn, AuditEvent::new(action).object("machine_client", id).unit(client.org_unit_id)).await?;
        Ok::<_, ApiError>(client)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &client))
}

/// Rotate a machine client's secret
///
/// Issues a new secret (returned once); the old secret and every token issued with it stop
/// working at once.
#[utoipa::path(
    tag = "machine_clients",
    operation_id = "create_machine_client_secret",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Client id.")),
    responses(
        (status = 201, description = "New secret.", body = MachineClientWithSecret),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/machine-clients/{id}/secret")]
pub async fn create_machine_client_secret(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let secret = generate(CLIENT_SECRET_PREFIX).map_err(ApiError::internal)?;
    let mut conn = state.pool.get().await?;
    let client = in_transaction(&mut conn, async |conn| {
        managed_client(conn, &caller, id, true).await?;
        let row: ClientRow = diesel::update(mc::table.find(id))
            .set((
                mc::secret_prefix.eq(shown_part(&secret)),
                mc::secret_hash.eq(digest(&secret)),
                mc::token_version.eq(mc::token_version + 1),
                mc::version.eq(mc::version + 1),
                mc::updated_at.eq(diesel::dsl::now),
            ))
            .returning(ClientRow::as_returning())
            .get_result(conn)
            .await?;
        let client = MachineClient::from(row);
        caller
            .audit(
                conn,
                AuditEvent::new("machine_client.rotate_secret")
                    .object("machine_client", id)
                    .unit(client.org_unit_id)
                    .fields(["secret"]),
            )
            .await?;
        Ok::<_, ApiError>(client)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, etag(client.version)))
        .json(MachineClientWithSecret { client, client_secret: secret }))
}
