//! "Contact support": the form, and the status of every ticket sent from
//! this browser (it survives reloads, because the outbox does).

use super::state::WidgetState;
use crate::core::outbox::{Entry, Status};
use crate::core::ticket::{uuid_v4_from_bytes, Ticket};
use crate::platform::{outbox, page};
use leptos::prelude::*;
use web_sys::SubmitEvent;

/// The contact form. On submit the ticket is written to the outbox first,
/// then sent; the form clears only once the ticket is safely stored.
#[component]
pub fn ContactForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let message = RwSignal::new(state.query.get_untracked());
    let email = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let ticket = Ticket::compose(
            &message.get_untracked(),
            &email.get_untracked(),
            page::page_url().as_deref(),
            env!("CARGO_PKG_VERSION"),
        );
        if let Err(problems) = ticket.validate() {
            problem.set(Some(problems[0].to_string()));
            return;
        }
        let Some(bytes) = page::random_bytes() else {
            problem.set(Some(
                "This browser cannot create a secure ticket id.".into(),
            ));
            return;
        };
        let body = ticket.to_json();
        let entry = Entry::new(uuid_v4_from_bytes(bytes), body, outbox::now_ms());
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
            <label class="sp-label" for="sp-email">"Your email (optional)"</label>
            <input
                id="sp-email"
                class="sp-input"
                type="email"
                autocomplete="email"
                data-testid="email"
                prop:value=move || email.get()
                on:input=move |ev| email.set(event_target_value(&ev))
            />
            <button type="submit" class="sp-button" data-testid="send">"Send"</button>
            <p class="sp-status sp-problem" role="alert" data-testid="form-problem">
                {move || problem.get().unwrap_or_default()}
            </p>
        </form>
    }
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
