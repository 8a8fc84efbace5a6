//! Generation counters and the in-memory caches that trust them.
//!
//! Schema 11 keeps two counters in the `generations` table, bumped by
//! triggers: [`Generation::Data`] by every write of a row that can change
//! what a grid, a case list or a media's country shows, and
//! [`Generation::Auth`] by every change of a user, an agency or the removal
//! of a session. A [`GenCache`] holds values computed under one counter
//! value and forgets all of them as soon as it is asked with another: a
//! reader reads the counter FIRST, then computes, so a value is never
//! newer-labelled than the data it was computed from (a write between the
//! two only makes the value fresher than its label, and the next reader
//! sees the new counter and recomputes).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use rusqlite::OptionalExtension;

use crate::StoreError;
use crate::store::Store;

/// Which counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// Media, evidence, clues, hits, categories, series, clusters, cases,
    /// grants, thumbnails.
    Data,
    /// Users, agencies, removed sessions.
    Auth,
}

impl Generation {
    fn name(self) -> &'static str {
        match self {
            Generation::Data => "data",
            Generation::Auth => "auth",
        }
    }
}

impl Store {
    /// The current value of a generation counter (one indexed read).
    pub fn generation(&self, which: Generation) -> Result<u64, StoreError> {
        let n: Option<i64> = self
            .conn
            .prepare_cached("SELECT n FROM generations WHERE name = ?1")?
            .query_row([which.name()], |r| r.get(0))
            .optional()?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }
}

struct Slot<K, V> {
    generation: u64,
    map: HashMap<K, V>,
}

/// Values valid for one generation; shared by every connection of a
/// process (interior mutability, cheap lock held only to copy a value).
/// At most `capacity` entries: when full, everything is forgotten (the
/// simplest bound; the working set of a server is far smaller).
pub struct GenCache<K, V> {
    slot: Mutex<Slot<K, V>>,
    capacity: usize,
}

impl<K, V> std::fmt::Debug for GenCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenCache")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<K: Eq + Hash, V: Clone> GenCache<K, V> {
    /// An empty cache holding at most `capacity` values.
    pub fn new(capacity: usize) -> GenCache<K, V> {
        GenCache {
            slot: Mutex::new(Slot {
                generation: 0,
                map: HashMap::new(),
            }),
            capacity: capacity.max(1),
        }
    }

    /// The value stored for `key` under `generation`, if any.
    pub fn get(&self, generation: u64, key: &K) -> Option<V> {
        let slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.generation != generation {
            return None;
        }
        slot.map.get(key).cloned()
    }

    /// Store `value` for `key`, computed after reading `generation`. A
    /// value of an older generation than the cache's is dropped; a newer
    /// generation empties the cache first.
    pub fn put(&self, generation: u64, key: K, value: V) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if generation < slot.generation {
            return;
        }
        if generation > slot.generation {
            slot.generation = generation;
            slot.map.clear();
        }
        if slot.map.len() >= self.capacity {
            slot.map.clear();
        }
        slot.map.insert(key, value);
    }

    /// Forget one key (e.g. a session ended by this process).
    pub fn remove(&self, key: &K) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.map.remove(key);
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.slot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map
            .len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The store-side caches a server passes to the cached scoped reads
/// ([`Store::scoped_media_page_cached`], [`Store::scoped_cases_cached`]),
/// all under [`Generation::Data`].
#[derive(Debug)]
pub struct ReadCaches {
    /// Filtered totals, keyed by the resolved SQL condition and arguments.
    pub(crate) totals: GenCache<String, i64>,
    /// Grid items, keyed by (agency, media) (the shown cluster depends on
    /// the agency's visible cases).
    pub(crate) items: GenCache<(i64, String), super::MediaListItem>,
}

impl Default for ReadCaches {
    fn default() -> Self {
        ReadCaches {
            totals: GenCache::new(20_000),
            items: GenCache::new(200_000),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_generation_forgets_everything() {
        let c: GenCache<&str, i32> = GenCache::new(10);
        c.put(1, "a", 1);
        assert_eq!(c.get(1, &"a"), Some(1));
        assert_eq!(c.get(2, &"a"), None);
        c.put(2, "b", 2);
        assert_eq!(c.get(2, &"a"), None);
        assert_eq!(c.get(2, &"b"), Some(2));
        // A value computed under an older generation is not kept.
        c.put(1, "a", 9);
        assert_eq!(c.get(1, &"a"), None);
        assert_eq!(c.get(2, &"a"), None);
        c.remove(&"b");
        assert!(c.is_empty());
    }

    #[test]
    fn capacity_is_bounded() {
        let c: GenCache<u32, u32> = GenCache::new(3);
        for i in 0..10 {
            c.put(0, i, i);
            assert!(c.len() <= 3);
        }
        assert_eq!(c.get(0, &9), Some(9));
    }
}
