//! The flow file format, version 1, as plain serde types.
//!
//! These types are what the content bundle carries and what the engine runs.
//! Authoring files are read through `signpost::authoring::flow::parse_flow`
//! (native only), which reports every mistake with its position; the
//! bundle's already-checked JSON is read by [`crate::core::flow::decode`],
//! which the widget can afford.

use crate::core::map::Map;
pub use crate::core::ticket::Priority;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The only flow format version this build reads and writes.
pub const FLOW_VERSION: u32 = 1;

/// A diagnostic flow: one file, one flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// Format version; always [`FLOW_VERSION`].
    pub version: u32,
    /// Unique across all flows of a product, e.g. `wifi-band`.
    pub id: String,
    /// Shown as the flow's name and indexed by search.
    pub title: String,
    /// One or two sentences; indexed by search.
    #[serde(default)]
    pub description: String,
    /// The symptoms this flow answers, as users would type them.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Free-form tags for search and analytics.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The locale the texts are written in; the fallback for translations.
    #[serde(default = "default_locale")]
    pub locale: String,
    /// Check names the host page registers (`Signpost("registerCheck", …)`).
    #[serde(default)]
    pub host_checks: Vec<String>,
    /// Id of the first node.
    pub start: String,
    /// Nodes by id.
    pub nodes: Map<String, Node>,
    /// Translations by locale tag (`de`, `pt-BR`).
    #[serde(default)]
    pub translations: Map<String, Translation>,
    /// The content fingerprint saved sessions record (16 hex digits), so a
    /// reload against changed content starts over. Authoring computes it
    /// when it reads the flow and the bundle carries it; the widget only
    /// compares it. Empty for a flow made by hand.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
}

/// The default `locale` when a flow does not name one.
pub fn default_locale() -> String {
    "en".to_string()
}

/// One step of a flow. The `kind` field selects the variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// Ask the user to pick one of several answers.
    Question(Question),
    /// Run an automatic test and branch on its result.
    Check(Check),
    /// Tell the user to do something, then ask "did this fix it?".
    Step(Step),
    /// Show a help article, then continue.
    Article(ArticleNode),
    /// Route on variables and check results, without showing anything.
    Branch(Branch),
    /// The end: the problem is solved.
    Resolved(Resolved),
    /// The end: escalate to a human.
    Ticket(TicketNode),
}

/// The kind of a node, as plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// [`Node::Question`]
    Question,
    /// [`Node::Check`]
    Check,
    /// [`Node::Step`]
    Step,
    /// [`Node::Article`]
    Article,
    /// [`Node::Branch`]
    Branch,
    /// [`Node::Resolved`]
    Resolved,
    /// [`Node::Ticket`]
    Ticket,
}

impl NodeKind {
    /// The `kind:` value in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Question => "question",
            NodeKind::Check => "check",
            NodeKind::Step => "step",
            NodeKind::Article => "article",
            NodeKind::Branch => "branch",
            NodeKind::Resolved => "resolved",
            NodeKind::Ticket => "ticket",
        }
    }

    /// Every kind, in documentation order.
    pub const ALL: [NodeKind; 7] = [
        NodeKind::Question,
        NodeKind::Check,
        NodeKind::Step,
        NodeKind::Article,
        NodeKind::Branch,
        NodeKind::Resolved,
        NodeKind::Ticket,
    ];

    /// Kinds that wait for the user to press something.
    pub fn is_interactive(self) -> bool {
        matches!(
            self,
            NodeKind::Question | NodeKind::Step | NodeKind::Article
        )
    }

    /// Kinds that end a session.
    pub fn is_end(self) -> bool {
        matches!(self, NodeKind::Resolved | NodeKind::Ticket)
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A question and its answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// The question, in the flow's locale (Markdown subset).
    pub text: String,
    /// The answers, in display order.
    pub choices: Vec<Choice>,
}

/// One answer to a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The button text.
    pub label: String,
    /// The node this answer leads to.
    pub next: String,
    /// Variables this answer sets, read later by `branch` conditions.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub set: Map<String, Value>,
}

/// An automatic test that the browser layer (or the host page) runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The check's name: built in (see [`BUILTIN_CHECKS`]) or declared in
    /// the flow's `host_checks`.
    pub check: String,
    /// Arguments, e.g. `url` for `http.reachable`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub args: Map<String, String>,
    /// Shown while the check runs, e.g. "Checking your connection…".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where to go when the check passes.
    pub pass: String,
    /// Where to go when the check fails.
    pub fail: String,
    /// Where to go when the check could not run; `fail` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An instruction followed by "Did this fix it?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What to do (Markdown subset).
    pub text: String,
    /// An article with more detail, shown as a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Where "Yes, that fixed it" leads.
    pub fixed: String,
    /// Where "No" leads.
    pub not_fixed: String,
}

/// Show a help article, then continue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleNode {
    /// The article's id (its front matter `id`).
    pub article: String,
    /// An optional lead-in above the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where "Continue" leads.
    pub next: String,
}

