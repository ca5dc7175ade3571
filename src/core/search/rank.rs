//! BM25F ranking, the relevance cut-off, grouping and featured suggestions.
//!
//! For a query word expanded to terms `t` with weights `w_t` (see
//! [`super::fuzzy`]), a document `d` scores
//!
//! ```text
//! word(d) = max over t of  w_t · idf(t) · tf~ / (k1 + tf~)
//! tf~     = Σ over fields f of  tf(t, d, f) · weight_f / (1 - b_f + b_f · len(d, f) / avg_len_f)
//! score   = Σ over query words of word(d)
//! ```
//!
//! Taking the best alternative per word (not the sum) keeps a word with many
//! completions or near-spellings from outweighing a word matched exactly.

use super::cache::QueryCache;
use super::fuzzy::Expansion;
use super::index::{find_synonyms, synonym_term, Index, FIELD_COUNT};
use super::normalize::{self, Token};
use super::{Hit, Kind, Results, SearchOptions};
use crate::core::sort;
use serde::{Deserialize, Serialize};

/// Weight and length normalisation of one field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldWeight {
    /// How much one occurrence in this field counts, relative to one in the
    /// body at 1.0. 0 ignores the field; 3 makes a title word count like
    /// three body occurrences. Clamped to [0, 10].
    pub weight: f32,
    /// BM25 `b`: how much a long field is penalised. 0 means length does not
    /// matter (a word in a long title counts as much as in a short one);
    /// 1 means occurrences are divided by the field's length relative to the
    /// average. Clamped to [0, 1].
    pub length_norm: f32,
}

/// Per-field weights. The defaults favour what an author wrote to name the
/// item (title, aliases, phrases) over what explains it (body).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FieldWeights {
    /// Title: the item's name. Default weight 5.0, b 0.4.
    pub title: FieldWeight,
    /// Aliases: other names authors give ("FB", "2FA"). Default 4.0, b 0.2.
    pub aliases: FieldWeight,
    /// Phrases a flow answers: written like user queries. Default 2.5, b 0.4.
    pub phrases: FieldWeight,
    /// Tags: broad topics, weaker than a name. Default 1.5, b 0.2.
    pub tags: FieldWeight,
    /// Body: article text, flow description. Default 1.0, b 1.0: the
    /// occurrences are divided by the body's length relative to the
    /// average, so a long article does not win by length, and with `k1`
    /// 2.0 a body that repeats the query's words can beat a generic title
    /// overlap (measured in `docs/search.md`).
    pub body: FieldWeight,
}

impl Default for FieldWeights {
    fn default() -> Self {
        let fw = |weight, length_norm| FieldWeight {
            weight,
            length_norm,
        };
        FieldWeights {
            title: fw(5.0, 0.4),
            aliases: fw(4.0, 0.2),
            phrases: fw(2.5, 0.4),
            tags: fw(1.5, 0.2),
            body: fw(1.0, 1.0),
        }
    }
}

impl FieldWeights {
    fn all(&self) -> [FieldWeight; FIELD_COUNT] {
        [self.title, self.aliases, self.phrases, self.tags, self.body]
    }

    /// Field weights in [`super::index::Field`] order, clamped to [0, 10].
    pub fn weights(&self) -> [f32; FIELD_COUNT] {
        self.all().map(|f| clamp(f.weight, 0.0, 10.0))
    }

    /// BM25 `b` per field in [`super::index::Field`] order, clamped to [0, 1].
    pub fn length_norms(&self) -> [f32; FIELD_COUNT] {
        self.all().map(|f| clamp(f.length_norm, 0.0, 1.0))
    }
}

fn clamp(v: f32, lo: f32, hi: f32) -> f32 {
    // NaN from a bad config falls back to the low end rather than poisoning scores.
    if v.is_nan() {
        lo
    } else {
        v.clamp(lo, hi)
    }
}

