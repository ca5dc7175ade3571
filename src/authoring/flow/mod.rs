//! Flow authoring: YAML or JSON files → checked [`Flow`]s, for the CLI and
//! `signpost build`. The widget never parses flow files; it reads the
//! bundle's already-checked flows with [`crate::core::flow::decode`].
//!
//! - [`parse_source`] / [`parse_flow`]: YAML or JSON text → [`Flow`], with
//!   every mistake reported as a positioned [`Diagnostic`].
//! - [`validate()`]: semantic checks (references, reachability, endless
//!   cycles, variables, checks, articles, translations).
//! - [`simulate`]: every path through a flow and its outcome.
//! - [`load`]: reading files and folders from disk.
//!
//! In code, finding an author's mistakes is *linting* ([`lint_source`],
//! [`LintOptions`], [`Linted`]); a *check* is a flow node the widget runs in
//! the browser. The CLI command keeps its name, `signpost check`.

pub mod diagnostics;
pub mod load;
pub mod parse;
pub mod paths;
mod tree;
pub mod validate;

use crate::core::flow::Flow;
use std::hash::Hasher;

pub use diagnostics::{Code, Diagnostic, Severity};
pub use parse::{parse_source, Parsed, SourceFormat, MAX_FILE_BYTES, MAX_NODES};
pub use paths::{simulate, PathEnd, SimPath, Simulation};
pub use validate::{lint_duplicate_ids, validate, LintOptions, MAX_INTERACTIVE_STEPS};

/// The result of linting one flow file: the flow (if it could be read) and
/// every diagnostic, errors and warnings, sorted by position.
#[derive(Debug, Clone)]
pub struct Linted {
    /// The file name used in diagnostics.
    pub file: String,
    /// The flow, when readable. Present even when it has errors; use it
    /// only when [`Linted::has_errors`] is false.
    pub flow: Option<Flow>,
    /// Everything found.
    pub diagnostics: Vec<Diagnostic>,
    /// Position of the flow's `id`, for cross-file diagnostics.
    pub id_position: Option<(u32, u32)>,
}

impl Linted {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The content fingerprint a saved session records: FNV-1a 64 over the
/// flow's serde_json text without its own `fingerprint` (maps are sorted,
/// so authoring order and YAML vs JSON do not matter), as 16 lowercase hex
/// digits. Any change to anything a user sees, or to any route, changes it.
/// Parsing stamps every flow with it ([`Flow::fingerprint`]) and `signpost
/// build` ships it in the bundle, so the widget compares instead of hashing.
///
/// The value is the one earlier widgets computed themselves, so sessions
/// they saved still resume against the same content.
pub fn fingerprint(flow: &Flow) -> String {
    let unstamped = Flow {
        fingerprint: String::new(),
        ..flow.clone()
    };
    // Serialising plain structs, strings and maps cannot fail.
    let json = serde_json::to_string(&unstamped).unwrap_or_default();
    let mut hash = fnv::FnvHasher::default();
    hash.write(json.as_bytes());
    format!("{:016x}", hash.finish())
}

/// Parses and validates one flow file.
pub fn lint_source(source: &str, format: SourceFormat, file: &str, opts: &LintOptions) -> Linted {
    let parsed = parse_source(source, format, file);
    let mut diagnostics = parsed.diagnostics.clone();
    diagnostics.extend(validate(&parsed, opts));
    validate::sort_diagnostics(&mut diagnostics);
    Linted {
        file: file.to_string(),
        id_position: parsed.position("id"),
        flow: parsed.flow,
        diagnostics,
    }
}

/// Parses and validates one flow; `Ok` when there are no errors (warnings
/// are dropped), else every diagnostic.
pub fn parse_flow(
    source: &str,
    format: SourceFormat,
    file_name: &str,
) -> Result<Flow, Vec<Diagnostic>> {
    let checked = lint_source(source, format, file_name, &LintOptions::default());
    match checked.flow {
        Some(flow) if !checked.has_errors() => Ok(flow),
        _ => Err(checked.diagnostics),
    }
}

#[cfg(test)]
mod tests;
