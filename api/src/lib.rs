//! chihoi — the REST API of the Vietnam Women's Union's grassroots work (Hội LHPN): member
//! registry, "1+1" pairs, the "3 có 3 biết" model, activities, support and reports.
//!
//! The binary (`main.rs`) is a thin shell over [`cli`]; tests build the same
//! [`startup::Application`].

pub mod cli;
pub mod config;
pub mod db;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod routes;
pub mod schema;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
