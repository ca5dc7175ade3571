//! Anonymous events (#16) as an operator sees them: the real `signpost
//! serve` binary taking batches over HTTP, the database read on its own,
//! and `signpost report --format json` counting scripted journeys. Every
//! test runs on SQLite and on a throwaway Postgres cluster.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use relay_support::{run_cli, serve_command, Answer, Backend, Relay, TestDb};
use serde_json::{json, Value};
use std::sync::{Arc, Barrier};
use std::time::Duration;

on_both_backends!(
    a_batch_is_accepted_and_stored_once_even_when_replayed,
    the_same_batch_sent_concurrently_is_stored_once,
    a_malformed_batch_an_unknown_kind_and_a_wrong_version_get_400_naming_the_field,
    an_oversized_batch_gets_413_and_nothing_is_stored,
    a_beacon_s_text_plain_body_is_accepted_and_other_types_get_415,
    cors_and_origins_follow_the_allow_list,
    a_client_over_its_event_budget_gets_429_with_retry_after,
    the_client_address_is_never_stored_and_free_text_is_scrubbed_again,
    the_report_counts_scripted_journeys_exactly,
    the_report_in_every_format_and_behind_the_inbox_token,
    the_documented_batch_gets_the_documented_answers,
);

#[test]
fn a_retention_of_zero_days_is_refused_at_start() {
    let output = serve_command()
        .args(["serve", "--port", "0", "--analytics-retention-days", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("analytics_retention_days"), "{err}");
}

/// A batch body with these events (JSON values) and ids.
fn batch(id: &str, visit: &str, events: &[Value]) -> String {
    json!({ "version": 1, "batch": id, "visit": visit, "events": events }).to_string()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn post_events(relay: &Relay, body: &str, content_type: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = ureq::post(&format!("{}/api/events", relay.base))
        .timeout(Duration::from_secs(30))
        .set("Content-Type", content_type);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    Answer::from(request.send_string(body))
}

fn post(relay: &Relay, body: &str) -> Answer {
    post_events(relay, body, "application/json", &[])
}

/// Every text value in the analytics tables, for privacy checks.
fn all_text(db: &TestDb) -> Vec<String> {
    let tables = [
        "event_batches",
        "events",
        "visits",
        "flow_runs",
        "visit_searches",
        "daily_counts",
    ];
    let mut out = Vec::new();
    for table in tables {
        out.extend(query_text(db, &format!("SELECT * FROM {table}")));
    }
    out
}

fn query_text(db: &TestDb, sql: &str) -> Vec<String> {
    match db.backend {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(&db.location).unwrap();
            let mut stmt = conn.prepare(sql).unwrap();
            let width = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            let mut out = Vec::new();
            while let Some(row) = rows.next().unwrap() {
                for i in 0..width {
                    if let Ok(text) = row.get::<_, String>(i) {
                        out.push(text);
                    }
                }
            }
            out
        }
        Backend::Postgres => {
            let mut client = ::postgres::Client::connect(&db.location, ::postgres::NoTls).unwrap();
            let mut out = Vec::new();
            for row in client.query(sql, &[]).unwrap() {
                for i in 0..row.len() {
                    if let Ok(Some(text)) = row.try_get::<_, Option<String>>(i) {
                        out.push(text);
                    }
                }
            }
            out
        }
    }
}

fn count(db: &TestDb, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db.backend {
        Backend::Sqlite => rusqlite::Connection::open(&db.location)
            .unwrap()
            .query_row(&sql, [], |r| r.get(0))
            .unwrap(),
        Backend::Postgres => ::postgres::Client::connect(&db.location, ::postgres::NoTls)
            .unwrap()
            .query_one(&sql, &[])
            .unwrap()
            .get(0),
    }
}

fn three_events(at: u64) -> Vec<Value> {
    vec![
        json!({"kind": "panel_opened", "at": at}),
        json!({"kind": "searched", "at": at + 1, "query": "wifi drops", "results": 2, "top": "camera-wifi"}),
        json!({"kind": "article_viewed", "at": at + 2, "article": "reset-camera"}),
    ]
}

fn a_batch_is_accepted_and_stored_once_even_when_replayed(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let body = batch(
        "batch-once-0001",
        "visit-once-0001",
        &three_events(now_ms()),
    );
    let first = post(&relay, &body);
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.json(), json!({"accepted": 3}));
    assert_eq!(count(&db, "events"), 3);

    // sendBeacon may send twice: the same batch id is answered, not stored.
    let again = post(&relay, &body);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["accepted"], 3);
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(count(&db, "events"), 3);
    assert_eq!(count(&db, "event_batches"), 1);
}

