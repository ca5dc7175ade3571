//! `signpost serve`: the ticket relay ([`signpost::relay`]), the built
//! widget, the demo page and the live content preview. Flags and printing.

use crate::content;
use signpost::relay::config;
use signpost::relay::store::Location;
use signpost::relay::Relay;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const CONFIG_HELP: &str = "\
CONFIGURATION
  Settings come from a TOML file (--config), then environment variables, then
  flags; each overrides the one before. Secrets are never flags: give them in
  the environment (SIGNPOST_INBOX_TOKEN, and the variables the `*_env` keys
  name) so they stay out of `ps` and shell history.

  Keys of the file (all optional):
    port, bind, db, widget_dir, demo_dir, allow_origins = [..], trust_proxy,
    header_timeout_secs, body_timeout_secs, analytics_retention_days (90),
    inbox_token_env = \"VAR\" (or inbox_token = \"...\"),
    [rate_limit] enabled, burst, per_minute (tickets),
                 events_burst (60), events_per_minute (120) (event batches)
    [[forward]]  one table per destination:
      name, kind = \"webhook\" | \"zendesk\" | \"email\",
      tiers = [\"outage\", \"billing\", \"defect\", \"howto\", \"feedback\"] (default: all),
      max_attempts (12), retry_base_ms (2000, doubled per retry, at most 15 min),
      timeout_secs (15, at most 45)
      webhook: url, secret_env       (header Signpost-Signature: t=..,v1=HMAC-SHA256)
      zendesk: url (https://SUB.zendesk.com), email, token_env
      email:   smtp_host, smtp_port, smtp_security = \"starttls\" | \"tls\" | \"none\",
               smtp_username, smtp_password_env, from, to = [..]

  The inbox (GET /inbox) needs a token: SIGNPOST_INBOX_TOKEN or inbox_token_env.
  Without one it answers 404 and says how to turn it on.

  A bad file is refused at start with the file, the key and the line.";

/// `signpost serve` flags; each also reads an environment variable.
#[derive(clap::Args)]
#[command(after_long_help = CONFIG_HELP)]
pub struct Args {
    /// TOML configuration file; see CONFIGURATION below (`--help`).
    #[arg(long, env = "SIGNPOST_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Port to listen on (0 picks a free one; the URL is printed) [default: 8080].
    #[arg(long, env = "SIGNPOST_PORT")]
    port: Option<u16>,
    /// Address to listen on; 0.0.0.0 for all interfaces [default: 127.0.0.1].
    #[arg(long, env = "SIGNPOST_BIND", value_name = "ADDRESS")]
    bind: Option<IpAddr>,
    /// Where tickets are stored: a SQLite file (created if missing) or a
    /// postgres://user:password@host/database URL [default: signpost.sqlite3].
    // The URL may carry a password: never echo it in --help.
    #[arg(
        long,
        env = "SIGNPOST_DB",
        value_name = "FILE|URL",
        hide_env_values = true
    )]
    db: Option<String>,
    /// Folder with the built widget (`trunk build` output) [default: dist].
    #[arg(long, env = "SIGNPOST_WIDGET_DIR")]
    widget_dir: Option<PathBuf>,
    /// Folder with the demo product page and its content [default: public/demo].
    #[arg(long, env = "SIGNPOST_DEMO_DIR")]
    demo_dir: Option<PathBuf>,
    /// An origin allowed to post tickets from another site
    /// (e.g. https://app.example.com). Repeat, or comma-separate in the
    /// environment variable.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        env = "SIGNPOST_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    allow_origins: Vec<String>,
    /// Behind a reverse proxy: take the client address for rate limiting from
    /// the last X-Forwarded-For entry. Only set this when the proxy is the
    /// only way in, or clients can pick their own address.
    #[arg(long, env = "SIGNPOST_TRUST_PROXY")]
    trust_proxy: bool,
    /// Tickets a single client may send in a burst [default: 10].
    #[arg(long, env = "SIGNPOST_RATE_BURST")]
    rate_burst: Option<u32>,
    /// Tickets a single client may send per minute after the burst [default: 10].
    #[arg(long, env = "SIGNPOST_RATE_PER_MINUTE")]
    rate_per_minute: Option<u32>,
    /// Turn the per-client rate limit off (load tests; a proxy that limits).
    #[arg(long, env = "SIGNPOST_NO_RATE_LIMIT")]
    no_rate_limit: bool,
    /// Seconds a client may take to send its request headers; slower ones
    /// get 408 and are closed (slowloris), as are silent ones [default: 10].
    #[arg(long, env = "SIGNPOST_HEADER_TIMEOUT_SECS", value_name = "SECS")]
    header_timeout_secs: Option<u64>,
    /// Seconds a client may take to send a ticket body; slower ones get 408
    /// [default: 20].
    #[arg(long, env = "SIGNPOST_BODY_TIMEOUT_SECS", value_name = "SECS")]
    body_timeout_secs: Option<u64>,
    /// Days raw analytics events are kept; daily counts stay [default: 90].
    #[arg(long, env = "SIGNPOST_ANALYTICS_RETENTION_DAYS", value_name = "DAYS")]
    analytics_retention_days: Option<u32>,
    #[command(flatten)]
    content: content::ContentArgs,
}

