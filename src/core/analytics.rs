//! Anonymous usage events: what the widget sends to `POST /api/events`, and
//! the queue that holds them until they are sent.
//!
//! Privacy rules (architecture.md): an event never names a person. A batch
//! carries a random visit id that lives in `sessionStorage` and ends with the
//! tab; it is never linked to `identify`, an email or a ticket. Search text is
//! scrubbed before it is queued, and the relay scrubs it again.
//!
//! One wire type, two directions: the widget writes events with
//! [`Event::to_json`] and batches them with [`EventQueue::next_batch`] (no
//! serde in the wasm, see `core::json`), the relay reads them with serde
//! ([`Batch::from_json`]), and a test holds the two together.

use serde::{Deserialize, Serialize};

use super::checks::CheckResult;
use super::flow::View;
use super::json::Json;
use super::scrub::Scrubber;

/// Version of the batch format; the relay refuses any other.
pub const EVENTS_VERSION: u32 = 1;
/// Most events in one batch.
pub const MAX_BATCH_EVENTS: usize = 100;
/// Longest id (flow, node, article, check, category) in characters.
pub const MAX_ID_CHARS: usize = 120;
/// Longest free text (a search, a choice's label) in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Events kept while they cannot be sent; the oldest go first.
pub const MAX_QUEUED_EVENTS: usize = 300;

/// How long a search must rest before it counts as settled (one event per
/// search, not per keystroke).
pub const SEARCH_SETTLE_MS: u64 = 1_000;
/// How long events gather before a batch is sent.
pub const SEND_DELAY_MS: u64 = 4_000;
/// The wait after a failed send; it doubles with each failure, up to
/// [`MAX_RETRY_MS`]. Coming back online sends at once.
pub const RETRY_MS: u64 = 15_000;
/// The longest wait between attempts.
pub const MAX_RETRY_MS: u64 = 300_000;

/// What the relay's answer to a batch means for the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Stored (or already stored): forget the batch.
    Stored,
    /// Refused for good (malformed, too large): drop it and go on.
    Refused,
    /// Not now (offline, busy, rate-limited, server trouble): keep it.
    Retry,
}

/// Reads the relay's status code (`None`: no answer at all).
pub fn delivery(status: Option<u16>) -> Delivery {
    match status {
        Some(200..=299) => Delivery::Stored,
        Some(408 | 429) | Some(500..) | None => Delivery::Retry,
        Some(_) => Delivery::Refused,
    }
}

/// The wait before attempt `failures + 1`.
pub fn retry_wait_ms(failures: u32) -> u64 {
    RETRY_MS
        .saturating_mul(1u64 << failures.min(10))
        .min(MAX_RETRY_MS)
}

/// Where a guided fix was started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowSource {
    /// A search result.
    Search,
    /// The featured list shown before typing.
    Featured,
    /// An article's "No" offered its related fix.
    Article,
    /// The host page called `Signpost('startFlow', …)`.
    Host,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    Pass,
    Fail,
    Error,
}

impl From<&CheckResult> for CheckOutcome {
    /// The outcome without the error's detail text, which stays out of events.
    fn from(result: &CheckResult) -> CheckOutcome {
        match result {
            CheckResult::Pass => CheckOutcome::Pass,
            CheckResult::Fail => CheckOutcome::Fail,
            CheckResult::Error { .. } => CheckOutcome::Error,
        }
    }
}

/// How a guided fix ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowEnd {
    /// A `resolved` end: the user's problem is fixed.
    Resolved,
    /// A `ticket` end: self-help ran out.
    Ticket,
}

impl FlowEnd {
    /// The end a flow view shows, or `None` while the flow goes on.
    pub fn of(view: &View) -> Option<FlowEnd> {
        match view {
            View::Resolved { .. } => Some(FlowEnd::Resolved),
            View::Ticket { .. } => Some(FlowEnd::Ticket),
            _ => None,
        }
    }
}

/// Where the contact form was opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactSource {
    /// A flow's `ticket` node.
    Flow,
    /// An article answered "No".
    Article,
    /// One of the urgent routes (outage, billing).
    Urgent,
    /// A search with no good answer.
    Search,
    /// The panel's feedback entry, or a host page's own call.
    #[default]
    Menu,
}

