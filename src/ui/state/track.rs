//! Anonymous usage events (`core::analytics`; docs/analytics.md), off with
//! `data-analytics="off"`.
//! Host listeners get each event as `event`; the relay gets them in batches.

use super::{later, ContactRequest, WidgetState};
use crate::core::analytics::{
    self as track, CheckOutcome, ContactSource, Event, EventQueue, FlowEnd,
};
use crate::core::checks::CheckResult;
use crate::core::flow::View;
use crate::core::search::Kind;
use crate::platform::{analytics, outbox};
use crate::ui::reactive::*;
use std::cell::RefCell;

thread_local! {
    /// The last search recorded as settled.
    static SETTLED: RefCell<String> = const { RefCell::new(String::new()) };

    /// Anonymous events waiting to be sent; `None` when analytics is off.
    static EVENTS: RefCell<Option<Events>> = const { RefCell::new(None) };

    /// The choice that led to the next node, for its `node_reached` event.
    static ANSWER: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The event queue and where it goes.
struct Events {
    url: String,
    visit: String,
    queue: EventQueue,
    /// A send is scheduled or under way; more events just join the queue.
    busy: bool,
    /// Failed sends in a row, for the retry wait.
    failures: u32,
    /// The queue changed since it was last written to `sessionStorage`,
    /// and a write is scheduled: a burst of events (a flow's steps, the
    /// panel opening) costs one write, not one each.
    unsaved: bool,
}

/// Writes the queue if an event changed it since the last write.
fn save_if_unsaved() {
    EVENTS.with(|e| {
        if let Some(events) = e.borrow_mut().as_mut().filter(|e| e.unsaved) {
            events.save();
        }
    });
}

impl Events {
    fn save(&mut self) {
        self.unsaved = false;
        analytics::save_queue(&self.queue);
    }

    /// The batch to send now: the one in flight again, else a new one.
    fn next_batch(&mut self) -> Option<String> {
        let visit = &self.visit;
        // Without a CSPRNG the visit id stands in: still unique per tab.
        let new_id = || analytics::new_id().unwrap_or_else(|| visit.clone());
        self.queue.next_batch(visit, new_id)
    }
}

/// Keeps the choice that led to the next node.
pub(super) fn answered(label: Option<String>) {
    ANSWER.with(|a| *a.borrow_mut() = label);
}

/// Takes the choice that led to the node now shown.
pub(super) fn take_answer() -> Option<String> {
    ANSWER.take()
}

impl WidgetState {
    /// Starts the event queue when analytics is on, picking up what this
    /// tab left unsent before a reload.
    pub fn start_events(self) {
        let Some(url) = self.options.with_value(|o| o.events.clone()) else {
            return;
        };
        let Some(visit) = analytics::visit_id() else {
            return;
        };
        let queue = analytics::load_queue();
        let waiting = !queue.is_empty();
        EVENTS.with(|e| {
            *e.borrow_mut() = Some(Events {
                url,
                visit,
                queue,
                busy: false,
                failures: 0,
                unsaved: false,
            })
        });
        if waiting {
            self.send_events_later(track::SEND_DELAY_MS);
        }
    }

    /// Records an event: host listeners get it at once (`event`, with its
    /// `kind`), the relay in the next batch.
    pub fn track(&self, mut event: Event) {
        event.scrub(&self.options.with_value(|o| o.scrubber()));
        let text = event.to_json().to_text();
        self.emitter.with_value(|e| e.emit_json("event", &text));
        let (start, schedule_save) = EVENTS.with(|e| {
            let mut e = e.borrow_mut();
            let Some(events) = e.as_mut() else {
                return (false, false);
            };
            events.queue.push_text(text);
            (!events.busy, !std::mem::replace(&mut events.unsaved, true))
        });
        if schedule_save {
            // Saved once the code that tracked this is done (and off the
            // path to the panel's first paint); a page that hides first
            // saves it in `beacon_events`.
            later(0, Box::new(save_if_unsaved));
        }
        if start {
            self.send_events_later(track::SEND_DELAY_MS);
        }
    }

    fn send_events_later(self, wait: u64) {
        EVENTS.with(|e| e.borrow_mut().as_mut().map(|e| e.busy = true));
        later(wait, Box::new(move || self.send_events()));
    }

    /// Sends the next batch (once online again, at once), then the rest.
    pub fn send_events(self) {
        let next = EVENTS.with(|e| {
            let mut e = e.borrow_mut();
            let events = e.as_mut()?;
            let batch = events.next_batch();
            events.busy = batch.is_some();
            batch.map(|b| (events.url.clone(), b))
        });
        let Some((url, body)) = next else { return };
        spawn_local(async move {
            let delivery = track::delivery(analytics::post(&url, body).await);
            let wait = EVENTS.with(|e| {
                let mut e = e.borrow_mut();
                let events = e.as_mut()?;
                let retry = delivery == track::Delivery::Retry;
                if retry {
                    events.failures += 1;
                } else {
                    // Stored, or refused for good: either way it is done
                    // with, so one bad batch never blocks the next.
                    events.queue.confirm();
                    events.failures = 0;
                }
                events.save();
                events.busy = !events.queue.is_empty();
                events.busy.then(|| {
                    if retry {
                        track::retry_wait_ms(events.failures - 1)
                    } else {
                        0
                    }
                })
            });
            if let Some(wait) = wait {
                if !self.gone() {
                    self.send_events_later(wait);
                }
            }
        });
    }

    /// The page is hiding: hands what waits to the browser as a beacon.
    pub fn beacon_events(&self) {
        self.settle_search();
        EVENTS.with(|e| {
            let mut e = e.borrow_mut();
            let Some(events) = e.as_mut() else { return };
            if let Some(body) = events.next_batch() {
                if analytics::beacon(&events.url, &body) {
                    events.queue.confirm();
                }
            }
            // A write scheduled by `track` may never run once the page is
            // gone: what the beacon did not take stays for this tab's next
            // page.
            events.save();
        });
    }

    /// Records the search as settled once the user paused on it.
    pub(super) fn settle_search(&self) {
        let query = self.query.get_untracked();
        let settled = SETTLED.with(|s| std::mem::replace(&mut *s.borrow_mut(), query.clone()));
        if query.trim().is_empty() || settled == query {
            return;
        }
        let (results, top) = self.results.with_untracked(|r| {
            let first = r.flows.first().or(r.articles.first());
            (
                (r.flows.len() + r.articles.len()) as u32,
                first.map(|h| h.id.clone()),
            )
        });
        self.track(Event::Searched {
            at: outbox::now_ms(),
            query,
            results,
            top,
        });
    }

    /// Counts the search as settled once the user paused on it.
    pub(super) fn settle_search_later(&self, query: String) {
        let state = *self;
        let settle = move || {
            if !state.gone() && state.query.with_untracked(|q| *q == query) {
                state.settle_search();
            }
        };
        later(track::SEARCH_SETTLE_MS, Box::new(settle));
    }

    /// A result chosen from a search, with its rank (from 1).
    pub(super) fn track_choice(&self, kind: Kind, id: &str) {
        self.settle_search();
        let rank = self.results.with_untracked(|r| {
            r.flows
                .iter()
                .chain(r.articles.iter())
                .position(|h| h.id == id && h.kind == kind)
        });
        if let Some(rank) = rank {
            self.track(Event::ResultChosen {
                at: outbox::now_ms(),
                id: id.to_string(),
                rank: rank as u32 + 1,
            });
        }
    }

    /// A flow node shown, with the choice that led there, and the flow's end.
    pub(super) fn track_node(&self, flow: &str, node: &str, view: &View, at: u64) {
        self.track(Event::NodeReached {
            at,
            flow: flow.to_string(),
            node: node.to_string(),
            answer: take_answer(),
        });
        let Some(end) = FlowEnd::of(view) else {
            return;
        };
        self.track(Event::FlowEnded {
            at,
            flow: flow.to_string(),
            node: node.to_string(),
            end,
        });
    }

    /// A check's outcome and how long it took since its node showed.
    pub(super) fn track_check(
        &self,
        flow: &str,
        node: &str,
        check: &str,
        result: &CheckResult,
        started: u64,
    ) {
        let outcome = CheckOutcome::from(result);
        let now = outbox::now_ms();
        self.track(Event::CheckDone {
            at: now,
            flow: flow.to_string(),
            node: node.to_string(),
            check: check.to_string(),
            outcome,
            ms: now.saturating_sub(started).min(u32::MAX as u64) as u32,
        });
        answered(Some(result.as_str().into()));
    }

    pub(super) fn track_contact(&self, request: &ContactRequest) {
        if request.from == ContactSource::Search {
            self.settle_search();
        }
        self.track(Event::ContactOpened {
            at: outbox::now_ms(),
            from: request.from,
            origin: request.origin.clone(),
        });
    }

    /// Records a ticket or feedback the user sent (queued in the outbox).
    pub fn track_sent(&self, request: &ContactRequest) {
        let at = outbox::now_ms();
        self.track(if request.feedback {
            Event::FeedbackSent { at }
        } else {
            Event::TicketSent {
                at,
                category: request.category.clone(),
                tier: request.priority.map(|p| p.as_str().to_string()),
                origin: request.origin.clone(),
            }
        });
    }
}
