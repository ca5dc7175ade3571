//! Path simulation: every distinct route through a flow and where it ends.
//!
//! A path follows edges from `start` until it reaches an end (`resolved`,
//! `ticket`), a reference to a missing node (a dead end), or a node already
//! on the path (a loop back, e.g. "try again"). Branch conditions are
//! evaluated with the answers and check results of the path itself, exactly
//! as the engine would, so only routes a user can take are listed. The walk
//! is iterative and
//! capped, so huge or highly branching graphs cannot exhaust the stack or
//! the machine.

use crate::core::flow::expr::{parse_condition, CHECK_PREFIX};
use crate::core::flow::format::{Flow, Node, Priority, Value};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Default cap on the number of paths listed.
pub const DEFAULT_MAX_PATHS: usize = 1000;
/// Cap on edges followed in one simulation, whatever `max_paths` is.
pub const MAX_WALK_STEPS: usize = 200_000;
/// Cap on hops stored over all listed paths: long paths times many paths
/// would otherwise cost memory quadratic in the flow's size.
pub const MAX_LISTED_HOPS: usize = 200_000;

/// How a path ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PathEnd {
    /// At a `resolved` node.
    Resolved,
    /// At a `ticket` node.
    Ticket {
        /// The ticket's priority.
        priority: Priority,
        /// The ticket's category.
        category: String,
    },
    /// At a reference to a node that does not exist (or could not be read).
    DeadEnd {
        /// The missing node id.
        missing: String,
    },
    /// Back at a node already on the path.
    Loop {
        /// The node the path returns to.
        back_to: String,
    },
}

impl PathEnd {
    /// Short text for listings: `resolved`, `ticket (howto)`, `dead end`, `loop`.
    pub fn label(&self) -> String {
        match self {
            PathEnd::Resolved => "resolved".into(),
            PathEnd::Ticket { priority, .. } => format!("ticket ({priority})"),
            PathEnd::DeadEnd { missing } => format!("dead end (no node {missing:?})"),
            PathEnd::Loop { back_to } => format!("loop back to {back_to:?}"),
        }
    }
}

/// One hop: a node, and the edge label taken out of it (None for the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Node id.
    pub node: String,
    /// Edge taken from it, e.g. `"5 GHz"`, `fail`, `not fixed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Index of that edge in [`crate::core::flow::Node::edges`] order: the
    /// choice index for questions; 0 pass, 1 fail, 2 error for checks;
    /// 0 fixed, 1 not fixed for steps. Lets a preview replay the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<usize>,
}

/// One distinct path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimPath {
    /// The nodes visited, in order, with the edges taken.
    pub hops: Vec<Hop>,
    /// Where it ends.
    #[serde(flatten)]
    pub outcome: PathEnd,
    /// Interactive nodes (question, step, article) on the path: how many
    /// times the user must press something.
    pub interactive_steps: usize,
}

/// All paths of one flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Simulation {
    /// The flow's id.
    pub flow_id: String,
    /// Paths in depth-first order of the authored edges.
    pub paths: Vec<SimPath>,
    /// True when the cap was hit and more paths exist.
    pub truncated: bool,
}

impl Simulation {
    /// Paths ending in a ticket.
    pub fn ticket_paths(&self) -> usize {
        self.paths
            .iter()
            .filter(|p| matches!(p.outcome, PathEnd::Ticket { .. }))
            .count()
    }

    /// One line, e.g. `flow "wifi-band": 3 of 11 paths end in a ticket (6 resolved, 2 loop back)`.
    pub fn summary(&self) -> String {
        let count = |f: fn(&PathEnd) -> bool| self.paths.iter().filter(|p| f(&p.outcome)).count();
        let resolved = count(|o| matches!(o, PathEnd::Resolved));
        let loops = count(|o| matches!(o, PathEnd::Loop { .. }));
        let dead = count(|o| matches!(o, PathEnd::DeadEnd { .. }));
        let total = if self.truncated {
            format!("at least {}", self.paths.len())
        } else {
            self.paths.len().to_string()
        };
        let mut parts = vec![format!("{resolved} resolved")];
        if loops > 0 {
            parts.push(format!("{loops} loop back"));
        }
        if dead > 0 {
            parts.push(format!("{dead} dead end"));
        }
        let mut s = format!(
            "flow {:?}: {} of {} paths end in a ticket ({})",
            self.flow_id,
            self.ticket_paths(),
            total,
            parts.join(", ")
        );
        if self.truncated {
            s.push_str(&format!(
                "; listing stopped after {} paths",
                self.paths.len()
            ));
        }
        s
    }
}

