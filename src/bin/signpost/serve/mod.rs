//! `signpost serve`: the ticket relay, the built widget and the demo page.

pub mod config;
mod conn;
mod content;
mod events;
pub mod forward;
mod inbox;
mod rate_limit;
pub mod store;
mod tickets;

use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use forward::{Forwarder, Routes};
use rate_limit::RateLimiter;
use signpost::core::ticket::MAX_TICKET_BYTES;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use store::{Location, Store};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// The widget is served under a path that names its version, so that a
/// script tag pins the files it loads and caches never mix two builds.
pub const WIDGET_PATH: &str = concat!("/widget/", env!("CARGO_PKG_VERSION"));
/// How browsers may cache the widget's files (see the router).
pub const WIDGET_CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=604800";

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

/// What every request handler shares.
pub struct AppState {
    store: Arc<Store>,
    rate_limiter: Option<RateLimiter>,
    routes: Arc<Routes>,
    /// Wakes the forwarder when a ticket with deliveries is stored.
    forwarder: Option<forward::Waker>,
    body_timeout: Duration,
    trust_proxy: bool,
    inbox: inbox::Inbox,
    /// `POST /api/events`: its rate limit, origins and scrubber.
    events: events::Events,
}

impl AppState {
    /// The address rate limits apply to: the peer, or with `--trust-proxy`
    /// the address the proxy appended to X-Forwarded-For.
    fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        if self.trust_proxy {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|v| v.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return ip;
            }
        }
        peer.ip()
    }
}

/// Runs the relay until SIGINT or SIGTERM; exit code 2 for bad configuration.
pub fn run(args: Args) -> ExitCode {
    init_logs();
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
    match runtime.block_on(serve(settings)) {
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
        content: args.content.content.clone(),
    })
}

