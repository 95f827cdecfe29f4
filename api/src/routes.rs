//! Every route of the service. The OpenAPI document is collected from this same function, so
//! an endpoint cannot exist without being in the contract.

use utoipa_actix_web::service_config::ServiceConfig;

use crate::{ops, settings};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::handlers::get_health)
        .service(ops::handlers::get_readiness)
        .service(ops::handlers::get_metrics)
        .service(ops::handlers::get_openapi)
        .service(ops::handlers::get_service_info)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(settings::handlers::list_settings)
                .service(settings::handlers::create_setting)
                .service(settings::handlers::get_setting)
                .service(settings::handlers::update_setting)
                .service(settings::handlers::delete_setting),
        );
}