/// What the current path knows: the variables its answers set and the
/// results of the checks it passed through. A session starts empty, so
/// along one path this is exact, and branches can be evaluated.
#[derive(Default)]
struct Env {
    vars: BTreeMap<String, Value>,
    checks: BTreeMap<String, String>,
}

/// How to undo one change to [`Env`] when the walk backs out of a node.
/// An undo log instead of a copy per frame keeps long paths linear.
enum Undo {
    Var(String, Option<Value>),
    Check(String, Option<String>),
}

impl Env {
    fn undo(&mut self, log: Vec<Undo>) {
        for u in log.into_iter().rev() {
            match u {
                Undo::Var(k, Some(v)) => {
                    self.vars.insert(k, v);
                }
                Undo::Var(k, None) => {
                    self.vars.remove(&k);
                }
                Undo::Check(k, Some(v)) => {
                    self.checks.insert(k, v);
                }
                Undo::Check(k, None) => {
                    self.checks.remove(&k);
                }
            }
        }
    }

    /// Applies taking edge `index` out of `node` (with id `id`); returns how
    /// to undo it.
    fn apply_edge(&mut self, id: &str, node: &Node, index: usize) -> Vec<Undo> {
        let mut log = Vec::new();
        match node {
            Node::Question(q) => {
                if let Some(c) = q.choices.get(index) {
                    for (k, v) in &c.set {
                        log.push(Undo::Var(k.clone(), self.vars.insert(k.clone(), v.clone())));
                    }
                }
            }
            Node::Check(_) => {
                let result = ["pass", "fail", "error"]
                    .get(index)
                    .copied()
                    .unwrap_or("error");
                let old = self.checks.insert(id.to_string(), result.to_string());
                log.push(Undo::Check(id.to_string(), old));
            }
            _ => {}
        }
        log
    }

    /// The edges a walk may take from `node`: a branch takes exactly the
    /// edge the engine would; a branch whose condition does not parse (the
    /// validator reports it) may take any.
    fn allowed_edges(&self, node: &Node) -> Vec<usize> {
        let all: Vec<usize> = (0..node.edge_count()).collect();
        let Node::Branch(b) = node else { return all };
        for (i, case) in b.cases.iter().enumerate() {
            let Ok(expr) = parse_condition(&case.when) else {
                return all;
            };
            let holds = expr.eval(&|name: &str| match name.strip_prefix(CHECK_PREFIX) {
                Some(id) => self.checks.get(id).map(|r| Value::Str(r.clone())),
                None => self.vars.get(name).cloned(),
            });
            if holds {
                return vec![i];
            }
        }
        vec![b.cases.len()]
    }
}

/// One frame of the depth-first walk.
struct Frame<'f> {
    id: &'f str,
    node: &'f Node,
    /// The edges this path may take from here, and how many were tried.
    allowed: Vec<usize>,
    tried: usize,
    /// The edge last taken, for the listing.
    taken: Option<usize>,
    /// Undoes the changes of the edge that led here.
    undo: Vec<Undo>,
}

struct Walk<'f> {
    flow: &'f Flow,
    sim: Simulation,
    stack: Vec<Frame<'f>>,
    on_path: HashSet<&'f str>,
    env: Env,
    hops_listed: usize,
}

impl<'f> Walk<'f> {
    fn record(&mut self, outcome: PathEnd, last: Option<&str>) {
        let mut hops: Vec<Hop> = self
            .stack
            .iter()
            .map(|f| Hop {
                node: f.id.to_string(),
                via: f
                    .taken
                    .and_then(|t| f.node.edges().get(t).map(|e| e.label.clone())),
                edge: f.taken,
            })
            .collect();
        if let Some(l) = last {
            hops.push(Hop {
                node: l.to_string(),
                via: None,
                edge: None,
            });
        }
        let interactive_steps = hops
            .iter()
            .filter(|h| {
                self.flow
                    .nodes
                    .get(&h.node)
                    .is_some_and(|n| n.kind().is_interactive())
            })
            .count();
        self.hops_listed += hops.len();
        self.sim.paths.push(SimPath {
            hops,
            outcome,
            interactive_steps,
        });
    }

