//! Principals of access tokens kept in memory for a few seconds, so that a request whose token
//! was checked a moment ago costs no database round trip to learn who calls.
//!
//! Whatever changes who someone is — an account disabled or its token version bumped, a session
//! revoked or narrowed, a grant added or removed, a unit moved or closed, an app or a machine
//! client suspended — is a write to `users`, `sessions`, `role_grants`, `org_units`,
//! `oauth_apps` or `machine_clients`, and statement triggers on those tables `NOTIFY
//! chihoi_auth` (migration 000026). Every instance listens and forgets all it kept. This
//! instance also forgets before answering any write of its own that may touch those tables
//! (`http::forget_principals`), so a client that logs out or removes a grant and then calls again is
//! refused on that very call, without waiting for the notification to travel. While the listener
//! is not connected nothing is kept, and an entry lives at most `CHIHOI_AUTH_CACHE_TTL_MS`,
//! which bounds what time alone changes (a session expiring, a unit closed from tomorrow).
//! API tokens are not kept: their use is recorded, which needs the database anyway.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;
use uuid::Uuid;

use super::principal::Principal;

/// The channel the triggers of migration 000026 notify.
pub const CHANNEL: &str = "chihoi_auth";

/// More distinct tokens than this in a few seconds: start afresh rather than grow.
const MAX_ENTRIES: usize = 50_000;

/// How often a quiet listener checks that its connection is alive.
const LISTENER_PING: Duration = Duration::from_secs(10);

/// What identifies an access token's principal: a changed token version is another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKey {
    Session { user: Uuid, session: Uuid, version: i32 },
    Client { client: Uuid, version: i32 },
}

struct Entry {
    principal: Principal,
    generation: u64,
    kept_until: Instant,
}

pub struct PrincipalCache {
    ttl: Duration,
    entries: Mutex<HashMap<TokenKey, Entry>>,
    /// Bumped by every forgetting; an entry of an older generation is never served.
    generation: AtomicU64,
    /// True while the listener is connected and listening.
    listening: AtomicBool,
}

impl PrincipalCache {
    /// `ttl` zero turns the cache off.
    pub fn new(ttl: Duration) -> PrincipalCache {
        PrincipalCache {
            ttl,
            entries: Mutex::default(),
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.listening.load(Ordering::Acquire)
    }

    /// Read before looking a principal up, and given back to `keep`: a principal read while
    /// something was forgotten is not kept.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &TokenKey) -> Option<Principal> {
        if !self.enabled() {
            return None;
        }
        let generation = self.generation();
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.kept_until > Instant::now()).then(|| entry.principal.clone())
    }

    pub fn keep(&self, key: TokenKey, principal: &Principal, generation: u64) {
        if !self.enabled() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else { return };
        // Checked under the lock `forget_all` also takes: nothing read before a forgetting
        // can be kept after it.
        if generation != self.generation() {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { principal: principal.clone(), generation, kept_until: Instant::now() + self.ttl });
    }

    pub fn forget_all(&self) {
        let entries = self.entries.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = entries {
            entries.clear();
        }
    }

    fn set_listening(&self, listening: bool) {
        // Forget before turning on as well as on losing the connection: notifications sent
        // while nobody listened are lost.
        self.forget_all();
        self.listening.store(listening, Ordering::Release);
    }
}

/// Listens for `NOTIFY chihoi_auth` for as long as the server runs, reconnecting after a
/// failure; the cache is off while it is not listening.
pub async fn listen_forever(cache: std::sync::Arc<PrincipalCache>, database_url: String, connect_timeout: Duration) {
    if cache.ttl.is_zero() {
        return;
    }
    const FIRST_RETRY: Duration = Duration::from_millis(250);
    let mut delay = FIRST_RETRY;
    loop {
        let Err(error) = listen(&cache, &database_url, connect_timeout).await;
        tracing::warn!(error = %error, "principal cache: listener lost; kept principals are not used");
        // A listener that had been up retries quickly; one that cannot connect backs off.
        if cache.listening.load(Ordering::Acquire) {
            delay = FIRST_RETRY;
        }
        cache.set_listening(false);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Returns only when the connection fails.
async fn listen(
    cache: &PrincipalCache,
    database_url: &str,
    connect_timeout: Duration,
) -> Result<std::convert::Infallible, String> {
    let mut conn = tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(database_url))
        .await
        .map_err(|_| "connection timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("SET application_name = 'chihoi-auth-listener'; LISTEN {CHANNEL}"))
        .await
        .map_err(|e| e.to_string())?;
    cache.set_listening(true);
    loop {
        let quiet = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            match tokio::time::timeout(LISTENER_PING, notifications.next()).await {
                Ok(Some(Ok(_))) => false,
                Ok(Some(Err(error))) => return Err(error.to_string()),
                Ok(None) => return Err("connection closed".to_owned()),
                Err(_) => true,
            }
        };
        if quiet {
            // A connection that died without a word (a failover, a cut network) says nothing;
            // a query finds out, and a notification that arrives meanwhile waits in the stream.
            tokio::time::timeout(connect_timeout, conn.batch_execute("SELECT 1"))
                .await
                .map_err(|_| "listener check timed out".to_owned())?
                .map_err(|e| e.to_string())?;
        } else {
            cache.forget_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::principal::Actor;

    fn someone() -> Principal {
        Principal { actor: Actor::Client { id: Uuid::nil(), name: "x".into() }, grants: Vec::new(), token_scopes: None }
    }

    fn listening_cache() -> PrincipalCache {
        let cache = PrincipalCache::new(Duration::from_secs(60));
        cache.set_listening(true);
        cache
    }

    #[test]
    fn a_principal_read_before_a_forgetting_is_not_kept() {
        let cache = listening_cache();
        let key = TokenKey::Client { client: Uuid::nil(), version: 1 };
        let generation = cache.generation();
        cache.forget_all();
        cache.keep(key, &someone(), generation);
        assert!(cache.get(&key).is_none());
        cache.keep(key, &someone(), cache.generation());
        assert!(cache.get(&key).is_some());
        cache.forget_all();
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn nothing_is_kept_while_not_listening_or_with_ttl_zero() {
        let key = TokenKey::Client { client: Uuid::nil(), version: 1 };
        let deaf = PrincipalCache::new(Duration::from_secs(60));
        deaf.keep(key, &someone(), deaf.generation());
        assert!(deaf.get(&key).is_none());
        let off = PrincipalCache::new(Duration::ZERO);
        off.set_listening(true);
        off.keep(key, &someone(), off.generation());
        assert!(off.get(&key).is_none());
    }
}
