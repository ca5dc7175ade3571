//! The relay as an operator runs it: the real `signpost serve` binary on a
//! free port, real HTTP requests, and the database checked on its own.
//! Every test runs twice: on SQLite and on a throwaway Postgres cluster.
#![cfg(not(target_arch = "wasm32"))]

mod relay_support;

use relay_support::{Backend, Relay, TestDb, TICKET};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

on_both_backends!(
    a_ticket_is_stored_once_and_a_retry_gets_the_same_reference,
    an_oversized_ticket_is_refused_with_413_before_its_body_is_read,
    an_oversized_body_without_a_length_is_cut_off_with_413,
    cors_allows_only_configured_origins,
    the_demo_page_embeds_the_widget_version_this_relay_serves,
    the_same_key_sent_concurrently_is_stored_once,
    slow_bodies_and_slow_headers_get_408,
    a_stalled_body_on_any_route_is_not_waited_for_forever,
    an_open_connection_costs_one_file_descriptor,
    a_database_that_refuses_writes_gets_503_and_nothing_unstored_is_acknowledged,
    every_acknowledged_ticket_survives_a_sigkill_mid_load,
    a_database_from_a_newer_signpost_is_refused_at_start,
    sigterm_stops_the_relay_cleanly,
    the_relay_tells_any_page_its_time_for_clock_checks,
);

fn the_relay_tells_any_page_its_time_for_clock_checks(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    for method in ["HEAD", "GET"] {
        let answer = relay_support::Answer::from(
            ureq::request(method, &format!("{}/api/time", relay.base))
                .set("Origin", "https://shop.example")
                .call(),
        );
        assert_eq!(answer.status, 204, "{method}");
        // An IMF-fixdate, readable cross-origin, never cached.
        let date = answer.header("date").expect("a Date header");
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(answer.header("access-control-expose-headers"), Some("date"));
        assert_eq!(answer.header("cache-control"), Some("no-store"));
    }
}

fn a_ticket_is_stored_once_and_a_retry_gets_the_same_reference(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let first = relay.post(Some("key-retry-0001"), TICKET, &[]);
    assert_eq!(first.status, 201, "{}", first.body);
    let reference = first.json()["reference"].as_str().unwrap().to_string();
    assert!(reference.starts_with("SP-"), "{reference}");
    // The widget's clock check reads the relay's Date header.
    assert!(first.header("date").is_some());

    let retry = relay.post(Some("key-retry-0001"), TICKET, &[]);
    assert_eq!(retry.status, 201);
    assert_eq!(retry.json()["reference"], reference.as_str());
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));

    let rows = db.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, reference);
    let stored: serde_json::Value = serde_json::from_str(&rows[0].2).unwrap();
    assert_eq!(stored["message"], "Camera will not join Wi-Fi");
}

fn an_oversized_ticket_is_refused_with_413_before_its_body_is_read(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    // Declare 300 KB and send none of it: the relay must answer from the
    // header alone rather than buffer a body it will refuse.
    let addr = relay.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /api/tickets HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: key-huge-0001\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        300 * 1024
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("larger than"), "{response}");
    assert!(db.rows().is_empty());
}

fn an_oversized_body_without_a_length_is_cut_off_with_413(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let addr = relay.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /api/tickets HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: key-huge-0002\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let chunk = "x".repeat(64 * 1024);
    // 320 KB in chunks; the relay may close before all of it is written.
    for _ in 0..5 {
        if write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).is_err() {
            break;
        }
    }
    let _ = write!(stream, "0\r\n\r\n");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(db.rows().is_empty());
}

