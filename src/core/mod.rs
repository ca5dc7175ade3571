//! Plain-Rust core: no browser crates, tested natively with `cargo test`.

pub mod analytics;
pub mod article;
pub mod checks;
pub mod config;
pub mod content;
pub mod context;
pub mod flow;
pub mod json;
pub mod map;
pub mod outbox;
pub mod scrub;
pub mod search;
pub mod sort;
pub mod text;
pub mod ticket;
pub mod widget;
