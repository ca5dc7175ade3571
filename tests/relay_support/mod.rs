//! Shared by the relay's integration tests: the real `signpost serve`
//! binary on a free port, a throwaway database on either backend, and tiny
//! real receivers (HTTP, SMTP) for the forwarders.
#![allow(dead_code)]

pub mod in_process;
pub mod postgres;
pub mod receivers;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which storage backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[test]` per backend for each listed `fn name(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::relay_support::Backend::Sqlite) } )*
        }
        mod postgres {
            $(
                #[test]
                #[cfg_attr(
                    postgres_missing,
                    ignore = "Postgres is not installed (.ci/setup test installs it)"
                )]
                fn $name() { super::$name($crate::relay_support::Backend::Postgres) }
            )*
        }
    };
}

/// A fresh, empty ticket database for one test.
pub struct TestDb {
    pub backend: Backend,
    /// What `--db` gets: a file path or a postgres:// URL.
    pub location: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// `None` (after saying why) when Postgres cannot be had here.
    pub fn new(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().unwrap();
        let location = match backend {
            Backend::Sqlite => dir.path().join("tickets.sqlite3").display().to_string(),
            Backend::Postgres => postgres::fresh_database()?,
        };
        Some(TestDb {
            backend,
            location,
            dir,
        })
    }

    /// `(reference, idempotency_key, payload)` of every stored ticket, oldest first.
    pub fn rows(&self) -> Vec<(String, String, String)> {
        let sql = "SELECT reference, idempotency_key, payload FROM tickets ORDER BY id";
        match self.backend {
            Backend::Sqlite => {
                let conn = rusqlite::Connection::open(&self.location).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
            Backend::Postgres => {
                let mut client =
                    ::postgres::Client::connect(&self.location, ::postgres::NoTls).unwrap();
                client
                    .query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect()
            }
        }
    }
}

/// A running `signpost serve`.
pub struct Relay {
    pub child: Child,
    pub base: String,
    pub db: String,
    pub _files: tempfile::TempDir,
}

impl Relay {
    pub fn start(db: &TestDb, extra: &[&str]) -> Relay {
        Relay::start_with_env(db, extra, &[])
    }

    pub fn start_with_env(db: &TestDb, extra: &[&str], env: &[(&str, &str)]) -> Relay {
        Relay::try_start(&db.location, extra, env).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts the relay; `Err` carries its stderr when it exits instead.
    pub fn try_start(db: &str, extra: &[&str], env: &[(&str, &str)]) -> Result<Relay, String> {
        Relay::launch(serve_command(), db, extra, env)
    }

    /// Starts `command` (the binary, or a wrapper that execs it) as the relay.
    pub fn launch(
        mut command: Command,
        db: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Relay, String> {
        let files = tempfile::tempdir().unwrap();
        let widget = files.path().join("widget");
        std::fs::create_dir_all(&widget).unwrap();
        std::fs::write(widget.join("embed.js"), "/* loader */").unwrap();
        let mut child = command
            .args(["serve", "--port", "0", "--db", db])
            .arg("--widget-dir")
            .arg(&widget)
            .arg("--demo-dir")
            .arg(demo_dir())
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start signpost serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(start) = line.find("http://") else {
            let output = child.wait_with_output().unwrap();
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        };
        // Pass the relay's log through, so a failing test shows it.
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[relay] {line}");
            }
        });
        let base = line[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_string();
        Ok(Relay {
            child,
            base,
            db: db.to_string(),
            _files: files,
        })
    }

    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn post(&self, key: Option<&str>, body: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = ureq::post(&format!("{}/api/tickets", self.base))
            .timeout(Duration::from_secs(30))
            .set("Content-Type", "application/json");
        if let Some(key) = key {
            request = request.set("Idempotency-Key", key);
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        Answer::from(request.send_string(body))
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = ureq::get(&format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        Answer::from(request.call())
    }

    /// `signpost tickets --json` against this relay's database.
    pub fn tickets_json(&self) -> Vec<serde_json::Value> {
        tickets_json(&self.db)
    }

    /// Kills the relay without warning, as a crash or OOM kill would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn serve_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
}

pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo")
}

/// Runs `signpost ARGS`, which must succeed, and returns what it printed.
pub fn run_cli(args: &[&str]) -> String {
    let output = serve_command().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "signpost {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `signpost tickets --json --db DB`, parsed.
pub fn tickets_json(db: &str) -> Vec<serde_json::Value> {
    run_cli(&["tickets", "--json", "--limit", "10000", "--db", db])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Polls `check` until it returns `Some`, or panics naming `what`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The first value of header `name` (any case) in a recorded header list.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn json(&self) -> serde_json::Value {
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

pub const TICKET: &str = r#"{"version":1,"message":"Camera will not join Wi-Fi","email":"ana@example.com","page_url":"https://app.lumen.example/setup"}"#;
