//! The state shared by the panel's parts, and the moves a user makes
//! (search, open an article, walk a flow, contact us). Each move calls the
//! core for the decision and `platform` for the browser work; the views in
//! this folder only read the signals and call these methods.

mod track;

use super::text::Text;
use crate::core::analytics::Event;
use crate::core::analytics::{ContactSource, FlowSource};
use crate::core::checks::Verdict;
use crate::core::config::EmbedOptions;
use crate::core::content::Bundle;
use crate::core::context::{ArticleVisit, FlowVisit, Visit};
use crate::core::flow::{EngineError, FieldView, Flow, Priority, Session, View};
use crate::core::outbox::{Entry, RetryPolicy, RetryTimer, Status};
use crate::core::search::{Index, Kind, QueryCache, Results, SearchOptions};
use crate::core::widget::{self, BundleSource};
use crate::platform::events::Emitter;
use crate::platform::storage::{self, Area};
use crate::platform::{checks, content, outbox};
use crate::ui::reactive::*;
use std::cell::{Cell, RefCell};
use std::time::Duration;

/// Where a flow in progress is kept, for this tab only. The loader
/// (`public/embed.js`) reads it while the wasm downloads.
pub const FLOW_KEY: &str = "signpost:flow:v1";
/// Page errors kept for a ticket; older ones are dropped.
const MAX_PAGE_ERRORS: usize = 100;

/// The bundle in use, with its search index.
struct Content {
    bundle: Bundle,
    index: Index,
    cache: QueryCache,
}

thread_local! {
    /// The outbox's retry timer (`core::outbox::RetryTimer`). Plain cells:
    /// the loader mounts one widget per page.
    static RETRY: Cell<RetryTimer> = const { Cell::new(RetryTimer::new()) };

    /// What this visit has collected for a ticket.
    static VISIT: RefCell<Visit> = RefCell::new(Visit::default());

    static CONTENT: RefCell<Option<Content>> = const { RefCell::new(None) };

    /// The flow the user is walking, if any.
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };

}

/// Runs `f` after `ms`. One boxed type for every timer: each closure type
/// given to `set_timeout` adds its own wasm-bindgen shim to the widget.
fn later(ms: u64, f: Box<dyn FnOnce()>) {
    set_timeout(f, Duration::from_millis(ms));
}

/// Reads or changes what this visit has collected for a ticket.
pub fn with_visit<T>(f: impl FnOnce(&mut Visit) -> T) -> T {
    VISIT.with(|v| f(&mut v.borrow_mut()))
}

/// Reads the bundle, when it has loaded.
pub fn with_bundle<T>(f: impl FnOnce(&Bundle) -> T) -> Option<T> {
    CONTENT.with(|c| c.borrow().as_ref().map(|c| f(&c.bundle)))
}

/// Reads the flow being walked and its session.
pub fn with_flow<T>(f: impl FnOnce(&Flow, &Session) -> T) -> Option<T> {
    SESSION.with(|s| {
        let s = s.borrow();
        let session = s.as_ref()?;
        with_bundle(|b| b.flow(session.flow_id()).map(|flow| f(flow, session))).flatten()
    })
}

/// What the panel shows below its header.
#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    /// Search, results and the routes to a person.
    Home,
    /// One article, by id.
    Article(String),
    /// The flow in `SESSION`, at `WidgetState::flow_view`.
    Flow,
    /// The contact form, as `WidgetState::contact` asks for it.
    Contact,
}

/// Whether the help content can be used yet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ContentStatus {
    Loading,
    Ready { saved_copy: bool },
    Failed,
}

/// What the contact form is for, and what it sends besides the user's words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactRequest {
    /// A light form: no email needed, nothing collected is sent.
    pub feedback: bool,
    pub category: Option<String>,
    pub priority: Option<Priority>,
    /// Extra fields a flow's ticket node asks for.
    pub fields: Vec<FieldView>,
    /// Where self-help ended, for the anonymous events: the route taken
    /// and the flow node (`flow/node`), article or priority it came from.
    pub from: ContactSource,
    pub origin: Option<String>,
}

impl ContactRequest {
    /// An urgent route: a person at once, with this priority as the
    /// category.
    pub fn urgent(priority: Priority) -> ContactRequest {
        ContactRequest {
            category: Some(priority.as_str().into()),
            priority: Some(priority),
            from: ContactSource::Urgent,
            origin: Some(priority.as_str().into()),
            ..ContactRequest::default()
        }
    }

    /// "Contact support" from `from`, e.g. an article that did not help.
    pub fn from(from: ContactSource, origin: Option<String>) -> ContactRequest {
        ContactRequest {
            from,
            origin,
            ..ContactRequest::default()
        }
    }
}

