//! Building and running the server. Tests and the binary use the same `Application`, bound to
//! a port of its own choosing (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::jwt::JwtKeys;
use crate::auth::throttle;
use crate::config::{Config, MigrateMode};
use crate::db::{self, DbPool, migrations};
use crate::http::context::request_context;
use crate::http::fallback::not_routed;
use crate::http::idempotency;
use crate::http::json::BodyLimit;
use crate::http::route_table::RouteTable;
use crate::metrics::Metrics;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database pool: {0}")]
    Pool(String),
    #[error("token keys: {0}")]
    Keys(String),
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: std::io::Error },
    #[error("HTTP client: {0}")]
    HttpClient(String),
}

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    pub fn build(config: Config) -> Result<Application, StartupError> {
        let pool = db::build_pool(config.database_url.expose(), &config.pool, "chihoi").map_err(StartupError::Pool)?;
        let read_pool = match &config.database_read_url {
            Some(url) => db::build_pool(url.expose(), &config.pool, "chihoi-read").map_err(StartupError::Pool)?,
            None => pool.clone(),
        };
        let auth = &config.auth;
        let jwt = JwtKeys::new(&auth.jwt_keys.0, &auth.jwt_issuer, &auth.jwt_audience).map_err(StartupError::Keys)?;
        if auth.jwt_keys_ephemeral {
            tracing::warn!("CHIHOI_JWT_KEYS is not set: using a key generated for this process; tokens die with it");
        }
        let document = crate::openapi::document();
        let listener = TcpListener::bind(&config.bind)
            .map_err(|source| StartupError::Bind { address: config.bind.clone(), source })?;
        let mut local_addr =
            listener.local_addr().map_err(|source| StartupError::Bind { address: config.bind.clone(), source })?;
        if local_addr.ip().is_unspecified() {
            local_addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let rate_limiter = Arc::new(crate::http::limiter::RateLimiter::new(&config.rate_limits));
        let principals = Arc::new(crate::auth::principal_cache::PrincipalCache::new(config.auth.principal_cache_ttl));
        let state = AppState {
            routes: Arc::new(RouteTable::from_openapi(&document)),
            openapi_json: Arc::new(crate::openapi::document_compact_json()),
            expected_migrations: Arc::new(migrations::expected_versions()),
            metrics: Arc::new(Metrics::new()),
            pool,
            read_pool,
            jwt: Arc::new(jwt),
            config: Arc::new(config),
            local_addr,
            rate_limiter,
            password_gate: Arc::new(crate::auth::password_gate::PasswordGate::for_this_machine()),
            draining: Arc::default(),
            principals,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| StartupError::HttpClient(e.to_string()))?,
        };
        let port = local_addr.port();
        let server = serve(listener, state.clone())
            .map_err(|source| StartupError::Bind { address: state.config.bind.clone(), source })?;
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until the server stops (SIGTERM/SIGINT: stop accepting, finish in-flight requests
    /// within `CHIHOI_SHUTDOWN_TIMEOUT_S`), then closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let background = [
            (self.state.config.migrate == MigrateMode::Auto)
                .then(|| tokio::spawn(migrate_until_done(self.state.config.database_url.expose().to_owned()))),
            Some(tokio::spawn(crate::webhooks::delivery::run(self.state.clone(), self.state.config.webhooks.clone()))),
            Some(tokio::spawn(housekeeping(self.state.pool.clone(), self.state.config.sync_retention_days))),
            Some(tokio::spawn(crate::jobs::watchdog::sweep_forever(self.state.pool.clone()))),
            Some(tokio::spawn(crate::auth::principal_cache::listen_forever(
                self.state.principals.clone(),
                self.state.config.database_url.expose().to_owned(),
                self.state.config.pool.connect_timeout,
            ))),
        ];
        let drain = tokio::spawn(drain_on_signal(self.server.handle(), self.state.clone()));
        let result = self.server.await;
        drain.abort();
        for task in background.into_iter().flatten() {
            task.abort();
        }
        self.state.pool.close();
        tracing::info!("server stopped");
        result
    }
}

/// SIGTERM or SIGINT: `/readyz` turns 503 `draining` at once while requests are still served
/// for `CHIHOI_SHUTDOWN_DELAY_S` (load balancers notice and stop sending); then the listener
/// closes and in-flight requests get `CHIHOI_SHUTDOWN_TIMEOUT_S` to finish.
async fn drain_on_signal(server: actix_web::dev::ServerHandle, state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::warn!("cannot listen for signals; stop the process with SIGKILL");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    let delay = state.config.shutdown_delay;
    state.draining.store(true, std::sync::atomic::Ordering::SeqCst);
    tracing::info!(delay_s = delay.as_secs(), "shutdown requested: draining");
    tokio::time::sleep(delay).await;
    server.stop(true).await;
}

fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let config = state.config.clone();
    let (workers, shutdown_timeout) = (config.workers, config.shutdown_timeout);
    let data = web::Data::new(state);
    // One for all workers: figures computed by one are served by the others.
    let figures_cache = web::Data::new(crate::reports::cache::FiguresCache::default());
    let server = HttpServer::new(move || {
        let cors_enabled = !config.cors_origins.is_empty();
        App::new()
            .app_data(data.clone())
            .app_data(figures_cache.clone())
            .app_data(BodyLimit(config.max_body_bytes, config.body_idle_timeout))
            .app_data(web::PathConfig::default().error_handler(|error, req| {
                // `PATCH /members/export` matched `/members/{id}`: the real resource takes no PATCH.
                let exact = req.app_data::<web::Data<AppState>>().and_then(|s| {
                    s.routes.allowed_exactly(req.path()).filter(|m| !m.contains(req.method())).map(<[_]>::to_vec)
                });
                match exact {
                    Some(methods) => crate::http::ApiError::MethodNotAllowed(methods).into(),
                    None => path_error(&error.to_string()).into(),
                }
            }))
            .wrap(from_fn(crate::http::conditional::conditional))
            .wrap(Condition::new(cors_enabled, cors(&config.cors_origins)))
            .wrap(from_fn(crate::http::rate_limit::rate_limit))
            .wrap(from_fn(crate::http::forget_principals::forget_after_writes))
            .wrap(from_fn(request_context))
            .wrap(Compress::default())
            .into_utoipa_app()
            .configure(crate::routes::configure)
            .into_app()
            .route("/docs", web::get().to(redirect_to_docs))
            .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new(["/openapi.json"]).validator_url("none")))
            .default_service(web::to(not_routed))
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(shutdown_timeout.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}

/// A path segment of the wrong type (an id that is not a UUID) is a 400 naming it.
fn path_error(message: &str) -> crate::http::ApiError {
    crate::http::ApiError::invalid_parameter(
        "id",
        "invalid_format",
        crate::http::Text::owned(
            format!("Mã định danh trong đường dẫn không hợp lệ ({message})."),
            format!("An id in the path is malformed ({message})."),
        ),
    )
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
}

/// CORS is closed unless `CHIHOI_CORS_ORIGINS` lists origins.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// With `CHIHOI_MIGRATE=auto`, applies migrations, retrying while the database is down;
/// `/readyz` stays 503 until this succeeds.
async fn migrate_until_done(database_url: String) {
    let mut delay = Duration::from_secs(1);
    loop {
        match migrations::run_pending(&database_url).await {
            Ok(applied) => {
                tracing::info!(applied = ?applied, "migrations up to date");
                return;
            }
            Err(error) => {
                tracing::warn!(error = %error, retry_in_s = delay.as_secs(), "migrations not applied yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Periodic clean-up of expired records.
async fn housekeeping(pool: DbPool, sync_retention_days: i32) {
    let period = Duration::from_secs(600);
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut round: u64 = 0;
    loop {
        interval.tick().await;
        let Ok(mut conn) = pool.get().await else {
            continue;
        };
        // Hourly: the counts only rank a search's words (members/search.rs).
        if round.is_multiple_of(6)
            && let Err(error) = crate::members::search::recount_words(&mut conn).await
        {
            tracing::warn!(error = %error, "name word counts not refreshed");
        }
        round += 1;
        match idempotency::purge_expired(&mut conn).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys removed"),
            Err(error) => tracing::warn!(error = %error, "idempotency clean-up failed"),
        }
        if let Err(error) = throttle::purge_stale(&mut conn).await {
            tracing::warn!(error = %error, "login throttle clean-up failed");
        }
        match crate::privacy::retention::run(&mut conn, 1_000).await {
            Ok(run) if run.anonymized > 0 => {
                tracing::info!(anonymized = run.anonymized, "retention: former members anonymized")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "retention job failed"),
        }
        match crate::sync::prune(&mut conn, sync_retention_days).await {
            Ok(0) => {}
            Ok(_) => tracing::info!(days = sync_retention_days, "sync change log pruned"),
            Err(error) => tracing::warn!(error = %error, "sync log clean-up failed"),
        }
    }
}
