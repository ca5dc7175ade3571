//! The report as text, CSV and one self-contained HTML page.
//!
//! The HTML is built with maud, which escapes every string it is given, so
//! search texts and ids (which came from browsers) can never become markup.
//! The page has inline CSS and inline SVG charts, and loads nothing.

use super::model::{FlowFunnel, Named, Report, TextList, DEFINITIONS, MAX_SECONDS, MAX_STEPS};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::fmt::Write;

fn define(key: &str) -> &'static str {
    DEFINITIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, v)| v)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("n/a".into(), |r| format!("{:.1}%", r * 100.0))
}

fn change(now: i64, before: i64) -> String {
    match now - before {
        0 => "±0".into(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    }
}

fn duration(seconds: Option<f64>) -> String {
    match seconds {
        None => "n/a".into(),
        Some(s) if s < 60.0 => format!("{s:.0} s"),
        Some(s) => format!("{}m {:02.0}s", (s / 60.0).floor(), s % 60.0),
    }
}

fn steps(median: Option<f64>) -> String {
    median.map_or("n/a".into(), |s| format!("{s}"))
}

fn flag_reason(flow: &FlowFunnel) -> Option<String> {
    flow.flagged.then(|| {
        format!(
            "resolutions take more than {MAX_STEPS} steps or {} minutes",
            MAX_SECONDS / 60.0
        )
    })
}

/// The plain-text report, for a terminal.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let p = &report.period;
    let _ = writeln!(
        out,
        "Signpost report: {} to {} ({} days, UTC; compared with {} to {})",
        p.since, p.until, p.days, p.previous_since, p.previous_until
    );
    if let Some(flow) = &p.flow {
        let _ = writeln!(out, "Flow sections show only the flow {flow}.");
    }
    let heading = |out: &mut String, title: &str| {
        let _ = writeln!(out, "\n{title}\n{}", "=".repeat(title.chars().count()));
    };
    let figure = |out: &mut String, label: &str, value: String, key: &str| {
        let _ = writeln!(out, "  {label:<24} {value}\n      {}", define(key));
    };

    heading(&mut out, "Self-service outcome");
    let o = &report.outcome;
    figure(
        &mut out,
        "Visits with intent",
        o.visits_with_intent.to_string(),
        "visits_with_intent",
    );
    figure(
        &mut out,
        "Verified resolutions",
        format!(
            "{} ({} guided fixes resolved, {} articles answered Yes)",
            o.verified_resolutions, o.resolved_flows, o.helpful_articles
        ),
        "verified_resolutions",
    );
    figure(&mut out, "Tickets", o.tickets.to_string(), "tickets");
    figure(&mut out, "Abandoned", o.abandoned.to_string(), "abandoned");
    figure(
        &mut out,
        "In progress",
        o.in_progress.to_string(),
        "in_progress",
    );
    figure(
        &mut out,
        "Self-service rate",
        percent(o.self_service_rate),
        "self_service_rate",
    );
    if report.dropped_offline > 0 {
        let _ = writeln!(
            out,
            "  ({} events were dropped by widgets that stayed offline too long.)",
            report.dropped_offline
        );
    }

    heading(&mut out, "Fix in the product");
    let _ = writeln!(out, "  {}", define("fix_in_product"));
    if report.fix_in_product.is_empty() {
        let _ = writeln!(out, "  No resolved ends in this period.");
    }
    for fix in &report.fix_in_product {
        let _ = writeln!(
            out,
            "  {:>6}  {:>6}  {} / {}",
            fix.count,
            change(fix.count, fix.previous),
            fix.flow,
            fix.node
        );
    }

    heading(&mut out, "Where self-help fails");
    let _ = writeln!(
        out,
        "  {}\n  {}",
        define("funnel"),
        define("time_to_resolution")
    );
    if report.flows.is_empty() {
        let _ = writeln!(out, "  No guided fixes were used in this period.");
    }
    for flow in &report.flows {
        let _ = writeln!(
            out,
            "\n  {}: {} started, {} resolved, {} tickets, {} abandoned, {} in progress",
            flow.flow, flow.started, flow.resolved, flow.tickets, flow.abandoned, flow.in_progress
        );
        let _ = writeln!(out, "    {:>8}  {:>12}  node", "reached", "stopped here");
        for node in &flow.nodes {
            let _ = writeln!(
                out,
                "    {:>8}  {:>12}  {}",
                node.reached, node.abandoned_here, node.node
            );
        }
        let _ = writeln!(
            out,
            "    Median to resolution: {} steps, {}",
            steps(flow.median_steps_to_resolution),
            duration(flow.median_seconds_to_resolution)
        );
        if let Some(reason) = flag_reason(flow) {
            let _ = writeln!(out, "    FLAGGED: {reason}");
        }
        if !flow.checks_failed_before_ticket.is_empty() {
            let _ = writeln!(out, "    Checks failed before a ticket:");
            for check in &flow.checks_failed_before_ticket {
                let _ = writeln!(out, "    {:>8}  {}", check.count, check.name);
            }
        }
    }

    heading(&mut out, "Content gaps");
    let _ = writeln!(out, "  {}", define("content_gaps"));
    let g = &report.content_gaps;
    let _ = writeln!(
        out,
        "  {} searches, {} with no result.",
        g.searches, g.no_result_searches
    );
    let texts = |out: &mut String, title: &str, list: &TextList| {
        let _ = writeln!(out, "  {title} (visits):");
        for t in &list.shown {
            let _ = writeln!(out, "    {:>6}  {}", t.visits, t.text);
        }
        let _ = writeln!(
            out,
            "    {:>6}  other (fewer than 3 visits each)",
            list.other_visits
        );
    };
    texts(&mut out, "Searches with no result", &g.no_result);
    texts(&mut out, "Searches followed by a ticket", &g.then_ticket);
    let _ = writeln!(out, "  Articles answered No (no / yes):");
    for a in &g.articles_answered_no {
        let _ = writeln!(out, "    {:>6} / {:<4}  {}", a.no, a.yes, a.article);
    }

    heading(&mut out, "Tickets");
    let _ = writeln!(
        out,
        "  {}\n  {} tickets.",
        define("tickets_by"),
        report.tickets.total
    );
    let named = |out: &mut String, title: &str, list: &[Named]| {
        let _ = writeln!(out, "  By {title}:");
        for n in list {
            let _ = writeln!(out, "    {:>6}  {}", n.count, n.name);
        }
    };
    named(&mut out, "tier", &report.tickets.by_tier);
    named(&mut out, "category", &report.tickets.by_category);
    named(&mut out, "origin", &report.tickets.by_origin);
    out
}