/// Ranking parameters. Every weight on an alternative spelling is a
/// multiplier in [0, 1] on that term's score: 1 counts it like the word
/// typed, 0 turns the feature off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankParams {
    /// Field weights and length normalisation.
    pub fields: FieldWeights,
    /// BM25 `k1`: how fast repeated occurrences stop adding score. Near 0,
    /// one occurrence is as good as many; 2 keeps rewarding repeats.
    /// Default 2.0 (the textbook 1.2 let one title word outweigh a body
    /// full of the query's words). Clamped to [0.1, 3].
    pub k1: f32,
    /// A vocabulary word one edit away from a query word that is not in the
    /// index (a probable typo). Default 0.85. Clamped to [0, 1].
    pub fuzzy_weight: f32,
    /// A vocabulary word one edit away from a query word that is itself in
    /// the index (perhaps a typo into another word). Default 0.2. Clamped to [0, 1].
    pub fuzzy_weight_known: f32,
    /// A vocabulary word further away than one edit from a query word the
    /// content does not contain: two slips in a word of 8 or more letters,
    /// or one slip and a neighbouring key in a word of 5 to 7. A multiplier
    /// on `fuzzy_weight`. Default 0.7. Clamped to [0, 1].
    pub fuzzy_weight_far: f32,
    /// A completion of the word being typed, scaled by `sqrt(typed/full)`
    /// chars. Default 0.8. Clamped to [0, 1].
    pub prefix_weight: f32,
    /// A word the typed word is a subsequence of, when nothing else
    /// matched it. Default 0.4. Clamped to [0, 1].
    pub subsequence_weight: f32,
    /// A synonym group matched through another member. Default 0.9.
    /// Clamped to [0, 1].
    pub synonym_weight: f32,
    /// Two adjacent query words written as one ("git hub" → "github").
    /// Default 1.0. Clamped to [0, 1].
    pub compound_weight: f32,
    /// Coordination: how much matching more of the query's words (weighted
    /// by rarity) counts beyond the BM25F sum. 0 is plain BM25F; 1 scales a
    /// document matching half the query's weight down by half.
    /// Default 0: on StackFAQ it did not help. Clamped to [0, 1].
    pub coordination: f32,
    /// Cut-off: a result's score must be at least this share of the best
    /// result's. 0 keeps everything that matched. Default 0.15. Clamped to [0, 1].
    pub min_relative: f32,
    /// Cut-off: the best result must reach this share of the score a
    /// document matching every known query word would get at full
    /// saturation; below it the query is noise and nothing is returned.
    /// Default 0.1. Clamped to [0, 1].
    pub min_coverage: f32,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            fields: FieldWeights::default(),
            k1: 2.0,
            fuzzy_weight: 0.85,
            fuzzy_weight_known: 0.2,
            fuzzy_weight_far: 0.7,
            prefix_weight: 0.8,
            subsequence_weight: 0.4,
            synonym_weight: 0.9,
            compound_weight: 1.0,
            coordination: 0.0,
            min_relative: 0.15,
            min_coverage: 0.1,
        }
    }
}

impl RankParams {
    /// This set of parameters with every value clamped to its documented range.
    pub fn clamped(&self) -> RankParams {
        let u = |v| clamp(v, 0.0, 1.0);
        RankParams {
            fields: self.fields,
            k1: clamp(self.k1, 0.1, 3.0),
            fuzzy_weight: u(self.fuzzy_weight),
            fuzzy_weight_known: u(self.fuzzy_weight_known),
            fuzzy_weight_far: u(self.fuzzy_weight_far),
            prefix_weight: u(self.prefix_weight),
            subsequence_weight: u(self.subsequence_weight),
            synonym_weight: u(self.synonym_weight),
            compound_weight: u(self.compound_weight),
            coordination: u(self.coordination),
            min_relative: u(self.min_relative),
            min_coverage: u(self.min_coverage),
        }
    }
}

/// Query words searched at most; the rest of a pasted wall of text is
/// ignored so one query cannot cost more than a few milliseconds.
const MAX_QUERY_WORDS: usize = 32;

/// One query word (or synonym, or compound) and its weighted alternatives.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) expansions: Vec<Expansion>,
}

