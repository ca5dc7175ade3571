//! Cross-module tests: parsing + validation as an author meets them, the
//! engine as the widget drives it, and hostile input. The engine's tests
//! live here, not in the core, because they run flows as authors write
//! them, and only authoring reads flow files.

use super::*;
use crate::core::flow::{
    engine, format, CheckResult, EngineError, Event, Node, NodeKind, Priority, ResumeError,
    Session, Value, View,
};

const DEMO: [(&str, &str); 4] = [
    (
        "camera-wifi.yaml",
        include_str!("../../../public/demo/content/flows/camera-wifi.yaml"),
    ),
    (
        "verification-email.yaml",
        include_str!("../../../public/demo/content/flows/verification-email.yaml"),
    ),
    (
        "two-factor-code.yaml",
        include_str!("../../../public/demo/content/flows/two-factor-code.yaml"),
    ),
    (
        "app-wont-load.yaml",
        include_str!("../../../public/demo/content/flows/app-wont-load.yaml"),
    ),
];

/// A small valid flow; the mistake tests edit one line of it at a time.
/// Line numbers matter: they are asserted below.
const BASE: &str = "\
version: 1
id: wifi-band
title: Camera won't join Wi-Fi
phrases: [camera offline]
host_checks: [lumen.camera_online]
start: ask_band
nodes:
  ask_band:
    kind: question
    text: Which band?
    choices:
      - label: 5 GHz
        next: check_router
        set: { band: '5' }
      - label: 2.4 GHz
        next: check_router
        set: { band: '2.4' }
  check_router:
    kind: check
    check: lumen.camera_online
    pass: done
    fail: route
  route:
    kind: branch
    cases:
      - when: band == '5'
        next: switch
    else: ticket
  switch:
    kind: step
    text: Use the 2.4 GHz network.
    fixed: done
    not_fixed: ticket
  done:
    kind: resolved
  ticket:
    kind: ticket
    category: camera-wifi
    priority: howto
";

fn check(src: &str) -> Linted {
    lint_source(
        src,
        SourceFormat::Yaml,
        "flows/wifi.yaml",
        &LintOptions::default(),
    )
}

fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "test edit {from:?} does not apply");
    BASE.replacen(from, to, 1)
}

/// The one diagnostic of `src`, failing with all of them otherwise.
fn only(src: &str) -> Diagnostic {
    let c = check(src);
    assert_eq!(
        c.diagnostics.len(),
        1,
        "expected exactly one diagnostic, got:\n{}",
        render(&c.diagnostics)
    );
    c.diagnostics[0].clone()
}

fn render(d: &[Diagnostic]) -> String {
    d.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn demo_flows_are_clean_and_runnable() {
    for (name, src) in DEMO {
        let c = lint_source(src, SourceFormat::Yaml, name, &LintOptions::default());
        assert!(
            c.diagnostics.is_empty(),
            "{name}:\n{}",
            render(&c.diagnostics)
        );
        let flow = c.flow.unwrap();
        let sim = simulate(&flow, 10_000);
        assert!(!sim.truncated);
        assert!(sim.ticket_paths() > 0, "{name} must offer a ticket");
        assert!(sim
            .paths
            .iter()
            .all(|p| p.interactive_steps <= MAX_INTERACTIVE_STEPS));
        assert!(!matches!(sim.paths[0].outcome, PathEnd::DeadEnd { .. }));
    }
}

#[test]
fn the_base_flow_is_clean() {
    let c = check(BASE);
    assert!(c.diagnostics.is_empty(), "{}", render(&c.diagnostics));
}

#[test]
fn a_misspelt_reference_is_named_with_position_and_suggestion() {
    let d = only(&edit(
        "        next: check_router\n        set: { band: '2.4' }",
        "        next: chek_router\n        set: { band: '2.4' }",
    ));
    assert_eq!(
        d.to_string(),
        "flows/wifi.yaml:16:9: error[unknown-node] flow \"wifi-band\", node \"ask_band\", field \"choices[1].next\": no node named \"chek_router\" (did you mean \"check_router\"?)"
    );
}

#[test]
fn each_single_mistake_gets_exactly_its_own_diagnostic() {
    // (edit from, edit to, code, line, node, field, suggestion)
    #[allow(clippy::type_complexity)]
    let cases: &[(
        &str,
        &str,
        Code,
        u32,
        Option<&str>,
        Option<&str>,
        Option<&str>,
    )] = &[
        (
            "    text: Use the 2.4",
            "    txet: Use the 2.4",
            Code::UnknownField,
            31,
            Some("switch"),
            Some("txet"),
            Some("text"),
        ),
        (
            "    not_fixed: ticket\n",
            "    not_fixd: ticket\n",
            Code::UnknownField,
            33,
            Some("switch"),
            Some("not_fixd"),
            Some("not_fixed"),
        ),
        (
            "    kind: step",
            "    kind: stpe",
            Code::InvalidValue,
            30,
            Some("switch"),
            Some("kind"),
            Some("step"),
        ),
        (
            "    priority: howto",
            "    priority: urgent",
            Code::InvalidValue,
            39,
            Some("ticket"),
            Some("priority"),
            None,
        ),
        (
            "    priority: howto",
            "    priority: [howto]",
            Code::WrongType,
            39,
            Some("ticket"),
            Some("priority"),
            None,
        ),
        (
            "    text: Which band?",
            "    text: [Which band?]",
            Code::WrongType,
            10,
            Some("ask_band"),
            Some("text"),
            None,
        ),
        (
            "    fail: route\n",
            "",
            Code::MissingField,
            18,
            Some("check_router"),
            Some("fail"),
            None,
        ),
        (
            "      - when: band == '5'",
            "      - when: bnd == '5'",
            Code::UnsetVariable,
            26,
            Some("route"),
            Some("cases[0].when"),
            Some("band"),
        ),
        (
            "      - when: band == '5'",
            "      - when: band = '5'",
            Code::BadCondition,
            26,
            Some("route"),
            Some("cases[0].when"),
            None,
        ),
        (
            "    check: lumen.camera_online",
            "    check: lumen.camera_onlin",
            Code::UnknownCheck,
            20,
            Some("check_router"),
            Some("check"),
            Some("lumen.camera_online"),
        ),
        (
            "start: ask_band",
            "start: ask_bnad",
            Code::UnknownNode,
            6,
            None,
            Some("start"),
            Some("ask_band"),
        ),
        (
            "version: 1",
            "version: 2",
            Code::UnsupportedVersion,
            1,
            None,
            Some("version"),
            None,
        ),
        (
            "    text: Use the 2.4 GHz network.",
            "    text: See [help](javascript:alert(1)).",
            Code::UnsafeLink,
            31,
            Some("switch"),
            Some("text"),
            None,
        ),
        (
            "phrases: [camera offline]",
            "phrases: [camera offline]\ncolour: blue",
            Code::UnknownField,
            5,
            None,
            Some("colour"),
            None,
        ),
    ];
    for (from, to, code, line, node, field, suggestion) in cases {
        let d = only(&edit(from, to));
        assert_eq!(d.code, *code, "{d}");
        assert_eq!(d.line, Some(*line), "{d}");
        assert_eq!(d.node_id.as_deref(), *node, "{d}");
        assert_eq!(d.field.as_deref(), *field, "{d}");
        assert_eq!(d.suggestion.as_deref(), *suggestion, "{d}");
        assert_eq!(d.flow_id.as_deref(), Some("wifi-band"), "{d}");
    }
}

#[test]
fn missing_start_is_its_own_error() {
    let d = only(&edit("start: ask_band\n", ""));
    assert_eq!(d.code, Code::MissingStart);
}

#[test]
fn duplicate_node_ids_point_at_the_second_one() {
    let d = only(&format!("{BASE}  done:\n    kind: resolved\n"));
    assert_eq!(d.code, Code::DuplicateKey);
    assert_eq!(d.node_id.as_deref(), Some("done"));
    assert_eq!(d.line, Some(40));
}

#[test]
fn unreachable_nodes_and_endless_cycles_are_found() {
    let src = format!("{BASE}  orphan:\n    kind: resolved\n");
    let d = only(&src);
    assert_eq!(d.code, Code::UnreachableNode);
    assert_eq!(d.node_id.as_deref(), Some("orphan"));

    // The step now loops back to the question when not fixed, and "fixed"
    // loops too: from the question on, nothing ends.
    let looped = edit("    pass: done\n", "    pass: switch\n")
        .replacen(
            "    fixed: done\n    not_fixed: ticket\n",
            "    fixed: ask_band\n    not_fixed: ask_band\n",
            1,
        )
        .replacen("    else: ticket", "    else: switch", 1);
    let c = check(&looped);
    let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&Code::NoExit), "{}", render(&c.diagnostics));
    let no_exit: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::NoExit)
        .collect();
    assert_eq!(
        no_exit.len(),
        1,
        "one report per stuck group:\n{}",
        render(&c.diagnostics)
    );
    assert!(
        no_exit[0].message.contains("ask_band -> "),
        "{}",
        no_exit[0]
    );
}

