//! The panel: a labelled dialog with the search, its results, and the
//! screen the user is on (an article, a guided fix, the contact form).
//! Each part is a [`Region`] redrawn by an `Effect` from the signals in
//! [`WidgetState`]; the moves themselves are `WidgetState` methods.

use super::contact::{contact_form, ticket_statuses};
use super::flow::flow_screen;
use super::state::{with_bundle, ContactRequest, ContentStatus, Screen, WidgetState};
use super::tree;
use super::watch;
use crate::core::analytics::{ContactSource, FlowSource};
use crate::core::flow::Priority;
use crate::core::search::{Hit, Kind};
use crate::platform::dom::{active_element, button, el, focus_marked_later, text_el, Node, Region};
use crate::ui::reactive::*;
use std::ops::Range;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};

/// Builds the panel into `container` and wires it to `state`. Call inside
/// a reactive owner; cleaning that owner up stops every effect.
pub fn build(container: &Element, state: WidgetState) {
    let t = state.text;
    let title = state.options.with_value(|o| o.title.clone());

    let search = el("input")
        .attr("id", "sp-search")
        .class("sp-input")
        .attr("type", "search")
        .attr("autocomplete", "off")
        .attr("spellcheck", "false")
        .attr("role", "combobox")
        .attr("aria-autocomplete", "list")
        .attr("aria-controls", "sp-results")
        .attr("aria-expanded", "false")
        .attr("placeholder", t.search_placeholder)
        .testid("search")
        .on("input", move |ev| {
            if let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                state.search(input.value());
            }
        })
        .on("keydown", move |ev| {
            let Some(key) = ev.dyn_ref::<KeyboardEvent>().map(|k| k.key()) else {
                return;
            };
            match key.as_str() {
                "ArrowDown" => state.move_active(1),
                "ArrowUp" => state.move_active(-1),
                "Enter" => state.open_active(),
                _ => return,
            }
            ev.prevent_default();
        });
    let search_input: HtmlInputElement = search.element().clone().unchecked_into();

    let notice = el("div").class("sp-notice");
    let notice_region = Region::new(notice.element().clone());
    let results = el("div").class("sp-results-area");
    let results_region = Region::new(results.element().clone());
    let count = el("p")
        .class("sp-sr")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .testid("result-count");
    let count_el = count.element().clone();

    let urgent = |priority: Priority, label: &str| {
        button(
            "sp-button sp-secondary",
            &format!("route-{}", priority.as_str()),
            label,
            move || state.open_contact(ContactRequest::urgent(priority)),
        )
    };
    let home = el("div")
        .class("sp-home")
        .child(
            el("label")
                .class("sp-label")
                .attr("for", "sp-search")
                .text(t.search_label),
        )
        .child(search)
        .child(count)
        .child(results)
        .child(
            el("div")
                .class("sp-urgent")
                .attr("role", "group")
                .attr("aria-label", t.urgent)
                .child(urgent(Priority::Outage, t.outage))
                .child(urgent(Priority::Billing, t.billing))
                .child(button("sp-link", "route-feedback", t.feedback, move || {
                    state.open_contact(ContactRequest {
                        feedback: true,
                        from: ContactSource::Menu,
                        origin: Some("feedback".into()),
                        ..ContactRequest::urgent(Priority::Feedback)
                    })
                })),
        );
    let home_el: HtmlElement = home.element().clone().unchecked_into();

    let screen = el("div").class("sp-screen");
    let screen_region = Region::new(screen.element().clone());
    let tickets = el("div")
        .class("sp-tickets")
        .attr("role", "status")
        .attr("aria-live", "polite");
    let tickets_region = Region::new(tickets.element().clone());

    let panel = el("div")
        .class("sp-panel")
        .attr("role", "dialog")
        .attr("aria-modal", "true")
        .attr("aria-labelledby", "sp-title")
        .testid("panel")
        .flag("hidden", true)
        .on("keydown", move |ev| {
            let Some(k) = ev.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if k.key() == "Escape" {
                ev.stop_propagation();
                state.set_open(false);
            } else if k.key() == "Tab" {
                trap_focus(k);
            }
        })
        .child(
            // A div, not <header>: inside a dialog it is no banner landmark,
            // and the host page has its own.
            el("div")
                .class("sp-header")
                .child(text_el("h2", "sp-title", &title).attr("id", "sp-title"))
                .child(
                    button("sp-close", "close", "×", move || state.set_open(false))
                        .attr("aria-label", t.close),
                ),
        )
        .child(
            el("div")
                .class("sp-body")
                .child(notice)
                .child(home)
                .child(screen)
                .child(tickets),
        );
    let panel_el: HtmlElement = panel.element().clone().unchecked_into();
    let root = Region::new(container.clone());
    root.show([panel]);
    // The root region never redraws; it keeps the panel's listeners alive
    // until the owner is cleaned up (`destroy`).
    StoredValue::new_local(root);

    // Open and close; focus moves into the dialog.
    let input = search_input.clone();
    watch(move || {
        let open = state.open.get();
        panel_el.set_hidden(!open);
        // The panel was just shown, so the box can take the focus now,
        // without waiting a frame.
        if open && state.screen.get_untracked() == Screen::Home {
            let _ = input.focus();
        }
    });

    watch(move || {
        let status = state.content.get();
        let t = state.text;
        let incident = with_bundle(|b| b.incident.clone()).flatten();
        let mut nodes = Vec::new();
        if let Some(incident) = incident {
            let mut banner = el("div")
                .class("sp-incident")
                .attr("role", "status")
                .testid("incident")
                .child(text_el("strong", "", &incident.title))
                .children(tree::blocks(&incident.body));
            if let Some(url) = incident.status_url {
                banner = banner.child(tree::external_link(&url).text(t.status_page));
            }
            nodes.push(banner);
        }
        match status {
            ContentStatus::Ready { saved_copy: true } => {
                nodes.push(text_el("p", "sp-note", t.saved_copy).testid("saved-copy"))
            }
            ContentStatus::Failed => nodes
                .push(text_el("p", "sp-note sp-problem", t.content_failed).testid("content-error")),
            _ => {}
        }
        notice_region.show(nodes);
    });

    // Results, the active option and the count, drawn together.
    let input = search_input.clone();
    watch(move || {
        let status = state.content.get();
        let active = state.active.get();
        let query = state.query.get();
        let allowed = state.contact_allowed();
        let nodes = state.results.with(|r| {
            let t = state.text;
            let mut nodes = Vec::new();
            if status == ContentStatus::Loading {
                nodes.push(text_el("p", "sp-note", t.loading));
            } else if r.is_empty() && !query.trim().is_empty() {
                nodes.push(
                    el("div")
                        .class("sp-empty")
                        .testid("no-results")
                        .child(text_el("p", "", t.no_results))
                        .maybe(allowed.then(|| contact_route(state, None))),
                );
            } else if !r.is_empty() {
                let mut position = 0;
                let mut group = |kind: Kind, label: &str, hits: &[Hit]| {
                    let id = format!("sp-group-{}", kind.as_str());
                    let options: Vec<Node> = hits
                        .iter()
                        .map(|hit| {
                            let node = option(state, hit, position, active == Some(position));
                            position += 1;
                            node
                        })
                        .collect();
                    (!hits.is_empty()).then(|| {
                        el("div")
                            .attr("role", "group")
                            .attr("aria-labelledby", &id)
                            .attr("data-kind", kind.as_str())
                            .testid("result-group")
                            .child(
                                text_el("div", "sp-group-label", label)
                                    .attr("id", &id)
                                    .attr("role", "presentation"),
                            )
                            .children(options)
                    })
                };
                let heading = if r.suggested { t.popular } else { "" };
                let flows = group(Kind::Flow, t.guided_fixes, &r.flows);
                let articles = group(Kind::Article, t.articles, &r.articles);
                nodes.push(
                    el("div")
                        .attr("id", "sp-results")
                        .attr("role", "listbox")
                        .attr(
                            "aria-label",
                            if heading.is_empty() {
                                t.search_label
                            } else {
                                heading
                            },
                        )
                        .class("sp-results")
                        .testid("results")
                        .maybe(flows)
                        .maybe(articles),
                );
                if allowed {
                    nodes.push(contact_route(state, None));
                }
            } else if allowed {
                nodes.push(contact_route(state, None));
            }
            let _ =
                input.set_attribute("aria-expanded", if r.is_empty() { "false" } else { "true" });
            match active {
                Some(i) => {
                    let _ = input.set_attribute("aria-activedescendant", &format!("sp-opt-{i}"));
                }
                None => {
                    let _ = input.remove_attribute("aria-activedescendant");
                }
            }
            let announced = if query.trim().is_empty() || status == ContentStatus::Loading {
                String::new()
            } else {
                t.count(r.flows.len(), r.articles.len())
            };
            if count_el.text_content().unwrap_or_default() != announced {
                count_el.set_text_content(Some(&announced));
            }
            nodes
        });
        results_region.show(nodes);
    });

    // The screen: home shows the search; the others draw into the region.
    let input = search_input;
    let shown = std::cell::RefCell::new(None::<Screen>);
    watch(move || {
        let screen = state.screen.get();
        let previous = shown.replace(Some(screen.clone()));
        home_el.set_hidden(screen != Screen::Home);
        let nodes = untrack(|| match &screen {
            Screen::Home => Vec::new(),
            Screen::Article(id) => article_screen(state, id),
            Screen::Flow => vec![flow_screen(state)],
            Screen::Contact => vec![el("div")
                .class("sp-contact-screen")
                .child(back_home(state, state.text.back))
                .maybe(incident_ack(state))
                .child(contact_form(state))],
        });
        screen_region.show(nodes);
        // Focus follows the screen, so keyboard and screen-reader users
        // land on what just opened.
        if previous.is_some() && previous.as_ref() != Some(&screen) {
            if screen == Screen::Home {
                let input = input.clone();
                request_animation_frame(move || {
                    let _ = input.focus();
                });
            } else {
                focus_marked_later(screen_region.root());
            }
        }
    });

    watch(move || {
        let nodes = ticket_statuses(state);
        tickets_region.show(nodes);
    });
}

