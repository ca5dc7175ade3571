//! Plain-Rust core: no browser crates, tested natively with `cargo test`.

pub mod config;
pub mod ticket;
