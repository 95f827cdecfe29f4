//! An optional photo of a member (ảnh), to help cadres know faces. JPEG or PNG up to 512 KiB,
//! stored in PostgreSQL, served with a digest ETag and private caching.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::visible_member;
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::body::{declared_length, read_limited};
use crate::http::{ApiError, Text};
use crate::privacy::consents::ProcessingPurpose;
use crate::privacy::withdrawn::ensure_not_withdrawn;
use crate::schema::member_photos as ph;
use crate::state::AppState;

pub const MAX_PHOTO_BYTES: usize = 512 * 1024;

/// The image type by its first bytes, whatever the header claims.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Upload a member's photo
///
/// The body is the image itself (`Content-Type: image/jpeg` or `image/png`, at most 512 KiB).
/// Replaces any earlier photo.
#[utoipa::path(
    tag = "members",
    operation_id = "replace_member_photo",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    request_body(content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png")), description = "A JPEG or PNG image, at most 512 KiB."),
    responses(
        (status = 204, description = "Stored.", headers(("ETag" = String, description = "Digest of the image."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[put("/members/{id}/photo")]
pub async fn replace_member_photo(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if !declared.starts_with("image/jpeg") && !declared.starts_with("image/png") {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes =
        read_limited(payload.into_inner(), declared_length(&req), MAX_PHOTO_BYTES, state.config.body_idle_timeout)
            .await?;
    let content_type = sniff(&bytes).ok_or_else(|| {
        ApiError::invalid_field(
            "body",
            "not_an_image",
            Text::new("Nội dung không phải ảnh JPEG hoặc PNG.", "The body is not a JPEG or PNG image."),
        )
    })?;
    let digest = format!("\"{:x}\"", Sha256::digest(&bytes));
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    ensure_not_withdrawn(&mut conn, member.id, ProcessingPurpose::Photo).await?;
    caller.require(Permission::MembersWrite, &member.unit_path.0)?;
    diesel::insert_into(ph::table)
        .values((
            ph::member_id.eq(member.id),
            ph::content_type.eq(content_type),
            ph::bytes.eq(bytes.as_ref()),
            ph::digest.eq(&digest),
        ))
        .on_conflict(ph::member_id)
        .do_update()
        .set((
            ph::content_type.eq(content_type),
            ph::bytes.eq(bytes.as_ref()),
            ph::digest.eq(&digest),
            ph::updated_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.photo_update").object("member", member.id).unit(member.unit_id).fields(["photo"]),
        )
        .await?;
    Ok(HttpResponse::NoContent().insert_header((header::ETAG, digest)).finish())
}

/// Get a member's photo
///
/// The image, with its digest as `ETag`; `If-None-Match` gets 304. Cached privately for a day.
#[utoipa::path(
    tag = "members",
    operation_id = "get_member_photo",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), ("If-None-Match" = Option<String>, Header, description = "The ETag you hold; 304 when unchanged.")),
    responses(
        (status = 200, description = "The photo, in the format it was uploaded in.", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png")), headers(("ETag" = String, description = "Digest."), ("Cache-Control" = String, description = "`private, max-age=86400`."))),
        (status = 304, description = "Unchanged since the ETag you sent."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/photo")]
pub async fn get_member_photo(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    ensure_not_withdrawn(&mut conn, member.id, ProcessingPurpose::Photo).await?;
    let photo: Option<(String, Vec<u8>, String)> = ph::table
        .find(member.id)
        .select((ph::content_type, ph::bytes, ph::digest))
        .first(&mut conn)
        .await
        .optional()?;
    let (content_type, bytes, digest) = photo.ok_or(ApiError::NotFound)?;
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == digest));
    let mut response = if cached { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((header::ETAG, digest)).insert_header((header::CACHE_CONTROL, "private, max-age=86400"));
    Ok(if cached { response.finish() } else { response.content_type(content_type).body(bytes) })
}

/// Delete a member's photo
///
/// Removes a member's photo for good; her record stays.
#[utoipa::path(
    tag = "members",
    operation_id = "delete_member_photo",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 204, description = "Deleted (or there was none)."),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[delete("/members/{id}/photo")]
pub async fn delete_member_photo(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    caller.require(Permission::MembersWrite, &member.unit_path.0)?;
    diesel::delete(ph::table.find(member.id)).execute(&mut conn).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.photo_delete").object("member", member.id).unit(member.unit_id).fields(["photo"]),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
