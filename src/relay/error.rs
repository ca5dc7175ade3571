//! [`ApiError`]: every way the ticket and events endpoints refuse a
//! request, and the JSON answer each gets: `{"error": "...", "field": ...}`
//! (and `problems` for a ticket that fails validation).

use crate::core::ticket::FieldError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::time::Duration;

/// Seconds a client is asked to wait after the database refused a write.
pub const STORE_RETRY_AFTER_SECS: u64 = 30;

/// A refused request. `what` fields name the thing in the message
/// ("tickets", "event batches", "ticket body"...).
#[derive(Debug)]
pub enum ApiError {
    /// 429: over the per-client budget; retry after this long.
    RateLimited { what: &'static str, wait: Duration },
    /// 403: posted from a page of a site that is not allowed.
    Origin(String),
    /// 415: the body is not of an `accepted` media type.
    MediaType { accepted: &'static str },
    /// 413: the body is over `limit` bytes.
    TooLarge { what: &'static str, limit: usize },
    /// 408: the body did not arrive within `limit`; the connection is
    /// closed, as the rest of a half-sent body cannot be skipped.
    TimedOut { what: &'static str, limit: Duration },
    /// 400: the body could not be read.
    Unreadable,
    /// 400: no `Idempotency-Key` header.
    KeyMissing,
    /// 400: an `Idempotency-Key` header of the wrong shape.
    KeyMalformed,
    /// 422: the key was already used for a different ticket.
    KeyReused,
    /// 400: the body is not what the endpoint takes; names the field.
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// 400: a ticket that breaks the rules; the first problem is the error.
    InvalidTicket(Vec<FieldError>),
    /// 503: the database refused the write; nothing was stored. The
    /// message says so for the endpoint's kind of thing.
    Unavailable(&'static str),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, field, message): (StatusCode, Option<String>, String) = match &self {
            ApiError::RateLimited { what, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                None,
                format!("too many {what} from this address; try again later"),
            ),
            ApiError::Origin(origin) => (
                StatusCode::FORBIDDEN,
                Some("Origin".into()),
                format!("Origin: {origin} may not send events here; add it with --allow-origin"),
            ),
            ApiError::MediaType { accepted } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("Content-Type".into()),
                format!("Content-Type: header must be {accepted}"),
            ),
            ApiError::TooLarge { what, limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                format!("the {what} is larger than {limit} bytes"),
            ),
            ApiError::TimedOut { what, limit } => (
                StatusCode::REQUEST_TIMEOUT,
                None,
                format!(
                    "the {what} took longer than {} s to arrive",
                    limit.as_secs()
                ),
            ),
            ApiError::Unreadable => (
                StatusCode::BAD_REQUEST,
                None,
                "the request body could not be read".into(),
            ),
            ApiError::KeyMissing => (
                StatusCode::BAD_REQUEST,
                Some("Idempotency-Key".into()),
                "Idempotency-Key: header is required so a retried ticket is stored once".into(),
            ),
            ApiError::KeyMalformed => (
                StatusCode::BAD_REQUEST,
                Some("Idempotency-Key".into()),
                "Idempotency-Key: header must be 8 to 128 letters, digits, '-' or '_'".into(),
            ),
            ApiError::KeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("Idempotency-Key".into()),
                "Idempotency-Key: this key was already used for a different ticket".into(),
            ),
            ApiError::Invalid { field, message } => {
                (StatusCode::BAD_REQUEST, field.clone(), message.clone())
            }
            ApiError::InvalidTicket(problems) => {
                let first = &problems[0];
                let body = json!({
                    "error": first.to_string(),
                    "field": first.field,
                    "problems": problems,
                });
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            ApiError::Unavailable(message) => {
                (StatusCode::SERVICE_UNAVAILABLE, None, (*message).into())
            }
        };
        let mut response =
            (status, Json(json!({ "error": message, "field": field }))).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::RateLimited { wait, .. } => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(wait.as_secs().max(1)),
                );
            }
            // The widget's outbox paces its retries by this.
            ApiError::Unavailable(_) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(STORE_RETRY_AFTER_SECS),
                );
            }
            ApiError::TimedOut { .. } => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}
