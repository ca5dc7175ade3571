//! The flow engine: a pure, serialisable state machine.
//!
//! A [`Session`] holds where a user is in a flow, the variables their
//! answers set, the check results so far, and a transcript. It never does
//! IO and has no clock: every input carries the time in milliseconds from the
//! caller. A check node is returned as a [`CheckRequest`] inside
//! [`View::Check`]; the browser layer (or the host page) runs it and feeds
//! the result back with [`Session::check_result`].
//!
//! The session does not own the flow, so it stays small and serialises
//! without it. It records the flow's id and content fingerprint, and
//! [`Session::resume`] refuses a saved session whose flow has changed, so a
//! reload against new content starts over instead of misrouting.
//!
//! ```
//! // The widget reads flows from the bundle; here authoring reads one.
//! use signpost::authoring::flow::{parse_flow, SourceFormat};
//! use signpost::core::flow::{Session, View};
//! let flow = parse_flow(
//!     "version: 1\nid: demo\ntitle: Demo\nstart: ask\nnodes:\n  ask:\n    kind: question\n    text: Plugged in?\n    choices:\n      - {label: 'Yes', next: done}\n      - {label: 'No', next: help}\n  done: {kind: resolved}\n  help: {kind: ticket, category: power, priority: howto}\n",
//!     SourceFormat::Yaml,
//!     "demo.yaml",
//! ).unwrap();
//! let (mut session, view) = Session::start(&flow, "en", 1_000).unwrap();
//! assert!(matches!(view, View::Question { .. }));
//! let view = session.answer(&flow, 0, 2_000).unwrap();
//! assert!(matches!(view, View::Resolved { .. }));
//! let saved = session.to_json();
//! let resumed = Session::resume(&saved, &flow).unwrap();
//! // The resumed session shows the node it was saved on.
//! assert!(matches!(resumed.view(&flow).unwrap(), View::Resolved { .. }));
//! ```

use super::expr::{parse_condition, CHECK_PREFIX};
use super::format::*;
pub use crate::core::checks::CheckResult;
use crate::core::map::Map;
use serde::{Deserialize, Serialize};
use std::fmt;

mod persist;

/// Version of the saved-session JSON this build writes and reads.
pub const SESSION_FORMAT: u32 = 1;

/// Transcript entries kept; older ones are dropped (and `transcript_dropped`
/// counts them) so a user bouncing back and forth cannot grow a ticket
/// without bound.
pub const MAX_TRANSCRIPT: usize = 500;

/// "Run check X with these arguments": the effect a check node asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequest {
    /// The check node asking.
    pub node_id: String,
    /// The check's name, e.g. `http.reachable` or `lumen.app_signed_in`.
    pub check: String,
    /// Its arguments.
    pub args: Map<String, String>,
    /// True when the host page registers it (not built in).
    pub host: bool,
}

/// One extra field of a ticket form, localised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    /// Key in the ticket payload.
    pub id: String,
    /// Form label.
    pub label: String,
    /// Must the user fill it in?
    pub required: bool,
}

/// The current node as plain data, with texts resolved for the session's
/// locale (falling back to the flow's own). Texts are the Markdown subset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    /// Show the question and one button per choice; call [`Session::answer`].
    Question {
        /// Node id.
        node_id: String,
        /// The question.
        text: String,
        /// Button labels, in order; answer with the index.
        choices: Vec<String>,
    },
    /// Run `request`, show `text` meanwhile; call [`Session::check_result`].
    Check {
        /// Node id.
        node_id: String,
        /// Shown while the check runs.
        text: Option<String>,
        /// The check to run.
        request: CheckRequest,
    },
    /// Show the instruction and "Did this fix it?"; call [`Session::fixed`].
    Step {
        /// Node id.
        node_id: String,
        /// The instruction.
        text: String,
        /// An article to link.
        article: Option<String>,
    },
    /// Show the article, then "Continue"; call [`Session::proceed`].
    Article {
        /// Node id.
        node_id: String,
        /// The article id.
        article: String,
        /// Lead-in text.
        text: Option<String>,
    },
    /// The end: solved.
    Resolved {
        /// Node id.
        node_id: String,
        /// Closing message.
        text: Option<String>,
    },
    /// The end: offer the ticket form.
    Ticket {
        /// Node id.
        node_id: String,
        /// Shown above the form.
        text: Option<String>,
        /// Routing category.
        category: String,
        /// The ticket's priority.
        priority: Priority,
        /// Extra form fields.
        fields: Vec<FieldView>,
    },
}