/// One thing that happened in the panel. The wire form is a JSON object
/// whose `kind` names the variant in snake_case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The panel opened: the visit showed intent.
    PanelOpened { at: u64 },
    /// A search settled (the user paused typing), not every keystroke.
    Searched {
        at: u64,
        /// The scrubbed query.
        query: String,
        results: u32,
        /// Id of the first result, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        top: Option<String>,
    },
    /// A search result was chosen; `rank` counts from 1.
    ResultChosen { at: u64, id: String, rank: u32 },
    /// An article was shown.
    ArticleViewed { at: u64, article: String },
    /// "Did this answer your question?" was answered.
    ArticleAnswered {
        at: u64,
        article: String,
        helpful: bool,
    },
    /// A guided fix started.
    FlowStarted {
        at: u64,
        flow: String,
        from: FlowSource,
    },
    /// A node of a guided fix was reached, with the choice that led there.
    NodeReached {
        at: u64,
        flow: String,
        node: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
    },
    /// A check ran.
    CheckDone {
        at: u64,
        flow: String,
        node: String,
        check: String,
        outcome: CheckOutcome,
        ms: u32,
    },
    /// A guided fix reached an end.
    FlowEnded {
        at: u64,
        flow: String,
        node: String,
        end: FlowEnd,
    },
    /// "Was this helpful?" after a `resolved` end.
    FlowRated {
        at: u64,
        flow: String,
        helpful: bool,
    },
    /// The contact form opened. `origin` names the flow node
    /// (`flow/node`), the article, or the route it came from.
    ContactOpened {
        at: u64,
        from: ContactSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
    },
    /// A ticket was accepted by the relay.
    TicketSent {
        at: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
    },
    /// Feedback was sent.
    FeedbackSent { at: u64 },
}

/// Every event kind, as written on the wire, for docs and error messages.
pub const EVENT_KINDS: [&str; 13] = [
    "panel_opened",
    "searched",
    "result_chosen",
    "article_viewed",
    "article_answered",
    "flow_started",
    "node_reached",
    "check_done",
    "flow_ended",
    "flow_rated",
    "contact_opened",
    "ticket_sent",
    "feedback_sent",
];