#[test]
fn question_without_choices_and_branch_loops_are_errors() {
    let src = BASE.replacen(
        "    choices:\n      - label: 5 GHz\n        next: check_router\n        set: { band: '5' }\n      - label: 2.4 GHz\n        next: check_router\n        set: { band: '2.4' }\n",
        "    choices: []\n",
        1,
    );
    let c = check(&src);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == Code::EmptyChoices && d.node_id.as_deref() == Some("ask_band")));

    let src = format!(
        "{}  b1:\n    kind: branch\n    cases: [{{when: band == '9', next: done}}]\n    else: b2\n  b2:\n    kind: branch\n    cases: [{{when: band == '8', next: done}}]\n    else: b1\n",
        BASE.replacen("    pass: done\n", "    pass: b1\n", 1)
    );
    let c = check(&src);
    let loops: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::BranchLoop)
        .collect();
    assert_eq!(loops.len(), 1, "{}", render(&c.diagnostics));
    assert!(loops[0].message.contains("b1 -> b2 -> b1"));
}

#[test]
fn warnings_are_separate_from_errors() {
    // No ticket anywhere, an unused variable, and a declared but unused host check.
    let src = "version: 1\nid: w\ntitle: W\nhost_checks: [acme.thing]\nstart: q\nnodes:\n  q:\n    kind: question\n    text: Q?\n    choices:\n      - {label: A, next: done, set: {x: 1}}\n  done: {kind: resolved}\n";
    let c = check(src);
    let codes: Vec<(Code, Severity)> = c.diagnostics.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(
        codes,
        vec![
            (Code::UnusedHostCheck, Severity::Warning),
            (Code::NoTicket, Severity::Warning),
            (Code::UnusedVariable, Severity::Warning),
        ],
        "{}",
        render(&c.diagnostics)
    );
    assert!(!c.has_errors());
}

#[test]
fn more_than_eight_interactive_steps_is_a_warning() {
    let mut src = String::from("version: 1\nid: long\ntitle: L\nstart: s0\nnodes:\n");
    for i in 0..10 {
        src.push_str(&format!(
            "  s{i}:\n    kind: step\n    text: Step {i}\n    fixed: done\n    not_fixed: s{}\n",
            i + 1
        ));
    }
    src.push_str("  s10: {kind: ticket, category: x, priority: howto}\n  done: {kind: resolved}\n");
    let c = check(&src);
    let long: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::LongPath)
        .collect();
    assert_eq!(long.len(), 1, "{}", render(&c.diagnostics));
    assert_eq!(
        long[0].node_id.as_deref(),
        Some("s8"),
        "the ninth step is where it crosses the limit"
    );
    assert!(!c.has_errors());
}

#[test]
fn many_mistakes_at_once_are_all_reported() {
    let src = BASE
        .replacen("version: 1\n", "version: 1\nsummary: x\n", 1)
        .replacen(
            "        next: check_router\n        set: { band: '2.4' }",
            "        next: nowhere\n        set: { band: '2.4' }",
            1,
        )
        .replacen(
            "    check: lumen.camera_online",
            "    check: browser.offline",
            1,
        )
        .replacen("    priority: howto", "    priority: meh", 1)
        .replacen(
            "    text: Use the 2.4 GHz network.",
            "    txt: Use the 2.4 GHz network.",
            1,
        );
    let c = check(&src);
    let mut codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "invalid-value",
            "unknown-check",
            "unknown-field",
            "unknown-field",
            "unknown-node",
            "unused-host-check"
        ],
        "{}",
        render(&c.diagnostics)
    );
    // Sorted by position.
    let lines: Vec<u32> = c.diagnostics.iter().filter_map(|d| d.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn builtin_check_arguments_are_checked() {
    let src = edit(
        "    check: lumen.camera_online",
        "    check: http.reachable\n    args: {uri: 'https://x.example'}",
    );
    let c = check(&src);
    let msgs: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::BadCheckArgs)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(msgs.len(), 2, "{}", render(&c.diagnostics));
    assert!(msgs
        .iter()
        .any(|m| m.contains("needs the argument \"url\"")));
    assert!(msgs.iter().any(|m| m.contains("(did you mean \"url\"?)")));

    let src = edit(
        "    check: lumen.camera_online",
        "    check: http.reachable\n    args: {url: 'file:///etc/passwd'}",
    );
    assert!(check(&src)
        .diagnostics
        .iter()
        .any(|d| d.code == Code::BadCheckArgs && d.message.contains("not an http(s) URL")));
}

#[test]
fn new_builtin_check_arguments_are_checked_before_they_run() {
    let bad = [
        (
            "browser.version",
            "{browser: 'chrom', min_major: '120'}",
            "\"chrom\" is not a browser",
        ),
        (
            "browser.version",
            "{min_major: 'new'}",
            "\"min_major\" must be a positive whole number",
        ),
        (
            "screen.size",
            "{min_width: '-5'}",
            "\"min_width\" must be a positive whole number",
        ),
        ("page.element", "{}", "needs the argument \"selector\""),
    ];
    for (name, args, expected) in bad {
        let src = edit(
            "    check: lumen.camera_online",
            &format!("    check: {name}\n    args: {args}"),
        );
        let c = check(&src);
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.code == Code::BadCheckArgs && d.message.contains(expected)),
            "{name} {args}: {}",
            render(&c.diagnostics)
        );
    }
    let good = edit(
        "    check: lumen.camera_online",
        "    check: browser.version\n    args: {browser: 'Chrome, samsung-internet', min_major: '100'}",
    );
    assert!(!check(&good)
        .diagnostics
        .iter()
        .any(|d| d.code == Code::BadCheckArgs));
}

