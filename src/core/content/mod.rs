//! The content bundle: the one file the widget fetches, written by
//! `signpost build`, and the safe content tree article bodies become.
//!
//! - [`tree`]: the safe tree ([`Block`], [`Inline`]) and [`plain_text`].
//! - Markdown → tree happens at build time (`signpost::authoring::markdown`,
//!   native only): the widget never converts article bodies, it only reads
//!   them.
//! - [`short`]: [`short_markdown`], the small Markdown subset of flow node
//!   texts → tree, hand-written so the widget can convert them itself.
//! - [`href`]: [`safe_href`] / [`safe_src`], the link and image rule both
//!   converters share.
//! - [`Bundle`]: the bundle, [`Bundle::from_json`] with a clear error for a
//!   bundle of another format version, and [`Bundle::documents`] for search.
//!
//! Every type here that the widget reads is a plain struct or an externally
//! tagged enum: they keep serde's generated code, and the wasm, small.

pub mod decode;
pub mod href;
pub mod short;
pub mod tree;

pub use href::{safe_href, safe_src};
pub use short::short_markdown;
pub use tree::{plain_text, Block, Inline, Table};

use crate::core::article::Article;
use crate::core::flow::Flow;
use crate::core::json::Json;
use crate::core::search::{Document, IndexOptions, Kind, Results};
use serde::Serialize;
use std::fmt;

/// The bundle format this build reads and writes. Bump it when a reader of
/// the previous format would misread a new bundle, or this reader an old
/// one. Format 2: each flow carries its `fingerprint`, computed by
/// `signpost build`, which format 1 left to the widget.
pub const BUNDLE_FORMAT: u32 = 2;

/// Everything the widget needs to help: product facts, articles with
/// safe bodies, flows, and the search settings. `docs/content.md` ("The
/// bundle") describes the wire form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bundle {
    /// Format version; [`BUNDLE_FORMAT`].
    pub format: u32,
    /// SHA-256 (hex) of this bundle's JSON written with `hash` and
    /// `built_at` empty: the same content always has the same hash.
    pub hash: String,
    /// When it was built, RFC 3339 UTC. Not part of the hash.
    pub built_at: String,
    /// The product the content is about.
    pub product: Product,
    /// The default locale of the content, e.g. `en`.
    pub locale: String,
    /// Every locale the content is written in, the default first.
    pub locales: Vec<String>,
    /// Synonym groups for search, e.g. `[["wifi", "wi-fi", "wireless"]]`.
    pub synonyms: Vec<Vec<String>>,
    /// Article and flow ids shown before the user types, in order.
    pub featured: Vec<String>,
    /// A known problem to show above the search, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
    /// Help articles, sorted by id.
    pub articles: Vec<BundleArticle>,
    /// Diagnostic flows (already validated), sorted by id.
    pub flows: Vec<Flow>,
}

/// Facts about the product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// The product's name, e.g. "Lumen".
    pub name: String,
}

/// A known problem the widget shows above everything else.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// One line, e.g. "Camera live view is slow in Europe".
    pub title: String,
    /// Details, as a safe tree.
    pub body: Vec<Block>,
    /// A status page (http or https).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

/// An article as the bundle carries it: the front matter and a safe body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleArticle {
    /// Stable id.
    pub id: String,
    /// Title shown in results and above the body.
    pub title: String,
    /// Author tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Other names users call this by; searched like the title.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Ids of related flows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_flows: Vec<String>,
    /// Content language when not the bundle's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The body as a safe tree.
    pub body: Vec<Block>,
}

impl BundleArticle {
    /// The bundle form of `article`, with its body already converted.
    pub fn new(article: &Article, body: Vec<Block>) -> BundleArticle {
        BundleArticle {
            id: article.id.clone(),
            title: article.title.clone(),
            tags: article.tags.clone(),
            aliases: article.aliases.clone(),
            related_flows: article.related_flows.clone(),
            locale: article.locale.clone(),
            body,
        }
    }
}