/// A batch of events from one visit (`POST /api/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Must equal [`EVENTS_VERSION`].
    pub version: u32,
    /// Random id of this batch; a replay with the same id is stored once.
    pub batch: String,
    /// Random id of the visit (one tab), never linked to a person.
    pub visit: String,
    /// Events the widget had to drop while offline since the last batch.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u32,
    pub events: Vec<Event>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Why a body is not a batch of events, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    /// The JSON path at fault, e.g. `events[3].kind`; `None` for syntax errors.
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Event {
    /// The kind as written on the wire.
    pub fn kind(&self) -> &'static str {
        EVENT_KINDS[match self {
            Event::PanelOpened { .. } => 0,
            Event::Searched { .. } => 1,
            Event::ResultChosen { .. } => 2,
            Event::ArticleViewed { .. } => 3,
            Event::ArticleAnswered { .. } => 4,
            Event::FlowStarted { .. } => 5,
            Event::NodeReached { .. } => 6,
            Event::CheckDone { .. } => 7,
            Event::FlowEnded { .. } => 8,
            Event::FlowRated { .. } => 9,
            Event::ContactOpened { .. } => 10,
            Event::TicketSent { .. } => 11,
            Event::FeedbackSent { .. } => 12,
        }]
    }

    /// When it happened, in milliseconds since the Unix epoch (browser clock).
    pub fn at(&self) -> u64 {
        match self {
            Event::PanelOpened { at }
            | Event::Searched { at, .. }
            | Event::ResultChosen { at, .. }
            | Event::ArticleViewed { at, .. }
            | Event::ArticleAnswered { at, .. }
            | Event::FlowStarted { at, .. }
            | Event::NodeReached { at, .. }
            | Event::CheckDone { at, .. }
            | Event::FlowEnded { at, .. }
            | Event::FlowRated { at, .. }
            | Event::ContactOpened { at, .. }
            | Event::TicketSent { at, .. }
            | Event::FeedbackSent { at } => *at,
        }
    }

    /// The wire form, as written by the widget. Agrees with the serde form
    /// (tested), so the relay reads what the widget writes.
    pub fn to_json(&self) -> Json {
        let s = |v: &str| Json::Str(v.to_string());
        let n = |v: u64| Json::Num(v as f64);
        let o = |v: &Option<String>| Json::opt_str(v.as_deref());
        let mut fields = vec![("kind", s(self.kind())), ("at", n(self.at()))];
        match self {
            Event::PanelOpened { .. } | Event::FeedbackSent { .. } => {}
            Event::Searched {
                query,
                results,
                top,
                ..
            } => fields.extend([
                ("query", s(query)),
                ("results", n(*results as u64)),
                ("top", o(top)),
            ]),
            Event::ResultChosen { id, rank, .. } => {
                fields.extend([("id", s(id)), ("rank", n(*rank as u64))])
            }
            Event::ArticleViewed { article, .. } => fields.push(("article", s(article))),
            Event::ArticleAnswered {
                article, helpful, ..
            } => fields.extend([("article", s(article)), ("helpful", Json::Bool(*helpful))]),
            Event::FlowStarted { flow, from, .. } => {
                fields.extend([("flow", s(flow)), ("from", s(from.as_str()))])
            }
            Event::NodeReached {
                flow, node, answer, ..
            } => fields.extend([("flow", s(flow)), ("node", s(node)), ("answer", o(answer))]),
            Event::CheckDone {
                flow,
                node,
                check,
                outcome,
                ms,
                ..
            } => fields.extend([
                ("flow", s(flow)),
                ("node", s(node)),
                ("check", s(check)),
                ("outcome", s(outcome.as_str())),
                ("ms", n(*ms as u64)),
            ]),
            Event::FlowEnded {
                flow, node, end, ..
            } => fields.extend([
                ("flow", s(flow)),
                ("node", s(node)),
                ("end", s(end.as_str())),
            ]),
            Event::FlowRated { flow, helpful, .. } => {
                fields.extend([("flow", s(flow)), ("helpful", Json::Bool(*helpful))])
            }
            Event::ContactOpened { from, origin, .. } => {
                fields.extend([("from", s(from.as_str())), ("origin", o(origin))])
            }
            Event::TicketSent {
                category,
                tier,
                origin,
                ..
            } => fields.extend([
                ("category", o(category)),
                ("tier", o(tier)),
                ("origin", o(origin)),
            ]),
        }
        Json::object(fields)
    }

    /// Text fields of this event with their limits, for [`Batch::validate`].
    fn texts(&self) -> Vec<(&'static str, &str, usize)> {
        fn id<'a>(name: &'static str, v: &'a str) -> (&'static str, &'a str, usize) {
            (name, v, MAX_ID_CHARS)
        }
        let mut out = Vec::new();
        match self {
            Event::PanelOpened { .. } | Event::FeedbackSent { .. } => {}
            Event::Searched { query, top, .. } => {
                out.push(("query", query.as_str(), MAX_TEXT_CHARS));
                out.extend(top.iter().map(|t| id("top", t)));
            }
            Event::ResultChosen { id: item, .. } => out.push(id("id", item)),
            Event::ArticleViewed { article, .. } | Event::ArticleAnswered { article, .. } => {
                out.push(id("article", article))
            }
            Event::FlowStarted { flow, .. } | Event::FlowRated { flow, .. } => {
                out.push(id("flow", flow))
            }
            Event::NodeReached {
                flow, node, answer, ..
            } => {
                out.extend([id("flow", flow), id("node", node)]);
                out.extend(
                    answer
                        .iter()
                        .map(|a| ("answer", a.as_str(), MAX_TEXT_CHARS)),
                );
            }
            Event::CheckDone {
                flow, node, check, ..
            } => out.extend([id("flow", flow), id("node", node), id("check", check)]),
            Event::FlowEnded { flow, node, .. } => out.extend([id("flow", flow), id("node", node)]),
            Event::ContactOpened { origin, .. } => {
                out.extend(origin.iter().map(|o| id("origin", o)))
            }
            Event::TicketSent {
                category,
                tier,
                origin,
                ..
            } => {
                out.extend(category.iter().map(|v| id("category", v)));
                out.extend(tier.iter().map(|v| id("tier", v)));
                out.extend(origin.iter().map(|v| id("origin", v)));
            }
        }
        out
    }

    /// Scrubs the free text an event carries (search queries and choice
    /// labels), so that what a user typed never leaves or is stored raw.
    pub fn scrub(&mut self, scrubber: &Scrubber) {
        match self {
            Event::Searched { query, .. } => *query = scrubber.scrub_text(query),
            Event::NodeReached {
                answer: Some(answer),
                ..
            } => *answer = scrubber.scrub_text(answer),
            _ => {}
        }
    }
}

