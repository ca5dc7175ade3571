//! Plain-Rust core: no browser crates, tested natively with `cargo test`.

pub mod config;
pub mod article;
pub mod flow;
pub mod search;
pub mod ticket;
