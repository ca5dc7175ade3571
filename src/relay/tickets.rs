//! `POST /api/tickets`: validate, dedupe by idempotency key, store, answer.

use super::forward::tier_of;
use super::store::Stored;
use super::AppState;
use crate::core::ticket::{is_valid_idempotency_key, Ticket, MAX_TICKET_BYTES};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn create_ticket(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limited = state.rate_limiter.as_ref().map_or(Ok(()), |limiter| {
        limiter.check(state.client_ip(peer, &headers))
    });
    if let Err(retry_after) = limited {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            "too many tickets from this address; try again later",
        );
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after.as_secs().max(1)),
        );
        return response;
    }

    if super::media_type(&headers).as_deref() != Some("application/json") {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("Content-Type"),
            "header must be application/json",
        );
    }

    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        Some(Ok(key)) if is_valid_idempotency_key(key) => key.to_string(),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                Some("Idempotency-Key"),
                "header must be 8 to 128 letters, digits, '-' or '_'",
            )
        }
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                Some("Idempotency-Key"),
                "header is required so a retried ticket is stored once",
            )
        }
    };

    let body = match read_body(body, state.body_timeout).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let ticket = match Ticket::from_json(&body) {
        Ok(ticket) => ticket,
        Err(e) => {
            let body = json!({ "error": e.message, "field": e.field });
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    if let Err(problems) = ticket.validate() {
        let first = &problems[0];
        let body = json!({
            "error": first.to_string(),
            "field": first.field,
            "problems": problems,
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }

    // Canonical JSON: a retry of the same ticket compares equal byte for byte.
    let payload = serde_json::to_value(&ticket)
        .expect("a ticket always serialises")
        .to_string();
    let tier = tier_of(&ticket).as_str();
    let forwards = !state.routes.for_tier(tier).is_empty();
    let (store, routes) = (state.store.clone(), state.routes.clone());
    let stored = tokio::task::spawn_blocking(move || {
        store.insert_ticket(&key, &payload, tier, routes.for_tier(tier))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|result| result.map_err(|e| e.to_string()));
    let (reference, replayed) = match stored {
        Ok(Stored::Created { reference }) => {
            if let (true, Some(forwarder)) = (forwards, &state.forwarder) {
                forwarder.wake();
            }
            (reference, false)
        }
        Ok(Stored::Replayed { reference }) => (reference, true),
        Ok(Stored::KeyReused) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("Idempotency-Key"),
                "this key was already used for a different ticket",
            )
        }
        Err(e) => {
            eprintln!("signpost: could not store ticket: {e}");
            let mut response = error(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the ticket could not be stored; it was not accepted, please retry",
            );
            // The widget's outbox paces its retries by this.
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(STORE_RETRY_AFTER_SECS),
            );
            return response;
        }
    };
    let mut response =
        (StatusCode::CREATED, Json(json!({ "reference": reference }))).into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Seconds a client is asked to wait after the database refused a write.
const STORE_RETRY_AFTER_SECS: u64 = 30;

/// Reads the whole body, answering 408 when the client sends it too slowly
/// (a slowloris holds a connection open with a trickle of bytes) and 413
/// when it runs past the limit without having declared its length.
async fn read_body(body: Body, timeout: std::time::Duration) -> Result<Bytes, Response> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_TICKET_BYTES)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if super::timed_out(&e) => Err(body_timed_out("ticket body", timeout)),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            Err(if too_large {
                error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    None,
                    &format!("the ticket is larger than {MAX_TICKET_BYTES} bytes"),
                )
            } else {
                error(
                    StatusCode::BAD_REQUEST,
                    None,
                    "the request body could not be read",
                )
            })
        }
        Err(_) => Err(body_timed_out("ticket body", timeout)),
    }
}

/// 408 for a body (`what`) that did not arrive within `timeout`; the
/// connection is closed, as the rest of a half-sent body cannot be skipped.
pub fn body_timed_out(what: &str, timeout: std::time::Duration) -> Response {
    let mut response = error(
        StatusCode::REQUEST_TIMEOUT,
        None,
        &format!(
            "the {what} took longer than {} s to arrive",
            timeout.as_secs()
        ),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A JSON error body: `{"error": "...", "field": "..."}`.
pub fn error(status: StatusCode, field: Option<&str>, message: &str) -> Response {
    let text = match field {
        Some(field) => format!("{field}: {message}"),
        None => message.to_string(),
    };
    (status, Json(json!({ "error": text, "field": field }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::super::forward::Routes;
    use super::super::inbox::Inbox;
    use super::super::store::sqlite::SqliteStore;
    use super::super::store::Store;
    use super::*;

    #[tokio::test]
    async fn a_ticket_that_cannot_be_stored_gets_503_and_no_reference() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("t.sqlite3")).unwrap());
        store.fail_writes();
        let state = Arc::new(AppState {
            store: store.clone() as Arc<dyn Store>,
            rate_limiter: None,
            routes: Arc::new(Routes::default()),
            forwarder: None,
            body_timeout: std::time::Duration::from_secs(5),
            trust_proxy: false,
            inbox: Inbox::new(None),
            events: super::super::events::Events {
                limiter: None,
                allow_origins: Vec::new(),
                scrubber: Default::default(),
            },
        });
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", HeaderValue::from_static("key-disk-0001"));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = Body::from(r#"{"version":1,"message":"camera offline"}"#);
        let response = create_ticket(
            State(state),
            ConnectInfo("127.0.0.1:9".parse().unwrap()),
            headers,
            body,
        )
        .await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(STORE_RETRY_AFTER_SECS))
        );
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert!(
            json["error"].as_str().unwrap().contains("not accepted"),
            "{json}"
        );
        assert!(json.get("reference").is_none());
        assert!(store.recent_tickets(10).unwrap().is_empty());
    }
}