/// One result: its title with the matched words marked, and an excerpt.
fn option(state: WidgetState, hit: &Hit, position: usize, active: bool) -> Node {
    let (kind, id) = (hit.kind, hit.id.clone());
    // A flow's title in the panel's language; marks only fit the original.
    let translated = with_bundle(|b| {
        b.flow(&id)
            .map(|f| f.title_in(state.language()).to_string())
            .filter(|t| *t != hit.title)
    })
    .flatten();
    let title = match translated {
        Some(t) => vec![el("span").text(&t)],
        None => marked(&hit.title, &hit.title_ranges),
    };
    el("div")
        .attr("id", &format!("sp-opt-{position}"))
        .attr("role", "option")
        .attr("aria-selected", if active { "true" } else { "false" })
        .attr("data-kind", kind.as_str())
        .attr("data-id", &hit.id)
        .class(if active {
            "sp-option sp-active"
        } else {
            "sp-option"
        })
        .testid("result")
        .child(el("span").class("sp-option-title").children(title))
        .maybe((!hit.excerpt.is_empty()).then(|| {
            el("span")
                .class("sp-option-excerpt")
                .children(marked(&hit.excerpt, &hit.excerpt_ranges))
        }))
        // Options are reached through the search box (aria-activedescendant),
        // and clicked with the pointer.
        .on("mousedown", |ev| ev.prevent_default())
        .on_click(move || state.choose_result(kind, &id))
}

