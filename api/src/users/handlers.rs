use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::access::{manageable_user, visible_user};
use super::models::{NewUserRow, UserRow};
use super::queries::{self, ListFilter};
use super::wire::{NewUser, PasswordReset, User, UserListQuery, UserPatch, UserStatus, username_issue};
use crate::audit::AuditEvent;
use crate::auth::passwords::{self, policy_issue};
use crate::auth::{Caller, Permission, sessions};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::org_units::access::visible_unit;
use crate::schema::users;
use crate::state::AppState;

/// Hashes on the blocking pool.
pub async fn hash_password(state: &AppState, password: String) -> Result<String, ApiError> {
    let params = state.config.auth.password_hash;
    state.password_gate.run(move || passwords::hash(&password, params)).await?.map_err(ApiError::internal)
}

fn with_etag(status: StatusCode, user: &User) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(user.version))).json(user)
}

/// List accounts
///
/// Accounts whose home unit the caller may see (`users:read`), ordered by user name.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, description = "A page of accounts.", body = super::wire::UserPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/users")]
pub async fn list_users(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<UserListQuery>,
) -> Result<web::Json<Page<User>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<String>::parse(query.limit, query.cursor.as_deref())?;
    let scope = caller.scope(Permission::UsersRead)?;
    let mut conn = state.pool.get().await?;
    let within = match query.unit {
        Some(unit) => Some(visible_unit(&mut conn, &caller, unit, Permission::UsersRead).await?.path),
        None => None,
    };
    let search = query.q.map(|q| q.trim().chars().take(64).collect::<String>()).filter(|q| !q.is_empty());
    let filter = ListFilter { within, status: query.status.map(|s| s.as_str().to_owned()), search };
    let rows = queries::list(&mut conn, &scope, &filter, page.after.as_deref(), page.fetch_limit()).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.username.clone(), User::from)))
}

/// Create an account
///
/// The caller needs `users:manage` on the home unit. The password must follow the policy.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (see the API description).")),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created.", body = User, headers(
            ("Location" = String, description = "URL of the account."),
            ("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let username = body.username.trim().to_lowercase();
    let mut v = Validator::new();
    if let Some(issue) = username_issue("username", &username) {
        v.add(issue);
    }
    let display_name = v.result(bounded_text("display_name", &body.display_name, 200)).unwrap_or_default();
    v.check(
        !display_name.is_empty(),
        "display_name",
        "required",
        Text::new("Tên hiển thị là bắt buộc.", "A display name is required."),
    );
    if let Some(issue) = policy_issue("password", &body.password, &username) {
        v.add(issue);
    }
    v.finish()?;
    let password_hash = hash_password(&state, body.password.clone()).await?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let unit = visible_unit(conn, &caller, body.home_unit_id, Permission::UsersRead).await?;
        caller.require(Permission::UsersManage, &unit.path.0)?;
        if let Some(member) = body.member_id {
            // The account will read this member's own data through /me: she must be one the
            // caller may manage (as when linking later).
            let row = crate::members::access::visible_member(conn, &caller, member, Permission::MembersRead).await?;
            caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        }
        let row = NewUserRow {
            id: Uuid::now_v7(),
            username: username.clone(),
            display_name: display_name.clone(),
            home_unit_id: unit.id,
            member_id: body.member_id,
            must_change_password: body.must_change_password.unwrap_or(true),
            password_hash: password_hash.clone(),
        };
        let user = queries::insert(conn, &row).await?.ok_or_else(|| ApiError::Conflict {
            code: "username_taken",
            detail: Text::new("Tên đăng nhập này đã được dùng.", "This user name is taken."),
            field: Some("username".into()),
        })?;
        let user = User::from(user);
        let event = AuditEvent::new("user.create").object("user", user.id).unit(unit.id).fields([
            "username",
            "display_name",
            "home_unit_id",
            "member_id",
            "must_change_password",
            "password",
        ]);
        caller.audit(conn, event).await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &user)?
            .header(header::LOCATION, format!("/api/v1/users/{}", user.id))
            .header(header::ETAG, etag(user.version)))
    })
    .await
}

