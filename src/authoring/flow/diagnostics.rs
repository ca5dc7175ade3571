//! Diagnostics: one problem in one flow file, naming where it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is. Errors fail `signpost check`; warnings fail it only
/// under `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The flow is broken or would misbehave for users.
    Error,
    /// The flow works but probably not as its author meant.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every kind of problem the parser and validator report. The kebab-case
/// name ([`Code::as_str`]) is stable: CI scripts may match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The file could not be read (IO error, not UTF-8).
    Io,
    /// The file is larger than [`crate::authoring::flow::MAX_FILE_BYTES`], or
    /// expands (through YAML aliases) beyond the value budget.
    TooLarge,
    /// The YAML or JSON is malformed (or nested too deeply).
    Syntax,
    /// `version` is missing or not a version this build reads.
    UnsupportedVersion,
    /// A required field is missing.
    MissingField,
    /// A field that the format does not define (usually a typo).
    UnknownField,
    /// A field has the wrong type (e.g. a list where text is expected).
    WrongType,
    /// A field has the right type but a value that is not allowed.
    InvalidValue,
    /// The same key appears twice in one mapping (e.g. two nodes with one id).
    DuplicateKey,
    /// Two files define flows with the same id.
    DuplicateFlowId,
    /// The flow has no `start`.
    MissingStart,
    /// A reference to a node that does not exist.
    UnknownNode,
    /// A node that no path from `start` reaches.
    UnreachableNode,
    /// Nodes from which no path reaches a `resolved` or `ticket` end.
    NoExit,
    /// A cycle made only of `branch` nodes: it would spin forever.
    BranchLoop,
    /// A question with no choices.
    EmptyChoices,
    /// A condition reads a variable that no choice sets.
    UnsetVariable,
    /// A condition does not parse.
    BadCondition,
    /// An article id that is not in the articles folder.
    UnknownArticle,
    /// A check name that is neither built in nor declared in `host_checks`.
    UnknownCheck,
    /// A check argument is missing, unknown or malformed.
    BadCheckArgs,
    /// A Markdown link with a scheme other than http, https or mailto.
    UnsafeLink,
    /// A translation names a node or choice the flow does not have.
    BadTranslation,
    /// Warning: no path ends in a `ticket`, so users who are not helped
    /// have nowhere to go.
    NoTicket,
    /// Warning: a variable is set but never read.
    UnusedVariable,
    /// Warning: a host check is declared but not used.
    UnusedHostCheck,
    /// Warning: a path asks more than [`crate::authoring::flow::MAX_INTERACTIVE_STEPS`]
    /// interactive steps before any end.
    LongPath,
}

