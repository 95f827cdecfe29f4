//! Settings of webhook deliveries.

use std::time::Duration;

/// Retry and safety settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// First retry after this; doubling up to 6 h.
    pub retry_base: Duration,
    /// Failing this long abandons a delivery and disables its subscription (at least 24 h).
    pub give_up: Duration,
    /// How often to look for due deliveries.
    pub poll: Duration,
    /// Allow loopback and private targets (tests, closed networks).
    pub allow_private: bool,
}
