//! Black-box tests: each starts a real chihoi server on 127.0.0.1 over its own freshly cloned
//! PostgreSQL database and speaks HTTP to it.

mod helpers;

mod contract;
mod docs_ui;
mod errors;
mod idempotency;
mod ops;
mod outage;
mod settings;
