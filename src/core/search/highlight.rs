//! Match ranges for highlighting, computed once per shown result so the UI
//! never re-searches.
//!
//! All ranges are UTF-8 **byte** ranges into the string they come with
//! ([`super::Hit::title`] or [`super::Hit::excerpt`]), sorted, merged when
//! they overlap, and always on char boundaries, so `&title[range]` is safe.

use super::index::{find_synonyms, synonym_term, DocMeta, Index};
use super::normalize;
use super::rank::Group;
use super::Hit;
use crate::core::sort;
use std::ops::Range;

/// Target excerpt length in bytes (about two lines in the panel).
const EXCERPT_BYTES: usize = 160;
/// Context kept before the first highlighted word of an excerpt.
const LEAD_BYTES: usize = 40;
const ELLIPSIS: &str = "…";

pub(crate) struct Highlighter<'a> {
    index: &'a Index,
    /// Matched index terms and how much each counts when choosing the
    /// excerpt. (A list: a query has few, and a map type of its own costs
    /// the widget download bytes.)
    terms: Vec<(&'a str, f32)>,
    /// First two bytes of each matched term.
    heads: Vec<Vec<u8>>,
    /// The members of the query's synonym groups, so a text is matched against them only
    /// and not against the whole vocabulary.
    synonyms: Vec<(Vec<String>, u32)>,
}

impl Index {
    pub(crate) fn highlighter<'a>(&'a self, groups: &[Group]) -> Highlighter<'a> {
        let mut terms: Vec<(&'a str, f32)> = Vec::new();
        let mut synonym_groups = Vec::new();
        for g in groups {
            for e in &g.expansions {
                let term = self.terms[e.term as usize].as_str();
                if let Some(group) = term.strip_prefix('~').and_then(|n| n.parse::<u32>().ok()) {
                    synonym_groups.push(group);
                    continue;
                }
                let w = e.weight * self.idf(self.df(e.term));
                match terms.iter_mut().find(|(t, _)| *t == term) {
                    Some((_, slot)) => *slot = slot.max(w),
                    None => terms.push((term, w)),
                }
            }
        }
        let mut heads: Vec<Vec<u8>> = terms
            .iter()
            .map(|(t, _)| t.as_bytes()[..t.len().min(2)].to_vec())
            .collect();
        let synonyms = self
            .synonyms
            .iter()
            .filter(|(_, g)| synonym_groups.contains(g))
            .cloned()
            .collect();
        sort::sort(&mut heads);
        heads.dedup();
        Highlighter {
            index: self,
            terms,
            heads,
            synonyms,
        }
    }
}

impl Highlighter<'_> {
    /// Matched spans in `text` with the weight of the matched term.
    fn matches(&self, text: &str) -> Vec<(Range<usize>, f32)> {
        let mut out: Vec<(Range<usize>, f32)> = Vec::new();
        let mut buf = String::new();
        normalize::scan_words(text, |word, span, _| {
            // A stem keeps the word's first two letters, so most words
            // are ruled out without stemming them.
            let head = &word.as_bytes()[..word.len().min(2)];
            if !self.heads.iter().any(|h| h.as_slice() == head) {
                return;
            }
            self.index.analyzer.stem_into(word, &mut buf);
            if let Some(&(_, w)) = self.terms.iter().find(|(t, _)| *t == buf) {
                out.push((span, w));
            }
        });
        if !self.synonyms.is_empty() {
            let tokens = normalize::tokenize(text, self.index.analyzer);
            for (g, first, last) in find_synonyms(&self.synonyms, &tokens) {
                let w = self
                    .index
                    .term_id(&synonym_term(g))
                    .map_or(1.0, |t| self.index.idf(self.index.df(t)));
                out.push((tokens[first].span.start..tokens[last].span.end, w));
            }
        }
        sort::sort_by(&mut out, |(a, _), (b, _)| {
            (a.start, a.end).cmp(&(b.start, b.end))
        });
        out
    }

    pub(crate) fn hit(&self, meta: &DocMeta, score: f32) -> Hit {
        let title_ranges = merge(
            self.matches(&meta.title)
                .into_iter()
                .map(|(r, _)| r)
                .collect(),
        );
        let (excerpt, excerpt_ranges) = self.excerpt(&meta.body);
        Hit {
            id: meta.id.clone(),
            kind: meta.kind,
            score,
            title: meta.title.clone(),
            title_ranges,
            excerpt,
            excerpt_ranges,
        }
    }

    /// A short excerpt of `body` around the window with the most (and
    /// rarest) distinct matched words, and the match ranges inside it.
    fn excerpt(&self, body: &str) -> (String, Vec<Range<usize>>) {
        let matches = self.matches(body);
        if matches.is_empty() {
            return (lead_excerpt(body), Vec::new());
        }
        let mut best = (0usize, f32::MIN);
        for (i, (r, _)) in matches.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            let mut value = 0.0;
            for (r2, w) in matches[i..]
                .iter()
                .take_while(|(r2, _)| r2.end <= r.start + EXCERPT_BYTES - LEAD_BYTES)
            {
                let word = &body[r2.clone()];
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(word)) {
                    seen.push(word);
                    value += w;
                }
            }
            if value > best.1 {
                best = (i, value);
            }
        }
        let anchor = matches[best.0].0.start;
        let start = snap_start(body, anchor.saturating_sub(LEAD_BYTES), anchor);
        let end = snap_end(body, start, (start + EXCERPT_BYTES).min(body.len()));
        let ranges: Vec<Range<usize>> = matches
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| r.start >= start && r.end <= end)
            .collect();
        build_excerpt(body, start, end, &merge(ranges))
    }
}

