//! In-browser search over guided fixes (flows) and help articles.
//!
//! Pure Rust, shared by the widget (wasm) and the `signpost` CLI.
//!
//! ```
//! use signpost::core::search::{Document, Index, IndexOptions, Kind, QueryCache, SearchOptions};
//!
//! let docs = vec![Document::new("reset-password", Kind::Article, "Reset your password")
//!     .with_body("Open Settings, then Security, and choose Reset.")];
//! let index = Index::build(docs, &IndexOptions::default());
//! let mut cache = QueryCache::default();
//! let results = index.search_cached(&mut cache, "pasword reset", &SearchOptions::default());
//! assert_eq!(results.articles[0].id, "reset-password");
//! ```
//!
//! How it works, in order:
//! 1. [`normalize`]: case and diacritic folding, word splitting, stop words,
//!    Porter stemming; the same code runs on content and on queries.
//! 2. [`index`]: an inverted index over the fields of each [`Document`]
//!    (title, aliases, phrases, tags, body), plus a surface-word vocabulary
//!    for typo tolerance and the authors' synonym groups.
//! 3. [`fuzzy`]: each query word is expanded to index terms: exact stem,
//!    vocabulary words one edit away (Damerau-Levenshtein), and, for the word
//!    being typed, words it is a prefix or subsequence of. Expansions are
//!    down-weighted.
//! 4. [`rank`]: BM25F over the expanded query, a relevance cut-off, grouping
//!    into guided fixes and articles.
//! 5. [`highlight`]: match ranges in the title and a short body excerpt.

pub mod cache;
pub mod eval;
pub mod fuzzy;
pub mod highlight;
pub mod index;
pub mod lexicon;
pub mod normalize;
pub mod rank;
pub mod typos;

pub use cache::QueryCache;
pub use index::{Index, IndexOptions};
pub use rank::{FieldWeights, RankParams};

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What a search result leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A guided fix: a diagnostic flow.
    Flow,
    /// A help article.
    Article,
}

impl Kind {
    /// The wire name, as serde writes it: `flow` or `article`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Flow => "flow",
            Kind::Article => "article",
        }
    }
}

/// One searchable item, neutral over flows and articles.
///
/// All text is plain text: strip Markdown before building a document
/// (see [`crate::core::article::Article::to_document`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id, returned in results.
    pub id: String,
    /// Flow or article.
    pub kind: Kind,
    /// Title shown in results.
    pub title: String,
    /// Other names for this item ("FB", "2FA"), weighted like the title.
    pub aliases: Vec<String>,
    /// Phrases a flow answers ("camera won't connect to wifi").
    pub phrases: Vec<String>,
    /// Author tags.
    pub tags: Vec<String>,
    /// Plain-text body (an article's text, a flow's description).
    pub body: String,
    /// Shown for empty and one-letter queries.
    pub featured: bool,
}

impl Document {
    /// A document with a title and every other field empty.
    pub fn new(id: impl Into<String>, kind: Kind, title: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            kind,
            title: title.into(),
            aliases: Vec::new(),
            phrases: Vec::new(),
            tags: Vec::new(),
            body: String::new(),
            featured: false,
        }
    }

    /// Sets the plain-text body.
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

/// A flow is searched by its title, the phrases it answers (weighted like
/// names), its tags, and its description (as the body). Translated titles
/// count as aliases and translated phrases as phrases, so a German user
/// typing German finds the flow too.
impl From<&crate::core::flow::Flow> for Document {
    fn from(flow: &crate::core::flow::Flow) -> Document {
        let translated = flow.translations.values();
        Document {
            id: flow.id.clone(),
            kind: Kind::Flow,
            title: flow.title.clone(),
            aliases: translated.clone().filter_map(|t| t.title.clone()).collect(),
            phrases: flow
                .phrases
                .iter()
                .chain(translated.flat_map(|t| t.phrases.iter()))
                .cloned()
                .collect(),
            tags: flow.tags.clone(),
            body: flow.description.clone(),
            featured: false,
        }
    }
}

/// Options for one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchOptions {
    /// Most results per group (guided fixes, articles). Default 5.
    pub limit: usize,
    /// Treat the last word as still being typed when the query does not end
    /// in a space or punctuation, and match it as a prefix. Default true.
    pub prefix_last: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 5,
            prefix_last: true,
        }
    }
}

/// One result, ready to display and highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Document id.
    pub id: String,
    /// Flow or article.
    pub kind: Kind,
    /// BM25F relevance; only comparable within one query. 0 for suggestions.
    pub score: f32,
    /// The document title.
    pub title: String,
    /// Matched words in `title`, as UTF-8 **byte** ranges into `title`,
    /// sorted, non-overlapping, on char boundaries.
    pub title_ranges: Vec<Range<usize>>,
    /// A short plain-text excerpt of the body around the best match, with
    /// "…" where it was cut. Empty when the body is empty.
    pub excerpt: String,
    /// Matched words in `excerpt`, as UTF-8 **byte** ranges into `excerpt`.
    pub excerpt_ranges: Vec<Range<usize>>,
}

/// Results of one query, grouped as the panel shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Guided fixes, best first.
    pub flows: Vec<Hit>,
    /// Help articles, best first.
    pub articles: Vec<Hit>,
    /// True when the query was too short to search (empty or one letter) and
    /// these are featured items instead of matches.
    pub suggested: bool,
}

impl Results {
    /// Flows and articles merged into one list by score, best first (the
    /// order `signpost eval` measures). Suggestions keep flows first.
    pub fn ranked(&self) -> Vec<&Hit> {
        let mut all: Vec<&Hit> = self.flows.iter().chain(self.articles.iter()).collect();
        if !self.suggested {
            all.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        all
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty() && self.articles.is_empty()
    }
}
