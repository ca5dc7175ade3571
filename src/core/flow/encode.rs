//! Writes saved sessions as compact JSON, byte for byte as serde_json
//! writes their serde form, without linking serde_json into the widget
//! (see [`crate::core::json`] for why). The session reader reads it back;
//! a native test holds this writer and serde together.

use super::format::Value;
use crate::core::json::write_string;
use crate::core::map::Map;

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

    /// An object of strings.
    pub(super) fn str_map(&mut self, map: &Map<String, String>) {
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
            // Exact, whatever the size: a saved session must restore the
            // very value (`Json::Num` would round past 2^53).
            Value::Int(i) => self.raw(&i.to_string()),
            Value::Str(s) => self.str(s),
        }
    }

    /// An object of variables.
    pub(super) fn vars(&mut self, map: &Map<String, Value>) {
        self.open('{');
        for (k, v) in map {
            self.key(k);
            self.value(v);
        }
        self.close('}');
    }
}
