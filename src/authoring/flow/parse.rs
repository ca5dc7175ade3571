//! Reading a flow file: YAML or JSON text → [`Flow`], reporting every
//! structural mistake (syntax, unknown fields, wrong types, missing fields,
//! duplicate keys) with its position, instead of stopping at the first.

use super::diagnostics::{suggest, Code, Diagnostic};
use super::tree::{
    scan_json, scan_yaml, Budget, SourceMap, Tree, TreeSeed, BUDGET_MESSAGE, EXPANSION_BUDGET,
};
use crate::core::flow::format::*;
use crate::core::map::Map;
use serde::de::DeserializeSeed;
use std::collections::{BTreeMap, BTreeSet};

/// Largest flow file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Most nodes one flow may have.
pub const MAX_NODES: usize = 10_000;
/// Longest id (flow, node, variable, field) accepted.
pub const MAX_ID_LEN: usize = 64;

/// How a flow file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// `.yaml` / `.yml`
    Yaml,
    /// `.json`
    Json,
}

impl SourceFormat {
    /// The format for a file name, by extension; `None` for other files.
    pub fn from_file_name(name: &str) -> Option<SourceFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(SourceFormat::Yaml)
        } else if lower.ends_with(".json") {
            Some(SourceFormat::Json)
        } else {
            None
        }
    }
}

/// The result of reading one file, before semantic validation.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The flow, when the file was readable enough to build one. It may
    /// still have had errors (reported in `diagnostics`); fields that were
    /// wrong hold empty values.
    pub flow: Option<Flow>,
    /// Structural problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// The file name used in diagnostics.
    pub file: String,
    pub(crate) map: SourceMap,
    /// Nodes whose kind could not be read: their edges are unknown, so the
    /// graph checks are skipped rather than guessing.
    /// Node id → the targets its raw route fields name.
    pub(crate) opaque_nodes: BTreeMap<String, Vec<String>>,
}

impl Parsed {
    /// Position of a key path (see [`SourceMap`]).
    pub(crate) fn position(&self, path: &str) -> Option<(u32, u32)> {
        self.map.lookup(path)
    }
}

/// Reads one flow file. Never panics, whatever the input.
pub fn parse_source(source: &str, format: SourceFormat, file: &str) -> Parsed {
    let mut parsed = Parsed {
        flow: None,
        diagnostics: Vec::new(),
        file: file.to_string(),
        map: SourceMap::default(),
        opaque_nodes: BTreeMap::new(),
    };
    if source.len() > MAX_FILE_BYTES {
        parsed.diagnostics.push(Diagnostic::new(
            Code::TooLarge,
            file,
            format!(
                "the file is {} bytes; flow files may be at most {} bytes (1 MiB). Split the flow",
                source.len(),
                MAX_FILE_BYTES
            ),
        ));
        return parsed;
    }
    if format == SourceFormat::Yaml {
        if let Some((line, depth)) = too_deep_yaml(source) {
            let mut d = Diagnostic::new(
                Code::Syntax,
                file,
                format!(
                    "the document is nested more than {MAX_NESTING} levels deep ({depth} here)"
                ),
            );
            d.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
            parsed.diagnostics.push(d);
            return parsed;
        }
    }
    let budget = Budget::new(EXPANSION_BUDGET);
    let tree = match format {
        SourceFormat::Yaml => {
            let de = serde_yaml_ng::Deserializer::from_str(source);
            TreeSeed(&budget).deserialize(de).map_err(|e| {
                let loc = e.location().map(|l| (l.line(), l.column()));
                (e.to_string(), loc)
            })
        }
        SourceFormat::Json => {
            let mut de = serde_json::Deserializer::from_str(source);
            TreeSeed(&budget)
                .deserialize(&mut de)
                .and_then(|t| de.end().map(|_| t))
                .map_err(|e| (e.to_string(), Some((e.line(), e.column()))))
        }
    };
    let tree = match tree {
        Ok(t) => t,
        Err((message, loc)) => {
            let code = if message.contains(BUDGET_MESSAGE) || message.contains("repetition limit") {
                Code::TooLarge
            } else {
                Code::Syntax
            };
            let message = match code {
                Code::TooLarge => "the document expands to too many values (YAML anchors and aliases repeated too often?)".to_string(),
                _ => clean_syntax_message(&message),
            };
            let mut d = Diagnostic::new(code, file, message);
            if let Some((line, col)) = loc.filter(|(l, _)| *l > 0) {
                d.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
                d.column = Some(u32::try_from(col).unwrap_or(u32::MAX));
            }
            parsed.diagnostics.push(d);
            return parsed;
        }
    };
    parsed.map = match format {
        SourceFormat::Yaml => scan_yaml(source),
        SourceFormat::Json => scan_json(source),
    };
    let mut dec = Decoder {
        file,
        map: &parsed.map,
        diags: Vec::new(),
        flow_id: None,
        opaque: BTreeMap::new(),
        suggested: BTreeSet::new(),
    };
    parsed.flow = dec.flow(&tree).map(|mut flow| {
        flow.fingerprint = super::fingerprint(&flow);
        flow
    });
    parsed.diagnostics = dec.diags;
    parsed.opaque_nodes = dec.opaque;
    parsed
}

