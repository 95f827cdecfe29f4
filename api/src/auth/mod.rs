//! Authentication and authorization: who calls (`Caller`), what each role may do, tokens,
//! passwords and login throttling.

pub mod caller;
pub mod handlers;
pub mod jwt;
pub mod login;
mod lookup;
pub mod password_gate;
pub mod passwords;
pub mod permissions;
pub mod principal;
pub mod principal_cache;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod wire;

pub use caller::{Caller, RequestMeta, Scope};
pub use permissions::{Permission, Role};
pub use principal::Principal;
