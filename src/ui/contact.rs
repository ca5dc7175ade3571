//! "Contact support": the form, and the status of every ticket sent from
//! this browser (it survives reloads, because the outbox does).

use super::state::{with_visit, WidgetState};
use crate::core::config::EmbedOptions;
use crate::core::context::ContextItem;
use crate::core::flow::Priority;
use crate::core::outbox::{Entry, Status};
use crate::core::ticket::{uuid_v4_from_bytes, Ticket, MAX_TICKET_BYTES};
use crate::platform::{outbox, page};
use leptos::prelude::*;
use web_sys::SubmitEvent;

/// The contact form. It shows exactly what will be sent ("What we'll
/// send"), lets the user remove any item, and on submit writes the ticket
/// to the outbox first, then sends it; the form clears only once the ticket
/// is safely stored.
#[component]
pub fn ContactForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    // Browser facts once, when the form appears, not on every preview render.
    let identity = with_visit(|v| {
        v.environment = page::environment();
        v.versions = vec![("widget".into(), env!("CARGO_PKG_VERSION").into())];
        v.identity.clone()
    });
    let message = RwSignal::new(state.query.get_untracked());
    let name = RwSignal::new(identity.name.unwrap_or_default());
    let email = RwSignal::new(identity.email.unwrap_or_default());
    let problem = RwSignal::new(None::<String>);
    // Items the user took out of "What we'll send", by key.
    let removed = RwSignal::new(Vec::<String>::new());
    // Built once: the preview drafts the ticket again on every search.
    let scrubber = StoredValue::new(state.options.with_value(EmbedOptions::scrubber));

    // The page and the context, scrubbed, as the user sees them and as they
    // are sent. `query` is read so the preview follows new searches.
    let draft = move || {
        state.query.track();
        let mut ticket = Ticket::compose(
            &message.get_untracked(),
            &email.get_untracked(),
            page::page_url().as_deref(),
            env!("CARGO_PKG_VERSION"),
        );
        ticket.name = Some(name.get_untracked().trim().to_string()).filter(|n| !n.is_empty());
        if let Some(route) = state.urgent.get_untracked() {
            ticket.priority = Priority::from_name(&route);
            ticket.category = Some(route);
        }
        ticket.context = scrubber.with_value(|s| with_visit(|v| v.items(s)));
        let gone = removed.get();
        if gone.iter().any(|k| k == "page") {
            ticket.page_url = None;
        }
        ticket
            .context
            .retain(|item| !gone.contains(&item_key(item)));
        ticket
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut ticket = draft();
        ticket.fit(MAX_TICKET_BYTES);
        if let Err(problems) = ticket.validate_for_form() {
            problem.set(Some(problems[0].to_string()));
            return;
        }
        let Some(bytes) = page::random_bytes() else {
            problem.set(Some(
                "This browser cannot create a secure ticket id.".into(),
            ));
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
                message.set(String::new());
                state.tickets.set(entries);
                state.emit("ticket-opened", &[]);
                state.flush_outbox(false);
            }
            Err(reason) => problem.set(Some(format!(
                "Your ticket could not be saved in this browser ({reason}), so it was not sent. Your text is still here."
            ))),
        }
    };

    let preview = move || {
        let ticket = draft();
        let page = ticket
            .page_url
            .map(|url| ("page".to_string(), "Page".to_string(), vec![url]));
        let rows: Vec<_> = page
            .into_iter()
            .chain(
                ticket
                    .context
                    .iter()
                    .map(|i| (item_key(i), i.title.clone(), i.lines.clone())),
            )
            .map(|(key, title, lines)| {
                let remove_key = key.clone();
                let lines: Vec<_> = lines.into_iter().map(|l| view! { <li>{l}</li> }).collect();
                view! {
                    <li class="sp-preview-item" data-testid="preview-item" data-key=key>
                        <strong>{title}</strong>
                        <button
                            type="button"
                            class="sp-link"
                            data-testid="remove-item"
                            on:click=move |_| removed.update(|r| r.push(remove_key.clone()))
                        >
                            "Remove"
                        </button>
                        <ul>{lines}</ul>
                    </li>
                }
            })
            .collect();
        rows
    };

    view! {
        <form class="sp-contact" data-testid="contact-form" on:submit=on_submit>
            <h3 class="sp-subtitle">"Still stuck? Contact support"</h3>
            <label class="sp-label" for="sp-message">"What happened?"</label>
            <textarea
                id="sp-message"
                class="sp-input sp-textarea"
                required
                rows="4"
                data-testid="message"
                prop:value=move || message.get()
                on:input=move |ev| message.set(event_target_value(&ev))
            ></textarea>
            <label class="sp-label" for="sp-name">"Your name (optional)"</label>
            <input
                id="sp-name"
                class="sp-input"
                autocomplete="name"
                data-testid="name"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label class="sp-label" for="sp-email">"Your email, so we can answer"</label>
            <input
                id="sp-email"
                class="sp-input"
                type="email"
                required
                autocomplete="email"
                data-testid="email"
                prop:value=move || email.get()
                on:input=move |ev| email.set(event_target_value(&ev))
            />
            <details class="sp-preview" data-testid="preview">
                <summary>"What we'll send with your message"</summary>
                <ul class="sp-preview-list">{preview}</ul>
            </details>
            <button type="submit" class="sp-button" data-testid="send">"Send"</button>
            <p class="sp-status sp-problem" role="alert" data-testid="form-problem">
                {move || problem.get().unwrap_or_default()}
            </p>
        </form>
    }
}

/// Identifies a context item for removal.
fn item_key(item: &ContextItem) -> String {
    format!(
        "{}:{}",
        item.kind.as_str(),
        item.id.as_deref().unwrap_or(&item.title)
    )
}

/// Every ticket in the outbox with where it stands, newest first.
#[component]
pub fn TicketStatuses() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let resend = move |key: String| {
        state.show_outbox(outbox::update(&key, |e| e.retry_now(outbox::now_ms())));
        state.flush_outbox(false);
    };
    view! {
        <div class="sp-tickets" role="status" aria-live="polite">
            {move || state.outbox_error.get().map(|e| view! { <p class="sp-problem">{e}</p> })}
            // A plain list: a handful of tickets needs no keyed diffing,
            // which would cost the widget several kilobytes.
            {move || {
                state
                    .tickets
                    .get()
                    .into_iter()
                    .rev()
                    .map(|entry| {
                        let failed = matches!(entry.status, Status::Failed { .. });
                        let key = entry.key.clone();
                        view! {
                            <p class="sp-ticket" data-testid="ticket-status" data-state=state_name(&entry.status)>
                                {describe(&entry.status)}
                                {failed
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="sp-link"
                                                on:click=move |_| resend(key.clone())
                                            >
                                                "Send again"
                                            </button>
                                        }
                                    })}
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
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

fn describe(status: &Status) -> String {
    match status {
        Status::Queued { last_error: None, .. } => "Sending your ticket…".into(),
        Status::Queued { last_error: Some(why), .. } => format!(
            "Your ticket is saved and will be sent automatically when support can be reached ({why})."
        ),
        Status::Sent { reference } => format!("Ticket sent. Your reference is {reference}."),
        Status::Failed { message } => format!("Your ticket was not sent: {message}"),
    }
}