fn cors_allows_only_configured_origins(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &["--allow-origin", "https://app.lumen.example"]);
    let preflight = |origin: &str| {
        relay_support::Answer::from(
            ureq::request("OPTIONS", &format!("{}/api/tickets", relay.base))
                .set("Origin", origin)
                .set("Access-Control-Request-Method", "POST")
                .set(
                    "Access-Control-Request-Headers",
                    "content-type,idempotency-key",
                )
                .call(),
        )
    };
    let allowed = preflight("https://app.lumen.example");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.lumen.example")
    );
    assert!(allowed
        .header("access-control-allow-headers")
        .unwrap()
        .contains("idempotency-key"));
    assert_eq!(
        preflight("https://evil.example").header("access-control-allow-origin"),
        None
    );
}

fn the_demo_page_embeds_the_widget_version_this_relay_serves(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let page = relay.get("/", &[]);
    assert_eq!(page.status, 200);
    let script = format!("/widget/{}/embed.js", env!("CARGO_PKG_VERSION"));
    assert!(
        page.body.contains(&format!("src=\"{script}\"")),
        "demo page must load {script}"
    );
    let loader = relay.get(&script, &[]);
    assert_eq!(loader.status, 200);
    // Any site may load the widget files.
    assert_eq!(loader.header("access-control-allow-origin"), Some("*"));
    assert_eq!(relay.get("/widget/0.0.0-old/embed.js", &[]).status, 404);
}

fn the_same_key_sent_concurrently_is_stored_once(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Arc::new(Relay::start(&db, &["--no-rate-limit"]));
    for round in 0..5 {
        let key = format!("key-race-{round:04}");
        let clients = 12;
        let barrier = Arc::new(Barrier::new(clients));
        let answers: Vec<_> = (0..clients)
            .map(|i| {
                let (relay, barrier, key) = (relay.clone(), barrier.clone(), key.clone());
                std::thread::spawn(move || {
                    // Half send another ticket under the same key.
                    let body = if i % 2 == 0 {
                        TICKET.to_string()
                    } else {
                        TICKET.replace("Wi-Fi", "Ethernet")
                    };
                    barrier.wait();
                    let answer = relay.post(Some(&key), &body, &[]);
                    (answer.status, answer.body)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let references: HashSet<String> = answers
            .iter()
            .filter(|(status, _)| *status == 201)
            .map(|(_, body)| {
                serde_json::from_str::<serde_json::Value>(body).unwrap()["reference"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(references.len(), 1, "one reference per key: {answers:?}");
        for (status, body) in &answers {
            assert!(*status == 201 || *status == 422, "{status} {body}");
        }
    }
    let rows = db.rows();
    assert_eq!(rows.len(), 5, "each key stored exactly once");
}

fn slow_bodies_and_slow_headers_get_408(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(
        &db,
        &["--body-timeout-secs", "1", "--header-timeout-secs", "1"],
    );
    let addr = relay.addr();

    let mut slow_body = TcpStream::connect(addr).unwrap();
    slow_body
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        slow_body,
        "POST /api/tickets HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: key-slow-0001\r\nContent-Length: {}\r\n\r\n{}",
        TICKET.len(),
        &TICKET[..10]
    )
    .unwrap();
    let mut response = String::new();
    let _ = slow_body.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("took longer than 1 s"), "{response}");

    let mut slow_headers = TcpStream::connect(addr).unwrap();
    slow_headers
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        slow_headers,
        "POST /api/tickets HTTP/1.1\r\nHost: {addr}\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = slow_headers.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(
        response.contains("headers took longer than 1 s"),
        "{response}"
    );

    // An idle keep-alive connection is closed without an answer.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut response = String::new();
    idle.read_to_string(&mut response)
        .expect("a silent connection is closed, not left open");
    assert_eq!(response, "");

    assert!(db.rows().is_empty());
    assert_eq!(relay.post(Some("key-slow-0002"), TICKET, &[]).status, 201);
}

/// Sends a request head declaring a body of 100 bytes, then nothing, and
/// returns what the relay answers before it closes the connection.
fn stall_body(addr: &str, method_and_path: &str, content_type: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method_and_path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n\
         Content-Length: 100\r\n\r\n"
    )
    .unwrap();
    let started = std::time::Instant::now();
    let mut response = Vec::new();
    let read = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    assert!(
        read.is_ok(),
        "{method_and_path}: still open after {:?} ({read:?}); got {response:?}",
        started.elapsed()
    );
    response
}

fn a_stalled_body_on_any_route_is_not_waited_for_forever(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    // The login form exists even with the inbox off.
    let relay = Relay::start(&db, &["--body-timeout-secs", "1"]);
    let addr = relay.addr();
    let form = "application/x-www-form-urlencoded";
    let login = stall_body(addr, "POST /inbox/login", form);
    assert!(login.starts_with("HTTP/1.1 408"), "{login}");
    assert!(login.contains("took longer than 1 s"), "{login}");
    // Routes that never read a body answer, then close rather than wait.
    for route in ["POST /inbox/logout", "GET /healthz", "POST /nowhere"] {
        let answer = stall_body(addr, route, form);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 "),
            "{route}: {answer}"
        );
    }
    let ticket = stall_body(addr, "POST /api/tickets", "application/json");
    assert!(
        ticket.is_empty() || ticket.starts_with("HTTP/1.1 4"),
        "{ticket}"
    );
    assert_eq!(relay.get("/healthz", &[]).status, 200);
}

fn an_open_connection_costs_one_file_descriptor(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let relay = Relay::start(&db, &[]);
    let fd_dir = format!("/proc/{}/fd", relay.child.id());
    let Ok(entries) = std::fs::read_dir(&fd_dir) else {
        eprintln!("SKIPPED: no {fd_dir}");
        return;
    };
    let open_fds = || std::fs::read_dir(&fd_dir).unwrap().count();
    drop(entries);
    let before = open_fds();
    let connections: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = TcpStream::connect(relay.addr()).unwrap();
            // Half a request: the connection is being served, not queued.
            write!(stream, "GET /healthz HTTP/1.1\r\n").unwrap();
            stream
        })
        .collect();
    let grown = relay_support::wait_for("20 accepted connections", Duration::from_secs(10), || {
        let grown = open_fds() - before;
        (grown >= 20).then_some(grown)
    });
    std::thread::sleep(Duration::from_millis(200));
    let grown = grown.max(open_fds() - before);
    assert!(grown < 30, "20 connections hold {grown} descriptors");
    drop(connections);
}