    /// Arriving at `target` either ends a path (and undoes the edge that led
    /// here at once) or pushes a frame that owns the undo log.
    fn arrive(&mut self, target: &'f str, undo: Vec<Undo>) {
        let (outcome, last) = match self.flow.nodes.get_key_value(target) {
            None => (
                PathEnd::DeadEnd {
                    missing: target.to_string(),
                },
                None,
            ),
            Some(_) if self.on_path.contains(target) => (
                PathEnd::Loop {
                    back_to: target.to_string(),
                },
                None,
            ),
            Some((_, Node::Resolved(_))) => (PathEnd::Resolved, Some(target)),
            Some((_, Node::Ticket(t))) => (
                PathEnd::Ticket {
                    priority: t.priority,
                    category: t.category.clone(),
                },
                Some(target),
            ),
            Some((id, node)) => {
                self.on_path.insert(id.as_str());
                let allowed = self.env.allowed_edges(node);
                self.stack.push(Frame {
                    id,
                    node,
                    allowed,
                    tried: 0,
                    taken: None,
                    undo,
                });
                return;
            }
        };
        self.record(outcome, last);
        self.env.undo(undo);
    }
}

/// Lists the distinct paths of `flow`, at most `max_paths` of them.
/// Branches are evaluated with what each path has set, as the engine would,
/// so paths no user can take are not listed.
pub fn simulate(flow: &Flow, max_paths: usize) -> Simulation {
    let mut w = Walk {
        flow,
        sim: Simulation {
            flow_id: flow.id.clone(),
            paths: Vec::new(),
            truncated: false,
        },
        stack: Vec::new(),
        on_path: HashSet::new(),
        env: Env::default(),
        hops_listed: 0,
    };
    let mut steps = 0usize;
    w.arrive(&flow.start, Vec::new());
    while let Some(top) = w.stack.last_mut() {
        if w.sim.paths.len() >= max_paths
            || steps >= MAX_WALK_STEPS
            || w.hops_listed >= MAX_LISTED_HOPS
        {
            w.sim.truncated = true;
            break;
        }
        match top.allowed.get(top.tried).copied() {
            Some(edge) => {
                steps += 1;
                top.tried += 1;
                top.taken = Some(edge);
                let (id, node) = (top.id, top.node);
                let undo = w.env.apply_edge(id, node, edge);
                w.arrive(node.edge_target(edge).unwrap_or_default(), undo);
            }
            None => {
                let frame = w.stack.pop().expect("top exists");
                w.on_path.remove(frame.id);
                w.env.undo(frame.undo);
            }
        }
    }
    w.sim
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::flow::parse::{parse_source, SourceFormat};

    fn flow(src: &str) -> Flow {
        let p = parse_source(src, SourceFormat::Yaml, "t.yaml");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        p.flow.unwrap()
    }

    const SRC: &str = r#"
version: 1
id: t
title: T
start: q
nodes:
  q:
    kind: question
    text: Which?
    choices:
      - {label: A, next: c}
      - {label: B, next: s}
      - {label: Again, next: q}
  c:
    kind: check
    check: browser.online
    pass: ok
    fail: s
  s:
    kind: step
    text: Do it
    fixed: ok
    not_fixed: t
  ok: {kind: resolved}
  t: {kind: ticket, category: x, priority: howto}
"#;

    #[test]
    fn lists_every_path_with_its_outcome() {
        let sim = simulate(&flow(SRC), 100);
        let outcomes: Vec<String> = sim.paths.iter().map(|p| p.outcome.label()).collect();
        assert_eq!(
            outcomes,
            vec![
                "resolved",
                "resolved",
                "ticket (howto)",
                "resolved",
                "ticket (howto)",
                "loop back to \"q\""
            ]
        );
        assert_eq!(sim.ticket_paths(), 2);
        assert!(!sim.truncated);
        assert_eq!(
            sim.summary(),
            "flow \"t\": 2 of 6 paths end in a ticket (3 resolved, 1 loop back)"
        );
        let first = &sim.paths[0];
        let hops: Vec<_> = first
            .hops
            .iter()
            .map(|h| (h.node.as_str(), h.via.as_deref()))
            .collect();
        assert_eq!(
            hops,
            vec![("q", Some("\"A\"")), ("c", Some("pass")), ("ok", None)]
        );
        assert_eq!(first.interactive_steps, 1);
    }

    #[test]
    fn caps_exponential_graphs_and_says_so() {
        // 30 questions in a row, each with two answers to the next: 2^30 paths.
        let mut src = String::from("version: 1\nid: big\ntitle: Big\nstart: q0\nnodes:\n");
        for i in 0..30 {
            src.push_str(&format!(
                "  q{i}:\n    kind: question\n    text: Q\n    choices:\n      - {{label: A, next: q{n}}}\n      - {{label: B, next: q{n}}}\n",
                n = i + 1
            ));
        }
        src.push_str("  q30: {kind: resolved}\n");
        let sim = simulate(&flow(&src), 500);
        assert_eq!(sim.paths.len(), 500);
        assert!(sim.truncated);
        assert!(sim.summary().contains("at least 500"));
    }
}
