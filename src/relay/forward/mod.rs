//! Forwarding: one background thread per destination hands every stored
//! ticket to the destinations its priority tier routes to, retrying with
//! backoff. A destination that hangs or fails only delays its own queue.
//!
//! The pending deliveries are written in the same transaction as the ticket,
//! so a ticket acknowledged to the widget is never silently not forwarded,
//! even across a crash. Delivery is at least once: a relay killed mid-send
//! sends again after restart, so receivers should dedupe by reference.

pub mod email;
pub mod render;
pub mod webhook;
pub mod zendesk;

use super::store::{now_ms, DueDelivery, ForwardAttempt, Store, StoredTicket};
use crate::core::flow::format::Priority;
use crate::core::ticket::Ticket;
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The tier of tickets that name none.
pub const DEFAULT_TIER: Priority = Priority::Howto;

/// A leased delivery is hidden from other claims this long, so a relay that
/// dies mid-attempt has it retried after restart.
const LEASE_MS: i64 = 60_000;
/// How often the worker looks for due retries when nothing wakes it.
const POLL: Duration = Duration::from_millis(250);
/// Wait after the database failed to answer the worker.
const DATABASE_RETRY: Duration = Duration::from_secs(5);
/// Deliveries to one destination attempted side by side.
const BATCH: usize = 8;
/// How long shutdown waits for attempts in flight.
const STOP_GRACE: Duration = Duration::from_secs(2);
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// The tier a ticket is routed by: its `priority`, else its `category` when
/// that names a tier (any case), otherwise [`DEFAULT_TIER`].
pub fn tier_of(ticket: &Ticket) -> Priority {
    ticket
        .priority
        .or_else(|| {
            let category = ticket.category.as_deref()?;
            Priority::from_name(&category.trim().to_ascii_lowercase())
        })
        .unwrap_or(DEFAULT_TIER)
}

/// Why an attempt failed, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// True when the destination refused the ticket for good (e.g. 401, 422).
    pub permanent: bool,
    pub reason: String,
}

impl SendError {
    pub fn transient(reason: impl Into<String>) -> SendError {
        SendError {
            permanent: false,
            reason: reason.into(),
        }
    }
    pub fn permanent(reason: impl Into<String>) -> SendError {
        SendError {
            permanent: true,
            reason: reason.into(),
        }
    }
}

/// What a ticket looks like to a forwarder.
pub struct Outgoing<'a> {
    pub reference: &'a str,
    pub tier: &'a str,
    pub received_at_ms: i64,
    /// The stored ticket JSON.
    pub ticket: &'a serde_json::Value,
}

/// How a destination is reached.
pub enum Sender {
    Webhook(webhook::Webhook),
    Zendesk(zendesk::Zendesk),
    Email(email::Email),
}

impl Sender {
    fn send(&self, ticket: &Outgoing<'_>) -> Result<(), SendError> {
        match self {
            Sender::Webhook(w) => w.send(ticket),
            Sender::Zendesk(z) => z.send(ticket),
            Sender::Email(e) => e.send(ticket),
        }
    }
}

/// A configured destination.
pub struct Destination {
    pub name: String,
    /// The tiers routed here.
    pub tiers: Vec<String>,
    /// Attempts before the delivery is marked failed.
    pub max_attempts: u32,
    /// The first retry waits about this long; each later one twice as long.
    pub retry_base: Duration,
    pub sender: Sender,
}

/// The configured destinations, by name, and the routing table built from
/// them once at start-up.
#[derive(Default)]
pub struct Routes {
    destinations: BTreeMap<String, Destination>,
    /// Destination names per tier, in name order.
    by_tier: BTreeMap<String, Vec<String>>,
}

impl Routes {
    pub fn new(destinations: Vec<Destination>) -> Routes {
        let destinations: BTreeMap<String, Destination> = destinations
            .into_iter()
            .map(|d| (d.name.clone(), d))
            .collect();
        let mut by_tier: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in destinations.values() {
            for tier in &d.tiers {
                let names = by_tier.entry(tier.clone()).or_default();
                if !names.contains(&d.name) {
                    names.push(d.name.clone());
                }
            }
        }
        Routes {
            destinations,
            by_tier,
        }
    }

    /// Names of the destinations a ticket of `tier` goes to.
    pub fn for_tier(&self, tier: &str) -> &[String] {
        self.by_tier.get(tier).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.destinations.is_empty()
    }
}

