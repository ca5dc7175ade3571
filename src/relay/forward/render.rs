//! Plain-text rendering of a ticket, for email and helpdesk bodies.

use super::Outgoing;

/// Fields shown in their own lines, in this order; anything else the payload
/// carries (later schema versions) follows under "Other details".
const KNOWN: [&str; 5] = ["version", "message", "email", "page_url", "widget_version"];

/// The payload's fields outside [`KNOWN`], in payload order: what a renderer
/// shows under "Other details".
pub fn other_fields(json: &serde_json::Value) -> Vec<(&String, &serde_json::Value)> {
    json.as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| !KNOWN.contains(&key.as_str()))
        .collect()
}

/// A one-line summary: the first line of the message, shortened.
pub fn subject(ticket: &Outgoing<'_>) -> String {
    let message = ticket.ticket["message"].as_str().unwrap_or("");
    let first = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no message)");
    let mut short: String = first.chars().take(80).collect();
    if first.chars().count() > 80 {
        short.push('…');
    }
    format!("[{}] {short}", ticket.tier)
}

/// The whole ticket as readable text.
pub fn plain_text(ticket: &Outgoing<'_>) -> String {
    let json = ticket.ticket;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str());
    let mut out = format!(
        "Ticket {} ({})\nReceived: {}\n",
        ticket.reference,
        ticket.tier,
        utc_timestamp(ticket.received_at_ms)
    );
    out.push_str(&format!(
        "From: {}\n",
        field("email").unwrap_or("(no email given)")
    ));
    if let Some(page) = field("page_url") {
        out.push_str(&format!("Page: {page}\n"));
    }
    if let Some(version) = field("widget_version") {
        out.push_str(&format!("Widget: {version}\n"));
    }
    out.push_str("\nMessage:\n");
    for line in field("message").unwrap_or("").lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    let others = other_fields(json);
    if !others.is_empty() {
        out.push_str("\nOther details:\n");
        for (key, value) in others {
            let shown = match value {
                serde_json::Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            out.push_str(&format!("  {key}: {}\n", shown.replace('\n', "\n    ")));
        }
    }
    out
}

/// `2025-01-31 14:05:09 UTC` from milliseconds since the epoch.
pub fn utc_timestamp(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_calendar_dates_in_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_timestamp(1_709_210_096_000), "2024-02-29 12:34:56 UTC");
    }

    #[test]
    fn the_text_shows_every_field_and_unknown_ones_too() {
        let json = json!({
            "version": 1,
            "message": "Camera offline\nsince the update",
            "email": "ana@example.com",
            "page_url": "https://app.example.com/setup",
            "flow_path": ["wifi", "band"],
        });
        let ticket = Outgoing {
            reference: "SP-7K3Q9A",
            tier: "defect",
            received_at_ms: 0,
            ticket: &json,
        };
        let text = plain_text(&ticket);
        assert!(text.starts_with("Ticket SP-7K3Q9A (defect)\n"), "{text}");
        assert!(text.contains("From: ana@example.com\n"), "{text}");
        assert!(
            text.contains("  Camera offline\n  since the update\n"),
            "{text}"
        );
        assert!(text.contains("flow_path"), "{text}");
        assert_eq!(subject(&ticket), "[defect] Camera offline");
    }
}
