//! chihoi as an OAuth 2.0 authorization server for third-party apps (ứng dụng bên thứ ba):
//! officers sign in on chihoi's own pages and allow an app a set of scopes; the app never sees
//! a password. Authorization code with PKCE S256 only (RFC 6749, 7636, 9700), refresh rotation
//! with reuse detection, revocation (RFC 7009), introspection (RFC 7662), metadata (RFC 8414),
//! `iss` in responses (RFC 9207). A grant is a session of the officer marked with the app and
//! its scopes, so the login's token machinery serves both.

pub mod apps;
pub mod authorize;
mod browser;
mod client_auth;
mod codes;
pub mod errors;
mod form;
pub mod forms;
mod held;
pub mod introspect;
pub mod issuer;
pub mod metadata;
mod pages;
pub mod pkce;
mod reach;
pub mod redirect;
mod request;
pub mod revoke;
pub mod scopes;
mod screens;
pub mod token;
mod visit;