impl Index {
    /// Searches without keeping state between calls. For a search box, keep
    /// a [`QueryCache`] and call [`Index::search_cached`] instead.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Results {
        self.search_cached(&mut QueryCache::default(), query, options)
    }

    /// Searches, reusing work from earlier queries in `cache`.
    ///
    /// A query with nothing to search (empty, one letter, only stop words)
    /// returns the featured items with `suggested` set.
    pub fn search_cached(
        &self,
        cache: &mut QueryCache,
        query: &str,
        options: &SearchOptions,
    ) -> Results {
        let tokens = normalize::tokenize(query, self.analyzer);
        match self.prepare(cache, query, &tokens, options) {
            None => self.suggestions(options.limit),
            Some(groups) => {
                let ranked = self.score(cache, &groups);
                self.collect(&ranked, &groups, options.limit)
            }
        }
    }

    /// Every matching document after the cut-off, best first, as
    /// `(id, kind, score)`, without excerpts or highlights (for evaluation
    /// and tools). `None` when the query has nothing to search.
    pub fn rank(
        &self,
        cache: &mut QueryCache,
        query: &str,
        options: &SearchOptions,
    ) -> Option<Vec<(&str, Kind, f32)>> {
        let tokens = normalize::tokenize(query, self.analyzer);
        let groups = self.prepare(cache, query, &tokens, options)?;
        let ranked = self.score(cache, &groups);
        Some(
            ranked
                .into_iter()
                .map(|(d, s)| {
                    let m = &self.docs[d as usize];
                    (m.id.as_str(), m.kind, s)
                })
                .collect(),
        )
    }

    /// The query plan, or `None` when there is nothing to search.
    fn prepare(
        &self,
        cache: &mut QueryCache,
        query: &str,
        tokens: &[Token],
        options: &SearchOptions,
    ) -> Option<Vec<Group>> {
        cache.attach(self);
        let letters = query
            .chars()
            .filter(|c| c.is_alphanumeric())
            .take(2)
            .count();
        if letters < 2 {
            return None;
        }
        let typing = options.prefix_last && query.chars().last().is_some_and(char::is_alphanumeric);
        let groups = self.plan(cache, tokens, typing);
        (!groups.is_empty()).then_some(groups)
    }

    /// Turns query tokens into groups of weighted index terms.
    pub(crate) fn plan(
        &self,
        cache: &mut QueryCache,
        tokens: &[Token],
        typing: bool,
    ) -> Vec<Group> {
        let p = self.params.clamped();
        // Tokens past a few times the word cap cannot add groups; skip them.
        let tokens = &tokens[..tokens.len().min(4 * MAX_QUERY_WORDS)];
        let last_plain = tokens.iter().rposition(|t| !t.joined);
        let mut groups: Vec<Group> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        // The group each token's word went into, if any.
        let mut group_of: Vec<usize> = vec![usize::MAX; tokens.len()];
        for (i, t) in tokens.iter().enumerate() {
            if groups.len() >= MAX_QUERY_WORDS {
                break;
            }
            let is_typed = typing && Some(i) == last_plain;
            if (t.stop && !is_typed) || seen.contains(&t.word.as_str()) {
                continue;
            }
            seen.push(&t.word);
            let mut expansions = cache.expand(self, &t.word, is_typed);
            for e in &mut expansions {
                e.weight = e.weight.min(1.0);
            }
            if !expansions.is_empty() || !t.stop {
                group_of[i] = groups.len();
                groups.push(Group { expansions });
            }
        }
        // Words split by a space that the content writes as one ("git hub").
        let plain: Vec<&Token> = tokens.iter().filter(|t| !t.joined && !t.stop).collect();
        for pair in plain.windows(2) {
            let joined = format!("{}{}", pair[0].word, pair[1].word);
            if seen.contains(&joined.as_str()) {
                continue;
            }
            if let Some(term) = self.term_id(&self.analyzer.stem(&joined)) {
                groups.push(Group {
                    expansions: vec![Expansion {
                        term,
                        weight: p.compound_weight,
                    }],
                });
            }
        }
        let mut synonym_groups: Vec<u32> = Vec::new();
        for (g, first, last) in find_synonyms(&self.synonyms, tokens) {
            if synonym_groups.contains(&g) {
                continue;
            }
            synonym_groups.push(g);
            if let Some(term) = self.term_id(&synonym_term(g)) {
                let e = Expansion {
                    term,
                    weight: p.synonym_weight,
                };
                // A one-word member is another spelling of that word: the
                // best of the two counts, not both, so a document that has
                // the word typed is not rewarded twice. A phrase ("stop
                // being friends") stands for all its words: a group of its own.
                match groups.get_mut(group_of[first]) {
                    Some(word) if first == last => word.expansions.push(e),
                    _ => groups.push(Group {
                        expansions: vec![e],
                    }),
                }
            }
        }
        groups
    }

    /// BM25F scores of every matching document, best first, after the
    /// relevance cut-off.
    fn score(&self, cache: &mut QueryCache, groups: &[Group]) -> Vec<(u32, f32)> {
        let p = self.params.clamped();
        let k1 = p.k1;
        let QueryCache {
            acc,
            best,
            covered,
            touched,
            ..
        } = cache;
        touched.clear();
        let mut ideal = 0.0f32;
        let mut group_touched: Vec<u32> = Vec::new();
        for g in groups {
            let mut g_ideal = 0.0f32;
            for e in &g.expansions {
                let idf = self.idf(self.df(e.term));
                let w = e.weight * idf;
                g_ideal = g_ideal.max(w);
                for post in self.postings_of(e.term) {
                    let d = post.doc as usize;
                    let norm = &self.field_norm[d];
                    let tf: f32 = post
                        .tf
                        .iter()
                        .zip(norm)
                        .map(|(&n, w)| f32::from(n) * w)
                        .sum();
                    if tf <= 0.0 {
                        continue;
                    }
                    let s = w * tf / (k1 + tf);
                    if best[d] == 0.0 {
                        group_touched.push(post.doc);
                    }
                    if s > best[d] {
                        best[d] = s;
                    }
                }
            }
            // A word the content does not know at all still counts against
            // the query ("lorem ipsum dolor" should not match on "color").
            if g.expansions.is_empty() {
                g_ideal = self.idf(0);
            }
            ideal += g_ideal;
            for &d in &group_touched {
                let d = d as usize;
                if acc[d] == 0.0 {
                    touched.push(d as u32);
                }
                acc[d] += best[d];
                covered[d] += g_ideal;
                best[d] = 0.0;
            }
            group_touched.clear();
        }
        let c = p.coordination;
        let mut ranked: Vec<(u32, f32)> = touched
            .iter()
            .map(|&d| {
                let d = d as usize;
                let share = if ideal > 0.0 { covered[d] / ideal } else { 1.0 };
                (d as u32, acc[d] * (1.0 - c + c * share))
            })
            .collect();
        for &d in touched.iter() {
            acc[d as usize] = 0.0;
            covered[d as usize] = 0.0;
        }
        sort::sort_by(&mut ranked, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(_, top)) = ranked.first() else {
            return ranked;
        };
        if top < p.min_coverage * ideal {
            return Vec::new();
        }
        let floor = top * p.min_relative;
        ranked.retain(|&(_, s)| s >= floor);
        ranked
    }

    fn collect(&self, ranked: &[(u32, f32)], groups: &[Group], limit: usize) -> Results {
        let mut results = Results::default();
        let highlighter = self.highlighter(groups);
        for &(d, score) in ranked {
            let meta = &self.docs[d as usize];
            let list = match meta.kind {
                Kind::Flow => &mut results.flows,
                Kind::Article => &mut results.articles,
            };
            if list.len() >= limit {
                if results.flows.len() >= limit && results.articles.len() >= limit {
                    break;
                }
                continue;
            }
            list.push(highlighter.hit(meta, score));
        }
        results
    }

    /// Featured items for a query with nothing to search, flows first, in
    /// content order. Without featured content: the first items, flows first.
    fn suggestions(&self, limit: usize) -> Results {
        let any_featured = self.docs.iter().any(|d| d.featured);
        let mut results = Results {
            suggested: true,
            ..Results::default()
        };
        for meta in self.docs.iter().filter(|d| d.featured || !any_featured) {
            let list = match meta.kind {
                Kind::Flow => &mut results.flows,
                Kind::Article => &mut results.articles,
            };
            if list.len() < limit {
                list.push(Hit {
                    id: meta.id.clone(),
                    kind: meta.kind,
                    score: 0.0,
                    title: meta.title.clone(),
                    title_ranges: Vec::new(),
                    excerpt: super::highlight::lead_excerpt(&meta.body),
                    excerpt_ranges: Vec::new(),
                });
            }
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::{Document, IndexOptions};

    fn corpus() -> Vec<Document> {
        let mut flow = Document::new("wifi-camera", Kind::Flow, "Camera will not join Wi-Fi");
        flow.phrases = vec![
            "camera can't connect to wifi".into(),
            "camera offline".into(),
        ];
        flow.body = "Checks the band, the password and the signal.".into();
        let mut delete = Document::new("delete-account", Kind::Article, "Delete your account")
            .with_body(
                "Go to Settings, Account, and choose Delete. Your data is removed after 30 days.",
            );
        delete.aliases = vec!["close account".into()];
        delete.featured = true;
        let password = Document::new(
            "reset-password",
            Kind::Article,
            "Reset a forgotten password",
        )
        .with_body("Use the reset link on the sign-in page. The link expires after one hour and its color fades.");
        let twofa = Document::new(
            "two-factor",
            Kind::Article,
            "Turn on two-factor authentication",
        )
        .with_body("Open Security settings and scan the code with an authenticator app.");
        vec![flow, delete, password, twofa]
    }

    fn index() -> Index {
        let options = IndexOptions {
            synonyms: vec![vec!["2FA".into(), "two-factor".into()]],
            ..Default::default()
        };
        Index::build(corpus(), &options)
    }

    fn ids(r: &Results) -> Vec<&str> {
        r.ranked().iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn results_are_grouped_into_guided_fixes_and_articles() {
        let r = index().search("camera wifi password", &SearchOptions::default());
        assert_eq!(r.flows.len(), 1);
        assert_eq!(r.flows[0].id, "wifi-camera");
        assert!(r.articles.iter().all(|h| h.kind == Kind::Article));
        assert_eq!(ids(&r)[0], "wifi-camera");
    }

    #[test]
    fn misspelled_queries_find_the_right_item() {
        let r = index().search("cant conect camra to wify", &SearchOptions::default());
        assert_eq!(ids(&r)[0], "wifi-camera");
        let r = index().search("forgoten pasword", &SearchOptions::default());
        assert_eq!(ids(&r)[0], "reset-password");
    }

    #[test]
    fn nonsense_returns_nothing() {
        for q in ["xqzv blrpt", "qwertyuiop", "zzzz", "lorem ipsum dolor"] {
            let r = index().search(q, &SearchOptions::default());
            assert!(r.is_empty() && !r.suggested, "{q:?} returned {:?}", ids(&r));
        }
    }

    #[test]
    fn weak_partial_matches_are_cut_off() {
        let r = index().search("delete account", &SearchOptions::default());
        assert_eq!(ids(&r), ["delete-account"]);
    }

    #[test]
    fn empty_and_one_letter_queries_show_featured_items() {
        for q in ["", " ", "d", "how do i"] {
            let r = index().search(q, &SearchOptions::default());
            assert!(r.suggested, "{q:?}");
            assert_eq!(ids(&r), ["delete-account"], "{q:?}");
        }
    }

    #[test]
    fn the_word_being_typed_matches_as_prefix_only_while_typing() {
        let idx = index();
        let r = idx.search("reset pass", &SearchOptions::default());
        assert_eq!(ids(&r)[0], "reset-password");
        let r = idx.search("forgot", &SearchOptions::default());
        assert_eq!(ids(&r)[0], "reset-password");
    }

    #[test]
    fn synonyms_and_aliases_declared_in_content_match() {
        let idx = index();
        assert_eq!(
            ids(&idx.search("2FA", &SearchOptions::default()))[0],
            "two-factor"
        );
        assert_eq!(
            ids(&idx.search("close my account", &SearchOptions::default()))[0],
            "delete-account"
        );
    }

    #[test]
    fn a_limit_applies_to_each_group() {
        let r = index().search(
            "the",
            &SearchOptions {
                limit: 1,
                prefix_last: true,
            },
        );
        assert!(r.flows.len() <= 1 && r.articles.len() <= 1);
    }

    #[test]
    fn a_pasted_wall_of_text_is_bounded() {
        let idx = index();
        let mut q = String::from("reset password ");
        for i in 0..5000 {
            q.push_str(&format!("word{i} "));
        }
        let mut cache = QueryCache::default();
        let tokens = normalize::tokenize(&q, idx.analyzer);
        assert_eq!(idx.plan(&mut cache, &tokens, false).len(), MAX_QUERY_WORDS);
        // Thirty unknown words outweigh two known ones: the cut-off says no.
        assert!(idx.search(&q, &SearchOptions::default()).is_empty());
    }

    #[test]
    fn out_of_range_weights_are_clamped() {
        let mut p = RankParams {
            k1: 100.0,
            fuzzy_weight: -1.0,
            ..Default::default()
        };
        p.fields.title.weight = f32::NAN;
        let c = p.clamped();
        assert_eq!(c.k1, 3.0);
        assert_eq!(c.fuzzy_weight, 0.0);
        assert_eq!(p.fields.weights()[0], 0.0);
    }
}
