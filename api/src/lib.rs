//! chihoi — the REST API of the Vietnam Women's Union's grassroots work (Hội LHPN): member
//! registry, "1+1" pairs, the "3 có 3 biết" model, activities, support and reports.
//!
//! The binary (`main.rs`) is a thin shell over [`cli`]; tests build the same
//! [`startup::Application`].

pub mod activities;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod batch;
pub mod channels;
pub mod cli;
pub mod config;
pub mod db;
pub mod fees;
pub mod funds;
pub mod http;
pub mod imports;
pub mod jobs;
pub mod machine_clients;
pub mod members;
pub mod memory;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod ops;
pub mod org_units;
pub mod pairs;
pub mod person;
pub mod pioneers;
pub mod privacy;
pub mod prospects;
pub mod reports;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod state;
pub mod support;
pub mod sync;
pub mod telemetry;
pub mod text;
pub mod time;
pub mod users;
pub mod webhooks;