/// The opening of `body`, for results with no body match and suggestions.
pub(crate) fn lead_excerpt(body: &str) -> String {
    let end = snap_end(body, 0, EXCERPT_BYTES.min(body.len()));
    build_excerpt(body, 0, end, &[]).0
}

/// Moves `at` forward to the start of a word (or of a sentence when one
/// begins before `limit`), never past `limit`.
fn snap_start(body: &str, at: usize, limit: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let window = &body[floor_char(body, at)..limit];
    if let Some(p) = window.find(". ") {
        return floor_char(body, at) + p + 2;
    }
    match window.find(char::is_whitespace) {
        Some(p) => floor_char(body, at) + p + 1,
        None => limit,
    }
    .min(limit)
}

/// Moves `at` back to the end of a word after `min`, unless it is the end of
/// the body; a word longer than the excerpt (a URL) is cut mid-word.
fn snap_end(body: &str, min: usize, at: usize) -> usize {
    let at = floor_char(body, at);
    if at >= body.len() {
        return body.len();
    }
    match body[min..at].rfind(char::is_whitespace) {
        Some(p) if p > 0 => min + p,
        _ => at,
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Copies `body[start..end]` with whitespace runs collapsed to one space,
/// adds ellipses where cut, and maps `ranges` (into `body`) into the copy.
fn build_excerpt(
    body: &str,
    start: usize,
    end: usize,
    ranges: &[Range<usize>],
) -> (String, Vec<Range<usize>>) {
    let slice = &body[start..end];
    let mut out = String::with_capacity(slice.len() + 8);
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    // new_pos[i] = position in `out` of slice byte i (for char starts).
    let mut new_pos = vec![0usize; slice.len() + 1];
    let mut last_space = true;
    for (i, c) in slice.char_indices() {
        new_pos[i] = out.len();
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    new_pos[slice.len()] = out.len();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if end < body.len() && !out.is_empty() {
        out.push_str(ELLIPSIS);
    }
    let mapped = ranges
        .iter()
        .map(|r| new_pos[r.start - start]..new_pos[r.end - start].min(trimmed))
        .filter(|r| r.start < r.end)
        .collect();
    (out, mapped)
}

/// Sorts and merges overlapping or touching ranges.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    sort::sort_by(&mut ranges, |a, b| (a.start, a.end).cmp(&(b.start, b.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::core::search::{Document, Index, IndexOptions, Kind, SearchOptions};

    fn marked(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in ranges {
            out.push_str(&text[at..r.start]);
            out.push('[');
            out.push_str(&text[r.clone()]);
            out.push(']');
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }

    fn search(title: &str, body: &str, query: &str) -> crate::core::search::Hit {
        let index = Index::build(
            vec![Document::new("a", Kind::Article, title).with_body(body)],
            &IndexOptions::default(),
        );
        index
            .search(query, &SearchOptions::default())
            .articles
            .into_iter()
            .next()
            .expect("a hit")
    }

    #[test]
    fn title_ranges_cover_stemmed_typo_and_prefix_matches() {
        let hit = search("Connecting cameras to Wi-Fi", "", "camra conect wi-fi");
        assert_eq!(
            marked(&hit.title, &hit.title_ranges),
            "[Connecting] [cameras] to [Wi-Fi]"
        );
        let hit = search("Configure notifications", "", "notif");
        assert_eq!(
            marked(&hit.title, &hit.title_ranges),
            "Configure [notifications]"
        );
    }

    #[test]
    fn ranges_are_byte_ranges_on_char_boundaries() {
        let hit = search("Réglages du café", "", "cafe reglages");
        assert_eq!(
            marked(&hit.title, &hit.title_ranges),
            "[Réglages] du [café]"
        );
    }

    #[test]
    fn the_excerpt_is_cut_around_the_best_match() {
        let filler = "Lorem ipsum dolor sit amet. ".repeat(20);
        let body = format!("{filler}To reset the router, hold the button.\n\n   {filler}");
        let hit = search("Router help", &body, "reset router");
        assert!(
            hit.excerpt.starts_with('…') && hit.excerpt.ends_with('…'),
            "{}",
            hit.excerpt
        );
        let m = marked(&hit.excerpt, &hit.excerpt_ranges);
        assert!(
            m.contains("To [reset] the [router], hold the button."),
            "{m}"
        );
        assert!(hit.excerpt.len() <= 160 + 2 * '…'.len_utf8());
        assert!(!hit.excerpt.contains("  "));
    }

    #[test]
    fn a_word_longer_than_the_excerpt_is_cut_safely() {
        let url = format!("https://example.com/{}", "é".repeat(200));
        let body = format!("See {url} then restart the router.");
        let hit = search("Router", &body, "restart");
        let m = marked(&hit.excerpt, &hit.excerpt_ranges);
        assert!(m.contains("[restart]"), "{m}");
        let hit = search("Router", &format!("{url} {url}"), "router");
        assert!(hit.excerpt.ends_with('…'));
    }

    #[test]
    fn a_body_without_matches_shows_its_opening() {
        let hit = search("Router help", "Short body.", "router");
        assert_eq!(hit.excerpt, "Short body.");
        assert!(hit.excerpt_ranges.is_empty());
    }
}