/// Route on conditions: the first case whose `when` holds wins, else `else`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Tried in order.
    pub cases: Vec<Case>,
    /// Taken when no case holds; required, so a branch always routes.
    #[serde(rename = "else")]
    pub otherwise: String,
}

/// One condition of a branch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// A condition in the tiny language of [`crate::core::flow::expr`].
    pub when: String,
    /// Where to go when it holds.
    pub next: String,
}

/// The end: the problem is solved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// A closing message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The end: escalate to a human.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketNode {
    /// Routing category for the support team, e.g. `camera-wifi`.
    pub category: String,
    /// How urgent it is.
    pub priority: Priority,
    /// Shown above the ticket form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Extra things to ask for in the ticket form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<TicketField>,
}

/// One extra field of the ticket form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketField {
    /// Key in the ticket payload, e.g. `router_model`.
    pub id: String,
    /// Form label.
    pub label: String,
    /// Must the user fill it in?
    #[serde(default)]
    pub required: bool,
}

/// A variable's value: text, a whole number or a yes/no.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Text.
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "\"{s}\""),
        }
    }
}

/// Texts of one locale. Anything missing falls back to the flow's own text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Translation {
    /// Translated title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Translated description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Extra search phrases in this locale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Node texts by node id.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub nodes: Map<String, NodeTranslation>,
}

/// Texts of one node in one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NodeTranslation {
    /// The node's `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Choice labels, by position (questions only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// Ticket field labels by field id (tickets only).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub fields: Map<String, String>,
}

/// A built-in check: its name and the arguments it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinCheck {
    /// The name used in `check:`.
    pub name: &'static str,
    /// What it tests.
    pub summary: &'static str,
    /// Arguments it requires.
    pub required_args: &'static [&'static str],
    /// Arguments it accepts besides the required ones.
    pub optional_args: &'static [&'static str],
}

/// The checks the browser layer implements. Host pages add their own with
/// `registerCheck`; flows declare those in `host_checks`.
pub const BUILTIN_CHECKS: &[BuiltinCheck] = &[
    BuiltinCheck {
        name: "browser.online",
        summary: "the browser reports a network connection (navigator.onLine)",
        required_args: &[],
        optional_args: &[],
    },
    BuiltinCheck {
        name: "browser.cookies",
        summary: "cookies are enabled for this site",
        required_args: &[],
        optional_args: &[],
    },
    BuiltinCheck {
        name: "storage.local",
        summary: "localStorage can be written and read back",
        required_args: &[],
        optional_args: &[],
    },
    BuiltinCheck {
        name: "storage.session",
        summary: "sessionStorage can be written and read back",
        required_args: &[],
        optional_args: &[],
    },
    BuiltinCheck {
        name: "browser.version",
        summary: "the browser is one of browser (comma-separated: Chrome, Edge, Firefox, Safari, Opera, Samsung Internet) at major version min_major or newer; both optional, and with neither it passes whenever the browser is recognised",
        required_args: &[],
        optional_args: &["browser", "min_major"],
    },
    BuiltinCheck {
        name: "clock.skew",
        summary: "the device clock is within max_seconds (default 120) of the Date header of a HEAD to url (default: this page's origin); a cross-origin url must list Date in Access-Control-Expose-Headers, or the check errors",
        required_args: &[],
        optional_args: &["max_seconds", "url"],
    },
    BuiltinCheck {
        name: "http.reachable",
        summary: "a GET to url answers (any HTTP status; an opaque cross-origin answer counts) within timeout_ms (default 5000)",
        required_args: &["url"],
        optional_args: &["timeout_ms"],
    },
    BuiltinCheck {
        name: "page.element",
        summary: "the host page has an element matching the CSS selector",
        required_args: &["selector"],
        optional_args: &[],
    },
    BuiltinCheck {
        name: "screen.size",
        summary: "the browser window's viewport is at least min_width by min_height CSS pixels (each optional)",
        required_args: &[],
        optional_args: &["min_width", "min_height"],
    },
];

/// Looks up a built-in check by name.
pub fn builtin_check(name: &str) -> Option<&'static BuiltinCheck> {
    BUILTIN_CHECKS.iter().find(|c| c.name == name)
}

