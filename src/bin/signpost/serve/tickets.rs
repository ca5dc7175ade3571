//! `POST /api/tickets`: validate, dedupe by idempotency key, store, answer.

use super::store::Stored;
use super::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use signpost::core::ticket::{is_valid_idempotency_key, Ticket};
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn create_ticket(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(retry_after) = state.rate_limiter.check(peer.ip()) {
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
    let payload = serde_json::to_string(&ticket).expect("a ticket always serialises");
    let store = state.store.clone();
    let stored = tokio::task::spawn_blocking(move || store.insert_ticket(&key, &payload))
        .await
        .map_err(|e| e.to_string())
        .and_then(|result| result.map_err(|e| e.to_string()));
    let (reference, replayed) = match stored {
        Ok(Stored::Created { reference }) => (reference, false),
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
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the ticket could not be stored; it was not accepted, please retry",
            );
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
    use super::super::rate_limit::RateLimiter;
    use super::super::store::Store;
    use super::*;

    #[tokio::test]
    async fn a_ticket_that_cannot_be_stored_gets_503_and_no_reference() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("t.sqlite3")).unwrap());
        store.fail_writes();
        let state = Arc::new(AppState {
            store: store.clone(),
            rate_limiter: RateLimiter::new(10, 10),
        });
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", HeaderValue::from_static("key-disk-0001"));
        let body = Bytes::from_static(br#"{"version":1,"message":"camera offline"}"#);
        let response = create_ticket(
            State(state),
            ConnectInfo("127.0.0.1:9".parse().unwrap()),
            headers,
            body,
        )
        .await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
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