#[test]
fn host_checks_may_come_from_the_command_line() {
    let src = edit("host_checks: [lumen.camera_online]\n", "");
    let c = check(&src);
    assert!(c.diagnostics.iter().any(|d| d.code == Code::UnknownCheck));
    let opts = LintOptions {
        host_checks: vec!["lumen.camera_online".into()],
        articles: None,
    };
    let c = lint_source(&src, SourceFormat::Yaml, "f.yaml", &opts);
    assert!(c.diagnostics.is_empty(), "{}", render(&c.diagnostics));
}

#[test]
fn host_checks_cannot_take_builtin_names() {
    let src = edit(
        "host_checks: [lumen.camera_online]",
        "host_checks: [lumen.camera_online, browser.online, http.fancy]",
    );
    let c = check(&src);
    let bad: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InvalidValue)
        .collect();
    assert_eq!(bad.len(), 2, "{}", render(&c.diagnostics));
}

#[test]
fn article_ids_are_checked_when_known() {
    let src = edit(
        "    text: Use the 2.4 GHz network.",
        "    text: Use the 2.4 GHz network.\n    article: wifi-bands",
    );
    assert!(check(&src).diagnostics.is_empty());
    let opts = LintOptions {
        host_checks: vec![],
        articles: Some(["wifi-band".to_string()].into()),
    };
    let c = lint_source(&src, SourceFormat::Yaml, "f.yaml", &opts);
    assert_eq!(c.diagnostics.len(), 1);
    assert_eq!(c.diagnostics[0].code, Code::UnknownArticle);
    assert_eq!(c.diagnostics[0].suggestion.as_deref(), Some("wifi-band"));
}

#[test]
fn translations_must_match_the_flow() {
    let src = format!(
        "{BASE}translations:\n  de:\n    title: Kamera\n    nodes:\n      ask_band:\n        choices: [A, B, C]\n      swich:\n        text: X\n"
    );
    let c = check(&src);
    let bad: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::BadTranslation)
        .collect();
    assert_eq!(bad.len(), 2, "{}", render(&c.diagnostics));
    assert!(bad
        .iter()
        .any(|d| d.suggestion.as_deref() == Some("switch")));
}

#[test]
fn duplicate_flow_ids_across_files_are_reported() {
    let a = check(BASE);
    let b = lint_source(
        BASE,
        SourceFormat::Yaml,
        "flows/copy.yaml",
        &LintOptions::default(),
    );
    let d = lint_duplicate_ids(&[a, b]);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].file, "flows/copy.yaml");
    assert_eq!(d[0].line, Some(2));
    assert!(d[0].message.contains("flows/wifi.yaml"));
}

#[test]
fn json_flows_read_like_yaml_and_share_the_fingerprint() {
    let yaml = parse_flow(BASE, SourceFormat::Yaml, "a.yaml").unwrap();
    // Authors do not write the fingerprint; parsing computes it.
    let unstamped = Flow {
        fingerprint: String::new(),
        ..yaml.clone()
    };
    let json_text = serde_json::to_string_pretty(&unstamped).unwrap();
    let json = parse_flow(&json_text, SourceFormat::Json, "a.json").unwrap();
    assert_eq!(yaml, json);
    assert_eq!(yaml.fingerprint.len(), 16);
    // The bundle path: trusted JSON, with the fingerprint, read by the
    // widget's decoder.
    let bundle = bundle_read(&serde_json::to_string_pretty(&yaml).unwrap());
    assert_eq!(bundle, yaml);

    let broken = json_text.replacen("\"next\": \"check_router\"", "\"next\": \"nope\"", 1);
    let c = lint_source(
        &broken,
        SourceFormat::Json,
        "a.json",
        &LintOptions::default(),
    );
    assert_eq!(c.diagnostics.len(), 1, "{}", render(&c.diagnostics));
    let d = &c.diagnostics[0];
    assert_eq!(d.code, Code::UnknownNode);
    let line = json_text
        .lines()
        .position(|l| l.contains("\"next\": \"check_router\""))
        .unwrap()
        + 1;
    assert_eq!(d.line, Some(line as u32));
}

#[test]
fn syntax_errors_carry_a_position() {
    let d = only("version: 1\nid: x\n  title: [broken\n");
    assert_eq!(d.code, Code::Syntax);
    assert!(d.line.is_some());
    let c = lint_source(
        "{\"version\": 1,}",
        SourceFormat::Json,
        "x.json",
        &LintOptions::default(),
    );
    assert_eq!(c.diagnostics[0].code, Code::Syntax);
    assert_eq!(c.diagnostics[0].line, Some(1));
}

// ---------- hostile input ----------

