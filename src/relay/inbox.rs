//! `GET /inbox`: the tickets as server-rendered HTML, for the support team.
//!
//! Everything shown came from strangers on the internet, so every string is
//! escaped, the page runs no script (CSP `default-src 'none'`), and access
//! needs the configured token, as `Authorization: Bearer` or through the
//! login form, which sets a cookie derived from (not equal to) the token.

use super::error::ApiError;
use super::extract::ClientIp;
use super::forward::render::{other_fields, utc_timestamp};
use super::rate_limit::RateLimiter;
use super::report::period::Period;
use super::store::{is_reference, DeliveryState, StoredTicket};
use super::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hmac::{Hmac, Mac};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::Sha256;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

const COOKIE: &str = "signpost_inbox";
/// Tickets listed on the inbox page, newest first.
const LISTED: usize = 200;

/// The inbox's access control.
pub struct Inbox {
    token: Option<String>,
    /// The cookie value a logged-in browser holds.
    session: Option<String>,
    /// Guesses at the token are slowed down per client.
    login_limiter: RateLimiter,
}

impl Inbox {
    pub fn new(token: Option<String>) -> Inbox {
        let session = token.as_ref().map(|token| {
            let mut mac = Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("any key");
            mac.update(b"signpost inbox session v1");
            format!("{:x}", mac.finalize().into_bytes())
        });
        Inbox {
            token,
            session,
            login_limiter: RateLimiter::new(5, 5),
        }
    }

    /// Whether `headers` open the inbox. The right token or session always
    /// does; each wrong bearer token costs `client` one attempt of the same
    /// budget as the login form, and past it the answer is 429.
    fn check(&self, headers: &HeaderMap, client: IpAddr) -> Access {
        let (Some(token), Some(session)) = (&self.token, &self.session) else {
            return Access::Denied;
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(given) = bearer {
            if same(given.trim(), token) {
                return Access::Allowed;
            }
            return self.wrong_guess(client);
        }
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
            .any(|given| same(given, session));
        if cookie {
            Access::Allowed
        } else {
            Access::Denied
        }
    }

    /// Charges a wrong token to `client`: denied, or throttled past the budget.
    fn wrong_guess(&self, client: IpAddr) -> Access {
        match self.login_limiter.check(client) {
            Ok(()) => Access::Denied,
            Err(wait) => Access::Throttled(wait),
        }
    }
}

/// What a request's credentials are worth.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    Allowed,
    Denied,
    /// Too many wrong tokens from this client; try again after this long.
    Throttled(Duration),
}

/// Constant-time comparison (`subtle`), so response timing leaks nothing
/// of the token but its length.
fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/inbox", get(list))
        .route("/inbox/login", get(login_form).post(login))
        .route("/inbox/logout", post(logout))
        .route("/inbox/report", get(report))
        .route("/inbox/{reference}", get(show))
        .with_state(state)
}

/// A whole inbox page. Its markup is written with maud, which escapes
/// every string it is given: ticket text from strangers cannot add markup.
fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) " · Signpost inbox" }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    };
    secured((status, html.into_string()).into_response())
}

/// The inbox's headers on an HTML page: no script, no framing, no caching.
fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2430}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #dde;vertical-align:top}\
pre{white-space:pre-wrap;word-break:break-word;background:#f5f6f8;padding:.75rem;border-radius:6px}\
.pending{color:#8a5a00}.delivered{color:#17643a}.failed{color:#b3261e;font-weight:600}.tier{font-weight:600}";

/// Without a token the inbox is off, and says how to turn it on; without the
/// right credentials it offers the login form.
fn gate(state: &AppState, headers: &HeaderMap, client: IpAddr) -> Option<Response> {
    if let Some(disabled) = disabled(state) {
        return Some(disabled);
    }
    let (status, note) = match state.inbox.check(headers, client) {
        Access::Allowed => return None,
        Access::Denied => (StatusCode::UNAUTHORIZED, html! {}),
        Access::Throttled(wait) => return Some(too_many(wait)),
    };
    let mut response = login_page(status, note);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"signpost inbox\""),
    );
    Some(response)
}

fn disabled(state: &AppState) -> Option<Response> {
    state.inbox.token.is_none().then(|| {
        page(
            StatusCode::NOT_FOUND,
            "Inbox disabled",
            html! {
                h1 { "The inbox is disabled" }
                p {
                    "Set an inbox token to turn it on: the "
                    code { "SIGNPOST_INBOX_TOKEN" }
                    " environment variable, or "
                    code { "inbox_token_env" }
                    " in the configuration file."
                }
            },
        )
    })
}

/// 429 after too many wrong tokens from one client.
fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let note = html! { p.failed { "Too many attempts; wait " (secs) " s." } };
    let mut response = login_page(StatusCode::TOO_MANY_REQUESTS, note);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

