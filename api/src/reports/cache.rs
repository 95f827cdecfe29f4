//! Computed figures kept in memory while nothing they are made of has changed. Every
//! transaction that writes a table a figure reads ticks the commit clock (`sync_clock`, at
//! commit; migration 000024), so figures computed after reading clock `n` are exactly what a
//! fresh computation gives for as long as the clock still reads `n`: any committed write moves
//! it. The clock is read before the figures' snapshot is taken, so a tag is never newer than
//! the figures under it (a write committing in between only makes the next reader recompute).
//! One request computes a missing entry while the others asking the same wait for it.
//!
//! The clock is global: a roster written anywhere makes every entry stale. That is exact and
//! cheap to check; a dashboard read a hundred times between two writes is served from memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::figures::Kpis;
use crate::db::prepared;

/// At most this many (units, period, audience) entries, holding at most `MAX_UNITS` units'
/// figures together (a few kB each: some tens of MB at most, whatever periods callers ask
/// for); past either, the stale ones go first.
const CAPACITY: usize = 512;
const MAX_UNITS: usize = 10_000;

/// What a set of figures is of: the units (the one asked, then its children), the period, and
/// whether they were suppressed for a machine client.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub units: Vec<Uuid>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
    pub machine: bool,
}

/// Figures computed after the clock read `clock`, at `computed_at`.
#[derive(Clone)]
pub struct Computed {
    pub clock: i64,
    pub computed_at: DateTime<Utc>,
    pub figures: Arc<Vec<Kpis>>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Computed>>>;

/// The figures cache of one server.
#[derive(Default)]
pub struct FiguresCache {
    slots: Mutex<HashMap<Key, Slot>>,
}

#[derive(QueryableByName)]
struct Clock {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The commit clock as committed now.
pub async fn clock(conn: &mut AsyncPgConnection) -> diesel::QueryResult<i64> {
    let row: Clock = prepared("SELECT n FROM sync_clock").get_result(conn).await?;
    Ok(row.n)
}

impl FiguresCache {
    /// The figures of `key` tagged `clock`: kept ones if computed at that clock, otherwise
    /// `compute`d (once for everyone asking the same at the same time) and kept.
    pub async fn get_or_compute<E>(
        &self,
        key: Key,
        clock: i64,
        compute: impl AsyncFnOnce() -> Result<Vec<Kpis>, E>,
    ) -> Result<Computed, E> {
        let slot = self.slot(key, clock);
        let mut held = slot.lock().await;
        if let Some(kept) = held.as_ref().filter(|kept| kept.clock == clock) {
            return Ok(kept.clone());
        }
        let computed = Computed { clock, computed_at: Utc::now(), figures: Arc::new(compute().await?) };
        *held = Some(computed.clone());
        Ok(computed)
    }

    fn slot(&self, key: Key, clock: i64) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let full = |slots: &HashMap<Key, Slot>| {
            slots.len() >= CAPACITY || slots.keys().map(|k| k.units.len()).sum::<usize>() + key.units.len() > MAX_UNITS
        };
        if !slots.contains_key(&key) && full(&slots) {
            // Stale entries go, and those being computed (their computation keeps its slot);
            // if what is left is still too much, everything goes.
            slots.retain(|_, slot| slot.try_lock().is_ok_and(|kept| kept.as_ref().is_some_and(|k| k.clock == clock)));
            if full(&slots) {
                slots.clear();
            }
        }
        Arc::clone(slots.entry(key).or_default())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::{CAPACITY, FiguresCache, Key, Kpis, MAX_UNITS};

    fn key(unit: u128) -> Key {
        let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        Key { units: vec![Uuid::from_u128(unit)], from: day, to: day, label: "2025-01".into(), machine: false }
    }

    #[tokio::test]
    async fn kept_while_the_clock_stands_and_recomputed_when_it_moves() {
        let cache = FiguresCache::default();
        let computed = AtomicUsize::new(0);
        let compute = async || -> Result<Vec<Kpis>, ()> {
            computed.fetch_add(1, Ordering::SeqCst);
            Ok(Vec::new())
        };
        cache.get_or_compute(key(1), 7, compute).await.unwrap();
        cache.get_or_compute(key(1), 7, compute).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        cache.get_or_compute(key(1), 8, compute).await.unwrap();
        cache.get_or_compute(key(2), 8, compute).await.unwrap();
        assert_eq!(computed.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn bounded() {
        let cache = FiguresCache::default();
        for unit in 0..(CAPACITY as u128 * 3) {
            cache.get_or_compute(key(unit), 1, async || Ok::<_, ()>(Vec::new())).await.unwrap();
        }
        assert!(cache.slots.lock().unwrap().len() <= CAPACITY);
    }

    #[tokio::test]
    async fn bounded_by_units_too() {
        let cache = FiguresCache::default();
        for first in 0..30u128 {
            let mut big = key(first * 1_000);
            big.units = (0..1_000).map(|u| Uuid::from_u128(first * 1_000 + u)).collect();
            cache.get_or_compute(big, 1, async || Ok::<_, ()>(Vec::new())).await.unwrap();
        }
        let kept: usize = cache.slots.lock().unwrap().keys().map(|k| k.units.len()).sum();
        assert!(kept <= MAX_UNITS, "{kept}");
    }
}