#[test]
fn oversized_files_are_refused_before_parsing() {
    let big = format!("version: 1\n# {}\n", "x".repeat(MAX_FILE_BYTES));
    let d = only(&big);
    assert_eq!(d.code, Code::TooLarge);
    assert!(d.message.contains("1 MiB"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let yaml = format!(
        "version: 1\nid: x\ntitle: {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let c = check(&yaml);
    assert!(c.has_errors());
    let json = format!(
        "{{\"version\": 1, \"x\": {}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let c = lint_source(&json, SourceFormat::Json, "x.json", &LintOptions::default());
    assert_eq!(c.diagnostics[0].code, Code::Syntax);
    let maps = format!(
        "version: 1\nid: x\ntitle: {}1{}\n",
        "{a: ".repeat(5_000),
        "}".repeat(5_000)
    );
    assert!(check(&maps).has_errors());
}

#[test]
fn yaml_alias_bombs_are_refused() {
    // Billion laughs: each level repeats the previous one ten times.
    let mut src = String::from("version: 1\nid: bomb\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    let d = only(&src);
    assert_eq!(d.code, Code::TooLarge, "{d}");

    // One big anchor referenced many times: few jumps, huge expansion.
    let mut src = String::from("version: 1\nid: wide\nbig: &big [");
    for i in 0..20_000 {
        src.push_str(&format!("\"item{i}\","));
    }
    src.push_str("\"end\"]\ncopies: [");
    for _ in 0..2_000 {
        src.push_str("*big,");
    }
    src.push_str("*big]\n");
    assert!(src.len() < MAX_FILE_BYTES);
    let d = only(&src);
    assert_eq!(d.code, Code::TooLarge, "{d}");
}

fn cycle_flow(n: usize, with_exit: bool) -> String {
    let mut src = String::from("version: 1\nid: ring\ntitle: Ring\nstart: n0\nnodes:\n");
    for i in 0..n {
        let next = (i + 1) % n;
        src.push_str(&format!(
            "  n{i}:\n    kind: article\n    article: a{i}\n    next: n{next}\n"
        ));
    }
    if with_exit {
        src = src.replacen("    next: n1\n", "    next: n1\n  q:\n    kind: question\n    text: Q\n    choices: [{label: out, next: t}, {label: on, next: n0}]\n  t: {kind: ticket, category: x, priority: howto}\n", 1);
        src = src.replacen("start: n0", "start: q", 1);
    }
    src
}

#[test]
fn a_thousand_node_cycle_is_one_clear_error() {
    let c = check(&cycle_flow(1000, false));
    let no_exit: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::NoExit)
        .collect();
    assert_eq!(
        no_exit.len(),
        1,
        "{}",
        render(&c.diagnostics[..c.diagnostics.len().min(5)])
    );
    assert!(no_exit[0].message.contains("1000 nodes"), "{}", no_exit[0]);
    let sim = simulate(c.flow.as_ref().unwrap(), 10);
    assert_eq!(sim.paths.len(), 1);
    assert!(matches!(sim.paths[0].outcome, PathEnd::Loop { .. }));
}

#[test]
fn ten_thousand_nodes_in_a_chain_do_not_overflow_anything() {
    let mut src = String::from("version: 1\nid: chain\ntitle: Chain\nstart: n0\nnodes:\n");
    let n = 9_990;
    for i in 0..n {
        src.push_str(&format!(
            "  n{i}: {{kind: branch, cases: [{{when: 'x == 1', next: t}}], else: n{}}}\n",
            i + 1
        ));
    }
    src.push_str(&format!("  n{n}: {{kind: question, text: Q, choices: [{{label: A, next: t, set: {{x: 1}}}}]}}\n  t: {{kind: ticket, category: c, priority: feedback}}\n"));
    let c = check(&src);
    assert!(
        !c.has_errors(),
        "{}",
        render(&c.diagnostics[..c.diagnostics.len().min(5)])
    );
    let flow = c.flow.unwrap();
    let (s, view) = Session::start(&flow, "en", 0).unwrap();
    assert_eq!(view.node_id(), format!("n{n}"));
    assert_eq!(
        s.transcript().len(),
        engine::MAX_TRANSCRIPT,
        "the transcript is capped"
    );
    assert!(s.transcript_dropped() > 0);
}

// ---------- the engine ----------

fn demo(name: &str) -> Flow {
    let src = DEMO.iter().find(|(n, _)| *n == name).unwrap().1;
    parse_flow(src, SourceFormat::Yaml, name).unwrap()
}

#[test]
fn a_walk_records_answers_checks_and_times() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, v) = Session::start(&flow, "en", 1_000).unwrap();
    let View::Question { choices, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(choices[0], "Blinking amber");
    let v = s.answer(&flow, 0, 2_000).unwrap();
    assert_eq!(v.node_id(), "ask_band");
    let v = s.answer(&flow, 0, 3_000).unwrap();
    assert!(
        matches!(v, View::Step { ref article, .. } if article.as_deref() == Some("wifi-bands-explained"))
    );
    let v = s.fixed(&flow, true, 4_000).unwrap();
    let View::Check { request, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(request.check, "lumen.camera_online");
    assert!(request.host);
    let v = s.check_result(&flow, CheckResult::Fail, 5_000).unwrap();
    let View::Check { request, .. } = &v else {
        panic!("{v:?}")
    };
    assert_eq!(request.check, "http.reachable");
    assert_eq!(request.args["url"], "https://status.lumen.example/api/ping");
    assert!(!request.host);
    let v = s
        .check_result(
            &flow,
            CheckResult::Error {
                detail: "timeout".into(),
            },
            6_000,
        )
        .unwrap();
    // No error branch on check_cloud: an error follows `fail`.
    assert_eq!(v.node_id(), "check_online");
    let v = s.check_result(&flow, CheckResult::Pass, 7_000).unwrap();
    let View::Ticket {
        priority, category, ..
    } = &v
    else {
        panic!("{v:?}")
    };
    assert_eq!(
        (*priority, category.as_str()),
        (Priority::Outage, "service-outage")
    );
    assert!(s.is_finished(&flow));

    let t = s.transcript();
    let summary: Vec<(u64, &str, &str)> = t
        .iter()
        .map(|e| {
            let ev = match &e.event {
                Event::Answered { .. } => "answered",
                Event::Checked { .. } => "checked",
                Event::Fixed { .. } => "fixed",
                Event::Reached => "reached",
                _ => "other",
            };
            (e.at_ms, e.node_id.as_str(), ev)
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (2_000, "ask_light", "answered"),
            (3_000, "ask_band", "answered"),
            (4_000, "step_switch_band", "fixed"),
            (5_000, "check_camera", "checked"),
            (6_000, "check_cloud", "checked"),
            (7_000, "check_online", "checked"),
            (7_000, "ticket_outage", "reached"),
        ]
    );
    assert_eq!(
        t[4].event,
        Event::Checked {
            check: "http.reachable".into(),
            result: CheckResult::Error {
                detail: "timeout".into()
            }
        }
    );
    let json = serde_json::to_value(&t[1]).unwrap();
    assert_eq!(json["event"], "answered");
    assert_eq!(json["label"], "One whose name ends in \"5G\" or \"5GHz\"");
}

#[test]
fn wrong_inputs_are_refused_and_change_nothing() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    let before = s.clone();
    assert_eq!(
        s.answer(&flow, 7, 1),
        Err(EngineError::NoSuchChoice { index: 7, count: 3 })
    );
    assert!(matches!(
        s.fixed(&flow, true, 1),
        Err(EngineError::NotExpected { .. })
    ));
    assert!(matches!(
        s.check_result(&flow, CheckResult::Pass, 1),
        Err(EngineError::NotExpected { .. })
    ));
    assert_eq!(s.back(&flow, 1), Err(EngineError::NothingToGoBackTo));
    let other = demo("two-factor-code.yaml");
    assert!(matches!(
        s.answer(&other, 0, 1),
        Err(EngineError::WrongFlow { .. })
    ));
    assert_eq!(s, before);
}

#[test]
fn back_skips_checks_and_undoes_variables() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.answer(&flow, 0, 1).unwrap(); // blinking amber -> ask_band
    s.answer(&flow, 1, 2).unwrap(); // 2.4 GHz -> step_password, band = 2.4
    assert_eq!(s.variables().get("band"), Some(&Value::Str("2.4".into())));
    let v = s.fixed(&flow, true, 3).unwrap(); // -> check_camera
    assert!(matches!(v, View::Check { .. }));
    let v = s.back(&flow, 4).unwrap();
    assert_eq!(
        v.node_id(),
        "step_password",
        "back from a check returns to the last thing the user pressed"
    );
    let v = s.back(&flow, 5).unwrap();
    assert_eq!(v.node_id(), "ask_band");
    assert!(
        s.variables().is_empty(),
        "going back undoes the answer's variables"
    );
    // A different answer now routes differently.
    s.answer(&flow, 0, 6).unwrap();
    assert_eq!(s.current_node(), "step_switch_band");
    assert!(matches!(
        s.transcript().iter().rev().nth(1).unwrap().event,
        Event::WentBack
    ));
}

#[test]
fn branches_route_on_answers_and_check_results() {
    let flow = demo("two-factor-code.yaml");
    // Clock check fails, fixing does not help, authenticator app, still failing:
    // the branch sees check.check_clock == "fail" and source == "app".
    let (mut s, v) = Session::start(&flow, "en", 0).unwrap();
    let View::Check { request, .. } = v else {
        panic!()
    };
    assert_eq!(
        (request.check.as_str(), request.args["max_seconds"].as_str()),
        ("clock.skew", "30")
    );
    s.check_result(&flow, CheckResult::Fail, 1).unwrap();
    s.fixed(&flow, false, 2).unwrap();
    s.answer(&flow, 0, 3).unwrap();
    let v = s.fixed(&flow, false, 4).unwrap();
    assert_eq!(v.node_id(), "ticket_clock");

    // Same answers with a passing clock go to the generic ticket.
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.check_result(&flow, CheckResult::Pass, 1).unwrap();
    s.answer(&flow, 0, 2).unwrap();
    assert_eq!(s.fixed(&flow, false, 3).unwrap().node_id(), "ticket_2fa");

    // A failing backup code is a locked-out user.
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.check_result(&flow, CheckResult::Pass, 1).unwrap();
    s.answer(&flow, 2, 2).unwrap();
    let v = s.fixed(&flow, false, 3).unwrap();
    assert!(matches!(
        v,
        View::Ticket {
            priority: Priority::Defect,
            ..
        }
    ));
}

#[test]
fn a_session_survives_a_reload_mid_flow() {
    let flow = demo("verification-email.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.answer(&flow, 1, 10).unwrap(); // longer ago -> step_spam
    s.fixed(&flow, false, 20).unwrap(); // -> step_resend
    let saved = s.to_json();

    // "Reload the page": a new process parses the same content again.
    let reloaded_flow = demo("verification-email.yaml");
    let mut r = Session::resume(&saved, &reloaded_flow).unwrap();
    assert_eq!(r, s);
    assert_eq!(r.current_node(), "step_resend");
    let v = r.fixed(&reloaded_flow, false, 30).unwrap();
    assert_eq!(v.node_id(), "ask_domain");
    let v = r.answer(&reloaded_flow, 0, 40).unwrap(); // work email -> branch -> step_allowlist
    assert_eq!(v.node_id(), "step_allowlist");
    // Back still works across the reload.
    assert_eq!(r.back(&reloaded_flow, 50).unwrap().node_id(), "ask_domain");
    assert_eq!(r.back(&reloaded_flow, 60).unwrap().node_id(), "step_resend");
}

#[test]
fn a_changed_flow_refuses_to_resume() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.answer(&flow, 0, 1).unwrap();
    let saved = s.to_json();

    // A content edit that moves a route: resuming must not continue on it.
    let src = DEMO[0].1.replacen(
        "        next: step_switch_band\n        set: { band: \"5\" }",
        "        next: step_password\n        set: { band: \"5\" }",
        1,
    );
    let changed = parse_flow(&src, SourceFormat::Yaml, "camera-wifi.yaml").unwrap();
    assert_ne!(changed.fingerprint, flow.fingerprint);
    assert!(matches!(
        Session::resume(&saved, &changed),
        Err(ResumeError::FlowChanged { .. })
    ));

    // Even a text-only edit changes the fingerprint.
    let src = DEMO[0].1.replacen("Blinking amber", "Flashing amber", 1);
    let changed = parse_flow(&src, SourceFormat::Yaml, "camera-wifi.yaml").unwrap();
    assert!(matches!(
        Session::resume(&saved, &changed),
        Err(ResumeError::FlowChanged { .. })
    ));

    let other = demo("two-factor-code.yaml");
    assert!(matches!(
        Session::resume(&saved, &other),
        Err(ResumeError::WrongFlow { .. })
    ));
    assert!(matches!(
        Session::resume("{not json", &flow),
        Err(ResumeError::Malformed(_))
    ));
    assert!(matches!(
        Session::resume("{\"format\": 2}", &flow),
        Err(ResumeError::UnsupportedFormat(2))
    ));
    let tampered = saved.replacen("\"current\":\"ask_band\"", "\"current\":\"gone\"", 1);
    assert!(matches!(
        Session::resume(&tampered, &flow),
        Err(ResumeError::Inconsistent(_))
    ));
}

/// A flow whose texts and variables exercise every JSON escape and value
/// type the saved session and the fingerprint write.
const ODD: &str = r#"
version: 1
id: odd
title: "Odd \"texts\" \\ \t \u0008 \u000c \u0001 \u007f \u2028 é 😀"
start: ask
nodes:
  ask:
    kind: question
    text: "Pick\none"
    choices:
      - label: "Quote \" back\\ tab\t bell\u0007"
        next: read
        set: { n: -3, ok: true, s: "x\"\u0001\u2029" }
      - label: Huge
        next: read
        set: { n: 9007199254740993 }
  read:
    kind: article
    article: some-article
    next: run
  run:
    kind: check
    check: http.reachable
    args: { url: "https://example.test/\"ping\"", timeout_ms: "10" }
    pass: step
    fail: route
    error: route
  route:
    kind: branch
    cases:
      - when: n < 0
        next: step
    else: done
  step:
    kind: step
    text: Do it
    fixed: done
    not_fixed: ticket
  done: { kind: resolved }
  ticket:
    kind: ticket
    category: c
    priority: howto
    fields:
      - { id: serial, label: "Serial \"no\"", required: true }
translations:
  de:
    nodes:
      ask: { text: "Wähle\u0008", choices: [Zitat] }
      ticket: { fields: { serial: "Seriennummer" } }
"#;

fn odd() -> Flow {
    parse_flow(ODD, SourceFormat::Yaml, "odd.yaml").unwrap()
}

/// A session that has seen every event, odd strings and variable types,
/// with more entries than the transcript keeps.
fn odd_session(flow: &Flow) -> Session {
    let (mut s, _) = Session::start(flow, "de", 1).unwrap();
    let mut t = 1;
    let mut tick = || {
        t += 1;
        t
    };
    for _ in 0..260 {
        s.answer(flow, 0, tick()).unwrap();
        s.back(flow, tick()).unwrap();
    }
    s.answer(flow, 0, tick()).unwrap();
    s.proceed(flow, tick()).unwrap();
    let detail = "no \"answer\" \\ \n\r\t \u{8}\u{c}\u{1}\u{1f}\u{7f} \u{2028}\u{2029} ü 😀".into();
    s.check_result(flow, CheckResult::Error { detail }, tick())
        .unwrap();
    s.fixed(flow, false, tick()).unwrap();
    s.back(flow, tick()).unwrap();
    s.restart(flow, tick()).unwrap();
    s.answer(flow, 0, tick()).unwrap();
    s.proceed(flow, tick()).unwrap();
    s.check_result(flow, CheckResult::Pass, tick()).unwrap();
    s.back(flow, tick()).unwrap();
    s.proceed(flow, tick()).unwrap();
    s.check_result(flow, CheckResult::Fail, 1_700_000_000_123)
        .unwrap();
    assert!(s.transcript_dropped() > 0);
    s
}

#[test]
fn saved_sessions_match_serde_byte_for_byte_both_ways() {
    let flow = odd();
    let s = odd_session(&flow);
    let theirs = serde_json::to_string(&s).unwrap();
    let ours = s.to_json();
    assert_eq!(ours, theirs);
    // Sessions saved by serde (earlier builds, native tools) resume, and
    // serde reads ours.
    assert_eq!(Session::resume(&theirs, &flow).unwrap(), s);
    let pretty = serde_json::to_string_pretty(&s).unwrap();
    assert_eq!(Session::resume(&pretty, &flow).unwrap(), s);
    assert_eq!(serde_json::from_str::<Session>(&ours).unwrap(), s);

    // Integers past 2^53 are written exactly, as serde writes them.
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.answer(&flow, 1, 1).unwrap();
    assert_eq!(s.to_json(), serde_json::to_string(&s).unwrap());
    assert!(s.to_json().contains("\"n\":9007199254740993"));
}

#[test]
fn a_malformed_saved_session_names_the_field() {
    let flow = odd();
    let saved: serde_json::Value = serde_json::from_str(&odd_session(&flow).to_json()).unwrap();
    let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = saved.clone();
        edit(&mut v);
        match Session::resume(&v.to_string(), &flow) {
            Err(ResumeError::Malformed(m)) => m,
            other => panic!("{other:?}"),
        }
    };
    let m = broken(&|v| {
        v.as_object_mut().unwrap().remove("locale");
    });
    assert_eq!(m, "locale: missing");
    let m = broken(&|v| v["transcript"][3]["kind"] = "nope".into());
    assert!(
        m.starts_with("transcript[3].kind: `nope` is not one of"),
        "{m}"
    );
    let m = broken(&|v| v["transcript"][0]["event"] = "flew".into());
    assert!(m.starts_with("transcript[0].event: `flew`"), "{m}");
    let m = broken(&|v| v["history"][0]["vars"]["n"] = 1.5.into());
    assert!(m.starts_with("history[0].vars.n: expected"), "{m}");
    let m = broken(&|v| v["checks"] = serde_json::json!([]));
    assert_eq!(m, "checks: expected an object");
    let m = broken(&|v| v["format"] = "1".into());
    assert_eq!(m, "format: expected a whole number");
    let m = broken(&|v| v["format"] = 4_294_967_296u64.into());
    assert_eq!(m, "format: too large");
    assert!(matches!(
        Session::resume("[]", &flow),
        Err(ResumeError::Malformed(_))
    ));
    // A future format is named, whatever else it holds.
    assert_eq!(
        Session::resume("{\"format\":3,\"flow_id\":7}", &flow),
        Err(ResumeError::UnsupportedFormat(3))
    );
}

/// FNV-1a 64, as earlier widgets computed it themselves.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_fingerprint_hashes_the_serde_json_text_and_is_stable() {
    assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8); // published vector
    let mut flows: Vec<Flow> = DEMO
        .iter()
        .map(|(name, src)| parse_flow(src, SourceFormat::Yaml, name).unwrap())
        .collect();
    flows.push(odd());
    flows.push(parse_flow(BASE, SourceFormat::Yaml, "base.yaml").unwrap());
    for flow in &flows {
        // The hash of the serde_json text without the fingerprint, as
        // earlier widgets computed it, so the sessions they saved resume.
        let unstamped = Flow {
            fingerprint: String::new(),
            ..flow.clone()
        };
        let text = serde_json::to_string(&unstamped).unwrap();
        assert!(!text.contains("\"fingerprint\""), "{text}");
        assert_eq!(
            flow.fingerprint,
            format!("{:016x}", fnv1a64(text.as_bytes()))
        );
        assert_eq!(fingerprint(flow), flow.fingerprint);
        // The bundle carries it, and the widget reads it back.
        let shipped = serde_json::to_string(flow).unwrap();
        assert!(shipped.ends_with(&format!(",\"fingerprint\":\"{}\"}}", flow.fingerprint)));
        assert_eq!(bundle_read(&shipped).fingerprint, flow.fingerprint);
    }
    // The value an earlier widget computed for this flow.
    assert_eq!(odd().fingerprint, "f7ace47b13664184");
}

