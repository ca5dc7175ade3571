//! Zendesk destination: creates a ticket through the Tickets API
//! (`POST /api/v2/tickets.json`) with an agent's API token.

use super::{http_agent, http_outcome, render, Outgoing, SendError};
use base64::Engine;
use std::time::Duration;

/// A Zendesk account reached with an agent's API token.
pub struct Zendesk {
    /// `https://acme.zendesk.com`, without a trailing slash.
    base_url: String,
    /// `Basic base64(email/token:TOKEN)`.
    authorization: String,
    agent: ureq::Agent,
}

impl Zendesk {
    pub fn new(base_url: &str, email: &str, token: &str, timeout: Duration) -> Zendesk {
        let credentials = format!("{email}/token:{token}");
        Zendesk {
            base_url: base_url.trim_end_matches('/').to_string(),
            authorization: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            ),
            agent: http_agent(timeout),
        }
    }

    /// Creates the Zendesk ticket once; the caller retries.
    pub fn send(&self, ticket: &Outgoing<'_>) -> Result<(), SendError> {
        let result = self
            .agent
            .post(&format!("{}/api/v2/tickets.json", self.base_url))
            .set("Authorization", &self.authorization)
            // Zendesk stores a retried create once per key (24 h).
            .set("Idempotency-Key", &format!("signpost-{}", ticket.reference))
            .send_json(request_body(ticket));
        http_outcome(result)
    }
}

/// Zendesk's priority for one of our tiers.
fn priority(tier: &str) -> &'static str {
    match tier {
        "outage" => "urgent",
        "billing" | "defect" => "high",
        "feedback" => "low",
        _ => "normal",
    }
}

/// The `{"ticket": …}` body: subject from the first line, the readable text
/// as the first comment, tags for the tier, our reference as `external_id`.
pub fn request_body(ticket: &Outgoing<'_>) -> serde_json::Value {
    let mut body = serde_json::json!({
        "ticket": {
            "subject": render::subject(ticket),
            "comment": { "body": render::plain_text(ticket), "public": false },
            "priority": priority(ticket.tier),
            "tags": ["signpost", format!("signpost_{}", ticket.tier)],
            "external_id": ticket.reference,
        }
    });
    if let Some(email) = ticket.ticket.get("email").and_then(|e| e.as_str()) {
        let name = email.split('@').next().unwrap_or(email);
        body["ticket"]["requester"] = serde_json::json!({ "email": email, "name": name });
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_becomes_an_urgent_tagged_ticket_for_the_user() {
        let json = serde_json::json!({"version": 1, "message": "All cameras offline", "email": "ana@example.com"});
        let body = request_body(&Outgoing {
            reference: "SP-7K3Q9A",
            tier: "outage",
            received_at_ms: 0,
            ticket: &json,
        });
        let t = &body["ticket"];
        assert_eq!(t["priority"], "urgent");
        assert_eq!(
            t["tags"],
            serde_json::json!(["signpost", "signpost_outage"])
        );
        assert_eq!(t["requester"]["email"], "ana@example.com");
        assert_eq!(t["external_id"], "SP-7K3Q9A");
        assert!(t["comment"]["body"]
            .as_str()
            .unwrap()
            .contains("All cameras offline"));
    }
}
