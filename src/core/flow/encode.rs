//! Writes flows and saved sessions as compact JSON, byte for byte as
//! serde_json writes their serde form, without linking serde_json into the
//! widget (see [`crate::core::json`] for why). [`decode`](super::decode)
//! and the session reader read it back.
//!
//! Byte-exact matters: [`Flow::fingerprint`] hashes this text, so it keeps
//! the value it had when serde_json wrote it, and sessions saved by earlier
//! builds still resume. Native tests hold this writer and serde together.

use super::format::{Flow, Node, Translation, Value};
use crate::core::json::write_string;
use std::collections::BTreeMap;

/// A compact JSON writer. Every value goes through [`Out::comma`], which
/// puts the `,` between siblings, so callers only open, key and close.
pub(super) struct Out {
    text: String,
    /// True right after `{`, `[` or a key: the next value takes no comma.
    fresh: bool,
}

impl Out {
    pub(super) fn new() -> Out {
        Out {
            text: String::new(),
            fresh: true,
        }
    }

    /// The text written.
    pub(super) fn finish(self) -> String {
        self.text
    }

    fn comma(&mut self) {
        if !self.fresh {
            self.text.push(',');
        }
        self.fresh = false;
    }

    /// Starts an object (`{`) or a list (`[`).
    pub(super) fn open(&mut self, bracket: char) {
        self.comma();
        self.text.push(bracket);
        self.fresh = true;
    }

    /// Ends an object (`}`) or a list (`]`).
    pub(super) fn close(&mut self, bracket: char) {
        self.text.push(bracket);
        self.fresh = false;
    }

    /// An object key; the next call writes its value.
    pub(super) fn key(&mut self, key: &str) {
        self.str(key);
        self.text.push(':');
        self.fresh = true;
    }

    /// A string, escaped exactly as serde_json escapes it.
    pub(super) fn str(&mut self, s: &str) {
        self.comma();
        write_string(s, &mut self.text);
    }

    /// A number, `true` or `false`: text that needs no escaping.
    pub(super) fn raw(&mut self, text: &str) {
        self.comma();
        self.text.push_str(text);
    }

    /// A whole number.
    pub(super) fn uint(&mut self, n: u64) {
        self.raw(&n.to_string());
    }

    /// `"key":"value"`.
    pub(super) fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.str(value);
    }

    /// `"key":"value"`, or nothing for `None` (serde's
    /// `skip_serializing_if = "Option::is_none"`).
    pub(super) fn opt_field(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.field(key, value);
        }
    }

    /// A list of strings.
    pub(super) fn strings(&mut self, items: &[String]) {
        self.open('[');
        for item in items {
            self.str(item);
        }
        self.close(']');
    }

    /// An object of strings.
    pub(super) fn str_map(&mut self, map: &BTreeMap<String, String>) {
        self.open('{');
        for (k, v) in map {
            self.field(k, v);
        }
        self.close('}');
    }

    /// A variable's value: untagged, as serde writes [`Value`].
    pub(super) fn value(&mut self, value: &Value) {
        match value {
            Value::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            // Exact, whatever the size: the fingerprint must tell any two
            // values apart (`Json::Num` would round past 2^53).
            Value::Int(i) => self.raw(&i.to_string()),
            Value::Str(s) => self.str(s),
        }
    }

    /// An object of variables.
    pub(super) fn vars(&mut self, map: &BTreeMap<String, Value>) {
        self.open('{');
        for (k, v) in map {
            self.key(k);
            self.value(v);
        }
        self.close('}');
    }
}

/// The flow's canonical JSON: its serde form as serde_json writes it
/// (fields in declaration order, maps sorted by key, empty optional fields
/// left out), so it does not depend on authoring order or on YAML vs JSON.
pub(crate) fn flow_json(flow: &Flow) -> String {
    let mut w = Out::new();
    w.open('{');
    w.key("version");
    w.uint(u64::from(flow.version));
    w.field("id", &flow.id);
    w.field("title", &flow.title);
    w.field("description", &flow.description);
    w.key("phrases");
    w.strings(&flow.phrases);
    w.key("tags");
    w.strings(&flow.tags);
    w.field("locale", &flow.locale);
    w.key("host_checks");
    w.strings(&flow.host_checks);
    w.field("start", &flow.start);
    w.key("nodes");
    w.open('{');
    for (id, node) in &flow.nodes {
        w.key(id);
        write_node(&mut w, node);
    }
    w.close('}');
    w.key("translations");
    w.open('{');
    for (locale, t) in &flow.translations {
        w.key(locale);
        write_translation(&mut w, t);
    }
    w.close('}');
    w.close('}');
    w.finish()
}

// Field order and the fields left out when empty follow the serde
// attributes in format.rs; the tests in flow/tests.rs hold them together.
fn write_node(w: &mut Out, node: &Node) {
    w.open('{');
    w.field("kind", node.kind().as_str());
    match node {
        Node::Question(q) => {
            w.field("text", &q.text);
            w.key("choices");
            w.open('[');
            for c in &q.choices {
                w.open('{');
                w.field("label", &c.label);
                w.field("next", &c.next);
                if !c.set.is_empty() {
                    w.key("set");
                    w.vars(&c.set);
                }
                w.close('}');
            }
            w.close(']');
        }
        Node::Check(c) => {
            w.field("check", &c.check);
            if !c.args.is_empty() {
                w.key("args");
                w.str_map(&c.args);
            }
            w.opt_field("text", c.text.as_deref());
            w.field("pass", &c.pass);
            w.field("fail", &c.fail);
            w.opt_field("error", c.error.as_deref());
        }
        Node::Step(s) => {
            w.field("text", &s.text);
            w.opt_field("article", s.article.as_deref());
            w.field("fixed", &s.fixed);
            w.field("not_fixed", &s.not_fixed);
        }
        Node::Article(a) => {
            w.field("article", &a.article);
            w.opt_field("text", a.text.as_deref());
            w.field("next", &a.next);
        }
        Node::Branch(b) => {
            w.key("cases");
            w.open('[');
            for c in &b.cases {
                w.open('{');
                w.field("when", &c.when);
                w.field("next", &c.next);
                w.close('}');
            }
            w.close(']');
            w.field("else", &b.otherwise);
        }
        Node::Resolved(r) => w.opt_field("text", r.text.as_deref()),
        Node::Ticket(t) => {
            w.field("category", &t.category);
            w.field("priority", t.priority.as_str());
            w.opt_field("text", t.text.as_deref());
            if !t.fields.is_empty() {
                w.key("fields");
                w.open('[');
                for f in &t.fields {
                    w.open('{');
                    w.field("id", &f.id);
                    w.field("label", &f.label);
                    w.key("required");
                    w.raw(if f.required { "true" } else { "false" });
                    w.close('}');
                }
                w.close(']');
            }
        }
    }
    w.close('}');
}

fn write_translation(w: &mut Out, t: &Translation) {
    w.open('{');
    w.opt_field("title", t.title.as_deref());
    w.opt_field("description", t.description.as_deref());
    if !t.phrases.is_empty() {
        w.key("phrases");
        w.strings(&t.phrases);
    }
    if !t.nodes.is_empty() {
        w.key("nodes");
        w.open('{');
        for (id, n) in &t.nodes {
            w.key(id);
            w.open('{');
            w.opt_field("text", n.text.as_deref());
            if !n.choices.is_empty() {
                w.key("choices");
                w.strings(&n.choices);
            }
            if !n.fields.is_empty() {
                w.key("fields");
                w.str_map(&n.fields);
            }
            w.close('}');
        }
        w.close('}');
    }
    w.close('}');
}
