//! Reusable error responses of the contract. Each references the `ProblemDetails` schema.

#![allow(dead_code)] // The tuple fields exist only to name the schema for utoipa.

use utoipa::ToResponse;

use crate::http::problem::ProblemDetails;

/// Bad request: a parameter or header is invalid, or the body is not valid JSON.
#[derive(ToResponse)]
#[response(
    description = "Bad request (yêu cầu không hợp lệ): a parameter or header is invalid (`invalid_parameter`, with `errors[]` naming it), or the body is not JSON (`malformed_json`).",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:invalid_parameter", "title": "Tham số không hợp lệ", "status": 400,
        "detail": "Tham số của yêu cầu không hợp lệ, xem danh sách errors.", "code": "invalid_parameter",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
        "errors": [{"field": "limit", "code": "out_of_range", "message": "Giá trị phải từ 1 đến 200."}]
    })
)]
pub struct BadRequest(ProblemDetails);

/// Not found.
#[derive(ToResponse)]
#[response(
    description = "Not found (không tìm thấy): the object does not exist, or it is outside the caller's scope.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:not_found", "title": "Không tìm thấy", "status": 404,
        "detail": "Không tìm thấy đối tượng này, hoặc bạn không có quyền xem nó.", "code": "not_found",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct NotFound(ProblemDetails);

/// Gone.
#[derive(ToResponse)]
#[response(
    description = "Gone (không còn lưu): `cursor_expired`, the sync cursor is older than the kept change log; resync from the start without a cursor.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:cursor_expired", "title": "Không còn lưu", "status": 410,
        "detail": "Con trỏ đã quá hạn lưu nhật ký thay đổi: đồng bộ lại từ đầu (không có cursor).", "code": "cursor_expired",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct Gone(ProblemDetails);

/// Conflict.
#[derive(ToResponse)]
#[response(
    description = "Conflict (xung đột): the object already exists or its state forbids the change (`code` says which, `field` names the field when there is one), e.g. `consent_withdrawn` when the member withdrew the purpose this data is kept for, or `secret_not_replayed` for a retried creation whose secret was shown once; or `idempotency_in_progress`: a request with the same `Idempotency-Key` is still running, retry after `Retry-After` seconds.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:setting_exists", "title": "Xung đột dữ liệu", "status": 409,
        "detail": "Đã có cài đặt với khóa này.", "code": "setting_exists", "field": "key",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct Conflict(ProblemDetails);

/// Payload too large.
#[derive(ToResponse)]
#[response(
    description = "Payload too large (dữ liệu quá lớn): the body exceeds `CHIHOI_MAX_BODY_BYTES` (1 MiB by default).",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:payload_too_large", "title": "Dữ liệu gửi lên quá lớn", "status": 413,
        "detail": "Dữ liệu gửi lên vượt quá giới hạn 1048576 byte.", "code": "payload_too_large",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct PayloadTooLarge(ProblemDetails);

/// Unsupported media type.
#[derive(ToResponse)]
#[response(
    description = "Unsupported media type: bodies must be `application/json`.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:unsupported_media_type", "title": "Kiểu nội dung không được hỗ trợ", "status": 415,
        "detail": "Nội dung phải có Content-Type: application/json.", "code": "unsupported_media_type",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct UnsupportedMediaType(ProblemDetails);

/// Validation failed.
#[derive(ToResponse)]
#[response(
    description = "Unprocessable (dữ liệu không hợp lệ): `validation_failed` with `errors[]` naming each field (wrong type, missing, unknown, out of range), or `idempotency_key_reused` when an Idempotency-Key is sent again with another body.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:validation_failed", "title": "Dữ liệu không hợp lệ", "status": 422,
        "detail": "Một số trường dữ liệu không hợp lệ, xem danh sách errors.", "code": "validation_failed",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
        "errors": [{"field": "value", "code": "required", "message": "Trường này là bắt buộc."}]
    })
)]
pub struct Unprocessable(ProblemDetails);

/// Precondition failed.
#[derive(ToResponse)]
#[response(
    description = "Precondition failed (dữ liệu đã bị thay đổi): `If-Match` names an older version. The body carries `current_etag` and `current` (the current representation) so a client can merge and retry.",
    content_type = "application/problem+json",
    headers(("ETag" = String, description = "The current version tag.")),
    example = json!({
        "type": "urn:chihoi:problem:precondition_failed", "title": "Dữ liệu đã bị thay đổi", "status": 412,
        "detail": "Đối tượng đã được người khác sửa sau khi bạn đọc. Hãy đọc lại và áp dụng thay đổi lên phiên bản mới.",
        "code": "precondition_failed", "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
        "current_etag": "\"2\"",
        "current": {"key": "coverage.flag_below_percent", "value": 65, "description": "", "version": 2,
                    "created_at": "2026-11-29T08:00:00Z", "updated_at": "2026-11-29T09:00:00Z"}
    })
)]
pub struct PreconditionFailed(ProblemDetails);

