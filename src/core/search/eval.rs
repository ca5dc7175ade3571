//! Search-quality measurement over labelled queries `[{query, expected}]`,
//! shared by `signpost eval`, the quality test and the benchmark example.
//! Timing is left to callers (there is no clock in the core).

use super::typos::Rng;
use super::Document;
use super::{Index, QueryCache, SearchOptions};
use serde::{Deserialize, Serialize};

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledQuery {
    /// What the user typed.
    pub query: String,
    /// Id of the flow or article that answers it.
    pub expected: String,
}

/// How one query fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryOutcome {
    /// The query as searched (with typos, if injected).
    pub query: String,
    /// The id that should have come first.
    pub expected: String,
    /// 1-based rank of `expected` among all results, if found.
    pub rank: Option<usize>,
    /// What came first instead, if anything.
    pub first: Option<String>,
}

/// hit@1, hit@5 and mean reciprocal rank over a set of outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Number of queries.
    pub queries: usize,
    /// Share of queries whose answer came first.
    pub hit_at_1: f64,
    /// Share of queries whose answer was in the first five.
    pub hit_at_5: f64,
    /// Mean of 1/rank (0 when not found).
    pub mrr: f64,
}

impl Index {
    /// Searches `query` as a finished query (no prefix on the last word) and
    /// returns how `expected` ranked among flows and articles together.
    pub fn evaluate_one(
        &self,
        cache: &mut QueryCache,
        query: &str,
        expected: &str,
    ) -> QueryOutcome {
        let options = SearchOptions {
            limit: usize::MAX,
            prefix_last: false,
        };
        let ranked = self.rank(cache, query, &options).unwrap_or_default();
        QueryOutcome {
            query: query.to_string(),
            expected: expected.to_string(),
            rank: ranked.iter().position(|h| h.0 == expected).map(|p| p + 1),
            first: ranked.first().map(|h| h.0.to_string()),
        }
    }
}

impl Quality {
    /// Summarises outcomes.
    pub fn of(outcomes: &[QueryOutcome]) -> Quality {
        let n = outcomes.len().max(1) as f64;
        let count = |k: usize| {
            outcomes
                .iter()
                .filter(|o| o.rank.is_some_and(|r| r <= k))
                .count() as f64
                / n
        };
        Quality {
            queries: outcomes.len(),
            hit_at_1: count(1),
            hit_at_5: count(5),
            mrr: outcomes
                .iter()
                .filter_map(|o| o.rank)
                .map(|r| 1.0 / r as f64)
                .sum::<f64>()
                / n,
        }
    }
}

/// The `p` quantile (0.5 for p50, 0.99 for p99) of ascending `sorted`
/// values, nearest-rank; 0 when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// For benchmarks: adds synthetic documents until there are `target`. Each
/// takes a real title's words recombined with another's, and sentences
/// drawn from three real bodies, so vocabulary and length match real help
/// content.
pub fn grow_corpus(real: Vec<Document>, target: usize) -> Vec<Document> {
    let mut rng = Rng::new(2024);
    let sentences: Vec<Vec<&str>> = real
        .iter()
        .map(|d| d.body.split_inclusive(['.', '?', '!', '\n']).collect())
        .collect();
    let mut docs = real.clone();
    let mut n = 0;
    while docs.len() < target {
        let a = &real[rng.below(real.len())];
        let b = &real[rng.below(real.len())];
        let ta: Vec<&str> = a.title.split_whitespace().collect();
        let tb: Vec<&str> = b.title.split_whitespace().collect();
        let title = format!(
            "{} {}",
            ta[..ta.len().div_ceil(2)].join(" "),
            tb[tb.len() / 2..].join(" ")
        );
        let mut body = String::new();
        for _ in 0..3 {
            let s = &sentences[rng.below(real.len())];
            if s.is_empty() {
                continue;
            }
            let from = rng.below(s.len());
            let take = 1 + rng.below(6);
            for part in s.iter().skip(from).take(take) {
                body.push_str(part);
            }
            body.push(' ');
        }
        n += 1;
        docs.push(Document::new(format!("synthetic-{n}"), a.kind, title).with_body(body.trim()));
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_counts_ranks() {
        let o = |rank| QueryOutcome {
            query: String::new(),
            expected: String::new(),
            rank,
            first: None,
        };
        let q = Quality::of(&[o(Some(1)), o(Some(2)), o(Some(6)), o(None)]);
        assert_eq!(q.queries, 4);
        assert_eq!(q.hit_at_1, 0.25);
        assert_eq!(q.hit_at_5, 0.5);
        assert!((q.mrr - (1.0 + 0.5 + 1.0 / 6.0) / 4.0).abs() < 1e-9);
    }
}
