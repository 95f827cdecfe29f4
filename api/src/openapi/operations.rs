//! What every operation shares, added to each as the document is assembled: the advisory
//! request headers, the `oauth2` alternative to `bearer`, conditional GET, and the error
//! responses the shared machinery can give (401/403, 404, 412/428, 429, 400/413/415/422, 500,
//! 503).

use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};

/// A read whose answer carries an `ETag` takes `If-None-Match` and answers 304 when it names
/// the current one (http/conditional.rs).
pub(super) fn add_conditional_get(operation: &mut Operation) {
    let tagged = matches!(
        operation.responses.responses.get("200"),
        Some(RefOr::T(ok)) if ok.headers.contains_key("ETag")
    );
    let declared = operation
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p, RefOr::T(p) if p.name == "If-None-Match")));
    if !tagged {
        return;
    }
    if !declared {
        operation.parameters.get_or_insert_with(Vec::new).push(advisory_header("If-None-Match"));
    }
    operation.responses.responses.entry("304".to_owned()).or_insert(RefOr::T(
        utoipa::openapi::ResponseBuilder::new()
            .description("Not modified: the copy you hold (`If-None-Match`) is current.")
            .build(),
    ));
}

/// Each operation a person's token may call may also be called with an app's token: the
/// `oauth2` requirement beside `bearer`, with the same scopes.
fn add_oauth2_alternative(operation: &mut Operation) {
    let Some(requirements) = operation.security.as_mut() else { return };
    let bearer_scopes: Option<Vec<String>> = requirements.iter().find_map(|r| {
        let value = serde_json::to_value(r).ok()?;
        let scopes = value.get("bearer")?.as_array()?;
        Some(scopes.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
    });
    if let Some(scopes) = bearer_scopes {
        requirements.push(SecurityRequirement::new("oauth2", scopes));
    }
}

/// Operations on data kept for a purpose she may withdraw: `409 consent_withdrawn` after she
/// does (privacy/withdrawn.rs).
const CONSENT_GATED: &[&str] = &[
    "get_member_photo",
    "replace_member_photo",
    "get_member_profile",
    "replace_member_profile",
    "list_member_profile_revisions",
    "list_member_needs",
    "create_member_need",
    "update_need",
    "create_support",
];

/// Operations that never touch the database, so never answer 503.
const WITHOUT_DATABASE: &[&str] =
    &["get_health", "get_metrics", "get_service_info", "get_openapi", "get_readiness", "get_oauth_server_metadata"];

fn response_ref(name: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

/// A request header declared once in `components/parameters` (derived.rs).
fn advisory_header(name: &str) -> RefOr<Parameter> {
    RefOr::Ref(Ref::new(super::derived::advisory_header_ref(name)))
}

/// Adds what every operation shares: language and request-id headers, and the error
/// responses that the shared machinery can produce for it.
pub(super) fn complete_operation(path: &str, operation: &mut Operation) {
    add_oauth2_alternative(operation);
    let id = operation.operation_id.clone().unwrap_or_default();
    let has_body = operation.request_body.is_some();
    let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let idempotent = operation
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p, RefOr::T(p) if p.name == "Idempotency-Key")));

    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    // The formats the server checks, so generated clients and fuzzers send what is accepted.
    for parameter in parameters.iter_mut() {
        if let RefOr::T(parameter) = parameter {
            let pattern = match parameter.name.as_str() {
                "If-Match" => r#"^(\*|(W/)?"[0-9]{1,9}"(\s*,\s*(W/)?"[0-9]{1,9}")*)$"#,
                "Idempotency-Key" => "^[!-~]{1,255}$",
                _ => continue,
            };
            parameter.schema = Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).into());
        }
    }
    parameters.push(advisory_header("Accept-Language"));
    parameters.push(advisory_header("X-Request-Id"));

    let secured = operation.security.as_ref().is_some_and(|rs| rs.iter().any(|r| *r != SecurityRequirement::default()));
    let takes_if_match = operation
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p, RefOr::T(p) if p.name == "If-Match")));
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, name: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| response_ref(name));
    };
    // OAuth's endpoints answer bad input in OAuth's own forms (RFC 6749 errors, pages).
    let own_forms = path.starts_with("/oauth/") || path.starts_with("/.well-known/");
    if (has_body || has_parameters) && !own_forms {
        add("400", "BadRequest");
    }
    // What the shared machinery answers: the caller extractor (401 without valid credentials,
    // 403 without the permission or scope), the lookup of a path's object (404, also for one
    // out of the caller's scope) and the precondition of writes (412 stale, 428 missing).
    if secured {
        add("401", "Unauthorized");
        add("403", "Forbidden");
    }
    if path.contains('{') && !own_forms {
        add("404", "NotFound");
    }
    if takes_if_match {
        add("412", "PreconditionFailed");
        add("428", "PreconditionRequired");
    }
    // The rate limiter counts every request under /api/ and /oauth/ (http/rate_limit.rs).
    if path.starts_with("/api/") || path.starts_with("/oauth/") {
        add("429", "TooManyRequests");
    }
    if has_body {
        add("408", "RequestTimeout");
        add("413", "PayloadTooLarge");
        if !own_forms {
            add("415", "UnsupportedMediaType");
            add("422", "Unprocessable");
        }
    }
    if (id.starts_with("create_") && !own_forms) || CONSENT_GATED.contains(&id.as_str()) {
        add("409", "Conflict");
    }
    // A key reused with another request (422), or still in progress (409).
    if idempotent {
        add("409", "Conflict");
        add("422", "Unprocessable");
    }
    add("500", "InternalError");
    if !WITHOUT_DATABASE.contains(&id.as_str()) {
        add("503", "ServiceUnavailable");
    }
}