/// Deepest nesting accepted in YAML; real flows nest about 6 levels.
pub const MAX_NESTING: usize = 100;

/// Finds nesting deeper than [`MAX_NESTING`] before the YAML parser sees
/// it: libyaml's work grows with the square of the depth, so a 1 MiB file of
/// `[[[[…` would take hours to reject. Counts flow brackets (ignoring
/// quotes on purpose: an apostrophe must not hide an attack) plus leading
/// `- ` / `? ` indicators; returns the 1-based line and the depth.
fn too_deep_yaml(src: &str) -> Option<(usize, usize)> {
    let mut flow = 0usize;
    for (i, line) in src.lines().enumerate() {
        let mut rest = line.trim_start();
        let mut block = 0usize;
        while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            block += 1;
            rest = r.trim_start();
        }
        for b in rest.bytes() {
            match b {
                b'[' | b'{' => flow += 1,
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
            if flow + block > MAX_NESTING {
                return Some((i + 1, flow + block));
            }
        }
        if flow + block > MAX_NESTING {
            return Some((i + 1, flow + block));
        }
    }
    None
}

/// Targets named by the route fields of a node whose kind is unreadable,
/// so graph checks can still follow it.
fn raw_targets(t: &Tree) -> Vec<String> {
    let Tree::Map(entries) = t else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        match (k.as_str(), v) {
            ("next" | "pass" | "fail" | "error" | "fixed" | "not_fixed" | "else", Tree::Str(s)) => {
                out.push(s.clone())
            }
            ("choices" | "cases", Tree::Seq(items)) => {
                for it in items {
                    if let Tree::Map(fields) = it {
                        for (fk, fv) in fields {
                            if let ("next", Tree::Str(s)) = (fk.as_str(), fv) {
                                out.push(s.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// serde errors end with " at line X column Y"; we print the position
/// ourselves, so drop it.
fn clean_syntax_message(m: &str) -> String {
    let cut = m.find(" at line ").unwrap_or(m.len());
    m[..cut].to_string()
}

pub(crate) const FLOW_FIELDS: &[&str] = &[
    "version",
    "id",
    "title",
    "description",
    "phrases",
    "tags",
    "locale",
    "host_checks",
    "start",
    "nodes",
    "translations",
];

/// Fields each node kind accepts (besides `kind`).
pub(crate) fn kind_fields(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Question => &["text", "choices"],
        NodeKind::Check => &["check", "args", "text", "pass", "fail", "error"],
        NodeKind::Step => &["text", "article", "fixed", "not_fixed"],
        NodeKind::Article => &["article", "text", "next"],
        NodeKind::Branch => &["cases", "else"],
        NodeKind::Resolved => &["text"],
        NodeKind::Ticket => &["category", "priority", "text", "fields"],
    }
}

/// True for ids of flows, nodes and ticket fields: letters, digits, `_`, `-`.
pub(crate) fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// True for variable names usable in conditions.
pub(crate) fn is_valid_variable(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && s.len() <= MAX_ID_LEN
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && !matches!(s, "and" | "or" | "not" | "true" | "false" | "check")
}

/// True for check names: dot-separated lowercase segments, e.g. `lumen.app_signed_in`.
pub(crate) fn is_valid_check_name(s: &str) -> bool {
    s.len() <= 128
        && s.contains('.')
        && s.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        })
}

/// True for BCP 47-ish locale tags: `en`, `de-AT`, `pt-BR`, `zh-Hant`.
pub(crate) fn is_valid_locale(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

struct Decoder<'a> {
    file: &'a str,
    map: &'a SourceMap,
    diags: Vec<Diagnostic>,
    flow_id: Option<String>,
    opaque: BTreeMap<String, Vec<String>>,
    /// (mapping path, field) pairs that an unknown-field diagnostic already
    /// suggests: a typo of a required field is one mistake, not two.
    suggested: BTreeSet<(String, String)>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Splits a path into node id and node-relative field for diagnostics.
pub(crate) fn split_node_path(path: &str) -> (Option<String>, Option<String>) {
    if let Some(rest) = path.strip_prefix("nodes.") {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let node = rest[..end].to_string();
        let field = rest[end..].trim_start_matches('.');
        let field = (!field.is_empty()).then(|| field.to_string());
        return (Some(node), field);
    }
    (None, (!path.is_empty()).then(|| path.to_string()))
}

impl Decoder<'_> {
    fn report(&mut self, code: Code, path: &str, nth: usize, message: String) -> &mut Diagnostic {
        let mut d = Diagnostic::new(code, self.file, message);
        if let Some((l, c)) = self.map.lookup_nth(path, nth) {
            d.line = Some(l);
            d.column = Some(c);
        }
        d.flow_id = self.flow_id.clone();
        let (node, field) = split_node_path(path);
        d.node_id = node;
        d.field = field;
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    fn err(&mut self, code: Code, path: &str, message: String) {
        self.report(code, path, 0, message);
    }

    /// Looks at a mapping: reports duplicate and unknown keys, returns the
    /// first value of each known key.
    fn fields<'t>(
        &mut self,
        entries: &'t [(String, Tree)],
        path: &str,
        allowed: &[&str],
        what: &str,
    ) -> BTreeMap<&'t str, &'t Tree> {
        let mut out = BTreeMap::new();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, v) in entries {
            let count = seen.entry(k.as_str()).or_insert(0);
            *count += 1;
            let kp = join(path, k);
            if *count > 1 {
                let nth = *count - 1;
                self.report(
                    Code::DuplicateKey,
                    &kp,
                    nth,
                    format!("{what} has the field {k:?} more than once"),
                );
                continue;
            }
            if allowed.contains(&k.as_str()) {
                out.insert(k.as_str(), v);
            } else {
                let suggestion = suggest(k, allowed.iter().copied());
                if let Some(s) = &suggestion {
                    self.suggested.insert((path.to_string(), s.clone()));
                }
                let mut message = format!("{what} has no field {k:?}");
                if suggestion.is_none() {
                    message.push_str(&format!("; the fields are {}", allowed.join(", ")));
                }
                self.report(Code::UnknownField, &kp, 0, message).suggestion = suggestion;
            }
        }
        out
    }

    fn wrong_type(&mut self, path: &str, expected: &str, found: &Tree) {
        self.err(
            Code::WrongType,
            path,
            format!("expected {expected}, found {}", found.type_name()),
        );
    }

    fn missing(&mut self, parent: &str, field: &str, what: &str) {
        if self
            .suggested
            .contains(&(parent.to_string(), field.to_string()))
        {
            return;
        }
        let path = join(parent, field);
        let mut d = Diagnostic::new(
            Code::MissingField,
            self.file,
            format!("{what} needs the field {field:?}"),
        );
        // Flow-level fields are missing from the whole document: point at its start.
        let pos = if parent.is_empty() {
            Some((1, 1))
        } else {
            self.map.lookup(parent)
        };
        if let Some((l, c)) = pos {
            d.line = Some(l);
            d.column = Some(c);
        }
        d.flow_id = self.flow_id.clone();
        let (node, f) = split_node_path(&path);
        d.node_id = node;
        d.field = f;
        self.diags.push(d);
    }

    /// Text: strings, and also numbers and yes/no written bare in YAML.
    fn text(&mut self, t: &Tree, path: &str) -> Option<String> {
        match t {
            Tree::Str(s) => Some(s.clone()),
            Tree::Int(i) => Some(i.to_string()),
            Tree::Float(f) => Some(f.to_string()),
            Tree::Bool(b) => Some(b.to_string()),
            other => {
                self.wrong_type(path, "text", other);
                None
            }
        }
    }

    fn required_text(
        &mut self,
        f: &BTreeMap<&str, &Tree>,
        parent: &str,
        key: &str,
        what: &str,
    ) -> String {
        match f.get(key) {
            Some(t) => {
                let s = self.text(t, &join(parent, key)).unwrap_or_default();
                if s.trim().is_empty() && matches!(t, Tree::Str(_)) {
                    self.err(
                        Code::InvalidValue,
                        &join(parent, key),
                        format!("{key:?} must not be empty"),
                    );
                }
                s
            }
            None => {
                self.missing(parent, key, what);
                String::new()
            }
        }
    }

    fn optional_text(
        &mut self,
        f: &BTreeMap<&str, &Tree>,
        parent: &str,
        key: &str,
    ) -> Option<String> {
        f.get(key).and_then(|t| self.text(t, &join(parent, key)))
    }

    /// A node reference; returns "" when missing or malformed (already
    /// reported), which later checks skip.
    fn node_ref(
        &mut self,
        f: &BTreeMap<&str, &Tree>,
        parent: &str,
        key: &str,
        what: &str,
    ) -> String {
        match f.get(key) {
            None => {
                self.missing(parent, key, what);
                String::new()
            }
            Some(t) => self
                .node_ref_value(t, &join(parent, key))
                .unwrap_or_default(),
        }
    }

    fn node_ref_value(&mut self, t: &Tree, path: &str) -> Option<String> {
        match t {
            Tree::Str(s) => Some(s.clone()),
            Tree::Int(i) => Some(i.to_string()),
            other => {
                self.wrong_type(path, "a node id", other);
                None
            }
        }
    }

    fn text_list(&mut self, t: &Tree, path: &str) -> Vec<String> {
        match t {
            Tree::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, it)| self.text(it, &format!("{path}[{i}]")))
                .collect(),
            other => {
                self.wrong_type(path, "a list of text", other);
                Vec::new()
            }
        }
    }

    fn flow(&mut self, tree: &Tree) -> Option<Flow> {
        let Tree::Map(entries) = tree else {
            let mut d = Diagnostic::new(
                Code::WrongType,
                self.file,
                format!("a flow file must be a mapping with version, id, title, start and nodes; found {}", tree.type_name()),
            );
            d.line = Some(1);
            d.column = Some(1);
            self.diags.push(d);
            return None;
        };
        // Read the id first so every later diagnostic can name the flow.
        if let Some((_, Tree::Str(id))) = entries.iter().find(|(k, _)| k == "id") {
            self.flow_id = Some(id.clone());
        }
        match entries.iter().find(|(k, _)| k == "version").map(|(_, v)| v) {
            Some(Tree::Int(v)) if *v == i64::from(FLOW_VERSION) => {}
            Some(Tree::Int(v)) => {
                self.err(
                    Code::UnsupportedVersion,
                    "version",
                    format!(
                        "version {v} is not supported; this build reads version {FLOW_VERSION}"
                    ),
                );
                return None;
            }
            Some(other) => {
                let shown = match other {
                    Tree::Str(s) => format!("{s:?}"),
                    t => t.type_name().to_string(),
                };
                self.err(
                    Code::UnsupportedVersion,
                    "version",
                    format!("version must be the number {FLOW_VERSION}, found {shown}"),
                );
                return None;
            }
            None => {
                let mut d = Diagnostic::new(
                    Code::UnsupportedVersion,
                    self.file,
                    format!("the flow has no version; add \"version: {FLOW_VERSION}\""),
                );
                d.line = Some(1);
                d.column = Some(1);
                d.flow_id = self.flow_id.clone();
                self.diags.push(d);
                return None;
            }
        }
        let f = self.fields(entries, "", FLOW_FIELDS, "a flow");
        let id = self.required_text(&f, "", "id", "the flow");
        if !id.is_empty() && !is_valid_id(&id) {
            self.err(
                Code::InvalidValue,
                "id",
                format!("flow id {id:?} may use only letters, digits, '_' and '-' (at most {MAX_ID_LEN})"),
            );
        }
        let title = self.required_text(&f, "", "title", "the flow");
        let description = self
            .optional_text(&f, "", "description")
            .unwrap_or_default();
        let phrases = f
            .get("phrases")
            .map(|t| self.text_list(t, "phrases"))
            .unwrap_or_default();
        let tags = f
            .get("tags")
            .map(|t| self.text_list(t, "tags"))
            .unwrap_or_default();
        let locale = match self.optional_text(&f, "", "locale") {
            Some(l) if !is_valid_locale(&l) => {
                self.err(
                    Code::InvalidValue,
                    "locale",
                    format!("{l:?} is not a locale tag like \"en\" or \"pt-BR\""),
                );
                l
            }
            Some(l) => l,
            None => default_locale(),
        };
        let host_checks = f
            .get("host_checks")
            .map(|t| self.text_list(t, "host_checks"))
            .unwrap_or_default();
        let start = match f.get("start") {
            None => {
                let mut d = Diagnostic::new(
                    Code::MissingStart,
                    self.file,
                    "the flow has no \"start\": name the node where it begins",
                );
                d.line = Some(1);
                d.column = Some(1);
                d.flow_id = self.flow_id.clone();
                d.field = Some("start".into());
                self.diags.push(d);
                String::new()
            }
            Some(t) => self.node_ref_value(t, "start").unwrap_or_default(),
        };
        let mut nodes = Map::new();
        match f.get("nodes") {
            None => self.missing("", "nodes", "the flow"),
            Some(Tree::Map(entries)) if entries.is_empty() => {
                self.err(
                    Code::InvalidValue,
                    "nodes",
                    "the flow has no nodes; it needs at least a start node".into(),
                );
            }
            Some(Tree::Map(entries)) => {
                if entries.len() > MAX_NODES {
                    self.err(
                        Code::TooLarge,
                        "nodes",
                        format!(
                            "{} nodes; a flow may have at most {MAX_NODES}",
                            entries.len()
                        ),
                    );
                    return None;
                }
                let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
                for (nid, nt) in entries {
                    let path = format!("nodes.{nid}");
                    let n = seen.entry(nid.as_str()).or_insert(0);
                    *n += 1;
                    if *n > 1 {
                        let nth = *n - 1;
                        self.report(
                            Code::DuplicateKey,
                            &path,
                            nth,
                            format!("there is already a node named {nid:?}"),
                        );
                        continue;
                    }
                    if !is_valid_id(nid) {
                        self.err(
                            Code::InvalidValue,
                            &path,
                            format!("node id {nid:?} may use only letters, digits, '_' and '-' (at most {MAX_ID_LEN})"),
                        );
                    }
                    match self.node(nt, &path) {
                        Some(node) => {
                            nodes.insert(nid.clone(), node);
                        }
                        None => {
                            self.opaque.insert(nid.clone(), raw_targets(nt));
                        }
                    }
                }
            }
            Some(other) => {
                self.wrong_type("nodes", "a mapping of node id to node", other);
            }
        }
        let mut translations = Map::new();
        if let Some(t) = f.get("translations") {
            match t {
                Tree::Map(entries) => {
                    let mut seen = BTreeSet::new();
                    for (loc, tt) in entries {
                        let path = format!("translations.{loc}");
                        if !seen.insert(loc.as_str()) {
                            self.err(
                                Code::DuplicateKey,
                                &path,
                                format!("locale {loc:?} is translated twice"),
                            );
                            continue;
                        }
                        if !is_valid_locale(loc) {
                            self.err(
                                Code::InvalidValue,
                                &path,
                                format!("{loc:?} is not a locale tag like \"de\" or \"pt-BR\""),
                            );
                        }
                        if let Some(tr) = self.translation(tt, &path) {
                            translations.insert(loc.clone(), tr);
                        }
                    }
                }
                other => self.wrong_type("translations", "a mapping of locale to texts", other),
            }
        }
        Some(Flow {
            version: FLOW_VERSION,
            id,
            title,
            description,
            phrases,
            tags,
            locale,
            host_checks,
            start,
            nodes,
            translations,
            fingerprint: String::new(),
        })
    }

    fn node(&mut self, t: &Tree, path: &str) -> Option<Node> {
        let Tree::Map(entries) = t else {
            self.wrong_type(path, "a node (a mapping with \"kind\")", t);
            return None;
        };
        let kind = match entries.iter().find(|(k, _)| k == "kind").map(|(_, v)| v) {
            None => {
                let mut d_path = path.to_string();
                // A near-miss like `knid:` is more useful to point at.
                if let Some((k, _)) = entries.iter().find(|(k, _)| suggest(k, ["kind"]).is_some()) {
                    d_path = join(path, k);
                }
                let kinds: Vec<_> = NodeKind::ALL.iter().map(|k| k.as_str()).collect();
                let mut d = Diagnostic::new(
                    Code::MissingField,
                    self.file,
                    format!("the node needs a \"kind\": one of {}", kinds.join(", ")),
                );
                if let Some((l, c)) = self.map.lookup(&d_path) {
                    d.line = Some(l);
                    d.column = Some(c);
                }
                d.flow_id = self.flow_id.clone();
                d.node_id = split_node_path(path).0;
                d.field = Some("kind".into());
                self.diags.push(d);
                // Still report typos in the other fields.
                let all: Vec<&str> = NodeKind::ALL
                    .iter()
                    .flat_map(|k| kind_fields(*k).iter().copied())
                    .chain(["kind"])
                    .collect();
                self.fields(entries, path, &all, "a node");
                return None;
            }
            Some(Tree::Str(s)) => match NodeKind::ALL.into_iter().find(|k| k.as_str() == s) {
                Some(k) => k,
                None => {
                    let kinds: Vec<_> = NodeKind::ALL.iter().map(|k| k.as_str()).collect();
                    let suggestion = suggest(s, kinds.iter().copied());
                    let kp = join(path, "kind");
                    self.report(
                        Code::InvalidValue,
                        &kp,
                        0,
                        format!(
                            "unknown node kind {s:?}; the kinds are {}",
                            kinds.join(", ")
                        ),
                    )
                    .suggestion = suggestion;
                    return None;
                }
            },
            Some(other) => {
                self.wrong_type(&join(path, "kind"), "a node kind (text)", other);
                return None;
            }
        };
        let mut allowed: Vec<&str> = kind_fields(kind).to_vec();
        allowed.push("kind");
        let what = format!("a {kind} node");
        let mark = self.diags.len();
        let f = self.fields(entries, path, &allowed, &what);
        // Point out fields that belong to another kind: a common slip when a
        // node's kind is changed.
        for d in &mut self.diags[mark..] {
            if d.code != Code::UnknownField || d.suggestion.is_some() {
                continue;
            }
            let Some(k) = d.field.clone() else { continue };
            if let Some(other) = NodeKind::ALL
                .into_iter()
                .find(|o| kind_fields(*o).contains(&k.as_str()))
            {
                d.message = format!("{what} has no field {k:?} (it belongs to {other} nodes)");
            }
        }
        let node = match kind {
            NodeKind::Question => {
                let text = self.required_text(&f, path, "text", &what);
                let mut choices = Vec::new();
                match f.get("choices") {
                    None => self.missing(path, "choices", &what),
                    Some(Tree::Seq(items)) => {
                        for (i, it) in items.iter().enumerate() {
                            let cp = format!("{path}.choices[{i}]");
                            // A placeholder keeps later indices equal to the
                            // file's, so `choices[2]` still means the third.
                            let c = self.choice(it, &cp).unwrap_or(Choice {
                                label: String::new(),
                                next: String::new(),
                                set: Map::new(),
                            });
                            choices.push(c);
                        }
                    }
                    Some(other) => {
                        self.wrong_type(&join(path, "choices"), "a list of choices", other)
                    }
                }
                Node::Question(Question { text, choices })
            }
            NodeKind::Check => {
                let check = self.required_text(&f, path, "check", &what);
                let mut args = Map::new();
                if let Some(t) = f.get("args") {
                    let ap = join(path, "args");
                    match t {
                        Tree::Map(entries) => {
                            for (k, v) in entries {
                                let kp = join(&ap, k);
                                if args.contains_key(k) {
                                    self.err(
                                        Code::DuplicateKey,
                                        &kp,
                                        format!("argument {k:?} is given twice"),
                                    );
                                } else if let Some(s) = self.text(v, &kp) {
                                    args.insert(k.clone(), s);
                                }
                            }
                        }
                        other => {
                            self.wrong_type(&ap, "a mapping of argument names to values", other)
                        }
                    }
                }
                let text = self.optional_text(&f, path, "text");
                let pass = self.node_ref(&f, path, "pass", &what);
                let fail = self.node_ref(&f, path, "fail", &what);
                let error = f
                    .get("error")
                    .and_then(|t| self.node_ref_value(t, &join(path, "error")));
                Node::Check(Check {
                    check,
                    args,
                    text,
                    pass,
                    fail,
                    error,
                })
            }
            NodeKind::Step => Node::Step(Step {
                text: self.required_text(&f, path, "text", &what),
                article: self.optional_text(&f, path, "article"),
                fixed: self.node_ref(&f, path, "fixed", &what),
                not_fixed: self.node_ref(&f, path, "not_fixed", &what),
            }),
            NodeKind::Article => Node::Article(ArticleNode {
                article: self.required_text(&f, path, "article", &what),
                text: self.optional_text(&f, path, "text"),
                next: self.node_ref(&f, path, "next", &what),
            }),
            NodeKind::Branch => {
                let mut cases = Vec::new();
                match f.get("cases") {
                    None => self.missing(path, "cases", &what),
                    Some(Tree::Seq(items)) => {
                        for (i, it) in items.iter().enumerate() {
                            let cp = format!("{path}.cases[{i}]");
                            match it {
                                Tree::Map(entries) => {
                                    let cf = self.fields(entries, &cp, &["when", "next"], "a case");
                                    let when = self.required_text(&cf, &cp, "when", "a case");
                                    let next = self.node_ref(&cf, &cp, "next", "a case");
                                    cases.push(Case { when, next });
                                }
                                other => {
                                    self.wrong_type(
                                        &cp,
                                        "a case with \"when\" and \"next\"",
                                        other,
                                    );
                                    // Placeholder: keeps indices equal to the file's.
                                    cases.push(Case {
                                        when: String::new(),
                                        next: String::new(),
                                    });
                                }
                            }
                        }
                    }
                    Some(other) => self.wrong_type(&join(path, "cases"), "a list of cases", other),
                }
                let otherwise = self.node_ref(&f, path, "else", &what);
                Node::Branch(Branch { cases, otherwise })
            }
            NodeKind::Resolved => Node::Resolved(Resolved {
                text: self.optional_text(&f, path, "text"),
            }),
            NodeKind::Ticket => {
                let category = self.required_text(&f, path, "category", &what);
                let priority = match f.get("priority") {
                    None => {
                        self.missing(path, "priority", &what);
                        Priority::Howto
                    }
                    Some(Tree::Str(s)) => match Priority::from_name(s) {
                        Some(p) => p,
                        None => {
                            let names: Vec<_> = Priority::ALL.iter().map(|p| p.as_str()).collect();
                            let suggestion = suggest(s, names.iter().copied());
                            self.report(
                                Code::InvalidValue,
                                &join(path, "priority"),
                                0,
                                format!(
                                    "unknown priority {s:?}; the priorities are {}",
                                    names.join(", ")
                                ),
                            )
                            .suggestion = suggestion;
                            Priority::Howto
                        }
                    },
                    Some(other) => {
                        self.wrong_type(&join(path, "priority"), "a priority tier (text)", other);
                        Priority::Howto
                    }
                };
                let text = self.optional_text(&f, path, "text");
                let mut fields = Vec::new();
                if let Some(t) = f.get("fields") {
                    let fp = join(path, "fields");
                    match t {
                        Tree::Seq(items) => {
                            for (i, it) in items.iter().enumerate() {
                                let ip = format!("{fp}[{i}]");
                                match it {
                                    Tree::Map(entries) => {
                                        let ff = self.fields(
                                            entries,
                                            &ip,
                                            &["id", "label", "required"],
                                            "a ticket field",
                                        );
                                        let id =
                                            self.required_text(&ff, &ip, "id", "a ticket field");
                                        if !id.is_empty() && !is_valid_id(&id) {
                                            self.err(Code::InvalidValue, &join(&ip, "id"), format!("field id {id:?} may use only letters, digits, '_' and '-'"));
                                        }
                                        let label =
                                            self.required_text(&ff, &ip, "label", "a ticket field");
                                        let required = match ff.get("required") {
                                            None => false,
                                            Some(Tree::Bool(b)) => *b,
                                            Some(other) => {
                                                self.wrong_type(
                                                    &join(&ip, "required"),
                                                    "true or false",
                                                    other,
                                                );
                                                false
                                            }
                                        };
                                        if fields.iter().any(|f: &TicketField| f.id == id)
                                            && !id.is_empty()
                                        {
                                            self.err(
                                                Code::DuplicateKey,
                                                &join(&ip, "id"),
                                                format!("there is already a field with id {id:?}"),
                                            );
                                        }
                                        fields.push(TicketField {
                                            id,
                                            label,
                                            required,
                                        });
                                    }
                                    other => {
                                        self.wrong_type(&ip, "a field with id and label", other)
                                    }
                                }
                            }
                        }
                        other => self.wrong_type(&fp, "a list of fields", other),
                    }
                }
                Node::Ticket(TicketNode {
                    category,
                    priority,
                    text,
                    fields,
                })
            }
        };
        Some(node)
    }

    fn choice(&mut self, t: &Tree, path: &str) -> Option<Choice> {
        let Tree::Map(entries) = t else {
            self.wrong_type(path, "a choice with \"label\" and \"next\"", t);
            return None;
        };
        let f = self.fields(entries, path, &["label", "next", "set"], "a choice");
        let label = self.required_text(&f, path, "label", "a choice");
        let next = self.node_ref(&f, path, "next", "a choice");
        let mut set = Map::new();
        if let Some(t) = f.get("set") {
            let sp = join(path, "set");
            match t {
                Tree::Map(entries) => {
                    for (k, v) in entries {
                        let kp = join(&sp, k);
                        if set.contains_key(k) {
                            self.err(
                                Code::DuplicateKey,
                                &kp,
                                format!("variable {k:?} is set twice"),
                            );
                            continue;
                        }
                        if !is_valid_variable(k) {
                            self.err(
                                Code::InvalidValue,
                                &kp,
                                format!("{k:?} is not a valid variable name (letters, digits and '_', not starting with a digit, not a keyword)"),
                            );
                            continue;
                        }
                        let value = match v {
                            Tree::Bool(b) => Value::Bool(*b),
                            Tree::Int(i) => Value::Int(*i),
                            Tree::Str(s) => Value::Str(s.clone()),
                            Tree::Float(x) => Value::Str(x.to_string()),
                            other => {
                                self.wrong_type(&kp, "text, a whole number or true/false", other);
                                continue;
                            }
                        };
                        set.insert(k.clone(), value);
                    }
                }
                other => self.wrong_type(&sp, "a mapping of variable names to values", other),
            }
        }
        Some(Choice { label, next, set })
    }

    fn translation(&mut self, t: &Tree, path: &str) -> Option<Translation> {
        let Tree::Map(entries) = t else {
            self.wrong_type(path, "a mapping of translated texts", t);
            return None;
        };
        let f = self.fields(
            entries,
            path,
            &["title", "description", "phrases", "nodes"],
            "a translation",
        );
        let mut tr = Translation {
            title: self.optional_text(&f, path, "title"),
            description: self.optional_text(&f, path, "description"),
            phrases: f
                .get("phrases")
                .map(|t| self.text_list(t, &join(path, "phrases")))
                .unwrap_or_default(),
            nodes: Map::new(),
        };
        if let Some(t) = f.get("nodes") {
            let np = join(path, "nodes");
            match t {
                Tree::Map(entries) => {
                    for (nid, nt) in entries {
                        let p = join(&np, nid);
                        if tr.nodes.contains_key(nid) {
                            self.err(
                                Code::DuplicateKey,
                                &p,
                                format!("node {nid:?} is translated twice"),
                            );
                            continue;
                        }
                        let Tree::Map(ne) = nt else {
                            self.wrong_type(&p, "a mapping of translated node texts", nt);
                            continue;
                        };
                        let nf = self.fields(
                            ne,
                            &p,
                            &["text", "choices", "fields"],
                            "a node translation",
                        );
                        let mut nt = NodeTranslation {
                            text: self.optional_text(&nf, &p, "text"),
                            choices: nf
                                .get("choices")
                                .map(|t| self.text_list(t, &join(&p, "choices")))
                                .unwrap_or_default(),
                            fields: Map::new(),
                        };
                        if let Some(t) = nf.get("fields") {
                            let fp = join(&p, "fields");
                            match t {
                                Tree::Map(fe) => {
                                    for (k, v) in fe {
                                        if let Some(s) = self.text(v, &join(&fp, k)) {
                                            nt.fields.insert(k.clone(), s);
                                        }
                                    }
                                }
                                other => {
                                    self.wrong_type(&fp, "a mapping of field id to label", other)
                                }
                            }
                        }
                        tr.nodes.insert(nid.clone(), nt);
                    }
                }
                other => self.wrong_type(&np, "a mapping of node id to texts", other),
            }
        }
        Some(tr)
    }
}
