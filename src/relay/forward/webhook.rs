//! Webhook destination: POST JSON, signed like Stripe's webhooks.
//!
//! `Signpost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! A receiver recomputes the HMAC over the timestamp, a dot and the raw body
//! bytes, compares it in constant time, and rejects timestamps more than a
//! few minutes old (replays). `docs/relay.md` shows a receiver.

use super::{http_agent, http_outcome, render, Outgoing, SendError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// A webhook destination: its URL and signing secret.
pub struct Webhook {
    url: String,
    secret: String,
    agent: ureq::Agent,
}

impl Webhook {
    pub fn new(url: String, secret: String, timeout: Duration) -> Webhook {
        Webhook {
            url,
            secret,
            agent: http_agent(timeout),
        }
    }

    /// Posts the ticket once; the caller retries.
    pub fn send(&self, ticket: &Outgoing<'_>) -> Result<(), SendError> {
        let body = serde_json::json!({
            "event": "ticket.created",
            "reference": ticket.reference,
            "tier": ticket.tier,
            "received_at": render::utc_timestamp(ticket.received_at_ms),
            "received_at_ms": ticket.received_at_ms,
            "ticket": ticket.ticket,
        })
        .to_string();
        let timestamp = u64::try_from(super::super::store::now_ms() / 1000).unwrap_or(0);
        let result = self
            .agent
            .post(&self.url)
            .set("Content-Type", "application/json")
            .set(
                "Signpost-Signature",
                &signature(&self.secret, timestamp, &body),
            )
            .set("Signpost-Reference", ticket.reference)
            .send_string(&body);
        http_outcome(result)
    }
}

/// The signature header value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: u64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={timestamp},v1={:x}", mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_a_known_hmac() {
        // echo -n '1700000000.{}' | openssl dgst -sha256 -hmac whsec
        assert_eq!(
            signature("whsec", 1_700_000_000, "{}"),
            "t=1700000000,v1=7d44587dddbaf4c7f70fef20f48cd594834ffea1641e3ac227b84408298738af"
        );
    }
}