/// Runs the relay until SIGINT or SIGTERM; exit code 2 for bad configuration.
pub fn run(args: Args) -> ExitCode {
    init_logs();
    let args_content = args.content.content.clone();
    let settings = match settings(args) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("signpost serve: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signpost serve: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let content = args_content;
    match runtime.block_on(serve(settings, content)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("signpost serve: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Merges file, environment and flags (clap has already put the environment
/// under the flags).
fn settings(args: Args) -> Result<config::Settings, String> {
    let file = match &args.config {
        Some(path) => config::load(path)?,
        None => config::FileConfig::default(),
    };
    let source = config::Source {
        file: args.config.as_deref(),
    };
    let inbox_token = match std::env::var("SIGNPOST_INBOX_TOKEN") {
        Ok(token) if !token.is_empty() => Some(token),
        _ => config::inbox_token(&file, &source)?,
    };
    if inbox_token.as_ref().is_some_and(|t| t.len() < 16) {
        return Err("the inbox token must be at least 16 characters".into());
    }
    let limits = file.rate_limit.as_ref();
    let rate_enabled = !args.no_rate_limit && limits.and_then(|r| r.enabled).unwrap_or(true);
    let rate_limit = rate_enabled.then(|| {
        (
            args.rate_burst
                .or(limits.and_then(|r| r.burst))
                .unwrap_or(10),
            args.rate_per_minute
                .or(limits.and_then(|r| r.per_minute))
                .unwrap_or(10),
        )
    });
    let events_rate_limit = rate_enabled.then(|| {
        (
            limits.and_then(|r| r.events_burst).unwrap_or(60),
            limits.and_then(|r| r.events_per_minute).unwrap_or(120),
        )
    });
    let analytics_retention_days = args
        .analytics_retention_days
        .or(file.analytics_retention_days)
        .unwrap_or(90);
    if analytics_retention_days == 0 {
        return Err("analytics_retention_days must be at least 1".into());
    }
    let allow_origins = if args.allow_origins.is_empty() {
        file.allow_origins.clone().unwrap_or_default()
    } else {
        args.allow_origins.clone()
    };
    Ok(config::Settings {
        port: args.port.or(file.port).unwrap_or(8080),
        bind: args
            .bind
            .or(file.bind)
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        db: Location::parse(
            args.db
                .as_deref()
                .or(file.db.as_deref())
                .unwrap_or("signpost.sqlite3"),
        ),
        widget_dir: args
            .widget_dir
            .or(file.widget_dir.clone())
            .unwrap_or_else(|| "dist".into()),
        demo_dir: args
            .demo_dir
            .or(file.demo_dir.clone())
            .unwrap_or_else(|| "public/demo".into()),
        allow_origins,
        trust_proxy: args.trust_proxy || file.trust_proxy.unwrap_or(false),
        inbox_token,
        rate_limit,
        events_rate_limit,
        analytics_retention_days,
        header_timeout: Duration::from_secs(
            args.header_timeout_secs
                .or(file.header_timeout_secs)
                .unwrap_or(10)
                .max(1),
        ),
        body_timeout: Duration::from_secs(
            args.body_timeout_secs
                .or(file.body_timeout_secs)
                .unwrap_or(20)
                .max(1),
        ),
        destinations: config::destinations(&file.forward, &source)?,
    })
}

/// Starts the relay, says where it listens and where tickets go, and serves.
async fn serve(settings: config::Settings, content: Option<PathBuf>) -> Result<(), String> {
    if !settings.widget_dir.join("embed.js").is_file() {
        eprintln!(
            "signpost serve: warning: no built widget in {} (expected embed.js); \
             the demo page will show no launcher. Build it with .ci/demo or trunk build --release.",
            settings.widget_dir.display()
        );
    }
    let db = settings.db.to_string();
    let relay = Relay::start(settings, content::router(content).unwrap_or_default()).await?;
    let addr = relay.local_addr().map_err(|e| e.to_string())?;
    println!("signpost: serving the demo at http://{addr}/ (tickets in {db})");
    for (tier, destinations) in relay.forwarding() {
        eprintln!("signpost: {tier} tickets go to {}", destinations.join(", "));
    }
    relay.run().await
}

/// Structured logs on stderr for the relay (it logs with `tracing`);
/// `SIGNPOST_LOG` filters them (e.g. `debug`, `signpost=warn`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNPOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
