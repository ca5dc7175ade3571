//! Relay load test: many concurrent clients post tickets to a running
//! `signpost serve` (a second process, over loopback), then every
//! acknowledged key is looked up in the database. Reports tickets/s and
//! latency percentiles, and fails if any acknowledged ticket is missing or
//! stored twice.
//!
//! ```sh
//! signpost serve --port 8099 --no-rate-limit --db /tmp/load.sqlite3 &   # or --db postgres://…
//! cargo run --profile native --example relay_load -- \
//!     --url http://127.0.0.1:8099 --db /tmp/load.sqlite3 [--tickets 5000] [--clients 16]
//! ```
//!
//! Every tenth ticket is sent twice, as a widget retrying after a lost
//! answer would; the retry must get the same reference and store nothing.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    load::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod load {
    use signpost::core::search::eval::percentile;
    use std::collections::HashMap;
    use std::process::exit;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    struct Options {
        url: String,
        db: String,
        tickets: usize,
        clients: usize,
    }

    fn options() -> Options {
        let mut args = std::env::args().skip(1);
        let (mut url, mut db, mut tickets, mut clients) = (None, None, 5000, 16);
        while let Some(flag) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
            };
            match flag.as_str() {
                "--url" => url = Some(value()),
                "--db" => db = Some(value()),
                "--tickets" => {
                    tickets = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--tickets takes a number"))
                }
                "--clients" => {
                    clients = value()
                        .parse()
                        .unwrap_or_else(|_| usage("--clients takes a number"))
                }
                other => usage(&format!("unknown option {other}")),
            }
        }
        Options {
            url: url.unwrap_or_else(|| usage("--url is required")),
            db: db.unwrap_or_else(|| usage("--db is required (to count what was stored)")),
            tickets,
            clients: clients.max(1),
        }
    }

    fn usage(problem: &str) -> ! {
        eprintln!(
            "relay_load: {problem}\nusage: relay_load --url http://127.0.0.1:PORT --db FILE|postgres://… \
             [--tickets N] [--clients N]\n(start the relay with --no-rate-limit)"
        );
        exit(2)
    }

    #[derive(Default)]
    struct Tally {
        /// key → reference, for each first 201.
        acknowledged: HashMap<String, String>,
        latencies: Vec<Duration>,
        replays_differing: usize,
        errors: HashMap<String, usize>,
    }

    pub fn main() {
        let options = options();
        let run = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let prefix = format!("load-{run}-");
        let endpoint = format!("{}/api/tickets", options.url.trim_end_matches('/'));
        let next = Arc::new(AtomicUsize::new(0));
        let tally = Arc::new(Mutex::new(Tally::default()));
        println!(
            "relay_load: {} tickets from {} clients to {endpoint}",
            options.tickets, options.clients
        );
        let started = Instant::now();
        let workers: Vec<_> = (0..options.clients)
            .map(|_| {
                let (next, tally, endpoint, prefix) =
                    (next.clone(), tally.clone(), endpoint.clone(), prefix.clone());
                let tickets = options.tickets;
                std::thread::spawn(move || {
                    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                    let mut local = Tally::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= tickets {
                            break;
                        }
                        let key = format!("{prefix}{i:08}");
                        let body = format!(
                            r#"{{"version":1,"message":"Load ticket {i}: camera offline after firmware update","email":"user{i}@example.com"}}"#
                        );
                        let sends = if i % 10 == 0 { 2 } else { 1 };
                        for attempt in 0..sends {
                            let sent = Instant::now();
                            let answer = agent
                                .post(&endpoint)
                                .set("Content-Type", "application/json")
                                .set("Idempotency-Key", &key)
                                .send_string(&body);
                            local.latencies.push(sent.elapsed());
                            match answer {
                                Ok(response) if response.status() == 201 => {
                                    let json: serde_json::Value = response.into_json().unwrap_or_default();
                                    let reference = json["reference"].as_str().unwrap_or("").to_string();
                                    if attempt == 0 {
                                        local.acknowledged.insert(key.clone(), reference);
                                    } else if local.acknowledged.get(&key) != Some(&reference) {
                                        local.replays_differing += 1;
                                    }
                                }
                                Ok(response) => *local.errors.entry(format!("HTTP {}", response.status())).or_default() += 1,
                                Err(ureq::Error::Status(status, _)) => {
                                    *local.errors.entry(format!("HTTP {status}")).or_default() += 1
                                }
                                Err(e) => *local.errors.entry(e.kind().to_string()).or_default() += 1,
                            }
                        }
                    }
                    let mut all = tally.lock().unwrap();
                    all.acknowledged.extend(local.acknowledged);
                    all.latencies.extend(local.latencies);
                    all.replays_differing += local.replays_differing;
                    for (error, count) in local.errors {
                        *all.errors.entry(error).or_default() += count;
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a client thread panicked");
        }
        let elapsed = started.elapsed();
        let mut tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
        tally.latencies.sort();
        let ms: Vec<f64> = tally
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();

        let stored = stored_rows(&options.db, &prefix);
        let mut per_key: HashMap<&str, Vec<&str>> = HashMap::new();
        for (key, reference) in &stored {
            per_key.entry(key).or_default().push(reference);
        }
        let duplicated = per_key.values().filter(|refs| refs.len() > 1).count();
        let lost = tally
            .acknowledged
            .iter()
            .filter(|(key, reference)| {
                per_key
                    .get(key.as_str())
                    .is_none_or(|refs| !refs.contains(&reference.as_str()))
            })
            .count();

        println!(
            "requests:     {} in {:.2} s ({} retries of a sent key)",
            tally.latencies.len(),
            elapsed.as_secs_f64(),
            options.tickets.div_ceil(10)
        );
        println!(
            "tickets/s:    {:.0} (acknowledged new tickets)",
            tally.acknowledged.len() as f64 / elapsed.as_secs_f64()
        );
        println!(
            "latency:      p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(&ms, 0.50),
            percentile(&ms, 0.99),
            percentile(&ms, 1.0)
        );
        println!(
            "acknowledged: {} of {}",
            tally.acknowledged.len(),
            options.tickets
        );
        println!("stored rows:  {}", stored.len());
        println!("lost:         {lost}");
        println!("duplicated:   {duplicated}");
        println!(
            "replays with another reference: {}",
            tally.replays_differing
        );
        for (error, count) in &tally.errors {
            println!("errors:       {count} × {error}");
        }
        if lost > 0 || duplicated > 0 || tally.replays_differing > 0 {
            exit(1);
        }
    }

    /// `(idempotency_key, reference)` of this run's rows.
    fn stored_rows(db: &str, prefix: &str) -> Vec<(String, String)> {
        let sql_like = format!("{prefix}%");
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap_or_else(|e| {
                eprintln!("relay_load: cannot connect to {db}: {e}");
                exit(2)
            });
            client
                .query(
                    "SELECT idempotency_key, reference FROM tickets WHERE idempotency_key LIKE $1",
                    &[&sql_like],
                )
                .expect("read the tickets")
                .iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect()
        } else {
            let conn = rusqlite::Connection::open(db).unwrap_or_else(|e| {
                eprintln!("relay_load: cannot open {db}: {e}");
                exit(2)
            });
            let mut stmt = conn
                .prepare(
                    "SELECT idempotency_key, reference FROM tickets WHERE idempotency_key LIKE ?1",
                )
                .expect("read the tickets");
            stmt.query_map([&sql_like], |row| Ok((row.get(0)?, row.get(1)?)))
                .expect("read the tickets")
                .collect::<Result<_, _>>()
                .expect("read the tickets")
        }
    }
}
