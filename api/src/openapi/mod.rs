//! The OpenAPI 3.1 document: assembled from the handlers registered in `routes`, then completed
//! with the responses and headers every operation shares.

mod derived;
mod operations;
pub mod summaries;
pub mod version;

use actix_web::App;
use utoipa::openapi::RefOr;
use utoipa::openapi::security::{
    AuthorizationCode, ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::http::Lang;
use crate::http::problem::{FieldError, ProblemDetails};
use crate::http::responses;

pub use version::CONTRACT_VERSION;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chihoi API",
        description = include_str!("description.md"),
        contact(name = "chihoi maintainers")
    ),
    servers((url = "http://127.0.0.1:8080", description = "Máy chủ cục bộ (scripts/run) / Local server")),
    tags(
        (name = "operations", description = "Vận hành: sống, sẵn sàng, số đo, hợp đồng API / Operations: liveness, readiness, metrics, the contract."),
        (name = "auth", description = "Xác thực: đăng nhập, làm mới, đăng xuất, mã cho hệ thống / Authentication: login, refresh, logout, client credentials."),
        (name = "me", description = "Hội viên tự phục vụ / A member's own record, history and data requests."),
        (name = "users", description = "Tài khoản và vai trò / Accounts, their roles, and the caller herself."),
        (name = "api_tokens", description = "Mã truy cập cho script / API tokens for scripts and curl."),
        (name = "oauth", description = "Đăng nhập cho ứng dụng bên thứ ba (OAuth 2.0: mã ủy quyền + PKCE) / Sign-in for third-party apps (OAuth 2.0 authorization code with PKCE): authorize, token, revoke, introspect, metadata."),
        (name = "oauth_apps", description = "Ứng dụng bên thứ ba: đăng ký, tắt, xóa, ai đã cấp quyền / Third-party apps: registration, disabling, deletion, who authorized them."),
        (name = "machine_clients", description = "Hệ thống cấp trên / Machine clients of higher-level systems."),
        (name = "members", description = "Sổ hội viên: hội viên, biến động, chuyển sinh hoạt / The member registry: members, lifecycle, transfers."),
        (name = "prospects", description = "Phụ nữ chưa vào hội / Prospects: women 18+ not yet members, and their conversion."),
        (name = "pairs", description = "Cặp \"1+1\": vận động, bồi dưỡng đảng viên, đỡ đầu, chi hội giúp chi hội / \"1+1\" pairs: recruit, Party nurture, sponsor, branch twin."),
        (name = "support", description = "Sổ hỗ trợ: vốn, việc làm, mái ấm tình thương… cho hội viên và hộ gia đình (nhạy cảm) / The support ledger (sensitive)."),
        (name = "activities", description = "Sinh hoạt, điểm danh, nhóm Zalo, \"3 có\" / Activities, attendance, social-network groups, the \"3 có\" view."),
        (name = "funds", description = "Quỹ hội: thu, chi, số dư / A unit's fund: income, spending, balance."),
        (name = "fees", description = "Hội phí: mức thu, nộp, danh sách chưa nộp / Membership fees: schedules, payments, who has not paid."),
        (name = "imports", description = "Nhập danh sách từ bảng tính / Importing member lists, and background jobs."),
        (name = "reports", description = "Báo cáo: chỉ tiêu theo cây đơn vị, \"3 có 3 biết\", xếp loại, báo cáo gửi cấp trên / Reports: KPIs rolled up the tree, scorecards, ratings, submissions upward."),
        (name = "webhooks", description = "Webhook cho hệ thống cấp trên: đăng ký, gửi có ký, thử lại / Webhooks for higher-level systems: subscriptions, signed deliveries, retries."),
        (name = "sync", description = "Đồng bộ cho ứng dụng di động / Delta sync for offline-first mobile apps."),
        (name = "org_units", description = "Cây đơn vị Hội / The org tree: central, province, (district), commune, branch, group."),
        (name = "audit", description = "Nhật ký kiểm tra / The audit trail."),
        (name = "settings", description = "Cài đặt hệ thống: các ngưỡng và quy tắc cấu hình theo tỉnh và năm / Instance settings: thresholds and rules configured per province and year."),
    ),
    modifiers(&SecuritySchemes),
    components(
        schemas(
            ProblemDetails,
            FieldError,
            crate::http::media::FileFormat,
            crate::imports::run::ImportOutcome,
            crate::jobs::JobFailure,
            // Named only by query parameters, which utoipa does not collect.
            crate::http::codes::KindCode,
            crate::http::codes::StageCode,
            crate::time::MonthLabel,
            crate::members::vocabulary::MemberInclude,
            crate::members::transfers::Direction,
            crate::reports::handlers::GroupBy,
            crate::reports::handlers::ReportFormat
        ),
        responses(
            responses::BadRequest,
            responses::NotFound,
            responses::Conflict,
            responses::Gone,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::Unprocessable,
            responses::PreconditionFailed,
            responses::PreconditionRequired,
            responses::InternalError,
            responses::ServiceUnavailable,
            responses::NotReady,
            responses::Unauthorized,
            responses::InvalidCredentials,
            responses::Forbidden,
            responses::TooManyRequests,
            responses::RequestTimeout,
        )
    )
)]
struct ApiDoc;

