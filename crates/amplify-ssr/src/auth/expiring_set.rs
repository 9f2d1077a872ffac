//! A set whose entries expire, with a hard cap on its size: the shape of every "refused here for a while" list
//! (sign-out tombstones of refresh tokens, revoked sessions).
//!
//! Expired entries are swept on every insert, in expiry order, so the set never holds more than the live entries
//! and never more than its capacity. When it is full of live entries, the entry that would expire first makes
//! room (it has the least protection left to give); a new entry that would expire before all of them is not
//! added. Every operation is `O(log n)` (amortised for the sweep), and time is always passed in, so callers and
//! tests control the clock.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// A bounded set of keys, each remembered until its own expiry time `T` (an `Instant`, Unix seconds, ...).
#[derive(Debug)]
pub(crate) struct ExpiringSet<K, T> {
    capacity: usize,
    expiries: HashMap<K, T>,
    /// The same entries ordered by expiry, for the sweep and for eviction.
    by_expiry: BTreeSet<(T, K)>,
}

impl<K, T> ExpiringSet<K, T>
where
    K: Copy + Eq + Hash + Ord,
    T: Copy + Ord,
{
    /// An empty set holding at most `capacity` entries (`0` remembers nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            expiries: HashMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// Remembers `key` until `expires_at` (a key already present keeps the later of its two expiries). Sweeps
    /// what has expired by `now` first; an entry that is already expired is not added.
    pub(crate) fn insert(&mut self, key: K, expires_at: T, now: T) {
        self.sweep(now);
        if expires_at <= now {
            return;
        }
        match self.expiries.get(&key).copied() {
            Some(current) if current >= expires_at => return,
            Some(current) => {
                self.by_expiry.remove(&(current, key));
            }
            None if self.expiries.len() >= self.capacity => {
                match self.by_expiry.first().copied() {
                    Some((soonest, victim)) if soonest < expires_at => {
                        self.by_expiry.remove(&(soonest, victim));
                        self.expiries.remove(&victim);
                    }
                    // Full of entries that all outlive this one (or capacity 0): it is the one to drop.
                    _ => return,
                }
            }
            None => {}
        }
        self.expiries.insert(key, expires_at);
        self.by_expiry.insert((expires_at, key));
    }

    /// Whether `key` is remembered and not yet expired at `now`.
    pub(crate) fn contains(&self, key: &K, now: T) -> bool {
        self.expiries
            .get(key)
            .is_some_and(|expires_at| *expires_at > now)
    }

    /// Forgets every entry that has expired by `now`.
    fn sweep(&mut self, now: T) {
        while let Some((expires_at, key)) = self.by_expiry.first().copied()
            && expires_at <= now
        {
            self.by_expiry.remove(&(expires_at, key));
            self.expiries.remove(&key);
        }
    }

    /// The number of entries held (live ones, plus expired ones not yet swept).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.expiries.len()
    }

    /// Whether the set holds nothing at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.expiries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::ExpiringSet;

    #[test]
    fn entries_live_until_their_expiry() {
        let mut set = ExpiringSet::new(10);
        set.insert(1u32, 100i64, 0);
        assert!(set.contains(&1, 0));
        assert!(set.contains(&1, 99));
        assert!(!set.contains(&1, 100), "expired at its expiry time");
        assert!(!set.contains(&2, 0));
    }

    #[test]
    fn a_repeated_key_keeps_its_later_expiry() {
        let mut set = ExpiringSet::new(10);
        set.insert(1u32, 100i64, 0);
        set.insert(1, 50, 0);
        assert!(set.contains(&1, 75));
        set.insert(1, 200, 0);
        assert!(set.contains(&1, 150));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn inserting_sweeps_expired_entries() {
        let mut set = ExpiringSet::new(10);
        for key in 0..5u32 {
            set.insert(key, 10 + i64::from(key), 0);
        }
        assert_eq!(set.len(), 5);
        set.insert(99, 1_000, 12);
        // Keys 0, 1 and 2 expired at 10, 11 and 12.
        assert_eq!(set.len(), 3);
        assert!(!set.contains(&0, 0), "swept, not just hidden");
        assert!(set.contains(&3, 12));
    }

    #[test]
    fn already_expired_entries_are_not_added() {
        let mut set = ExpiringSet::new(10);
        set.insert(1u32, 5i64, 5);
        set.insert(2, 4, 5);
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn when_full_the_entry_expiring_first_makes_room() {
        let mut set = ExpiringSet::new(3);
        set.insert(1u32, 30i64, 0);
        set.insert(2, 10, 0);
        set.insert(3, 20, 0);
        set.insert(4, 40, 0);
        assert_eq!(set.len(), 3);
        assert!(!set.contains(&2, 0), "the soonest to expire was evicted");
        assert!(set.contains(&1, 0) && set.contains(&3, 0) && set.contains(&4, 0));
        // An entry that would expire before every live one is the one dropped.
        set.insert(5, 15, 0);
        assert!(!set.contains(&5, 0));
        assert!(set.contains(&3, 0));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn capacity_zero_remembers_nothing() {
        let mut set = ExpiringSet::new(0);
        set.insert(1u32, 10i64, 0);
        assert!(!set.contains(&1, 0));
        assert_eq!(set.len(), 0);
    }

    /// The size stays at the cap however many live entries arrive (no clock involved: nothing expires here, and
    /// every newcomer outlives the entries held, so each insert evicts one).
    #[test]
    fn a_million_inserts_never_grow_past_the_cap() {
        let cap = 1_000;
        let mut set = ExpiringSet::new(cap);
        for key in 0..1_000_000u64 {
            set.insert(key, key + 1, 0);
            assert!(set.len() <= cap);
        }
        assert!(set.contains(&999_999, 0) && !set.contains(&0, 0));
        assert_eq!(set.len(), cap);
        assert_eq!(set.by_expiry.len(), cap, "both indexes stay in step");
    }
}
