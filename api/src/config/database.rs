//! Settings of the connection pools.

use std::time::Duration;

/// Size and timeouts of a connection pool.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: usize,
    /// How long a request waits for a free connection before it is answered 503.
    pub wait: Duration,
    /// How long opening one connection may take.
    pub connect_timeout: Duration,
    /// `statement_timeout` of every session, so no query can hold a connection forever.
    pub statement_timeout: Duration,
}
