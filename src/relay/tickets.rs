//! `POST /api/tickets`: validate, dedupe by idempotency key, store, answer.
//!
//! Written like the events endpoint: extractors ([`TicketBudget`],
//! [`JsonBody`], [`IdempotencyKey`], [`TicketBody`]) refuse what is wrong
//! with an [`ApiError`]; the handler stores what passed.

use super::error::ApiError;
use super::extract::{read_body, BodyRules, IdempotencyKey, JsonBody, TicketBudget};
use super::forward::tier_of;
use super::store::Stored;
use super::AppState;
use crate::core::ticket::{Ticket, MAX_TICKET_BYTES};
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// The 503 message when the database refused a ticket.
const UNAVAILABLE: &str = "the ticket could not be stored; it was not accepted, please retry";

/// A ticket read from the body, parsed and validated.
pub struct TicketBody(pub Ticket);

impl FromRequest<Arc<AppState>> for TicketBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let rules = BodyRules {
            what: "ticket",
            body: "ticket body",
            limit: MAX_TICKET_BYTES,
        };
        let body = read_body(req, state, rules).await?;
        let ticket = Ticket::from_json(&body).map_err(|e| ApiError::Invalid {
            field: e.field,
            message: e.message,
        })?;
        ticket.validate().map_err(ApiError::InvalidTicket)?;
        Ok(TicketBody(ticket))
    }
}

/// Stores the ticket once per idempotency key and answers 201
/// `{"reference": "SP-…"}`; a retry of the same ticket gets the same
/// reference and `Idempotent-Replayed: true`.
pub async fn create_ticket(
    State(state): State<Arc<AppState>>,
    _: TicketBudget,
    _: JsonBody,
    IdempotencyKey(key): IdempotencyKey,
    TicketBody(ticket): TicketBody,
) -> Result<Response, ApiError> {
    // Canonical JSON: a retry of the same ticket compares equal byte for byte.
    let payload = serde_json::to_value(&ticket)
        .expect("a ticket always serialises")
        .to_string();
    let tier = tier_of(&ticket).as_str();
    let (store, routes) = (state.store.clone(), state.routes.clone());
    let stored = tokio::task::spawn_blocking(move || {
        store.insert_ticket(&key, &payload, tier, routes.for_tier(tier))
    })
    .await;
    let created =
        |reference: String| (StatusCode::CREATED, Json(json!({ "reference": reference })));
    match stored {
        Ok(Ok(Stored::Created { reference })) => {
            if let (false, Some(forwarder)) =
                (state.routes.for_tier(tier).is_empty(), &state.forwarder)
            {
                forwarder.wake();
            }
            Ok(created(reference).into_response())
        }
        Ok(Ok(Stored::Replayed { reference })) => {
            Ok(([("idempotent-replayed", "true")], created(reference)).into_response())
        }
        Ok(Ok(Stored::KeyReused)) => Err(ApiError::KeyReused),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "could not store ticket");
            Err(ApiError::Unavailable(UNAVAILABLE))
        }
        Err(e) => {
            tracing::error!(error = %e, "the ticket task failed");
            Err(ApiError::Unavailable(UNAVAILABLE))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::forward::Routes;
    use super::super::inbox::Inbox;
    use super::super::store::sqlite::SqliteStore;
    use super::super::store::Store;
    use super::*;
    use crate::relay::error::STORE_RETRY_AFTER_SECS;
    use axum::http::{header, HeaderValue};
    use axum::routing::post;
    use tower::ServiceExt;

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
        let app = axum::Router::new()
            .route("/api/tickets", post(create_ticket))
            .with_state(state);
        let request = axum::http::Request::post("/api/tickets")
            .header("idempotency-key", "key-disk-0001")
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(
                r#"{"version":1,"message":"camera offline"}"#,
            ))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
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