impl FlowSource {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowSource::Search => "search",
            FlowSource::Featured => "featured",
            FlowSource::Article => "article",
            FlowSource::Host => "host",
        }
    }
}

impl CheckOutcome {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Pass => "pass",
            CheckOutcome::Fail => "fail",
            CheckOutcome::Error => "error",
        }
    }
}

impl FlowEnd {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowEnd::Resolved => "resolved",
            FlowEnd::Ticket => "ticket",
        }
    }
}

impl ContactSource {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactSource::Flow => "flow",
            ContactSource::Article => "article",
            ContactSource::Urgent => "urgent",
            ContactSource::Search => "search",
            ContactSource::Menu => "menu",
        }
    }
}

impl Batch {
    /// Parses a request body, naming the field at fault (`events[2].kind`).
    pub fn from_json(body: &[u8]) -> Result<Batch, BatchError> {
        let mut json = serde_json::Deserializer::from_slice(body);
        let batch: Batch = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let field = (path != ".").then_some(path);
            let message = match &field {
                Some(field) if !inner.is_syntax() && !inner.is_eof() => format!("{field}: {inner}"),
                _ => format!("invalid events JSON: {inner}"),
            };
            BatchError { field, message }
        })?;
        batch.validate()?;
        Ok(batch)
    }

    /// Checks the version, the batch and visit ids, the number of events and
    /// the length of every text, naming the first field at fault.
    pub fn validate(&self) -> Result<(), BatchError> {
        let fail = |field: String, message: String| {
            Err(BatchError {
                message: format!("{field}: {message}"),
                field: Some(field),
            })
        };
        if self.version != EVENTS_VERSION {
            return fail(
                "version".into(),
                format!(
                    "this relay reads events version {EVENTS_VERSION}, not {}",
                    self.version
                ),
            );
        }
        for (name, id) in [("batch", &self.batch), ("visit", &self.visit)] {
            if !super::ticket::is_valid_idempotency_key(id) {
                return fail(
                    name.into(),
                    "must be 8 to 128 letters, digits, '-' or '_'".into(),
                );
            }
        }
        if self.events.len() > MAX_BATCH_EVENTS {
            return fail(
                "events".into(),
                format!(
                    "{} events, at most {MAX_BATCH_EVENTS} per batch",
                    self.events.len()
                ),
            );
        }
        for (i, event) in self.events.iter().enumerate() {
            for (name, text, max) in event.texts() {
                let chars = text.chars().count();
                if chars > max {
                    return fail(
                        format!("events[{i}].{name}"),
                        format!("{chars} characters, at most {max}"),
                    );
                }
            }
        }
        Ok(())
    }
}

/// A batch from events already written as JSON text (the queue keeps them
/// that way, so nothing is parsed again in the browser).
fn batch_text(batch: &str, visit: &str, dropped: u32, events: &[String]) -> String {
    let mut head = vec![
        ("version", Json::Num(EVENTS_VERSION as f64)),
        ("batch", Json::Str(batch.to_string())),
        ("visit", Json::Str(visit.to_string())),
    ];
    if dropped > 0 {
        head.push(("dropped", Json::Num(dropped as f64)));
    }
    let mut out = Json::object(head).to_text();
    out.pop();
    out.push_str(",\"events\":[");
    out.push_str(&events.join(","));
    out.push_str("]}");
    out
}

