//! `signpost graph`: draw a flow as Mermaid text or a standalone SVG, for
//! reviews and docs. Every label is escaped for its target language.

use signpost::authoring::flow::{lint_source, LintOptions, SourceFormat};
use signpost::core::flow::format::{Node, Priority};
use signpost::core::flow::Flow;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Draw a flow as a diagram.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The flow file (YAML or JSON).
    #[arg(value_name = "FLOW")]
    pub flow: PathBuf,
    /// `mermaid` (flowchart text) or `svg`; by default `svg` when `--out`
    /// ends in `.svg`, else `mermaid`.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Svg,
}

pub fn run(args: Args) -> ExitCode {
    let file = args.flow.display().to_string();
    let text = match signpost::authoring::flow::load::read_capped(&args.flow) {
        Ok(t) => t,
        Err(d) => {
            println!("{d}");
            return ExitCode::FAILURE;
        }
    };
    let format = SourceFormat::from_file_name(&file).unwrap_or(SourceFormat::Yaml);
    let checked = lint_source(&text, format, &file, &LintOptions::default());
    let flow = match checked.flow {
        Some(flow) if !checked.has_errors() => flow,
        _ => {
            for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
                println!("{d}");
            }
            println!("signpost graph: {file} has errors; fix them first (signpost check)");
            return ExitCode::FAILURE;
        }
    };
    let format = args.format.unwrap_or_else(|| {
        if args
            .out
            .as_ref()
            .is_some_and(|o| o.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")))
        {
            Format::Svg
        } else {
            Format::Mermaid
        }
    });
    let out = match format {
        Format::Mermaid => mermaid(&flow),
        Format::Svg => svg(&flow),
    };
    match &args.out {
        None => print!("{out}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, out) {
                eprintln!("signpost graph: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// How a node is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    Question,
    Check,
    Step,
    Article,
    Branch,
    Resolved,
    /// A howto/feedback ticket.
    Ticket,
    /// An outage/billing/defect ticket.
    Urgent,
}

struct GNode<'a> {
    id: &'a str,
    look: Look,
    label: String,
    /// (edge label, target id)
    edges: Vec<(String, &'a str)>,
}

fn first_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat.replace("**", "").replace('`', "");
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max - 1).collect::<String>())
    } else {
        flat
    }
}

