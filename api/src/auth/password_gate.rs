//! A bound on password hashing (argon2id: 19 MiB and tens of milliseconds of one core each).
//! Without it a flood of logins takes every core and ordinary reads wait seconds behind it.
//! At most `permits` hashes run at once; a request that cannot start one within `WAIT`
//! answers `503 busy` with `Retry-After`, so the flood slows itself and reads stay fast.

use std::time::Duration;

use tokio::sync::Semaphore;

use crate::http::ApiError;

/// How long a request may wait for a hashing slot before it is refused.
const WAIT: Duration = Duration::from_millis(1500);

pub struct PasswordGate {
    slots: Semaphore,
}

impl PasswordGate {
    /// Half the cores (at least one): the other half keeps serving everything else.
    pub fn for_this_machine() -> PasswordGate {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        PasswordGate { slots: Semaphore::new((cores / 2).max(1)) }
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once a slot is free.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let _slot = match tokio::time::timeout(WAIT, self.slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            _ => return Err(ApiError::Busy(1)),
        };
        actix_web::web::block(work).await.map_err(ApiError::internal)
    }
}
