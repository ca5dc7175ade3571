//! The inverted index: terms, postings with per-field term frequencies,
//! field lengths, the surface vocabulary for typo tolerance, and synonyms.
//!
//! The whole [`Index`] is serde-serialisable, so it can be prebuilt into the
//! content bundle; building it is also fast enough to do at panel open (see
//! `docs-draft/search.md` for measured figures).

use super::normalize::{self, Analyzer, Token};
use super::rank::{FieldWeights, RankParams};
use super::{Document, Kind};
use crate::core::sort;
use fnv::{FnvBuildHasher, FnvHasher};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hasher;

/// Maps hashed with FNV-1a: indexing hashes every word of the content, and
/// SipHash's flooding resistance buys nothing for author-written text.
type FastMap<K, V> = HashMap<K, V, FnvBuildHasher>;

/// Indexed fields. The order is the order of per-field arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// [`Document::title`]
    Title = 0,
    /// [`Document::aliases`]
    Aliases = 1,
    /// [`Document::phrases`]
    Phrases = 2,
    /// [`Document::tags`]
    Tags = 3,
    /// [`Document::body`]
    Body = 4,
}

/// Number of indexed fields.
pub const FIELD_COUNT: usize = 5;

/// Prefix of synthetic terms that stand for a synonym group. Tokens never
/// contain it, so it cannot collide with a real word.
const SYNONYM_PREFIX: char = '~';

/// How to build an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexOptions {
    /// Synonym groups declared by authors, e.g.
    /// `[["2FA", "two-factor", "two factor authentication"], ["FB", "facebook"]]`.
    /// Each entry may be several words; any member found in a query matches
    /// documents containing any other member of its group.
    pub synonyms: Vec<Vec<String>>,
    /// Ranking parameters (field weights, saturation, cut-off).
    pub rank: RankParams,
    /// The content's default locale (`en`, `de`, …), which chooses the
    /// stop words and the stemmer ([`Analyzer::for_locale`]); empty means
    /// English.
    pub locale: String,
}

/// Occurrences of one term in one document, per field (saturating at 255).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Posting {
    /// Document number (position in the index's document list).
    pub doc: u32,
    /// Term frequency per [`Field`].
    pub tf: [u8; FIELD_COUNT],
}

/// What the index keeps about each document for display and ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Document id.
    pub id: String,
    /// Flow or article.
    pub kind: Kind,
    /// Title as written.
    pub title: String,
    /// Plain-text body, for excerpts.
    pub body: String,
    /// Shown for empty queries.
    pub featured: bool,
}

/// A searchable index over flows and articles. Build with [`Index::build`],
/// query with [`Index::search`] or [`Index::search_cached`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub(crate) docs: Vec<DocMeta>,
    /// Per document and field: `weight / (1 - b + b * len / avg_len)`, the
    /// BM25F length normalisation folded with the field weight.
    pub(crate) field_norm: Vec<[f32; FIELD_COUNT]>,
    /// Sorted index terms (stems, and synthetic synonym terms).
    pub(crate) terms: Vec<String>,
    /// Postings of term `t` are `postings[post_start[t]..post_start[t + 1]]`.
    pub(crate) post_start: Vec<u32>,
    pub(crate) postings: Vec<Posting>,
    /// Sorted surface words seen in content, and the term each maps to.
    pub(crate) words: Vec<String>,
    pub(crate) word_term: Vec<u32>,
    /// `(hash of a word with at most one char deleted, word number)`, a
    /// symmetric-delete table that finds words one edit away quickly,
    /// grouped by the hash's top bits (`bucket_by_hash`).
    pub(crate) deletes: Vec<(u64, u32)>,
    /// Entries whose hash has top bits `b` are
    /// `deletes[delete_start[b]..delete_start[b + 1]]`.
    pub(crate) delete_start: Vec<u32>,
    /// Synonym phrases as stem sequences, with their group number.
    pub(crate) synonyms: Vec<(Vec<String>, u32)>,
    /// The content language's stop words and stemmer, for queries too.
    pub(crate) analyzer: Analyzer,
    pub(crate) params: RankParams,
    /// Identifies this index's content so caches built on another index are
    /// not reused.
    pub(crate) stamp: u64,
}

