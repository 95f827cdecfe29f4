//! Reports (báo cáo): KPIs computed live for any unit and period, the "3 có 3 biết"
//! scorecard, yearly ratings, reports submitted upward with frozen figures, and exports.

pub mod access;
pub mod cache;
pub mod chart;
pub mod compute;
pub mod coverage;
pub mod engagement;
pub mod export;
pub mod family;
pub mod figures;
pub mod groups;
pub mod handlers;
pub mod live;
pub mod outcomes;
pub mod period;
pub mod ratings;
pub mod scorecard;
pub mod submissions;
pub mod suppress;
pub mod trend;
