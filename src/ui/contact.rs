//! "Contact support": the form, and the status of every ticket sent from
//! this browser (it survives reloads, because the outbox does).

use super::state::{with_visit, WidgetState};
use super::watch;
use crate::core::config::EmbedOptions;
use crate::core::flow::{FieldView, Priority};
use crate::core::outbox::{Entry, Status};
use crate::core::ticket::{
    item_key, uuid_v4_from_bytes, Draft, MAX_MESSAGE_CHARS, MAX_TICKET_BYTES, PAGE_KEY,
};
use crate::platform::dom::{button, el, text_el, Node, Region};
use crate::platform::{outbox, page};
use crate::ui::reactive::*;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};

/// A labelled input; returns the node and the element to read.
fn field(id: &str, label: &str, tag: &str, value: &str) -> (Node, Node) {
    let input = el(tag)
        .attr("id", &format!("sp-{id}"))
        .class(if tag == "textarea" {
            "sp-input sp-textarea"
        } else {
            "sp-input"
        })
        .testid(id);
    let input = match tag {
        "textarea" => {
            let node = input.attr("rows", "4");
            node.element()
                .unchecked_ref::<HtmlTextAreaElement>()
                .set_value(value);
            node
        }
        _ => {
            input
                .element()
                .unchecked_ref::<HtmlInputElement>()
                .set_value(value);
            input
        }
    };
    (
        el("label")
            .class("sp-label")
            .attr("for", &format!("sp-{id}"))
            .text(label),
        input,
    )
}

