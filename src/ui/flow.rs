//! The guided-fix runner: one node at a time, with progress, Back and
//! Start over. The session and every decision are `core::flow`'s; this
//! draws `WidgetState::flow_view` and sends the user's answers back.

use super::app::{back_home, yes_no};
use super::contact::contact_form;
use super::state::{with_bundle, with_flow, WidgetState};
use super::tree;
use super::watch;
use crate::core::content::short_markdown;
use crate::core::flow::View;
use crate::platform::dom::{button, el, focus_marked_later, text_el, Node, Region};
use crate::ui::reactive::*;

/// The flow screen; it redraws itself as the session moves.
pub fn flow_screen(state: WidgetState) -> Node {
    let root = el("div").class("sp-flow").testid("flow");
    let region = Region::new(root.element().clone());
    let root_el = root.element().clone();
    watch(move || {
        let view = state.flow_view.get();
        let note = state.check_note.get();
        let Some(view) = view else {
            region.show([back_home(state, state.text.all_help)]);
            return;
        };
        let t = state.text;
        let (flow_id, title, depth, can_back) = with_flow(|flow, session| {
            (
                flow.id.clone(),
                flow.title_in(session.locale()).to_string(),
                session.depth(),
                session.can_go_back(),
            )
        })
        .unwrap_or_default();
        let _ = root_el.set_attribute("data-flow-id", &flow_id);
        let _ = root_el.set_attribute("data-node-id", view.node_id());
        let _ = root_el.set_attribute("data-node-kind", view.kind().as_str());

        let mut nodes = vec![
            back_home(state, t.all_help).testid("home"),
            text_el("h3", "sp-subtitle", &title).testid("flow-title"),
            text_el("p", "sp-progress", &t.step(depth)).testid("flow-progress"),
        ];
        if let Some(note) = note {
            let label = match note.result {
                "pass" => t.check_pass,
                "fail" => t.check_fail,
                _ => t.check_error,
            };
            nodes.push(
                el("p")
                    .class(&format!("sp-check-note sp-{}", note.result))
                    .attr("data-result", note.result)
                    .testid("check-result")
                    .child(text_el("strong", "", label))
                    .text(&format!(": {}", note.detail)),
            );
        }
        nodes.extend(node_body(state, view));
        let nav = el("div")
            .class("sp-flow-nav")
            .maybe(can_back.then(|| {
                button(
                    "sp-link",
                    "flow-back",
                    &format!("← {}", t.back),
                    move || state.back(),
                )
            }))
            .child(button("sp-link", "flow-restart", t.start_over, move || {
                state.restart()
            }));
        nodes.push(nav);
        region.show(nodes);
        // Each node takes the focus, so keyboard and screen-reader users
        // continue from the new text rather than from a button now gone.
        focus_marked_later(&root_el);
    });
    root
}

/// The node's text as a focusable block of safe Markdown.
fn text(markdown: &str) -> Node {
    el("div")
        .class("sp-prose sp-flow-text")
        .attr("tabindex", "-1")
        .attr("data-focus", "")
        .testid("flow-text")
        .children(tree::blocks(&short_markdown(markdown)))
}

fn node_body(state: WidgetState, view: View) -> Vec<Node> {
    let t = state.text;
    match view {
        View::Question {
            text: q, choices, ..
        } => {
            let buttons = choices.iter().enumerate().map(|(i, label)| {
                button("sp-button sp-choice", "choice", label, move || {
                    state.answer(i)
                })
            });
            vec![
                text(&q),
                el("div")
                    .class("sp-choices")
                    .attr("role", "group")
                    .children(buttons),
            ]
        }
        View::Check { text: lead, .. } => vec![el("div")
            .class("sp-checking")
            .attr("role", "status")
            .attr("data-state", "running")
            .testid("flow-check")
            .maybe(lead.map(|l| text(&l)))
            .child(
                text_el("p", "sp-note", t.checking)
                    .attr("tabindex", "-1")
                    .attr("data-focus", ""),
            )],
        View::Step {
            text: instruction,
            article,
            ..
        } => {
            let folded = article.and_then(|id| {
                with_bundle(|b| {
                    b.article(&id).map(|a| {
                        el("details")
                            .class("sp-folded")
                            .child(text_el("summary", "", &a.title))
                            .child(el("div").class("sp-prose").children(tree::blocks(&a.body)))
                    })
                })
                .flatten()
            });
            vec![
                text(&instruction),
                el("div").maybe(folded),
                el("div")
                    .class("sp-choices")
                    .attr("role", "group")
                    .attr("aria-label", t.fixed_question)
                    .child(text_el("p", "sp-question", t.fixed_question))
                    .child(button("sp-button", "fixed-yes", t.fixed_yes, move || {
                        state.fixed(true)
                    }))
                    .child(button(
                        "sp-button sp-secondary",
                        "fixed-no",
                        t.fixed_no,
                        move || state.fixed(false),
                    )),
            ]
        }
        View::Article {
            article,
            text: lead,
            ..
        } => {
            let body = with_bundle(|b| {
                b.article(&article).map(|a| {
                    el("div")
                        .class("sp-prose")
                        .child(text_el("h4", "", &a.title))
                        .children(tree::blocks(&a.body))
                })
            })
            .flatten();
            vec![
                text(lead.as_deref().unwrap_or("")),
                el("div").maybe(body),
                button("sp-button", "continue", t.continue_, move || {
                    state.proceed()
                }),
            ]
        }
        View::Resolved { text: done, .. } => {
            let rating = el("div").class("sp-rate");
            let region = Region::new(rating.element().clone());
            let rated = RwSignal::new(false);
            watch(move || {
                let nodes = if rated.get() {
                    vec![text_el("p", "sp-note", t.rate_thanks)
                        .attr("role", "status")
                        .attr("tabindex", "-1")
                        .attr("data-focus", "")
                        .testid("rate-thanks")]
                } else {
                    vec![yes_no(
                        state,
                        t.was_helpful,
                        ["rate-yes", "rate-no"],
                        move |helpful| {
                            state.rate_flow(helpful);
                            rated.set(true);
                        },
                    )]
                };
                region.show(nodes);
            });
            vec![
                el("div")
                    .class("sp-resolved")
                    .testid("flow-resolved")
                    .child(text(done.as_deref().unwrap_or(t.resolved))),
                rating,
            ]
        }
        View::Ticket { text: intro, .. } => vec![
            text(intro.as_deref().unwrap_or(t.ticket_intro)),
            contact_form(state),
        ],
    }
}