fn login_page(status: StatusCode, note: Markup) -> Response {
    page(
        status,
        "Sign in",
        html! {
            h1 { "Signpost inbox" }
            (note)
            form method="post" action="/inbox/login" {
                label {
                    "Inbox token "
                    input type="password" name="token" autocomplete="current-password" required;
                }
                " "
                button { "Sign in" }
            }
        },
    )
}

async fn login_form(State(state): State<Arc<AppState>>) -> Response {
    disabled(&state).unwrap_or_else(|| login_page(StatusCode::OK, html! {}))
}

#[derive(serde::Deserialize)]
struct Login {
    token: String,
}

async fn login(
    State(state): State<Arc<AppState>>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    form: Result<Form<Login>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) if super::extract::timer_ran_out(&rejection) => {
            return ApiError::TimedOut {
                what: "login form",
                limit: state.body_timeout,
            }
            .into_response()
        }
        Err(rejection) => return rejection.into_response(),
    };
    let (Some(token), Some(session)) = (&state.inbox.token, &state.inbox.session) else {
        return disabled(&state).expect("an inbox without a token is disabled");
    };
    // The right token always works; only wrong ones spend the budget.
    if !same(form.token.trim(), token) {
        return match state.inbox.wrong_guess(client) {
            Access::Throttled(wait) => too_many(wait),
            _ => login_page(
                StatusCode::UNAUTHORIZED,
                html! { p.failed { "That token is not right." } },
            ),
        };
    }
    let secure = if headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p == "https")
        && state.trust_proxy
    {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={session}; Path=/inbox; HttpOnly; SameSite=Strict; Max-Age=43200{secure}"
    );
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/inbox")]).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn logout() -> Response {
    let cookie = format!("{COOKIE}=; Path=/inbox; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/inbox/login".to_string()),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response()
}

async fn list(
    State(state): State<Arc<AppState>>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = gate(&state, &headers, client) {
        return response;
    }
    let store = state.store.clone();
    let tickets = match tokio::task::spawn_blocking(move || store.recent_tickets(LISTED)).await {
        Ok(Ok(tickets)) => tickets,
        Ok(Err(e)) => return unavailable(&e.to_string()),
        Err(e) => return unavailable(&e.to_string()),
    };
    let body = html! {
        form method="post" action="/inbox/logout" style="float:right" { button { "Sign out" } }
        h1 { "Tickets" }
        @if tickets.is_empty() {
            p { "No tickets yet." }
        } @else {
            p { "The newest " (tickets.len()) " tickets." }
            table {
                thead { tr {
                    th { "Reference" } th { "Received" } th { "Tier" }
                    th { "From" } th { "Message" } th { "Forwarding" }
                } }
                tbody {
                    @for ticket in &tickets {
                        @let json: serde_json::Value = serde_json::from_str(&ticket.payload).unwrap_or_default();
                        @let first: String = json["message"].as_str().unwrap_or("").lines().next().unwrap_or("").chars().take(120).collect();
                        tr {
                            td { a href={ "/inbox/" (ticket.reference) } { (ticket.reference) } }
                            td { (utc_timestamp(ticket.received_at_ms)) }
                            td.tier { (ticket.tier) }
                            td { (json["email"].as_str().unwrap_or("")) }
                            td { (first) }
                            td { (delivery_summary(ticket)) }
                        }
                    }
                }
            }
        }
    };
    page(StatusCode::OK, "Tickets", body)
}

fn delivery_summary(ticket: &StoredTicket) -> Markup {
    html! {
        @if ticket.deliveries.is_empty() {
            "not forwarded"
        }
        @for (i, d) in ticket.deliveries.iter().enumerate() {
            @if i > 0 { br; }
            span class=(d.state.as_str()) title=(d.last_error.as_deref().unwrap_or("")) {
                (d.destination) ": " (d.state.as_str())
            }
        }
    }
}