/// `bearer`: a person's access token (JWT from login) or one of her API tokens (`chh_…`).
/// `client_credentials`: a machine client's token from `/api/v1/auth/token`.
/// `oauth2`: a third-party app's token from the authorization code flow (`/oauth/authorize`).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from `POST /api/v1/auth/login` (15 minutes), or an API token (`chh_…`) from `POST /api/v1/api-tokens`. An API token is limited to the scopes it was created with: where an operation's security requirement names a scope (`me:read`, `me:write`), a token needs that scope; elsewhere it needs the permission the operation's description names. A login session holds every permission its roles give, and `me:read`/`me:write` on her own data. JWTs here follow RFC8725 (JWT Best Current Practices): the algorithm is pinned (HS256, never `none`), `kid` picks the key, and `iss`, `aud`, `exp`, `iat`, `sub` and a `typ` per kind of token are checked on every request."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_credentials",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new("/api/v1/auth/token", Scopes::new()))],
                "Machine clients of higher-level systems: aggregates of their subtree only. The token is a JWT of 15 minutes; ask again when it expires (no refresh token, RFC 6749 §4.4.3). JWTs here follow RFC8725 (JWT Best Current Practices): the algorithm is pinned (HS256, never `none`), `kid` picks the key, and `iss`, `aud`, `exp`, `iat`, `sub` and a `typ` per kind of token are checked on every request.",
            )),
        );
        let scopes: Scopes = crate::oauth::scopes::for_apps()
            .map(|p| {
                let text = crate::oauth::scopes::describe(p);
                (p.as_str().to_owned(), format!("{} / {}", text.get(Lang::Vi), text.get(Lang::En)))
            })
            .collect();
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::AuthorizationCode(AuthorizationCode::with_refresh_url(
                    "/oauth/authorize",
                    "/oauth/token",
                    scopes,
                    "/oauth/token",
                ))],
                "Ứng dụng bên thứ ba / Third-party apps: the authorization code flow with PKCE (S256), in the system browser (docs/integration.md). The token acts for the officer who allowed it, limited to the granted scopes, her roles and the app's subtree. Where an operation names no scope, it needs the permission its description names. Access tokens live 15 minutes; refresh tokens rotate on every use. JWTs here follow RFC8725 (JWT Best Current Practices): the algorithm is pinned (HS256, never `none`), `kid` picks the key, and `iss`, `aud`, `exp`, `iat`, `sub` and a `typ` per kind of token are checked on every request.",
            )),
        );
    }
}

