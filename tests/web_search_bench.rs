//! Search benchmark in a real browser: the widget's search code compiled
//! to wasm exactly as shipped (`--release`: opt-level z), at 10,000 articles,
//! in headless Chromium. It prints figures and asserts only that search
//! works; timings are never pass/fail.
//!
//! ```sh
//! .ci/bench   # or:
//! cargo test --release --target wasm32-unknown-unknown --no-default-features \
//!   --test web_search_bench -- --nocapture
//! ```
//!
//! The corpus is the demo's real help articles recombined
//! ([`grow_corpus`]) up to 10,000; the queries are the demo's labelled
//! queries, as typed and with a typing mistake in every longer word.
#![cfg(target_arch = "wasm32")]

use signpost::core::article::Article;
use signpost::core::json::{Fields, Json, Path};
use signpost::core::search::eval::{grow_corpus, percentile};
use signpost::core::search::typos::inject_typos;
use signpost::core::search::{lexicon, Index, IndexOptions, QueryCache, SearchOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ARTICLES: &[&str] = &[
    include_str!("../public/demo/content/articles/ad-blockers-and-lumen.md"),
    include_str!("../public/demo/content/articles/allow-cookies.md"),
    include_str!("../public/demo/content/articles/api-keys-environments.md"),
    include_str!("../public/demo/content/articles/api-quickstart.md"),
    include_str!("../public/demo/content/articles/camera-light-colours.md"),
    include_str!("../public/demo/content/articles/camera-offline.md"),
    include_str!("../public/demo/content/articles/cancel-subscription.md"),
    include_str!("../public/demo/content/articles/contact-support.md"),
    include_str!("../public/demo/content/articles/custom-domain-setup.md"),
    include_str!("../public/demo/content/articles/delete-account.md"),
    include_str!("../public/demo/content/articles/embed-live-view.md"),
    include_str!("../public/demo/content/articles/export-recordings.md"),
    include_str!("../public/demo/content/articles/firmware-updates.md"),
    include_str!("../public/demo/content/articles/improve-wifi-signal.md"),
    include_str!("../public/demo/content/articles/lost-two-factor-device.md"),
    include_str!("../public/demo/content/articles/mesh-networks.md"),
    include_str!("../public/demo/content/articles/motion-alerts.md"),
    include_str!("../public/demo/content/articles/move-camera-new-network.md"),
    include_str!("../public/demo/content/articles/night-vision.md"),
    include_str!("../public/demo/content/articles/plans-and-pricing.md"),
    include_str!("../public/demo/content/articles/privacy-zones.md"),
    include_str!("../public/demo/content/articles/recording-storage.md"),
    include_str!("../public/demo/content/articles/resend-verification.md"),
    include_str!("../public/demo/content/articles/reset-camera.md"),
    include_str!("../public/demo/content/articles/reset-password.md"),
    include_str!("../public/demo/content/articles/service-status.md"),
    include_str!("../public/demo/content/articles/set-time-automatically.md"),
    include_str!("../public/demo/content/articles/share-camera-access.md"),
    include_str!("../public/demo/content/articles/split-router-bands.md"),
    include_str!("../public/demo/content/articles/supported-browsers.md"),
    include_str!("../public/demo/content/articles/third-party-cookies.md"),
    include_str!("../public/demo/content/articles/two-factor-setup.md"),
    include_str!("../public/demo/content/articles/update-payment-method.md"),
    include_str!("../public/demo/content/articles/wifi-bands-explained.md"),
    include_str!("../public/demo/content/articles/wlan-frequenzen.md"),
];
const QUERIES: &str = include_str!("../public/demo/content/queries.json");
const TARGET: usize = 10_000;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
fn search_at_ten_thousand_articles_in_chromium() {
    let real: Vec<_> = ARTICLES
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Article::parse_markdown(&format!("article-{i}.md"), text)
                .expect("demo article parses")
                .to_document()
        })
        .collect();
    let docs = grow_corpus(real, TARGET);
    let queries: Vec<String> = match Json::parse(QUERIES).expect("queries parse") {
        Json::Arr(items) => items
            .iter()
            .map(|q| Fields::of(q, Path::Root).unwrap().str("query").unwrap())
            .collect(),
        _ => panic!("queries.json is a list"),
    };

    let start = now();
    // With the built-in vocabulary of the demo's locales, as its bundle has.
    let options = IndexOptions {
        synonyms: lexicon::builtin_groups(["en", "de"]),
        ..Default::default()
    };
    let index = Index::build(docs, &options);
    let build_ms = now() - start;
    console_log!(
        "wasm (Chromium): index of {} documents built in {:.0} ms · {} terms · ~{:.1} MB heap",
        index.len(),
        build_ms,
        index.term_count(),
        index.heap_bytes() as f64 / 1e6
    );

    let whole = SearchOptions {
        prefix_last: false,
        ..SearchOptions::default()
    };
    for (label, seed) in [("queries as typed", None), ("with typos", Some(3u64))] {
        let texts: Vec<String> = queries
            .iter()
            .map(|q| seed.map_or_else(|| q.clone(), |s| inject_typos(q, s)))
            .collect();
        let mut found = 0;
        let mut times = Vec::new();
        for _round in 0..3 {
            for text in &texts {
                let mut cache = QueryCache::default();
                let t = now();
                let results = index.search_cached(&mut cache, text, &whole);
                times.push(now() - t);
                found += usize::from(!results.is_empty());
            }
        }
        times.sort_by(f64::total_cmp);
        assert!(found > 0, "search found nothing for {label}");
        console_log!(
            "wasm (Chromium), {label}: p50 {:.2} ms · p99 {:.2} ms · max {:.2} ms per query ({} timed)",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().unwrap(),
            times.len()
        );
    }

    // As the panel does it: one search per keystroke, sharing a cache.
    let mut times = Vec::new();
    for q in &queries {
        let mut cache = QueryCache::default();
        let mut typed = String::new();
        for c in inject_typos(q, 11).chars() {
            typed.push(c);
            let t = now();
            let _ = index.search_cached(&mut cache, &typed, &SearchOptions::default());
            times.push(now() - t);
        }
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "wasm (Chromium), as you type: p50 {:.2} ms · p99 {:.2} ms per keystroke ({} keystrokes)",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.len()
    );
}
