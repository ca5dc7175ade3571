//! The relay as an operator runs it: the real `signpost serve` binary on a
//! free port, real HTTP requests, and the SQLite file checked on its own.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Relay {
    child: Child,
    base: String,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Relay {
    fn start(extra: &[&str]) -> Relay {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tickets.sqlite3");
        let widget = dir.path().join("widget");
        std::fs::create_dir_all(&widget).unwrap();
        std::fs::write(widget.join("embed.js"), "/* loader */").unwrap();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo");
        let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(["serve", "--port", "0", "--db"])
            .arg(&db)
            .arg("--widget-dir")
            .arg(&widget)
            .arg("--demo-dir")
            .arg(&demo)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start signpost serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let start = line.find("http://").expect("the URL is printed on start");
        let base = line[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        Relay {
            child,
            base,
            db,
            _dir: dir,
        }
    }

    fn post(&self, key: Option<&str>, body: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = ureq::post(&format!("{}/api/tickets", self.base))
            .set("Content-Type", "application/json");
        if let Some(key) = key {
            request = request.set("Idempotency-Key", key);
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        Answer::from(request.send_string(body))
    }

    fn get(&self, path: &str) -> Answer {
        Answer::from(ureq::get(&format!("{}{path}", self.base)).call())
    }

    fn stored_rows(&self) -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT reference, payload FROM tickets ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

impl From<Result<ureq::Response, ureq::Error>> for Answer {
    fn from(result: Result<ureq::Response, ureq::Error>) -> Self {
        let response = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let headers = response
            .headers_names()
            .into_iter()
            .map(|n| {
                let v = response.header(&n).unwrap_or_default().to_string();
                (n, v)
            })
            .collect();
        Answer {
            status: response.status(),
            headers,
            body: response.into_string().unwrap_or_default(),
        }
    }
}

const TICKET: &str = r#"{"version":1,"message":"Camera will not join Wi-Fi","email":"ana@example.com","page_url":"https://app.lumen.example/setup"}"#;

#[test]
fn a_ticket_is_stored_once_and_a_retry_gets_the_same_reference() {
    let relay = Relay::start(&[]);
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

    let rows = relay.stored_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, reference);
    let stored: serde_json::Value = serde_json::from_str(&rows[0].1).unwrap();
    assert_eq!(stored["message"], "Camera will not join Wi-Fi");
}

#[test]
fn a_reused_key_with_another_ticket_is_refused() {
    let relay = Relay::start(&[]);
    assert_eq!(relay.post(Some("key-reuse-0001"), TICKET, &[]).status, 201);
    let other = TICKET.replace("Wi-Fi", "Ethernet");
    let answer = relay.post(Some("key-reuse-0001"), &other, &[]);
    assert_eq!(answer.status, 422);
    assert_eq!(answer.json()["field"], "Idempotency-Key");
    assert_eq!(relay.stored_rows().len(), 1);
}

#[test]
fn bad_requests_are_refused_with_the_field_named_and_nothing_stored() {
    let relay = Relay::start(&[]);
    let no_key = relay.post(None, TICKET, &[]);
    assert_eq!(no_key.status, 400);
    assert_eq!(no_key.json()["field"], "Idempotency-Key");

    let malformed = relay.post(Some("key-bad-00001"), "{\"version\":1,", &[]);
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"]
        .as_str()
        .unwrap()
        .contains("invalid ticket JSON"));

    let wrong_type = relay.post(
        Some("key-bad-00002"),
        r#"{"version":"one","message":"x"}"#,
        &[],
    );
    assert_eq!(wrong_type.status, 400);
    assert_eq!(wrong_type.json()["field"], "version");

    let bad_email = TICKET.replace("ana@example.com", "ana at example");
    let answer = relay.post(Some("key-bad-00003"), &bad_email, &[]);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["field"], "email");

    let leaky_url = TICKET.replace("/setup", "/setup?token=secret");
    assert_eq!(
        relay.post(Some("key-bad-00004"), &leaky_url, &[]).json()["field"],
        "page_url"
    );

    assert!(relay.stored_rows().is_empty());
}

#[test]
fn an_oversized_ticket_is_refused_with_413_before_its_body_is_read() {
    use std::io::{Read, Write};
    let relay = Relay::start(&[]);
    // Declare 300 KB and send none of it: the relay must answer from the
    // header alone rather than buffer a body it will refuse.
    let addr = relay.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
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
    assert!(relay.stored_rows().is_empty());
}

#[test]
fn a_client_over_its_rate_gets_429_with_retry_after() {
    let relay = Relay::start(&["--rate-burst", "2", "--rate-per-minute", "1"]);
    for i in 0..2 {
        assert_eq!(
            relay
                .post(Some(&format!("key-rate-000{i}")), TICKET, &[])
                .status,
            201
        );
    }
    let limited = relay.post(Some("key-rate-0009"), TICKET, &[]);
    assert_eq!(limited.status, 429);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(relay.stored_rows().len(), 2);
}

#[test]
fn cors_allows_only_configured_origins() {
    let relay = Relay::start(&["--allow-origin", "https://app.lumen.example"]);
    let preflight = |origin: &str| {
        Answer::from(
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

#[test]
fn the_demo_page_embeds_the_widget_version_this_relay_serves() {
    let relay = Relay::start(&[]);
    let page = relay.get("/");
    assert_eq!(page.status, 200);
    let script = format!("/widget/{}/embed.js", env!("CARGO_PKG_VERSION"));
    assert!(
        page.body.contains(&format!("src=\"{script}\"")),
        "demo page must load {script}"
    );
    let loader = relay.get(&script);
    assert_eq!(loader.status, 200);
    // Any site may load the widget files.
    assert_eq!(loader.header("access-control-allow-origin"), Some("*"));
    assert_eq!(relay.get("/widget/0.0.0-old/embed.js").status, 404);
}
