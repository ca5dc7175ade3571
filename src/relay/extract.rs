//! The extractors the ticket and events endpoints are written with. Each
//! refuses a request with an [`ApiError`], so handlers only see requests
//! that passed: within the client's budget ([`TicketBudget`],
//! [`EventBudget`]), from an allowed page ([`AllowedOrigin`]), with a
//! well-formed [`IdempotencyKey`], and a body of the right type, size and
//! speed ([`read_body`]).

use super::error::ApiError;
use super::rate_limit::RateLimiter;
use super::AppState;
use crate::core::ticket::is_valid_idempotency_key;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The address rate limits apply to: the peer, or with `--trust-proxy`
/// the address the proxy appended to X-Forwarded-For.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = parts
            .headers
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
    // In-process requests (tests) have no peer; they share one budget.
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// The client's address ([`client_ip`]), for budgets kept per client.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state.trust_proxy)))
    }
}

/// Takes one request from the client's budget of `limiter`, if limits are on.
fn admit(
    limiter: Option<&RateLimiter>,
    what: &'static str,
    parts: &Parts,
    trust_proxy: bool,
) -> Result<(), ApiError> {
    match limiter {
        Some(limiter) => limiter
            .check(client_ip(parts, trust_proxy))
            .map_err(|wait| ApiError::RateLimited { what, wait }),
        None => Ok(()),
    }
}

/// A ticket within its client's budget.
pub struct TicketBudget;

impl FromRequestParts<Arc<AppState>> for TicketBudget {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        admit(
            state.rate_limiter.as_ref(),
            "tickets",
            parts,
            state.trust_proxy,
        )
        .map(|()| TicketBudget)
    }
}

/// An event batch within its client's budget.
pub struct EventBudget;

impl FromRequestParts<Arc<AppState>> for EventBudget {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        admit(
            state.events.limiter.as_ref(),
            "event batches",
            parts,
            state.trust_proxy,
        )
        .map(|()| EventBudget)
    }
}

/// A request from an allowed page, or from no page at all (a server or
/// script that sends no `Origin`).
pub struct AllowedOrigin;

impl FromRequestParts<Arc<AppState>> for AllowedOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        check_origin(
            &parts.headers,
            &state.events.allow_origins,
            state.trust_proxy,
        )
        .map(|()| AllowedOrigin)
    }
}

/// A page may send from the relay's own site (its origin names the `Host`
/// the request came to, or behind a trusted proxy the `X-Forwarded-Host`)
/// or from a site on the allow-list. A simple `text/plain` POST skips the
/// CORS preflight, so this is checked here.
fn check_origin(
    headers: &HeaderMap,
    allowed: &[axum::http::HeaderValue],
    trust_proxy: bool,
) -> Result<(), ApiError> {
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
        Err(ApiError::Origin(text.chars().take(200).collect()))
    }
}

/// A request whose body is declared as JSON.
pub struct JsonBody;

impl<S: Send + Sync> FromRequestParts<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        media_type_in(&parts.headers, &["application/json"], "application/json").map(|()| JsonBody)
    }
}

/// Refuses a body whose media type is not one of `accepted` (described to
/// the client as `described`).
pub fn media_type_in(
    headers: &HeaderMap,
    accepted: &[&str],
    described: &'static str,
) -> Result<(), ApiError> {
    match media_type(headers) {
        Some(media) if accepted.contains(&media.as_str()) => Ok(()),
        _ => Err(ApiError::MediaType {
            accepted: described,
        }),
    }
}

/// The media type of a request body without its parameters, lowercased:
/// `application/json` for `Application/JSON; charset=utf-8`.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// The `Idempotency-Key` header: 8 to 128 letters, digits, `-` or `_`, so
/// a retried ticket is stored once.
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key").map(|v| v.to_str()) {
            Some(Ok(key)) if is_valid_idempotency_key(key) => Ok(IdempotencyKey(key.to_string())),
            Some(_) => Err(ApiError::KeyMalformed),
            None => Err(ApiError::KeyMissing),
        }
    }
}

/// What a body is called in errors, and its largest size.
pub struct BodyRules {
    /// "ticket", "batch": for 413.
    pub what: &'static str,
    /// "ticket body", "events body": for 408.
    pub body: &'static str,
    pub limit: usize,
}

/// Reads the whole body: 408 when it does not arrive within the body
/// timeout, 413 past `rules.limit` (tower-http's limit cuts it off), 400
/// when it cannot be read.
///
/// tower-http's `RequestBodyTimeoutLayer` (on every route) restarts its
/// timer with every chunk, so a trickle of bytes would outlast it; this
/// timer bounds the whole body. `TimeoutLayer` would bound the whole
/// request instead, database write included, and answer 408 without the
/// JSON error that names what was slow.
pub async fn read_body(
    req: Request,
    state: &Arc<AppState>,
    rules: BodyRules,
) -> Result<Bytes, ApiError> {
    let timed_out = || ApiError::TimedOut {
        what: rules.body,
        limit: state.body_timeout,
    };
    let read = tokio::time::timeout(state.body_timeout, Bytes::from_request(req, state)).await;
    match read {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(rejection)) if timer_ran_out(&rejection) => Err(timed_out()),
        Ok(Err(rejection)) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ApiError::TooLarge {
                what: rules.what,
                limit: rules.limit,
            })
        }
        Ok(Err(_)) => Err(ApiError::Unreadable),
        Err(_) => Err(timed_out()),
    }
}

/// Whether reading a body failed because the body timeout layer's timer
/// ran out.
pub fn timer_ran_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
            Err(ApiError::Origin(o)) if o == "https://evil.example"
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