/// Wait before attempt `attempt + 1`, after `attempt` failures: `base` doubled
/// per failure, capped, with jitter down to half so retries spread out.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let doubled = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(30)));
    doubled
        .min(MAX_BACKOFF)
        .mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// The running workers, one per destination; dropping this does not stop
/// them, [`Forwarder::stop`] does.
pub struct Forwarder {
    waker: Waker,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Wakes every destination's worker at once (a ticket was just stored).
#[derive(Clone)]
pub struct Waker(Vec<SyncSender<()>>);

impl Waker {
    pub fn wake(&self) {
        for wake in &self.0 {
            let _ = wake.try_send(());
        }
    }
}

impl Forwarder {
    /// Starts a worker thread per destination. Each first picks up whatever
    /// a previous run left pending for it.
    pub fn start(store: Arc<dyn Store>, routes: Arc<Routes>) -> Forwarder {
        let stop = Arc::new(AtomicBool::new(false));
        let mut wakers = Vec::new();
        let mut threads = Vec::new();
        for name in routes.destinations.keys() {
            let (wake, woken) = sync_channel(1);
            let (store, routes, stopping) = (store.clone(), routes.clone(), stop.clone());
            let name = name.clone();
            let thread = std::thread::Builder::new()
                .name(format!("signpost-forward-{name}"))
                .spawn(move || run(&*store, &routes, &name, &woken, &stopping))
                .expect("spawn a forwarder thread");
            wakers.push(wake);
            threads.push(thread);
        }
        Forwarder {
            waker: Waker(wakers),
            stop,
            threads,
        }
    }

    /// A handle that wakes the workers at once (a ticket was just stored).
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Stops claiming, and gives attempts in flight [`STOP_GRACE`] to end.
    /// A worker still waiting on a hung destination is left behind (the
    /// process exits): its delivery stays pending under its lease and is
    /// attempted again once the lease runs out, after a restart too.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.waker.wake();
        let deadline = std::time::Instant::now() + STOP_GRACE;
        while std::time::Instant::now() < deadline
            && !self.threads.iter().all(JoinHandle::is_finished)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        for thread in self.threads {
            if thread.is_finished() {
                let _ = thread.join();
            } else {
                tracing::warn!(
                    "stopping with a delivery in flight; it stays pending and is retried"
                );
            }
        }
    }
}