#[test]
fn the_fingerprint_changes_with_any_content_change() {
    use format::{Node, TicketField};
    let base = demo("camera-wifi.yaml");
    fn node<'f>(f: &'f mut Flow, id: &str) -> &'f mut Node {
        f.nodes.get_mut(id).unwrap()
    }
    // Each edit must change the flow (asserted below), so a pattern that
    // does not match is caught rather than passing silently.
    type Edit = (&'static str, fn(&mut Flow));
    let edits: Vec<Edit> = vec![
        ("title", |f| f.title.push('!')),
        ("description", |f| f.description.push('!')),
        ("phrase", |f| f.phrases[0].push('!')),
        ("tag", |f| f.tags.push("x".into())),
        ("locale", |f| f.locale = "en-GB".into()),
        ("host check", |f| f.host_checks.push("x.y".into())),
        ("start", |f| f.start = "ask_band".into()),
        ("node id", |f| {
            let n = f.nodes.remove("done").unwrap();
            f.nodes.insert("done2".into(), n);
        }),
        ("node text", |f| {
            if let Node::Step(s) = node(f, "step_power") {
                s.text.push('!');
            }
        }),
        ("choice label", |f| {
            if let Node::Question(q) = node(f, "ask_band") {
                q.choices[0].label.push('!');
            }
        }),
        ("choice target", |f| {
            if let Node::Question(q) = node(f, "ask_band") {
                q.choices[0].next = "step_password".into();
            }
        }),
        ("choice variable", |f| {
            if let Node::Question(q) = node(f, "ask_band") {
                q.choices[0].set.insert("band".into(), Value::Int(5));
            }
        }),
        ("condition", |f| {
            if let Node::Branch(b) = node(f, "route_after_password") {
                b.cases[0].when = "band == \"5\"".into();
            }
        }),
        ("branch else", |f| {
            if let Node::Branch(b) = node(f, "route_after_password") {
                b.otherwise = "ticket_wifi".into();
            }
        }),
        ("check name", |f| {
            if let Node::Check(c) = node(f, "check_online") {
                c.check = "browser.cookies".into();
            }
        }),
        ("check arg", |f| {
            if let Node::Check(c) = node(f, "check_cloud") {
                c.args.insert("timeout_ms".into(), "5000".into());
            }
        }),
        ("check error route", |f| {
            if let Node::Check(c) = node(f, "check_cloud") {
                c.error = Some("ticket_outage".into());
            }
        }),
        ("step article", |f| {
            if let Node::Step(s) = node(f, "step_power") {
                s.article = Some("power".into());
            }
        }),
        ("article", |f| {
            if let Node::Article(a) = node(f, "article_bands") {
                a.article.push('2');
            }
        }),
        ("resolved text", |f| {
            if let Node::Resolved(r) = node(f, "done") {
                r.text = None;
            }
        }),
        ("ticket category", |f| {
            if let Node::Ticket(t) = node(f, "ticket_wifi") {
                t.category.push('2');
            }
        }),
        ("ticket priority", |f| {
            if let Node::Ticket(t) = node(f, "ticket_wifi") {
                t.priority = Priority::Defect;
            }
        }),
        ("ticket field", |f| {
            if let Node::Ticket(t) = node(f, "ticket_wifi") {
                t.fields[0].required = true;
            }
        }),
        ("ticket field added", |f| {
            if let Node::Ticket(t) = node(f, "ticket_outage") {
                t.fields.push(TicketField {
                    id: "x".into(),
                    label: "X".into(),
                    required: false,
                });
            }
        }),
        ("translated title", |f| {
            f.translations.get_mut("de").unwrap().title = None;
        }),
        ("translated text", |f| {
            let t = f.translations.get_mut("de").unwrap();
            t.nodes.get_mut("ask_light").unwrap().text = Some("Licht?".into());
        }),
        ("translated choice", |f| {
            let t = f.translations.get_mut("de").unwrap();
            t.nodes.get_mut("ask_light").unwrap().choices[2].push('!');
        }),
        ("new translation", |f| {
            f.translations.insert("fr".into(), Default::default());
        }),
    ];
    let mut seen = std::collections::BTreeMap::new();
    seen.insert(fingerprint(&base), "unchanged");
    for (what, edit) in &edits {
        let mut f = base.clone();
        edit(&mut f);
        assert_ne!(f, base, "{what} edits nothing");
        if let Some(before) = seen.insert(fingerprint(&f), what) {
            panic!("{what} has the fingerprint of {before}");
        }
    }
}