impl Node {
    /// The node's kind.
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::Question(_) => NodeKind::Question,
            Node::Check(_) => NodeKind::Check,
            Node::Step(_) => NodeKind::Step,
            Node::Article(_) => NodeKind::Article,
            Node::Branch(_) => NodeKind::Branch,
            Node::Resolved(_) => NodeKind::Resolved,
            Node::Ticket(_) => NodeKind::Ticket,
        }
    }

    /// How many outgoing edges [`Node::edges`] lists, without building them.
    pub fn edge_count(&self) -> usize {
        match self {
            Node::Question(q) => q.choices.len(),
            Node::Check(c) => 2 + usize::from(c.error.is_some()),
            Node::Step(_) => 2,
            Node::Article(_) => 1,
            Node::Branch(b) => b.cases.len() + 1,
            Node::Resolved(_) | Node::Ticket(_) => 0,
        }
    }

    /// The target of edge `i` (in [`Node::edges`] order), without building labels.
    pub fn edge_target(&self, i: usize) -> Option<&str> {
        let t = match self {
            Node::Question(q) => &q.choices.get(i)?.next,
            Node::Check(c) => match i {
                0 => &c.pass,
                1 => &c.fail,
                2 => c.error.as_ref()?,
                _ => return None,
            },
            Node::Step(s) => match i {
                0 => &s.fixed,
                1 => &s.not_fixed,
                _ => return None,
            },
            Node::Article(a) if i == 0 => &a.next,
            Node::Branch(b) if i < b.cases.len() => &b.cases[i].next,
            Node::Branch(b) if i == b.cases.len() => &b.otherwise,
            _ => return None,
        };
        Some(t)
    }

    /// Every outgoing edge as (field path, label, target), in a stable order.
    /// The label is what a path listing shows for taking that edge.
    pub fn edges(&self) -> Vec<Edge<'_>> {
        let mut out = Vec::new();
        match self {
            Node::Question(q) => {
                for (i, c) in q.choices.iter().enumerate() {
                    out.push(Edge {
                        field: format!("choices[{i}].next"),
                        label: format!("{:?}", c.label),
                        target: &c.next,
                    });
                }
            }
            Node::Check(c) => {
                out.push(Edge {
                    field: "pass".into(),
                    label: "pass".into(),
                    target: &c.pass,
                });
                out.push(Edge {
                    field: "fail".into(),
                    label: "fail".into(),
                    target: &c.fail,
                });
                if let Some(err) = &c.error {
                    out.push(Edge {
                        field: "error".into(),
                        label: "error".into(),
                        target: err,
                    });
                }
            }
            Node::Step(s) => {
                out.push(Edge {
                    field: "fixed".into(),
                    label: "fixed".into(),
                    target: &s.fixed,
                });
                out.push(Edge {
                    field: "not_fixed".into(),
                    label: "not fixed".into(),
                    target: &s.not_fixed,
                });
            }
            Node::Article(a) => {
                out.push(Edge {
                    field: "next".into(),
                    label: "continue".into(),
                    target: &a.next,
                });
            }
            Node::Branch(b) => {
                for (i, c) in b.cases.iter().enumerate() {
                    out.push(Edge {
                        field: format!("cases[{i}].next"),
                        label: format!("when {}", c.when),
                        target: &c.next,
                    });
                }
                out.push(Edge {
                    field: "else".into(),
                    label: "else".into(),
                    target: &b.otherwise,
                });
            }
            Node::Resolved(_) | Node::Ticket(_) => {}
        }
        out
    }

    /// The node's main text in the flow's own locale, if it has one.
    pub fn text(&self) -> Option<&str> {
        match self {
            Node::Question(q) => Some(&q.text),
            Node::Check(c) => c.text.as_deref(),
            Node::Step(s) => Some(&s.text),
            Node::Article(a) => a.text.as_deref(),
            Node::Branch(_) => None,
            Node::Resolved(r) => r.text.as_deref(),
            Node::Ticket(t) => t.text.as_deref(),
        }
    }
}

/// One outgoing edge of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge<'a> {
    /// The field holding the target, e.g. `choices[1].next`.
    pub field: String,
    /// A short human label: the choice label, `pass`, `fixed`, `when …`.
    pub label: String,
    /// The target node id (may not exist in a broken flow).
    pub target: &'a str,
}

impl Flow {
    /// Texts for `locale`, falling back from `de-AT` to `de` to none.
    pub fn translation(&self, locale: &str) -> Option<&Translation> {
        if locale == self.locale {
            return None;
        }
        if let Some(t) = self.translations.get(locale) {
            return Some(t);
        }
        let lang = locale.split(['-', '_']).next().unwrap_or(locale);
        self.translations.get(lang)
    }

    /// The title in `locale`, or the default title.
    pub fn title_in(&self, locale: &str) -> &str {
        self.translation(locale)
            .and_then(|t| t.title.as_deref())
            .unwrap_or(&self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_falls_back_to_language_then_default() {
        let mut f = Flow {
            version: 1,
            id: "x".into(),
            title: "Hello".into(),
            description: String::new(),
            phrases: vec![],
            tags: vec![],
            locale: "en".into(),
            host_checks: vec![],
            start: "a".into(),
            nodes: Map::new(),
            translations: Map::new(),
            fingerprint: String::new(),
        };
        f.translations.insert(
            "de".into(),
            Translation {
                title: Some("Hallo".into()),
                ..Default::default()
            },
        );
        assert_eq!(f.title_in("de-AT"), "Hallo");
        assert_eq!(f.title_in("de"), "Hallo");
        assert_eq!(f.title_in("fr"), "Hello");
        assert_eq!(f.title_in("en"), "Hello");
    }
}