/// Events waiting to be sent, oldest first, with a bound for long offline
/// spells. The batch in flight keeps its id until the relay confirms it, so
/// a retry or a page-hide beacon resends the same id and is stored once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQueue {
    /// Each event as wire JSON text.
    events: Vec<String>,
    /// Events dropped because the queue was full, not yet reported.
    dropped: u32,
    /// The batch being sent: its id, how many of the oldest events it holds,
    /// and the drop count it reports.
    in_flight: Option<(String, usize, u32)>,
}

impl EventQueue {
    /// Queues an event written as wire JSON ([`Event::to_json`]), dropping
    /// (and counting) the oldest when full.
    pub fn push_text(&mut self, event: String) {
        if self.events.len() >= MAX_QUEUED_EVENTS {
            let sending = self.in_flight.as_ref().map_or(0, |(_, n, _)| *n);
            // Never drop from a batch in flight: its id must keep its contents.
            let oldest = sending.min(self.events.len() - 1);
            self.events.remove(oldest);
            self.dropped = self.dropped.saturating_add(1);
        }
        self.events.push(event);
    }

    /// How many events wait.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The next batch to send, as its JSON body, or `None` when nothing
    /// waits. `new_id` is called only when no batch is in flight.
    pub fn next_batch(&mut self, visit: &str, new_id: impl FnOnce() -> String) -> Option<String> {
        if self.events.is_empty() {
            return None;
        }
        let (events, dropped) = (self.events.len().min(MAX_BATCH_EVENTS), self.dropped);
        let (id, count, dropped) = self
            .in_flight
            .get_or_insert_with(|| (new_id(), events, dropped));
        Some(batch_text(id, visit, *dropped, &self.events[..*count]))
    }

    /// The batch in flight is done with (stored, or refused for good):
    /// forget its events.
    pub fn confirm(&mut self) {
        if let Some((_, count, dropped)) = self.in_flight.take() {
            self.events.drain(..count.min(self.events.len()));
            self.dropped -= dropped.min(self.dropped);
        }
    }

    /// The queue as text for `sessionStorage`: a head line with the dropped
    /// count and the batch in flight (id, count, its drops), then one event
    /// per line.
    pub fn to_text(&self) -> String {
        let mut out = self.dropped.to_string();
        if let Some((id, count, dropped)) = &self.in_flight {
            out.push_str(&format!(" {id} {count} {dropped}"));
        }
        for event in &self.events {
            out.push('\n');
            out.push_str(event);
        }
        out
    }

