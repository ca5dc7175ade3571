//! The state shared by the widget's components, provided as context.

use crate::core::config::EmbedOptions;
use crate::core::context::Visit;
use crate::core::outbox::{next_due_ms, Entry, RetryPolicy, Status};
use crate::platform::events::Emitter;
use crate::platform::outbox;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::time::Duration;

thread_local! {
    /// Which scheduled retry is current. Each schedule bumps it and an older
    /// timer finds it changed and does nothing, so repeated flushes (online
    /// events, resends) never run parallel retry chains. A plain cell: the
    /// loader mounts one widget per page, and a reactive store here costs
    /// the wasm a kilobyte.
    static RETRY_GENERATION: Cell<u32> = const { Cell::new(0) };

    /// What this visit has collected for a ticket: searches, identity and
    /// host values. Plain, like the retry counter: one widget per page, and
    /// only the form reads it.
    static VISIT: RefCell<Visit> = RefCell::new(Visit::default());
}

/// Reads or changes what this visit has collected for a ticket.
pub fn with_visit<T>(f: impl FnOnce(&mut Visit) -> T) -> T {
    VISIT.with(|v| f(&mut v.borrow_mut()))
}

/// Shared widget state. All fields are `Copy` handles, so the struct is too.
#[derive(Clone, Copy)]
pub struct WidgetState {
    pub open: RwSignal<bool>,
    pub query: RwSignal<String>,
    /// Set once the user has tried self-help; the contact policy reads it.
    pub attempted_self_help: RwSignal<bool>,
    pub options: StoredValue<EmbedOptions>,
    /// The outbox as last read from storage, oldest first.
    pub tickets: RwSignal<Vec<Entry>>,
    /// A storage problem the user should know about.
    pub outbox_error: RwSignal<Option<String>>,
    /// An urgent route the user took ("outage", "billing"): contact shows at
    /// once, whatever the policy, and the ticket carries that tier.
    pub urgent: RwSignal<Option<String>>,
    emitter: StoredValue<Emitter, LocalStorage>,
}

impl WidgetState {
    pub fn new(options: EmbedOptions, emitter: Emitter) -> WidgetState {
        let (tickets, outbox_error) = match outbox::load() {
            Ok(entries) => (entries, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        WidgetState {
            open: RwSignal::new(false),
            query: RwSignal::new(String::new()),
            attempted_self_help: RwSignal::new(false),
            options: StoredValue::new(options),
            tickets: RwSignal::new(tickets),
            outbox_error: RwSignal::new(outbox_error),
            urgent: RwSignal::new(None),
            emitter: StoredValue::new_local(emitter),
        }
    }

    pub fn emit(&self, name: &str, detail: &[(&str, &str)]) {
        self.emitter.with_value(|e| e.emit(name, detail));
    }

    pub fn set_open(&self, open: bool) {
        if self.open.get_untracked() != open {
            self.open.set(open);
            self.emit(if open { "open" } else { "close" }, &[]);
        }
    }

    pub fn search(&self, query: String) {
        if !query.trim().is_empty() {
            self.attempted_self_help.set(true);
        }
        with_visit(|v| v.searched(&query));
        self.emit("search", &[("query", &query)]);
        self.query.set(query);
    }

    /// Shows the stored outbox (or the storage problem) in the panel.
    pub fn show_outbox(&self, result: Result<Vec<Entry>, String>) {
        match result {
            Ok(entries) => {
                self.announce_sent(&entries);
                // A storage notice (say, an unreadable outbox set aside)
                // stays up for this page view even when later reads succeed.
                self.tickets.set(entries);
            }
            Err(e) => self.outbox_error.set(Some(e)),
        }
    }

    /// Sends what is due (with `wake`, everything queued), then schedules
    /// the next attempt.
    pub fn flush_outbox(self, wake: bool) {
        let endpoint = self.options.with_value(|o| o.endpoint.clone());
        spawn_local(async move {
            let result = outbox::flush(endpoint, RetryPolicy::default(), wake).await;
            self.show_outbox(result);
            let generation = RETRY_GENERATION.get().wrapping_add(1);
            RETRY_GENERATION.set(generation);
            if let Some(due) = next_due_ms(&self.tickets.get_untracked()) {
                let wait = due.saturating_sub(outbox::now_ms());
                let retry = move || {
                    if RETRY_GENERATION.get() == generation {
                        self.flush_outbox(false);
                    }
                };
                set_timeout(retry, Duration::from_millis(wait));
            }
        });
    }

    fn announce_sent(&self, entries: &[Entry]) {
        let before = self.tickets.get_untracked();
        for entry in entries {
            let Status::Sent { reference } = &entry.status else {
                continue;
            };
            // Only entries this tab knew as unsent: not ones sent elsewhere.
            let previous = before.iter().find(|b| b.key == entry.key);
            if previous.is_some_and(|b| !matches!(b.status, Status::Sent { .. })) {
                self.emit("ticket-sent", &[("reference", reference)]);
            }
        }
    }
}
