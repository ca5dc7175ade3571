//! Diagnostic flows at run time: the versioned format and the resumable
//! engine. Reading and checking flow files is authoring
//! (`signpost::authoring::flow`, native only).
//!
//! - [`format`]: the serde types of format version 1 ([`Flow`], [`Node`], …).
//! - [`decode`]: a flow from the content bundle's JSON, as the widget reads it.
//! - [`Session`]: the engine, a pure state machine the UI drives.

pub mod decode;
mod encode;
pub mod engine;
pub mod expr;
pub mod format;

pub use engine::{
    CheckRequest, CheckResult, EngineError, Entry, Event, FieldView, ResumeError, Session, View,
};
pub use format::{
    builtin_check, BuiltinCheck, Flow, Node, NodeKind, Priority, Value, BUILTIN_CHECKS,
    FLOW_VERSION,
};
