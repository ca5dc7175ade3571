//! The state shared by the widget's components, provided as context.

use crate::core::config::EmbedOptions;
use crate::platform::events::Emitter;
use leptos::prelude::*;
use serde_json::json;

/// Shared widget state. All fields are `Copy` handles, so the struct is too.
#[derive(Clone, Copy)]
pub struct WidgetState {
    pub open: RwSignal<bool>,
    pub query: RwSignal<String>,
    /// Set once the user has tried self-help; the contact policy reads it.
    pub attempted_self_help: RwSignal<bool>,
    pub options: StoredValue<EmbedOptions>,
    emitter: StoredValue<Emitter, LocalStorage>,
}

impl WidgetState {
    pub fn new(options: EmbedOptions, emitter: Emitter) -> WidgetState {
        WidgetState {
            open: RwSignal::new(false),
            query: RwSignal::new(String::new()),
            attempted_self_help: RwSignal::new(false),
            options: StoredValue::new(options),
            emitter: StoredValue::new_local(emitter),
        }
    }

    pub fn emit(&self, name: &str, detail: serde_json::Value) {
        self.emitter.with_value(|e| e.emit(name, &detail));
    }

    pub fn set_open(&self, open: bool) {
        if self.open.get_untracked() != open {
            self.open.set(open);
            self.emit(if open { "open" } else { "close" }, json!({}));
        }
    }

    pub fn search(&self, query: String) {
        if !query.trim().is_empty() {
            self.attempted_self_help.set(true);
        }
        self.query.set(query);
    }
}
