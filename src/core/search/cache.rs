//! Reuse between keystrokes.
//!
//! Typing "cant conect camra" issues a query per keystroke; every query
//! repeats the words before the one being typed. The cache keeps each word's
//! expansion (the typo and prefix work, the costly part) and the scoring
//! buffers, so a keystroke costs roughly one new word plus the BM25F sums.

use super::fuzzy::Expansion;
use super::index::Index;

/// Most cached word expansions before the cache is cleared; a session types
/// far fewer distinct words, so this only bounds memory and the look-up (a
/// scan: a map type of its own cost the widget more than a kilobyte).
const MAX_WORDS: usize = 256;

/// Per-panel search state. Create one per search box and pass it to
/// [`Index::search_cached`]. It notices when it is used with another index
/// and starts over.
#[derive(Debug, Default, Clone)]
pub struct QueryCache {
    stamp: u64,
    /// `(word, typing, expansion)`, most recent last.
    words: Vec<(String, bool, Vec<Expansion>)>,
    /// Scoring buffers sized to the index, reused across queries.
    pub(crate) acc: Vec<f32>,
    pub(crate) best: Vec<f32>,
    pub(crate) covered: Vec<f32>,
    pub(crate) touched: Vec<u32>,
    hits: u64,
    misses: u64,
}

impl QueryCache {
    /// Readies the cache for `index`, dropping state from any other index.
    pub(crate) fn attach(&mut self, index: &Index) {
        if self.stamp != index.stamp || self.acc.len() != index.len() {
            self.words.clear();
            self.stamp = index.stamp;
            self.acc = vec![0.0; index.len()];
            self.best = vec![0.0; index.len()];
            self.covered = vec![0.0; index.len()];
            self.touched.clear();
        }
    }

    /// The expansion of `word`, computed once per (word, typing) pair.
    pub(crate) fn expand(&mut self, index: &Index, word: &str, typing: bool) -> Vec<Expansion> {
        let found = self
            .words
            .iter()
            .rev()
            .find(|(w, t, _)| *t == typing && w == word);
        if let Some((_, _, e)) = found {
            self.hits += 1;
            return e.clone();
        }
        self.misses += 1;
        let e = index.expand_word(word, typing);
        if self.words.len() >= MAX_WORDS {
            self.words.clear();
        }
        self.words.push((word.to_string(), typing, e.clone()));
        e
    }

    /// `(hits, misses)` of the word-expansion cache, for diagnostics.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::{Document, IndexOptions, Kind, SearchOptions};

    #[test]
    fn typing_a_query_reuses_earlier_words() {
        let index = Index::build(
            vec![Document::new(
                "a",
                Kind::Article,
                "Connect the camera to wifi",
            )],
            &IndexOptions::default(),
        );
        let mut cache = QueryCache::default();
        let opts = SearchOptions::default();
        let mut typed = String::new();
        for c in "conect camra wifi".chars() {
            typed.push(c);
            index.search_cached(&mut cache, &typed, &opts);
        }
        let (hits, _) = cache.stats();
        assert!(hits > 0, "earlier words were recomputed");
        let results = index.search_cached(&mut cache, &typed, &opts);
        assert_eq!(results.articles[0].id, "a");
    }

    #[test]
    fn a_cache_follows_the_index_it_is_used_with() {
        let a = Index::build(
            vec![Document::new("a", Kind::Article, "Camera setup")],
            &IndexOptions::default(),
        );
        let b = Index::build(
            vec![
                Document::new("x", Kind::Article, "Printer setup"),
                Document::new("y", Kind::Article, "Camera pairing"),
            ],
            &IndexOptions::default(),
        );
        let mut cache = QueryCache::default();
        let opts = SearchOptions::default();
        assert_eq!(
            a.search_cached(&mut cache, "camera", &opts).articles[0].id,
            "a"
        );
        assert_eq!(
            b.search_cached(&mut cache, "camera", &opts).articles[0].id,
            "y"
        );
    }
}
