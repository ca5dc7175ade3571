//! Signpost: a customer self-service widget.
//!
//! - [`core`] is plain Rust (no browser types, no file system): flows,
//!   search, tickets.
//! - `authoring` reads and checks content files and builds the bundle
//!   (native only).
//! - `platform` is the only code that touches web APIs (wasm only).
//! - `ui` holds the Leptos components (wasm only).
//! - `embed` mounts the app into the loader's shadow root and exposes the JS API (wasm only).
//! - `relay` is the ticket and events relay and the analytics report
//!   (native only, with the `cli` feature).
//!
//! The native CLI lives in `src/bin/signpost`: argument parsing and printing.

#[cfg(not(target_arch = "wasm32"))]
pub mod authoring;
pub mod core;

#[cfg(all(not(target_arch = "wasm32"), feature = "cli"))]
pub mod relay;

#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod ui;

/// The Rust examples in `docs/` compile and run as doctests
/// (`cargo test --doc`); `tests/docs_examples.rs` checks the others.
#[cfg(doctest)]
pub mod docs {
    #[doc = include_str!("../docs/content.md")]
    pub struct Content;
    #[doc = include_str!("../docs/flows.md")]
    pub struct Flows;
    #[doc = include_str!("../docs/search.md")]
    pub struct Search;
}