async fn serve(mut settings: config::Settings) -> Result<(), String> {
    let origins = parse_origins(&settings.allow_origins)?;
    let location = settings.db.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&location))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let store = Arc::new(store);
    if !settings.widget_dir.join("embed.js").is_file() {
        eprintln!(
            "signpost serve: warning: no built widget in {} (expected embed.js); \
             the demo page will show no launcher. Build it with .ci/demo or trunk build --release.",
            settings.widget_dir.display()
        );
    }
    let routes = Arc::new(Routes::new(std::mem::take(&mut settings.destinations)));
    let forwarder = (!routes.is_empty()).then(|| Forwarder::start(store.clone(), routes.clone()));
    let state = Arc::new(AppState {
        store,
        routes: routes.clone(),
        rate_limiter: settings
            .rate_limit
            .map(|(burst, per_minute)| RateLimiter::new(burst, per_minute)),
        forwarder: forwarder.as_ref().map(Forwarder::waker),
        body_timeout: settings.body_timeout,
        trust_proxy: settings.trust_proxy,
        inbox: inbox::Inbox::new(settings.inbox_token.clone()),
        events: events::Events {
            limiter: settings
                .events_rate_limit
                .map(|(burst, per_minute)| RateLimiter::new(burst, per_minute)),
            allow_origins: origins.clone(),
            scrubber: signpost::core::scrub::Scrubber::default(),
        },
    });
    purge_events_periodically(state.store.clone(), settings.analytics_retention_days);
    let app = router(state, &settings, origins);

    let listener = tokio::net::TcpListener::bind((settings.bind, settings.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", settings.bind, settings.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "signpost: serving the demo at http://{addr}/ (tickets in {})",
        settings.db
    );
    for tier in signpost::core::flow::format::Priority::ALL {
        let destinations = routes.for_tier(tier.as_str());
        if !destinations.is_empty() {
            eprintln!("signpost: {tier} tickets go to {}", destinations.join(", "));
        }
    }
    accept_loop(listener, app, settings.header_timeout).await;
    if let Some(forwarder) = forwarder {
        tokio::task::spawn_blocking(move || forwarder.stop())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Serves connections until SIGINT/SIGTERM, then lets open requests finish.
/// Our own loop rather than `axum::serve`, which sets no header timeout.
async fn accept_loop(listener: tokio::net::TcpListener, app: Router, header_timeout: Duration) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service;

    // HTTP/1 only: the widget posts small JSON, and version sniffing (the
    // auto builder) would wait without a timeout on a silent connection.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause, don't spin.
                    eprintln!("signpost: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (stream, watcher) = match conn::watch(stream) {
            Ok(watched) => watched,
            Err(e) => {
                eprintln!("signpost: cannot set up a connection: {e}");
                continue;
            }
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().call(request.map(axum::body::Body::new))
            });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let limit = header_timeout.as_secs();
        tokio::spawn(async move {
            // Resets and timeouts of single connections are routine; only a
            // half-sent request head is worth an answer.
            if let Err(e) = connection.await {
                if e.is_timeout() {
                    watcher.header_timed_out(limit);
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!("signpost: some connections were still open after 10 s; closing them");
    }
}

fn router(state: Arc<AppState>, settings: &config::Settings, origins: Vec<HeaderValue>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // The widget's outbox reads Retry-After on 429/503 to pace retries.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    let api = Router::new()
        .route("/api/tickets", post(tickets::create_ticket))
        .layer(middleware::from_fn(reject_oversized))
        .layer(cors.clone())
        .with_state(state.clone());
    // Events: the same CORS allow-list; their own body limit (the extractor
    // answers 413 in JSON) and rate budget.
    let events_api = Router::new()
        .route("/api/events", post(events::post_events))
        .layer(DefaultBodyLimit::max(events::MAX_EVENTS_BYTES))
        .layer(cors)
        .with_state(state.clone());

    // Widget files may be embedded from any site; they are public and
    // carry no credentials. Their path carries the version, so a browser
    // may keep them: fresh for 5 minutes, then used while it revalidates
    // for a week. A page reloaded offline still gets its widget (and the
    // tickets queued in it are sent once back online); a rebuild under the
    // same version shows on the second load.
    let widget = Router::new()
        .fallback_service(ServeDir::new(&settings.widget_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(WIDGET_CACHE_CONTROL),
        ));

    // The server's clock for the widget's `clock.skew` check: an empty 204
    // whose Date header any page may read (it says nothing but the time).
    let time = Router::new()
        .route("/api/time", get(|| async { StatusCode::NO_CONTENT }))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("date"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    Router::new()
        .merge(api)
        .merge(events_api)
        .merge(time)
        .merge(inbox::router(state))
        .route("/healthz", get(|| async { "ok" }))
        .nest_service(WIDGET_PATH, widget)
        .route_service("/", ServeFile::new(settings.demo_dir.join("index.html")))
        .nest_service("/demo", ServeDir::new(&settings.demo_dir))
        .merge(content::router(settings.content.clone()).unwrap_or_default())
        // Every body read fails after this long, whichever route reads it:
        // a client that declares a body and stalls does not hold a
        // connection (handlers that read a body answer 408).
        .layer(RequestBodyTimeoutLayer::new(settings.body_timeout))
}

/// The media type of a request body without its parameters, lowercased:
/// `application/json` for `Application/JSON; charset=utf-8`.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// Whether reading a body failed because [`RequestBodyTimeoutLayer`]'s
/// timer ran out.
fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Answers 413 with a JSON error before reading a body whose declared length
/// is over the limit; bodies without a length are cut off while read.
async fn reject_oversized(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_TICKET_BYTES) {
        return tickets::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            &format!("the ticket is larger than {MAX_TICKET_BYTES} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Structured logs on stderr for the code that uses `tracing` (the events
/// endpoint); `SIGNPOST_LOG` filters them (e.g. `debug`, `signpost=warn`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNPOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Deletes raw events older than the retention now and then every hour.
fn purge_events_periodically(store: Arc<Store>, retention_days: u32) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let store = store.clone();
            let before = store::analytics::day_of(store::now_ms()) - i64::from(retention_days) + 1;
            match tokio::task::spawn_blocking(move || store.purge_events(before)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(deleted)) => {
                    tracing::info!(deleted, retention_days, "purged raw analytics events")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "could not purge analytics events"),
                Err(e) => tracing::warn!(error = %e, "the purge task failed"),
            }
        }
    });
}

fn parse_origins(raw: &[String]) -> Result<Vec<HeaderValue>, String> {
    raw.iter()
        .map(|origin| {
            let trimmed = origin.trim().trim_end_matches('/');
            let valid = (trimmed.starts_with("https://") || trimmed.starts_with("http://"))
                && !trimmed["https://".len().min(trimmed.len())..].contains('/');
            if !valid {
                return Err(format!(
                    "--allow-origin {origin:?} is not an origin; use scheme://host[:port], e.g. https://app.example.com"
                ));
            }
            HeaderValue::from_str(trimmed).map_err(|_| format!("--allow-origin {origin:?} is not a valid header value"))
        })
        .collect()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_scheme_and_host_only() {
        assert!(parse_origins(&["https://app.example.com".into()]).is_ok());
        assert!(parse_origins(&["http://localhost:3000/".into()]).is_ok());
        let err = parse_origins(&["app.example.com".into()]).unwrap_err();
        assert!(err.contains("app.example.com"), "{err}");
        assert!(parse_origins(&["https://app.example.com/path".into()]).is_err());
    }
}
