//! Analytics benchmark (#16): posts anonymous event batches from many
//! client threads to a running `signpost serve` over HTTP, as widgets would
//! (one batch per visit, 6 to 14 events), and prints the ingest rate; at
//! each `--report-at` total it times `signpost report` over the same
//! database. Targets on a 2-core machine: at least 5,000 events/s ingested,
//! and a 30-day report over 10 million events in under 2 s.
//!
//! ```sh
//! target/native/signpost serve --port 8097 --no-rate-limit --db /tmp/events.sqlite3 &   # or --db postgres://…
//! cargo run --profile native --example events_bench -- \
//!     --url http://127.0.0.1:8097 --db /tmp/events.sqlite3 --report-at 1000000,10000000
//! ```
//!
//! Journeys are synthetic (12 guided fixes of 8 nodes, 40 articles, 400
//! search texts); `examples/traffic.rs` drives the demo's own content.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use rand::Rng;
    use serde_json::{json, Value};
    use std::process::{exit, Command};
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    struct Options {
        url: String,
        db: String,
        clients: usize,
        report_at: Vec<u64>,
        signpost: String,
    }

    fn usage(problem: &str) -> ! {
        eprintln!(
            "events_bench: {problem}\nusage: events_bench --url http://127.0.0.1:PORT --db FILE|postgres://… \
             [--report-at 1000000,10000000] [--clients 8] [--signpost target/native/signpost]\n\
             (start the relay with --no-rate-limit)"
        );
        exit(2)
    }

    fn options() -> Options {
        let mut args = std::env::args().skip(1);
        let mut o = Options {
            url: String::new(),
            db: String::new(),
            clients: 8,
            report_at: vec![1_000_000],
            signpost: "target/native/signpost".into(),
        };
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--url" => o.url = value(),
                "--db" => o.db = value(),
                "--signpost" => o.signpost = value(),
                "--clients" => {
                    o.clients = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--clients takes a number"))
                }
                "--report-at" => {
                    o.report_at = value()
                        .split(',')
                        .map(|n| n.trim().replace('_', "").parse())
                        .collect::<Result<_, _>>()
                        .unwrap_or_else(|_| usage("--report-at takes numbers, comma-separated"))
                }
                other => usage(&format!("unknown option {other}")),
            }
        }
        if o.url.is_empty() || o.db.is_empty() {
            usage("--url and --db are required");
        }
        o.report_at.sort_unstable();
        o
    }

    const TIERS: [&str; 4] = ["howto", "defect", "billing", "outage"];

    fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    }

    /// One visit's events, as the widget would send them.
    pub fn journey(rng: &mut impl Rng, mut t: u64) -> Vec<Value> {
        let mut tick = |rng: &mut dyn rand::RngCore, max: u64| {
            t += rng.random_range(500..max);
            t
        };
        let mut events = vec![json!({"kind": "panel_opened", "at": tick(rng, 1_000)})];
        // Search texts follow a skewed popularity: a few are very common.
        let text = (rng.random::<f64>().powi(3) * 400.0) as usize;
        if rng.random_bool(0.7) {
            let results = if text % 7 == 0 { 0 } else { 1 + text % 5 };
            events.push(json!({"kind": "searched", "at": tick(rng, 3_000),
                "query": format!("search text {text}"), "results": results}));
        }
        let path: f64 = rng.random();
        let ticket = |events: &mut Vec<Value>, at: u64, origin: String| {
            events.push(
                json!({"kind": "contact_opened", "at": at, "from": "flow", "origin": origin}),
            );
            events.push(json!({"kind": "ticket_sent", "at": at + 20_000,
                "category": format!("category-{}", at % 6),
                "tier": TIERS[(at % 4) as usize], "origin": origin}));
        };
        if path < 0.6 {
            let flow = format!("flow-{}", rng.random_range(0..12));
            events.push(json!({"kind": "flow_started", "at": tick(rng, 2_000), "flow": flow, "from": "search"}));
            let depth = rng.random_range(2..8);
            for node in 0..depth {
                events.push(json!({"kind": "node_reached", "at": tick(rng, 15_000),
                    "flow": flow, "node": format!("node-{node}"), "answer": "Yes"}));
                if node % 3 == 1 {
                    let outcome = if rng.random_bool(0.3) { "fail" } else { "pass" };
                    events.push(
                        json!({"kind": "check_done", "at": tick(rng, 2_000), "flow": flow,
                        "node": format!("node-{node}"), "check": format!("check-{}", node % 4),
                        "outcome": outcome, "ms": 40}),
                    );
                }
            }
            let end: f64 = rng.random();
            if end < 0.55 {
                events.push(
                    json!({"kind": "flow_ended", "at": tick(rng, 5_000), "flow": flow,
                    "node": format!("fixed-{}", depth % 3), "end": "resolved"}),
                );
                events.push(json!({"kind": "flow_rated", "at": tick(rng, 5_000), "flow": flow, "helpful": true}));
            } else if end < 0.8 {
                events.push(
                    json!({"kind": "flow_ended", "at": tick(rng, 5_000), "flow": flow,
                    "node": "escalate", "end": "ticket"}),
                );
                ticket(&mut events, tick(rng, 5_000), format!("{flow}/escalate"));
            }
            // Otherwise abandoned: no end event.
        } else if path < 0.9 {
            let article = format!("article-{}", rng.random_range(0..40));
            events.push(
                json!({"kind": "article_viewed", "at": tick(rng, 2_000), "article": article}),
            );
            let helpful = rng.random_bool(0.6);
            events.push(json!({"kind": "article_answered", "at": tick(rng, 20_000), "article": article, "helpful": helpful}));
            if !helpful && rng.random_bool(0.4) {
                ticket(&mut events, tick(rng, 5_000), article);
            }
        }
        events
    }

    fn report_seconds(o: &Options) -> (f64, Value) {
        let start = Instant::now();
        let output = Command::new(&o.signpost)
            .args([
                "report", "--db", &o.db, "--since", "30d", "--format", "json",
            ])
            .output()
            .unwrap_or_else(|e| usage(&format!("cannot run {}: {e}", o.signpost)));
        let seconds = start.elapsed().as_secs_f64();
        if !output.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
            exit(1);
        }
        (seconds, serde_json::from_slice(&output.stdout).unwrap())
    }

    pub fn main() {
        let o = Arc::new(options());
        let sent = Arc::new(AtomicU64::new(0));
        let batches = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let run = now_ms();
        let started = Instant::now();
        let mut last_report = (Instant::now(), 0u64);
        for target in o.report_at.clone() {
            let workers: Vec<_> = (0..o.clients)
                .map(|worker| {
                    let (o, sent, batches, failures) =
                        (o.clone(), sent.clone(), batches.clone(), failures.clone());
                    std::thread::spawn(move || {
                        let agent = ureq::AgentBuilder::new()
                            .timeout(Duration::from_secs(60))
                            .build();
                        let url = format!("{}/api/events", o.url);
                        let mut rng = rand::rng();
                        while sent.load(Ordering::Relaxed) < target {
                            let n = batches.fetch_add(1, Ordering::Relaxed);
                            let events = journey(&mut rng, now_ms() - 600_000);
                            let count = events.len() as u64;
                            let body =
                                json!({"version": 1, "batch": format!("b-{run}-{worker}-{n}"),
                                "visit": format!("v-{run}-{n}"), "events": events})
                                .to_string();
                            match agent
                                .post(&url)
                                .set("Content-Type", "application/json")
                                .send_string(&body)
                            {
                                Ok(r) if r.status() == 202 => {
                                    sent.fetch_add(count, Ordering::Relaxed);
                                }
                                _ => {
                                    failures.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            let total = sent.load(Ordering::Relaxed);
            let (since, before) = last_report;
            let rate = (total - before) as f64 / since.elapsed().as_secs_f64();
            println!(
                "ingest: {total} events in {} batches ({} refused), {:.0} events/s since the last figure, {} clients",
                batches.load(Ordering::Relaxed),
                failures.load(Ordering::Relaxed),
                rate,
                o.clients
            );
            let (seconds, report) = report_seconds(&o);
            println!(
                "report: 30 days over {total} events in {seconds:.2} s ({} visits with intent, {} tickets)",
                report["outcome"]["visits_with_intent"], report["outcome"]["tickets"]
            );
            last_report = (Instant::now(), total);
        }
        let total = sent.load(Ordering::Relaxed);
        println!(
            "overall: {total} events in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
}