/// `text` with the byte ranges wrapped in `<mark>`.
fn marked(text: &str, ranges: &[Range<usize>]) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut at = 0;
    for r in ranges {
        let (Some(before), Some(hit)) = (text.get(at..r.start), text.get(r.clone())) else {
            continue;
        };
        if !before.is_empty() {
            nodes.push(el("span").text(before));
        }
        nodes.push(el("mark").text(hit));
        at = r.end;
    }
    if let Some(rest) = text.get(at..) {
        if !rest.is_empty() {
            nodes.push(el("span").text(rest));
        }
    }
    nodes
}

/// The route from self-help to a person, from a search or an article.
pub fn contact_route(state: WidgetState, article: Option<&str>) -> Node {
    let from = match article {
        Some(_) => ContactSource::Article,
        None => ContactSource::Search,
    };
    let origin = article.map(str::to_string);
    button(
        "sp-button sp-secondary",
        "contact-route",
        state.text.contact_support,
        move || state.open_contact(ContactRequest::from(from, origin.clone())),
    )
}

/// "← label", back to the search.
pub fn back_home(state: WidgetState, label: &str) -> Node {
    button(
        "sp-link sp-back",
        "back",
        &format!("← {label}"),
        move || state.go_home(),
    )
}

/// A question with Yes and No buttons (their test ids in `testids`).
pub fn yes_no(
    state: WidgetState,
    question: &str,
    testids: [&str; 2],
    answer: impl Fn(bool) + Clone + 'static,
) -> Node {
    let t = state.text;
    let (yes, no) = (answer.clone(), answer);
    el("div")
        .attr("role", "group")
        .attr("aria-label", question)
        .child(text_el("p", "sp-question", question))
        .child(button(
            "sp-button sp-secondary",
            testids[0],
            t.yes,
            move || yes(true),
        ))
        .child(button(
            "sp-button sp-secondary",
            testids[1],
            t.no,
            move || no(false),
        ))
}

