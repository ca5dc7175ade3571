//! A throwaway Postgres cluster for the tests of one test binary: initdb in
//! a temp dir, the server on a free loopback port, and a keeper shell that
//! stops it and removes the files when this process exits (its stdin, a
//! pipe from us, closes however we die).
//!
//! Postgres refuses to run as root, so as root it runs as the `postgres`
//! user that Debian's package creates. Without Postgres installed the tests
//! are ignored (build.rs sets `postgres_missing`), unless
//! `SIGNPOST_REQUIRE_POSTGRES=1` (CI) makes that a failure. Installed but not
//! startable, they print why and stop early.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct Cluster {
    port: u16,
    /// Held open for the life of the process; EOF tells the keeper to stop.
    _keeper: Mutex<ChildStdin>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// A URL to a new empty database, or `None` after printing why there is none.
pub fn fresh_database() -> Option<String> {
    match CLUSTER.get_or_init(start) {
        Ok(cluster) => {
            let name = format!("t{}", NEXT_DB.fetch_add(1, Ordering::SeqCst));
            let mut admin =
                ::postgres::Client::connect(&url(cluster.port, "postgres"), ::postgres::NoTls)
                    .expect("connect to the test cluster");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create a test database");
            Some(url(cluster.port, &name))
        }
        Err(why) => {
            if std::env::var("SIGNPOST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("Postgres is required (SIGNPOST_REQUIRE_POSTGRES=1) but: {why}");
            }
            eprintln!("SKIPPED: Postgres test, because {why}");
            None
        }
    }
}

/// The superuser URL for a database of the test cluster.
pub fn admin_url(database_url: &str) -> String {
    let (base, _) = database_url.rsplit_once('/').unwrap();
    format!("{base}/postgres")
}

fn url(port: u16, database: &str) -> String {
    format!("postgres://signpost@127.0.0.1:{port}/{database}")
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("SIGNPOST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| {
            "no /usr/lib/postgresql (apt-get install postgresql, or run .ci/setup test)".to_string()
        })?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("postgres").is_file())
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no postgres binary under /usr/lib/postgresql/*/bin".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A command run as the cluster's owner.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let root = std::env::temp_dir().join(format!("signpost-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    if is_root() {
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&root)
            .status()
            .map_err(|e| e.to_string())?;
        if !chown.success() {
            return Err(
                "cannot hand the cluster folder to the postgres user (is there one?)".into(),
            );
        }
    }
    let data = root.join("data");
    let initdb = as_owner(&bin.join("initdb"))
        .args([
            "-U",
            "signpost",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !initdb.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    // `read` returns when our end of stdin closes: then stop fast and clean up.
    let script = format!(
        "'{postgres}' -D '{data}' -p {port} -c listen_addresses=127.0.0.1 \
         -c unix_socket_directories= -c max_connections=200 > '{root}/log' 2>&1 & pid=$!; \
         read _; kill -INT $pid; wait $pid; rm -rf '{root}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        root = root.display(),
    );
    let mut keeper = as_owner(Path::new("/bin/sh"))
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let stdin = keeper.stdin.take().unwrap();
    let started = Instant::now();
    loop {
        if ::postgres::Client::connect(&url(port, "postgres"), ::postgres::NoTls).is_ok() {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) || keeper.try_wait().ok().flatten().is_some()
        {
            let log = std::fs::read_to_string(root.join("log")).unwrap_or_default();
            return Err(format!("postgres did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Cluster {
        port,
        _keeper: Mutex::new(stdin),
    })
}