/// Get an account
///
/// One account (tài khoản): username, display name, home unit and status; never its password or
/// tokens.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id.")),
    responses(
        (status = 200, description = "The account.", body = User, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let (user, _) = visible_user(&mut conn, &caller, id.into_inner(), Permission::UsersRead).await?;
    Ok(with_etag(StatusCode::OK, &User::from(user)))
}

/// Change an account
///
/// Display name, status and `must_change_password`. Disabling ends every session of the
/// account and its access tokens stop working at once.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Account id."),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`."),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Changed.", body = User, headers(("ETag" = String, description = "New version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.into_inner();
    let mut v = Validator::new();
    let display_name = match &patch.display_name {
        Some(name) => v.result(bounded_text("display_name", name, 200)),
        None => None,
    };
    if let Some(name) = &display_name {
        v.check(
            !name.is_empty(),
            "display_name",
            "required",
            Text::new("Tên hiển thị là bắt buộc.", "A display name is required."),
        );
    }
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let user = in_transaction(&mut conn, async |conn| {
        manageable_user(conn, &caller, id).await?;
        let current = queries::find_for_update(conn, id).await?.ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || {
            serde_json::to_value(User::from(current.clone())).unwrap_or_default()
        })?;
        if patch.status == Some(UserStatus::Disabled) && caller.principal.user_id() == Some(id) {
            return Err(ApiError::Conflict {
                code: "cannot_disable_self",
                detail: Text::new("Không thể tự khóa tài khoản của mình.", "You cannot disable your own account."),
                field: Some("status".into()),
            });
        }
        let disabling = patch.status == Some(UserStatus::Disabled) && current.status == UserStatus::Active.as_str();
        if let Some(member) = patch.member_id {
            // Linking an account to a member discloses nothing new, but the member must be one
            // the caller may manage.
            let row = crate::members::access::visible_member(conn, &caller, member, Permission::MembersRead).await?;
            caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        }
        let updated: UserRow = diesel::update(users::table.find(id))
            .set((
                display_name.as_ref().map(|n| users::display_name.eq(n.clone())),
                patch.status.map(|s| users::status.eq(s.as_str())),
                patch.must_change_password.map(|m| users::must_change_password.eq(m)),
                patch.member_id.map(|m| users::member_id.eq(Some(m))),
                users::version.eq(users::version + 1),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await?;
        if disabling {
            sessions::revoke_all(conn, id, "account_disabled").await?;
        }
        let mut fields = Vec::new();
        if patch.display_name.is_some() {
            fields.push("display_name");
        }
        if patch.status.is_some() {
            fields.push("status");
        }
        if patch.must_change_password.is_some() {
            fields.push("must_change_password");
        }
        if patch.member_id.is_some() {
            fields.push("member_id");
        }
        let action = if disabling { "user.disable" } else { "user.update" };
        caller
            .audit(conn, AuditEvent::new(action).object("user", id).unit(updated.home_unit_id).fields(fields))
            .await?;
        Ok(User::from(updated))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &user))
}

/// Reset an account's password
///
/// Sets a new password chosen by an officer with `users:manage`; by default the user must
/// change it at next login. Every session of the account ends at once.
#[utoipa::path(
    tag = "users",
    operation_id = "reset_user_password",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Account id.")),
    request_body = PasswordReset,
    responses(
        (status = 204, description = "Password set."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[post("/users/{id}/password")]
pub async fn reset_user_password(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let mut conn = state.pool.get().await?;
    let (user, _) = manageable_user(&mut conn, &caller, id).await?;
    if let Some(issue) = policy_issue("new_password", &body.new_password, &user.username) {
        return Err(ApiError::Validation(vec![issue]));
    }
    let phc = hash_password(&state, body.new_password).await?;
    in_transaction(&mut conn, async |conn| {
        queries::set_password(conn, id, &phc, body.must_change_password.unwrap_or(true)).await?;
        sessions::revoke_all(conn, id, "password_reset").await?;
        caller
            .audit(
                conn,
                AuditEvent::new("user.password_reset").object("user", id).unit(user.home_unit_id).fields(["password"]),
            )
            .await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
