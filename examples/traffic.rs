//! Traffic generator (#16): drives journeys through the demo's own guided
//! fixes and articles using only the relay's public HTTP API, as widgets
//! would: it fetches the content bundle and the demo queries, walks flows
//! node by node, posts event batches to `/api/events` and real tickets to
//! `/api/tickets`. It never touches the database, so what `signpost
//! report` then shows is what the relay made of real requests.
//!
//! ```sh
//! target/native/signpost serve --port 8096 --no-rate-limit --content public/demo/content --db /tmp/demo.sqlite3 &
//! cargo run --profile native --example traffic -- --url http://127.0.0.1:8096 --visits 500
//! target/native/signpost report --db /tmp/demo.sqlite3
//! ```
//!
//! Outcomes are drawn per visit with the given weights (percent):
//! `--resolve` (a guided fix to a `resolved` end), `--ticket` (a guided fix
//! to a `ticket` end, then a ticket), `--abandon` (a guided fix left
//! midway), `--article` (a search and an article, answered Yes or No;
//! `--article-no` percent of them No, half of those then a ticket), and
//! the rest a search with no result.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    traffic::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod traffic {
    use rand::seq::IndexedRandom;
    use rand::Rng;
    use serde_json::{json, Value};
    use std::collections::{BTreeMap, BTreeSet};
    use std::process::exit;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    struct Options {
        url: String,
        visits: usize,
        clients: usize,
        resolve: u32,
        ticket: u32,
        abandon: u32,
        article: u32,
        article_no: u32,
    }

    fn usage(problem: &str) -> ! {
        eprintln!(
            "traffic: {problem}\nusage: traffic --url http://127.0.0.1:PORT [--visits 200] [--clients 4] \
             [--resolve 40] [--ticket 15] [--abandon 15] [--article 20] [--article-no 40]\n\
             (the relay needs --content public/demo/content, and --no-rate-limit for many tickets)"
        );
        exit(2)
    }

    fn options() -> Options {
        let mut o = Options {
            url: String::new(),
            visits: 200,
            clients: 4,
            resolve: 40,
            ticket: 15,
            abandon: 15,
            article: 20,
            article_no: 40,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
            let number = || -> u32 {
                value
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("{flag} takes a number")))
            };
            match flag.as_str() {
                "--url" => o.url = value.trim_end_matches('/').to_string(),
                "--visits" => o.visits = number() as usize,
                "--clients" => o.clients = number().max(1) as usize,
                "--resolve" => o.resolve = number(),
                "--ticket" => o.ticket = number(),
                "--abandon" => o.abandon = number(),
                "--article" => o.article = number(),
                "--article-no" => o.article_no = number().min(100),
                other => usage(&format!("unknown option {other}")),
            }
        }
        if o.url.is_empty() {
            usage("--url is required");
        }
        if o.resolve + o.ticket + o.abandon + o.article > 100 {
            usage("--resolve, --ticket, --abandon and --article add up to more than 100");
        }
        o
    }

    /// The demo content as the widget gets it.
    struct Content {
        flows: Vec<Value>,
        articles: Vec<String>,
        /// Demo queries: (text, expected id).
        queries: Vec<(String, String)>,
    }

    fn get(url: &str) -> Value {
        match ureq::get(url).timeout(Duration::from_secs(30)).call() {
            Ok(response) => response
                .into_json()
                .unwrap_or_else(|e| usage(&format!("{url} is not JSON: {e}"))),
            Err(e) => usage(&format!("cannot fetch {url}: {e}")),
        }
    }

    fn content(url: &str) -> Content {
        let bundle = get(&format!("{url}/content/bundle.json"));
        let queries = get(&format!("{url}/demo/content/queries.json"));
        Content {
            flows: bundle["flows"].as_array().cloned().unwrap_or_default(),
            articles: bundle["articles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["id"].as_str().map(str::to_string))
                .collect(),
            queries: queries
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|q| {
                    Some((
                        q["query"].as_str()?.to_string(),
                        q["expected"].as_str()?.to_string(),
                    ))
                })
                .collect(),
        }
    }

    /// Where a node can go next: (target, how the widget got there).
    fn edges(node: &Value) -> Vec<(String, Step)> {
        let to = |key: &str| node[key].as_str().map(str::to_string);
        let mut out = Vec::new();
        match node["kind"].as_str().unwrap_or("") {
            "question" => {
                for choice in node["choices"].as_array().into_iter().flatten() {
                    if let (Some(next), Some(label)) =
                        (choice["next"].as_str(), choice["label"].as_str())
                    {
                        out.push((next.to_string(), Step::Answer(label.to_string())));
                    }
                }
            }
            "check" => {
                for outcome in ["pass", "fail", "error"] {
                    if let Some(next) = to(outcome) {
                        out.push((next, Step::Check(outcome)));
                    }
                }
            }
            "step" => {
                out.extend(to("fixed").map(|n| (n, Step::Answer("Yes, that fixed it".into()))));
                out.extend(to("not_fixed").map(|n| (n, Step::Answer("No, still broken".into()))));
            }
            "branch" => {
                for case in node["cases"].as_array().into_iter().flatten() {
                    out.extend(case["next"].as_str().map(|n| (n.to_string(), Step::Plain)));
                }
                out.extend(to("else").map(|n| (n, Step::Plain)));
            }
            _ => out.extend(to("next").map(|n| (n, Step::Plain))),
        }
        out
    }

    #[derive(Clone)]
    enum Step {
        Answer(String),
        Check(&'static str),
        Plain,
    }

    /// Nodes of `flow` from which an end of `kind` can be reached.
    fn can_reach(flow: &Value, kind: &str) -> BTreeSet<String> {
        let nodes = flow["nodes"].as_object().cloned().unwrap_or_default();
        let mut good: BTreeSet<String> = nodes
            .iter()
            .filter(|(_, n)| n["kind"] == kind)
            .map(|(id, _)| id.clone())
            .collect();
        loop {
            let before = good.len();
            for (id, node) in &nodes {
                if edges(node).iter().any(|(next, _)| good.contains(next)) {
                    good.insert(id.clone());
                }
            }
            if good.len() == before {
                return good;
            }
        }
    }

    struct Visit {
        events: Vec<Value>,
        t: u64,
    }

    impl Visit {
        fn push(&mut self, rng: &mut impl Rng, mut event: Value) {
            self.t += rng.random_range(800..9_000);
            event["at"] = json!(self.t);
            self.events.push(event);
        }
    }

    /// Posts a ticket as the widget's contact form would; true when stored.
    fn send_ticket(url: &str, rng: &mut impl Rng, message: &str, category: &str) -> bool {
        let key = format!("traffic-{:016x}", rng.random::<u64>());
        let ticket = json!({"version": 1, "message": message, "category": category,
            "page_url": "https://app.lumen.example/cameras"});
        ureq::post(&format!("{url}/api/tickets"))
            .set("Content-Type", "application/json")
            .set("Idempotency-Key", &key)
            .send_string(&ticket.to_string())
            .is_ok_and(|r| r.status() == 201)
    }

    /// Walks `flow` toward an end of `goal` (`resolved` or `ticket`);
    /// with `stop_after`, leaves after that many nodes instead.
    fn walk(
        o: &Options,
        rng: &mut impl Rng,
        visit: &mut Visit,
        flow: &Value,
        goal: &str,
        stop_after: Option<usize>,
    ) -> bool {
        let id = flow["id"].as_str().unwrap_or("");
        let good = can_reach(flow, goal);
        let mut node_id = flow["start"].as_str().unwrap_or("").to_string();
        if !good.contains(&node_id) {
            return false;
        }
        let from = ["search", "featured"]
            .choose(rng)
            .copied()
            .unwrap_or("search");
        visit.push(
            rng,
            json!({"kind": "flow_started", "flow": id, "from": from}),
        );
        let mut answer: Option<String> = None;
        for steps in 0..40 {
            let node = &flow["nodes"][&node_id];
            let mut reached = json!({"kind": "node_reached", "flow": id, "node": node_id});
            if let Some(a) = answer.take() {
                reached["answer"] = json!(a);
            }
            visit.push(rng, reached);
            let kind = node["kind"].as_str().unwrap_or("");
            if kind == "resolved" || kind == "ticket" {
                visit.push(
                    rng,
                    json!({"kind": "flow_ended", "flow": id, "node": node_id, "end": kind}),
                );
                if kind == "resolved" {
                    let helpful = rng.random_bool(0.85);
                    visit.push(
                        rng,
                        json!({"kind": "flow_rated", "flow": id, "helpful": helpful}),
                    );
                } else {
                    let origin = format!("{id}/{node_id}");
                    let category = node["category"].as_str().unwrap_or("general");
                    visit.push(
                        rng,
                        json!({"kind": "contact_opened", "from": "flow", "origin": origin}),
                    );
                    if send_ticket(&o.url, rng, "Generated by examples/traffic.rs", category) {
                        let tier = node["priority"].as_str().unwrap_or("howto");
                        visit.push(
                            rng,
                            json!({"kind": "ticket_sent", "category": category,
                            "tier": tier, "origin": origin}),
                        );
                    }
                }
                return true;
            }
            if stop_after.is_some_and(|n| steps + 1 >= n) {
                return true;
            }
            if kind == "article" {
                if let Some(article) = node["article"].as_str() {
                    visit.push(rng, json!({"kind": "article_viewed", "article": article}));
                }
            }
            let options: Vec<(String, Step)> = edges(node)
                .into_iter()
                .filter(|(next, _)| good.contains(next))
                .collect();
            let Some((next, step)) = options.choose(rng).cloned() else {
                return true;
            };
            match step {
                Step::Check(outcome) => {
                    let check = node["check"].as_str().unwrap_or("unknown");
                    let ms = rng.random_range(5..900);
                    visit.push(
                        rng,
                        json!({"kind": "check_done", "flow": id, "node": node_id,
                        "check": check, "outcome": outcome, "ms": ms}),
                    );
                }
                Step::Answer(label) => answer = Some(label),
                Step::Plain => {}
            }
            node_id = next;
        }
        true
    }

    /// Texts the demo has no answer for; each is made by several visits.
    const MISSING: [&str; 5] = [
        "zigbee pairing",
        "alexa skill",
        "hdmi output",
        "solar panel",
        "rtsp stream url",
    ];

    fn journey(o: &Options, content: &Content, rng: &mut impl Rng, tally: &Tally) -> Visit {
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
            - 3_600_000;
        let mut visit = Visit {
            events: Vec::new(),
            t: start,
        };
        visit.push(rng, json!({"kind": "panel_opened"}));
        let roll = rng.random_range(0..100);
        let flow_goal = if roll < o.resolve {
            Some(("resolved", None, &tally.resolve))
        } else if roll < o.resolve + o.ticket {
            Some(("ticket", None, &tally.ticket))
        } else if roll < o.resolve + o.ticket + o.abandon {
            Some(("resolved", Some(rng.random_range(1..3)), &tally.abandon))
        } else {
            None
        };
        if let Some((goal, stop, counter)) = flow_goal {
            let flows: Vec<&Value> = content
                .flows
                .iter()
                .filter(|f| can_reach(f, goal).contains(f["start"].as_str().unwrap_or("")))
                .collect();
            if let Some(flow) = flows.choose(rng) {
                let id = flow["id"].as_str().unwrap_or("");
                let query = content
                    .queries
                    .iter()
                    .filter(|(_, expected)| expected == id)
                    .map(|(q, _)| q.as_str())
                    .collect::<Vec<_>>();
                if let Some(q) = query.choose(rng) {
                    visit.push(
                        rng,
                        json!({"kind": "searched", "query": q, "results": 5, "top": id}),
                    );
                    visit.push(rng, json!({"kind": "result_chosen", "id": id, "rank": 1}));
                }
                if walk(o, rng, &mut visit, flow, goal, stop) {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        } else if roll < o.resolve + o.ticket + o.abandon + o.article {
            let with_article: Vec<&(String, String)> = content
                .queries
                .iter()
                .filter(|(_, e)| content.articles.contains(e))
                .collect();
            if let Some((q, article)) = with_article.choose(rng) {
                visit.push(
                    rng,
                    json!({"kind": "searched", "query": q, "results": 4, "top": article}),
                );
                visit.push(
                    rng,
                    json!({"kind": "result_chosen", "id": article, "rank": 1}),
                );
                visit.push(rng, json!({"kind": "article_viewed", "article": article}));
                let helpful = rng.random_range(0..100) >= o.article_no;
                visit.push(
                    rng,
                    json!({"kind": "article_answered", "article": article, "helpful": helpful}),
                );
                if helpful {
                    tally.article_yes.fetch_add(1, Ordering::Relaxed);
                } else {
                    tally.article_no.fetch_add(1, Ordering::Relaxed);
                    if rng.random_bool(0.5) {
                        visit.push(
                            rng,
                            json!({"kind": "contact_opened", "from": "article", "origin": article}),
                        );
                        if send_ticket(&o.url, rng, "Generated by examples/traffic.rs", "general") {
                            visit.push(
                                rng,
                                json!({"kind": "ticket_sent", "category": "general",
                                "tier": "howto", "origin": article}),
                            );
                            tally.ticket.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        } else {
            let text = MISSING.choose(rng).copied().unwrap_or("zigbee pairing");
            visit.push(
                rng,
                json!({"kind": "searched", "query": text, "results": 0}),
            );
            tally.no_result.fetch_add(1, Ordering::Relaxed);
        }
        visit
    }

    #[derive(Default)]
    struct Tally {
        resolve: AtomicUsize,
        ticket: AtomicUsize,
        abandon: AtomicUsize,
        article_yes: AtomicUsize,
        article_no: AtomicUsize,
        no_result: AtomicUsize,
        events: AtomicUsize,
        refused: AtomicUsize,
    }

    pub fn main() {
        let o = Arc::new(options());
        let content = Arc::new(content(&o.url));
        if content.flows.is_empty() {
            usage("the bundle has no flows; start the relay with --content public/demo/content");
        }
        let tally = Arc::new(Tally::default());
        let next = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..o.clients)
            .map(|_| {
                let (o, content, tally, next) =
                    (o.clone(), content.clone(), tally.clone(), next.clone());
                std::thread::spawn(move || {
                    let mut rng = rand::rng();
                    while next.fetch_add(1, Ordering::Relaxed) < o.visits {
                        let visit = journey(&o, &content, &mut rng, &tally);
                        let ids: [u64; 2] = [rng.random(), rng.random()];
                        let body = json!({"version": 1, "batch": format!("batch-{:016x}", ids[0]),
                            "visit": format!("visit-{:016x}", ids[1]), "events": visit.events});
                        // Some batches arrive as a page-hide beacon would send them.
                        let content_type = if rng.random_bool(0.3) {
                            "text/plain;charset=UTF-8"
                        } else {
                            "application/json"
                        };
                        let sent = ureq::post(&format!("{}/api/events", o.url))
                            .set("Content-Type", content_type)
                            .send_string(&body.to_string());
                        match sent {
                            Ok(r) if r.status() == 202 => {
                                tally
                                    .events
                                    .fetch_add(visit.events.len(), Ordering::Relaxed);
                            }
                            _ => {
                                tally.refused.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let n = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        let mut summary = BTreeMap::new();
        summary.insert("visits", o.visits);
        summary.insert("events accepted", n(&tally.events));
        summary.insert("batches refused", n(&tally.refused));
        summary.insert("guided fixes resolved", n(&tally.resolve));
        summary.insert("tickets sent", n(&tally.ticket));
        summary.insert("guided fixes abandoned", n(&tally.abandon));
        summary.insert("articles answered yes", n(&tally.article_yes));
        summary.insert("articles answered no", n(&tally.article_no));
        summary.insert("searches with no result", n(&tally.no_result));
        for (what, count) in summary {
            println!("{what:>24}: {count}");
        }
    }
}