fn the_same_batch_sent_concurrently_is_stored_once(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Arc::new(Relay::start(&db, &["--no-rate-limit"]));
    let body = Arc::new(batch(
        "batch-race-0001",
        "visit-race-0001",
        &three_events(now_ms()),
    ));
    let senders = 8;
    let barrier = Arc::new(Barrier::new(senders));
    let statuses: Vec<u16> = (0..senders)
        .map(|_| {
            let (relay, body, barrier) = (relay.clone(), body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                post(&relay, &body).status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        senders - 1,
        "{statuses:?}"
    );
    assert_eq!(count(&db, "events"), 3);
    assert_eq!(count(&db, "visits"), 1);
    let report = report_json(&relay, &[]);
    assert_eq!(report["outcome"]["visits_with_intent"], 1, "{report}");
    assert_eq!(report["content_gaps"]["searches"], 1, "{report}");
}

fn a_malformed_batch_an_unknown_kind_and_a_wrong_version_get_400_naming_the_field(
    backend: Backend,
) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let malformed = post(&relay, "{\"version\":1,");
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.json()["error"]
            .as_str()
            .unwrap()
            .contains("invalid events JSON"),
        "{}",
        malformed.body
    );

    let unknown = post(
        &relay,
        &batch(
            "batch-bad-00001",
            "visit-bad-00001",
            &[
                json!({"kind": "panel_opened", "at": 1}),
                json!({"kind": "page_viewed", "at": 2}),
            ],
        ),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["field"], "events[1].kind");
    assert!(unknown.json()["error"]
        .as_str()
        .unwrap()
        .contains("page_viewed"));

    let wrong_version = post(
        &relay,
        &json!({"version": 2, "batch": "batch-bad-00002", "visit": "visit-bad-00001", "events": []})
            .to_string(),
    );
    assert_eq!(wrong_version.status, 400);
    assert_eq!(wrong_version.json()["field"], "version");

    let personal = post(
        &relay,
        &batch(
            "batch-bad-00003",
            "visit-bad-00001",
            &[json!({"kind": "panel_opened", "at": 1, "email": "ana@example.com"})],
        ),
    );
    assert_eq!(personal.status, 400);
    assert!(personal.json()["error"].as_str().unwrap().contains("email"));
    assert_eq!(count(&db, "events"), 0);
    assert_eq!(count(&db, "event_batches"), 0);
}

fn an_oversized_batch_gets_413_and_nothing_is_stored(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let padding = " ".repeat(200 * 1024);
    let body = format!(
        "{}{padding}",
        batch(
            "batch-big-00001",
            "visit-big-00001",
            &three_events(now_ms())
        )
    );
    let answer = post(&relay, &body);
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("larger than"));
    assert_eq!(count(&db, "events"), 0);
}

fn a_beacon_s_text_plain_body_is_accepted_and_other_types_get_415(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    // What navigator.sendBeacon(url, string) sends.
    let beacon = post_events(
        &relay,
        &batch(
            "batch-beacon-01",
            "visit-beacon-01",
            &three_events(now_ms()),
        ),
        "text/plain;charset=UTF-8",
        &[],
    );
    assert_eq!(beacon.status, 202, "{}", beacon.body);
    let form = post_events(
        &relay,
        &batch(
            "batch-beacon-02",
            "visit-beacon-01",
            &three_events(now_ms()),
        ),
        "application/x-www-form-urlencoded",
        &[],
    );
    assert_eq!(form.status, 415);
    assert_eq!(form.json()["field"], "Content-Type");
    assert_eq!(count(&db, "events"), 3);
}