    /// Restores a queue saved by [`EventQueue::to_text`]; anything unreadable
    /// gives an empty queue (events are best effort, never a user problem).
    pub fn from_text(text: &str) -> EventQueue {
        let mut lines = text.lines();
        let mut head = lines.next().unwrap_or("").split(' ');
        let Some(Ok(dropped)) = head.next().map(str::parse::<u32>) else {
            return EventQueue::default();
        };
        let events: Vec<String> = lines
            .filter(|l| l.starts_with('{') && l.ends_with('}'))
            .take(MAX_QUEUED_EVENTS)
            .map(str::to_string)
            .collect();
        let in_flight = match (head.next(), head.next(), head.next()) {
            (Some(id), Some(count), Some(sent_dropped)) => {
                let count: usize = count.parse().unwrap_or(0);
                let sent_dropped: u32 = sent_dropped.parse().unwrap_or(0);
                (super::ticket::is_valid_idempotency_key(id)
                    && (1..=events.len().min(MAX_BATCH_EVENTS)).contains(&count))
                .then(|| (id.to_string(), count, sent_dropped.min(dropped)))
            }
            _ => None,
        };
        EventQueue {
            events,
            dropped,
            in_flight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch as the widget writes it: each event through `to_json`,
    /// joined by the queue's `batch_text`.
    fn write(batch: &Batch) -> String {
        let events: Vec<String> = batch.events.iter().map(|e| e.to_json().to_text()).collect();
        batch_text(&batch.batch, &batch.visit, batch.dropped, &events)
    }

    impl EventQueue {
        fn push(&mut self, event: &Event) {
            self.push_text(event.to_json().to_text());
        }
    }

    fn every_kind() -> Vec<Event> {
        let t = || "t".to_string();
        vec![
            Event::PanelOpened { at: 1 },
            Event::Searched {
                at: 2,
                query: "wifi \"drops\"\n".into(),
                results: 3,
                top: Some("camera-wifi".into()),
            },
            Event::Searched {
                at: 2,
                query: "zzz".into(),
                results: 0,
                top: None,
            },
            Event::ResultChosen {
                at: 3,
                id: t(),
                rank: 1,
            },
            Event::ArticleViewed {
                at: 4,
                article: t(),
            },
            Event::ArticleAnswered {
                at: 5,
                article: t(),
                helpful: false,
            },
            Event::FlowStarted {
                at: 6,
                flow: t(),
                from: FlowSource::Featured,
            },
            Event::NodeReached {
                at: 7,
                flow: t(),
                node: t(),
                answer: Some("Yes".into()),
            },
            Event::CheckDone {
                at: 8,
                flow: t(),
                node: t(),
                check: "browser.online".into(),
                outcome: CheckOutcome::Error,
                ms: 5000,
            },
            Event::FlowEnded {
                at: 9,
                flow: t(),
                node: t(),
                end: FlowEnd::Ticket,
            },
            Event::FlowRated {
                at: 10,
                flow: t(),
                helpful: true,
            },
            Event::ContactOpened {
                at: 11,
                from: ContactSource::Urgent,
                origin: Some("outage".into()),
            },
            Event::TicketSent {
                at: 12,
                category: Some("wifi".into()),
                tier: Some("defect".into()),
                origin: None,
            },
            Event::FeedbackSent {
                at: 1_764_500_000_000,
            },
        ]
    }

    #[test]
    fn the_widget_writes_what_the_relay_reads_for_every_kind() {
        let batch = Batch {
            version: EVENTS_VERSION,
            batch: "batch-0001".into(),
            visit: "visit-0001".into(),
            dropped: 4,
            events: every_kind(),
        };
        let text = write(&batch);
        assert_eq!(Batch::from_json(text.as_bytes()), Ok(batch.clone()));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::to_value(&batch).unwrap(),
        );
        let kinds: Vec<&str> = batch.events.iter().map(Event::kind).collect();
        for kind in EVENT_KINDS {
            assert!(kinds.contains(&kind), "{kind} is not covered");
        }
    }

    #[test]
    fn an_unknown_kind_is_named_with_its_place() {
        let body = br#"{"version":1,"batch":"batch-0001","visit":"visit-0001","events":[{"kind":"panel_opened","at":1},{"kind":"page_viewed","at":2}]}"#;
        let error = Batch::from_json(body).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("events[1].kind"));
        assert!(error.message.contains("page_viewed"), "{}", error.message);
        assert!(error.message.contains("panel_opened"), "{}", error.message);
    }

    #[test]
    fn malformed_and_out_of_bounds_batches_name_what_is_wrong() {
        let error = Batch::from_json(b"{\"version\":1,").unwrap_err();
        assert!(
            error.message.starts_with("invalid events JSON"),
            "{}",
            error.message
        );

        let wrong_version =
            br#"{"version":2,"batch":"batch-0001","visit":"visit-0001","events":[]}"#;
        let error = Batch::from_json(wrong_version).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("version"));

        let bad_id = br#"{"version":1,"batch":"x y","visit":"visit-0001","events":[]}"#;
        assert_eq!(
            Batch::from_json(bad_id).unwrap_err().field.as_deref(),
            Some("batch")
        );