/// The contact form for `state.contact`. It shows exactly what will be
/// sent ("What we'll send"), lets the user remove any item, and on submit
/// writes the ticket to the outbox first, then sends it; the form clears
/// only once the ticket is safely stored.
pub fn contact_form(state: WidgetState) -> Node {
    let t = state.text;
    let request = state.contact.get_untracked();
    let feedback = request.feedback;
    // Browser facts once, when the form appears.
    let identity = with_visit(|v| {
        v.environment = page::environment();
        v.versions.retain(|(k, _)| k != "widget");
        v.versions
            .insert(0, ("widget".into(), env!("CARGO_PKG_VERSION").into()));
        v.identity.clone()
    });
    let start = if feedback {
        String::new()
    } else {
        state.query.get_untracked()
    };
    let (message_label, message) = field(
        "message",
        if feedback {
            t.feedback_label
        } else {
            t.message_label
        },
        "textarea",
        &start,
    );
    let counter = el("p")
        .class("sp-note sp-counter")
        .attr("aria-live", "polite")
        .testid("message-count");
    let counter_el = counter.element().clone();
    // Warns before Send once the text nears the limit.
    let message = message.attr("required", "").on("input", move |ev| {
        let chars = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
            .map_or(0, |t| t.value().chars().count());
        let shown =
            (chars * 10 >= MAX_MESSAGE_CHARS * 9).then(|| format!("{chars} / {MAX_MESSAGE_CHARS}"));
        counter_el.set_text_content(shown.as_deref());
    });
    let (name_label, name) = field(
        "name",
        t.name_label,
        "input",
        identity.name.as_deref().unwrap_or(""),
    );
    let name = name.attr("autocomplete", "name");
    let (email_label, email) = field(
        "email",
        if feedback {
            t.email_optional
        } else {
            t.email_label
        },
        "input",
        identity.email.as_deref().unwrap_or(""),
    );
    let email = email.attr("type", "email").attr("autocomplete", "email");
    let email = if feedback {
        email
    } else {
        email.attr("required", "")
    };
    let extra: Vec<(Node, Node)> = request
        .fields
        .iter()
        .map(|f| {
            let (label, input) = field(&format!("field-{}", f.id), &f.label, "input", "");
            let input = if f.required {
                input.attr("required", "")
            } else {
                input
            };
            (label, input)
        })
        .collect();

    let message_el: HtmlTextAreaElement = message.element().clone().unchecked_into();
    let name_el: HtmlInputElement = name.element().clone().unchecked_into();
    let email_el: HtmlInputElement = email.element().clone().unchecked_into();
    // The form is `novalidate` (its problems show in words, in the panel),
    // so a ticket node's required fields are checked on submit, by label.
    let extra_els: Rc<Vec<(FieldView, HtmlInputElement)>> = Rc::new(
        request
            .fields
            .iter()
            .zip(&extra)
            .map(|(f, (_, input))| (f.clone(), input.element().clone().unchecked_into()))
            .collect(),
    );
    let submit_extra = extra_els.clone();

    // `identify` may come after the form opened (a sign-in in a single-page
    // app, or a queued call run after mount): fill what the user left empty.
    {
        let (name_el, email_el) = (name_el.clone(), email_el.clone());
        watch(move || {
            state.identity_changed.track();
            let identity = with_visit(|v| v.identity.clone());
            for (input, value) in [(&name_el, identity.name), (&email_el, identity.email)] {
                if let Some(value) = value.filter(|_| input.value().trim().is_empty()) {
                    input.set_value(&value);
                }
            }
        });
    }

    // Items the user took out of "What we'll send", by key.
    let removed = RwSignal::new(Vec::<String>::new());
    let consent = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let scrubber = Rc::new(state.options.with_value(EmbedOptions::scrubber));

    let draft = {
        let request = request.clone();
        Rc::new(move || {
            let errors = if consent.get_untracked() {
                state.page_errors.get_untracked()
            } else {
                Vec::new()
            };
            let context = with_visit(|v| {
                v.page_errors = errors;
                v.items(&scrubber)
            });
            let draft = Draft {
                message: message_el.value(),
                email: email_el.value(),
                name: name_el.value(),
                page_url: page::page_url(),
                widget_version: env!("CARGO_PKG_VERSION").into(),
                category: request.category.clone(),
                priority: request.priority,
                fields: extra_els
                    .iter()
                    .map(|(f, input)| (f.id.clone(), input.value()))
                    .collect(),
                feedback,
                context,
                removed: removed.get_untracked(),
            };
            draft.into_ticket(&scrubber)
        })
    };

    let preview = el("ul").class("sp-preview-list");
    let preview_region = Region::new(preview.element().clone());
    let preview_draft = draft.clone();
    watch(move || {
        removed.track();
        consent.track();
        let ticket = preview_draft();
        let page = ticket
            .page_url
            .map(|url| (PAGE_KEY.to_string(), "Page".to_string(), vec![url]));
        let rows = page
            .into_iter()
            .chain(
                ticket
                    .context
                    .iter()
                    .map(|i| (item_key(i), i.title.clone(), i.lines.clone())),
            )
            .map(|(key, title, lines)| {
                let remove_key = key.clone();
                el("li")
                    .class("sp-preview-item")
                    .testid("preview-item")
                    .attr("data-key", &key)
                    .child(text_el("strong", "", &title))
                    .child(
                        button("sp-link", "remove-item", t.remove, move || {
                            removed.update(|r| r.push(remove_key.clone()))
                        })
                        .attr("aria-label", &format!("{} {title}", t.remove)),
                    )
                    .child(el("ul").children(lines.iter().map(|l| el("li").text(l))))
            })
            .collect::<Vec<_>>();
        preview_region.show(rows);
    });

    let problem_line = el("p")
        .class("sp-status sp-problem")
        .attr("role", "alert")
        .testid("form-problem");
    let problem_el = problem_line.element().clone();
    watch(move || {
        problem_el.set_text_content(problem.get().as_deref());
        if problem.with(Option::is_some) {
            problem_el.scroll_into_view();
        }
    });

    // Page errors: offered only when there are some, sent only when ticked.
    let consent_box = el("div").class("sp-consent");
    let consent_region = Region::new(consent_box.element().clone());
    if !feedback {
        watch(move || {
            let n = state.page_errors.with(Vec::len);
            let nodes = (n > 0).then(|| {
                el("label")
                    .class("sp-check")
                    .child(
                        el("input")
                            .attr("type", "checkbox")
                            .testid("page-errors-consent")
                            .on("change", move |ev| {
                                let on = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                                    .is_some_and(|i| i.checked());
                                consent.set(on);
                            }),
                    )
                    .text(&format!(" {}", t.page_errors(n)))
            });
            consent_region.show(nodes);
        });
    }

    let submit_draft = draft;
    let message_reset: HtmlTextAreaElement = message.element().clone().unchecked_into();
    let sending = Rc::new(std::cell::Cell::new(false));
    let on_submit = move |ev: web_sys::Event| {
        ev.prevent_default();
        // Two submits in one task store one ticket.
        if sending.replace(true) {
            return;
        }
        let reset = sending.clone();
        request_animation_frame(move || reset.set(false));
        let missing = submit_extra
            .iter()
            .find(|(f, i)| f.required && i.value().trim().is_empty());
        if let Some((f, input)) = missing {
            problem.set(Some(format!("{}: {}", f.label, t.required)));
            let _ = input.focus();
            return;
        }
        let mut ticket = submit_draft();
        // Checked before fitting, which would cut a long message: the user
        // hears how long their own text is, and nothing is cut silently.
        let checked = if feedback {
            ticket.validate()
        } else {
            ticket.validate_for_form()
        };
        if let Err(problems) = checked {
            problem.set(Some(problems[0].to_string()));
            return;
        }
        ticket.fit(MAX_TICKET_BYTES);
        let Some(bytes) = page::random_bytes() else {
            problem.set(Some(t.no_secure_id.into()));
            return;
        };
        let entry = Entry::new(
            uuid_v4_from_bytes(bytes),
            ticket.to_json(),
            outbox::now_ms(),
        );
        match outbox::enqueue(entry) {
            Ok(entries) => {
                problem.set(None);
                message_reset.set_value("");
                state.tickets.set(entries);
                let priority = ticket.priority.map_or("", Priority::as_str);
                state.emit("ticket-opened", &[("priority", priority)]);
                state.track_sent(&request);
                state.flush_outbox(false);
            }
            Err(reason) => problem.set(Some(t.not_saved(&reason))),
        }
    };

    let mut form = el("form")
        .class("sp-contact")
        .testid("contact-form")
        .attr("data-mode", if feedback { "feedback" } else { "ticket" })
        .attr("novalidate", "")
        .on("submit", on_submit)
        .child(
            text_el(
                "h3",
                "sp-subtitle",
                if feedback {
                    t.feedback_title
                } else {
                    t.form_title
                },
            )
            .attr("tabindex", "-1")
            .attr("data-focus", ""),
        )
        .child(message_label)
        .child(message)
        .child(counter);
    for (label, input) in extra {
        form = form.child(label).child(input);
    }
    form = form
        .child(name_label)
        .child(name)
        .child(email_label)
        .child(email);
    if !feedback {
        form = form.child(consent_box).child(
            el("details")
                .class("sp-preview")
                .testid("preview")
                .child(text_el("summary", "", t.preview))
                .child(preview),
        );
    }
    form.child(
        el("button")
            .attr("type", "submit")
            .class("sp-button")
            .testid("send")
            .text(t.send),
    )
    .child(problem_line)
}

