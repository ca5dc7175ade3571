//! Semantic checks on a parsed flow: references, reachability, endless
//! cycles, variables, checks, articles, links and translations.
//!
//! Graph checks are iterative (no recursion), so a thousand-node cycle costs
//! a few microseconds and no stack.

use super::diagnostics::{suggest, Code, Diagnostic};
use super::parse::{is_valid_check_name, is_valid_id, split_node_path, Parsed};
use super::paths::{simulate, DEFAULT_MAX_PATHS};
use super::Linted;
use crate::core::flow::expr::{parse_condition, CHECK_PREFIX};
use crate::core::flow::format::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// More interactive steps than this on one path, before any end, is a
/// `long-path` warning: users must not be trapped pressing buttons.
pub const MAX_INTERACTIVE_STEPS: usize = 8;

/// Check names reserved for built-in checks; hosts may not declare these namespaces.
pub const RESERVED_CHECK_PREFIXES: &[&str] = &[
    "browser.", "storage.", "clock.", "http.", "page.", "screen.",
];

/// What the validator knows beyond the file itself.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Check names the host registers for every flow (`--host-checks`).
    pub host_checks: Vec<String>,
    /// Known article ids; `None` skips the article check (`--articles`).
    pub articles: Option<BTreeSet<String>>,
}

struct Ctx<'a> {
    parsed: &'a Parsed,
    flow: &'a Flow,
    out: Vec<Diagnostic>,
    /// Node ids in file order, computed once.
    order: Vec<&'a str>,
}

impl<'a> Ctx<'a> {
    fn at(&mut self, code: Code, path: &str, message: String) -> &mut Diagnostic {
        let mut d = Diagnostic::new(code, &self.parsed.file, message);
        if let Some((l, c)) = self.parsed.position(path) {
            d.line = Some(l);
            d.column = Some(c);
        }
        d.flow_id = (!self.flow.id.is_empty()).then(|| self.flow.id.clone());
        let (node, field) = split_node_path(path);
        d.node_id = node;
        d.field = field;
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn node_ids(&self) -> impl Iterator<Item = &'a str> {
        let (flow, parsed) = (self.flow, self.parsed);
        flow.nodes
            .keys()
            .map(String::as_str)
            .chain(parsed.opaque_nodes.keys().map(String::as_str))
    }

    fn exists(&self, id: &str) -> bool {
        self.flow.nodes.contains_key(id) || self.parsed.opaque_nodes.contains_key(id)
    }

    /// Nodes in file order (by position), for stable, readable output.
    fn ordered_ids(&self) -> Vec<&'a str> {
        self.order.clone()
    }

    /// True when parsing already reported something on this path.
    fn parse_reported(&self, path: &str) -> bool {
        let (node, field) = split_node_path(path);
        self.parsed
            .diagnostics
            .iter()
            .any(|d| d.node_id == node && d.field == field)
    }
}

/// Runs every semantic check on a parsed flow. Structural diagnostics from
/// parsing are not repeated here.
pub fn validate(parsed: &Parsed, opts: &LintOptions) -> Vec<Diagnostic> {
    let Some(flow) = &parsed.flow else {
        return Vec::new();
    };
    let mut order: Vec<&str> = flow.nodes.keys().map(String::as_str).collect();
    order.sort_by_cached_key(|id| {
        parsed
            .position(&format!("nodes.{id}"))
            .unwrap_or((u32::MAX, 0))
    });
    let mut cx = Ctx {
        parsed,
        flow,
        out: Vec::new(),
        order,
    };
    check_references(&mut cx);
    check_checks(&mut cx, opts);
    check_articles(&mut cx, opts);
    check_variables(&mut cx);
    check_texts(&mut cx);
    check_translations(&mut cx);
    if flow.nodes.contains_key(&flow.start) || parsed.opaque_nodes.contains_key(&flow.start) {
        check_graph(&mut cx);
    }
    let mut out = cx.out;
    sort_diagnostics(&mut out);
    out
}

