//! What answers a request no route took: 405 with `Allow` when the path exists with other
//! methods, else 404. The OpenAPI document is the table of routes, so it cannot drift.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::ApiError;
use crate::state::AppState;

pub async fn not_routed(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.routes.allowed(req.path()) {
        Some(methods) if !methods.is_empty() => Err(ApiError::MethodNotAllowed(methods.to_vec())),
        _ => Err(ApiError::NoRoute),
    }
}
