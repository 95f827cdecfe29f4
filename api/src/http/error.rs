//! The one error type of the API. Each variant has an HTTP status and a stable machine `code`;
//! the RFC 9457 body is rendered by the request-context middleware, which knows the request id
//! and the caller's language.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use super::text::Text;

/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// One problem with one field of the request (body field path, query parameter or header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
    pub message: Text,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        FieldIssue { field: field.into(), code, message }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body parsed but its content is invalid (types, missing or unknown fields, rules).
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldIssue>),
    /// The body is not JSON at all.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A query parameter, path segment or header is invalid.
    #[error("invalid parameter: {0:?}")]
    InvalidParameter(Vec<FieldIssue>),
    #[error("resource not found")]
    NotFound,
    #[error("no route")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed(Vec<Method>),
    #[error("payload larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// An uploaded file breaks a size bound (inflated size, entry count, compression ratio);
    /// `errors[0]` names the bound.
    #[error("file too large: {0:?}")]
    FileTooLarge(Vec<FieldIssue>),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The request body stopped arriving, or took too long.
    #[error("request body timed out")]
    RequestTimeout,
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("precondition failed, current ETag {etag}")]
    PreconditionFailed { etag: String, current: Option<serde_json::Value> },
    #[error("idempotency key reused for a different request")]
    IdempotencyKeyReused,
    #[error("request with this idempotency key still in progress")]
    IdempotencyInProgress,
    #[error("conflict: {code}")]
    Conflict { code: &'static str, detail: Text, field: Option<String> },
    /// The object duplicates an existing one (e.g. the same citizen id); `existing_id` is given
    /// only when the caller may see the existing object.
    #[error("duplicate: {code}")]
    Duplicate { code: &'static str, detail: Text, field: &'static str, existing_id: Option<uuid::Uuid> },
    /// Something the request points at existed once and is kept no longer (an expired cursor).
    #[error("gone: {code}")]
    Gone { code: &'static str, detail: Text },
    /// No credentials, or credentials that are not valid (any reason: the same answer).
    #[error("unauthorized")]
    Unauthorized,
    /// Login failed: unknown user, wrong password and disabled account look the same.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A refresh token that is unknown, expired, revoked or already used.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// Client credentials that do not authenticate a machine client.
    #[error("invalid client")]
    InvalidClient,
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    /// The object is visible but the caller may not do this to it.
    #[error("forbidden")]
    Forbidden,
    /// The account must change its password before doing anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("too many requests, retry after {0} s")]
    TooManyRequests(u64),
    /// Too much CPU-heavy work at once (password hashing): retry after the given seconds.
    #[error("busy, retry after {0} s")]
    Busy(u32),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("not ready")]
    NotReady(serde_json::Value),
    #[error("internal error: {0}")]
    Internal(InternalCause),
}