/// Precondition required.
#[derive(ToResponse)]
#[response(
    description = "Precondition required: changes need `If-Match` with the ETag last read (or `*`).",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:precondition_required", "title": "Thiếu điều kiện If-Match", "status": 428,
        "detail": "Cần gửi tiêu đề If-Match với ETag của phiên bản bạn đã đọc.", "code": "precondition_required",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct PreconditionRequired(ProblemDetails);

/// Internal error.
#[derive(ToResponse)]
#[response(
    description = "Internal error (lỗi hệ thống): a bug. The body is deliberately opaque; the cause is in the server log under the same `request_id`.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:internal_error", "title": "Lỗi hệ thống", "status": 500,
        "detail": "Đã xảy ra lỗi hệ thống. Hãy báo mã request_id cho quản trị viên.", "code": "internal_error",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct InternalError(ProblemDetails);

/// Database unavailable.
#[derive(ToResponse)]
#[response(
    description = "Service unavailable (tạm thời không sẵn sàng): the database cannot be reached within `CHIHOI_DB_WAIT_MS` (`service_unavailable`), or too many password checks are running at once (`busy`). Retry after `Retry-After` seconds; nothing was written.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying.")),
    example = json!({
        "type": "urn:chihoi:problem:service_unavailable", "title": "Dịch vụ tạm thời không sẵn sàng", "status": 503,
        "detail": "Cơ sở dữ liệu tạm thời không truy cập được. Hãy thử lại sau ít giây.", "code": "service_unavailable",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct ServiceUnavailable(ProblemDetails);

/// Not ready.
#[derive(ToResponse)]
#[response(
    description = "Not ready: the database is unreachable or migrations are pending; `checks` tells which.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u32, description = "Seconds to wait before probing again.")),
    example = json!({
        "type": "urn:chihoi:problem:not_ready", "title": "Dịch vụ tạm thời không sẵn sàng", "status": 503,
        "detail": "Cơ sở dữ liệu tạm thời không truy cập được. Hãy thử lại sau ít giây.", "code": "not_ready",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
        "checks": {"database": "unreachable", "migrations": "unknown"}
    })
)]
pub struct NotReady(ProblemDetails);

/// Unauthorized.
#[derive(ToResponse)]
#[response(
    description = "Unauthorized (chưa xác thực): no credentials, or a token that is invalid, expired, revoked, of the wrong kind, or whose account was disabled or changed its password. Log in (or refresh) again.",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"chihoi\"`.")),
    example = json!({
        "type": "urn:chihoi:problem:unauthorized", "title": "Chưa xác thực", "status": 401,
        "detail": "Cần đăng nhập: gửi tiêu đề Authorization: Bearer với mã truy cập còn hiệu lực.", "code": "unauthorized",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct Unauthorized(ProblemDetails);

/// Login failed.
#[derive(ToResponse)]
#[response(
    description = "Login failed (`invalid_credentials`): unknown user name, wrong password and a disabled account all get this same answer.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:invalid_credentials", "title": "Đăng nhập không thành công", "status": 401,
        "detail": "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản không hoạt động.", "code": "invalid_credentials",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct InvalidCredentials(ProblemDetails);

/// Forbidden.
#[derive(ToResponse)]
#[response(
    description = "Forbidden (không có quyền): the object is visible to the caller but her roles do not allow this action (`forbidden`), or the account must change its password first (`password_change_required`).",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:forbidden", "title": "Không có quyền", "status": 403,
        "detail": "Bạn không có quyền thực hiện thao tác này trên đối tượng này.", "code": "forbidden",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct Forbidden(ProblemDetails);

/// Too many requests.
#[derive(ToResponse)]
#[response(
    description = "Too many requests (`rate_limited`, quá nhiều yêu cầu): a rate-limit budget of the caller's token or address is spent (reads, writes, exports, logins; see `RateLimit-Policy`), or too many failed logins for this name or address. Retry after `Retry-After` seconds.",
    content_type = "application/problem+json",
    headers(
        ("Retry-After" = u32, description = "Seconds to wait before retrying."),
        ("RateLimit-Policy" = String, description = "The budget that was spent, e.g. `\"reads\";q=1200;w=60` (draft-ietf-httpapi-ratelimit-headers)."),
        ("RateLimit" = String, description = "Its state, e.g. `\"reads\";r=0;t=42`: nothing remaining, reset in 42 seconds."),
    ),
    example = json!({
        "type": "urn:chihoi:problem:rate_limited", "title": "Quá nhiều yêu cầu", "status": 429,
        "detail": "Quá nhiều lần thử; hãy thử lại sau 900 giây.", "code": "rate_limited",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct TooManyRequests(ProblemDetails);

/// Request timeout.
#[derive(ToResponse)]
#[response(
    description = "Request timeout (`request_timeout`): the body stopped arriving for `CHIHOI_BODY_IDLE_TIMEOUT_S`, or took longer than its size could need. Nothing was written; send it again.",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:chihoi:problem:request_timeout", "title": "Hết thời gian chờ yêu cầu", "status": 408,
        "detail": "Nội dung yêu cầu ngừng gửi hoặc gửi quá lâu; hãy gửi lại.", "code": "request_timeout",
        "request_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
    })
)]
pub struct RequestTimeout(ProblemDetails);
