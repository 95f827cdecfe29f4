//! chihoi as an OAuth 2.0 authorization server for third-party apps (issue 20): every rule of
//! the flow as a black-box test against a real server, and a real browser signing in.

mod apps;
mod authorize;
mod browser;
mod consent;
mod flow;
mod revocation;
mod tokens;
