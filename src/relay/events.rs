//! `POST /api/events`: anonymous usage events from the widget (#16).
//!
//! Written with the relay's extractors ([`EventBudget`], [`AllowedOrigin`],
//! [`BatchBody`] for the body) and its one error type, [`ApiError`], that
//! turns into the JSON answer. The client's address is used for rate
//! limiting only, in memory, and never stored.

use super::error::ApiError;
use super::extract::{media_type_in, read_body, AllowedOrigin, BodyRules, EventBudget};
use super::rate_limit::RateLimiter;
use super::store::analytics::Ingested;
use super::AppState;
use crate::core::analytics::Batch;
use crate::core::scrub::Scrubber;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// Largest batch body: 100 events with every text at its limit fit easily.
pub const MAX_EVENTS_BYTES: usize = 128 * 1024;

/// The 503 message when the database refused a batch.
const UNAVAILABLE: &str = "the events could not be stored; they were not accepted, please retry";

/// What the events endpoint needs besides the store.
pub struct Events {
    /// Per-client budget for batches; `None` when rate limiting is off.
    pub limiter: Option<RateLimiter>,
    /// Origins of other sites allowed to send events (the CORS allow-list).
    pub allow_origins: Vec<HeaderValue>,
    pub scrubber: Scrubber,
}

/// A batch read from a JSON (or `text/plain`) body and validated.
pub struct BatchBody(pub Batch);

impl FromRequest<Arc<AppState>> for BatchBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        media_type_in(
            req.headers(),
            &["application/json", "text/plain"],
            "application/json (or text/plain, as sendBeacon sends)",
        )?;
        let rules = BodyRules {
            what: "batch",
            body: "events body",
            limit: MAX_EVENTS_BYTES,
        };
        let body = read_body(req, state, rules).await?;
        Batch::from_json(&body)
            .map(BatchBody)
            .map_err(|e| ApiError::Invalid {
                field: e.field,
                message: e.message,
            })
    }
}

/// Scrubs free text again (the widget did once), stores the batch once per
/// batch id, and answers 202 `{"accepted": N}`; a replayed batch id gets 200
/// with the same count and `"replayed": true`.
pub async fn post_events(
    State(state): State<Arc<AppState>>,
    _: EventBudget,
    _: AllowedOrigin,
    BatchBody(mut batch): BatchBody,
) -> Result<Response, ApiError> {
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
            Err(ApiError::Unavailable(UNAVAILABLE))
        }
        Err(e) => {
            tracing::error!(error = %e, "the events task failed");
            Err(ApiError::Unavailable(UNAVAILABLE))
        }
    }
}
