//! The rate limits of this server as configured: budgets, quotas and windows.

use std::collections::HashMap;

/// What a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    Login,
    Reads,
    Writes,
    Exports,
}

impl Budget {
    pub const ALL: [Budget; 4] = [Budget::Login, Budget::Reads, Budget::Writes, Budget::Exports];

    /// Its name in settings and in `RateLimit-Policy`.
    pub fn name(self) -> &'static str {
        match self {
            Budget::Login => "login",
            Budget::Reads => "reads",
            Budget::Writes => "writes",
            Budget::Exports => "exports",
        }
    }
}

/// Quota and window (seconds) of each budget, for one kind of key.
#[derive(Debug, Clone, Default)]
pub struct Quotas(pub HashMap<Budget, (u32, u64)>);

impl Quotas {
    /// `reads=1200/60,writes=600/60,…`, or `off`.
    pub fn parse(spec: &str) -> Result<Quotas, String> {
        let spec = spec.trim();
        if spec == "off" {
            return Ok(Quotas::default());
        }
        let mut quotas = HashMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, rest) =
                part.split_once('=').ok_or_else(|| format!("expected name=quota/seconds in {part:?}"))?;
            let budget = Budget::ALL
                .into_iter()
                .find(|b| b.name() == name.trim())
                .ok_or_else(|| format!("unknown budget {name:?} (login, reads, writes, exports)"))?;
            let (quota, window) = rest.split_once('/').ok_or_else(|| format!("expected quota/seconds in {part:?}"))?;
            let quota: u32 = quota.trim().parse().map_err(|_| format!("bad quota in {part:?}"))?;
            let window: u64 = window.trim().parse().map_err(|_| format!("bad window in {part:?}"))?;
            if quota == 0 || !(1..=86_400).contains(&window) {
                return Err(format!("quota must be positive and the window 1–86400 s in {part:?}"));
            }
            quotas.insert(budget, (quota, window));
        }
        Ok(Quotas(quotas))
    }
}

/// The limits of this server: per token and per client address.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    pub per_token: Quotas,
    pub per_address: Quotas,
    /// How long a `429` is held before it is sent (a tarpit; at most the time to the reset).
    pub refusal_delay: std::time::Duration,
}

pub const DEFAULT_PER_TOKEN: &str = "reads=1200/60,writes=600/60,exports=20/60";
pub const DEFAULT_PER_ADDRESS: &str = "login=60/60,reads=3000/60,writes=1200/60,exports=60/60";
