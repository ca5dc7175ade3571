//! A small JSON reader and writer for what the widget itself stores, sends
//! and fetches: embed options, the outbox, tickets, relay answers and the
//! content bundle.
//!
//! The CLI and the relay use serde. The widget does not: decoding only the
//! embed options through miniserde, serde-wasm-bindgen or serde_json cost
//! the widget 7.2, 15.4 and 24.4 KB gzip, more than the room its 200 KB
//! budget has left (figures and method in `docs/budgets.md`, "The design
//! card's libraries"). The types it reads and writes have tests that check
//! they agree with their serde form, so the two never drift apart.
//!
//! Numbers are kept as `f64` and read and written without the standard
//! library's float parser and formatter (more large code). Integers up to
//! 2^53 round-trip exactly; fractions keep six decimals, which is all the
//! widget's data needs.

use std::fmt;

/// A parsed JSON value. Objects keep their keys in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Why JSON could not be read: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Dotted path of the value at fault (`articles.3.title`), or `byte N`
    /// for a syntax error.
    pub at: String,
    /// What is wrong, e.g. "expected a string".
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// Deepest nesting accepted; hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 64;

/// Most keys accepted in one object. The widget's largest object has a few
/// dozen; the bound keeps the duplicate-key check cheap on hostile input.
const MAX_KEYS: usize = 4096;

impl Json {
    /// Parses a complete JSON document.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut reader = Reader {
            bytes: text.as_bytes(),
            pos: 0,
        };
        let value = reader.value(0)?;
        reader.skip_space();
        if reader.pos != reader.bytes.len() {
            return Err(reader.error("unexpected text after the JSON value"));
        }
        Ok(value)
    }

    /// The value under `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// Writes compact JSON.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => write_number(*n, out),
            Json::Str(s) => write_string(s, out),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// Compact JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// An object from `(key, value)` pairs, leaving out `Null` values so
    /// optional fields are absent rather than `null`.
    pub fn object(fields: Vec<(&str, Json)>) -> Json {
        Json::Obj(
            fields
                .into_iter()
                .filter(|(_, v)| *v != Json::Null)
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// A string value, or `Null` for `None`.
    pub fn opt_str(value: Option<&str>) -> Json {
        value.map_or(Json::Null, |s| Json::Str(s.to_string()))
    }
}

fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() || n.abs() >= 9.007_199_254_740_992e15 {
        // JSON has no infinities; the widget never stores numbers this big.
        out.push_str("null");
        return;
    }
    // Integer formatting and up to six decimals by hand: the standard float
    // formatter is one of the largest pieces of code in a wasm binary.
    if n < 0.0 {
        out.push('-');
    }
    if n.fract() == 0.0 || n.abs() >= 9e9 {
        out.push_str(&(n.abs().round() as u64).to_string());
        return;
    }
    let scaled = (n.abs() * 1e6).round() as u64;
    out.push_str(&(scaled / 1_000_000).to_string());
    let mut fraction = scaled % 1_000_000;
    if fraction > 0 {
        out.push('.');
        let mut digits = 6;
        while fraction % 10 == 0 {
            fraction /= 10;
            digits -= 1;
        }
        let text = fraction.to_string();
        out.extend(std::iter::repeat_n('0', digits - text.len()));
        out.push_str(&text);
    }
}

