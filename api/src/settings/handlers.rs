use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::models::{NewSettingRow, SettingChanges};
use super::queries;
use super::wire::{NewSetting, Setting, SettingListQuery, SettingPatch, key_issue};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::idempotency::{self, IdempotencyKey, IdempotentRequest, StoredResponse};
use crate::http::{ApiError, ApiJson, ApiQuery, IfMatch, Page, PageRequest, Text, etag, precondition};
use crate::state::AppState;

/// Settings apply to the whole installation: changing them takes `settings:write` at the root.
fn require_writer(caller: &Caller) -> Result<(), ApiError> {
    if caller.principal.can_globally(Permission::SettingsWrite) { Ok(()) } else { Err(ApiError::Forbidden) }
}

fn location(key: &str) -> String {
    format!("/api/v1/settings/{key}")
}

fn path_key(raw: String) -> Result<String, ApiError> {
    match key_issue("key", &raw) {
        Some(issue) => Err(ApiError::InvalidParameter(vec![issue])),
        None => Ok(raw),
    }
}

fn with_etag(status: StatusCode, setting: &Setting) -> HttpResponse {
    HttpResponse::build(status).insert_header((header::ETAG, etag(setting.version))).json(setting)
}

fn to_json(setting: &Setting) -> serde_json::Value {
    serde_json::to_value(setting).unwrap_or_default()
}

/// List settings
///
/// Settings ordered by key, one page at a time (keyset pagination).
#[utoipa::path(
    tag = "settings",
    operation_id = "list_settings",
    security(("bearer" = []), ("client_credentials" = [])),
    params(SettingListQuery),
    responses(
        (status = 200, description = "A page of settings, ordered by key.", body = super::wire::SettingPage),
        (status = 401, response = crate::http::responses::Unauthorized),
    )
)]
#[get("/settings")]
pub async fn list_settings(
    _caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<SettingListQuery>,
) -> Result<web::Json<Page<Setting>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<String>::parse(query.limit, query.cursor.as_deref())?;
    if let Some(prefix) = &query.prefix {
        let allowed = prefix.len() <= 64
            && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !allowed {
            return Err(ApiError::invalid_parameter(
                "prefix",
                "invalid_format",
                Text::new(
                    "Tiền tố chỉ gồm chữ thường a–z, chữ số, dấu _ và dấu chấm, tối đa 64 ký tự.",
                    "A prefix uses only lowercase a–z, digits, _ and dots, at most 64 characters.",
                ),
            ));
        }
    }
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, query.prefix.as_deref(), page.after.as_deref(), page.fetch_limit()).await?;
    Ok(web::Json(Page::from_rows(rows, page.limit, |r| r.key.clone(), Setting::from)))
}

/// Create a setting
///
/// Creates a setting. Send an `Idempotency-Key` so that a retry after a lost response returns
/// the first response instead of a 409.
#[utoipa::path(
    tag = "settings",
    operation_id = "create_setting",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header,
            description = "Makes retries safe: the first response is stored for 24 hours and replayed (with `Idempotent-Replayed: true`) for a retry with the same key and body. The same key with another body is 422; while the first request runs, 409.",
            example = "5f0c6a56-3a4e-4f7e-9b8a-2c1d0e9f8a7b"),
    ),
    request_body = NewSetting,
    responses(
        (status = 201, description = "Created.", body = Setting,
            headers(
                ("Location" = String, description = "URL of the new setting."),
                ("ETag" = String, description = "Version tag for If-Match."),
            )),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 409, response = crate::http::responses::Conflict),
    )
)]
#[post("/settings")]
pub async fn create_setting(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    body: ApiJson<NewSetting>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let body = body.into_inner();
    let valid = body.validate()?;
    let request = IdempotentRequest::new(&req, caller.idempotency_owner(), key, &body, state.config.idempotency_ttl);
    idempotency::execute(&state.pool, request, async |conn| {
        let row = NewSettingRow { key: &valid.key, value: &valid.value, description: &valid.description };
        let created = queries::insert(conn, &row).await?.ok_or_else(|| ApiError::Conflict {
            code: "setting_exists",
            detail: Text::new("Đã có cài đặt với khóa này.", "A setting with this key already exists."),
            field: Some("key".into()),
        })?;
        let setting = Setting::from(created);
        caller
            .audit(
                conn,
                AuditEvent::new("setting.create").object("setting", &setting.key).fields([
                    "key",
                    "value",
                    "description",
                ]),
            )
            .await?;
        Ok(StoredResponse::json(StatusCode::CREATED, &setting)?
            .header(header::LOCATION, location(&setting.key))
            .header(header::ETAG, etag(setting.version)))
    })
    .await
}