/// 64-bit FNV-1a (the `fnv` crate, as flow fingerprints use): stable across
/// platforms, so a serialised index stays valid.
pub(crate) fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h = FnvHasher::default();
    for b in bytes {
        h.write_u8(b);
    }
    h.finish()
}

/// Hash of a char sequence with the char at `skip` left out.
pub(crate) fn hash_without(chars: &[char], skip: Option<usize>) -> u64 {
    let mut buf = [0u8; 4];
    let mut h = FnvHasher::default();
    for (i, c) in chars.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        h.write(c.encode_utf8(&mut buf).as_bytes());
    }
    h.finish()
}

/// Shortest word that gets typo tolerance; shorter words have too many
/// neighbours one edit away to guess from.
pub(crate) const MIN_FUZZY_CHARS: usize = 4;

/// Finds synonym phrases in a token stream. Returns `(group, first token,
/// last token)` for each match; stop words take part ("sign in").
pub(crate) fn find_synonyms(
    synonyms: &[(Vec<String>, u32)],
    tokens: &[Token],
) -> Vec<(u32, usize, usize)> {
    let all: Vec<u32> = (0..synonyms.len() as u32).collect();
    match_synonyms(
        synonyms,
        tokens,
        |t| t.joined,
        |s, t| *s == t.term,
        |_| &all[..],
    )
}

/// [`find_synonyms`] over any token form: `joined` says whether a token is
/// a hyphen-joined pair, `same` whether a synonym term is that token, and
/// `starting` lists the synonyms (by number) that may start at a token. The
/// index build matches interned stem ids with it and looks the candidates
/// up by the token's first stem, so a large vocabulary costs little per
/// word; the query side tokens, trying every synonym.
fn match_synonyms<'a, S, T>(
    synonyms: &[(Vec<S>, u32)],
    tokens: &[T],
    joined: impl Fn(&T) -> bool,
    same: impl Fn(&S, &T) -> bool,
    starting: impl Fn(&T) -> &'a [u32],
) -> Vec<(u32, usize, usize)> {
    let mut found = Vec::new();
    if synonyms.is_empty() {
        return found;
    }
    let plain: Vec<usize> = (0..tokens.len()).filter(|&i| !joined(&tokens[i])).collect();
    for (start, &ti) in plain.iter().enumerate() {
        for &k in starting(&tokens[ti]) {
            let (seq, group) = &synonyms[k as usize];
            let n = seq.len();
            if start + n <= plain.len()
                && seq
                    .iter()
                    .zip(&plain[start..start + n])
                    .all(|(s, &tj)| same(s, &tokens[tj]))
            {
                found.push((*group, ti, plain[start + n - 1]));
            }
        }
        // A hyphen-joined word ("two-factor" as "twofactor") may be a member too.
        if let Some(j) = tokens.get(ti + 1).filter(|t| joined(t)) {
            for &k in starting(j) {
                let (seq, group) = &synonyms[k as usize];
                if seq.len() == 1 && same(&seq[0], j) {
                    found.push((*group, ti + 1, ti + 1));
                }
            }
        }
    }
    found
}

pub(crate) fn synonym_term(group: u32) -> String {
    format!("{SYNONYM_PREFIX}{group}")
}

