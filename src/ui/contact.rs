//! "Contact support": one message field and an optional email.

use super::state::WidgetState;
use crate::core::ticket::{interpret_relay_answer, uuid_v4_from_bytes, RelayAnswer, Ticket};
use crate::platform::{http, page};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;
use web_sys::SubmitEvent;

#[derive(Clone, PartialEq)]
enum SendStatus {
    Idle,
    Sending,
    Sent { reference: String },
    Failed { message: String },
}

/// The contact form. It keeps what the user typed whatever happens, so a
/// failed send can be retried without retyping.
#[component]
pub fn ContactForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let message = RwSignal::new(state.query.get_untracked());
    let email = RwSignal::new(String::new());
    let status = RwSignal::new(SendStatus::Idle);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if status.get_untracked() == SendStatus::Sending {
            return;
        }
        let ticket = Ticket::compose(
            &message.get_untracked(),
            &email.get_untracked(),
            page::page_url().as_deref(),
            env!("CARGO_PKG_VERSION"),
        );
        if let Err(problems) = ticket.validate() {
            status.set(SendStatus::Failed {
                message: problems[0].to_string(),
            });
            return;
        }
        let Some(bytes) = page::random_bytes() else {
            status.set(SendStatus::Failed {
                message: "This browser cannot create a secure ticket id.".into(),
            });
            return;
        };
        let key = uuid_v4_from_bytes(bytes);
        let body = serde_json::to_string(&ticket).unwrap_or_default();
        let endpoint = state.options.with_value(|o| o.endpoint.clone());
        status.set(SendStatus::Sending);
        state.emit("ticket-opened", json!({}));
        spawn_local(async move {
            let next = match http::post_json(&endpoint, &key, &body).await {
                Ok(answer) => match interpret_relay_answer(answer.status, &answer.body) {
                    RelayAnswer::Accepted { reference } => {
                        state.emit("ticket-sent", json!({ "reference": reference }));
                        SendStatus::Sent { reference }
                    }
                    RelayAnswer::Rejected { message } => SendStatus::Failed { message },
                    RelayAnswer::RetryLater { reason } => SendStatus::Failed {
                        message: format!("Not sent yet: {reason}. Your message is kept; try again."),
                    },
                },
                Err(reason) => SendStatus::Failed {
                    message: format!(
                        "Could not reach support ({reason}). Your message is kept; try again when you are online."
                    ),
                },
            };
            if let SendStatus::Failed { message } = &next {
                state.emit("error", json!({ "message": message }));
            }
            status.set(next);
        });
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
            <button
                type="submit"
                class="sp-button"
                data-testid="send"
                disabled=move || status.get() == SendStatus::Sending
            >
                {move || if status.get() == SendStatus::Sending { "Sending…" } else { "Send" }}
            </button>
            <p class="sp-status" role="status" aria-live="polite" data-testid="send-status">
                {move || match status.get() {
                    SendStatus::Idle | SendStatus::Sending => String::new(),
                    SendStatus::Sent { reference } => {
                        format!("Sent. Your reference is {reference}.")
                    }
                    SendStatus::Failed { message } => message,
                }}
            </p>
        </form>
    }
}