/// Sorts by file, line, column, then code, for stable output.
pub fn sort_diagnostics(d: &mut [Diagnostic]) {
    d.sort_by(|a, b| {
        (&a.file, a.line.unwrap_or(0), a.column.unwrap_or(0), a.code).cmp(&(
            &b.file,
            b.line.unwrap_or(0),
            b.column.unwrap_or(0),
            b.code,
        ))
    });
}

fn check_references(cx: &mut Ctx<'_>) {
    let flow = cx.flow;
    // With no nodes at all (already reported), every start would be unknown.
    let no_nodes = flow.nodes.is_empty() && cx.parsed.opaque_nodes.is_empty();
    if !flow.start.is_empty() && !no_nodes && !cx.exists(&flow.start) {
        let s = suggest(&flow.start, cx.node_ids());
        cx.at(
            Code::UnknownNode,
            "start",
            format!(
                "the flow starts at {:?}, but there is no node with that id",
                flow.start
            ),
        )
        .suggestion = s;
    }
    for id in cx.ordered_ids() {
        let node = &flow.nodes[id];
        for e in node.edges() {
            if e.target.is_empty() || cx.exists(e.target) {
                continue;
            }
            let s = suggest(e.target, cx.node_ids());
            let path = format!("nodes.{id}.{}", e.field);
            cx.at(
                Code::UnknownNode,
                &path,
                format!("no node named {:?}", e.target),
            )
            .suggestion = s;
        }
        if let Node::Question(q) = node {
            let path = format!("nodes.{id}.choices");
            if q.choices.is_empty() && !cx.parse_reported(&path) {
                cx.at(
                    Code::EmptyChoices,
                    &path,
                    "a question needs at least one choice".into(),
                );
            }
        }
        if let Node::Branch(b) = node {
            let path = format!("nodes.{id}.cases");
            if b.cases.is_empty() && !cx.parse_reported(&path) {
                cx.at(
                    Code::EmptyChoices,
                    &path,
                    "a branch needs at least one case (or point to the else node directly)".into(),
                );
            }
        }
    }
}

