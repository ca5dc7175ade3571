//! The ticket payload that the widget sends and the relay stores.
//!
//! Version 1 is deliberately small; the widget and relay share this one
//! definition so that what one writes the other always accepts.

use crate::core::context::{self, ContextItem, MAX_ITEMS, MAX_LINES, MAX_LINE_CHARS};
use crate::core::json::Json;
use crate::core::map::Map;
pub use crate::core::scrub::scrub_url;
use crate::core::scrub::Scrubber;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How urgent a ticket is, most urgent first; they follow how support
/// teams triage. One name in code: *priority* (the relay's storage, its
/// routes and the analytics events call the same value `tier` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Everything is failing; help is needed now.
    Outage,
    /// Money is involved; high priority.
    Billing,
    /// A real problem in the product, ideally with a workaround article.
    Defect,
    /// A setup mistake self-help could not clear.
    Howto,
    /// An idea or a comment; no urgency.
    Feedback,
}

impl Priority {
    /// Every priority, most urgent first.
    pub const ALL: [Priority; 5] = [
        Priority::Outage,
        Priority::Billing,
        Priority::Defect,
        Priority::Howto,
        Priority::Feedback,
    ];

    /// The value in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Outage => "outage",
            Priority::Billing => "billing",
            Priority::Defect => "defect",
            Priority::Howto => "howto",
            Priority::Feedback => "feedback",
        }
    }

    /// Parses a priority name.
    pub fn from_name(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The payload schema version this build writes and accepts.
pub const TICKET_VERSION: u32 = 1;

/// Largest request body the relay accepts, in bytes.
pub const MAX_TICKET_BYTES: usize = 256 * 1024;

/// Longest description a user may send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A support ticket as sent by the widget (`POST /api/tickets`, JSON body,
/// with an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// Schema version; must equal [`TICKET_VERSION`].
    pub version: u32,
    /// What the user wrote.
    pub message: String,
    /// Where the relay can answer the user, if they gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The host page, already scrubbed of query string and fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The widget build that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_version: Option<String>,
    /// The user's name, from `identify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Routing category, from the flow's `ticket` node or the route taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Priority: `outage`, `billing`, `defect`, `howto`, `feedback`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Answers to the extra fields a `ticket` node asked for, by field id.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub fields: Map<String, String>,
    /// What the widget collected, scrubbed, after the user's removals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextItem>,
}

/// Longest short field (name, category, an extra field's answer).
pub const MAX_FIELD_CHARS: usize = 500;

/// The contact form as the user left it, and what they chose to send. The
/// form builds both its preview ("What we'll send") and the ticket from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub message: String,
    pub email: String,
    pub name: String,
    /// The host page as the browser reports it; scrubbed by [`Draft::into_ticket`].
    pub page_url: Option<String>,
    pub widget_version: String,
    pub category: Option<String>,
    pub priority: Option<Priority>,
    /// Answers to a ticket node's extra fields, by field id, as typed.
    pub fields: Vec<(String, String)>,
    /// Feedback: the user's words only, nothing collected goes with them.
    pub feedback: bool,
    /// What the visit collected, page errors only with the user's consent.
    pub context: Vec<ContextItem>,
    /// Preview items the user removed, by [`item_key`]; [`PAGE_KEY`] is the
    /// page URL.
    pub removed: Vec<String>,
}

/// The preview key of the page URL.
pub const PAGE_KEY: &str = "page";

/// The preview key of a context item: its kind and id (or title).
pub fn item_key(item: &ContextItem) -> String {
    format!(
        "{}:{}",
        item.kind.as_str(),
        item.id.as_deref().unwrap_or(&item.title)
    )
}

impl Draft {
    /// The ticket this draft sends: trimmed text, answered extra fields
    /// (scrubbed: they are free text the flow asked for), and the context
    /// minus what the user removed.
    pub fn into_ticket(self, scrubber: &Scrubber) -> Ticket {
        let mut ticket = Ticket::compose(
            &self.message,
            &self.email,
            self.page_url.as_deref(),
            &self.widget_version,
        );
        let name = self.name.trim();
        ticket.name = (!name.is_empty()).then(|| name.to_string());
        ticket.category = self.category;
        ticket.priority = self.priority;
        for (id, value) in self.fields {
            let value = value.trim();
            if !value.is_empty() {
                ticket.fields.insert(id, scrubber.scrub_text(value));
            }
        }
        if self.feedback {
            ticket.page_url = None;
            return ticket;
        }
        if self.removed.iter().any(|k| k == PAGE_KEY) {
            ticket.page_url = None;
        }
        let removed = self.removed;
        ticket.context = self.context;
        ticket
            .context
            .retain(|item| !removed.contains(&item_key(item)));
        ticket
    }
}