/// A check's result as shown on the node that follows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckNote {
    /// `pass`, `fail` or `error`.
    pub result: &'static str,
    pub detail: String,
}

/// Shared widget state. All fields are `Copy` handles, so the struct is too.
#[derive(Clone, Copy)]
pub struct WidgetState {
    pub open: RwSignal<bool>,
    pub query: RwSignal<String>,
    /// Set once the user has tried self-help; the contact policy reads it.
    pub attempted_self_help: RwSignal<bool>,
    pub options: StoredValue<EmbedOptions>,
    pub text: &'static Text,
    /// The outbox as last read from storage, oldest first.
    pub tickets: RwSignal<Vec<Entry>>,
    /// A storage problem the user should know about.
    pub outbox_error: RwSignal<Option<String>>,
    pub screen: RwSignal<Screen>,
    pub content: RwSignal<ContentStatus>,
    pub results: RwSignal<Results>,
    /// The active option in the results, by position in display order.
    pub active: RwSignal<Option<usize>>,
    /// The flow node shown.
    pub flow_view: RwSignal<Option<View>>,
    /// The result of the check just run, shown on the next node.
    pub check_note: RwSignal<Option<CheckNote>>,
    pub contact: RwSignal<ContactRequest>,
    /// Errors the page reported since the widget loaded (not yet consented).
    pub page_errors: RwSignal<Vec<String>>,
    /// Flips on every `identify`, so an open form fills in the new
    /// identity (a flag, not a counter: one signal type fewer in the wasm).
    pub identity_changed: RwSignal<bool>,
    /// A flow or article asked for (`startFlow`, `showArticle`) before the
    /// content arrived; opened once it has.
    pending: StoredValue<Option<(Kind, String)>>,
    emitter: StoredValue<Emitter, LocalStorage>,
}

