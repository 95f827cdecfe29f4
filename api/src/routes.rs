//! Every route of the service. The OpenAPI document is collected from this same function, so
//! an endpoint cannot exist without being in the contract.

use utoipa_actix_web::service_config::ServiceConfig;

use crate::{api_tokens, audit, auth, machine_clients, members, ops, org_units, settings, users};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::handlers::get_health)
        .service(ops::handlers::get_readiness)
        .service(ops::handlers::get_metrics)
        .service(ops::handlers::get_openapi)
        .service(ops::handlers::get_service_info)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(auth::handlers::create_session)
                .service(auth::handlers::refresh_session)
                .service(auth::handlers::delete_session)
                .service(auth::handlers::create_client_token)
                .service(users::me::get_me)
                .service(users::me::update_my_password)
                .service(users::handlers::list_users)
                .service(users::handlers::create_user)
                .service(users::handlers::get_user)
                .service(users::handlers::update_user)
                .service(users::handlers::reset_user_password)
                .service(users::roles::list_user_roles)
                .service(users::roles::create_user_role)
                .service(users::roles::delete_user_role)
                .service(api_tokens::handlers::list_api_tokens)
                .service(api_tokens::handlers::create_api_token)
                .service(api_tokens::handlers::delete_api_token)
                .service(machine_clients::handlers::list_machine_clients)
                .service(machine_clients::handlers::create_machine_client)
                .service(machine_clients::handlers::get_machine_client)
                .service(machine_clients::handlers::update_machine_client)
                .service(machine_clients::handlers::create_machine_client_secret)
                .service(org_units::handlers::list_org_units)
                .service(org_units::handlers::create_org_unit)
                .service(org_units::handlers::get_org_unit)
                .service(members::handlers::list_members)
                .service(members::write::create_member)
                .service(members::handlers::get_member)
                .service(members::write::update_member)
                .service(members::lifecycle::list_member_events)
                .service(members::lifecycle::create_member_event)
                .service(members::transfers::create_member_transfer)
                .service(members::transfers::list_transfers)
                .service(members::transfers::get_transfer)
                .service(members::transfers::accept_transfer)
                .service(members::transfers::reject_transfer)
                .service(members::transfers::cancel_transfer)
                .service(audit::handlers::list_audit_events)
                .service(settings::handlers::list_settings)
                .service(settings::handlers::create_setting)
                .service(settings::handlers::get_setting)
                .service(settings::handlers::update_setting)
                .service(settings::handlers::delete_setting),
        );
}
