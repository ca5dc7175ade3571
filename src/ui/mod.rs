//! Leptos components. They hold signals around core types and call core
//! functions; rules (what to send, when contact shows) live in `core`.

mod app;
mod contact;
mod state;

pub use app::App;
pub use state::{with_visit, WidgetState};
