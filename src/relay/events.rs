//! `POST /api/events`: anonymous usage events from the widget (#16).
//!
//! Written as small extractors ([`Admitted`] for the rate limit and origin,
//! [`BatchBody`] for the body) and one error type, [`EventsError`], that
//! turns into the JSON answer. The client's address is used for rate
//! limiting only, in memory, and never stored.

use super::rate_limit::RateLimiter;
use super::store::analytics::Ingested;
use super::AppState;
use crate::core::analytics::{Batch, BatchError};
use crate::core::scrub::Scrubber;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Largest batch body: 100 events with every text at its limit fit easily.
pub const MAX_EVENTS_BYTES: usize = 128 * 1024;

/// Seconds a client is asked to wait after the database refused a write.
const STORE_RETRY_AFTER_SECS: u64 = 30;

/// What the events endpoint needs besides the store.
pub struct Events {
    /// Per-client budget for batches; `None` when rate limiting is off.
    pub limiter: Option<RateLimiter>,
    /// Origins of other sites allowed to send events (the CORS allow-list).
    pub allow_origins: Vec<HeaderValue>,
    pub scrubber: Scrubber,
}

/// Every way a batch is refused, and the answer each gets.
#[derive(Debug)]
pub enum EventsError {
    /// 429: over the per-client budget; retry after this long.
    RateLimited(Duration),
    /// 403: posted from a page of a site that is not allowed.
    Origin(String),
    /// 415: neither JSON nor the `text/plain` that `sendBeacon` sends.
    MediaType,
    /// 413: over [`MAX_EVENTS_BYTES`].
    TooLarge,
    /// 408: the body did not arrive in time.
    TimedOut(Duration),
    /// 400: the body could not be read.
    Unreadable,
    /// 400: not a valid batch; names the field.
    Invalid(BatchError),
    /// 503: the database refused the write; nothing was stored.
    Unavailable,
}

impl IntoResponse for EventsError {
    fn into_response(self) -> Response {
        let (status, field, message): (StatusCode, Option<String>, String) = match &self {
            EventsError::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "too many event batches from this address; try again later".into(),
            ),
            EventsError::Origin(origin) => (
                StatusCode::FORBIDDEN,
                Some("Origin".into()),
                format!("Origin: {origin} may not send events here; add it with --allow-origin"),
            ),
            EventsError::MediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("Content-Type".into()),
                "Content-Type: header must be application/json (or text/plain, as sendBeacon sends)"
                    .into(),
            ),
            EventsError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                format!("the batch is larger than {MAX_EVENTS_BYTES} bytes"),
            ),
            EventsError::TimedOut(limit) => (
                StatusCode::REQUEST_TIMEOUT,
                None,
                format!(
                    "the events body took longer than {} s to arrive",
                    limit.as_secs()
                ),
            ),
            EventsError::Unreadable => (
                StatusCode::BAD_REQUEST,
                None,
                "the request body could not be read".into(),
            ),
            EventsError::Invalid(e) => (StatusCode::BAD_REQUEST, e.field.clone(), e.message.clone()),
            EventsError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the events could not be stored; they were not accepted, please retry".into(),
            ),
        };
        let mut response =
            (status, Json(json!({ "error": message, "field": field }))).into_response();
        let headers = response.headers_mut();
        match self {
            EventsError::RateLimited(wait) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(wait.as_secs().max(1)),
                );
            }
            EventsError::Unavailable => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(STORE_RETRY_AFTER_SECS),
                );
            }
            EventsError::TimedOut(_) => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

/// A request within its client's budget, from an allowed page (or from no
/// page at all: a server or script that sends no `Origin`).
pub struct Admitted;

impl FromRequestParts<Arc<AppState>> for Admitted {
    type Rejection = EventsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        if let Some(limiter) = &state.events.limiter {
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0)
                .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
            limiter
                .check(state.client_ip(peer, &parts.headers))
                .map_err(EventsError::RateLimited)?;
        }
        check_origin(
            &parts.headers,
            &state.events.allow_origins,
            state.trust_proxy,
        )?;
        Ok(Admitted)
    }
}