/// Why a bundle could not be read. Every message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// The text is not JSON at all (truncated download, an HTML error page).
    NotJson {
        /// What the JSON reader said, with line and column.
        message: String,
    },
    /// JSON, but without a numeric `format` field.
    NoFormat {
        /// What is there instead.
        message: String,
    },
    /// A bundle written for a newer widget.
    Newer {
        /// The bundle's format.
        format: u64,
    },
    /// A bundle format this widget no longer (or never) read.
    Older {
        /// The bundle's format.
        format: u64,
    },
    /// The right format, but a field is wrong.
    Invalid {
        /// The field path, e.g. `articles[3].body[0]`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotJson { message } => {
                write!(f, "the content bundle is not JSON: {message}")
            }
            BundleError::NoFormat { message } => write!(
                f,
                "not a content bundle (no numeric `format` field): {message}"
            ),
            BundleError::Newer { format } => write!(
                f,
                "content bundle format {format} is newer than this widget (reads format {BUNDLE_FORMAT}); rebuild with a matching signpost"
            ),
            BundleError::Older { format } => write!(
                f,
                "content bundle format {format} is not one this widget reads (format {BUNDLE_FORMAT}); rebuild with a matching signpost"
            ),
            BundleError::Invalid { path, message } => {
                write!(f, "content bundle field `{path}`: {message}")
            }
        }
    }
}

impl std::error::Error for BundleError {}

impl Bundle {
    /// Reads a bundle. The `format` is read first: another version gets a
    /// [`BundleError::Newer`] / [`BundleError::Older`] whatever else is in
    /// the file. Other mistakes name the field path.
    ///
    /// This reads with [`crate::core::json`], not serde, because the widget
    /// runs it and must stay small; `signpost build` writes with serde, and
    /// the round-trip tests hold the two together.
    pub fn from_json(text: &str) -> Result<Bundle, BundleError> {
        let value = Json::parse(text).map_err(|e| BundleError::NotJson {
            message: e.to_string(),
        })?;
        match value.get("format") {
            None | Some(Json::Null) => {
                return Err(BundleError::NoFormat {
                    message: "the field is missing".into(),
                })
            }
            Some(Json::Num(f)) if *f >= 0.0 && f.fract() == 0.0 => {
                let f = *f as u64;
                if f > u64::from(BUNDLE_FORMAT) {
                    return Err(BundleError::Newer { format: f });
                }
                if f < u64::from(BUNDLE_FORMAT) {
                    return Err(BundleError::Older { format: f });
                }
            }
            Some(_) => {
                return Err(BundleError::NoFormat {
                    message: "`format` is not a whole number".into(),
                })
            }
        }
        decode::bundle(&value).map_err(|e| BundleError::Invalid {
            path: e.at,
            message: e.message,
        })
    }

    /// The search documents: every flow and article, featured as the
    /// bundle says. Widget and CLI both index these, so they rank alike.
    pub fn documents(&self) -> Vec<Document> {
        let featured = |id: &str| self.featured.iter().any(|f| f == id);
        let flows = self.flows.iter().map(|flow| {
            let mut doc = Document::from(flow);
            doc.featured = featured(&flow.id);
            doc
        });
        let articles = self.articles.iter().map(|a| Document {
            id: a.id.clone(),
            kind: Kind::Article,
            title: a.title.clone(),
            aliases: a.aliases.clone(),
            phrases: Vec::new(),
            tags: a.tags.clone(),
            body: plain_text(&a.body),
            featured: featured(&a.id),
        });
        flows.chain(articles).collect()
    }

    /// Index options carrying the bundle's synonyms and default locale.
    pub fn index_options(&self) -> IndexOptions {
        IndexOptions {
            synonyms: self.synonyms.clone(),
            locale: self.locale.clone(),
            ..IndexOptions::default()
        }
    }