/// Writes `s` as a JSON string, escaped exactly as serde_json does: `"`,
/// `\\` and control characters only, with the short forms it uses. Flow
/// fingerprints hash this text, so it must stay byte-equal to serde's.
pub(crate) fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x08 => 'b',
            0x0c => 'f',
            0..=0x1f => 'u',
            _ => continue,
        };
        // Escaped bytes are ASCII, so these slices are on char boundaries.
        out.push_str(&s[start..i]);
        out.push('\\');
        out.push(short);
        if short == 'u' {
            out.push_str("00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            at: format!("byte {}", self.pos),
            message: message.to_string(),
        }
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str, value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: u32) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of JSON")),
            Some(b'n') => self.eat("null", Json::Null),
            Some(b't') => self.eat("true", Json::Bool(true)),
            Some(b'f') => self.eat("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.close(b']') {
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.separator(b']')? {
                        return Ok(Json::Arr(items));
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut fields = Vec::new();
                if self.close(b'}') {
                    return Ok(Json::Obj(fields));
                }
                loop {
                    self.skip_space();
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        return Err(self.error("expected a quoted key"));
                    }
                    let key = self.string()?;
                    self.skip_space();
                    if self.bytes.get(self.pos) != Some(&b':') {
                        return Err(self.error("expected `:`"));
                    }
                    self.pos += 1;
                    // A duplicate is refused rather than resolved, so no
                    // reader silently picks one of the values. The scan is
                    // quadratic, hence the bound on keys per object.
                    if fields.iter().any(|(seen, _)| *seen == key) {
                        return Err(self.error("duplicate key in object"));
                    }
                    if fields.len() == MAX_KEYS {
                        return Err(self.error("too many keys in one object"));
                    }
                    fields.push((key, self.value(depth + 1)?));
                    if self.separator(b'}')? {
                        return Ok(Json::Obj(fields));
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    /// Consumes `close` (after spaces) if it is next.
    fn close(&mut self, close: u8) -> bool {
        self.skip_space();
        let found = self.bytes.get(self.pos) == Some(&close);
        if found {
            self.pos += 1;
        }
        found
    }

    /// After an item: `,` (more to come, false) or `close` (done, true).
    fn separator(&mut self, close: u8) -> Result<bool, JsonError> {
        self.skip_space();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.error(if close == b']' {
                "expected `,` or `]`"
            } else {
                "expected `,` or `}`"
            })),
        }
    }

    fn digits(&mut self) -> (f64, u32) {
        let (mut value, mut count) = (0.0, 0);
        while let Some(&b @ b'0'..=b'9') = self.bytes.get(self.pos) {
            value = value * 10.0 + f64::from(b - b'0');
            count += 1;
            self.pos += 1;
        }
        (value, count)
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let negative = self.bytes[self.pos] == b'-';
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        let (mut value, count) = self.digits();
        if count == 0 {
            return Err(self.error("expected digits"));
        }
        if count > 1 && self.bytes[start] == b'0' {
            self.pos = start;
            return Err(self.error("a number cannot start with 0"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let (fraction, places) = self.digits();
            if places == 0 {
                return Err(self.error("expected digits after `.`"));
            }
            value += fraction / 10f64.powi(places as i32);
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            let sign = match self.bytes.get(self.pos) {
                Some(b'-') => {
                    self.pos += 1;
                    -1
                }
                Some(b'+') => {
                    self.pos += 1;
                    1
                }
                _ => 1,
            };
            let (exponent, places) = self.digits();
            if places == 0 {
                return Err(self.error("expected an exponent"));
            }
            value *= 10f64.powi(sign * exponent.min(400.0) as i32);
        }
        Ok(Json::Num(if negative { -value } else { value }))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = match self.bytes.get(self.pos) {
                Some(&b) => (b as char).to_digit(16),
                None => None,
            };
            code = code * 16 + digit.ok_or_else(|| self.error("expected four hex digits"))?;
            self.pos += 1;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and we stopped at ASCII, so this slice is
            // on character boundaries.
            out.push_str(std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default());
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let mut code = self.hex4()?;
                            // A surrogate is only valid as a high-low pair;
                            // serde_json refuses a lone one, and so do we.
                            if (0xD800..0xDC00).contains(&code)
                                && self.bytes[self.pos..].starts_with(b"\\u")
                            {
                                self.pos += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("lone surrogate in string"));
                                }
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => return Err(self.error("lone surrogate in string")),
                            }
                            continue;
                        }
                        _ => return Err(self.error("unknown escape in string")),
                    };
                    out.push(escaped);
                    self.pos += 1;
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }
}

/// A path into a JSON document, built as decoding descends, and only turned
/// into text when an error names it.
#[derive(Clone, Copy)]
pub enum Path<'a> {
    /// The document itself.
    Root,
    /// A field of an object.
    Key(&'a Path<'a>, &'a str),
    /// An item of an array.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// An error naming this path.
    pub fn error(&self, message: &str) -> JsonError {
        JsonError {
            at: self.to_string(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                parent.fmt(f)?;
                if !matches!(parent, Path::Root) {
                    f.write_str(".")?;
                }
                f.write_str(key)
            }
            Path::Index(parent, i) => {
                parent.fmt(f)?;
                write!(f, "[{i}]")
            }
        }
    }
}

