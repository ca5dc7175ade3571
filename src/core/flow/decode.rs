//! Reads a [`Flow`] from the content bundle's JSON with [`crate::core::json`],
//! so the widget does not link serde_json (see that module for why).
//!
//! The bundle carries flows that `signpost build` already validated and
//! wrote with serde; this reads exactly that form. A field of the wrong
//! type is named by its path, but nothing is re-validated here.

use super::format::{
    ArticleNode, Branch, Case, Check, Choice, Flow, Node, NodeKind, NodeTranslation, Priority,
    Question, Resolved, Step, TicketField, TicketNode, Translation, Value,
};
use crate::core::json::{string, Fields, Json, JsonError, Path};
use crate::core::map::Map;

/// Reads one flow in its bundle (serde) form.
pub fn flow_from_json(value: &Json, path: &Path) -> Result<Flow, JsonError> {
    let f = Fields::of(value, *path)?;
    Ok(Flow {
        version: f.u64("version")? as u32,
        id: f.str("id")?,
        title: f.str("title")?,
        description: f.opt_str("description")?.unwrap_or_default(),
        phrases: f.strings("phrases")?,
        tags: f.strings("tags")?,
        locale: f
            .opt_str("locale")?
            .unwrap_or_else(super::format::default_locale),
        host_checks: f.strings("host_checks")?,
        start: f.str("start")?,
        nodes: map(&f, "nodes", node)?,
        translations: map(&f, "translations", translation)?,
        fingerprint: f.str("fingerprint")?,
    })
}

/// An object of named values; absent reads as empty.
pub(super) fn map<T>(
    f: &Fields,
    key: &str,
    mut item: impl FnMut(&Json, &Path) -> Result<T, JsonError>,
) -> Result<Map<String, T>, JsonError> {
    let mut out = Map::new();
    each_field(f, key, &mut |k, v, p| {
        out.insert(k.to_string(), item(v, p)?);
        Ok(())
    })?;
    Ok(out)
}

// As `json::items`: the loop is compiled once, behind `dyn`, and each value
// type adds only the closure that decodes and inserts one entry.
fn each_field(
    f: &Fields,
    key: &str,
    item: &mut dyn FnMut(&str, &Json, &Path) -> Result<(), JsonError>,
) -> Result<(), JsonError> {
    let path = Path::Key(f.path(), key);
    match f.raw(key) {
        None => Ok(()),
        Some(Json::Obj(fields)) => {
            for (k, v) in fields {
                item(k, v, &Path::Key(&path, k))?;
            }
            Ok(())
        }
        Some(_) => Err(path.error("expected an object")),
    }
}

/// One of `names` under `key`, which must be present; its index.
pub(super) fn required_choice(f: &Fields, key: &str, names: &[&str]) -> Result<usize, JsonError> {
    f.choice(key, names)?
        .ok_or_else(|| Path::Key(f.path(), key).error("missing"))
}

fn node(value: &Json, path: &Path) -> Result<Node, JsonError> {
    let f = Fields::of(value, *path)?;
    // The index is the kind's place in `NodeKind::ALL`.
    let kind = required_choice(&f, "kind", &NodeKind::ALL.map(NodeKind::as_str))?;
    Ok(match kind {
        0 => Node::Question(Question {
            text: f.str("text")?,
            choices: f.list("choices", |c, p| {
                let c = Fields::of(c, *p)?;
                Ok(Choice {
                    label: c.str("label")?,
                    next: c.str("next")?,
                    set: map(&c, "set", variable)?,
                })
            })?,
        }),
        1 => Node::Check(Check {
            check: f.str("check")?,
            args: map(&f, "args", string)?,
            text: f.opt_str("text")?,
            pass: f.str("pass")?,
            fail: f.str("fail")?,
            error: f.opt_str("error")?,
        }),
        2 => Node::Step(Step {
            text: f.str("text")?,
            article: f.opt_str("article")?,
            fixed: f.str("fixed")?,
            not_fixed: f.str("not_fixed")?,
        }),
        3 => Node::Article(ArticleNode {
            article: f.str("article")?,
            text: f.opt_str("text")?,
            next: f.str("next")?,
        }),
        4 => Node::Branch(Branch {
            cases: f.list("cases", |c, p| {
                let c = Fields::of(c, *p)?;
                Ok(Case {
                    when: c.str("when")?,
                    next: c.str("next")?,
                })
            })?,
            otherwise: f.str("else")?,
        }),
        5 => Node::Resolved(Resolved {
            text: f.opt_str("text")?,
        }),
        _ => {
            let names = Priority::ALL.map(Priority::as_str);
            let priority = required_choice(&f, "priority", &names)?;
            Node::Ticket(TicketNode {
                category: f.str("category")?,
                priority: Priority::ALL[priority],
                text: f.opt_str("text")?,
                fields: f.list("fields", |t, p| {
                    let t = Fields::of(t, *p)?;
                    Ok(TicketField {
                        id: t.str("id")?,
                        label: t.str("label")?,
                        required: t.opt_bool("required")?.unwrap_or(false),
                    })
                })?,
            })
        }
    })
}

/// A variable's value: `true`/`false`, a whole number or a string.
pub(super) fn variable(value: &Json, path: &Path) -> Result<Value, JsonError> {
    match value {
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::Num(n) if n.fract() == 0.0 => Ok(Value::Int(*n as i64)),
        Json::Str(s) => Ok(Value::Str(s.clone())),
        _ => Err(path.error("expected true/false, a whole number or a string")),
    }
}

fn translation(value: &Json, path: &Path) -> Result<Translation, JsonError> {
    let f = Fields::of(value, *path)?;
    Ok(Translation {
        title: f.opt_str("title")?,
        description: f.opt_str("description")?,
        phrases: f.strings("phrases")?,
        nodes: map(&f, "nodes", |n, p| {
            let n = Fields::of(n, *p)?;
            Ok(NodeTranslation {
                text: n.opt_str("text")?,
                choices: n.strings("choices")?,
                fields: map(&n, "fields", string)?,
            })
        })?,
    })
}