/// The complete contract, as served at `/openapi.json` and committed in `openapi/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::routes::configure).split_for_parts();
    doc.info.version = CONTRACT_VERSION.to_owned();
    // utoipa copies Cargo's empty licence field; the owner has not chosen a licence yet.
    doc.info.license = None;
    for (path, item) in doc.paths.paths.iter_mut() {
        if let Some(read) = item.get.as_mut() {
            operations::add_conditional_get(read);
        }
        for operation in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            operations::complete_operation(path, operation);
        }
    }
    add_links(&mut doc);
    doc
}

/// OpenAPI links from each creating operation to the operations on what it created (its id
/// in the body, its ETag for `If-Match`): clients and stateful fuzzers follow them. The item
/// is `<collection>/{id}` (`/members` → `/members/{id}`) or, for a nested creation,
/// `/api/v1/<last segment>/{id}` (`/members/{id}/needs` → `/needs/{id}`).
fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    let targets = |path: &str| -> Vec<(String, bool)> {
        let last = path.rsplit('/').next().unwrap_or_default();
        [format!("{path}/{{id}}"), format!("/api/v1/{last}/{{id}}")]
            .iter()
            .find_map(|item| doc.paths.paths.get(item))
            .map(|item| {
                [(&item.get, false), (&item.patch, true), (&item.put, true), (&item.delete, true)]
                    .into_iter()
                    .filter_map(|(op, needs_etag)| {
                        op.as_ref().and_then(|o| o.operation_id.clone()).map(|id| (id, needs_etag))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let plan: Vec<(String, Vec<(String, bool)>)> = doc
        .paths
        .paths
        .iter()
        .filter(|(path, item)| {
            !path.ends_with('}') && item.post.as_ref().is_some_and(|o| o.responses.responses.contains_key("201"))
        })
        .map(|(path, _)| (path.clone(), targets(path)))
        .filter(|(_, targets)| !targets.is_empty())
        .collect();
    for (path, targets) in plan {
        let components = doc.components.clone();
        let Some(RefOr::T(created)) = doc
            .paths
            .paths
            .get_mut(&path)
            .and_then(|item| item.post.as_mut())
            .and_then(|o| o.responses.responses.get_mut("201"))
        else {
            continue;
        };
        if !body_has_id(created, components.as_ref()) {
            continue;
        }
        let has_etag = created.headers.contains_key("ETag");
        for (operation_id, needs_etag) in targets {
            let mut link = LinkBuilder::new()
                .operation_id(&operation_id)
                .parameter("id", "$response.body#/id")
                .description("The object just created.");
            if needs_etag && has_etag {
                link = link.parameter("If-Match", "$response.header.ETag");
            }
            created.links.insert(operation_id, RefOr::T(link.build()));
        }
    }
}

/// The contract with what is derived by rule (`derived.rs`).
fn document_value() -> serde_json::Value {
    let mut doc = serde_json::to_value(document()).unwrap_or_default();
    derived::apply(&mut doc);
    doc
}

/// The contract as pretty JSON with a final newline, exactly as committed.
pub fn document_json() -> String {
    let mut json = serde_json::to_string_pretty(&document_value()).unwrap_or_default();
    json.push('\n');
    json
}

/// The same contract without indentation, as `/openapi.json` serves it: 40 % smaller than the
/// committed file, for the docs page and clients on slow networks.
pub fn document_compact_json() -> String {
    serde_json::to_string(&document_value()).unwrap_or_default()
}

/// Whether the JSON body of `response` is a schema with a top-level `id` property.
fn body_has_id(response: &utoipa::openapi::Response, components: Option<&utoipa::openapi::Components>) -> bool {
    let Some(RefOr::T(content)) = response.content.get("application/json") else {
        return false;
    };
    let Some(RefOr::Ref(reference)) = content.schema.as_ref() else {
        return false;
    };
    let name = reference.ref_location.rsplit('/').next().unwrap_or_default();
    matches!(
        components.and_then(|c| c.schemas.get(name)),
        Some(RefOr::T(utoipa::openapi::schema::Schema::Object(object))) if object.properties.contains_key("id")
    )
}