/// Reads the fields of one JSON object, naming the field in every error.
/// Absent and `null` fields read as missing.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    value: &'a Json,
    path: Path<'a>,
}

impl<'a> Fields<'a> {
    /// Starts reading `value`, which must be an object.
    pub fn of(value: &'a Json, path: Path<'a>) -> Result<Fields<'a>, JsonError> {
        match value {
            Json::Obj(_) => Ok(Fields { value, path }),
            _ => Err(path.error("expected an object")),
        }
    }

    /// The path of this object.
    pub fn path(&self) -> &Path<'a> {
        &self.path
    }

    /// The raw value of `key`, if present and not null.
    pub fn raw(&self, key: &str) -> Option<&'a Json> {
        self.value.get(key).filter(|v| **v != Json::Null)
    }

    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, JsonError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Path::Key(&self.path, key).error("expected a string")),
        }
    }

    /// A required string.
    pub fn str(&self, key: &str) -> Result<String, JsonError> {
        self.opt_str(key)?
            .ok_or_else(|| Path::Key(&self.path, key).error("missing"))
    }

    /// An optional boolean.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, JsonError> {
        match self.raw(key) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Path::Key(&self.path, key).error("expected true or false")),
        }
    }

    /// An optional whole number, at least zero.
    pub fn opt_u64(&self, key: &str) -> Result<Option<u64>, JsonError> {
        match self.raw(key) {
            None => Ok(None),
            Some(value) => whole_number(value, &Path::Key(&self.path, key)).map(Some),
        }
    }

    /// A required whole number, at least zero.
    pub fn u64(&self, key: &str) -> Result<u64, JsonError> {
        self.opt_u64(key)?
            .ok_or_else(|| Path::Key(&self.path, key).error("missing"))
    }

    /// A list of strings; absent reads as empty.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, JsonError> {
        self.list(key, string)
    }

    /// A list read item by item; absent reads as empty.
    pub fn list<T>(
        &self,
        key: &str,
        mut item: impl FnMut(&Json, &Path) -> Result<T, JsonError>,
    ) -> Result<Vec<T>, JsonError> {
        collect(self.raw(key), &Path::Key(&self.path, key), &mut item)
    }

    /// One of `names`, as its index, for enumerations written as strings.
    pub fn choice(&self, key: &str, names: &[&str]) -> Result<Option<usize>, JsonError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => match names.iter().position(|n| *n == s) {
                Some(i) => Ok(Some(i)),
                None => Err(Path::Key(&self.path, key)
                    .error(&format!("`{s}` is not one of {}", names.join(", ")))),
            },
        }
    }
}

/// Reads a list item by item, naming each item's index in errors.
pub fn items<T>(
    value: &Json,
    path: &Path,
    mut item: impl FnMut(&Json, &Path) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    collect(Some(value), path, &mut item)
}

// One copy per item type, not per decoder: behind `dyn`, each decoder is
// compiled once instead of being inlined into a copy of the loop (tens of
// KB of wasm for the bundle's many small decoders). `None` reads as empty.
fn collect<T>(
    value: Option<&Json>,
    path: &Path,
    item: &mut dyn FnMut(&Json, &Path) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    let mut out = Vec::new();
    if let Some(value) = value {
        each_item(value, path, &mut |v, p| {
            out.push(item(v, p)?);
            Ok(())
        })?;
    }
    Ok(out)
}

// The loop, its paths and its errors are compiled once, behind `dyn`; each
// item type adds only the small closure that decodes and pushes one item.
// (A loop generic over the item type was a copy of ~450 B of wasm per type.)
fn each_item(
    value: &Json,
    path: &Path,
    item: &mut dyn FnMut(&Json, &Path) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    let Json::Arr(list) = value else {
        return Err(path.error("expected a list"));
    };
    for (i, v) in list.iter().enumerate() {
        item(v, &Path::Index(path, i))?;
    }
    Ok(())
}

/// Reads a whole number, at least zero.
pub fn whole_number(value: &Json, path: &Path) -> Result<u64, JsonError> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as u64),
        _ => Err(path.error("expected a whole number")),
    }
}

