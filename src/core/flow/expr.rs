//! The condition language of `branch` nodes: tiny and total.
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | compare
//! compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
//! operand := "(" expr ")" | "text" | 'text' | integer | true | false | name
//! name    := variable, or check.<check node id>
//! ```
//!
//! "Total" means every well-formed condition evaluates to true or false,
//! whatever the variables hold: an unset variable is falsy and equals
//! nothing; `==` compares the text forms (`5 == "5"` holds); `<` and friends
//! hold only when both sides are whole numbers. `check.<id>` is `"pass"`,
//! `"fail"` or `"error"` once that check node has run, unset before.

use super::format::Value;
use std::fmt;

/// Longest condition accepted, in bytes.
pub const MAX_CONDITION_LEN: usize = 1000;
/// Deepest nesting of `not` and parentheses accepted.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Holds when any part holds.
    Or(Vec<Expr>),
    /// Holds when every part holds.
    And(Vec<Expr>),
    /// Holds when the inner condition does not.
    Not(Box<Expr>),
    /// A comparison.
    Compare(Operand, CmpOp, Operand),
    /// A lone operand: true when set and not `false`, `0` or empty text.
    Truthy(Operand),
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal.
    Lit(Value),
    /// A variable or `check.<node id>`.
    Name(String),
    /// A parenthesised condition, as `true`/`false`.
    Group(Box<Expr>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Why a condition does not parse, with the 0-based byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the condition.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Int(i64),
    Op(CmpOp),
    LParen,
    RParen,
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |offset, message: &str| ExprError {
        offset,
        message: message.to_string(),
    };
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push((start, Tok::LParen));
                i += 1;
            }
            b')' => {
                out.push((start, Tok::RParen));
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' => {
                let two = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    (b'=', true) => CmpOp::Eq,
                    (b'!', true) => CmpOp::Ne,
                    (b'<', true) => CmpOp::Le,
                    (b'>', true) => CmpOp::Ge,
                    (b'<', false) => CmpOp::Lt,
                    (b'>', false) => CmpOp::Gt,
                    (b'=', false) => return Err(err(start, "use \"==\" to compare, not \"=\"")),
                    _ => return Err(err(start, "use \"not\" instead of \"!\"")),
                };
                out.push((start, Tok::Op(op)));
                i += if two { 2 } else { 1 };
            }
            b'"' | b'\'' => {
                let quote = c;
                i += 1;
                let body_start = i;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                if i >= bytes.len() {
                    return Err(err(start, "text is not closed with a quote"));
                }
                out.push((start, Tok::Str(src[body_start..i].to_string())));
                i += 1;
            }
            b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let n = src[start..i]
                    .parse::<i64>()
                    .map_err(|_| err(start, "not a whole number (or too large)"))?;
                out.push((start, Tok::Int(n)));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.'))
                {
                    i += 1;
                }
                out.push((start, Tok::Name(src[start..i].to_string())));
            }
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                return Err(err(start, &format!("unexpected character '{ch}'")));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(o, _)| *o)
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            offset: self.offset(),
            message: message.into(),
        })
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == w)
    }
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return self.err(format!(
                "nested more than {MAX_CONDITION_DEPTH} levels deep"
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let mut parts = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        self.depth -= 1;
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut parts = vec![self.unary()?];
        while self.is_word("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.is_word("not") {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        let left = self.operand()?;
        if let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.operand()?;
            if let Some(Tok::Op(_)) = self.peek() {
                return self.err("comparisons cannot be chained; join them with \"and\"");
            }
            return Ok(Expr::Compare(left, op, right));
        }
        Ok(Expr::Truthy(left))
    }

    fn operand(&mut self) -> Result<Operand, ExprError> {
        let Some(tok) = self.peek().cloned() else {
            return self.err("the condition ends too early");
        };
        self.pos += 1;
        match tok {
            Tok::LParen => {
                let inner = self.expr()?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.err("expected \")\"");
                }
                self.pos += 1;
                Ok(Operand::Group(Box::new(inner)))
            }
            Tok::Str(s) => Ok(Operand::Lit(Value::Str(s))),
            Tok::Int(n) => Ok(Operand::Lit(Value::Int(n))),
            Tok::Name(n) if n == "true" => Ok(Operand::Lit(Value::Bool(true))),
            Tok::Name(n) if n == "false" => Ok(Operand::Lit(Value::Bool(false))),
            Tok::Name(n) if matches!(n.as_str(), "and" | "or" | "not") => {
                self.pos -= 1;
                self.err(format!("expected a value before \"{n}\""))
            }
            Tok::Name(n) => {
                if n.ends_with('.') || n.contains("..") {
                    self.pos -= 1;
                    return self.err(format!("\"{n}\" is not a valid name"));
                }
                Ok(Operand::Name(n))
            }
            Tok::RParen => {
                self.pos -= 1;
                self.err("unexpected \")\"")
            }
            Tok::Op(_) => {
                self.pos -= 1;
                self.err("expected a value before the comparison")
            }
        }
    }
}