#[test]
fn views_are_localised_with_fallback() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, v) = Session::start(&flow, "de-AT", 0).unwrap();
    let View::Question { text, choices, .. } = v else {
        panic!()
    };
    assert_eq!(text, "Was macht das Licht vorne an der Kamera?");
    assert_eq!(
        choices,
        vec!["Blinkt orange", "Leuchtet blau", "Kein Licht"]
    );
    // A language the flow lacks falls back to the flow's own.
    let (_, v) = Session::start(&flow, "fr", 0).unwrap();
    let View::Question { text, .. } = v else {
        panic!()
    };
    assert_eq!(text, "What is the light on the front of the camera doing?");
    // Labels in the transcript stay in the flow's own language, for support.
    s.answer(&flow, 0, 1).unwrap();
    assert!(
        matches!(&s.transcript()[0].event, Event::Answered { label, .. } if label == "Blinking amber")
    );
    assert_eq!(
        flow.title_in("de"),
        "Kamera verbindet sich nicht mit dem WLAN"
    );
}

#[test]
fn restart_keeps_the_transcript_and_clears_state() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    s.answer(&flow, 0, 1).unwrap();
    s.answer(&flow, 0, 2).unwrap();
    let v = s.restart(&flow, 3).unwrap();
    assert_eq!(v.node_id(), "ask_light");
    assert!(s.variables().is_empty());
    assert!(!s.can_go_back());
    assert_eq!(s.transcript().len(), 3);
    assert_eq!(s.transcript()[2].event, Event::Restarted);
}

