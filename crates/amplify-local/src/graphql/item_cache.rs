//! Decoded items, kept by row, so that lists reading the same items again do not decode their JSON again.
//!
//! An entry is used only when the row's stored text is, byte for byte, the text it was decoded from: a change
//! of the item, by this server or by any other writer of the database file, is never missed, and nothing is
//! to invalidate. Every item handed out is still counted, charged and checked against the auth rules and the
//! query by the list, exactly as a freshly decoded one. The cache is bounded by the text it holds and starts
//! over when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::ops::{Item, OpError, decode};

/// How much stored text (bytes) the cache holds before it starts over.
const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

/// One decoded row.
#[derive(Debug)]
struct Entry {
    text: Box<[u8]>,
    item: Arc<Item>,
}

#[derive(Debug, Default)]
struct Entries {
    by_seq: HashMap<i64, Entry>,
    text_bytes: usize,
}

/// Decoded items by row number (`seq`).
#[derive(Debug, Default)]
pub(super) struct ItemCache {
    entries: Mutex<Entries>,
}

impl ItemCache {
    /// The item stored as `text` in row `seq`: the cached one when it was decoded from the same text.
    pub(super) fn decode(&self, seq: i64, text: &[u8]) -> Result<Arc<Item>, OpError> {
        // A panic elsewhere while holding the lock leaves a consistent map: entries are whole or absent.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.by_seq.get(&seq)
            && *entry.text == *text
        {
            return Ok(Arc::clone(&entry.item));
        }
        let item = Arc::new(decode(text)?);
        if entries.text_bytes.saturating_add(text.len()) > MAX_TEXT_BYTES {
            entries.by_seq.clear();
            entries.text_bytes = 0;
        }
        let entry = Entry {
            text: text.into(),
            item: Arc::clone(&item),
        };
        entries.text_bytes += text.len();
        if let Some(old) = entries.by_seq.insert(seq, entry) {
            entries.text_bytes = entries.text_bytes.saturating_sub(old.text.len());
        }
        Ok(item)
    }

    /// Drops the entry of a row that was deleted (a changed row is caught by its text; this only frees memory).
    pub(super) fn forget(&self, seq: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = entries.by_seq.remove(&seq) {
            entries.text_bytes = entries.text_bytes.saturating_sub(old.text.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_the_text_it_was_decoded_from() {
        let cache = ItemCache::default();
        let first = cache.decode(1, br#"{"owner":"alice"}"#).expect("decodes");
        let again = cache.decode(1, br#"{"owner":"alice"}"#).expect("decodes");
        assert!(Arc::ptr_eq(&first, &again));
        // The row changed (here, or by another writer of the file): decoded anew.
        let changed = cache.decode(1, br#"{"owner":"bob"}"#).expect("decodes");
        assert_eq!(changed["owner"], "bob");
        // Another row with the same text is its own entry.
        assert!(!Arc::ptr_eq(
            &changed,
            &cache.decode(2, br#"{"owner":"bob"}"#).expect("decodes")
        ));
        cache.forget(1);
        assert!(!Arc::ptr_eq(
            &changed,
            &cache.decode(1, br#"{"owner":"bob"}"#).expect("decodes")
        ));
        // Text that is not an item is refused, and not kept.
        assert!(cache.decode(3, b"[1]").is_err());
        assert!(cache.decode(3, b"not json").is_err());
        assert!(cache.decode(3, b"{\"owner\":\"\xff\"}").is_err());
    }

    #[test]
    fn the_cache_starts_over_when_full() {
        let cache = ItemCache::default();
        let big = format!(r#"{{"text":"{}"}}"#, "x".repeat(MAX_TEXT_BYTES / 3));
        for seq in 0..10 {
            cache.decode(seq, big.as_bytes()).expect("decodes");
            let held = cache.entries.lock().expect("lock").text_bytes;
            assert!(held <= MAX_TEXT_BYTES, "{held}");
        }
    }
}