/// One thing wrong with a ticket, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The JSON field name, e.g. `message`.
    pub field: &'static str,
    /// A sentence a person can act on.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why a request body is not a ticket, naming the field when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The JSON path at fault, e.g. `version`; `None` for syntax errors.
    pub field: Option<String>,
    pub message: String,
}

impl Ticket {
    /// Parses a request body, naming the field at fault on a type error.
    pub fn from_json(body: &[u8]) -> Result<Ticket, ParseError> {
        let mut json = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let field = (path != ".").then_some(path);
            let message = match &field {
                Some(field) if !inner.is_syntax() && !inner.is_eof() => format!("{field}: {inner}"),
                _ => format!("invalid ticket JSON: {inner}"),
            };
            ParseError { field, message }
        })
    }

    /// Builds a ticket from what the user typed: trims the text, drops an
    /// empty email, and scrubs the page URL before it is shown or stored.
    pub fn compose(
        message: &str,
        email: &str,
        page_url: Option<&str>,
        widget_version: &str,
    ) -> Ticket {
        let email = email.trim();
        Ticket {
            version: TICKET_VERSION,
            message: message.trim().to_string(),
            email: (!email.is_empty()).then(|| email.to_string()),
            page_url: page_url.map(scrub_url),
            widget_version: Some(widget_version.to_string()),
            name: None,
            category: None,
            priority: None,
            fields: Map::new(),
            context: Vec::new(),
        }
    }

    /// Makes the ticket fit `max_bytes` of JSON: drops context, least useful
    /// first (see [`context::fit`]), then cuts the message with a marker.
    /// Returns how many context items were dropped.
    pub fn fit(&mut self, max_bytes: usize) -> usize {
        // Weights are exact, so what is left of the JSON besides the items
        // is the same before and after dropping some.
        let items: usize = self.context.iter().map(ContextItem::weight).sum();
        let rest = self.to_json().len().saturating_sub(items);
        let dropped = context::fit(&mut self.context, max_bytes.saturating_sub(rest));
        let over = self.to_json().len().saturating_sub(max_bytes);
        if over > 0 {
            let keep = self
                .message
                .len()
                .saturating_sub(over + context::CUT_MARK.len() + 16);
            let mut end = keep;
            while !self.message.is_char_boundary(end) {
                end -= 1;
            }
            self.message.truncate(end);
            self.message.push_str(context::CUT_MARK);
        }
        dropped
    }

    /// The JSON the widget sends: the same text serde writes for this type
    /// (a test holds them together), without linking serde_json into the
    /// widget.
    pub fn to_json(&self) -> String {
        Json::object(vec![
            ("version", Json::Num(f64::from(self.version))),
            ("message", Json::Str(self.message.clone())),
            ("email", Json::opt_str(self.email.as_deref())),
            ("page_url", Json::opt_str(self.page_url.as_deref())),
            (
                "widget_version",
                Json::opt_str(self.widget_version.as_deref()),
            ),
            ("name", Json::opt_str(self.name.as_deref())),
            ("category", Json::opt_str(self.category.as_deref())),
            (
                "priority",
                Json::opt_str(self.priority.map(Priority::as_str)),
            ),
            (
                "fields",
                match self.fields.is_empty() {
                    true => Json::Null,
                    false => Json::Obj(
                        self.fields
                            .iter()
                            .map(|(k, v)| (k.clone(), Json::Str(v.clone())))
                            .collect(),
                    ),
                },
            ),
            (
                "context",
                match self.context.is_empty() {
                    true => Json::Null,
                    false => Json::Arr(self.context.iter().map(ContextItem::to_json).collect()),
                },
            ),
        ])
        .to_text()
    }

    /// What the widget's form checks before queueing: everything the relay
    /// checks, and an email address, so support can answer (the form
    /// prefills it when the host page called `identify`).
    pub fn validate_for_form(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = self.validate().err().unwrap_or_default();
        if self.email.is_none() {
            errors.insert(
                0,
                FieldError {
                    field: "email",
                    message: "is needed so support can answer you".into(),
                },
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Every problem with this ticket, or `Ok` when the relay may store it.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.version != TICKET_VERSION {
            errors.push(FieldError {
                field: "version",
                message: format!(
                    "unsupported version {}; this relay accepts version {TICKET_VERSION}",
                    self.version
                ),
            });
        }
        let message_chars = self.message.chars().count();
        if self.message.trim().is_empty() {
            errors.push(FieldError {
                field: "message",
                message: "must not be empty".into(),
            });
        } else if message_chars > MAX_MESSAGE_CHARS {
            errors.push(FieldError {
                field: "message",
                message: format!("is {message_chars} characters; the limit is {MAX_MESSAGE_CHARS}"),
            });
        }
        if let Some(email) = &self.email {
            if !is_plausible_email(email) {
                errors.push(FieldError {
                    field: "email",
                    message: "is not a valid email address".into(),
                });
            }
        }
        if let Some(url) = &self.page_url {
            if scrub_url(url) != *url {
                errors.push(FieldError {
                    field: "page_url",
                    message: "must not carry a query string or fragment".into(),
                });
            }
        }
        let short = [("name", &self.name), ("category", &self.category)];
        for (field, value) in short {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS)
            {
                errors.push(FieldError {
                    field,
                    message: format!("is longer than {MAX_FIELD_CHARS} characters"),
                });
            }
        }
        if self.fields.len() > 20
            || self
                .fields
                .iter()
                .any(|(k, v)| k.len() > 64 || v.chars().count() > MAX_FIELD_CHARS)
        {
            errors.push(FieldError {
                field: "fields",
                message: format!(
                    "at most 20 fields, names up to 64 bytes, answers up to {MAX_FIELD_CHARS} characters"
                ),
            });
        }
        let line_limit = MAX_LINE_CHARS + context::CUT_MARK.chars().count();
        if self.context.len() > MAX_ITEMS
            || self.context.iter().any(|i| {
                i.lines.len() > MAX_LINES
                    || i.title.chars().count() > line_limit
                    || i.lines.iter().any(|l| l.chars().count() > line_limit)
            })
        {
            errors.push(FieldError {
                field: "context",
                message: format!(
                    "at most {MAX_ITEMS} items of at most {MAX_LINES} lines of {MAX_LINE_CHARS} characters"
                ),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A light email check: one `@`, a non-empty local part, a dotted domain,
/// no spaces. Deliverability is the mail server's job, not ours.
pub fn is_plausible_email(email: &str) -> bool {
    if email.len() > MAX_EMAIL_CHARS || email.chars().any(char::is_whitespace) {
        return false;
    }
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

/// Formats 16 random bytes as a version-4 UUID, used as the idempotency key.
/// The caller supplies the randomness so this stays pure and testable.
pub fn uuid_v4_from_bytes(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Whether a string is an acceptable idempotency key: 8 to 128 characters of
/// ASCII letters, digits and `-`/`_`, so it is safe to store and log.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (8..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the relay's answer to a ticket POST means for the widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayAnswer {
    /// Stored; show the user this reference.
    Accepted { reference: String },
    /// The relay refused this ticket (a 4xx other than 429): show the
    /// server's message and keep the ticket so the user can fix and resend.
    Rejected { message: String },
    /// Worth retrying later (429, 5xx, or an answer we cannot read).
    RetryLater { reason: String },
}

/// Reads a relay response: status code and JSON body
/// (`{"reference": ...}` on success, `{"error": ...}` otherwise).
pub fn interpret_relay_answer(status: u16, body: &str) -> RelayAnswer {
    let json = Json::parse(body).unwrap_or(Json::Null);
    let text = |key| json.get(key).and_then(Json::as_str).map(str::to_string);
    let server_message = text("error");
    match status {
        200..=299 => match text("reference") {
            Some(reference) if !reference.is_empty() => RelayAnswer::Accepted { reference },
            _ => RelayAnswer::RetryLater {
                reason: format!("the relay answered {status} without a ticket reference"),
            },
        },
        429 => RelayAnswer::RetryLater {
            reason: "the relay is busy (429)".into(),
        },
        400..=499 => RelayAnswer::Rejected {
            message: server_message
                .unwrap_or_else(|| format!("the relay refused the ticket ({status})")),
        },
        _ => RelayAnswer::RetryLater {
            reason: server_message.unwrap_or_else(|| format!("the relay answered {status}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        let item = |kind, id: Option<&str>, title: &str| ContextItem {
            kind,
            title: title.into(),
            id: id.map(str::to_string),
            outcome: None,
            lines: vec!["a line".into()],
        };
        Draft {
            message: "  The camera is offline.  ".into(),
            email: " jane@example.com ".into(),
            name: "  ".into(),
            page_url: Some("https://app.example/setup?token=abc#step".into()),
            widget_version: "1.0.0".into(),
            category: Some("wifi".into()),
            priority: Some(Priority::Defect),
            fields: vec![
                (
                    "router_model".into(),
                    " FritzBox, mail me at jane@example.com ".into(),
                ),
                ("camera_serial".into(), "   ".into()),
            ],
            feedback: false,
            context: vec![
                item(context::ItemKind::Searches, None, "Searches"),
                item(
                    context::ItemKind::Flow,
                    Some("camera-wifi"),
                    "Camera won't join Wi-Fi",
                ),
            ],
            removed: Vec::new(),
        }
    }

    #[test]
    fn a_draft_sends_what_the_preview_shows() {
        let ticket = draft().into_ticket(&Scrubber::default());
        assert_eq!(ticket.message, "The camera is offline.");
        assert_eq!(ticket.email.as_deref(), Some("jane@example.com"));
        assert_eq!(ticket.name, None, "a blank name is no name");
        assert_eq!(
            ticket.page_url.as_deref(),
            Some("https://app.example/setup")
        );
        assert_eq!(ticket.category.as_deref(), Some("wifi"));
        assert_eq!(ticket.priority, Some(Priority::Defect));
        assert_eq!(ticket.fields.len(), 1, "unanswered fields are left out");
        assert!(
            !ticket.fields["router_model"].contains("jane@"),
            "answers are scrubbed"
        );
        assert_eq!(ticket.context.len(), 2);
    }

    #[test]
    fn what_the_user_removes_from_the_preview_is_not_sent() {
        let mut draft = draft();
        draft.removed = vec![PAGE_KEY.into(), item_key(&draft.context[1])];
        assert_eq!(draft.removed[1], "flow:camera-wifi");
        let ticket = draft.into_ticket(&Scrubber::default());
        assert_eq!(ticket.page_url, None);
        assert_eq!(ticket.context.len(), 1);
        assert_eq!(ticket.context[0].title, "Searches");
    }

    #[test]
    fn feedback_sends_the_words_only() {
        let draft = Draft {
            feedback: true,
            ..draft()
        };
        let ticket = draft.into_ticket(&Scrubber::default());
        assert_eq!(ticket.page_url, None);
        assert!(ticket.context.is_empty());
        assert_eq!(ticket.message, "The camera is offline.");
    }

    fn ticket(message: &str) -> Ticket {
        Ticket {
            widget_version: None,
            ..Ticket::compose(message, "", None, "")
        }
    }

    fn with_context() -> Ticket {
        use crate::core::context::{FlowVisit, Visit};
        let mut visit = Visit::default();
        visit.searched("camera offline");
        visit.flows.push(FlowVisit {
            id: "camera-wifi".into(),
            title: "Camera won't join Wi-Fi".into(),
            transcript: vec!["00:02 Light? → Blinking amber".into(); 40],
            outcome: "ticket".into(),
        });
        visit.page_errors = vec!["TypeError: x is undefined".repeat(10); 60];
        visit.set_host("plan", "pro");
        let mut t = Ticket::compose("It keeps blinking", "ana@example.com", None, "0.1.0");
        t.name = Some("Ana".into());
        t.category = Some("camera-setup".into());
        t.priority = Some(Priority::Defect);
        t.fields.insert("serial".into(), "LM-1234".into());
        t.context = visit.items(&crate::core::scrub::Scrubber::default());
        t
    }

    #[test]
    fn the_full_payload_round_trips_between_widget_and_relay() {
        let t = with_context();
        let json = t.to_json();
        assert_eq!(json, serde_json::to_string(&t).unwrap());
        assert_eq!(Ticket::from_json(json.as_bytes()).unwrap(), t);
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn an_oversized_ticket_sheds_context_before_the_users_words() {
        let mut t = with_context();
        let full = t.to_json().len();
        let dropped = t.fit(full / 2);
        assert!(
            t.to_json().len() <= full / 2,
            "{} > {}",
            t.to_json().len(),
            full / 2
        );
        assert!(dropped >= 1);
        assert_eq!(t.message, "It keeps blinking");
        assert!(
            t.context
                .iter()
                .any(|i| i.kind == crate::core::context::ItemKind::Flow),
            "the transcript is kept longest"
        );
        // A huge message alone is cut with a marker, never left over the cap.
        let mut huge = ticket(&"a".repeat(MAX_TICKET_BYTES * 2));
        huge.fit(MAX_TICKET_BYTES);
        assert!(huge.to_json().len() <= MAX_TICKET_BYTES);
        assert!(huge.message.ends_with(crate::core::context::CUT_MARK));
    }

    #[test]
    fn the_form_asks_for_an_email_the_relay_does_not_require() {
        let t = ticket("help");
        assert_eq!(t.validate(), Ok(()));
        let problems = t.validate_for_form().unwrap_err();
        assert_eq!(problems[0].field, "email");
        assert_eq!(with_context().validate_for_form(), Ok(()));
    }

    #[test]
    fn bounds_on_the_new_fields_are_named() {
        let mut t = with_context();
        t.category = Some("x".repeat(MAX_FIELD_CHARS + 1));
        t.context[0].lines = vec!["y".into(); MAX_LINES + 1];
        let fields: Vec<_> = t.validate().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["category", "context"]);
    }

    #[test]
    fn what_the_widget_writes_is_what_the_relay_reads() {
        let full = Ticket::compose(
            "Line one\n\"quoted\" \u{1} ünïcødé 😀",
            "ana@example.com",
            Some("https://shop.example/setup?token=abc#x"),
            "0.1.0",
        );
        for t in [full, ticket("minimal")] {
            let json = t.to_json();
            assert_eq!(Ticket::from_json(json.as_bytes()).unwrap(), t);
            assert_eq!(json, serde_json::to_string(&t).unwrap());
        }
    }

    #[test]
    fn a_plain_ticket_is_valid() {
        assert_eq!(ticket("My camera will not join Wi-Fi").validate(), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut t = ticket("  ");
        t.version = 7;
        t.email = Some("not-an-email".into());
        t.page_url = Some("https://shop.example/a?token=abc".into());
        let fields: Vec<_> = t.validate().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["version", "message", "email", "page_url"]);
    }

    #[test]
    fn an_oversized_message_names_the_limit() {
        let errors = ticket(&"x".repeat(MAX_MESSAGE_CHARS + 1))
            .validate()
            .unwrap_err();
        assert!(errors[0].message.contains(&MAX_MESSAGE_CHARS.to_string()));
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = Ticket::from_json(br#"{"version":"one","message":"x"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("version"));
        assert!(
            err.message.starts_with("version: invalid type"),
            "{}",
            err.message
        );
        let err = Ticket::from_json(br#"{"version":1,"#).unwrap_err();
        assert!(
            err.message.starts_with("invalid ticket JSON"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<Ticket>(r#"{"version":1,"message":"hi","colour":"red"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn scrub_url_drops_query_and_fragment() {
        assert_eq!(
            scrub_url("https://app.example/setup?email=a@b.c#step2"),
            "https://app.example/setup"
        );
        assert_eq!(
            scrub_url("https://app.example/a#x?y"),
            "https://app.example/a"
        );
        assert_eq!(
            scrub_url("https://app.example/plain"),
            "https://app.example/plain"
        );
    }

    #[test]
    fn uuid_has_version_and_variant_bits() {
        let id = uuid_v4_from_bytes([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert!(is_valid_idempotency_key(&id));
    }

    #[test]
    fn idempotency_keys_reject_odd_characters_and_lengths() {
        assert!(!is_valid_idempotency_key("short"));
        assert!(!is_valid_idempotency_key("has space in it"));
        assert!(!is_valid_idempotency_key(&"a".repeat(129)));
        assert!(is_valid_idempotency_key("key_0123-abcd"));
    }

    #[test]
    fn email_check_accepts_real_and_rejects_broken_addresses() {
        assert!(is_plausible_email("ana@example.co.uk"));
        for bad in ["", "a@", "@b.c", "a@b", "a b@c.d", "a@@b.c", "a@b.c."] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn relay_answers_map_to_what_the_user_sees() {
        assert_eq!(
            interpret_relay_answer(201, r#"{"reference":"SP-7K3Q9A"}"#),
            RelayAnswer::Accepted {
                reference: "SP-7K3Q9A".into()
            }
        );
        assert_eq!(
            interpret_relay_answer(400, r#"{"error":"email: is not a valid email address"}"#),
            RelayAnswer::Rejected {
                message: "email: is not a valid email address".into()
            }
        );
        assert!(matches!(
            interpret_relay_answer(429, ""),
            RelayAnswer::RetryLater { .. }
        ));
        assert!(matches!(
            interpret_relay_answer(503, "<html>"),
            RelayAnswer::RetryLater { .. }
        ));
        // A 2xx that carries no reference was not really stored for us.
        assert!(matches!(
            interpret_relay_answer(200, "{}"),
            RelayAnswer::RetryLater { .. }
        ));
    }

    #[test]
    fn compose_scrubs_the_page_url_and_drops_an_empty_email() {
        let t = Ticket::compose(
            "  Camera offline \n",
            "   ",
            Some("https://app.example/cams?session=abc#x"),
            "0.1.0",
        );
        assert_eq!(t.message, "Camera offline");
        assert_eq!(t.email, None);
        assert_eq!(t.page_url.as_deref(), Some("https://app.example/cams"));
        assert_eq!(t.validate(), Ok(()));
    }
}