/// Nodes in breadth-first order from `start` (unreachable ones last, in id
/// order), with their layer.
fn nodes(flow: &Flow) -> Vec<(usize, GNode<'_>)> {
    let describe = |id: &'_ str, node: &'_ Node| -> (Look, String, Vec<(String, String)>) {
        let _ = id;
        match node {
            Node::Question(q) => (
                Look::Question,
                first_line(&q.text, 70),
                q.choices
                    .iter()
                    .map(|c| (first_line(&c.label, 32), c.next.clone()))
                    .collect(),
            ),
            Node::Check(c) => {
                let mut e = vec![
                    ("pass".to_string(), c.pass.clone()),
                    ("fail".to_string(), c.fail.clone()),
                ];
                if let Some(err) = &c.error {
                    e.push(("error".into(), err.clone()));
                }
                (Look::Check, format!("check {}", c.check), e)
            }
            Node::Step(s) => (
                Look::Step,
                first_line(&s.text, 70),
                vec![
                    ("fixed".into(), s.fixed.clone()),
                    ("not fixed".into(), s.not_fixed.clone()),
                ],
            ),
            Node::Article(a) => (
                Look::Article,
                format!("article {}", a.article),
                vec![("continue".into(), a.next.clone())],
            ),
            Node::Branch(b) => {
                let mut e: Vec<(String, String)> = b
                    .cases
                    .iter()
                    .map(|c| (first_line(&c.when, 32), c.next.clone()))
                    .collect();
                e.push(("else".into(), b.otherwise.clone()));
                (Look::Branch, "branch".into(), e)
            }
            Node::Resolved(r) => (
                Look::Resolved,
                r.text
                    .as_deref()
                    .map_or_else(|| "resolved".into(), |t| first_line(t, 70)),
                Vec::new(),
            ),
            Node::Ticket(t) => (
                if matches!(t.priority, Priority::Howto | Priority::Feedback) {
                    Look::Ticket
                } else {
                    Look::Urgent
                },
                format!("ticket {} ({})", t.category, t.priority.as_str()),
                Vec::new(),
            ),
        }
    };
    let mut layer: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut queue = VecDeque::from([(flow.start.as_str(), 0usize)]);
    while let Some((id, depth)) = queue.pop_front() {
        let Some((key, node)) = flow.nodes.get_key_value(id) else {
            continue;
        };
        if layer.contains_key(key.as_str()) {
            continue;
        }
        layer.insert(key, depth);
        order.push(key);
        for i in 0..node.edge_count() {
            if let Some(t) = node.edge_target(i) {
                queue.push_back((t, depth + 1));
            }
        }
    }
    let deepest = layer.values().max().copied().unwrap_or(0);
    for key in flow.nodes.keys() {
        if !layer.contains_key(key.as_str()) {
            layer.insert(key, deepest + 1);
            order.push(key);
        }
    }
    order
        .into_iter()
        .map(|id| {
            let node = &flow.nodes[id];
            let (look, label, edges) = describe(id, node);
            let edges = edges
                .into_iter()
                .filter_map(|(l, t)| flow.nodes.get_key_value(&t).map(|(k, _)| (l, k.as_str())))
                .collect();
            (
                layer[id],
                GNode {
                    id,
                    look,
                    label,
                    edges,
                },
            )
        })
        .collect()
}

/// Escapes text for a quoted Mermaid label: Mermaid reads `#name;` entity
/// codes there, so `"`, `#`, `<`, `>`, `&` and backticks are written as codes.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The flow as a Mermaid `flowchart TD`. Node names are `n0`, `n1`, … (ids
/// like `end` are Mermaid keywords); each label starts with the node id.
pub fn mermaid(flow: &Flow) -> String {
    let nodes = nodes(flow);
    let name: BTreeMap<&str, String> = nodes
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (n.id, format!("n{i}")))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "%% {}: {}", flow.id, flow.title.replace('\n', " "));
    out.push_str("flowchart TD\n");
    for (_, n) in &nodes {
        let label = mermaid_escape(&format!("{}: {}", n.id, n.label));
        let (open, close) = match n.look {
            Look::Question | Look::Branch => ("{\"", "\"}"),
            Look::Check => ("{{\"", "\"}}"),
            Look::Step => ("[\"", "\"]"),
            Look::Article => ("[/\"", "\"/]"),
            Look::Resolved => ("([\"", "\"])"),
            Look::Ticket | Look::Urgent => ("[[\"", "\"]]"),
        };
        let _ = writeln!(out, "  {}{open}{label}{close}", name[n.id]);
    }
    for (_, n) in &nodes {
        for (label, target) in &n.edges {
            let _ = writeln!(
                out,
                "  {} -->|\"{}\"| {}",
                name[n.id],
                mermaid_escape(label),
                name[target]
            );
        }
    }
    for (class, style) in [
        ("question", "fill:#e0ecff,stroke:#2f5bd3"),
        ("check", "fill:#f1e8ff,stroke:#7c3aed"),
        ("step", "fill:#f4f5f7,stroke:#6b7280"),
        ("article", "fill:#e6f6f4,stroke:#0f766e"),
        ("branch", "fill:#fff8db,stroke:#b08800"),
        ("resolved", "fill:#dcfce7,stroke:#15803d"),
        ("ticket", "fill:#ffedd5,stroke:#c2410c"),
        ("urgent", "fill:#fee2e2,stroke:#b91c1c"),
    ] {
        let members: Vec<&str> = nodes
            .iter()
            .filter(|(_, n)| class_name(n.look) == class)
            .map(|(_, n)| name[n.id].as_str())
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "  classDef {class} {style}");
            let _ = writeln!(out, "  class {} {class}", members.join(","));
        }
    }
    out
}

