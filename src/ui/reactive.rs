//! The Leptos the panel is built on, in one place: its reactive system
//! (`reactive_graph`: signals, effects, owners) and its DOM helpers
//! (`leptos_dom`: timers, animation frames, window listeners), with Leptos's
//! executor (`any_spawner`) for futures.
//!
//! These are the crates the `leptos` umbrella re-exports. The umbrella itself
//! is not a dependency: it always compiles the server functions' browser
//! client, whose stream classes wasm-bindgen exports to JavaScript and so can
//! never be dropped: 10,085 B gzip of a widget that has no server functions
//! (measured in docs/budgets.md, "Where the bytes go").

pub use leptos_dom::helpers::{
    request_animation_frame, set_timeout, window_event_listener_untyped,
};
pub use reactive_graph::effect::Effect;
pub use reactive_graph::graph::untrack;
pub use reactive_graph::owner::{on_cleanup, LocalStorage, Owner, StoredValue};
pub use reactive_graph::prelude::*;
pub use reactive_graph::signal::RwSignal;

/// Runs a future on Leptos's executor (started by `embed::mount`).
pub fn spawn_local(future: impl std::future::Future<Output = ()> + 'static) {
    any_spawner::Executor::spawn_local(future)
}