impl WidgetState {
    pub fn new(options: EmbedOptions, text: &'static Text, emitter: Emitter) -> WidgetState {
        let (tickets, outbox_error) = match outbox::load() {
            Ok(entries) => (entries, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        WidgetState {
            open: RwSignal::new(false),
            query: RwSignal::new(String::new()),
            attempted_self_help: RwSignal::new(false),
            options: StoredValue::new(options),
            text,
            tickets: RwSignal::new(tickets),
            outbox_error: RwSignal::new(outbox_error),
            screen: RwSignal::new(Screen::Home),
            content: RwSignal::new(ContentStatus::Loading),
            results: RwSignal::new(Results::default()),
            active: RwSignal::new(None),
            flow_view: RwSignal::new(None),
            check_note: RwSignal::new(None),
            contact: RwSignal::new(ContactRequest::default()),
            page_errors: RwSignal::new(Vec::new()),
            identity_changed: RwSignal::new(false),
            pending: StoredValue::new(None),
            emitter: StoredValue::new_local(emitter),
        }
    }

    /// True once the widget was destroyed: timers and requests that finish
    /// later must then do nothing.
    fn gone(&self) -> bool {
        self.open.is_disposed()
    }

    pub fn emit(&self, name: &str, detail: &[(&str, &str)]) {
        self.emitter.with_value(|e| e.emit(name, detail));
    }

    pub fn set_open(&self, open: bool) {
        if self.open.get_untracked() != open {
            self.open.set(open);
            self.emit(if open { "open" } else { "close" }, &[]);
            if open {
                self.track(Event::PanelOpened {
                    at: outbox::now_ms(),
                });
            } else {
                self.settle_search();
            }
        }
    }

    /// Whether the "contact support" route shows now.
    pub fn contact_allowed(&self) -> bool {
        let policy = self.options.with_value(|o| o.contact);
        policy.allows_contact(self.attempted_self_help.get())
    }

    // ---- content and search ----

    /// Fetches the bundle (or falls back to the saved copy), indexes it,
    /// and resumes a flow left in progress in this tab.
    /// `prefetched` is the loader's download, when it started one.
    pub fn load_content(self, prefetched: Option<js_sys::Promise>) {
        let Some(url) = self.options.with_value(|o| o.content.clone()) else {
            self.content.set(ContentStatus::Failed);
            return;
        };
        spawn_local(async move {
            let fetched = match prefetched {
                Some(download) => content::finish(download).await,
                None => content::fetch(&url).await,
            };
            if self.gone() {
                return;
            }
            match widget::choose_bundle(&fetched, content::saved) {
                Ok((bundle, source)) => {
                    if source == BundleSource::Network {
                        // Kept for offline use once the panel is usable:
                        // an 80 KB storage write is not worth waiting for.
                        if let Ok(text) = fetched {
                            later(50, Box::new(move || content::save(&text)));
                        }
                    }
                    let index = Index::build(bundle.documents(), &bundle.index_options());
                    with_visit(|v| {
                        v.versions.retain(|(k, _)| k != "content");
                        v.versions
                            .push(("content".into(), bundle.hash.chars().take(12).collect()));
                    });
                    CONTENT.with(|c| {
                        *c.borrow_mut() = Some(Content {
                            bundle,
                            index,
                            cache: QueryCache::default(),
                        })
                    });
                    self.content.set(ContentStatus::Ready {
                        saved_copy: source == BundleSource::Saved,
                    });
                    self.run_search();
                    self.resume_flow();
                }
                Err(e) => {
                    web_sys::console::warn_1(
                        &format!("[signpost] help content could not be loaded: {}", e.network)
                            .into(),
                    );
                    self.content.set(ContentStatus::Failed);
                }
            }
            if let Some((kind, id)) = self.pending.try_update_value(Option::take).flatten() {
                self.open_result(kind, &id, FlowSource::Host);
            }
        });
    }

    pub fn search(&self, query: String) {
        if !query.trim().is_empty() {
            self.attempted_self_help.set(true);
        }
        with_visit(|v| v.searched(&query));
        self.emit("search", &[("query", &query)]);
        self.query.set(query.clone());
        self.run_search();
        self.settle_search_later(query);
    }

    fn run_search(&self) {
        let query = self.query.get_untracked();
        let results = CONTENT.with(|c| {
            c.borrow_mut().as_mut().map(|c| {
                let mut results =
                    c.index
                        .search_cached(&mut c.cache, &query, &SearchOptions::default());
                c.bundle.order_suggestions(&mut results);
                results
            })
        });
        if let Some(results) = results {
            self.results.set(results);
            self.active.set(None);
        }
    }

    /// Opens a result: a flow starts, an article shows. Before the content
    /// has arrived, the panel opens and the item follows.
    pub fn open_result(&self, kind: Kind, id: &str, from: FlowSource) {
        if self.content.get_untracked() == ContentStatus::Loading {
            self.pending.set_value(Some((kind, id.to_string())));
            self.set_open(true);
            return;
        }
        match kind {
            Kind::Flow => self.start_flow(id, from),
            Kind::Article => self.show_article(id),
        }
    }

    /// The user chose a result shown in the panel (searched or featured).
    pub fn choose_result(&self, kind: Kind, id: &str) {
        let searched = !self.query.with_untracked(|q| q.trim().is_empty());
        if searched {
            self.track_choice(kind, id);
        }
        let from = if searched {
            FlowSource::Search
        } else {
            FlowSource::Featured
        };
        self.open_result(kind, id, from);
    }

    /// Moves the active result by `step` (wrapping), for the arrow keys.
    pub fn move_active(&self, step: isize) {
        let count = self
            .results
            .with_untracked(|r| r.flows.len() + r.articles.len());
        if count == 0 {
            return;
        }
        let next = match self.active.get_untracked() {
            None if step > 0 => 0,
            None => count - 1,
            Some(i) => (i as isize + step).rem_euclid(count as isize) as usize,
        };
        self.active.set(Some(next));
    }

    /// Opens the active result, or the first one when none is active.
    pub fn open_active(&self) {
        let index = self.active.get_untracked().unwrap_or(0);
        let hit = self.results.with_untracked(|r| {
            r.flows
                .iter()
                .chain(r.articles.iter())
                .nth(index)
                .map(|h| (h.kind, h.id.clone()))
        });
        if let Some((kind, id)) = hit {
            self.choose_result(kind, &id);
        }
    }

    pub fn go_home(&self) {
        self.screen.set(Screen::Home);
    }

    // ---- articles ----

    pub fn show_article(&self, id: &str) {
        let title = with_bundle(|b| b.article(id).map(|a| a.title.clone())).flatten();
        if let Some(title) = &title {
            self.attempted_self_help.set(true);
            with_visit(|v| {
                if !v.articles.iter().any(|a| a.id == id) {
                    v.articles.push(ArticleVisit {
                        id: id.into(),
                        title: title.clone(),
                        helpful: None,
                    });
                }
            });
            self.emit("article", &[("id", id)]);
            self.track(Event::ArticleViewed {
                at: outbox::now_ms(),
                article: id.to_string(),
            });
        }
        self.screen.set(Screen::Article(id.to_string()));
        self.set_open(true);
    }

    /// Records "Did this answer your question?".
    pub fn rate_article(&self, id: &str, helpful: bool) {
        with_visit(|v| {
            if let Some(a) = v.articles.iter_mut().find(|a| a.id == id) {
                a.helpful = Some(helpful);
            }
        });
        self.emit(
            "article-rated",
            &[("id", id), ("helpful", if helpful { "yes" } else { "no" })],
        );
        self.track(Event::ArticleAnswered {
            at: outbox::now_ms(),
            article: id.to_string(),
            helpful,
        });
    }

    /// Records "Was this helpful?" after a solved flow.
    pub fn rate_flow(&self, helpful: bool) {
        let id = with_flow(|f, _| f.id.clone()).unwrap_or_default();
        let said = if helpful { "yes" } else { "no" };
        self.emit("flow-rated", &[("flow", &id), ("helpful", said)]);
        self.track(Event::FlowRated {
            at: outbox::now_ms(),
            flow: id,
            helpful,
        });
    }

    // ---- flows ----

    /// Starts a guided fix from its first node; `from` is counted in the
    /// anonymous events.
    pub fn start_flow(&self, id: &str, from: FlowSource) {
        let now = outbox::now_ms();
        let lang = self.language();
        let started =
            with_bundle(|b| b.flow(id).map(|flow| Session::start(flow, lang, now))).flatten();
        match started {
            Some(Ok((session, view))) => {
                self.attempted_self_help.set(true);
                SESSION.with(|s| *s.borrow_mut() = Some(session));
                self.emit("flow", &[("id", id)]);
                self.track(Event::FlowStarted {
                    at: now,
                    flow: id.to_string(),
                    from,
                });
                self.check_note.set(None);
                self.screen.set(Screen::Flow);
                self.set_open(true);
                self.show_view(view, false);
            }
            Some(Err(e)) => self.flow_problem(&e.to_string()),
            None => {
                web_sys::console::warn_1(&format!("[signpost] no guided fix \"{id}\"").into());
                self.screen.set(Screen::Article(id.to_string()));
                self.set_open(true);
            }
        }
    }

    /// The panel's language tag, also the locale flows are walked in.
    pub fn language(&self) -> &'static str {
        self.text.language.tag()
    }

    /// Applies a move to the session and shows where it leads.
    fn step(&self, f: impl FnOnce(&mut Session, &Flow, u64) -> Result<View, EngineError>) {
        let now = outbox::now_ms();
        let next = SESSION.with(|s| {
            let mut s = s.borrow_mut();
            let session = s.as_mut()?;
            with_bundle(|b| b.flow(session.flow_id()).map(|flow| f(session, flow, now))).flatten()
        });
        match next {
            Some(Ok(view)) => self.show_view(view, false),
            Some(Err(e)) => self.flow_problem(&e.to_string()),
            None => self.go_home(),
        }
    }

    /// A move the user made: the last check's note has served its purpose.
    fn user_step(&self, f: impl FnOnce(&mut Session, &Flow, u64) -> Result<View, EngineError>) {
        self.check_note.set(None);
        self.step(f);
    }

    pub fn answer(&self, choice: usize) {
        let label = self.flow_view.with_untracked(|v| match v {
            Some(View::Question { choices, .. }) => choices.get(choice).cloned(),
            _ => None,
        });
        track::answered(label);
        self.user_step(|s, f, now| s.answer(f, choice, now));
    }

    pub fn fixed(&self, fixed: bool) {
        track::answered(Some(if fixed { "fixed" } else { "not fixed" }.into()));
        self.user_step(|s, f, now| s.fixed(f, fixed, now));
    }

    pub fn proceed(&self) {
        track::answered(Some("continue".into()));
        self.user_step(|s, f, now| s.proceed(f, now));
    }

    pub fn back(&self) {
        self.user_step(|s, f, now| s.back(f, now));
    }

    pub fn restart(&self) {
        self.user_step(|s, f, now| s.restart(f, now));
    }

    /// Leaves the flow for the search; a reload will not bring it back.
    pub fn leave_flow(&self) {
        storage::remove_in(Area::Session, FLOW_KEY);
        SESSION.with(|s| *s.borrow_mut() = None);
        self.flow_view.set(None);
        self.go_home();
    }

    fn flow_problem(&self, message: &str) {
        web_sys::console::error_1(&format!("[signpost] guided fix: {message}").into());
        self.leave_flow();
    }

    /// Shows a node, saves the session, records the transcript for a
    /// ticket, and runs the node's effect (a check, an end). `resumed`: the
    /// node was reached before a reload, so it is not counted again.
    fn show_view(&self, view: View, resumed: bool) {
        let recorded = with_flow(|flow, session| {
            let _ = storage::write_in(
                Area::Session,
                FLOW_KEY,
                &widget::save_flow(&flow.id, &session.to_json()),
            );
            let outcome = match &view {
                View::Resolved { .. } => "resolved",
                View::Ticket { .. } => "ticket",
                _ => "left",
            };
            let visit = FlowVisit {
                id: flow.id.clone(),
                title: flow.title.clone(),
                transcript: session.transcript_lines(flow),
                outcome: outcome.into(),
            };
            with_visit(|v| {
                v.flows.retain(|f| f.id != visit.id);
                v.flows.push(visit);
            });
            flow.id.clone()
        });
        let Some(flow_id) = recorded else { return };
        let node = view.node_id().to_string();
        self.flow_view.set(Some(view.clone()));
        self.emit("step", &[("flow", &flow_id), ("node", &node)]);
        let at = outbox::now_ms();
        if !resumed {
            self.track_node(&flow_id, &node, &view, at);
        }
        match view {
            View::Check { request, .. } => {
                let state = *self;
                spawn_local(async move {
                    let Verdict { result, detail } = checks::run(&request).await;
                    if state.gone() {
                        return;
                    }
                    state.track_check(&flow_id, &node, &request.check, &result, at);
                    // The user may have left or moved on meanwhile.
                    let still_here = state
                        .flow_view
                        .with_untracked(|v| v.as_ref().map(|v| v.node_id()) == Some(&node));
                    if !still_here {
                        return;
                    }
                    state.check_note.set(Some(CheckNote {
                        result: result.as_str(),
                        detail,
                    }));
                    state.step(|s, f, now| s.check_result(f, result, now));
                });
            }
            View::Resolved { .. } => self.emit("resolved", &[("flow", &flow_id)]),
            View::Ticket {
                category,
                priority,
                fields,
                ..
            } => {
                let request = ContactRequest {
                    feedback: false,
                    category: Some(category),
                    priority: Some(priority),
                    fields,
                    from: ContactSource::Flow,
                    origin: Some(format!("{flow_id}/{node}")),
                };
                if !resumed {
                    self.track_contact(&request);
                }
                self.contact.set(request);
            }
            _ => {}
        }
    }

    /// Brings back a flow this tab was walking before a reload. A solved
    /// flow is not reopened; one that ended in a ticket is, so the form
    /// keeps the path.
    fn resume_flow(&self) {
        if SESSION.with(|s| s.borrow().is_some()) {
            return;
        }
        let Ok(Some(saved)) = storage::read_in(Area::Session, FLOW_KEY) else {
            return;
        };
        let Some((flow_id, json)) = widget::saved_flow(&saved) else {
            return;
        };
        let resumed = with_bundle(|b| {
            let flow = b.flow(flow_id)?;
            let session = Session::resume(json, flow).ok()?;
            let view = session.view(flow).ok()?;
            Some((session, view))
        })
        .flatten();
        match resumed {
            Some((_, View::Resolved { .. })) | None => storage::remove_in(Area::Session, FLOW_KEY),
            Some((session, view)) => {
                SESSION.with(|s| *s.borrow_mut() = Some(session));
                self.attempted_self_help.set(true);
                if self.screen.get_untracked() == Screen::Home {
                    self.screen.set(Screen::Flow);
                }
                self.show_view(view, true);
            }
        }
    }

    // ---- contact ----

    /// Opens the contact form for `request`.
    pub fn open_contact(&self, request: ContactRequest) {
        self.track_contact(&request);
        self.contact.set(request);
        self.screen.set(Screen::Contact);
        self.set_open(true);
    }

    /// Tells open forms that `identify` changed who the user is.
    pub fn identified(&self) {
        self.identity_changed.update(|flag| *flag = !*flag);
    }

    /// Keeps an error the page reported, for a ticket the user allows it in.
    pub fn page_error(&self, message: String) {
        self.page_errors.update(|errors| {
            errors.push(message);
            if errors.len() > MAX_PAGE_ERRORS {
                errors.remove(0);
            }
        });
    }

    // ---- outbox ----

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
            if self.gone() {
                return;
            }
            self.show_outbox(result);
            let mut timer = RETRY.get();
            let planned = timer.plan(&self.tickets.get_untracked(), outbox::now_ms());
            RETRY.set(timer);
            if let Some(planned) = planned {
                let retry = move || {
                    if RETRY.get().is_current(planned) && !self.gone() {
                        self.flush_outbox(false);
                    }
                };
                later(planned.wait_ms, Box::new(retry));
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
