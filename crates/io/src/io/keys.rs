//! The keys an import has seen, each with where its first row was: compact, since a file may
//! hold millions of them.
//!
//! A map of boxed strings costs about 100 bytes a key on a 1 000 000-row file (the table's
//! slots, sized to the next power of two, and one allocation per key) and twice that while the
//! table grows. Here the keys are one string, their ends and positions two vectors, and the
//! table holds only 4-byte indexes: about 50 bytes a key.

use crate::error::Position;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Keys in the order first seen, with the position of that first row.
#[derive(Default)]
pub struct SeenKeys {
    text: String,
    /// `ends[i]`: where key `i` ends in `text` (it starts where key `i - 1` ends).
    ends: Vec<usize>,
    positions: Vec<Position>,
    table: HashTable<u32>,
    hasher: rustc_hash::FxBuildHasher,
}

impl SeenKeys {
    fn hash(&self, key: &str) -> u64 {
        self.hasher.hash_one(key)
    }

    fn key(&self, i: u32) -> &str {
        key_at(&self.text, &self.ends, i)
    }

    /// Where `key` was first seen, if it was.
    pub fn get(&self, key: &str) -> Option<Position> {
        let h = self.hash(key);
        self.table
            .find(h, |&i| self.key(i) == key)
            .map(|&i| self.positions[i as usize])
    }

    /// Records `key`, not seen before (callers ask [`Self::get`] first), as first seen at `at`.
    /// Past `u32::MAX` keys (far beyond any file) a key is no longer recorded.
    pub fn insert(&mut self, key: &str, at: Position) {
        debug_assert!(self.get(key).is_none(), "{key} inserted twice");
        let Ok(i) = u32::try_from(self.ends.len()) else {
            return;
        };
        let h = self.hash(key);
        self.text.push_str(key);
        self.ends.push(self.text.len());
        self.positions.push(at);
        let Self {
            table,
            text,
            ends,
            hasher,
            ..
        } = self;
        // The table may grow and hash the keys again: by their text, as `get` hashes them.
        table.insert_unique(h, i, |&j| hasher.hash_one(key_at(text, ends, j)));
    }

    /// How many keys were seen.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no key was seen.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Key `i` of `text`, which ends at `ends[i]` and starts where key `i - 1` ends.
fn key_at<'a>(text: &'a str, ends: &[usize], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn each_key_answers_with_its_position() {
        let mut k = SeenKeys::default();
        assert!(k.is_empty());
        k.insert("C1", Position::Line(2));
        k.insert("", Position::Line(3));
        assert_eq!(k.get("C1"), Some(Position::Line(2)));
        assert_eq!(k.get(""), Some(Position::Line(3)));
        assert_eq!(k.get("C"), None);
        assert_eq!(k.get("C10"), None);
        assert_eq!(k.len(), 2);
    }

    proptest! {
        /// The same answers as a map of strings, whatever the keys (prefixes of each other,
        /// empty, non-ASCII, repeated) and however the table grows.
        #[test]
        fn answers_as_a_string_map_does(keys in proptest::collection::vec("[a-c金]{0,4}", 0..400)) {
            let mut k = SeenKeys::default();
            let mut m: HashMap<String, Position> = HashMap::new();
            for (line, key) in keys.iter().enumerate() {
                let at = Position::Line(line as u64 + 2);
                let seen = k.get(key);
                prop_assert_eq!(seen, m.get(key.as_str()).copied());
                if seen.is_none() {
                    k.insert(key, at);
                    m.insert(key.clone(), at);
                }
            }
            prop_assert_eq!(k.len(), m.len());
            for (key, at) in &m {
                prop_assert_eq!(k.get(key), Some(*at));
            }
        }
    }
}