/// Get a setting
///
/// One setting (cài đặt) by key: its value, description and version (`ETag`).
#[utoipa::path(
    tag = "settings",
    operation_id = "get_setting",
    security(("bearer" = []), ("client_credentials" = [])),
    params(("key" = String, Path, description = "Setting key.", example = "coverage.flag_below_percent")),
    responses(
        (status = 200, description = "The setting.", body = Setting,
            headers(("ETag" = String, description = "Version tag for If-Match."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/settings/{key}")]
pub async fn get_setting(
    _caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = path_key(key.into_inner())?;
    let mut conn = state.pool.get().await?;
    let row = queries::find(&mut conn, &key).await?.ok_or(ApiError::NotFound)?;
    Ok(with_etag(StatusCode::OK, &Setting::from(row)))
}

/// Change a setting
///
/// JSON merge patch of `value` and/or `description`. Requires `If-Match` with the ETag last
/// read; a stale ETag gets 412 with the current version in the body.
#[utoipa::path(
    tag = "settings",
    operation_id = "update_setting",
    security(("bearer" = [])),
    params(
        ("key" = String, Path, description = "Setting key.", example = "coverage.flag_below_percent"),
        ("If-Match" = String, Header, description = "ETag of the version this change is based on, or `*`.", example = "\"1\""),
    ),
    request_body(content = SettingPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Changed.", body = Setting,
            headers(("ETag" = String, description = "The new version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[patch("/settings/{key}")]
pub async fn update_setting(
    caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<SettingPatch>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let key = path_key(key.into_inner())?;
    let patch = body.into_inner();
    let description = patch.validate()?;
    let mut conn = state.pool.get().await?;
    let setting = in_transaction(&mut conn, async |conn| {
        let current = queries::find_for_update(conn, &key).await?.ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || to_json(&Setting::from(current.clone())))?;
        let changes = SettingChanges { value: patch.value.as_ref(), description: description.as_deref() };
        let updated = Setting::from(queries::update(conn, &key, &changes).await?);
        let mut fields = Vec::new();
        if patch.value.is_some() {
            fields.push("value");
        }
        if patch.description.is_some() {
            fields.push("description");
        }
        caller.audit(conn, AuditEvent::new("setting.update").object("setting", &key).fields(fields)).await?;
        Ok::<_, ApiError>(updated)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &setting))
}

/// Delete a setting
///
/// Removes a setting so its built-in default applies again (`If-Match` required); only with a role
/// on the root unit.
#[utoipa::path(
    tag = "settings",
    operation_id = "delete_setting",
    security(("bearer" = [])),
    params(
        ("key" = String, Path, description = "Setting key.", example = "coverage.flag_below_percent"),
        ("If-Match" = String, Header, description = "ETag of the version being deleted, or `*`.", example = "\"1\""),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 412, response = crate::http::responses::PreconditionFailed),
        (status = 428, response = crate::http::responses::PreconditionRequired),
    )
)]
#[delete("/settings/{key}")]
pub async fn delete_setting(
    caller: Caller,
    state: web::Data<AppState>,
    key: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let key = path_key(key.into_inner())?;
    let mut conn = state.pool.get().await?;
    in_transaction(&mut conn, async |conn| {
        let current = queries::find_for_update(conn, &key).await?.ok_or(ApiError::NotFound)?;
        precondition::check(&if_match, current.version, || to_json(&Setting::from(current.clone())))?;
        queries::delete(conn, &key).await?;
        caller.audit(conn, AuditEvent::new("setting.delete").object("setting", &key)).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