impl Code {
    /// The stable kebab-case name shown in `error[...]` and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::TooLarge => "too-large",
            Code::Syntax => "syntax",
            Code::UnsupportedVersion => "unsupported-version",
            Code::MissingField => "missing-field",
            Code::UnknownField => "unknown-field",
            Code::WrongType => "wrong-type",
            Code::InvalidValue => "invalid-value",
            Code::DuplicateKey => "duplicate-key",
            Code::DuplicateFlowId => "duplicate-flow-id",
            Code::MissingStart => "missing-start",
            Code::UnknownNode => "unknown-node",
            Code::UnreachableNode => "unreachable-node",
            Code::NoExit => "no-exit",
            Code::BranchLoop => "branch-loop",
            Code::EmptyChoices => "empty-choices",
            Code::UnsetVariable => "unset-variable",
            Code::BadCondition => "bad-condition",
            Code::UnknownArticle => "unknown-article",
            Code::UnknownCheck => "unknown-check",
            Code::BadCheckArgs => "bad-check-args",
            Code::UnsafeLink => "unsafe-link",
            Code::BadTranslation => "bad-translation",
            Code::NoTicket => "no-ticket",
            Code::UnusedVariable => "unused-variable",
            Code::UnusedHostCheck => "unused-host-check",
            Code::LongPath => "long-path",
        }
    }

    /// The severity this code always has (before `--strict`).
    pub fn severity(self) -> Severity {
        match self {
            Code::NoTicket | Code::UnusedVariable | Code::UnusedHostCheck | Code::LongPath => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    /// Every code, in documentation order.
    pub const ALL: [Code; 27] = [
        Code::Io,
        Code::TooLarge,
        Code::Syntax,
        Code::UnsupportedVersion,
        Code::MissingField,
        Code::UnknownField,
        Code::WrongType,
        Code::InvalidValue,
        Code::DuplicateKey,
        Code::DuplicateFlowId,
        Code::MissingStart,
        Code::UnknownNode,
        Code::UnreachableNode,
        Code::NoExit,
        Code::BranchLoop,
        Code::EmptyChoices,
        Code::UnsetVariable,
        Code::BadCondition,
        Code::UnknownArticle,
        Code::UnknownCheck,
        Code::BadCheckArgs,
        Code::UnsafeLink,
        Code::BadTranslation,
        Code::NoTicket,
        Code::UnusedVariable,
        Code::UnusedHostCheck,
        Code::LongPath,
    ];
}

/// One problem, with everything needed to find it: file, 1-based line and
/// column (when known), flow id, node id and field path inside the node
/// (or inside the flow, for flow-level fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem (stable name).
    pub code: Code,
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The flow's `id`, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
    /// The node at fault, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// The field at fault, relative to the node when `node_id` is set,
    /// e.g. `choices[1].next`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A sentence a person can act on.
    pub message: String,
    /// The nearest valid name, for likely typos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no location yet.
    pub fn new(code: Code, file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            file: file.to_string(),
            line: None,
            column: None,
            flow_id: None,
            node_id: None,
            field: None,
            message: message.into(),
            suggestion: None,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// rustc/eslint style:
    /// `flows/wifi.yaml:12:5: error[unknown-node] flow "wifi-band", node "ask_band", field "choices[1].next": no node named "chek_router" (did you mean "check_router"?)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}[{}]", self.severity.as_str(), self.code.as_str())?;
        let mut parts = Vec::new();
        if let Some(id) = &self.flow_id {
            parts.push(format!("flow {id:?}"));
        }
        if let Some(id) = &self.node_id {
            parts.push(format!("node {id:?}"));
        }
        if let Some(field) = &self.field {
            parts.push(format!("field {field:?}"));
        }
        if !parts.is_empty() {
            write!(f, " {}", parts.join(", "))?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean {s:?}?)")?;
        }
        Ok(())
    }
}

/// Edit distance over chars, counting an insertion, a deletion, a
/// substitution or a swap of two neighbours as one edit (optimal string
/// alignment): `txet` is one edit from `text`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            let mut d = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `wrong`, if it is close enough to be a likely
/// typo: at most a third of the longer name's length, and at most 3 edits.
/// Ties go to the earliest candidate, so results are stable.
pub fn suggest<'a, I>(wrong: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    // Very long inputs are never typos of short names; skip the O(n*m) work.
    if wrong.len() > 200 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == wrong {
            continue;
        }
        let d = edit_distance(&wrong.to_lowercase(), &c.to_lowercase());
        let limit = (wrong.chars().count().max(c.chars().count()) / 3).clamp(1, 3);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_the_rustc_like_shape() {
        let mut d = Diagnostic::new(
            Code::UnknownNode,
            "flows/wifi.yaml",
            "no node named \"chek_router\"",
        );
        d.line = Some(12);
        d.column = Some(5);
        d.flow_id = Some("wifi-band".into());
        d.node_id = Some("ask_band".into());
        d.field = Some("choices[1].next".into());
        d.suggestion = Some("check_router".into());
        assert_eq!(
            d.to_string(),
            "flows/wifi.yaml:12:5: error[unknown-node] flow \"wifi-band\", node \"ask_band\", field \"choices[1].next\": no node named \"chek_router\" (did you mean \"check_router\"?)"
        );
    }

    #[test]
    fn suggestions_catch_typos_but_not_unrelated_names() {
        assert_eq!(
            suggest("chek_router", ["check_router", "done"]),
            Some("check_router".into())
        );
        assert_eq!(
            suggest("not_fixd", ["fixed", "not_fixed"]),
            Some("not_fixed".into())
        );
        assert_eq!(suggest("colour", ["text", "next"]), None);
        assert_eq!(suggest("x", ["text"]), None);
        assert_eq!(suggest("txet", ["text", "next"]), Some("text".into()));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }
}
