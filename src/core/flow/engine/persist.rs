//! The saved-session JSON, written and read with [`crate::core::json`] and
//! [`super::super::encode`] instead of serde_json, which the widget cannot
//! afford. The text is the same as the serde form of [`Session`] (a native
//! test compares them byte for byte), so sessions saved by either resume.

use super::super::decode::{map, required_choice, variable};
use super::super::encode::Out;
use super::super::format::{NodeKind, Value};
use super::{CheckResult, Entry, Event, ResumeError, Session, Snapshot, SESSION_FORMAT};
use crate::core::json::{string, Fields, Json, JsonError, Path};
use crate::core::map::Map;

/// `event` names, in the order of [`Event`]'s variants.
const EVENTS: [&str; 8] = [
    "answered",
    "checked",
    "fixed",
    "continued",
    "branched",
    "reached",
    "went_back",
    "restarted",
];

/// `result` names, in the order of [`CheckResult`]'s variants.
const RESULTS: [&str; 3] = ["pass", "fail", "error"];

pub(super) fn write(s: &Session) -> String {
    let mut w = Out::new();
    w.open('{');
    w.key("format");
    w.uint(u64::from(s.format));
    w.field("flow_id", &s.flow_id);
    w.field("fingerprint", &s.fingerprint);
    w.field("locale", &s.locale);
    w.field("current", &s.current);
    write_state(&mut w, &s.vars, &s.checks);
    w.key("history");
    w.open('[');
    for h in &s.history {
        w.open('{');
        w.field("node", &h.node);
        write_state(&mut w, &h.vars, &h.checks);
        w.close('}');
    }
    w.close(']');
    w.key("transcript");
    w.open('[');
    for e in &s.transcript {
        write_entry(&mut w, e);
    }
    w.close(']');
    w.key("transcript_dropped");
    w.uint(s.transcript_dropped as u64);
    w.close('}');
    w.finish()
}

/// Variables and check results, as the session and each snapshot hold them.
fn write_state(w: &mut Out, vars: &Map<String, Value>, checks: &Map<String, String>) {
    w.key("vars");
    w.vars(vars);
    w.key("checks");
    w.str_map(checks);
}

// serde flattens the event (and a check's result) into the entry, tag first.
fn write_entry(w: &mut Out, e: &Entry) {
    w.open('{');
    w.key("at_ms");
    w.uint(e.at_ms);
    w.field("node_id", &e.node_id);
    w.field("kind", e.kind.as_str());
    let name = match &e.event {
        Event::Answered { .. } => 0,
        Event::Checked { .. } => 1,
        Event::Fixed { .. } => 2,
        Event::Continued => 3,
        Event::Branched { .. } => 4,
        Event::Reached => 5,
        Event::WentBack => 6,
        Event::Restarted => 7,
    };
    w.field("event", EVENTS[name]);
    match &e.event {
        Event::Answered { choice, label } => {
            w.key("choice");
            w.uint(*choice as u64);
            w.field("label", label);
        }
        Event::Checked { check, result } => {
            w.field("check", check);
            w.field("result", result.as_str());
            if let CheckResult::Error { detail } = result {
                w.field("detail", detail);
            }
        }
        Event::Fixed { fixed } => {
            w.key("fixed");
            w.raw(if *fixed { "true" } else { "false" });
        }
        Event::Branched { to } => w.field("to", to),
        Event::Continued | Event::Reached | Event::WentBack | Event::Restarted => {}
    }
    w.close('}');
}

/// Reads a saved session; the caller checks it against the flow.
pub(super) fn read(text: &str) -> Result<Session, ResumeError> {
    let malformed = |e: JsonError| ResumeError::Malformed(e.to_string());
    let root = Json::parse(text).map_err(malformed)?;
    let f = Fields::of(&root, Path::Root).map_err(malformed)?;
    // The format first, so a future format gets a precise error rather than
    // a field mismatch.
    let format = u32::try_from(f.u64("format").map_err(malformed)?)
        .map_err(|_| malformed(Path::Key(&Path::Root, "format").error("too large")))?;
    if format != SESSION_FORMAT {
        return Err(ResumeError::UnsupportedFormat(format));
    }
    read_session(&f, format).map_err(malformed)
}

fn read_session(f: &Fields, format: u32) -> Result<Session, JsonError> {
    Ok(Session {
        format,
        flow_id: f.str("flow_id")?,
        fingerprint: f.str("fingerprint")?,
        locale: f.str("locale")?,
        current: f.str("current")?,
        vars: map(f, "vars", variable)?,
        checks: map(f, "checks", string)?,
        history: f.list("history", |h, p| {
            let h = Fields::of(h, *p)?;
            Ok(Snapshot {
                node: h.str("node")?,
                vars: map(&h, "vars", variable)?,
                checks: map(&h, "checks", string)?,
            })
        })?,
        transcript: f.list("transcript", read_entry)?,
        transcript_dropped: f.opt_u64("transcript_dropped")?.unwrap_or(0) as usize,
    })
}

fn read_entry(value: &Json, path: &Path) -> Result<Entry, JsonError> {
    let f = Fields::of(value, *path)?;
    let kind = NodeKind::ALL[required_choice(&f, "kind", &NodeKind::ALL.map(NodeKind::as_str))?];
    let event = match required_choice(&f, "event", &EVENTS)? {
        0 => Event::Answered {
            choice: f.u64("choice")? as usize,
            label: f.str("label")?,
        },
        1 => Event::Checked {
            check: f.str("check")?,
            result: match required_choice(&f, "result", &RESULTS)? {
                0 => CheckResult::Pass,
                1 => CheckResult::Fail,
                _ => CheckResult::Error {
                    detail: f.str("detail")?,
                },
            },
        },
        2 => Event::Fixed {
            fixed: f
                .opt_bool("fixed")?
                .ok_or_else(|| Path::Key(path, "fixed").error("missing"))?,
        },
        3 => Event::Continued,
        4 => Event::Branched { to: f.str("to")? },
        5 => Event::Reached,
        6 => Event::WentBack,
        _ => Event::Restarted,
    };
    Ok(Entry {
        at_ms: f.u64("at_ms")?,
        node_id: f.str("node_id")?,
        kind,
        event,
    })
}