/// Parses a condition. Never panics; rejects conditions longer than
/// [`MAX_CONDITION_LEN`] or nested deeper than [`MAX_CONDITION_DEPTH`].
pub fn parse_condition(src: &str) -> Result<Expr, ExprError> {
    if src.len() > MAX_CONDITION_LEN {
        return Err(ExprError {
            offset: MAX_CONDITION_LEN,
            message: format!("longer than {MAX_CONDITION_LEN} characters"),
        });
    }
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(ExprError {
            offset: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos < p.toks.len() {
        return p
            .err("unexpected text after the condition; join conditions with \"and\" or \"or\"");
    }
    Ok(e)
}

/// The prefix that names a check node's result in conditions.
pub const CHECK_PREFIX: &str = "check.";

impl Expr {
    /// Every name the condition reads, in order of appearance, deduplicated.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut stack = vec![self];
        let mut operands: Vec<&Operand> = Vec::new();
        while let Some(e) = stack.pop() {
            match e {
                Expr::Or(v) | Expr::And(v) => stack.extend(v.iter().rev()),
                Expr::Not(inner) => stack.push(inner),
                Expr::Compare(a, _, b) => {
                    operands.push(a);
                    operands.push(b);
                }
                Expr::Truthy(a) => operands.push(a),
            }
            while let Some(o) = operands.pop() {
                match o {
                    Operand::Name(n) => {
                        if !out.contains(&n.as_str()) {
                            out.push(n);
                        }
                    }
                    Operand::Group(g) => stack.push(g),
                    Operand::Lit(_) => {}
                }
            }
        }
        out
    }

    /// Evaluates the condition. `lookup` returns a name's value, or `None`
    /// when it is unset. Total: never fails.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> bool {
        match self {
            Expr::Or(v) => v.iter().any(|e| e.eval(lookup)),
            Expr::And(v) => v.iter().all(|e| e.eval(lookup)),
            Expr::Not(e) => !e.eval(lookup),
            Expr::Truthy(o) => match resolve(o, lookup) {
                None => false,
                Some(Value::Bool(b)) => b,
                Some(Value::Int(i)) => i != 0,
                Some(Value::Str(s)) => !s.is_empty(),
            },
            Expr::Compare(a, op, b) => {
                let (a, b) = (resolve(a, lookup), resolve(b, lookup));
                match op {
                    CmpOp::Eq => equal(&a, &b),
                    CmpOp::Ne => !equal(&a, &b),
                    _ => match (as_int(&a), as_int(&b)) {
                        (Some(x), Some(y)) => match op {
                            CmpOp::Lt => x < y,
                            CmpOp::Le => x <= y,
                            CmpOp::Gt => x > y,
                            _ => x >= y,
                        },
                        _ => false,
                    },
                }
            }
        }
    }
}

fn resolve(o: &Operand, lookup: &dyn Fn(&str) -> Option<Value>) -> Option<Value> {
    match o {
        Operand::Lit(v) => Some(v.clone()),
        Operand::Name(n) => lookup(n),
        Operand::Group(e) => Some(Value::Bool(e.eval(lookup))),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(s) => s.clone(),
    }
}

fn equal(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => text_of(a) == text_of(b),
        _ => false,
    }
}

fn as_int(v: &Option<Value>) -> Option<i64> {
    match v {
        Some(Value::Int(i)) => Some(*i),
        Some(Value::Str(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn eval(src: &str, vars: &[(&str, Value)]) -> bool {
        let map: BTreeMap<String, Value> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        parse_condition(src).unwrap().eval(&|n| map.get(n).cloned())
    }

    #[test]
    fn compares_variables_and_check_results() {
        let vars = [
            ("band", Value::Str("5".into())),
            ("check.router", Value::Str("fail".into())),
            ("tries", Value::Int(3)),
        ];
        assert!(eval("band == \"5\" and check.router == 'fail'", &vars));
        assert!(eval("band == 5", &vars), "text forms compare equal");
        assert!(!eval("band != '5'", &vars));
        assert!(eval("tries >= 3 and not (tries > 3)", &vars));
        assert!(eval("band == '2.4' or tries < 10", &vars));
    }

    #[test]
    fn unset_variables_are_false_and_equal_nothing() {
        assert!(!eval("missing", &[]));
        assert!(!eval("missing == ''", &[]));
        assert!(eval("missing != 'x'", &[]));
        assert!(!eval("missing < 3", &[]));
        assert!(eval("not missing", &[]));
    }

    #[test]
    fn ordering_on_text_is_false_not_an_error() {
        assert!(!eval("'abc' < 3", &[]));
        assert!(!eval("true > false", &[]));
    }

    #[test]
    fn reports_mistakes_with_offsets() {
        let e = parse_condition("band = '5'").unwrap_err();
        assert_eq!(e.offset, 5);
        assert!(e.message.contains("=="));
        assert!(parse_condition("").is_err());
        assert!(parse_condition("a and").is_err());
        assert!(parse_condition("(a").is_err());
        assert!(parse_condition("a b").is_err());
        assert!(parse_condition("'open").is_err());
        assert!(parse_condition("1 < a < 3").is_err());
        assert!(parse_condition("a == 99999999999999999999").is_err());
        assert!(parse_condition("a == #").is_err());
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflow() {
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(parse_condition(&deep)
            .unwrap_err()
            .message
            .contains("nested"));
        let nots = format!("{}a", "not ".repeat(200));
        assert!(parse_condition(&nots).is_err());
        assert!(parse_condition(&"a or ".repeat(300)).is_err());
    }

    #[test]
    fn names_lists_every_read_once() {
        let e = parse_condition("a == 1 or (b and not check.c) or a").unwrap();
        let mut names = e.names();
        names.sort();
        assert_eq!(names, vec!["a", "b", "check.c"]);
    }
}
