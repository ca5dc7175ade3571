//! The panel, drawn with `platform::dom` from Leptos signals. The moves a
//! user makes are `WidgetState` methods that call the core; the files
//! here only draw.

mod app;
mod contact;
mod flow;
pub(crate) mod reactive;
mod state;
pub mod text;
mod tree;

pub use app::build;
pub use state::{with_visit, ContactRequest, WidgetState, FLOW_KEY};

use reactive::Effect;

/// Runs `f` now and again whenever a signal it read changes. Every effect
/// of the panel goes through here: one boxed closure type instead of one
/// copy of Leptos's effect code per call site in the wasm.
pub(crate) fn watch(f: impl FnMut() + 'static) {
    watch_boxed(Box::new(f))
}

fn watch_boxed(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}