/// One destination's worker: claims its due deliveries, attempts them.
fn run(
    store: &dyn Store,
    routes: &Routes,
    destination: &str,
    woken: &Receiver<()>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        let due = match store.claim_due(destination, now_ms(), LEASE_MS, BATCH) {
            Ok(due) => due,
            Err(e) => {
                tracing::error!(error = %e, destination, "forwarder cannot read pending deliveries");
                // The database is down or full: look again later, quietly.
                match woken.recv_timeout(DATABASE_RETRY) {
                    Ok(()) | Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        if due.is_empty() {
            match woken.recv_timeout(POLL) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // Side by side, so one slow ticket does not hold up the batch's others.
        std::thread::scope(|scope| {
            for delivery in &due {
                scope.spawn(move || {
                    let ticket = load(store, delivery.ticket_id);
                    attempt(store, routes, delivery, &ticket);
                });
            }
        });
    }
}

/// A stored ticket with its payload parsed, ready to send.
type Loaded = Result<(StoredTicket, serde_json::Value), SendError>;

fn load(store: &dyn Store, ticket_id: i64) -> Loaded {
    let ticket = store
        .ticket_by_id(ticket_id)
        .map_err(|e| SendError::transient(format!("cannot read the ticket: {e}")))?
        .ok_or_else(|| SendError::permanent("the ticket is gone from the database"))?;
    let json: serde_json::Value = serde_json::from_str(&ticket.payload)
        .map_err(|e| SendError::permanent(format!("stored ticket is not JSON: {e}")))?;
    Ok((ticket, json))
}

fn attempt(store: &dyn Store, routes: &Routes, due: &DueDelivery, ticket: &Loaded) {
    let outcome = match deliver(routes, due, ticket) {
        Ok(()) => ForwardAttempt::Delivered,
        Err(e) if e.permanent => ForwardAttempt::Failed { error: e.reason },
        Err(e) => {
            let made = u32::try_from(due.attempts + 1).unwrap_or(u32::MAX);
            let destination = routes.destinations.get(&due.destination);
            let max = destination.map_or(1, |d| d.max_attempts);
            if made >= max {
                ForwardAttempt::Failed {
                    error: format!("gave up after {made} attempts: {}", e.reason),
                }
            } else {
                let base = destination.map_or(Duration::from_secs(1), |d| d.retry_base);
                let wait = backoff(base, made, rand::rng().random());
                ForwardAttempt::Retry {
                    at_ms: now_ms() + wait.as_millis() as i64,
                    error: e.reason,
                }
            }
        }
    };
    if let ForwardAttempt::Failed { error } = &outcome {
        tracing::warn!(
            ticket_id = due.ticket_id,
            destination = due.destination,
            error,
            "forwarding failed"
        );
    }
    if let Err(e) = store.record_attempt(due.ticket_id, &due.destination, &outcome) {
        // The lease runs out and the delivery is tried again: at least once.
        tracing::error!(error = %e, "cannot record a forwarding attempt");
    }
}

fn deliver(routes: &Routes, due: &DueDelivery, ticket: &Loaded) -> Result<(), SendError> {
    let Some(destination) = routes.destinations.get(&due.destination) else {
        return Err(SendError::permanent(format!(
            "destination {:?} is no longer configured",
            due.destination
        )));
    };
    let (ticket, json) = ticket.as_ref().map_err(SendError::clone)?;
    destination.sender.send(&Outgoing {
        reference: &ticket.reference,
        tier: &ticket.tier,
        received_at_ms: ticket.received_at_ms,
        ticket: json,
    })
}

/// Classifies an HTTP answer from a webhook or helpdesk.
pub(crate) fn http_outcome(result: Result<ureq::Response, ureq::Error>) -> Result<(), SendError> {
    match result {
        Ok(response) if (200..300).contains(&response.status()) => Ok(()),
        Ok(response) => Err(SendError::permanent(format!(
            "answered HTTP {} (redirects are not followed; fix the URL)",
            response.status()
        ))),
        Err(ureq::Error::Status(status, response)) => {
            let body: String = response
                .into_string()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            let reason = format!("answered HTTP {status}: {}", body.trim());
            // Timeouts, rate limits and server errors pass; other refusals stay.
            if status == 408 || status == 429 || status >= 500 {
                Err(SendError::transient(reason))
            } else {
                Err(SendError::permanent(reason))
            }
        }
        Err(e) => Err(SendError::transient(format!("unreachable: {e}"))),
    }
}

/// An HTTP client with the destination's timeout and no redirects.
pub(crate) fn http_agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(timeout)
        .redirects(0)
        .user_agent(concat!("signpost-relay/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_comes_from_priority_or_category_and_defaults_to_howto() {
        let ticket = |priority: Option<Priority>, category: Option<&str>| Ticket {
            priority,
            category: category.map(str::to_string),
            ..Ticket::from_json(br#"{"version":1,"message":"x"}"#).unwrap()
        };
        assert_eq!(tier_of(&ticket(None, None)), Priority::Howto);
        assert_eq!(
            tier_of(&ticket(Some(Priority::Outage), None)),
            Priority::Outage
        );
        assert_eq!(tier_of(&ticket(None, Some("billing"))), Priority::Billing);
        assert_eq!(tier_of(&ticket(None, Some(" Billing "))), Priority::Billing);
        assert_eq!(
            tier_of(&ticket(Some(Priority::Defect), Some("billing"))),
            Priority::Defect
        );
        assert_eq!(
            tier_of(&ticket(None, Some("camera-setup"))),
            Priority::Howto
        );
    }

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(base, 3, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(base, 3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(base, 40, 1.0), MAX_BACKOFF);
    }

    #[test]
    fn routes_pick_destinations_by_tier() {
        let dest = |name: &str, tiers: &[&str]| Destination {
            name: name.into(),
            tiers: tiers.iter().map(|t| t.to_string()).collect(),
            max_attempts: 1,
            retry_base: Duration::from_secs(1),
            sender: Sender::Webhook(webhook::Webhook::new(
                "http://127.0.0.1:9/".into(),
                "s".into(),
                Duration::from_secs(1),
            )),
        };
        let routes = Routes::new(vec![
            dest("pager", &["outage"]),
            dest("helpdesk", &["outage", "billing", "defect", "howto"]),
            dest("mail", &["feedback"]),
        ]);
        assert_eq!(routes.for_tier("outage"), ["helpdesk", "pager"]);
        assert_eq!(routes.for_tier("feedback"), ["mail"]);
    }
}
