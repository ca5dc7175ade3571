//! `signpost serve`: the ticket relay, the built widget and the demo page.

mod content;
mod rate_limit;
pub mod store;
mod tickets;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rate_limit::RateLimiter;
use signpost::core::ticket::MAX_TICKET_BYTES;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use store::Store;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The widget is served under a path that names its version, so that a
/// script tag pins the files it loads and caches never mix two builds.
pub const WIDGET_PATH: &str = concat!("/widget/", env!("CARGO_PKG_VERSION"));

#[derive(clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one; the URL is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// SQLite database file for tickets, created if missing.
    #[arg(long, default_value = "signpost.sqlite3")]
    db: PathBuf,
    /// Folder with the built widget (`trunk build` output).
    #[arg(long, default_value = "dist")]
    widget_dir: PathBuf,
    /// Folder with the demo product page and its content.
    #[arg(long, default_value = "public/demo")]
    demo_dir: PathBuf,
    /// An origin allowed to post tickets from another site
    /// (e.g. https://app.example.com). Repeat for several.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Tickets a single client may send in a burst.
    #[arg(long, default_value_t = 10)]
    rate_burst: u32,
    /// Tickets a single client may send per minute after the burst.
    #[arg(long, default_value_t = 10)]
    rate_per_minute: u32,
    #[command(flatten)]
    content: content::ContentArgs,
}

pub struct AppState {
    store: Arc<Store>,
    rate_limiter: RateLimiter,
}

pub fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signpost serve: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("signpost serve: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let store = Store::open(&args.db).map_err(|e| e.to_string())?;
    let origins = parse_origins(&args.allow_origins)?;
    if !args.widget_dir.join("embed.js").is_file() {
        eprintln!(
            "signpost serve: warning: no built widget in {} (expected embed.js); \
             the demo page will show no launcher. Build it with .ci/demo or trunk build --release.",
            args.widget_dir.display()
        );
    }
    let state = Arc::new(AppState {
        store: Arc::new(store),
        rate_limiter: RateLimiter::new(args.rate_burst, args.rate_per_minute),
    });
    let app = router(state, &args, origins);

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "signpost: serving the demo at http://{addr}/ (tickets in {})",
        args.db.display()
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}

fn router(state: Arc<AppState>, args: &Args, origins: Vec<HeaderValue>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // The widget's outbox reads Retry-After on 429/503 to pace retries.
        .expose_headers([header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600));
    let api = Router::new()
        .route("/api/tickets", post(tickets::create_ticket))
        .layer(middleware::from_fn(reject_oversized))
        .layer(DefaultBodyLimit::max(MAX_TICKET_BYTES))
        .layer(cors)
        .with_state(state);

    // Widget files may be embedded from any site; they are public and
    // carry no credentials. `no-cache` revalidates so a rebuild shows at once.
    let widget = Router::new()
        .fallback_service(ServeDir::new(&args.widget_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));

    Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .nest_service(WIDGET_PATH, widget)
        .route_service("/", ServeFile::new(args.demo_dir.join("index.html")))
        .nest_service("/demo", ServeDir::new(&args.demo_dir))
        .merge(content::router(&args.content).unwrap_or_default())
}

/// Answers 413 with a JSON error before reading a body whose declared length
/// is over the limit; bodies without a length are cut off by `DefaultBodyLimit`.
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

fn parse_origins(raw: &[String]) -> Result<Vec<HeaderValue>, String> {
    raw.iter()
        .map(|origin| {
            let trimmed = origin.trim_end_matches('/');
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