/// A page may send events from the relay's own site (its origin names the
/// `Host` the request came to, or behind a trusted proxy the
/// `X-Forwarded-Host`) or from a site on the allow-list. A simple
/// `text/plain` POST skips the CORS preflight, so this is checked here.
fn check_origin(
    headers: &HeaderMap,
    allowed: &[HeaderValue],
    trust_proxy: bool,
) -> Result<(), EventsError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    if allowed.iter().any(|a| a == origin) {
        return Ok(());
    }
    let text = origin.to_str().unwrap_or("");
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let named = |name: &str| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(|h| h.split(',').next_back().unwrap_or("").trim().to_string())
    };
    let mut hosts = vec![named("host")];
    if trust_proxy {
        hosts.push(named("x-forwarded-host"));
    }
    let same_site =
        host.is_some_and(|host| hosts.iter().flatten().any(|h| h.eq_ignore_ascii_case(host)));
    if same_site {
        Ok(())
    } else {
        Err(EventsError::Origin(text.chars().take(200).collect()))
    }
}

/// A batch read from a JSON (or `text/plain`) body and validated.
pub struct BatchBody(pub Batch);

impl FromRequest<Arc<AppState>> for BatchBody {
    type Rejection = EventsError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        if !matches!(
            super::media_type(req.headers()).as_deref(),
            Some("application/json" | "text/plain")
        ) {
            return Err(EventsError::MediaType);
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| {
            if super::timed_out(&rejection) {
                EventsError::TimedOut(state.body_timeout)
            } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                EventsError::TooLarge
            } else {
                EventsError::Unreadable
            }
        })?;
        Batch::from_json(&body)
            .map(BatchBody)
            .map_err(EventsError::Invalid)
    }
}

/// Scrubs free text again (the widget did once), stores the batch once per
/// batch id, and answers 202 `{"accepted": N}`; a replayed batch id gets 200
/// with the same count and `"replayed": true`.
pub async fn post_events(
    State(state): State<Arc<AppState>>,
    _: Admitted,
    BatchBody(mut batch): BatchBody,
) -> Result<Response, EventsError> {
    for event in &mut batch.events {
        event.scrub(&state.events.scrubber);
    }
    let count = batch.events.len();
    let store = state.store.clone();
    let received = super::store::now_ms();
    let stored = tokio::task::spawn_blocking(move || store.ingest_events(&batch, received)).await;
    match stored {
        Ok(Ok(Ingested::Stored(n))) => {
            Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n }))).into_response())
        }
        Ok(Ok(Ingested::Replayed)) => {
            let mut response = (
                StatusCode::OK,
                Json(json!({ "accepted": count, "replayed": true })),
            )
                .into_response();
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "could not store events");
            Err(EventsError::Unavailable)
        }
        Err(e) => {
            tracing::error!(error = %e, "the events task failed");
            Err(EventsError::Unavailable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn events_come_from_the_relay_s_own_site_or_an_allowed_one() {
        let allowed = [HeaderValue::from_static("https://app.example")];
        assert!(check_origin(&headers(&[]), &allowed, false).is_ok());
        let listed = headers(&[("origin", "https://app.example")]);
        assert!(check_origin(&listed, &allowed, false).is_ok());
        let same = headers(&[
            ("origin", "http://relay.test:8080"),
            ("host", "relay.test:8080"),
        ]);
        assert!(check_origin(&same, &allowed, false).is_ok());
        let other = headers(&[("origin", "https://evil.example"), ("host", "relay.test")]);
        assert!(matches!(
            check_origin(&other, &allowed, false),
            Err(EventsError::Origin(o)) if o == "https://evil.example"
        ));
        // Behind a proxy the public host is the forwarded one, if trusted.
        let proxied = headers(&[
            ("origin", "https://help.example"),
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "help.example"),
        ]);
        assert!(check_origin(&proxied, &allowed, true).is_ok());
        assert!(check_origin(&proxied, &allowed, false).is_err());
    }
}
