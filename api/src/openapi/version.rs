//! The contract's version, apart from the document so that handlers (`/api/v1`) can name it
//! without importing what imports them.

/// Version of the contract (`info.version`). Bump the major part for a breaking change.
pub const CONTRACT_VERSION: &str = "0.1.0";
