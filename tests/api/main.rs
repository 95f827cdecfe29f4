//! Black-box tests: each starts a real chihoi server on 127.0.0.1 over its own freshly cloned
//! PostgreSQL database and speaks HTTP to it.

mod helpers;

mod activities;
mod api_tokens;
mod audit;
mod auth_sessions;
mod auth_tokens;
mod backups;
mod conditional;
mod contract;
mod docs_ui;
mod errors;
mod figures;
mod figures_cache;
mod fuzz_findings;
mod house;
mod idempotency;
mod imports;
mod jobs;
mod knowing_members;
mod machine_clients;
mod members;
mod oauth;
mod ops;
mod org_history;
mod org_units;
mod outage;
mod pairs;
mod permissions;
mod presence;
mod privacy;
mod rate_limits;
mod replica;
mod report_parts;
mod report_scorecard;
mod report_submissions;
mod reports;
mod roster_locks;
mod search;
mod seed;
mod settings;
mod support;
mod sync;
mod trust;
mod webhooks;
