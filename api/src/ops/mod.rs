//! Operational endpoints (vận hành): liveness, readiness, metrics, service info and the contract.

pub mod handlers;
pub mod wire;
