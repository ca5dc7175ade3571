//! The ticket and events relay behind `signpost serve` (native only): the
//! ticket and events API, storage on SQLite or Postgres ([`store`]),
//! forwarding to webhooks, Zendesk and email ([`forward`]), the support
//! inbox, and the analytics [`report`]. `src/bin/signpost` parses the
//! command line into [`config::Settings`] and prints; everything else is here.

pub mod config;
mod conn;
mod error;
mod events;
mod extract;
pub mod forward;
mod inbox;
mod rate_limit;
pub mod report;
pub mod store;
mod tickets;

use crate::core::flow::format::Priority;
use crate::core::ticket::MAX_TICKET_BYTES;
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;
use forward::{Forwarder, Routes};
use rate_limit::RateLimiter;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::Store;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// The widget is served under a path that names its version, so that a
/// script tag pins the files it loads and caches never mix two builds.
pub const WIDGET_PATH: &str = concat!("/widget/", env!("CARGO_PKG_VERSION"));
/// How browsers may cache the widget's files (see the router).
pub const WIDGET_CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=604800";

/// What every request handler shares.
pub struct AppState {
    store: Arc<dyn Store>,
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

/// The relay's routes with their store open and forwarding running, but
/// no listener: [`Relay::start`] binds one, and tests send requests to
/// [`App::router`] in process (`tower::ServiceExt::oneshot`).
pub struct App {
    router: Router,
    header_timeout: Duration,
    forwarder: Option<Forwarder>,
    routes: Arc<Routes>,
}

impl App {
    /// Opens the store and starts forwarding. `extra` routes (the CLI's
    /// live content preview) are served alongside.
    pub async fn new(prepared: config::Prepared, extra: Router) -> Result<App, String> {
        let config::Prepared {
            settings,
            db,
            inbox_token,
            rate_limit,
            events_rate_limit,
            header_timeout,
            body_timeout,
            destinations,
        } = prepared;
        let origins = parse_origins(&settings.allow_origins)?;
        let store: Arc<dyn Store> = tokio::task::spawn_blocking(move || store::open(&db))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
            .into();
        let routes = Arc::new(Routes::new(destinations));
        let forwarder =
            (!routes.is_empty()).then(|| Forwarder::start(store.clone(), routes.clone()));
        let limiter = |limit: Option<(u32, u32)>| {
            limit.map(|(burst, per_minute)| RateLimiter::new(burst, per_minute))
        };
        let state = Arc::new(AppState {
            store,
            routes: routes.clone(),
            rate_limiter: limiter(rate_limit),
            forwarder: forwarder.as_ref().map(Forwarder::waker),
            body_timeout,
            trust_proxy: settings.trust_proxy,
            inbox: inbox::Inbox::new(inbox_token),
            events: events::Events {
                limiter: limiter(events_rate_limit),
                allow_origins: origins.clone(),
                scrubber: crate::core::scrub::Scrubber::default(),
            },
        });
        purge_events_periodically(state.store.clone(), settings.analytics_retention_days);
        Ok(App {
            router: router(state, &settings, body_timeout, origins, extra),
            header_timeout,
            forwarder,
            routes,
        })
    }

    /// Every route of the relay, ready to serve or to call in process.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The destinations each tier's tickets go to, for tiers that forward.
    pub fn forwarding(&self) -> Vec<(Priority, Vec<String>)> {
        Priority::ALL
            .into_iter()
            .map(|tier| (tier, self.routes.for_tier(tier.as_str()).to_vec()))
            .filter(|(_, destinations)| !destinations.is_empty())
            .collect()
    }

    /// Stops forwarding; a delivery in flight stays pending.
    pub async fn stop(self) -> Result<(), String> {
        if let Some(forwarder) = self.forwarder {
            tokio::task::spawn_blocking(move || forwarder.stop())
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// An [`App`] with its address bound: [`Relay::run`] serves it.
pub struct Relay {
    listener: tokio::net::TcpListener,
    app: App,
}

impl Relay {
    /// Builds the [`App`] and binds the address.
    pub async fn start(prepared: config::Prepared, extra: Router) -> Result<Relay, String> {
        let (bind, port) = (prepared.settings.bind, prepared.settings.port);
        let app = App::new(prepared, extra).await?;
        let listener = tokio::net::TcpListener::bind((bind, port))
            .await
            .map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
        Ok(Relay { listener, app })
    }

    /// The address it listens on (the port is chosen when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The destinations each tier's tickets go to, for tiers that forward.
    pub fn forwarding(&self) -> Vec<(Priority, Vec<String>)> {
        self.app.forwarding()
    }

    /// Serves until SIGINT or SIGTERM, lets open requests finish, then
    /// stops the forwarder.
    pub async fn run(self) -> Result<(), String> {
        accept_loop(self.listener, self.app.router(), self.app.header_timeout).await;
        self.app.stop().await
    }
}

/// Serves connections until SIGINT/SIGTERM, then lets open requests finish.
/// Our own loop rather than `axum::serve`, which sets no header timeout; nor
/// can a tower-http layer set one, as layers only run once hyper has read
/// the whole request head (a slowloris never gets that far).
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
                    tracing::warn!(error = %e, "accept failed");
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
                tracing::warn!(error = %e, "cannot set up a connection");
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
        tracing::warn!("some connections were still open after 10 s; closing them");
    }
}

fn router(
    state: Arc<AppState>,
    settings: &config::Settings,
    body_timeout: Duration,
    origins: Vec<HeaderValue>,
    extra: Router,
) -> Router {
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
    let api = Router::new().route("/api/tickets", post(tickets::create_ticket));
    let api = with_body_limit(api, "ticket", MAX_TICKET_BYTES)
        .layer(cors.clone())
        .with_state(state.clone());
    // Events: the same CORS allow-list; their own rate budget and body
    // limit, enforced while the body is read (axum's `DefaultBodyLimit`):
    // a client gets its 413 after sending, not a reset connection
    // mid-upload, as an answer from the headers alone would give it.
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
        .merge(extra)
        // Every body read fails after this long, whichever route reads it:
        // a client that declares a body and stalls does not hold a
        // connection (handlers that read a body answer 408).
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
}

/// tower-http's body limit for an API route. It refuses a declared length
/// over `limit` from the headers alone and cuts off a longer body while it
/// is read; its plain-text 413 is answered in the API's JSON instead.
fn with_body_limit<S>(router: Router<S>, what: &'static str, limit: usize) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(middleware::map_response(
            move |response: Response| async move {
                if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge { what, limit }.into_response()
                } else {
                    response
                }
            },
        ))
}

/// Deletes raw events older than the retention now and then every hour.
fn purge_events_periodically(store: Arc<dyn Store>, retention_days: u32) {
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