impl View {
    /// The node shown.
    pub fn node_id(&self) -> &str {
        match self {
            View::Question { node_id, .. }
            | View::Check { node_id, .. }
            | View::Step { node_id, .. }
            | View::Article { node_id, .. }
            | View::Resolved { node_id, .. }
            | View::Ticket { node_id, .. } => node_id,
        }
    }

    /// The kind of node shown (never `Branch`: branches route at once).
    pub fn kind(&self) -> NodeKind {
        match self {
            View::Question { .. } => NodeKind::Question,
            View::Check { .. } => NodeKind::Check,
            View::Step { .. } => NodeKind::Step,
            View::Article { .. } => NodeKind::Article,
            View::Resolved { .. } => NodeKind::Resolved,
            View::Ticket { .. } => NodeKind::Ticket,
        }
    }
}

/// What happened at one node, for the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The user picked a choice (label in the flow's own locale, for support).
    Answered {
        /// Choice index.
        choice: usize,
        /// Choice label.
        label: String,
    },
    /// A check reported its result.
    Checked {
        /// Check name.
        check: String,
        /// Its result.
        #[serde(flatten)]
        result: CheckResult,
    },
    /// The user said whether a step fixed it.
    Fixed {
        /// Yes or no.
        fixed: bool,
    },
    /// The user continued past an article.
    Continued,
    /// A branch routed on its conditions.
    Branched {
        /// Where it went.
        to: String,
    },
    /// The session reached an end node.
    Reached,
    /// The user went back to this node.
    WentBack,
    /// The user started over.
    Restarted,
}

/// One transcript line: node, its kind, what happened, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Caller-supplied time, milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The node.
    pub node_id: String,
    /// Its kind.
    pub kind: NodeKind,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// Why an input was refused. The session is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The session belongs to another flow.
    WrongFlow {
        /// The session's flow.
        expected: String,
        /// The flow passed in.
        found: String,
    },
    /// The input does not fit the current node (e.g. an answer at a check).
    NotExpected {
        /// What was given.
        input: &'static str,
        /// The current node's kind.
        kind: NodeKind,
    },
    /// No choice with that index.
    NoSuchChoice {
        /// The index given.
        index: usize,
        /// How many choices there are.
        count: usize,
    },
    /// A reference to a node the flow does not have (an unvalidated flow).
    UnknownNode(String),
    /// Branches kept routing to each other without reaching a node to show.
    BranchLoop(String),
    /// A branch condition does not parse (an unvalidated flow).
    BadCondition {
        /// The branch node.
        node_id: String,
        /// The parse error.
        message: String,
    },
    /// `back` at the first interactive node.
    NothingToGoBackTo,
    /// The session has ended; only `back` and `restart` are accepted.
    Finished,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::WrongFlow { expected, found } => {
                write!(f, "this session runs flow \"{expected}\", not \"{found}\"")
            }
            EngineError::NotExpected { input, kind } => {
                write!(f, "a {kind} node does not take {input}")
            }
            EngineError::NoSuchChoice { index, count } => {
                write!(
                    f,
                    "choice {index} does not exist; the question has {count} choices"
                )
            }
            EngineError::UnknownNode(id) => write!(f, "the flow has no node \"{id}\""),
            EngineError::BranchLoop(id) => write!(f, "branches loop without end at \"{id}\""),
            EngineError::BadCondition { node_id, message } => {
                write!(f, "branch \"{node_id}\" has a bad condition: {message}")
            }
            EngineError::NothingToGoBackTo => f.write_str("there is no earlier step to go back to"),
            EngineError::Finished => f.write_str("the flow has ended"),
        }
    }
}

impl std::error::Error for EngineError {}

/// Why a saved session cannot be resumed. The caller should start over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeError {
    /// Not a saved session (bad JSON or missing fields).
    Malformed(String),
    /// Saved by a newer or older build with another session format.
    UnsupportedFormat(u32),
    /// Saved for another flow.
    WrongFlow {
        /// The flow in the saved session.
        saved: String,
        /// The flow passed in.
        current: String,
    },
    /// The flow's content changed since the session was saved.
    FlowChanged {
        /// Fingerprint in the saved session.
        saved: String,
        /// Fingerprint of the flow now.
        current: String,
    },
    /// The saved state names nodes the flow does not have.
    Inconsistent(String),
}