/// A spreadsheet must not run a search text as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The report as CSV: `section,flow,name,value,detail`, one figure a row.
pub fn csv(report: &Report) -> String {
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |section: &str, flow: &str, name: &str, value: String, detail: String| {
        rows.push([section.into(), cell(flow), cell(name), value, detail]);
    };
    let p = &report.period;
    row("period", "", "since", p.since.clone(), String::new());
    row("period", "", "until", p.until.clone(), String::new());
    let o = &report.outcome;
    for (name, value) in [
        ("visits_with_intent", o.visits_with_intent),
        ("verified_resolutions", o.verified_resolutions),
        ("resolved_flows", o.resolved_flows),
        ("helpful_articles", o.helpful_articles),
        ("tickets", o.tickets),
        ("abandoned", o.abandoned),
        ("in_progress", o.in_progress),
    ] {
        row("outcome", "", name, value.to_string(), String::new());
    }
    row(
        "outcome",
        "",
        "self_service_rate",
        o.self_service_rate
            .map_or(String::new(), |r| format!("{r:.4}")),
        String::new(),
    );
    for fix in &report.fix_in_product {
        row(
            "fix",
            &fix.flow,
            &fix.node,
            fix.count.to_string(),
            fix.previous.to_string(),
        );
    }
    for flow in &report.flows {
        let f = flow.flow.as_str();
        for (name, value) in [
            ("started", flow.started),
            ("resolved", flow.resolved),
            ("tickets", flow.tickets),
            ("abandoned", flow.abandoned),
            ("in_progress", flow.in_progress),
        ] {
            row("flow", f, name, value.to_string(), String::new());
        }
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        row(
            "flow",
            f,
            "median_steps",
            opt(flow.median_steps_to_resolution),
            String::new(),
        );
        row(
            "flow",
            f,
            "median_seconds",
            opt(flow.median_seconds_to_resolution),
            String::new(),
        );
        row(
            "flow",
            f,
            "flagged",
            flow.flagged.to_string(),
            String::new(),
        );
        for node in &flow.nodes {
            row(
                "funnel",
                f,
                &node.node,
                node.reached.to_string(),
                node.abandoned_here.to_string(),
            );
        }
        for check in &flow.checks_failed_before_ticket {
            row(
                "check_before_ticket",
                f,
                &check.name,
                check.count.to_string(),
                String::new(),
            );
        }
    }
    let g = &report.content_gaps;
    row("searches", "", "all", g.searches.to_string(), String::new());
    row(
        "searches",
        "",
        "no_result",
        g.no_result_searches.to_string(),
        String::new(),
    );
    for (section, list) in [
        ("no_result_search", &g.no_result),
        ("search_then_ticket", &g.then_ticket),
    ] {
        for t in &list.shown {
            row(section, "", &t.text, t.visits.to_string(), String::new());
        }
        row(
            section,
            "",
            "(other)",
            list.other_visits.to_string(),
            String::new(),
        );
    }
    for a in &g.articles_answered_no {
        row(
            "article_no",
            "",
            &a.article,
            a.no.to_string(),
            a.yes.to_string(),
        );
    }
    for (section, list) in [
        ("ticket_tier", &report.tickets.by_tier),
        ("ticket_category", &report.tickets.by_category),
        ("ticket_origin", &report.tickets.by_origin),
    ] {
        for n in list {
            row(section, "", &n.name, n.count.to_string(), String::new());
        }
    }
    for day in &report.daily {
        row(
            "daily",
            "",
            &day.date,
            day.tickets.to_string(),
            day.resolutions.to_string(),
        );
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["section", "flow", "name", "value", "detail"]);
    for r in &rows {
        let _ = writer.write_record(r);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:62rem;padding:0 1rem;color:#1d2430}\
h1{font-size:1.5rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde;padding-bottom:.2rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #dde;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.def{color:#4a5566;font-size:.9rem;margin:.1rem 0 .8rem}\
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}\
.figure{border:1px solid #dde;border-radius:8px;padding:.7rem .9rem}.figure .v{font-size:1.7rem;font-weight:650}\
.flag{color:#8a1c14;font-weight:650}svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#1d2430}";

fn figure(label: &str, value: String, key: &str) -> Markup {
    html! {
        div.figure {
            div { (label) }
            div.v { (value) }
            p.def { (define(key)) }
        }
    }
}

/// A horizontal bar funnel: started, each node, then the three ends.
fn funnel_chart(flow: &FlowFunnel) -> Markup {
    let mut rows: Vec<(String, i64, &str)> = vec![("started".into(), flow.started, "#3558a8")];
    rows.extend(
        flow.nodes
            .iter()
            .map(|n| (n.node.clone(), n.reached, "#6b88c9")),
    );
    rows.push(("resolved".into(), flow.resolved, "#17643a"));
    rows.push(("ticket".into(), flow.tickets, "#8a5a00"));
    rows.push(("abandoned".into(), flow.abandoned, "#8a1c14"));
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let (label_w, bar_w, row_h) = (180.0, 420.0, 24.0);
    let height = rows.len() as f64 * row_h + 4.0;
    let width = label_w + bar_w + 60.0;
    let title = format!("Funnel of {}", flow.flow);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height) {
            title { (title) }
            @for (i, (label, n, color)) in rows.iter().enumerate() {
                @let y = i as f64 * row_h + 2.0;
                @let w = (*n as f64 / max * bar_w).max(if *n > 0 { 1.0 } else { 0.0 });
                text x="0" y=(y + 16.0) { (truncate(label, 26)) }
                rect x=(label_w) y=(y + 3.0) width=(format!("{w:.1}")) height=(row_h - 6.0) fill=(*color) {}
                text x=(label_w + w + 6.0) y=(y + 16.0) { (n) }
            }
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// Tickets a day (bars) and the self-service rate (line, 0–100%).
fn daily_chart(report: &Report) -> Markup {
    let days = &report.daily;
    let (width, height, left, bottom, top) = (720.0, 220.0, 40.0, 24.0, 10.0);
    let plot_h = height - bottom - top;
    let step = (width - left - 10.0) / days.len().max(1) as f64;
    let max_tickets = days.iter().map(|d| d.tickets).max().unwrap_or(0).max(1) as f64;
    let dots: Vec<(f64, f64)> = days
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            d.self_service_rate
                .map(|r| (left + step * (i as f64 + 0.5), top + plot_h * (1.0 - r)))
        })
        .collect();
    let points: Vec<String> = dots.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let label = "Tickets a day (bars, scale on the right of each bar) and the daily self-service rate (line, 0 to 100%)";
    html! {
        svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
            viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height) {
            title { (label) }
            line x1=(left) y1=(top) x2=(left) y2=(top + plot_h) stroke="#99a" {}
            line x1=(left) y1=(top + plot_h) x2=(width - 10.0) y2=(top + plot_h) stroke="#99a" {}
            text x="0" y=(top + 10.0) { "100%" }
            text x="0" y=(top + plot_h) { "0%" }
            @for (i, d) in days.iter().enumerate() {
                @let h = d.tickets as f64 / max_tickets * plot_h * 0.9;
                @if d.tickets > 0 {
                    rect x=(format!("{:.1}", left + step * i as f64 + step * 0.15))
                        y=(format!("{:.1}", top + plot_h - h)) width=(format!("{:.1}", step * 0.7))
                        height=(format!("{h:.1}")) fill="#e0b36b" {
                        title { (d.date) ": " (d.tickets) " tickets, self-service " (percent(d.self_service_rate)) }
                    }
                }
            }
            @if points.len() > 1 {
                polyline points=(points.join(" ")) fill="none" stroke="#17643a" stroke-width="2" {}
            }
            @for (x, y) in &dots {
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" fill="#17643a" {}
            }
            @if let (Some(first), Some(last)) = (days.first(), days.last()) {
                text x=(left) y=(height - 6.0) { (first.date) }
                text x=(width - 90.0) y=(height - 6.0) { (last.date) }
            }
        }
    }
}

fn text_table(title: &str, list: &TextList) -> Markup {
    html! {
        h3 { (title) }
        table {
            thead { tr { th scope="col" { "Search text" } th.n scope="col" { "Visits" } } }
            tbody {
                @for t in &list.shown { tr { td { (t.text) } td.n { (t.visits) } } }
                tr { td { i { "other (fewer than 3 visits each)" } } td.n { (list.other_visits) } }
            }
        }
    }
}

fn named_table(title: &str, list: &[Named]) -> Markup {
    html! {
        h3 { "By " (title) }
        @if list.is_empty() { p { "None." } } @else {
            table {
                thead { tr { th scope="col" { (title) } th.n scope="col" { "Tickets" } } }
                tbody { @for n in list { tr { td { (n.name) } td.n { (n.count) } } } }
            }
        }
    }
}

/// The whole report as one HTML page.
pub fn html(report: &Report) -> String {
    let p = &report.period;
    let o = &report.outcome;
    let g = &report.content_gaps;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { "Signpost report " (p.since) " to " (p.until) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                h1 { "Signpost report" }
                p { (p.since) " to " (p.until) " (" (p.days) " days, UTC), compared with "
                    (p.previous_since) " to " (p.previous_until) "."
                    @if let Some(flow) = &p.flow { " Flow sections show only " code { (flow) } "." } }

                h2 { "Self-service outcome" }
                div.figures {
                    (figure("Visits with intent", o.visits_with_intent.to_string(), "visits_with_intent"))
                    (figure("Verified resolutions", o.verified_resolutions.to_string(), "verified_resolutions"))
                    (figure("Tickets", o.tickets.to_string(), "tickets"))
                    (figure("Abandoned", o.abandoned.to_string(), "abandoned"))
                    (figure("Self-service rate", percent(o.self_service_rate), "self_service_rate"))
                }
                p { (o.resolved_flows) " guided fixes resolved, " (o.helpful_articles)
                    " articles answered Yes; " (o.in_progress) " guided fixes still in progress." }
                (daily_chart(report))

                h2 { "Fix in the product" }
                p.def { (define("fix_in_product")) }
                @if report.fix_in_product.is_empty() { p { "No resolved ends in this period." } } @else {
                    table {
                        thead { tr { th scope="col" { "Guided fix" } th scope="col" { "Resolved at" }
                            th.n scope="col" { "Count" } th.n scope="col" { "Change" } } }
                        tbody { @for fix in &report.fix_in_product {
                            tr { td { (fix.flow) } td { (fix.node) } td.n { (fix.count) }
                                 td.n { (change(fix.count, fix.previous)) } }
                        } }
                    }
                }

                h2 { "Where self-help fails" }
                p.def { (define("funnel")) " " (define("time_to_resolution")) }
                @if report.flows.is_empty() { p { "No guided fixes were used in this period." } }
                @for flow in &report.flows {
                    h3 { (flow.flow) }
                    @if let Some(reason) = flag_reason(flow) { p.flag { "Flagged: " (reason) "." } }
                    p { "Median to resolution: " (steps(flow.median_steps_to_resolution)) " steps, "
                        (duration(flow.median_seconds_to_resolution)) "." }
                    (funnel_chart(flow))
                    table {
                        thead { tr { th scope="col" { "Node" } th.n scope="col" { "Runs reached" }
                            th.n scope="col" { "Stopped here" } } }
                        tbody { @for node in &flow.nodes {
                            tr { td { (node.node) } td.n { (node.reached) } td.n { (node.abandoned_here) } }
                        } }
                    }
                    @if !flow.checks_failed_before_ticket.is_empty() {
                        p.def { (define("checks_before_ticket")) }
                        table {
                            thead { tr { th scope="col" { "Check" } th.n scope="col" { "Failed before a ticket" } } }
                            tbody { @for c in &flow.checks_failed_before_ticket {
                                tr { td { (c.name) } td.n { (c.count) } }
                            } }
                        }
                    }
                }

                h2 { "Content gaps" }
                p.def { (define("content_gaps")) }
                p { (g.searches) " searches, " (g.no_result_searches) " with no result." }
                (text_table("Searches with no result", &g.no_result))
                (text_table("Searches followed by a ticket", &g.then_ticket))
                h3 { "Articles answered No" }
                @if g.articles_answered_no.is_empty() { p { "None." } } @else {
                    table {
                        thead { tr { th scope="col" { "Article" } th.n scope="col" { "No" } th.n scope="col" { "Yes" } } }
                        tbody { @for a in &g.articles_answered_no {
                            tr { td { (a.article) } td.n { (a.no) } td.n { (a.yes) } }
                        } }
                    }
                }

                h2 { "Tickets" }
                p.def { (define("tickets_by")) }
                p { (report.tickets.total) " tickets." }
                (named_table("tier", &report.tickets.by_tier))
                (named_table("category", &report.tickets.by_category))
                (named_table("origin", &report.tickets.by_origin))
                }
            }
        }
    };
    page.into_string()
}
