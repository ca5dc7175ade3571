//! A loose document tree with source positions, read from YAML or JSON.
//!
//! serde gives values but no positions, so the text is scanned a second
//! time to map each key path (`nodes.ask.choices[1].next`) to its line and
//! column. The tree keeps duplicate keys (serde maps would drop them) so
//! the validator can report duplicate node ids.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

/// A parsed value, before it is checked against the flow format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Tree>),
    /// Entries in file order, duplicates kept.
    Map(Vec<(String, Tree)>),
}

impl Tree {
    /// How the value is named in "expected X, found Y" messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Tree::Null => "nothing (null)",
            Tree::Bool(_) => "true/false",
            Tree::Int(_) | Tree::Float(_) => "a number",
            Tree::Str(_) => "text",
            Tree::Seq(_) => "a list",
            Tree::Map(_) => "a mapping",
        }
    }
}

/// Cost budget shared by every value of one document; it bounds the memory
/// an alias bomb can make us allocate.
pub(crate) struct Budget {
    left: Cell<usize>,
}

/// Total cost a document may expand to: each value costs 32 plus its text
/// length. Far above any real flow (a 1 MiB file costs a few MiB at most).
pub(crate) const EXPANSION_BUDGET: usize = 24 * 1024 * 1024;

/// The marker in the error raised when the budget runs out.
pub(crate) const BUDGET_MESSAGE: &str = "the document expands to too many values";

impl Budget {
    pub(crate) fn new(limit: usize) -> Self {
        Budget {
            left: Cell::new(limit),
        }
    }
    fn spend<E: de::Error>(&self, cost: usize) -> Result<(), E> {
        let left = self.left.get();
        if cost > left {
            return Err(E::custom(BUDGET_MESSAGE));
        }
        self.left.set(left - cost);
        Ok(())
    }
}

#[derive(Clone, Copy)]
pub(crate) struct TreeSeed<'b>(pub(crate) &'b Budget);