    /// Puts suggestions (what shows before the user types) in the order
    /// `featured` lists them; matches for a real query keep their ranking.
    pub fn order_suggestions(&self, results: &mut Results) {
        if !results.suggested {
            return;
        }
        // Unlisted items (featured in their front matter) follow, by id.
        let place = |id: &str| {
            self.featured
                .iter()
                .position(|f| f == id)
                .unwrap_or(usize::MAX)
        };
        for list in [&mut results.flows, &mut results.articles] {
            crate::core::sort::sort_by(list, |a, b| {
                place(&a.id)
                    .cmp(&place(&b.id))
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
    }

    /// The article with this id.
    pub fn article(&self, id: &str) -> Option<&BundleArticle> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// The flow with this id.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"format":2,"hash":"ab","built_at":"2024-01-01T00:00:00Z","product":{"name":"Lumen"},"locale":"en","articles":[{"id":"a","title":"A","body":[{"p":[{"t":"Hello"}]}]}],"flows":[]}"#;

    #[test]
    fn a_minimal_bundle_reads_and_indexes() {
        let b = Bundle::from_json(MINIMAL).unwrap();
        assert_eq!(b.product.name, "Lumen");
        let docs = b.documents();
        assert_eq!(docs[0].body, "Hello");
        assert!(!docs[0].featured);
    }

    #[test]
    fn another_format_is_named_before_any_field() {
        let e = Bundle::from_json(r#"{"format":3,"articles":"whatever"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "content bundle format 3 is newer than this widget (reads format 2); rebuild with a matching signpost"
        );
        // Format 1 left flow fingerprints to the widget; this one cannot
        // resume sessions without them, so it says to rebuild.
        let e = Bundle::from_json(r#"{"format":1,"flows":[{"id":"x"}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "content bundle format 1 is not one this widget reads (format 2); rebuild with a matching signpost"
        );
        assert!(matches!(
            Bundle::from_json(r#"{"format":0}"#),
            Err(BundleError::Older { format: 0 })
        ));
        assert!(matches!(
            Bundle::from_json(r#"{"flows":[]}"#),
            Err(BundleError::NoFormat { .. })
        ));
        assert!(matches!(
            Bundle::from_json(r#"{"format":"1"}"#),
            Err(BundleError::NoFormat { .. })
        ));
        assert!(matches!(
            Bundle::from_json("<html>502 Bad Gateway</html>"),
            Err(BundleError::NotJson { .. })
        ));
    }

    #[test]
    fn suggestions_follow_the_featured_order_and_matches_keep_their_rank() {
        use crate::core::search::Hit;
        let hit = |id: &str| Hit {
            id: id.into(),
            kind: Kind::Flow,
            score: 0.0,
            title: id.into(),
            title_ranges: Vec::new(),
            excerpt: String::new(),
            excerpt_ranges: Vec::new(),
        };
        let mut b = Bundle::from_json(MINIMAL).unwrap();
        b.featured = vec!["wifi".into(), "app".into()];
        let mut r = Results {
            flows: vec![hit("zz"), hit("app"), hit("wifi"), hit("aa")],
            articles: Vec::new(),
            suggested: true,
        };
        b.order_suggestions(&mut r);
        let ids: Vec<&str> = r.flows.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["wifi", "app", "aa", "zz"]);
        r.suggested = false;
        r.flows.reverse();
        b.order_suggestions(&mut r);
        let ids: Vec<&str> = r.flows.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["zz", "aa", "app", "wifi"],
            "a ranked list is left alone"
        );
    }

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        let bad = MINIMAL.replace(r#"{"t":"Hello"}"#, r#"{"script":"x"}"#);
        let e = Bundle::from_json(&bad).unwrap_err();
        match &e {
            BundleError::Invalid { path, message } => {
                assert_eq!(path, "articles[0].body[0].p[0]", "{e}");
                assert!(message.contains("unknown variant `script`"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}