/// Every ticket in the outbox with where it stands, newest first. Reads
/// the signals it depends on, so call it inside an effect.
pub fn ticket_statuses(state: WidgetState) -> Vec<Node> {
    let t = state.text;
    let resend = move |key: String| {
        state.show_outbox(outbox::update(&key, |e| e.retry_now(outbox::now_ms())));
        state.flush_outbox(false);
    };
    let mut nodes: Vec<Node> = state
        .outbox_error
        .get()
        .map(|e| text_el("p", "sp-problem", &e))
        .into_iter()
        .collect();
    for entry in state.tickets.get().into_iter().rev() {
        let failed = matches!(entry.status, Status::Failed { .. });
        let key = entry.key.clone();
        let line = match &entry.status {
            Status::Queued {
                last_error: None, ..
            } => t.sending.to_string(),
            Status::Queued {
                last_error: Some(why),
                ..
            } => t.ticket_queued(why),
            Status::Sent { reference } => t.ticket_sent(reference),
            Status::Failed { message } => t.ticket_failed(message),
        };
        nodes.push(
            el("p")
                .class("sp-ticket")
                .testid("ticket-status")
                .attr("data-state", state_name(&entry.status))
                .text(&line)
                .maybe(failed.then(|| {
                    button("sp-link", "send-again", t.send_again, move || {
                        resend(key.clone())
                    })
                })),
        );
    }
    nodes
}

fn state_name(status: &Status) -> &'static str {
    match status {
        Status::Queued {
            last_error: None, ..
        } => "sending",
        Status::Queued { .. } => "queued",
        Status::Sent { .. } => "sent",
        Status::Failed { .. } => "failed",
    }
}