impl<'de> DeserializeSeed<'de> for TreeSeed<'_> {
    type Value = Tree;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TreeSeed<'_> {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        self.0.spend(32)?;
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        self.0.spend(32)?;
        Ok(Tree::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        self.0.spend(32)?;
        Ok(i64::try_from(v).map_or(Tree::Float(v as f64), Tree::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        self.0.spend(32)?;
        Ok(Tree::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        self.0.spend(32 + v.len())?;
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        self.0.spend(32 + v.len())?;
        Ok(Tree::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        self.0.spend(32)?;
        Ok(Tree::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        self.visit_unit()
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        self.0.spend(32)?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Tree::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        self.0.spend(32)?;
        let mut out = Vec::new();
        while let Some(k) = map.next_key_seed(KeySeed(self.0))? {
            let v = map.next_value_seed(self)?;
            out.push((k, v));
        }
        Ok(Tree::Map(out))
    }
}

/// Mapping keys: any scalar, as text (YAML allows `1:` or `true:` as keys).
#[derive(Clone, Copy)]
struct KeySeed<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a text key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.0.spend(32 + v.len())?;
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_string())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom("a mapping key must be text, not a list"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom(
            "a mapping key must be text, not a mapping",
        ))
    }
}

/// Key path → every position where it occurs (1-based line and column),
/// in file order. Paths look like `nodes.ask.choices[1].next`.
#[derive(Debug, Default, Clone)]
pub(crate) struct SourceMap {
    positions: HashMap<String, Vec<(u32, u32)>>,
}

impl SourceMap {
    fn record(&mut self, path: String, line: usize, col: usize) {
        let pos = (to_u32(line), to_u32(col));
        self.positions.entry(path).or_default().push(pos);
    }

    /// Position of the `nth` occurrence of `path`, or of its nearest
    /// ancestor that has one (for values written in flow style `{a: 1}`).
    pub(crate) fn lookup_nth(&self, path: &str, nth: usize) -> Option<(u32, u32)> {
        if let Some(p) = self
            .positions
            .get(path)
            .and_then(|v| v.get(nth).or(v.first()))
        {
            return Some(*p);
        }
        let mut p = path;
        loop {
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
            if let Some(pos) = self.positions.get(p).and_then(|v| v.first()) {
                return Some(*pos);
            }
        }
    }

    pub(crate) fn lookup(&self, path: &str) -> Option<(u32, u32)> {
        self.lookup_nth(path, 0)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

#[derive(Debug)]
enum Frame {
    Key {
        indent: usize,
        path: String,
    },
    Item {
        indent: usize,
        path: String,
        parent: String,
        index: usize,
    },
}

impl Frame {
    fn path(&self) -> &str {
        match self {
            Frame::Key { path, .. } | Frame::Item { path, .. } => path,
        }
    }
}

/// Maps key paths to positions in block-style YAML. Flow-style parts
/// (`{…}`, `[…]`) get only their key's position; lookups fall back to it.
pub(crate) fn scan_yaml(src: &str) -> SourceMap {
    let mut map = SourceMap::default();
    let mut stack: Vec<Frame> = Vec::new();
    // While inside a block scalar (`|`, `>`), lines indented deeper than this
    // belong to the text, not to the structure.
    let mut block_scalar_indent: Option<usize> = None;
    for (line_no, raw) in src.lines().enumerate() {
        let line_no = line_no + 1;
        let chars: Vec<char> = raw.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let rest: String = chars[indent..].iter().collect();
        let trimmed = rest.trim_end();
        if let Some(bi) = block_scalar_indent {
            if trimmed.is_empty() || indent > bi {
                continue;
            }
            block_scalar_indent = None;
        }
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("---")
            || trimmed.starts_with("...")
            || trimmed.starts_with('%')
        {
            continue;
        }
        let mut col = indent;
        let mut content: &str = trimmed;
        // A line may open several sequence items (`- - a`) before a key.
        loop {
            if content == "-" || content.starts_with("- ") {
                while let Some(top) = stack.last() {
                    let pop = match top {
                        Frame::Key { indent, .. } => *indent > col,
                        Frame::Item { indent, .. } => *indent > col,
                    };
                    if pop {
                        stack.pop();
                    } else {
                        break;
                    }
                }
                let (parent, index) = match stack.last() {
                    Some(Frame::Item {
                        indent,
                        parent,
                        index,
                        ..
                    }) if *indent == col => {
                        let r = (parent.clone(), index + 1);
                        stack.pop();
                        r
                    }
                    Some(top) => (top.path().to_string(), 0),
                    None => (String::new(), 0),
                };
                let path = format!("{parent}[{index}]");
                map.record(path.clone(), line_no, col + 1);
                stack.push(Frame::Item {
                    indent: col,
                    path,
                    parent,
                    index,
                });
                let after = &content[1..];
                let skip = after.len() - after.trim_start().len();
                col += 1 + after[..skip].chars().count();
                content = after.trim_start();
                if content.is_empty() {
                    break;
                }
                continue;
            }
            if let Some((key, value)) = split_key(content) {
                while let Some(top) = stack.last() {
                    let pop = match top {
                        Frame::Key { indent, .. } => *indent >= col,
                        Frame::Item { indent, .. } => *indent >= col,
                    };
                    if pop {
                        stack.pop();
                    } else {
                        break;
                    }
                }
                let parent = stack
                    .last()
                    .map(|f| f.path().to_string())
                    .unwrap_or_default();
                let path = join_key(&parent, &key);
                map.record(path.clone(), line_no, col + 1);
                stack.push(Frame::Key { indent: col, path });
                let v = strip_comment(value).trim();
                if v.starts_with('|') || v.starts_with('>') {
                    block_scalar_indent = Some(col);
                }
            }
            break;
        }
    }
    map
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) if !s.starts_with('"') && !s.starts_with('\'') => &s[..i],
        _ => s,
    }
}

/// Splits `key: value` (or `key:`), with plain or quoted keys.
fn split_key(content: &str) -> Option<(String, &str)> {
    let first = content.chars().next()?;
    if matches!(first, '{' | '[' | '|' | '>' | '&' | '*' | '!' | '#') {
        return None;
    }
    if first == '"' || first == '\'' {
        let end = content[1..].find(first)? + 1;
        let key = content[1..end].to_string();
        let after = content[end + 1..].trim_start();
        let value = after.strip_prefix(':')?;
        if !(value.is_empty() || value.starts_with(' ')) {
            return None;
        }
        return Some((key, value));
    }
    let mut search = 0;
    while let Some(i) = content[search..].find(':') {
        let at = search + i;
        let after = &content[at + 1..];
        if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
            let key = content[..at].trim_end();
            if key.contains(" #") {
                return None;
            }
            return Some((key.to_string(), after));
        }
        search = at + 1;
    }
    None
}

enum JFrame {
    Obj {
        path: String,
        key: Option<String>,
    },
    Arr {
        path: String,
        index: usize,
        started: bool,
    },
}