/// During an incident, the outage route says we know.
fn incident_ack(state: WidgetState) -> Option<Node> {
    let outage = state
        .contact
        .with_untracked(|c| c.priority == Some(Priority::Outage));
    let incident = with_bundle(|b| b.incident.is_some()).unwrap_or(false);
    (outage && incident).then(|| {
        text_el("p", "sp-incident", state.text.incident_ack)
            .attr("role", "status")
            .testid("incident-ack")
    })
}

fn article_screen(state: WidgetState, id: &str) -> Vec<Node> {
    let t = state.text;
    // Drawn while the bundle is borrowed: the body is not copied.
    let drawn = with_bundle(|b| {
        b.article(id).map(|a| {
            (
                a.title.clone(),
                a.related_flows.clone(),
                tree::blocks(&a.body),
            )
        })
    })
    .flatten();
    let Some((title, related, body)) = drawn else {
        return vec![
            back_home(state, t.back),
            text_el("p", "sp-note", t.unknown_item),
        ];
    };
    let rating = el("div").class("sp-rate");
    let rating_region = Region::new(rating.element().clone());
    let answered = RwSignal::new(None::<bool>);
    let article_id = id.to_string();
    watch(move || {
        let nodes = match answered.get() {
            None => {
                let id = article_id.clone();
                vec![yes_no(
                    state,
                    t.did_this_answer,
                    ["helpful-yes", "helpful-no"],
                    move |helpful| {
                        state.rate_article(&id, helpful);
                        answered.set(Some(helpful));
                    },
                )]
            }
            Some(true) => vec![text_el("p", "sp-note", t.glad)
                .attr("role", "status")
                .attr("tabindex", "-1")
                .attr("data-focus", "")
                .testid("helpful-thanks")],
            Some(false) => {
                let fixes: Vec<Node> = related
                    .iter()
                    .filter_map(|fid| {
                        let title = with_bundle(|b| {
                            b.flow(fid)
                                .map(|f| f.title_in(state.language()).to_string())
                        })
                        .flatten()?;
                        let id = fid.clone();
                        Some(
                            button("sp-button", "related-flow", &title, move || {
                                state.start_flow(&id, FlowSource::Article)
                            })
                            .attr("data-id", fid),
                        )
                    })
                    .collect();
                let mut block = el("div").class("sp-not-helped").testid("not-helped");
                if !fixes.is_empty() {
                    block = block
                        .child(text_el("p", "", t.try_fix).attr("role", "status"))
                        .children(fixes)
                        .child(text_el("p", "sp-question", t.still_stuck));
                }
                let route = state
                    .contact_allowed()
                    .then(|| contact_route(state, Some(&article_id)));
                vec![block.maybe(route)]
            }
        };
        rating_region.show(nodes);
    });
    vec![el("article")
        .class("sp-article")
        .attr("data-id", id)
        .testid("article")
        .child(back_home(state, t.back))
        .child(
            text_el("h3", "sp-subtitle", &title)
                .attr("tabindex", "-1")
                .attr("data-focus", "")
                .testid("article-title"),
        )
        .child(
            el("div")
                .class("sp-prose")
                .testid("article-body")
                .children(body),
        )
        .child(rating)]
}

/// Keeps Tab and Shift+Tab inside the open dialog.
fn trap_focus(ev: &KeyboardEvent) {
    let Some(panel) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<Element>().ok())
    else {
        return;
    };
    let Ok(list) = panel.query_selector_all(
        "button,input,textarea,select,a[href],summary,[tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let visible: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .filter(|e| e.get_client_rects().length() > 0)
        .collect();
    let (Some(first), Some(last)) = (visible.first(), visible.last()) else {
        return;
    };
    let active = active_element(&panel);
    let at = |e: &HtmlElement| active.as_ref().is_some_and(|a| a == e.as_ref() as &Element);
    if ev.shift_key() && at(first) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && at(last) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