fn class_name(look: Look) -> &'static str {
    match look {
        Look::Question => "question",
        Look::Check => "check",
        Look::Step => "step",
        Look::Article => "article",
        Look::Branch => "branch",
        Look::Resolved => "resolved",
        Look::Ticket => "ticket",
        Look::Urgent => "urgent",
    }
}

/// Escapes text for SVG content and double-quoted attribute values (every
/// attribute this file writes is double-quoted); XML 1.0 allows no control
/// characters, so they become spaces.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing into a String cannot fail.
    let _ = maud::Escaper::new(&mut out).write_str(&s.replace(char::is_control, " "));
    out
}

/// Words wrapped to `width` characters, at most `max` lines.
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

const NODE_W: f64 = 190.0;
const GAP_X: f64 = 36.0;
const GAP_Y: f64 = 74.0;
const LINE_H: f64 = 15.0;

/// The flow as a standalone SVG: one row per breadth-first layer from the
/// start, shapes and colours by kind, labelled edges; edges that go back up
/// (loops, "try again") curve around the right side.
pub fn svg(flow: &Flow) -> String {
    let nodes = nodes(flow);
    let layers = nodes.iter().map(|(l, _)| *l).max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, (l, _)) in nodes.iter().enumerate() {
        rows[*l].push(i);
    }
    let texts: Vec<Vec<String>> = nodes.iter().map(|(_, n)| wrap(&n.label, 28, 3)).collect();
    let height = |i: usize| 30.0 + LINE_H * texts[i].len() as f64;
    let widest = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64;
    let width = widest * (NODE_W + GAP_X) + GAP_X + 120.0;
    let mut pos = vec![(0.0f64, 0.0f64); nodes.len()];
    let mut y = 70.0;
    for row in &rows {
        let row_w = row.len() as f64 * (NODE_W + GAP_X) - GAP_X;
        let mut x = (width - 120.0 - row_w) / 2.0;
        let row_h = row.iter().map(|&i| height(i)).fold(0.0, f64::max);
        for &i in row {
            pos[i] = (x, y);
            x += NODE_W + GAP_X;
        }
        y += row_h + GAP_Y;
    }
    let total_h = y;
    let index: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (n.id, i))
        .collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{total_h:.0}" viewBox="0 0 {width:.0} {total_h:.0}" font-family="system-ui, sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        "<title>{}</title>",
        xml_escape(&format!("{}: {}", flow.id, flow.title))
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>"##);
    out.push('\n');
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="{GAP_X}" y="36" font-size="16" font-weight="700" fill="#16202e">{}</text>"##,
        xml_escape(&flow.title)
    );

    // Edges first, so nodes are drawn over their ends.
    let mut labels = String::new();
    let mut back = 0.0;
    for (i, (_, n)) in nodes.iter().enumerate() {
        for (k, (label, target)) in n.edges.iter().enumerate() {
            let j = index[target];
            let (sx, sy) = pos[i];
            let (tx, ty) = pos[j];
            let spread = (k as f64 - (n.edges.len() as f64 - 1.0) / 2.0) * 28.0;
            let (path, lx, ly) = if ty > sy {
                let (x1, y1) = (sx + NODE_W / 2.0 + spread, sy + height(i));
                let (x2, y2) = (tx + NODE_W / 2.0, ty);
                let my = (y1 + y2) / 2.0;
                (
                    format!("M{x1:.1},{y1:.1} C{x1:.1},{my:.1} {x2:.1},{my:.1} {x2:.1},{y2:.1}"),
                    (x1 + x2) / 2.0,
                    my,
                )
            } else {
                back += 14.0;
                let (x1, y1) = (sx + NODE_W, sy + height(i) / 2.0);
                let (x2, y2) = (tx + NODE_W, ty + height(j) / 2.0);
                let bx = x1.max(x2) + 30.0 + back % 90.0;
                (
                    format!("M{x1:.1},{y1:.1} C{bx:.1},{y1:.1} {bx:.1},{y2:.1} {x2:.1},{y2:.1}"),
                    bx - 10.0,
                    (y1 + y2) / 2.0,
                )
            };
            let _ = writeln!(
                out,
                r##"<path d="{path}" fill="none" stroke="#9ca3af" stroke-width="1.4" marker-end="url(#arrow)"/>"##
            );
            if !label.is_empty() {
                let w = label.chars().count() as f64 * 6.2 + 8.0;
                let _ = writeln!(
                    labels,
                    r##"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="16" rx="3" fill="#ffffff" fill-opacity="0.9"/><text x="{lx:.1}" y="{:.1}" text-anchor="middle" fill="#374151" font-size="11">{}</text>"##,
                    lx - w / 2.0,
                    ly - 11.0,
                    ly + 1.0,
                    xml_escape(label)
                );
            }
        }
    }

    for (i, (_, n)) in nodes.iter().enumerate() {
        let (x, y) = pos[i];
        let h = height(i);
        let (fill, stroke) = match n.look {
            Look::Question => ("#e0ecff", "#2f5bd3"),
            Look::Check => ("#f1e8ff", "#7c3aed"),
            Look::Step => ("#f4f5f7", "#6b7280"),
            Look::Article => ("#e6f6f4", "#0f766e"),
            Look::Branch => ("#fff8db", "#b08800"),
            Look::Resolved => ("#dcfce7", "#15803d"),
            Look::Ticket => ("#ffedd5", "#c2410c"),
            Look::Urgent => ("#fee2e2", "#b91c1c"),
        };
        let shape = match n.look {
            Look::Check | Look::Branch => {
                let d = 12.0;
                format!(
                    r#"<polygon points="{:.1},{y:.1} {:.1},{y:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}" "#,
                    x + d,
                    x + NODE_W - d,
                    x + NODE_W,
                    y + h / 2.0,
                    x + NODE_W - d,
                    y + h,
                    x + d,
                    y + h,
                    y + h / 2.0,
                )
            }
            Look::Resolved | Look::Ticket | Look::Urgent => format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{h:.1}" rx="{:.1}" "#,
                h / 2.0
            ),
            Look::Article => format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{h:.1}" rx="2" stroke-dasharray="5 3" "#
            ),
            _ => format!(r#"<rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{h:.1}" rx="8" "#),
        };
        let _ = writeln!(
            out,
            r#"<g class="{}" data-node="{}">{shape}fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#,
            class_name(n.look),
            xml_escape(n.id)
        );
        let cx = x + NODE_W / 2.0;
        let _ = writeln!(
            out,
            r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#6b7280" font-size="10">{}</text>"##,
            y + 14.0,
            xml_escape(n.id)
        );
        for (k, line) in texts[i].iter().enumerate() {
            let _ = writeln!(
                out,
                r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#16202e">{}</text>"##,
                y + 30.0 + LINE_H * k as f64,
                xml_escape(line)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str(&labels);
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_for_each_language() {
        assert_eq!(
            mermaid_escape(r#"Is "5G" <b>#1</b> & `x`?"#),
            "Is #quot;5G#quot; #lt;b#gt;#35;1#lt;/b#gt; #amp; #96;x#96;?"
        );
        assert_eq!(
            xml_escape(r#"<script>"a" & 'b'"#),
            "&lt;script&gt;&quot;a&quot; &amp; 'b'"
        );
    }

    #[test]
    fn wrapping_caps_lines() {
        assert_eq!(wrap("a b c", 3, 3), ["a b", "c"]);
        assert_eq!(wrap("aaa bbb ccc", 3, 2), ["aaa", "bbb…"]);
    }
}