fn cors_and_origins_follow_the_allow_list(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &["--allow-origin", "https://app.lumen.example"]);
    let preflight = |origin: &str| {
        Answer::from(
            ureq::request("OPTIONS", &format!("{}/api/events", relay.base))
                .set("Origin", origin)
                .set("Access-Control-Request-Method", "POST")
                .set("Access-Control-Request-Headers", "content-type")
                .call(),
        )
    };
    assert_eq!(
        preflight("https://app.lumen.example").header("access-control-allow-origin"),
        Some("https://app.lumen.example")
    );
    assert_eq!(
        preflight("https://evil.example").header("access-control-allow-origin"),
        None
    );

    // A text/plain beacon skips the preflight, so the relay checks the origin.
    let allowed = post_events(
        &relay,
        &batch(
            "batch-origin-01",
            "visit-origin-01",
            &three_events(now_ms()),
        ),
        "text/plain;charset=UTF-8",
        &[("Origin", "https://app.lumen.example")],
    );
    assert_eq!(allowed.status, 202, "{}", allowed.body);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.lumen.example")
    );
    let same_site = post_events(
        &relay,
        &batch(
            "batch-origin-02",
            "visit-origin-01",
            &three_events(now_ms()),
        ),
        "text/plain;charset=UTF-8",
        &[("Origin", &relay.base)],
    );
    assert_eq!(same_site.status, 202, "{}", same_site.body);
    let foreign = post_events(
        &relay,
        &batch(
            "batch-origin-03",
            "visit-origin-01",
            &three_events(now_ms()),
        ),
        "text/plain;charset=UTF-8",
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.json()["field"], "Origin");
    assert_eq!(count(&db, "events"), 6);
}

fn a_client_over_its_event_budget_gets_429_with_retry_after(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let config = db.dir.path().join("signpost.toml");
    std::fs::write(
        &config,
        "[rate_limit]\nevents_burst = 2\nevents_per_minute = 1\n",
    )
    .unwrap();
    let relay = Relay::start(&db, &["--config", config.to_str().unwrap()]);
    for n in 0..2 {
        let body = batch(
            &format!("batch-rate-000{n}"),
            "visit-rate-0001",
            &three_events(now_ms()),
        );
        assert_eq!(post(&relay, &body).status, 202);
    }
    let over = post(
        &relay,
        &batch(
            "batch-rate-0009",
            "visit-rate-0001",
            &three_events(now_ms()),
        ),
    );
    assert_eq!(over.status, 429);
    let wait: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(count(&db, "events"), 6);
    // Tickets keep their own budget.
    assert_eq!(
        relay
            .post(Some("key-rate-events-1"), relay_support::TICKET, &[])
            .status,
        201
    );
}

fn the_client_address_is_never_stored_and_free_text_is_scrubbed_again(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &["--trust-proxy"]);
    let at = now_ms();
    let events = [
        json!({"kind": "panel_opened", "at": at}),
        // A widget that did not scrub (an old build, or a script posting
        // directly): the relay scrubs again.
        json!({"kind": "searched", "at": at + 1, "query": "reset for jane.doe@example.com", "results": 0}),
        json!({"kind": "node_reached", "at": at + 2, "flow": "camera-wifi", "node": "band",
               "answer": "card 4111 1111 1111 1111"}),
    ];
    let answer = post_events(
        &relay,
        &batch("batch-private-1", "visit-private-1", &events),
        "application/json",
        &[("X-Forwarded-For", "203.0.113.77")],
    );
    assert_eq!(answer.status, 202, "{}", answer.body);
    let text = all_text(&db).join("\n");
    assert!(text.contains("visit-private-1"), "the tables were read");
    for secret in [
        "203.0.113.77",
        "127.0.0.1",
        "jane.doe@example.com",
        "4111 1111 1111 1111",
    ] {
        assert!(!text.contains(secret), "{secret} was stored:\n{text}");
    }
    assert!(text.contains("reset for"), "{text}");
}