#[test]
fn finished_sessions_only_go_back_or_restart() {
    let flow = demo("app-wont-load.yaml");
    let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
    let v = s.check_result(&flow, CheckResult::Fail, 1).unwrap();
    assert_eq!(v.node_id(), "step_connect");
    let v = s.fixed(&flow, true, 2).unwrap();
    assert!(v.kind().is_end());
    assert_eq!(s.fixed(&flow, true, 3), Err(EngineError::Finished));
    assert_eq!(s.back(&flow, 4).unwrap().node_id(), "step_connect");
}

// ---------- property tests ----------

// proptest is a native dev-dependency; the wasm build only type-checks tests.
#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn all_sources() -> Vec<&'static str> {
        let mut v: Vec<&str> = DEMO.iter().map(|(_, s)| *s).collect();
        v.push(BASE);
        v
    }

    /// Cases per property; `PROPTEST_CASES` overrides it for longer runs.
    fn cases(default: u32) -> ProptestConfig {
        let n = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default);
        ProptestConfig {
            cases: n,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Line-level mutations authors make: drop, duplicate, swap or
    /// re-indent a line, or replace a character.
    #[derive(Debug, Clone)]
    enum Mutation {
        Drop(usize),
        Duplicate(usize),
        Swap(usize, usize),
        Indent(usize, usize),
        Replace(usize, char),
        Truncate(usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            any::<usize>().prop_map(Mutation::Drop),
            any::<usize>().prop_map(Mutation::Duplicate),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
            (any::<usize>(), 0usize..6).prop_map(|(a, b)| Mutation::Indent(a, b)),
            (
                any::<usize>(),
                prop::sample::select(vec![
                    ':', '-', ' ', '[', '{', '&', '*', '"', '\'', '#', '|', '\n', 'x', '5', 'é'
                ])
            )
                .prop_map(|(a, c)| Mutation::Replace(a, c)),
            any::<usize>().prop_map(Mutation::Truncate),
        ]
    }

    fn apply(src: &str, muts: &[Mutation]) -> String {
        let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
        for m in muts {
            if lines.is_empty() {
                break;
            }
            let n = lines.len();
            match *m {
                Mutation::Drop(i) => {
                    lines.remove(i % n);
                }
                Mutation::Duplicate(i) => {
                    let l = lines[i % n].clone();
                    lines.insert(i % n, l);
                }
                Mutation::Swap(a, b) => lines.swap(a % n, b % n),
                Mutation::Indent(i, by) => {
                    let l = &mut lines[i % n];
                    *l = format!("{}{}", " ".repeat(by), l.trim_start());
                }
                Mutation::Replace(i, c) => {
                    let l = &mut lines[i % n];
                    let chars: Vec<char> = l.chars().collect();
                    if !chars.is_empty() {
                        let at = (i / n.max(1)) % chars.len();
                        let mut chars = chars;
                        chars[at] = c;
                        *l = chars.into_iter().collect();
                    }
                }
                Mutation::Truncate(i) => lines.truncate(i % n),
            }
        }
        lines.join("\n")
    }

    /// Whatever the input: no panic; every diagnostic names the file and has
    /// a message; anything that checks clean can be simulated and run.
    fn exercise(src: &str, format: SourceFormat) {
        let c = lint_source(src, format, "fuzz.yaml", &LintOptions::default());
        for d in &c.diagnostics {
            assert_eq!(d.file, "fuzz.yaml");
            assert!(!d.message.is_empty());
            let _ = d.to_string();
        }
        if let Some(flow) = &c.flow {
            let _ = simulate(flow, 200);
            if !c.has_errors() {
                let (mut s, mut v) = Session::start(flow, "de", 0).expect("a clean flow starts");
                // Walk taking the first option everywhere; a clean flow never errors.
                for t in 1..50u64 {
                    v = match v {
                        View::Question { .. } => s.answer(flow, 0, t),
                        View::Check { .. } => s.check_result(flow, CheckResult::Fail, t),
                        View::Step { .. } => s.fixed(flow, false, t),
                        View::Article { .. } => s.proceed(flow, t),
                        View::Resolved { .. } | View::Ticket { .. } => break,
                    }
                    .expect("a clean flow accepts its own inputs");
                }
                let saved = s.to_json();
                assert_eq!(Session::resume(&saved, flow).expect("resumes"), s);
                // What checks clean survives the bundle's JSON unchanged.
                let json = serde_json::to_string(flow).unwrap();
                let back = bundle_read(&json);
                assert_eq!(&back, flow);
                assert_eq!(back.fingerprint, fingerprint(flow));
            }
        }
    }

    proptest! {
        #![proptest_config(cases(300))]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let text = String::from_utf8_lossy(&bytes);
            exercise(&text, SourceFormat::Yaml);
            exercise(&text, SourceFormat::Json);
        }

        #[test]
        fn yamlish_noise_never_panics(text in "[a-z_:\\- \\n\\[\\]{}&*!|>'\"#0-9.,]{0,600}") {
            exercise(&text, SourceFormat::Yaml);
        }

        #[test]
        fn mutated_valid_flows_never_panic(which in 0usize..5, muts in prop::collection::vec(mutation(), 1..6)) {
            let src = all_sources()[which];
            exercise(&apply(src, &muts), SourceFormat::Yaml);
        }

        #[test]
        fn mutated_json_flows_never_panic(which in 0usize..5, muts in prop::collection::vec(mutation(), 1..4)) {
            let flow = parse_flow(all_sources()[which], SourceFormat::Yaml, "x.yaml").unwrap();
            let json = serde_json::to_string_pretty(&flow).unwrap();
            exercise(&apply(&json, &muts), SourceFormat::Json);
        }

        #[test]
        fn random_sessions_stay_consistent(which in 0usize..5, inputs in prop::collection::vec((0u8..6, 0usize..4), 0..40)) {
            let flow = parse_flow(all_sources()[which], SourceFormat::Yaml, "x.yaml").unwrap();
            let (mut s, _) = Session::start(&flow, "en", 0).unwrap();
            for (t, (op, arg)) in inputs.into_iter().enumerate() {
                let t = t as u64 + 1;
                let before = s.clone();
                let r = match op {
                    0 => s.answer(&flow, arg, t),
                    1 => s.check_result(&flow, [CheckResult::Pass, CheckResult::Fail, CheckResult::Error { detail: "x".into() }][arg % 3].clone(), t),
                    2 => s.fixed(&flow, arg % 2 == 0, t),
                    3 => s.proceed(&flow, t),
                    4 => s.back(&flow, t),
                    _ => s.restart(&flow, t),
                };
                match r {
                    Ok(v) => prop_assert_eq!(v.node_id(), s.current_node()),
                    Err(_) => prop_assert_eq!(&s, &before),
                }
                // Every state survives a save and reload unchanged.
                prop_assert_eq!(Session::resume(&s.to_json(), &flow).unwrap(), s.clone());
            }
        }
    }
}