impl fmt::Display for ResumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResumeError::Malformed(m) => write!(f, "the saved session cannot be read: {m}"),
            ResumeError::UnsupportedFormat(v) => {
                write!(f, "the saved session has format {v}; this build reads {SESSION_FORMAT}")
            }
            ResumeError::WrongFlow { saved, current } => {
                write!(f, "the saved session is for flow \"{saved}\", not \"{current}\"")
            }
            ResumeError::FlowChanged { saved, current } => write!(
                f,
                "the flow changed since the session was saved (fingerprint {saved} → {current}); start over"
            ),
            ResumeError::Inconsistent(m) => write!(f, "the saved session does not fit the flow: {m}"),
        }
    }
}

impl std::error::Error for ResumeError {}

/// State restored by `back`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Snapshot {
    node: String,
    vars: Map<String, Value>,
    checks: Map<String, String>,
}

/// A user's walk through one flow. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    format: u32,
    flow_id: String,
    fingerprint: String,
    locale: String,
    current: String,
    #[serde(default)]
    vars: Map<String, Value>,
    /// Check node id → "pass" / "fail" / "error".
    #[serde(default)]
    checks: Map<String, String>,
    #[serde(default)]
    history: Vec<Snapshot>,
    #[serde(default)]
    transcript: Vec<Entry>,
    #[serde(default)]
    transcript_dropped: usize,
}

impl Session {
    /// Starts `flow` for a user in `locale` at time `now_ms`, returning the
    /// session and the first node to show.
    pub fn start(flow: &Flow, locale: &str, now_ms: u64) -> Result<(Session, View), EngineError> {
        let mut s = Session {
            format: SESSION_FORMAT,
            flow_id: flow.id.clone(),
            fingerprint: flow.fingerprint.clone(),
            locale: locale.to_string(),
            current: flow.start.clone(),
            vars: Map::new(),
            checks: Map::new(),
            history: Vec::new(),
            transcript: Vec::new(),
            transcript_dropped: 0,
        };
        s.enter(flow, flow.start.clone(), now_ms)?;
        let view = s.view(flow)?;
        Ok((s, view))
    }