/// Maps key paths to positions in JSON. Exact: JSON has no flow/block split.
pub(crate) fn scan_json(src: &str) -> SourceMap {
    let mut map = SourceMap::default();
    let mut stack: Vec<JFrame> = Vec::new();
    let mut line = 1usize;
    let mut col = 1usize;
    let mut chars = src.chars().peekable();
    // The path of a value starting here, recorded for array items.
    fn value_path(stack: &mut [JFrame], map: &mut SourceMap, line: usize, col: usize) -> String {
        match stack.last_mut() {
            Some(JFrame::Obj { path, key: Some(k) }) => join_key(path, k),
            Some(JFrame::Arr {
                path,
                index,
                started,
            }) => {
                if *started {
                    *index += 1;
                }
                *started = true;
                let p = format!("{path}[{index}]");
                map.record(p.clone(), line, col);
                p
            }
            _ => String::new(),
        }
    }
    while let Some(c) = chars.next() {
        let (l, cl) = (line, col);
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        match c {
            '{' => {
                let path = value_path(&mut stack, &mut map, l, cl);
                stack.push(JFrame::Obj { path, key: None });
            }
            '[' => {
                let path = value_path(&mut stack, &mut map, l, cl);
                stack.push(JFrame::Arr {
                    path,
                    index: 0,
                    started: false,
                });
            }
            '}' | ']' => {
                stack.pop();
            }
            ',' => {
                if let Some(JFrame::Obj { key, .. }) = stack.last_mut() {
                    *key = None;
                }
            }
            '"' => {
                let mut s = String::new();
                let mut escaped = false;
                for c in chars.by_ref() {
                    col += 1;
                    if c == '\n' {
                        line += 1;
                        col = 1;
                    }
                    if escaped {
                        escaped = false;
                        s.push(c);
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    } else {
                        s.push(c);
                    }
                }
                match stack.last_mut() {
                    Some(JFrame::Obj { path, key }) if key.is_none() => {
                        // Escapes are rare in keys; the raw text is close enough.
                        map.record(join_key(path, &s), l, cl);
                        *key = Some(s);
                    }
                    _ => {
                        value_path(&mut stack, &mut map, l, cl);
                    }
                }
            }
            c if c.is_whitespace() || c == ':' => {}
            _ => {
                // A number, true, false or null: consume the rest of it.
                while let Some(n) = chars.peek() {
                    if n.is_whitespace() || matches!(n, ',' | '}' | ']') {
                        break;
                    }
                    chars.next();
                    col += 1;
                }
                value_path(&mut stack, &mut map, l, cl);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_positions_follow_nesting_and_sequences() {
        let src = "version: 1\nnodes:\n  ask:\n    kind: question\n    choices:\n      - label: A\n        next: x\n      - label: B\n        next: y\n    text: |\n      fake: key\n  done:\n    kind: resolved\n";
        let m = scan_yaml(src);
        assert_eq!(m.lookup("version"), Some((1, 1)));
        assert_eq!(m.lookup("nodes.ask"), Some((3, 3)));
        assert_eq!(m.lookup("nodes.ask.choices[0].label"), Some((6, 9)));
        assert_eq!(m.lookup("nodes.ask.choices[1].next"), Some((9, 9)));
        assert_eq!(m.lookup("nodes.ask.choices[1]"), Some((8, 7)));
        assert_eq!(m.lookup("nodes.ask.text"), Some((10, 5)));
        assert_eq!(
            m.lookup("nodes.ask.text.fake"),
            Some((10, 5)),
            "block text is not structure"
        );
        assert_eq!(m.lookup("nodes.done.kind"), Some((13, 5)));
    }

    #[test]
    fn yaml_sequences_at_key_indent_and_flow_style_fall_back() {
        let src = "host_checks:\n- a.b\n- c.d\nnodes:\n  q:\n    set: {band: '5'}\n";
        let m = scan_yaml(src);
        assert_eq!(m.lookup("host_checks[1]"), Some((3, 1)));
        assert_eq!(m.lookup("nodes.q.set.band"), Some((6, 5)));
    }

    #[test]
    fn yaml_duplicate_keys_keep_every_position() {
        let m = scan_yaml("nodes:\n  a:\n    kind: resolved\n  a:\n    kind: resolved\n");
        assert_eq!(m.lookup_nth("nodes.a", 1), Some((4, 3)));
    }

    #[test]
    fn json_positions_are_exact() {
        let src = "{\n  \"nodes\": {\n    \"ask\": {\"choices\": [\n      {\"label\": \"A\", \"next\": \"x\"},\n      {\"label\": \"B\", \"next\": \"y\"}\n    ]}\n  }\n}";
        let m = scan_json(src);
        assert_eq!(m.lookup("nodes"), Some((2, 3)));
        assert_eq!(m.lookup("nodes.ask.choices[1].next"), Some((5, 22)));
        assert_eq!(m.lookup("nodes.ask.choices[0]"), Some((4, 7)));
    }
}