/// `signpost report --format json` over the relay's database.
fn report_json(relay: &Relay, extra: &[&str]) -> Value {
    let output = report(relay, &[&["--format", "json"], extra].concat());
    serde_json::from_str(&output).unwrap_or_else(|e| panic!("{e}: {output}"))
}

fn report(relay: &Relay, args: &[&str]) -> String {
    run_cli(&[&["report", "--db", &relay.db], args].concat())
}

/// The moment 31 minutes from now, so runs without an end count as abandoned.
fn later_until() -> String {
    let t = time::OffsetDateTime::now_utc() + Duration::from_secs(31 * 60);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The five journeys of #16, each its own visit, sent as the widget sends them.
fn send_journeys(relay: &Relay) {
    let t = now_ms() - 60_000;
    let journeys: Vec<(&str, Vec<Value>)> = vec![
        // 1. One fix resolved.
        (
            "visit-fix-00001",
            vec![
                json!({"kind": "panel_opened", "at": t}),
                json!({"kind": "searched", "at": t + 1_000, "query": "camera offline", "results": 3, "top": "camera-wifi"}),
                json!({"kind": "result_chosen", "at": t + 2_000, "id": "camera-wifi", "rank": 1}),
                json!({"kind": "flow_started", "at": t + 2_000, "flow": "camera-wifi", "from": "search"}),
                json!({"kind": "node_reached", "at": t + 2_000, "flow": "camera-wifi", "node": "band"}),
                json!({"kind": "check_done", "at": t + 3_000, "flow": "camera-wifi", "node": "band", "check": "browser.online", "outcome": "pass", "ms": 12}),
                json!({"kind": "node_reached", "at": t + 10_000, "flow": "camera-wifi", "node": "switch-band", "answer": "5 GHz"}),
                json!({"kind": "node_reached", "at": t + 20_000, "flow": "camera-wifi", "node": "fixed-band"}),
                json!({"kind": "flow_ended", "at": t + 20_000, "flow": "camera-wifi", "node": "fixed-band", "end": "resolved"}),
                json!({"kind": "flow_rated", "at": t + 25_000, "flow": "camera-wifi", "helpful": true}),
            ],
        ),
        // 2. An article answered Yes.
        (
            "visit-yes-00001",
            vec![
                json!({"kind": "panel_opened", "at": t}),
                json!({"kind": "article_viewed", "at": t + 1_000, "article": "reset-password"}),
                json!({"kind": "article_answered", "at": t + 5_000, "article": "reset-password", "helpful": true}),
            ],
        ),
        // 3. An article answered No, then a ticket.
        (
            "visit-no-000001",
            vec![
                json!({"kind": "panel_opened", "at": t}),
                json!({"kind": "searched", "at": t + 500, "query": "invoice twice", "results": 1, "top": "billing-dup"}),
                json!({"kind": "article_viewed", "at": t + 1_000, "article": "billing-dup"}),
                json!({"kind": "article_answered", "at": t + 5_000, "article": "billing-dup", "helpful": false}),
                json!({"kind": "contact_opened", "at": t + 6_000, "from": "article", "origin": "billing-dup"}),
                json!({"kind": "ticket_sent", "at": t + 30_000, "category": "billing", "tier": "billing", "origin": "billing-dup"}),
            ],
        ),
        // 4. An abandoned flow.
        (
            "visit-gone-0001",
            vec![
                json!({"kind": "panel_opened", "at": t}),
                json!({"kind": "flow_started", "at": t + 1_000, "flow": "camera-wifi", "from": "featured"}),
                json!({"kind": "node_reached", "at": t + 1_000, "flow": "camera-wifi", "node": "band"}),
                json!({"kind": "check_done", "at": t + 2_000, "flow": "camera-wifi", "node": "band", "check": "browser.online", "outcome": "fail", "ms": 40}),
                json!({"kind": "node_reached", "at": t + 4_000, "flow": "camera-wifi", "node": "switch-band", "answer": "2.4 GHz"}),
            ],
        ),
        // 5. A search with no result.
        (
            "visit-none-0001",
            vec![
                json!({"kind": "panel_opened", "at": t}),
                json!({"kind": "searched", "at": t + 1_000, "query": "zigbee pairing", "results": 0}),
            ],
        ),
    ];
    for (i, (visit, events)) in journeys.iter().enumerate() {
        let answer = post(relay, &batch(&format!("batch-journey-{i}"), visit, events));
        assert_eq!(answer.status, 202, "{visit}: {}", answer.body);
    }
}

fn the_report_counts_scripted_journeys_exactly(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    send_journeys(&relay);
    let report = report_json(&relay, &["--until", &later_until()]);
    let outcome = &report["outcome"];
    assert_eq!(outcome["visits_with_intent"], 5, "{report:#}");
    // The resolved fix and the article answered Yes.
    assert_eq!(outcome["verified_resolutions"], 2, "{report:#}");
    assert_eq!(outcome["resolved_flows"], 1);
    assert_eq!(outcome["helpful_articles"], 1);
    assert_eq!(outcome["tickets"], 1);
    assert_eq!(outcome["abandoned"], 1);
    assert_eq!(outcome["self_service_rate"], json!(2.0 / 3.0));

    let fixes = report["fix_in_product"].as_array().unwrap();
    assert_eq!(fixes.len(), 1, "{report:#}");
    assert_eq!(fixes[0]["flow"], "camera-wifi");
    assert_eq!(fixes[0]["node"], "fixed-band");
    assert_eq!(fixes[0]["count"], 1);
    assert_eq!(fixes[0]["previous"], 0);

    let flows = report["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1, "{report:#}");
    let flow = &flows[0];
    assert_eq!(flow["flow"], "camera-wifi");
    assert_eq!(flow["started"], 2);
    assert_eq!(flow["resolved"], 1);
    assert_eq!(flow["tickets"], 0);
    assert_eq!(flow["abandoned"], 1);
    let nodes: Vec<(String, i64, i64)> = flow["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["node"].as_str().unwrap().to_string(),
                n["reached"].as_i64().unwrap(),
                n["abandoned_here"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        [
            ("band".to_string(), 2, 0),
            ("switch-band".to_string(), 2, 1),
            ("fixed-band".to_string(), 1, 0),
        ]
    );
    assert_eq!(flow["median_steps_to_resolution"], 3.0);
    assert_eq!(flow["median_seconds_to_resolution"], 18.0);
    assert_eq!(flow["flagged"], false);

    let gaps = &report["content_gaps"];
    assert_eq!(gaps["no_result_searches"], 1);
    // One visit each: counted, never shown.
    assert_eq!(gaps["no_result"]["shown"], json!([]));
    assert_eq!(gaps["no_result"]["other_visits"], 1);
    assert_eq!(gaps["then_ticket"]["other_visits"], 1);
    assert_eq!(
        gaps["articles_answered_no"],
        json!([{"article": "billing-dup", "no": 1, "yes": 0}])
    );

    let tickets = &report["tickets"];
    assert_eq!(tickets["by_tier"], json!([{"name": "billing", "count": 1}]));
    assert_eq!(
        tickets["by_category"],
        json!([{"name": "billing", "count": 1}])
    );
    assert_eq!(
        tickets["by_origin"],
        json!([{"name": "billing-dup", "count": 1}])
    );

    // Before the 30 minutes have passed, the open run is in progress.
    let now = report_json(&relay, &[]);
    assert_eq!(now["outcome"]["abandoned"], 0, "{now:#}");
    assert_eq!(now["outcome"]["in_progress"], 1);
    // A period before the journeys holds none of them.
    let before = report_json(&relay, &["--until", "2020-01-31"]);
    assert_eq!(before["outcome"]["visits_with_intent"], 0);
}

fn the_report_in_every_format_and_behind_the_inbox_token(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    const TOKEN: &str = "inbox-token-for-tests-0001";
    let relay = Relay::start_with_env(&db, &[], &[("SIGNPOST_INBOX_TOKEN", TOKEN)]);
    send_journeys(&relay);
    // Three visits search one text: it is shown; its words are escaped.
    for n in 0..3 {
        let events = [
            json!({"kind": "searched", "at": now_ms(), "query": "<b>router</b> & hub", "results": 0}),
        ];
        let answer = post(
            &relay,
            &batch(
                &format!("batch-html-000{n}"),
                &format!("visit-html-000{n}"),
                &events,
            ),
        );
        assert_eq!(answer.status, 202);
    }
    let until = later_until();
    let json = report_json(&relay, &["--until", &until]);
    assert_eq!(
        json["content_gaps"]["no_result"]["shown"],
        json!([{"text": "<b>router</b> & hub", "visits": 3}])
    );

    let text = report(&relay, &["--until", &until]);
    for heading in [
        "Self-service outcome",
        "Fix in the product",
        "Where self-help fails",
        "Content gaps",
        "Tickets",
    ] {
        assert!(text.contains(heading), "{heading} missing:\n{text}");
    }
    assert!(text.contains("Self-service rate"), "{text}");
    assert!(text.contains("camera-wifi"), "{text}");

    let csv = report(&relay, &["--until", &until, "--format", "csv"]);
    assert!(csv.starts_with("section,flow,name,value"), "{csv}");
    assert!(csv.contains("outcome,,tickets,1"), "{csv}");

    let html = report(&relay, &["--until", &until, "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(
        !html.contains("<b>router</b>"),
        "search text must be escaped"
    );
    assert!(html.contains("&lt;b&gt;router&lt;/b&gt; &amp; hub"));
    for external in ["src=\"http", "href=\"http", "<script", "@import", "url("] {
        assert!(!html.contains(external), "{external} in the page");
    }

    let bad = serve_command()
        .args(["report", "--db", &relay.db, "--since", "yesterday"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--since") && err.contains("yesterday"),
        "{err}"
    );

    let locked = relay.get("/inbox/report", &[]);
    assert_eq!(locked.status, 401);
    let page = relay.get(
        "/inbox/report",
        &[("Authorization", &format!("Bearer {TOKEN}"))],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Self-service outcome"));
    assert!(page.body.contains("<svg"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
}

/// The `json event-batch` example of docs/analytics.md.
fn documented_batch() -> String {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/analytics.md"),
    )
    .unwrap();
    let start = doc
        .find("```json event-batch\n")
        .expect("the example batch")
        + 19;
    let end = start + doc[start..].find("```").unwrap();
    doc[start..end].to_string()
}

fn the_documented_batch_gets_the_documented_answers(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let body = documented_batch();
    let events = serde_json::from_str::<Value>(&body).unwrap()["events"]
        .as_array()
        .unwrap()
        .len();
    let kinds: std::collections::BTreeSet<String> = serde_json::from_str::<Value>(&body).unwrap()
        ["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.len(), 13, "the example has every kind: {kinds:?}");
    let first = post_events(&relay, &body, "text/plain;charset=UTF-8", &[]);
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.json(), json!({ "accepted": events }));
    let again = post(&relay, &body);
    assert_eq!(again.status, 200);
    assert_eq!(
        again.json(),
        json!({ "accepted": events, "replayed": true })
    );
    assert_eq!(count(&db, "events"), events as i64);
}