impl Index {
    /// Builds an index over `docs`. Documents keep their order: on equal
    /// relevance the earlier one ranks first.
    pub fn build(docs: Vec<Document>, options: &IndexOptions) -> Index {
        let analyzer = Analyzer::for_locale(&options.locale);
        let mut synonyms: Vec<(Vec<String>, u32)> = Vec::new();
        for (g, group) in options.synonyms.iter().enumerate() {
            // A group's members are pushed together, so a duplicate can only
            // be among them (checking the whole list was quadratic in the
            // hundreds of members of the built-in vocabulary).
            let first = synonyms.len();
            for member in group {
                let seq: Vec<String> = normalize::tokenize(member, analyzer)
                    .into_iter()
                    .filter(|t| !t.joined)
                    .map(|t| t.term)
                    .collect();
                if !seq.is_empty() && !synonyms[first..].iter().any(|(s, _)| *s == seq) {
                    synonyms.push((seq, g as u32));
                }
            }
        }

        let mut term_ids: FastMap<String, u32> = FastMap::default();
        let mut term_docs: Vec<Vec<Posting>> = Vec::new();
        // Every distinct word, looked up once per occurrence and stemmed
        // once: its stem's id among the synonyms' stems (stop words too;
        // `NO_TERM` when no synonym uses it) and its
        // index term (`NO_TERM` for a stop word). Re-tokenising each text
        // for synonyms doubled the build time, which the widget pays on open.
        const NO_TERM: u32 = u32::MAX;
        // (A map to an index into `known`, not to the tuple: another map
        // value type costs the widget most of a kilobyte.)
        let mut seen: FastMap<String, u32> = FastMap::default();
        let mut known: Vec<(u32, u32, bool)> = Vec::new();
        let mut stem_ids: FastMap<String, u32> = FastMap::default();
        let synonym_ids: Vec<(Vec<u32>, u32)> = synonyms
            .iter()
            .map(|(seq, g)| (seq.iter().map(|t| intern(&mut stem_ids, t)).collect(), *g))
            .collect();
        // The synonyms starting with each stem. Only synonym stems get an
        // id: any other word's stem is `NO_TERM`, which no synonym matches.
        let mut by_first: Vec<Vec<u32>> = vec![Vec::new(); stem_ids.len()];
        for (k, (seq, _)) in synonym_ids.iter().enumerate() {
            by_first[seq[0] as usize].push(k as u32);
        }
        let none: Vec<u32> = Vec::new();
        let mut stream: Vec<(u32, bool)> = Vec::new();
        let mut field_len: Vec<[u32; FIELD_COUNT]> = Vec::with_capacity(docs.len());
        let mut metas = Vec::with_capacity(docs.len());
        let mut stem_buf = String::new();

        for (d, doc) in docs.into_iter().enumerate() {
            let mut lens = [0u32; FIELD_COUNT];
            let fields: [(Field, Vec<&str>); FIELD_COUNT] = [
                (Field::Title, vec![doc.title.as_str()]),
                (
                    Field::Aliases,
                    doc.aliases.iter().map(String::as_str).collect(),
                ),
                (
                    Field::Phrases,
                    doc.phrases.iter().map(String::as_str).collect(),
                ),
                (Field::Tags, doc.tags.iter().map(String::as_str).collect()),
                (Field::Body, vec![doc.body.as_str()]),
            ];
            for (field, texts) in fields {
                let f = field as usize;
                for text in texts {
                    stream.clear();
                    normalize::scan_words(text, |word, _, joined| {
                        let slot = match seen.get(word) {
                            Some(&slot) => slot as usize,
                            None => {
                                let stop = analyzer.is_stop_word(word);
                                let mut new = (0, NO_TERM, stop);
                                if !stop || !synonym_ids.is_empty() {
                                    analyzer.stem_into(word, &mut stem_buf);
                                    if !synonym_ids.is_empty() {
                                        new.0 = stem_ids.get(&stem_buf).copied().unwrap_or(NO_TERM);
                                    }
                                    if !stop {
                                        new.1 = term_of(&mut term_ids, &mut term_docs, &stem_buf);
                                    }
                                }
                                seen.insert(word.to_string(), known.len() as u32);
                                known.push(new);
                                known.len() - 1
                            }
                        };
                        let (sid, tid, stop) = known[slot];
                        if !synonym_ids.is_empty() {
                            stream.push((sid, joined));
                        }
                        if stop && !joined {
                            return;
                        }
                        let tid = match tid {
                            // A hyphen-joined pair that spells a stop word
                            // ("a-n"): rare, so its term is made here.
                            NO_TERM => {
                                analyzer.stem_into(word, &mut stem_buf);
                                let tid = term_of(&mut term_ids, &mut term_docs, &stem_buf);
                                known[slot].1 = tid;
                                tid
                            }
                            tid => tid,
                        };
                        if !joined {
                            lens[f] += 1;
                        }
                        add_posting(&mut term_docs, tid, d as u32, f);
                    });
                    if !synonym_ids.is_empty() {
                        let found = match_synonyms(
                            &synonym_ids,
                            &stream,
                            |t| t.1,
                            |s, t| *s == t.0,
                            |t| by_first.get(t.0 as usize).unwrap_or(&none),
                        );
                        for (group, _, _) in found {
                            let tid = term_of(&mut term_ids, &mut term_docs, &synonym_term(group));
                            add_posting(&mut term_docs, tid, d as u32, f);
                        }
                    }
                }
            }
            field_len.push(lens);
            metas.push(DocMeta {
                id: doc.id,
                kind: doc.kind,
                title: doc.title,
                body: doc.body,
                featured: doc.featured,
            });
        }

        // Sort terms so they can be binary searched, and lay postings flat.
        let mut sorted: Vec<(String, u32)> = term_ids.into_iter().collect();
        sort::sort(&mut sorted);
        let mut remap = vec![0u32; sorted.len()];
        let mut terms = Vec::with_capacity(sorted.len());
        let mut post_start = Vec::with_capacity(sorted.len() + 1);
        let mut postings = Vec::new();
        for (new, (term, old)) in sorted.into_iter().enumerate() {
            remap[old as usize] = new as u32;
            terms.push(term);
            post_start.push(postings.len() as u32);
            postings.append(&mut term_docs[old as usize]);
        }
        post_start.push(postings.len() as u32);

        // Stems are usually words too ("camera" for "cameras"), and typos of
        // other forms land near them, so they join the typo vocabulary.
        let mut word_map: FastMap<String, u32> = seen
            .into_iter()
            .filter(|(_, slot)| known[*slot as usize].1 != NO_TERM)
            .map(|(w, slot)| (w, remap[known[slot as usize].1 as usize]))
            .collect();
        for (t, term) in terms.iter().enumerate() {
            if !term.starts_with(SYNONYM_PREFIX) && !word_map.contains_key(term) {
                word_map.insert(term.clone(), t as u32);
            }
        }
        let mut words: Vec<(String, u32)> = word_map.into_iter().collect();
        sort::sort(&mut words);
        let mut deletes = Vec::new();
        for (i, (w, _)) in words.iter().enumerate() {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() < MIN_FUZZY_CHARS - 1 {
                continue;
            }
            deletes.push((hash_without(&chars, None), i as u32));
            for skip in 0..chars.len() {
                deletes.push((hash_without(&chars, Some(skip)), i as u32));
            }
        }
        let (deletes, delete_start) = bucket_by_hash(deletes);
        let (words, word_term): (Vec<String>, Vec<u32>) = words.into_iter().unzip();

        let field_norm = compute_norms(&field_len, &options.rank.fields);
        let stamp = fnv1a(
            metas
                .iter()
                .flat_map(|m| m.id.bytes().chain([0]))
                .chain((terms.len() as u64).to_le_bytes()),
        );

        Index {
            docs: metas,
            field_norm,
            terms,
            post_start,
            postings,
            words,
            word_term,
            deletes,
            delete_start,
            synonyms,
            analyzer,
            params: options.rank.clone(),
            stamp,
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index has no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Number of distinct index terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Approximate heap bytes held by the index (for budgets, not exact).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let strings =
            |v: &[String]| -> usize { v.iter().map(|s| s.capacity() + size_of::<String>()).sum() };
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                size_of::<DocMeta>() + d.id.capacity() + d.title.capacity() + d.body.capacity()
            })
            .sum();
        docs + self.field_norm.capacity() * size_of::<[f32; FIELD_COUNT]>()
            + strings(&self.terms)
            + self.post_start.capacity() * 4
            + self.postings.capacity() * size_of::<Posting>()
            + strings(&self.words)
            + self.word_term.capacity() * 4
            + self.deletes.capacity() * size_of::<(u64, u32)>()
            + self.delete_start.capacity() * 4
            + self
                .synonyms
                .iter()
                .map(|(s, _)| strings(s) + size_of::<(Vec<String>, u32)>())
                .sum::<usize>()
    }

    /// Looks up an index term.
    pub(crate) fn term_id(&self, term: &str) -> Option<u32> {
        self.terms
            .binary_search_by(|t| t.as_str().cmp(term))
            .ok()
            .map(|i| i as u32)
    }

    pub(crate) fn postings_of(&self, term: u32) -> &[Posting] {
        let t = term as usize;
        &self.postings[self.post_start[t] as usize..self.post_start[t + 1] as usize]
    }

    /// Number of documents containing `term`.
    pub(crate) fn df(&self, term: u32) -> usize {
        let t = term as usize;
        (self.post_start[t + 1] - self.post_start[t]) as usize
    }

    /// BM25 inverse document frequency, always positive.
    pub(crate) fn idf(&self, df: usize) -> f32 {
        let n = self.docs.len() as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

/// The id of `term`, added if new.
/// The id of `key` in `ids`, giving it the next one when it is new.
fn intern(ids: &mut FastMap<String, u32>, key: &str) -> u32 {
    if let Some(&id) = ids.get(key) {
        return id;
    }
    let id = ids.len() as u32;
    ids.insert(key.to_string(), id);
    id
}

/// Groups `(hash, word)` entries by the hash's top bits with a counting
/// sort, about one bucket per entry: a lookup reads one short bucket. A full
/// sort of the ten thousand entries of the demo's vocabulary took a third
/// of the index build, which the widget pays when the panel first opens.
/// Returns the entries and the bucket starts (`2^bits + 1` of them).
fn bucket_by_hash(entries: Vec<(u64, u32)>) -> (Vec<(u64, u32)>, Vec<u32>) {
    let bits = entries.len().next_power_of_two().trailing_zeros().max(1);
    let bucket = |h: u64| (h >> (64 - bits)) as usize;
    let mut start = vec![0u32; (1 << bits) + 1];
    for &(h, _) in &entries {
        start[bucket(h) + 1] += 1;
    }
    for b in 1..start.len() {
        start[b] += start[b - 1];
    }
    let mut next = start.clone();
    let mut out = vec![(0, 0); entries.len()];
    for (h, w) in entries {
        let slot = &mut next[bucket(h)];
        out[*slot as usize] = (h, w);
        *slot += 1;
    }
    (out, start)
}

/// The id of index term `term`, with an empty posting list when it is new.
fn term_of(ids: &mut FastMap<String, u32>, docs: &mut Vec<Vec<Posting>>, term: &str) -> u32 {
    let t = intern(ids, term);
    if t as usize == docs.len() {
        docs.push(Vec::new());
    }
    t
}

/// Counts one occurrence of `term` in field `f` of document `doc` (documents
/// are added in order, so only the last posting can be this document's).
fn add_posting(docs: &mut [Vec<Posting>], term: u32, doc: u32, f: usize) {
    let list = &mut docs[term as usize];
    match list.last_mut() {
        Some(p) if p.doc == doc => p.tf[f] = p.tf[f].saturating_add(1),
        _ => {
            let mut tf = [0u8; FIELD_COUNT];
            tf[f] = 1;
            list.push(Posting { doc, tf });
        }
    }
}

fn compute_norms(
    field_len: &[[u32; FIELD_COUNT]],
    weights: &FieldWeights,
) -> Vec<[f32; FIELD_COUNT]> {
    let n = field_len.len().max(1) as f32;
    let mut avg = [0f32; FIELD_COUNT];
    for lens in field_len {
        for f in 0..FIELD_COUNT {
            avg[f] += lens[f] as f32 / n;
        }
    }
    let (w, b) = (weights.weights(), weights.length_norms());
    field_len
        .iter()
        .map(|lens| {
            let mut norm = [0f32; FIELD_COUNT];
            for f in 0..FIELD_COUNT {
                let rel = if avg[f] > 0.0 {
                    lens[f] as f32 / avg[f]
                } else {
                    1.0
                };
                norm[f] = w[f] / (1.0 - b[f] + b[f] * rel);
            }
            norm
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::SearchOptions;

    fn doc(id: &str, title: &str, body: &str) -> Document {
        Document::new(id, Kind::Article, title).with_body(body)
    }

    #[test]
    fn terms_are_stemmed_and_stop_words_left_out() {
        let index = Index::build(
            vec![doc("a", "Connecting the cameras", "")],
            &IndexOptions::default(),
        );
        assert!(index.term_id("connect").is_some());
        assert!(index.term_id("camera").is_some());
        assert!(index.term_id("the").is_none());
    }

    #[test]
    fn german_content_leaves_out_german_stop_words() {
        let docs = || vec![doc("a", "Die Kamera und das WLAN", "The camera")];
        let german = IndexOptions {
            locale: "de".into(),
            ..Default::default()
        };
        let index = Index::build(docs(), &german);
        assert!(index.term_id("und").is_none() && index.term_id("die").is_none());
        assert!(index.term_id("the").is_some() && index.term_id("wlan").is_some());
        // A query of German stop words has nothing to search.
        assert!(index.search("und die", &SearchOptions::default()).suggested);
        // English content keeps them as words.
        let english = Index::build(docs(), &IndexOptions::default());
        assert!(english.term_id("und").is_some() && english.term_id("the").is_none());
    }

    #[test]
    fn german_content_is_searched_with_the_german_stemmer() {
        let docs = || {
            vec![
                doc("wlan", "WLAN-Verbindungen einrichten", "Router und Kamera."),
                doc("konto", "Konto löschen", "Einstellungen öffnen."),
            ]
        };
        let german = IndexOptions {
            locale: "de-DE".into(),
            ..Default::default()
        };
        let first = |index: &Index, q: &str| {
            let r = index.search(q, &SearchOptions::default());
            r.ranked().first().map(|h| h.id.clone())
        };
        // "verbinden" and "Verbindungen" share the German stem, not the
        // English one: only German rules find the article without typo
        // tolerance bridging the gap.
        let index = Index::build(docs(), &german);
        assert_eq!(first(&index, "verbinden").as_deref(), Some("wlan"));
        assert_eq!(first(&index, "einstellung").as_deref(), Some("konto"));
        let english = Index::build(docs(), &IndexOptions::default());
        assert!(english
            .term_id(&Analyzer::German.stem("verbindungen"))
            .is_none());
    }

    #[test]
    fn synonym_groups_become_one_shared_term() {
        let options = IndexOptions {
            synonyms: vec![vec!["2FA".into(), "two-factor authentication".into()]],
            ..Default::default()
        };
        let index = Index::build(
            vec![doc("a", "Turn on two-factor authentication", "")],
            &options,
        );
        let t = index
            .term_id(&synonym_term(0))
            .expect("synonym term indexed");
        assert_eq!(index.df(t), 1);
    }

    #[test]
    fn index_round_trips_through_json() {
        let index = Index::build(
            vec![doc("a", "Wi-Fi setup", "Pick the 2.4 GHz band.")],
            &IndexOptions::default(),
        );
        let json = serde_json::to_string(&index).unwrap();
        let back: Index = serde_json::from_str(&json).unwrap();
        assert_eq!(back, index);
    }
}