#[test]
fn an_unreadable_node_does_not_hide_graph_mistakes() {
    // `switch` has a bad kind, but its routes are still followed, so the
    // cycle elsewhere is found and nothing after it is called unreachable.
    let src = edit("    kind: step", "    kind: stpe")
        .replacen("    pass: done\n", "    pass: spin\n", 1)
        + "  spin:\n    kind: article\n    article: x\n    next: spin2\n  spin2:\n    kind: article\n    article: y\n    next: spin\n";
    let c = check(&src);
    let codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![Code::InvalidValue, Code::NoExit],
        "{}",
        render(&c.diagnostics)
    );
}

#[test]
fn many_long_paths_are_capped_not_listed_in_full() {
    // 2^12 ways through a prefix, each followed by an 8,000-node tail.
    let mut src = String::from("version: 1\nid: p\ntitle: P\nstart: q0\nnodes:\n");
    for i in 0..12 {
        src.push_str(&format!("  q{i}: {{kind: question, text: Q, choices: [{{label: A, next: q{n}}}, {{label: B, next: q{n}}}]}}\n", n = i + 1));
    }
    src.push_str("  q12: {kind: article, article: a, next: t0}\n");
    for i in 0..8000 {
        src.push_str(&format!(
            "  t{i}: {{kind: check, check: browser.online, pass: t{n}, fail: t{n}}}\n",
            n = i + 1
        ));
    }
    src.push_str("  t8000: {kind: ticket, category: c, priority: howto}\n");
    let flow = check(&src).flow.unwrap();
    let sim = simulate(&flow, 1000);
    assert!(sim.truncated);
    let hops: usize = sim.paths.iter().map(|p| p.hops.len()).sum();
    assert!(hops <= paths::MAX_LISTED_HOPS + 9000, "{hops}");
}

#[test]
fn a_flow_without_nodes_gets_one_error_at_the_top() {
    let d = only("version: 1\nid: empty\ntitle: Empty\nstart: a\n");
    assert_eq!(
        (d.code, d.line, d.field.as_deref()),
        (Code::MissingField, Some(1), Some("nodes"))
    );
    let d = only("version: 1\nid: empty\ntitle: Empty\nstart: a\nnodes: {}\n");
    assert_eq!((d.code, d.line), (Code::InvalidValue, Some(5)));
}

#[test]
fn a_malformed_choice_keeps_the_indices_of_the_others() {
    let src = edit(
        "      - label: 5 GHz\n        next: check_router\n        set: { band: '5' }\n",
        "      - check_router\n",
    )
    .replacen(
        "        next: check_router\n        set: { band: '2.4' }",
        "        next: chek_router\n        set: { band: '2.4' }",
        1,
    );
    let c = check(&src);
    let fields: Vec<(Code, Option<&str>)> = c
        .diagnostics
        .iter()
        .map(|d| (d.code, d.field.as_deref()))
        .collect();
    assert_eq!(
        fields,
        vec![
            (Code::WrongType, Some("choices[0]")),
            (Code::UnknownNode, Some("choices[1].next"))
        ],
        "{}",
        render(&c.diagnostics)
    );
}

#[test]
fn malformed_check_args_are_one_error() {
    let src = edit(
        "    check: lumen.camera_online",
        "    check: http.reachable\n    args: [url]",
    )
    .replacen("host_checks: [lumen.camera_online]\n", "", 1);
    let d = only(&src);
    assert_eq!(
        (d.code, d.field.as_deref()),
        (Code::WrongType, Some("args"))
    );
}

/// Drives the engine along a simulated path; returns the node it stops at.
fn replay(flow: &Flow, path: &paths::SimPath) -> String {
    let (mut s, _) = Session::start(flow, "en", 0).unwrap();
    for (t, hop) in path.hops.iter().enumerate() {
        let Some(edge) = hop.edge else { break };
        let node = &flow.nodes[&hop.node];
        if node.kind() == NodeKind::Branch {
            continue; // the engine follows branches by itself
        }
        assert_eq!(s.current_node(), hop.node, "engine and simulation disagree");
        let t = t as u64 + 1;
        match node {
            Node::Question(_) => s.answer(flow, edge, t),
            Node::Check(_) => {
                let r = [
                    CheckResult::Pass,
                    CheckResult::Fail,
                    CheckResult::Error { detail: "x".into() },
                ];
                s.check_result(flow, r[edge].clone(), t)
            }
            Node::Step(_) => s.fixed(flow, edge == 0, t),
            Node::Article(_) => s.proceed(flow, t),
            _ => unreachable!("ends have no edges"),
        }
        .unwrap();
    }
    s.current_node().to_string()
}

#[test]
fn every_simulated_path_is_what_the_engine_does() {
    for (name, src) in DEMO.iter().copied().chain([("base", BASE)]) {
        let flow = parse_flow(src, SourceFormat::Yaml, name).unwrap();
        let sim = simulate(&flow, 10_000);
        for p in &sim.paths {
            let end = replay(&flow, p);
            match &p.outcome {
                PathEnd::Resolved | PathEnd::Ticket { .. } => {
                    assert_eq!(end, p.hops.last().unwrap().node, "{name}: {p:?}")
                }
                // A loop comes back to a node the engine shows again.
                PathEnd::Loop { back_to } if flow.nodes[back_to].kind() != NodeKind::Branch => {
                    assert_eq!(&end, back_to, "{name}: {p:?}")
                }
                PathEnd::Loop { .. } => {}
                PathEnd::DeadEnd { .. } => panic!("{name} has a dead end: {p:?}"),
            }
        }
    }
}

#[test]
fn the_transcript_reads_as_lines_for_support() {
    let flow = demo("camera-wifi.yaml");
    let (mut s, _) = Session::start(&flow, "de", 0).unwrap();
    s.answer(&flow, 0, 1).unwrap();
    s.answer(&flow, 1, 2).unwrap();
    s.fixed(&flow, false, 3).unwrap(); // 2.4 GHz, password did not help: branch -> ticket
    assert_eq!(
        s.transcript_lines(&flow),
        vec![
            "What is the light on the front of the camera doing? → \"Blinking amber\"",
            "Which Wi-Fi network are you connecting the camera to? → \"A 2.4 GHz network\"",
            "Re-enter the Wi-Fi password. It is case-sensitive, and the camera cannot join ne… → did not fix it",
            "ticket: camera-wifi (howto)",
        ]
    );
}

/// Reads a flow as the widget reads it from the bundle.
fn bundle_read(json: &str) -> Flow {
    let value = crate::core::json::Json::parse(json).unwrap();
    crate::core::flow::decode::flow_from_json(&value, &crate::core::json::Path::Root).unwrap()
}
