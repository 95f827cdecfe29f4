//! The contract's version, apart from the document so that handlers (`/api/v1`) can name it
//! without importing what imports them.

/// Version of the contract (`info.version`). Bump the major part for a breaking change (the
/// minor while 0.x); `scripts/contract-diff` compares with the last release in `openapi/released/`.
pub const CONTRACT_VERSION: &str = "0.2.0";