        let long = "q".repeat(MAX_TEXT_CHARS + 1);
        let body = format!(
            r#"{{"version":1,"batch":"batch-0001","visit":"visit-0001","events":[{{"kind":"searched","at":1,"query":"{long}","results":0}}]}}"#
        );
        let error = Batch::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("events[0].query"));

        let events = vec![r#"{"kind":"panel_opened","at":1}"#; MAX_BATCH_EVENTS + 1].join(",");
        let body = format!(
            r#"{{"version":1,"batch":"batch-0001","visit":"visit-0001","events":[{events}]}}"#
        );
        let error = Batch::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("events"));

        let extra = br#"{"version":1,"batch":"batch-0001","visit":"visit-0001","events":[{"kind":"panel_opened","at":1,"email":"a@b.example"}]}"#;
        let error = Batch::from_json(extra).unwrap_err();
        assert!(error.message.contains("email"), "{}", error.message);
    }

    #[test]
    fn search_text_and_answers_are_scrubbed() {
        let mut event = Event::Searched {
            at: 1,
            query: "reset for jane@example.com".into(),
            results: 0,
            top: None,
        };
        event.scrub(&Scrubber::default());
        let Event::Searched { query, .. } = event else {
            unreachable!()
        };
        assert!(!query.contains("jane@example.com"), "{query}");
    }

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("batch-{n:04}")
        }
    }

    #[test]
    fn a_retried_batch_keeps_its_id_and_contents_until_confirmed() {
        let mut queue = EventQueue::default();
        let mut new_id = ids();
        queue.push(&Event::PanelOpened { at: 1 });
        let first = queue.next_batch("visit-0001", &mut new_id).unwrap();
        queue.push(&Event::FeedbackSent { at: 2 });
        let again = queue.next_batch("visit-0001", &mut new_id).unwrap();
        assert_eq!(first, again, "a retry must resend the same batch");

        queue.confirm();
        let next = Batch::from_json(
            queue
                .next_batch("visit-0001", &mut new_id)
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(next.batch, "batch-0002");
        assert_eq!(next.events, vec![Event::FeedbackSent { at: 2 }]);
        queue.confirm();
        assert!(queue.next_batch("visit-0001", &mut new_id).is_none());
    }

    #[test]
    fn a_long_offline_spell_keeps_the_newest_events_and_counts_the_rest() {
        let mut queue = EventQueue::default();
        let extra = 25;
        for at in 0..(MAX_QUEUED_EVENTS + extra) as u64 {
            queue.push(&Event::PanelOpened { at });
        }
        assert_eq!(queue.len(), MAX_QUEUED_EVENTS);
        let text = queue.next_batch("visit-0001", ids()).unwrap();
        let batch = Batch::from_json(text.as_bytes()).unwrap();
        assert_eq!(batch.dropped, extra as u32);
        assert_eq!(batch.events.len(), MAX_BATCH_EVENTS);
        assert_eq!(
            batch.events[0].at(),
            extra as u64,
            "the oldest were dropped"
        );

        // While a batch is in flight, drops come after it, never from it,
        // and are reported by the next batch.
        queue.push(&Event::PanelOpened { at: 9999 });
        assert_eq!(queue.next_batch("visit-0001", ids()).unwrap(), text);
        queue.confirm();
        let rest = Batch::from_json(queue.next_batch("visit-0001", ids()).unwrap().as_bytes());
        assert_eq!(rest.unwrap().dropped, 1, "each drop is reported once");
    }

    #[test]
    fn only_a_lasting_refusal_drops_a_batch() {
        assert_eq!(delivery(Some(202)), Delivery::Stored);
        assert_eq!(delivery(Some(400)), Delivery::Refused);
        assert_eq!(delivery(Some(413)), Delivery::Refused);
        for status in [None, Some(408), Some(429), Some(500), Some(503)] {
            assert_eq!(delivery(status), Delivery::Retry, "{status:?}");
        }
        assert_eq!(retry_wait_ms(0), RETRY_MS);
        assert_eq!(retry_wait_ms(1), 2 * RETRY_MS);
        assert_eq!(retry_wait_ms(40), MAX_RETRY_MS);
    }

    #[test]
    fn the_queue_survives_a_reload_with_its_batch_in_flight() {
        let mut queue = EventQueue::default();
        queue.push(&Event::PanelOpened { at: 1 });
        queue.push(&Event::FeedbackSent { at: 2 });
        let sent = queue.next_batch("visit-0001", ids()).unwrap();
        queue.push(&Event::PanelOpened { at: 3 });
        let mut restored = EventQueue::from_text(&queue.to_text());
        assert_eq!(restored, queue);
        assert_eq!(restored.next_batch("visit-0001", ids()).unwrap(), sent);

        assert_eq!(EventQueue::from_text("garbage"), EventQueue::default());
        assert_eq!(EventQueue::from_text(""), EventQueue::default());
    }
}