/// Reads a string.
pub fn string(value: &Json, path: &Path) -> Result<String, JsonError> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| path.error("expected a string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_the_json_the_widget_handles() {
        let text =
            r#"{"a":[1,-2,3.5,1e3,true,false,null],"s":"q\"\\\n\u00e9\ud83d\ude00/","o":{}}"#;
        let value = Json::parse(text).unwrap();
        assert_eq!(
            value.get("a"),
            Some(&Json::Arr(vec![
                Json::Num(1.0),
                Json::Num(-2.0),
                Json::Num(3.5),
                Json::Num(1000.0),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert_eq!(value.get("s").and_then(Json::as_str), Some("q\"\\\né😀/"));
        // Written back, it parses to the same value.
        assert_eq!(Json::parse(&value.to_text()).unwrap(), value);
    }

    #[test]
    fn agrees_with_serde_json_on_strings_and_integers() {
        let samples = [
            "",
            "plain",
            "tab\tquote\"back\\slash",
            "\u{1}\u{1f}",
            "ünïcødé 😀",
            "\u{2028}",
        ];
        for s in samples {
            let ours = Json::Str(s.to_string()).to_text();
            assert_eq!(serde_json::from_str::<String>(&ours).unwrap(), s);
            let theirs = serde_json::to_string(s).unwrap();
            assert_eq!(Json::parse(&theirs).unwrap(), Json::Str(s.to_string()));
        }
        for (n, text) in [
            (3.5, "3.5"),
            (-0.25, "-0.25"),
            (0.000_001, "0.000001"),
            (2.0, "2"),
        ] {
            assert_eq!(Json::Num(n).to_text(), text);
        }
        for n in [0u64, 7, 1_700_000_000_123, 9_007_199_254_740_991] {
            assert_eq!(Json::Num(n as f64).to_text(), n.to_string());
            assert_eq!(Json::parse(&n.to_string()).unwrap(), Json::Num(n as f64));
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        for (text, message) in [
            ("", "unexpected end of JSON"),
            ("{\"a\" 1}", "expected `:`"),
            ("[1 2]", "expected `,` or `]`"),
            ("\"open", "unterminated string"),
            ("{} x", "unexpected text after the JSON value"),
            ("nul", "expected a JSON value"),
            ("\"\\x\"", "unknown escape in string"),
            // Leading zeros, lone surrogates and duplicate keys are refused,
            // as serde_json refuses them, instead of read as something else.
            ("[01]", "a number cannot start with 0"),
            ("-00", "a number cannot start with 0"),
            ("\"\\ud800\\u0041\"", "lone surrogate in string"),
            ("\"\\ud800\"", "lone surrogate in string"),
            ("\"\\udc00\"", "lone surrogate in string"),
            ("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key in object"),
        ] {
            let err = Json::parse(text).unwrap_err();
            assert_eq!(err.message, message, "{text}");
            assert!(err.at.starts_with("byte "), "{err}");
        }
    }

    #[test]
    fn an_object_with_too_many_keys_is_refused() {
        let object = |n: usize| {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
            format!("{{{}}}", keys.join(","))
        };
        assert!(Json::parse(&object(MAX_KEYS)).is_ok());
        let err = Json::parse(&object(MAX_KEYS + 1)).unwrap_err();
        assert_eq!(err.message, "too many keys in one object");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert_eq!(Json::parse(&text).unwrap_err().message, "nested too deeply");
    }

    #[test]
    fn field_errors_name_the_path() {
        let value = Json::parse(r#"{"items":[{"title":"ok"},{"title":3}]}"#).unwrap();
        let fields = Fields::of(&value, Path::Root).unwrap();
        let err = fields
            .list("items", |item, path| Fields::of(item, *path)?.str("title"))
            .unwrap_err();
        assert_eq!(err.to_string(), "items[1].title: expected a string");
        let err = fields
            .list("items", |item, path| {
                Fields::of(item, *path)?.str("missing")
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "items[0].missing: missing");
        let err = Fields::of(&value, Path::Root)
            .unwrap()
            .choice("items", &["a"])
            .unwrap_err();
        assert_eq!(err.to_string(), "items: expected a string");
    }
}
