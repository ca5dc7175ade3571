//! The panel: a labelled dialog with a search box and the contact route.

use super::contact::{ContactForm, TicketStatuses};
use super::state::WidgetState;
use leptos::html;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

/// The whole widget panel. It renders hidden until `state.open` is set.
#[component]
pub fn App(
    /// Shared state, created by the embed code so the JS API can drive it.
    state: WidgetState,
) -> impl IntoView {
    provide_context(state);
    let search_input = NodeRef::<html::Input>::new();
    let title = state.options.with_value(|o| o.title.clone());
    let contact = state.options.with_value(|o| o.contact);

    // Focus moves into the dialog when it opens; after the frame, because the
    // panel is still `hidden` (unfocusable) while this effect runs.
    Effect::new(move |_| {
        if state.open.get() {
            request_animation_frame(move || {
                if let Some(input) = search_input.get_untracked() {
                    let _ = input.focus();
                }
            });
        }
    });

    // Deliver what earlier page views queued, and retry as soon as the
    // browser is back online.
    state.flush_outbox(true);
    let online = window_event_listener(leptos::ev::online, move |_| state.flush_outbox(true));
    on_cleanup(move || online.remove());

    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            state.set_open(false);
        }
    };

    // A button that opens the form at once with this tier.
    let urgent_route = move |tier: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                class="sp-button sp-secondary"
                data-testid=format!("route-{tier}")
                on:click=move |_| state.urgent.set(Some(tier.into()))
            >
                {label}
            </button>
        }
    };

    view! {
        <div
            class="sp-panel"
            role="dialog"
            aria-labelledby="sp-title"
            data-testid="panel"
            hidden=move || !state.open.get()
            on:keydown=on_keydown
        >
            <header class="sp-header">
                <h2 id="sp-title" class="sp-title">{title}</h2>
                <button
                    type="button"
                    class="sp-close"
                    aria-label="Close help"
                    on:click=move |_| state.set_open(false)
                >
                    "×"
                </button>
            </header>
            <div class="sp-body">
                <label class="sp-label" for="sp-search">
                    "What do you need help with?"
                </label>
                <input
                    id="sp-search"
                    class="sp-input"
                    type="search"
                    autocomplete="off"
                    placeholder="Describe the problem"
                    data-testid="search"
                    node_ref=search_input
                    prop:value=move || state.query.get()
                    on:input=move |ev| state.search(event_target_value(&ev))
                />
                // Urgent matters skip self-help: a human, at once.
                <div class="sp-urgent" role="group" aria-label="Urgent">
                    {urgent_route("outage", "Something is down")}
                    {urgent_route("billing", "Billing or payment")}
                </div>
                <TicketStatuses />
                {move || {
                    (state.urgent.get().is_some()
                        || contact.allows_contact(state.attempted_self_help.get()))
                        .then(|| view! { <ContactForm /> })
                }}
            </div>
        </div>
    }
}