fn check_checks(cx: &mut Ctx<'_>, opts: &LintOptions) {
    let flow = cx.flow;
    let mut declared: BTreeSet<&str> = BTreeSet::new();
    for (i, name) in flow.host_checks.iter().enumerate() {
        let path = format!("host_checks[{i}]");
        if !is_valid_check_name(name) {
            cx.at(
                Code::InvalidValue,
                &path,
                format!("{name:?} is not a check name: use dot-separated lowercase words, e.g. \"lumen.app_signed_in\""),
            );
        } else if builtin_check(name).is_some() {
            cx.at(
                Code::InvalidValue,
                &path,
                format!("{name:?} is built in; remove it from host_checks"),
            );
        } else if let Some(p) = RESERVED_CHECK_PREFIXES
            .iter()
            .find(|p| name.starts_with(**p))
        {
            cx.at(
                Code::InvalidValue,
                &path,
                format!("{name:?} uses the reserved prefix {p:?}; name host checks after your product, e.g. \"lumen.{}\"", &name[p.len()..]),
            );
        }
        if !declared.insert(name) {
            cx.at(
                Code::DuplicateKey,
                &path,
                format!("{name:?} is declared twice"),
            );
        }
    }
    let known: Vec<&str> = BUILTIN_CHECKS
        .iter()
        .map(|c| c.name)
        .chain(declared.iter().copied())
        .chain(opts.host_checks.iter().map(String::as_str))
        .collect();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for id in cx.ordered_ids() {
        let Node::Check(c) = &flow.nodes[id] else {
            continue;
        };
        let path = format!("nodes.{id}.check");
        used.insert(c.check.as_str());
        if c.check.is_empty() {
            continue;
        }
        if let Some(b) = builtin_check(&c.check) {
            check_builtin_args(cx, id, c, b);
        } else if !known.contains(&c.check.as_str()) {
            let s = suggest(&c.check, known.iter().copied());
            // The typo was meant for the suggested check: it counts as used.
            if let Some(meant) = s.as_deref().and_then(|m| known.iter().find(|k| **k == m)) {
                used.insert(meant);
            }
            let msg = format!(
                "unknown check {:?}: it is not built in ({}) and not declared in host_checks",
                c.check,
                BUILTIN_CHECKS
                    .iter()
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            cx.at(Code::UnknownCheck, &path, msg).suggestion = s;
        }
    }
    for (i, name) in flow.host_checks.iter().enumerate() {
        if !used.contains(name.as_str())
            && is_valid_check_name(name)
            && builtin_check(name).is_none()
        {
            cx.at(
                Code::UnusedHostCheck,
                &format!("host_checks[{i}]"),
                format!("host check {name:?} is declared but no check node uses it"),
            );
        }
    }
}

fn check_builtin_args(cx: &mut Ctx<'_>, id: &str, c: &Check, b: &BuiltinCheck) {
    let args_path = format!("nodes.{id}.args");
    if cx.parse_reported(&args_path) {
        return;
    }
    for req in b.required_args {
        if !c.args.contains_key(*req) {
            cx.at(
                Code::BadCheckArgs,
                &args_path,
                format!("check {:?} needs the argument {req:?}", b.name),
            );
        }
    }
    let allowed: Vec<&str> = b
        .required_args
        .iter()
        .chain(b.optional_args)
        .copied()
        .collect();
    for (k, v) in &c.args {
        let path = format!("{args_path}.{k}");
        if !allowed.contains(&k.as_str()) {
            let s = suggest(k, allowed.iter().copied());
            let accepts = if allowed.is_empty() {
                "no arguments".to_string()
            } else {
                allowed.join(", ")
            };
            cx.at(
                Code::BadCheckArgs,
                &path,
                format!(
                    "check {:?} has no argument {k:?}; it takes {accepts}",
                    b.name
                ),
            )
            .suggestion = s;
            continue;
        }
        match k.as_str() {
            "url" if !(v.starts_with("https://") || v.starts_with("http://")) || v.len() > 2048 => {
                cx.at(
                    Code::BadCheckArgs,
                    &path,
                    format!("{v:?} is not an http(s) URL"),
                );
            }
            "max_seconds" | "timeout_ms" | "min_major" | "min_width" | "min_height"
                if !v.parse::<u32>().is_ok_and(|n| n > 0) =>
            {
                cx.at(
                    Code::BadCheckArgs,
                    &path,
                    format!("{k:?} must be a positive whole number, found {v:?}"),
                );
            }
            "browser" => {
                let names = crate::core::checks::browser_names(v);
                if let Some(bad) = names
                    .iter()
                    .find(|n| !crate::core::checks::is_known_browser(n))
                {
                    let known = crate::core::checks::KNOWN_BROWSERS;
                    cx.at(
                        Code::BadCheckArgs,
                        &path,
                        format!(
                            "\"{bad}\" is not a browser this check knows; use {}",
                            known.join(", ")
                        ),
                    )
                    .suggestion = suggest(bad, known.iter().copied());
                } else if names.is_empty() {
                    cx.at(Code::BadCheckArgs, &path, "names no browser".to_string());
                }
            }
            _ => {}
        }
    }
}

fn check_articles(cx: &mut Ctx<'_>, opts: &LintOptions) {
    for id in cx.ordered_ids() {
        let (article, field) = match &cx.flow.nodes[id] {
            Node::Step(s) => match &s.article {
                Some(a) => (a.as_str(), "article"),
                None => continue,
            },
            Node::Article(a) => (a.article.as_str(), "article"),
            _ => continue,
        };
        if article.is_empty() {
            continue;
        }
        let path = format!("nodes.{id}.{field}");
        if !is_valid_id(article) {
            cx.at(
                Code::InvalidValue,
                &path,
                format!("{article:?} is not an article id (letters, digits, '_' and '-')"),
            );
            continue;
        }
        if let Some(known) = &opts.articles {
            if !known.contains(article) {
                let s = suggest(article, known.iter().map(String::as_str));
                cx.at(
                    Code::UnknownArticle,
                    &path,
                    format!("no article with id {article:?} in the articles folder"),
                )
                .suggestion = s;
            }
        }
    }
}

fn check_variables(cx: &mut Ctx<'_>) {
    let flow = cx.flow;
    // Where each variable is first set, for the unused-variable warning.
    let mut set_at: BTreeMap<&str, String> = BTreeMap::new();
    for id in cx.ordered_ids() {
        if let Node::Question(q) = &flow.nodes[id] {
            for (i, c) in q.choices.iter().enumerate() {
                for k in c.set.keys() {
                    set_at
                        .entry(k.as_str())
                        .or_insert_with(|| format!("nodes.{id}.choices[{i}].set.{k}"));
                }
            }
        }
    }
    let mut read: BTreeSet<String> = BTreeSet::new();
    // A condition that does not parse may read anything.
    let mut unreadable = false;
    for id in cx.ordered_ids() {
        let Node::Branch(b) = &flow.nodes[id] else {
            continue;
        };
        for (i, case) in b.cases.iter().enumerate() {
            let path = format!("nodes.{id}.cases[{i}].when");
            if case.when.is_empty() {
                continue;
            }
            let expr = match parse_condition(&case.when) {
                Ok(e) => e,
                Err(e) => {
                    cx.at(Code::BadCondition, &path, format!("{:?}: {e}", case.when));
                    unreadable = true;
                    continue;
                }
            };
            for name in expr.names() {
                if let Some(node) = name.strip_prefix(CHECK_PREFIX) {
                    match flow.nodes.get(node) {
                        Some(Node::Check(_)) => {}
                        Some(other) => {
                            cx.at(
                                Code::BadCondition,
                                &path,
                                format!(
                                    "{name:?} reads a check result, but {node:?} is a {} node",
                                    other.kind()
                                ),
                            );
                        }
                        None if cx.parsed.opaque_nodes.contains_key(node) => {}
                        None => {
                            let checks = flow
                                .nodes
                                .iter()
                                .filter(|(_, n)| matches!(n, Node::Check(_)))
                                .map(|(k, _)| k.as_str());
                            let s = suggest(node, checks).map(|s| format!("{CHECK_PREFIX}{s}"));
                            cx.at(
                                Code::BadCondition,
                                &path,
                                format!("{name:?}: there is no check node {node:?}"),
                            )
                            .suggestion = s;
                        }
                    }
                    continue;
                }
                read.insert(name.to_string());
                if !set_at.contains_key(name) {
                    let s = suggest(name, set_at.keys().copied());
                    // The misspelt read was meant for the suggested
                    // variable; don't also call that one unused.
                    if let Some(meant) = &s {
                        read.insert(meant.clone());
                    }
                    cx.at(
                        Code::UnsetVariable,
                        &path,
                        format!("the condition reads the variable {name:?}, but no choice sets it"),
                    )
                    .suggestion = s;
                }
            }
        }
    }
    if unreadable {
        return;
    }
    for (name, path) in set_at {
        if !read.contains(name) {
            cx.at(
                Code::UnusedVariable,
                &path,
                format!("the variable {name:?} is set but no branch reads it"),
            );
        }
    }
}

/// Markdown link targets in `text`, with a scheme other than http(s)/mailto.
fn unsafe_links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].trim();
        let target = target.split_whitespace().next().unwrap_or("");
        if let Some(colon) = target.find(':') {
            let scheme = target[..colon].to_ascii_lowercase();
            let before_slash = !target[..colon].contains('/');
            if before_slash && !matches!(scheme.as_str(), "http" | "https" | "mailto") {
                out.push(target.to_string());
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

fn check_texts(cx: &mut Ctx<'_>) {
    let flow = cx.flow;
    let mut texts: Vec<(String, &str)> = vec![
        ("title".into(), flow.title.as_str()),
        ("description".into(), flow.description.as_str()),
    ];
    for (id, node) in &flow.nodes {
        if let Some(t) = node.text() {
            texts.push((format!("nodes.{id}.text"), t));
        }
        if let Node::Question(q) = node {
            for (i, c) in q.choices.iter().enumerate() {
                texts.push((format!("nodes.{id}.choices[{i}].label"), c.label.as_str()));
            }
        }
    }
    for (loc, tr) in &flow.translations {
        for (nid, nt) in &tr.nodes {
            if let Some(t) = &nt.text {
                texts.push((format!("translations.{loc}.nodes.{nid}.text"), t.as_str()));
            }
        }
    }
    for (path, text) in texts {
        for link in unsafe_links(text) {
            cx.at(
                Code::UnsafeLink,
                &path,
                format!("link {link:?} is not allowed: links must be http, https or mailto"),
            );
        }
    }
}

fn check_translations(cx: &mut Ctx<'_>) {
    let flow = cx.flow;
    for (loc, tr) in &flow.translations {
        let base = format!("translations.{loc}");
        if *loc == flow.locale {
            cx.at(
                Code::BadTranslation,
                &base,
                format!("{loc:?} is the flow's own locale; edit the texts directly instead"),
            );
        }
        for (nid, nt) in &tr.nodes {
            let path = format!("{base}.nodes.{nid}");
            let Some(node) = flow.nodes.get(nid) else {
                if !cx.parsed.opaque_nodes.contains_key(nid) {
                    let s = suggest(nid, flow.nodes.keys().map(String::as_str));
                    cx.at(
                        Code::BadTranslation,
                        &path,
                        format!("translates node {nid:?}, which the flow does not have"),
                    )
                    .suggestion = s;
                }
                continue;
            };
            if nt.text.is_some() && matches!(node, Node::Branch(_)) {
                cx.at(
                    Code::BadTranslation,
                    &format!("{path}.text"),
                    "a branch node has no text to translate".into(),
                );
            }
            match node {
                Node::Question(q) if nt.choices.len() > q.choices.len() => {
                    cx.at(
                        Code::BadTranslation,
                        &format!("{path}.choices"),
                        format!(
                            "{} choice labels, but the question has {} choices",
                            nt.choices.len(),
                            q.choices.len()
                        ),
                    );
                }
                Node::Question(_) => {}
                _ if !nt.choices.is_empty() => {
                    cx.at(
                        Code::BadTranslation,
                        &format!("{path}.choices"),
                        format!("node {nid:?} is a {} node and has no choices", node.kind()),
                    );
                }
                _ => {}
            }
            let field_ids: Vec<&str> = match node {
                Node::Ticket(t) => t.fields.iter().map(|f| f.id.as_str()).collect(),
                _ => Vec::new(),
            };
            for k in nt.fields.keys() {
                if !field_ids.contains(&k.as_str()) {
                    let s = suggest(k, field_ids.iter().copied());
                    cx.at(
                        Code::BadTranslation,
                        &format!("{path}.fields.{k}"),
                        format!("node {nid:?} has no ticket field {k:?}"),
                    )
                    .suggestion = s;
                }
            }
        }
    }
}

fn check_graph(cx: &mut Ctx<'_>) {
    let flow = cx.flow;
    let opaque = &cx.parsed.opaque_nodes;
    // Sorted, so later lookups can binary-search.
    let mut ids: Vec<&str> = flow
        .nodes
        .keys()
        .chain(opaque.keys())
        .map(String::as_str)
        .collect();
    ids.sort_unstable();
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let n = ids.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Nodes with a broken reference (already reported) count as possible
    // ends, and a misspelt target is read as its likely intended node, so
    // one typo does not also produce unreachable/no-exit noise. Unreadable
    // nodes count as possible ends too: their kind is unknown.
    let mut broken: Vec<bool> = ids.iter().map(|id| opaque.contains_key(*id)).collect();
    for (i, id) in ids.iter().enumerate() {
        let targets: Vec<&str> = match flow.nodes.get(*id) {
            Some(node) => node.edges().iter().map(|e| e.target).collect(),
            None => opaque[*id].iter().map(String::as_str).collect(),
        };
        for t in targets {
            let target = match index.get(t) {
                Some(&j) => Some(j),
                None => {
                    broken[i] = true;
                    suggest(t, ids.iter().copied()).and_then(|s| index.get(s.as_str()).copied())
                }
            };
            if let Some(j) = target {
                succ[i].push(j);
                pred[j].push(i);
            }
        }
    }
    // A required route is missing (already reported): what it would reach
    // is unknown, so checks that need the whole graph are skipped.
    let incomplete = flow
        .nodes
        .values()
        .any(|node| node.edges().iter().any(|e| e.target.is_empty()));
    let start = index[flow.start.as_str()];
    let reachable = bfs(&[start], &succ, n);
    let kind = |i: usize| flow.nodes.get(ids[i]).map(Node::kind);
    let ends: Vec<usize> = (0..n)
        .filter(|&i| broken[i] || kind(i).is_some_and(NodeKind::is_end))
        .collect();
    let can_end = bfs(&ends, &pred, n);

    for id in cx.ordered_ids() {
        let i = index[id];
        if !reachable[i] && !incomplete {
            cx.at(
                Code::UnreachableNode,
                &format!("nodes.{id}"),
                "no path from start reaches this node".into(),
            );
        }
    }

    // Stuck nodes: reachable, but no end is reachable from them. Report one
    // diagnostic per group of connected stuck nodes, not one per node.
    let stuck: Vec<bool> = (0..n).map(|i| reachable[i] && !can_end[i]).collect();
    let mut group = vec![usize::MAX; n];
    for id in cx.ordered_ids() {
        let root = index[id];
        if !stuck[root] || group[root] != usize::MAX {
            continue;
        }
        let mut queue = VecDeque::from([root]);
        group[root] = root;
        let mut size = 0;
        while let Some(x) = queue.pop_front() {
            size += 1;
            for &y in succ[x].iter().chain(&pred[x]) {
                if stuck[y] && group[y] == usize::MAX {
                    group[y] = root;
                    queue.push_back(y);
                }
            }
        }
        // Walk forward inside the group until a node repeats: that is a cycle
        // to show the author. Every stuck node has a stuck successor (ends
        // are never stuck, and missing targets are reported separately).
        let mut seen_at: HashMap<usize, usize> = HashMap::new();
        let mut walk = vec![root];
        let mut x = root;
        let cycle = loop {
            seen_at.insert(x, walk.len() - 1);
            let Some(&y) = succ[x].iter().find(|&&y| stuck[y]) else {
                break None;
            };
            if let Some(&pos) = seen_at.get(&y) {
                let mut c: Vec<&str> = walk[pos..].iter().map(|&k| ids[k]).collect();
                c.push(ids[y]);
                break Some(c);
            }
            walk.push(y);
            x = y;
        };
        let shown = match cycle {
            Some(c) if c.len() <= 8 => c.join(" -> "),
            Some(c) => format!(
                "{} -> … -> {} ({} nodes)",
                c[..3].join(" -> "),
                c[c.len() - 1],
                c.len() - 1
            ),
            None => String::from("a dead end"),
        };
        let others = if size > 1 {
            format!(" ({} nodes are stuck here)", size)
        } else {
            String::new()
        };
        cx.at(
            Code::NoExit,
            &format!("nodes.{id}"),
            format!("no path from here reaches a resolved or ticket node; users would loop forever: {shown}{others}"),
        );
    }

    check_branch_loops(cx, &ids, &succ);

    let ticket_reachable = (0..n).any(|i| {
        reachable[i] && (opaque.contains_key(ids[i]) || kind(i) == Some(NodeKind::Ticket))
    });
    if !ticket_reachable && !incomplete {
        cx.at(
            Code::NoTicket,
            "start",
            "no path ends in a ticket: users this flow cannot help have no way to reach a person"
                .into(),
        );
    }

    if incomplete {
        return;
    }
    let sim = simulate(flow, DEFAULT_MAX_PATHS);
    if let Some(p) = sim
        .paths
        .iter()
        .find(|p| p.interactive_steps > MAX_INTERACTIVE_STEPS)
    {
        // Point at the node where the limit is crossed.
        let mut count = 0;
        let mut at = p.hops[0].node.clone();
        for h in &p.hops {
            if flow
                .nodes
                .get(&h.node)
                .is_some_and(|n| n.kind().is_interactive())
            {
                count += 1;
                if count > MAX_INTERACTIVE_STEPS {
                    at = h.node.clone();
                    break;
                }
            }
        }
        let route: Vec<&str> = p.hops.iter().map(|h| h.node.as_str()).collect();
        cx.at(
            Code::LongPath,
            &format!("nodes.{at}"),
            format!(
                "a path asks {} interactive steps before it ends (more than {MAX_INTERACTIVE_STEPS}): {}",
                p.interactive_steps,
                route.join(" -> ")
            ),
        );
    }
}

/// A cycle made only of branch nodes never changes any variable, so once
/// entered it spins forever.
fn check_branch_loops(cx: &mut Ctx<'_>, ids: &[&str], succ: &[Vec<usize>]) {
    let flow = cx.flow;
    let n = ids.len();
    let is_branch: Vec<bool> = ids
        .iter()
        .map(|id| {
            flow.nodes
                .get(*id)
                .is_some_and(|n| n.kind() == NodeKind::Branch)
        })
        .collect();
    // Peel branch nodes with no branch successor until none is left; what
    // remains has a branch successor everywhere, so it contains a cycle.
    let mut out_deg: Vec<usize> = (0..n)
        .map(|i| {
            if is_branch[i] {
                succ[i].iter().filter(|&&j| is_branch[j]).count()
            } else {
                0
            }
        })
        .collect();
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        if is_branch[i] {
            for &j in &succ[i] {
                if is_branch[j] {
                    pred[j].push(i);
                }
            }
        }
    }
    let mut alive = is_branch.clone();
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| alive[i] && out_deg[i] == 0).collect();
    while let Some(x) = queue.pop_front() {
        if !alive[x] {
            continue;
        }
        alive[x] = false;
        for &p in &pred[x] {
            if alive[p] {
                out_deg[p] -= succ[p].iter().filter(|&&j| j == x).count();
                if out_deg[p] == 0 {
                    queue.push_back(p);
                }
            }
        }
    }
    let mut reported = vec![false; n];
    for id in cx.ordered_ids() {
        let Ok(start) = ids.binary_search(&id) else {
            continue;
        };
        if !alive[start] || reported[start] {
            continue;
        }
        let mut walk = vec![start];
        let mut x = start;
        let cycle = loop {
            let Some(&y) = succ[x].iter().find(|&&y| alive[y]) else {
                break Vec::new();
            };
            if let Some(pos) = walk.iter().position(|&k| k == y) {
                let mut c: Vec<usize> = walk[pos..].to_vec();
                c.push(y);
                break c;
            }
            walk.push(y);
            x = y;
        };
        for &k in &walk {
            reported[k] = true;
        }
        if cycle.is_empty() {
            continue;
        }
        let names: Vec<&str> = cycle.iter().map(|&k| ids[k]).collect();
        let first = names[0];
        cx.at(
            Code::BranchLoop,
            &format!("nodes.{first}"),
            format!("branch nodes route to each other in a cycle ({}); nothing changes inside it, so it would never end", names.join(" -> ")),
        );
    }
}

fn bfs(from: &[usize], adj: &[Vec<usize>], n: usize) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &f in from {
        if !seen[f] {
            seen[f] = true;
            queue.push_back(f);
        }
    }
    while let Some(x) = queue.pop_front() {
        for &y in &adj[x] {
            if !seen[y] {
                seen[y] = true;
                queue.push_back(y);
            }
        }
    }
    seen
}

/// Reports flow ids defined by more than one file, at the later file.
pub fn lint_duplicate_ids(files: &[Linted]) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for checked in files {
        let Some(flow) = &checked.flow else { continue };
        let (file, id, pos) = (&checked.file, &flow.id, &checked.id_position);
        if id.is_empty() {
            continue;
        }
        match first.get(id.as_str()) {
            None => {
                first.insert(id, file);
            }
            Some(other) => {
                let mut d = Diagnostic::new(
                    Code::DuplicateFlowId,
                    file,
                    format!("flow id {id:?} is already used by {other}; flow ids must be unique"),
                );
                d.flow_id = Some(id.clone());
                d.field = Some("id".into());
                if let Some((l, c)) = pos {
                    d.line = Some(*l);
                    d.column = Some(*c);
                }
                out.push(d);
            }
        }
    }
    out
}