/// What went wrong inside, with its chain of sources (logged, never sent to the client).
#[derive(Debug)]
pub struct InternalCause(Box<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for InternalCause {
    /// The error and each of its sources: `a: b: c`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl ApiError {
    /// 500: a fault of the server, keeping its cause (and the cause's sources) for the log.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ApiError::Internal(InternalCause(cause.into()))
    }

    /// 422 naming `field`, in Vietnamese and English.
    pub fn invalid(field: &str, code: &'static str, vi: &'static str, en: &'static str) -> Self {
        ApiError::invalid_field(field, code, Text::new(vi, en))
    }

    /// 409: the object's status does not allow this change (named on `status`).
    pub fn state_conflict(code: &'static str, vi: &'static str, en: &'static str) -> Self {
        ApiError::Conflict { code, detail: Text::new(vi, en), field: Some("status".into()) }
    }

    pub fn invalid_parameter(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        ApiError::InvalidParameter(vec![FieldIssue::new(field, code, message)])
    }

    pub fn invalid_field(field: impl Into<String>, code: &'static str, message: Text) -> Self {
        ApiError::Validation(vec![FieldIssue::new(field, code, message)])
    }

    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Validation(_) | IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            MalformedJson(_) | InvalidParameter(_) => StatusCode::BAD_REQUEST,
            NotFound | NoRoute => StatusCode::NOT_FOUND,
            MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            PayloadTooLarge(_) | FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            IdempotencyInProgress | Conflict { .. } | Duplicate { .. } => StatusCode::CONFLICT,
            Gone { .. } => StatusCode::GONE,
            Unauthorized | InvalidCredentials | InvalidRefreshToken | InvalidClient => StatusCode::UNAUTHORIZED,
            UnsupportedGrantType => StatusCode::BAD_REQUEST,
            Forbidden | PasswordChangeRequired => StatusCode::FORBIDDEN,
            TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Unavailable(_) | NotReady(_) | Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code; clients branch on it, so never rename one.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Validation(_) => "validation_failed",
            MalformedJson(_) => "malformed_json",
            InvalidParameter(_) => "invalid_parameter",
            NotFound => "not_found",
            NoRoute => "no_such_route",
            MethodNotAllowed(_) => "method_not_allowed",
            PayloadTooLarge(_) => "payload_too_large",
            FileTooLarge(_) => "file_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            RequestTimeout => "request_timeout",
            PreconditionRequired => "precondition_required",
            PreconditionFailed { .. } => "precondition_failed",
            IdempotencyKeyReused => "idempotency_key_reused",
            IdempotencyInProgress => "idempotency_in_progress",
            Conflict { code, .. } | Duplicate { code, .. } | Gone { code, .. } => code,
            Unauthorized => "unauthorized",
            InvalidCredentials => "invalid_credentials",
            InvalidRefreshToken => "invalid_refresh_token",
            InvalidClient => "invalid_client",
            UnsupportedGrantType => "unsupported_grant_type",
            Forbidden => "forbidden",
            PasswordChangeRequired => "password_change_required",
            TooManyRequests(_) => "rate_limited",
            Unavailable(_) => "service_unavailable",
            Busy(_) => "busy",
            NotReady(_) => "not_ready",
            Internal(_) => "internal_error",
        }
    }

    pub fn title(&self) -> Text {
        use ApiError::*;
        match self {
            Validation(_) => Text::new("Dữ liệu không hợp lệ", "Invalid data"),
            MalformedJson(_) => Text::new("JSON không đúng cú pháp", "Malformed JSON"),
            InvalidParameter(_) => Text::new("Tham số không hợp lệ", "Invalid parameter"),
            NotFound | NoRoute => Text::new("Không tìm thấy", "Not found"),
            MethodNotAllowed(_) => Text::new("Phương thức không được hỗ trợ", "Method not allowed"),
            PayloadTooLarge(_) => Text::new("Dữ liệu gửi lên quá lớn", "Payload too large"),
            FileTooLarge(_) => Text::new("Tệp vượt giới hạn", "File over a limit"),
            UnsupportedMediaType => Text::new("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
            RequestTimeout => Text::new("Hết thời gian chờ yêu cầu", "Request timeout"),
            PreconditionRequired => Text::new("Thiếu điều kiện If-Match", "Precondition required"),
            PreconditionFailed { .. } => Text::new("Dữ liệu đã bị thay đổi", "Precondition failed"),
            IdempotencyKeyReused => Text::new("Idempotency-Key đã dùng cho yêu cầu khác", "Idempotency key reused"),
            IdempotencyInProgress => Text::new("Yêu cầu đang được xử lý", "Request in progress"),
            Conflict { .. } | Duplicate { .. } => Text::new("Xung đột dữ liệu", "Conflict"),
            Gone { .. } => Text::new("Không còn lưu", "Gone"),
            Unauthorized | InvalidRefreshToken | InvalidClient => Text::new("Chưa xác thực", "Unauthorized"),
            InvalidCredentials => Text::new("Đăng nhập không thành công", "Login failed"),
            UnsupportedGrantType => Text::new("Kiểu cấp quyền không được hỗ trợ", "Unsupported grant type"),
            Forbidden | PasswordChangeRequired => Text::new("Không có quyền", "Forbidden"),
            TooManyRequests(_) => Text::new("Quá nhiều yêu cầu", "Too many requests"),
            Unavailable(_) | NotReady(_) | Busy(_) => {
                Text::new("Dịch vụ tạm thời không sẵn sàng", "Service unavailable")
            }
            Internal(_) => Text::new("Lỗi hệ thống", "Internal error"),
        }
    }

    pub fn detail(&self) -> Text {
        use ApiError::*;
        match self {
            Validation(_) => Text::new(
                "Một số trường dữ liệu không hợp lệ, xem danh sách errors.",
                "Some fields are invalid; see the errors list.",
            ),
            MalformedJson(cause) => Text::owned(
                format!("Nội dung gửi lên không phải JSON hợp lệ: {cause}."),
                format!("The request body is not valid JSON: {cause}."),
            ),
            InvalidParameter(_) => Text::new(
                "Tham số của yêu cầu không hợp lệ, xem danh sách errors.",
                "A request parameter is invalid; see the errors list.",
            ),
            NotFound => Text::new(
                "Không tìm thấy đối tượng này, hoặc bạn không có quyền xem nó.",
                "This object does not exist or is outside your scope.",
            ),
            NoRoute => Text::new("Không có địa chỉ API này.", "There is no such API route."),
            MethodNotAllowed(allowed) => {
                let list = join_methods(allowed);
                Text::owned(
                    format!("Địa chỉ này chỉ nhận các phương thức: {list}."),
                    format!("This route accepts only: {list}."),
                )
            }
            PayloadTooLarge(limit) => Text::owned(
                format!("Dữ liệu gửi lên vượt quá giới hạn {limit} byte."),
                format!("The request body exceeds the limit of {limit} bytes."),
            ),
            FileTooLarge(_) => Text::new(
                "Tệp gửi lên vượt một giới hạn an toàn, xem danh sách errors.",
                "The uploaded file breaks a safety limit; see the errors list.",
            ),
            RequestTimeout => Text::new(
                "Nội dung yêu cầu ngừng gửi hoặc gửi quá lâu; hãy gửi lại.",
                "The request body stopped arriving or took too long; send it again.",
            ),
            UnsupportedMediaType => Text::new(
                "Nội dung phải có Content-Type: application/json.",
                "The body must be sent with Content-Type: application/json.",
            ),
            PreconditionRequired => Text::new(
                "Cần gửi tiêu đề If-Match với ETag của phiên bản bạn đã đọc.",
                "Send an If-Match header with the ETag of the version you read.",
            ),
            PreconditionFailed { .. } => Text::new(
                "Đối tượng đã được người khác sửa sau khi bạn đọc. Hãy đọc lại và áp dụng thay đổi lên phiên bản mới.",
                "The object changed since you read it. Read it again and apply your change to the current version.",
            ),
            IdempotencyKeyReused => Text::new(
                "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.",
                "This Idempotency-Key was already used for a request with a different body.",
            ),
            IdempotencyInProgress => Text::new(
                "Một yêu cầu cùng Idempotency-Key đang được xử lý; hãy thử lại sau giây lát.",
                "A request with the same Idempotency-Key is still being processed; retry shortly.",
            ),
            Conflict { detail, .. } | Duplicate { detail, .. } | Gone { detail, .. } => detail.clone(),
            Unauthorized => Text::new(
                "Cần đăng nhập: gửi tiêu đề Authorization: Bearer với mã truy cập còn hiệu lực.",
                "Authentication required: send Authorization: Bearer with a valid access token.",
            ),
            InvalidCredentials => Text::new(
                "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản không hoạt động.",
                "Wrong user name or password, or the account is not active.",
            ),
            InvalidRefreshToken => Text::new(
                "Mã làm mới không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại.",
                "The refresh token is invalid or expired; log in again.",
            ),
            InvalidClient => {
                Text::new("Thông tin xác thực của hệ thống không đúng.", "The client credentials are not valid.")
            }
            UnsupportedGrantType => Text::new(
                "Chỉ hỗ trợ grant_type=client_credentials.",
                "Only grant_type=client_credentials is supported.",
            ),
            Forbidden => Text::new(
                "Bạn không có quyền thực hiện thao tác này trên đối tượng này.",
                "You may not do this to this object.",
            ),
            PasswordChangeRequired => Text::new(
                "Tài khoản cần đổi mật khẩu trước (POST /api/v1/me/password).",
                "This account must change its password first (POST /api/v1/me/password).",
            ),
            TooManyRequests(seconds) => Text::owned(
                format!("Quá nhiều lần thử; hãy thử lại sau {seconds} giây."),
                format!("Too many attempts; retry in {seconds} seconds."),
            ),
            Busy(seconds) => Text::owned(
                format!("Máy chủ đang xử lý quá nhiều yêu cầu đăng nhập; hãy thử lại sau {seconds} giây."),
                format!("The server is handling too many logins; retry in {seconds} seconds."),
            ),
            Unavailable(_) | NotReady(_) => Text::new(
                "Cơ sở dữ liệu tạm thời không truy cập được. Hãy thử lại sau ít giây.",
                "The database is temporarily unreachable. Retry in a few seconds.",
            ),
            Internal(_) => Text::new(
                "Đã xảy ra lỗi hệ thống. Hãy báo mã request_id cho quản trị viên.",
                "An internal error occurred. Report the request_id to an administrator.",
            ),
        }
    }

    /// Field-level issues, for `errors[]`.
    pub fn field_issues(&self) -> &[FieldIssue] {
        match self {
            ApiError::Validation(issues) | ApiError::InvalidParameter(issues) | ApiError::FileTooLarge(issues) => {
                issues
            }
            _ => &[],
        }
    }
}

pub(crate) fn join_methods(methods: &[Method]) -> String {
    methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// Status and headers only: the body is written by `context::request_context`.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status());
        match self {
            ApiError::MethodNotAllowed(allowed) => {
                response.insert_header((header::ALLOW, join_methods(allowed)));
            }
            ApiError::Unavailable(_) | ApiError::NotReady(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
            }
            ApiError::Busy(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::IdempotencyInProgress => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::Unauthorized | ApiError::InvalidRefreshToken => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"chihoi\""));
            }
            ApiError::PreconditionFailed { etag, .. } => {
                response.insert_header((header::ETAG, etag.as_str()));
            }
            _ => {}
        }
        response.finish()
    }
}