fn a_database_that_refuses_writes_gets_503_and_nothing_unstored_is_acknowledged(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let mut relay = match backend {
        // A file size limit makes SQLite's writes fail as a full disk does
        // (SIGXFSZ is ignored so the write returns EFBIG instead of killing).
        Backend::Sqlite => {
            let mut command = std::process::Command::new("sh");
            command.args([
                "-c",
                "trap '' XFSZ; exec prlimit --fsize=262144 \"$0\" \"$@\"",
                env!("CARGO_BIN_EXE_signpost"),
            ]);
            Relay::launch(command, &db.location, &["--no-rate-limit"], &[]).unwrap()
        }
        Backend::Postgres => Relay::start(&db, &["--no-rate-limit"]),
    };
    let mut acknowledged = Vec::new();
    for i in 0..3 {
        let key = format!("key-before-{i:04}");
        let answer = relay.post(Some(&key), TICKET, &[]);
        assert_eq!(answer.status, 201, "{}", answer.body);
        acknowledged.push(key);
    }
    if backend == Backend::Postgres {
        // The database turns read-only under the relay's feet.
        let database = db.location.rsplit('/').next().unwrap().to_string();
        let mut admin = ::postgres::Client::connect(
            &relay_support::postgres::admin_url(&db.location),
            ::postgres::NoTls,
        )
        .unwrap();
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {database} SET default_transaction_read_only = on;
                 SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = '{database}' AND pid <> pg_backend_pid();"
            ))
            .unwrap();
    }
    let mut refused = 0;
    for i in 0..200 {
        let key = format!("key-after-{i:04}");
        let answer = relay.post(Some(&key), TICKET, &[]);
        match answer.status {
            201 => acknowledged.push(key),
            503 => {
                refused += 1;
                assert!(answer.json().get("reference").is_none());
                let wait = answer.header("retry-after").expect("Retry-After on 503");
                assert!(wait.parse::<u64>().is_ok_and(|s| s > 0), "{wait}");
                assert!(answer.json()["error"]
                    .as_str()
                    .unwrap()
                    .contains("not accepted"));
                if refused == 3 {
                    break;
                }
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(refused, 3, "the database never refused a write");
    // Still serving; the failure is per ticket, not fatal.
    assert_eq!(relay.get("/healthz", &[]).status, 200);
    relay.kill();
    if backend == Backend::Postgres {
        let database = db.location.rsplit('/').next().unwrap().to_string();
        ::postgres::Client::connect(
            &relay_support::postgres::admin_url(&db.location),
            ::postgres::NoTls,
        )
        .unwrap()
        .batch_execute(&format!(
            "ALTER DATABASE {database} SET default_transaction_read_only = off"
        ))
        .unwrap();
    }
    let stored: Vec<String> = db.rows().into_iter().map(|(_, key, _)| key).collect();
    assert_eq!(stored, acknowledged, "stored exactly what was acknowledged");
}

fn every_acknowledged_ticket_survives_a_sigkill_mid_load(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let mut relay = Relay::start(&db, &["--no-rate-limit"]);
    let base = relay.base.clone();
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (base, acknowledged) = (base.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("key-crash-{client}-{i:06}");
                    let sent = ureq::post(&format!("{base}/api/tickets"))
                        .timeout(Duration::from_secs(10))
                        .set("Content-Type", "application/json")
                        .set("Idempotency-Key", &key)
                        .send_string(TICKET);
                    match sent {
                        Ok(response) if response.status() == 201 => {
                            let body: serde_json::Value = response.into_json().unwrap();
                            let reference = body["reference"].as_str().unwrap().to_string();
                            acknowledged.lock().unwrap().push((key, reference));
                        }
                        Ok(other) => panic!("unexpected {}", other.status()),
                        // Refused or reset: the relay is gone, stop.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    relay_support::wait_for("50 acknowledged tickets", Duration::from_secs(60), || {
        (acknowledged.lock().unwrap().len() >= 50).then_some(())
    });
    relay.kill();
    for client in clients {
        client.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let restarted = Relay::start(&db, &["--no-rate-limit"]);
    let stored: std::collections::HashMap<String, String> = db
        .rows()
        .into_iter()
        .map(|(reference, key, _)| (key, reference))
        .collect();
    for (key, reference) in &acknowledged {
        assert_eq!(
            stored.get(key),
            Some(reference),
            "acknowledged {key} was lost"
        );
    }
    // A client that never got its answer retries; it gets the stored reference.
    let (key, reference) = &acknowledged[0];
    let retry = restarted.post(Some(key), TICKET, &[]);
    assert_eq!(retry.json()["reference"], reference.as_str());
}

fn a_database_from_a_newer_signpost_is_refused_at_start(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    drop(Relay::start(&db, &[]));
    match backend {
        Backend::Sqlite => rusqlite::Connection::open(&db.location)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap(),
        Backend::Postgres => {
            ::postgres::Client::connect(&db.location, ::postgres::NoTls)
                .unwrap()
                .batch_execute("UPDATE signpost_schema SET version = 99")
                .unwrap();
        }
    }
    let err = Relay::try_start(&db.location, &[], &[])
        .err()
        .expect("must refuse");
    assert!(err.contains("schema is version 99, newer"), "{err}");
}

fn sigterm_stops_the_relay_cleanly(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let mut relay = Relay::start(&db, &[]);
    assert_eq!(relay.post(Some("key-term-0001"), TICKET, &[]).status, 201);
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &relay.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = relay.child.wait().unwrap();
    assert!(
        status.success(),
        "the relay must exit 0 on SIGTERM, got {status}"
    );
    assert_eq!(db.rows().len(), 1);
}