async fn show(
    State(state): State<Arc<AppState>>,
    Path(reference): Path<String>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = gate(&state, &headers, client) {
        return response;
    }
    let not_found = || {
        page(
            StatusCode::NOT_FOUND,
            "Not found",
            html! {
                p { a href="/inbox" { "All tickets" } }
                h1 { "No ticket " (reference) }
            },
        )
    };
    if !is_reference(&reference) {
        return not_found();
    }
    let store = state.store.clone();
    let wanted = reference.clone();
    let ticket = match tokio::task::spawn_blocking(move || store.ticket_by_reference(&wanted)).await
    {
        Ok(Ok(Some(ticket))) => ticket,
        Ok(Ok(None)) => return not_found(),
        Ok(Err(e)) => return unavailable(&e.to_string()),
        Err(e) => return unavailable(&e.to_string()),
    };
    let json: serde_json::Value = serde_json::from_str(&ticket.payload).unwrap_or_default();
    let text = |field: &str| json[field].as_str().unwrap_or("—").to_string();
    let others = other_fields(&json);
    let body = html! {
        p { a href="/inbox" { "All tickets" } }
        h1 { (ticket.reference) }
        table {
            tr { th { "Tier" } td.tier { (ticket.tier) } }
            tr { th { "Received" } td { (utc_timestamp(ticket.received_at_ms)) } }
            tr { th { "From" } td { (text("email")) } }
            tr { th { "Page" } td { (text("page_url")) } }
            tr { th { "Widget" } td { (text("widget_version")) } }
            tr { th { "Idempotency key" } td { (ticket.idempotency_key) } }
        }
        h2 { "Message" }
        pre { (text("message")) }
        @if !others.is_empty() {
            h2 { "Other details" }
            table {
                @for (key, value) in &others {
                    tr {
                        th { (key) }
                        td { pre { (serde_json::to_string_pretty(value).unwrap_or_default()) } }
                    }
                }
            }
        }
        h2 { "Forwarding" }
        @if ticket.deliveries.is_empty() {
            p { "No destination is configured for this tier." }
        } @else {
            table {
                tr {
                    th { "Destination" } th { "State" } th { "Attempts" }
                    th { "Last error" } th { "Updated" }
                }
                @for d in &ticket.deliveries {
                    tr {
                        td { (d.destination) }
                        td class=(d.state.as_str()) { (d.state.as_str()) }
                        td { (d.attempts) }
                        td { (d.last_error.as_deref().unwrap_or("")) }
                        td { (utc_timestamp(d.updated_at_ms)) }
                    }
                }
            }
            @if ticket.deliveries.iter().any(|d| d.state == DeliveryState::Pending) {
                p { "Pending deliveries are retried with backoff." }
            }
        }
    };
    page(StatusCode::OK, &ticket.reference, body)
}

/// `GET /inbox/report?since=30d&until=DATE&flow=ID`: `signpost report
/// --format html` for the support team, behind the inbox token.
async fn report(
    State(state): State<Arc<AppState>>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Response {
    if let Some(response) = gate(&state, &headers, client) {
        return response;
    }
    let since = query.since.as_deref().unwrap_or("30d");
    let period = match Period::parse(since, query.until.as_deref(), super::store::now_ms()) {
        Ok(period) => period,
        Err(message) => {
            return page(
                StatusCode::BAD_REQUEST,
                "Bad period",
                html! { h1 { "Bad period" } p { (message) } },
            )
        }
    };
    let store = state.store.clone();
    let flow = query.flow.filter(|f| !f.is_empty());
    let computed = tokio::task::spawn_blocking(move || {
        super::report::compute(&*store, &period, flow.as_deref())
    })
    .await;
    match computed {
        Ok(Ok(report)) => {
            let mut response = secured(super::report::render::html(&report).into_response());
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Ok(Err(e)) => unavailable(&e.to_string()),
        Err(e) => unavailable(&e.to_string()),
    }
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    since: Option<String>,
    until: Option<String>,
    flow: Option<String>,
}

fn unavailable(error: &str) -> Response {
    tracing::error!(error, "inbox cannot read tickets");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Unavailable",
        html! {
            h1 { "The ticket database cannot be read right now" }
            p { "Try again shortly." }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_ticket_text_is_escaped() {
        let text = "<script>alert('x')</script> & \"q\"";
        let markup = html! { td title=(text) { (text) } };
        assert_eq!(
            markup.into_string(),
            "<td title=\"&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;q&quot;\">\
             &lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;q&quot;</td>"
        );
    }

    #[test]
    fn only_the_token_or_its_session_cookie_opens_the_inbox() {
        let inbox = Inbox::new(Some("a-long-inbox-token-123".into()));
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert_eq!(inbox.check(&headers, client), Access::Denied);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer a-long-inbox-token-123"),
        );
        assert_eq!(inbox.check(&headers, client), Access::Allowed);
        let mut cookie = HeaderMap::new();
        let value = format!("theme=dark; {COOKIE}={}", inbox.session.clone().unwrap());
        cookie.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        assert_eq!(inbox.check(&cookie, client), Access::Allowed);
        let mut raw = HeaderMap::new();
        raw.insert(
            header::COOKIE,
            HeaderValue::from_static("signpost_inbox=a-long-inbox-token-123"),
        );
        assert_eq!(
            inbox.check(&raw, client),
            Access::Denied,
            "the raw token is not a session"
        );
        assert_eq!(Inbox::new(None).check(&headers, client), Access::Denied);
    }
}
