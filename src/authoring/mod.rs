//! Authoring, native only: what turns a content folder into the bundle the
//! widget reads. It uses the [core](crate::core) and nothing else; the
//! widget never links it.
//!
//! - [`flow`]: flow files → checked flows, with positioned diagnostics.
//! - [`markdown`]: Markdown → the safe content tree.
//! - [`build`]: the whole content folder → one checked bundle.

pub mod build;
pub mod flow;
pub mod markdown;