    /// The current node as plain data.
    pub fn view(&self, flow: &Flow) -> Result<View, EngineError> {
        self.same_flow(flow)?;
        let node = self.node(flow, &self.current)?;
        let tr = flow
            .translation(&self.locale)
            .and_then(|t| t.nodes.get(&self.current));
        let text = |own: Option<&str>| -> Option<String> {
            tr.and_then(|t| t.text.clone())
                .or_else(|| own.map(str::to_string))
        };
        let node_id = self.current.clone();
        Ok(match node {
            Node::Question(q) => View::Question {
                node_id,
                text: text(Some(&q.text)).unwrap_or_default(),
                choices: q
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        tr.and_then(|t| t.choices.get(i))
                            .filter(|l| !l.is_empty())
                            .cloned()
                            .unwrap_or_else(|| c.label.clone())
                    })
                    .collect(),
            },
            Node::Check(c) => View::Check {
                node_id: node_id.clone(),
                text: text(c.text.as_deref()),
                request: CheckRequest {
                    node_id,
                    check: c.check.clone(),
                    args: c.args.clone(),
                    // Validated flows declare every host check; asking the
                    // flow, not the built-in table, keeps that table's
                    // descriptions out of the widget.
                    host: flow.host_checks.contains(&c.check),
                },
            },
            Node::Step(s) => View::Step {
                node_id,
                text: text(Some(&s.text)).unwrap_or_default(),
                article: s.article.clone(),
            },
            Node::Article(a) => View::Article {
                node_id,
                article: a.article.clone(),
                text: text(a.text.as_deref()),
            },
            Node::Resolved(r) => View::Resolved {
                node_id,
                text: text(r.text.as_deref()),
            },
            Node::Ticket(t) => View::Ticket {
                node_id,
                text: text(t.text.as_deref()),
                category: t.category.clone(),
                priority: t.priority,
                fields: t
                    .fields
                    .iter()
                    .map(|f| FieldView {
                        id: f.id.clone(),
                        label: tr
                            .and_then(|t| t.fields.get(&f.id))
                            .cloned()
                            .unwrap_or_else(|| f.label.clone()),
                        required: f.required,
                    })
                    .collect(),
            },
            // `enter` never stops on a branch.
            Node::Branch(_) => return Err(EngineError::BranchLoop(self.current.clone())),
        })
    }

    /// Answers the current question with choice `index` (0-based).
    pub fn answer(&mut self, flow: &Flow, index: usize, now_ms: u64) -> Result<View, EngineError> {
        let node = self.expect(flow, "an answer", NodeKind::Question)?;
        let Node::Question(q) = node else {
            unreachable!("expect checked the kind")
        };
        let choice = q.choices.get(index).ok_or(EngineError::NoSuchChoice {
            index,
            count: q.choices.len(),
        })?;
        let event = Event::Answered {
            choice: index,
            label: choice.label.clone(),
        };
        let set = choice.set.clone();
        self.step_to(flow, choice.next.clone(), event, now_ms, |s| {
            s.vars.extend(set)
        })
    }

    /// Reports the result of the check the current node asked for.
    pub fn check_result(
        &mut self,
        flow: &Flow,
        result: CheckResult,
        now_ms: u64,
    ) -> Result<View, EngineError> {
        let node = self.expect(flow, "a check result", NodeKind::Check)?;
        let Node::Check(c) = node else {
            unreachable!("expect checked the kind")
        };
        let next = match &result {
            CheckResult::Pass => c.pass.clone(),
            CheckResult::Fail => c.fail.clone(),
            CheckResult::Error { .. } => c.error.clone().unwrap_or_else(|| c.fail.clone()),
        };
        let id = self.current.clone();
        let outcome = result.as_str().to_string();
        let event = Event::Checked {
            check: c.check.clone(),
            result,
        };
        self.step_to(flow, next, event, now_ms, |s| {
            s.checks.insert(id, outcome);
        })
    }

    /// Answers "Did this fix it?" at a step.
    pub fn fixed(&mut self, flow: &Flow, fixed: bool, now_ms: u64) -> Result<View, EngineError> {
        let node = self.expect(flow, "fixed / not fixed", NodeKind::Step)?;
        let Node::Step(st) = node else {
            unreachable!("expect checked the kind")
        };
        let next = if fixed {
            st.fixed.clone()
        } else {
            st.not_fixed.clone()
        };
        self.step_to(flow, next, Event::Fixed { fixed }, now_ms, |_| {})
    }

    /// Continues past an article.
    pub fn proceed(&mut self, flow: &Flow, now_ms: u64) -> Result<View, EngineError> {
        let node = self.expect(flow, "continue", NodeKind::Article)?;
        let Node::Article(a) = node else {
            unreachable!("expect checked the kind")
        };
        self.step_to(flow, a.next.clone(), Event::Continued, now_ms, |_| {})
    }

    /// Goes back to the previous interactive node (question, step or
    /// article), undoing the variables and check results set since. Checks
    /// and branches are skipped, so going back never re-runs a check that
    /// would move forward again at once.
    pub fn back(&mut self, flow: &Flow, now_ms: u64) -> Result<View, EngineError> {
        self.same_flow(flow)?;
        let snap = self.history.last().ok_or(EngineError::NothingToGoBackTo)?;
        let kind = self.node(flow, &snap.node)?.kind();
        let snap = self.history.pop().expect("checked above");
        self.current = snap.node;
        self.vars = snap.vars;
        self.checks = snap.checks;
        let node_id = self.current.clone();
        self.log(now_ms, node_id, kind, Event::WentBack);
        self.view(flow)
    }

    /// Starts over from `start`, clearing variables and check results. The
    /// transcript is kept (with a `restarted` entry): support wants to see
    /// the first attempt too.
    pub fn restart(&mut self, flow: &Flow, now_ms: u64) -> Result<View, EngineError> {
        self.same_flow(flow)?;
        let kind = self.node(flow, &self.current)?.kind();
        let mut next = self.clone();
        let cur = next.current.clone();
        next.log(now_ms, cur, kind, Event::Restarted);
        next.vars.clear();
        next.checks.clear();
        next.history.clear();
        next.enter(flow, flow.start.clone(), now_ms)?;
        let view = next.view(flow)?;
        *self = next;
        Ok(view)
    }

    // Observers for the engine tests; the panel reads views, not state.
    #[cfg(test)]
    /// The current node id.
    pub fn current_node(&self) -> &str {
        &self.current
    }

    /// The flow this session runs.
    pub fn flow_id(&self) -> &str {
        &self.flow_id
    }

    /// The locale texts are shown in.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    #[cfg(test)]
    /// Variables set so far.
    pub fn variables(&self) -> &Map<String, Value> {
        &self.vars
    }

    #[cfg(test)]
    /// The transcript, oldest first (the newest [`MAX_TRANSCRIPT`] entries).
    pub fn transcript(&self) -> &[Entry] {
        &self.transcript
    }

    /// The transcript as short lines for a person (the ticket preview and
    /// the support agent), in the flow's own language. Branch hops are left
    /// out: they are routing, not something the user did.
    ///
    /// e.g. `Which band? → "5 GHz"`, `check http.reachable: error (timeout)`.
    pub fn transcript_lines(&self, flow: &Flow) -> Vec<String> {
        let first_line = |id: &str| -> String {
            let text = flow.nodes.get(id).and_then(Node::text).unwrap_or(id);
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or(id)
                .trim();
            // Long instructions are cut: the agent needs to recognise the step, not reread it.
            match line.char_indices().nth(80) {
                Some((i, _)) => format!("{}…", &line[..i]),
                None => line.to_string(),
            }
        };
        let mut out = Vec::new();
        if self.transcript_dropped > 0 {
            out.push(format!(
                "({} earlier entries not kept)",
                self.transcript_dropped
            ));
        }
        for e in &self.transcript {
            let line = match &e.event {
                Event::Answered { label, .. } => {
                    format!("{} → \"{label}\"", first_line(&e.node_id))
                }
                Event::Checked { check, result } => match result {
                    CheckResult::Error { detail } => format!("check {check}: error ({detail})"),
                    r => format!("check {check}: {}", r.as_str()),
                },
                Event::Fixed { fixed } => {
                    let said = if *fixed { "fixed it" } else { "did not fix it" };
                    format!("{} → {said}", first_line(&e.node_id))
                }
                Event::Continued => match flow.nodes.get(&e.node_id) {
                    Some(Node::Article(a)) => format!("read article {}", a.article),
                    _ => format!("continued past {}", e.node_id),
                },
                Event::Branched { .. } => continue,
                Event::Reached => match flow.nodes.get(&e.node_id) {
                    Some(Node::Ticket(t)) => format!("ticket: {} ({})", t.category, t.priority),
                    _ => "resolved".to_string(),
                },
                Event::WentBack => format!("went back to {}", first_line(&e.node_id)),
                Event::Restarted => "started over".to_string(),
            };
            out.push(line);
        }
        out
    }

    #[cfg(test)]
    /// How many old transcript entries were dropped to respect the cap.
    pub fn transcript_dropped(&self) -> usize {
        self.transcript_dropped
    }

    /// True when the current node is `resolved` or `ticket`.
    pub fn is_finished(&self, flow: &Flow) -> bool {
        flow.nodes
            .get(&self.current)
            .is_some_and(|n| n.kind().is_end())
    }

    /// How many nodes deep the user is on the current path: 1 at the start,
    /// one more per step forward, one less per `back` (for "Step 3").
    pub fn depth(&self) -> usize {
        self.history.len() + 1
    }

    /// True when `back` would do something.
    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty()
    }

    /// The session as JSON, for storage across reloads. The text is the
    /// serde form of `Session`, written without serde_json (the widget
    /// cannot afford it).
    pub fn to_json(&self) -> String {
        persist::write(self)
    }

    /// Restores a saved session against `flow`. Fails cleanly, never
    /// misroutes: the flow id and the content fingerprint must both match,
    /// and every saved node must exist.
    pub fn resume(json: &str, flow: &Flow) -> Result<Session, ResumeError> {
        let s = persist::read(json)?;
        if s.flow_id != flow.id {
            return Err(ResumeError::WrongFlow {
                saved: s.flow_id,
                current: flow.id.clone(),
            });
        }
        if s.fingerprint != flow.fingerprint {
            return Err(ResumeError::FlowChanged {
                saved: s.fingerprint,
                current: flow.fingerprint.clone(),
            });
        }
        let shown = |id: &str| {
            flow.nodes
                .get(id)
                .is_some_and(|n| n.kind() != NodeKind::Branch)
        };
        if !shown(&s.current) {
            return Err(ResumeError::Inconsistent(format!(
                "no node \"{}\" to show",
                s.current
            )));
        }
        if let Some(h) = s.history.iter().find(|h| !shown(&h.node)) {
            return Err(ResumeError::Inconsistent(format!(
                "no node \"{}\" to go back to",
                h.node
            )));
        }
        Ok(s)
    }

    fn same_flow(&self, flow: &Flow) -> Result<(), EngineError> {
        if flow.id != self.flow_id {
            return Err(EngineError::WrongFlow {
                expected: self.flow_id.clone(),
                found: flow.id.clone(),
            });
        }
        Ok(())
    }

    fn node<'f>(&self, flow: &'f Flow, id: &str) -> Result<&'f Node, EngineError> {
        flow.nodes
            .get(id)
            .ok_or_else(|| EngineError::UnknownNode(id.to_string()))
    }

    fn expect<'f>(
        &self,
        flow: &'f Flow,
        input: &'static str,
        kind: NodeKind,
    ) -> Result<&'f Node, EngineError> {
        self.same_flow(flow)?;
        let node = self.node(flow, &self.current)?;
        if node.kind().is_end() {
            return Err(EngineError::Finished);
        }
        if node.kind() != kind {
            return Err(EngineError::NotExpected {
                input,
                kind: node.kind(),
            });
        }
        Ok(node)
    }

    /// Leaves the current node with `event`, applies `update`, and enters
    /// `next`. Works on a copy, so a failure leaves the session unchanged.
    fn step_to(
        &mut self,
        flow: &Flow,
        next: String,
        event: Event,
        now_ms: u64,
        update: impl FnOnce(&mut Session),
    ) -> Result<View, EngineError> {
        let mut s = self.clone();
        let kind = s.node(flow, &s.current)?.kind();
        if kind.is_interactive() {
            s.history.push(Snapshot {
                node: s.current.clone(),
                vars: s.vars.clone(),
                checks: s.checks.clone(),
            });
            if s.history.len() > MAX_TRANSCRIPT {
                s.history.remove(0);
            }
        }
        let cur = s.current.clone();
        s.log(now_ms, cur, kind, event);
        update(&mut s);
        s.enter(flow, next, now_ms)?;
        let view = s.view(flow)?;
        *self = s;
        Ok(view)
    }

    /// Moves to `id`, following branch nodes until a node to show.
    fn enter(&mut self, flow: &Flow, mut id: String, now_ms: u64) -> Result<(), EngineError> {
        // Every branch hop visits a distinct node unless branches loop, so
        // more hops than nodes means a loop (the validator reports these).
        for _ in 0..=flow.nodes.len() {
            let node = self.node(flow, &id)?;
            let Node::Branch(b) = node else {
                if node.kind().is_end() {
                    self.log(now_ms, id.clone(), node.kind(), Event::Reached);
                }
                self.current = id;
                return Ok(());
            };
            let mut to = b.otherwise.clone();
            for case in &b.cases {
                let expr = parse_condition(&case.when).map_err(|e| EngineError::BadCondition {
                    node_id: id.clone(),
                    message: e.to_string(),
                })?;
                let holds = expr.eval(&|name: &str| match name.strip_prefix(CHECK_PREFIX) {
                    Some(node) => self.checks.get(node).map(|r| Value::Str(r.clone())),
                    None => self.vars.get(name).cloned(),
                });
                if holds {
                    to = case.next.clone();
                    break;
                }
            }
            self.log(
                now_ms,
                id.clone(),
                NodeKind::Branch,
                Event::Branched { to: to.clone() },
            );
            id = to;
        }
        Err(EngineError::BranchLoop(id))
    }

    fn log(&mut self, at_ms: u64, node_id: String, kind: NodeKind, event: Event) {
        self.transcript.push(Entry {
            at_ms,
            node_id,
            kind,
            event,
        });
        if self.transcript.len() > MAX_TRANSCRIPT {
            let extra = self.transcript.len() - MAX_TRANSCRIPT;
            self.transcript.drain(..extra);
            self.transcript_dropped += extra;
        }
    }
}
