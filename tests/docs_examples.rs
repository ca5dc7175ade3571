//! Every example in `docs/` is checked, and every relative link in the
//! README and the docs leads somewhere.
//!
//! A fenced block says what it is after its language, and that decides the
//! check (Rust blocks run as doctests instead, see `src/lib.rs`):
//!
//! | fence | check |
//! | --- | --- |
//! | `yaml flow`, `json flow` | `signpost check`'s validator: no errors, no warnings, article references against the demo's articles |
//! | `json ticket` | the relay's ticket reader and validation (`Ticket::from_json`, `validate`) |
//! | `json event-batch` | the events reader and validation (`Batch::from_json`, `validate`) |
//! | `json check-output` | the same fields as `signpost check --json` prints; each diagnostic reads as a `Diagnostic` |
//! | `text diagnostics` | each line is `FILE:LINE:COL: severity[code] …` with a real code of that severity |
//! | `toml content` | `signpost build --strict` of the demo content with this `signpost.toml` |
//! | `toml relay` | `signpost serve --config` starts with it (secrets from the environment) |
//! | `markdown article` | the article reader (`Article::parse_markdown`) |
//! | `html embed` | every `data-*` attribute is one the loader reads |
//! | `console output` | each `$ signpost …` command prints exactly the lines shown |
//! | `text usage`, `sh`, `console` | each `signpost` command names a real subcommand and real flags (`--help`); `.ci/` scripts and `cargo --example`s exist |
//!
//! A `yaml`, `json`, `toml`, `html` or `markdown` block without a mark
//! fails, so no example goes unchecked by accident. Failures name the file
//! and the line of the block's opening fence.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use signpost::authoring::flow::{
    lint_source, Code, Diagnostic, LintOptions, Severity, SourceFormat,
};
use signpost::core::analytics::Batch;
use signpost::core::article::Article;
use signpost::core::ticket::Ticket;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One fenced code block of a Markdown file.
struct Block {
    /// `docs/flows.md`, relative to the repository.
    file: String,
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    tags: Vec<String>,
    /// The block's text, without the fences and their indentation.
    text: String,
}

impl Block {
    fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    fn is(&self, lang: &str, tag: &str) -> bool {
        self.lang == lang && self.tags.iter().any(|t| t == tag)
    }
}

fn doc_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn blocks_of(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, String, Vec<String>)> = None;
    let mut body = String::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let mut words = info.split_whitespace().map(str::to_string);
                    let lang = words.next().unwrap_or_default();
                    open = Some((i + 1, indent, lang, words.collect()));
                    body.clear();
                }
            }
            Some((start, fence_indent, lang, tags)) => {
                if trimmed.starts_with("```") {
                    out.push(Block {
                        file: relative(path),
                        line: *start,
                        lang: lang.clone(),
                        tags: tags.clone(),
                        text: std::mem::take(&mut body),
                    });
                    open = None;
                } else {
                    let cut = indent.min(*fence_indent);
                    body.push_str(&line[cut..]);
                    body.push('\n');
                }
            }
        }
    }
    assert!(
        open.is_none(),
        "{}: a code block is never closed",
        relative(path)
    );
    out
}

fn all_blocks() -> Vec<Block> {
    doc_files().iter().flat_map(|p| blocks_of(p)).collect()
}

/// Collects failures and reports them all at once.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn add(&mut self, at: impl std::fmt::Display, message: impl std::fmt::Display) {
        self.0.push(format!("{at}: {message}"));
    }

    fn finish(self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{} broken {what}:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn signpost() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
}

const MARKS: &[(&str, &[&str])] = &[
    ("yaml", &["flow"]),
    ("json", &["flow", "ticket", "event-batch", "check-output"]),
    ("toml", &["content", "relay"]),
    ("markdown", &["article"]),
    ("html", &["embed"]),
];

#[test]
fn every_example_in_a_data_language_is_marked_for_a_check() {
    let mut failures = Failures::default();
    for block in all_blocks() {
        if let Some((_, marks)) = MARKS.iter().find(|(lang, _)| *lang == block.lang) {
            if !block.tags.iter().any(|t| marks.contains(&t.as_str())) {
                failures.add(
                    block.at(),
                    format!(
                        "a ```{} block needs one of these marks after the language, so a test checks it: {}",
                        block.lang,
                        marks.join(", ")
                    ),
                );
            }
        }
    }
    failures.finish("unmarked examples");
}

#[test]
fn rust_examples_run_as_doctests() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let mut failures = Failures::default();
    for path in doc_files() {
        let name = relative(&path);
        let has_rust = blocks_of(&path).iter().any(|b| b.lang == "rust");
        if has_rust && !lib.contains(&format!("include_str!(\"../{name}\")")) {
            failures.add(
                &name,
                "has Rust examples but src/lib.rs's `docs` module does not include it as a doctest",
            );
        }
    }
    failures.finish("doctest hooks");
}

fn demo_article_ids() -> BTreeSet<String> {
    let dir = root().join("public/demo/content/articles");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            Article::parse_markdown(&p.display().to_string(), &text)
                .unwrap_or_else(|e| panic!("{e}"))
                .id
        })
        .collect()
}

#[test]
fn flow_examples_pass_the_validator() {
    let options = LintOptions {
        host_checks: Vec::new(),
        articles: Some(demo_article_ids()),
    };
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks()
        .into_iter()
        .filter(|b| b.tags.iter().any(|t| t == "flow"))
    {
        let format = match block.lang.as_str() {
            "yaml" => SourceFormat::Yaml,
            "json" => SourceFormat::Json,
            other => {
                failures.add(block.at(), format!("a flow cannot be written in {other}"));
                continue;
            }
        };
        seen += 1;
        let checked = lint_source(&block.text, format, &block.file, &options);
        for mut d in checked.diagnostics {
            // Lines of the docs page, not of the block.
            d.line = d.line.map(|l| l + block.line as u32);
            failures.0.push(d.to_string());
        }
    }
    assert!(seen > 0, "no flow examples found in docs/");
    failures.finish("flow examples");
}

#[test]
fn ticket_and_event_examples_are_read_by_the_real_readers() {
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks() {
        if block.is("json", "ticket") {
            seen += 1;
            match Ticket::from_json(block.text.as_bytes()) {
                Ok(ticket) => {
                    if let Err(problems) = ticket.validate() {
                        failures.add(block.at(), format!("the relay refuses it: {problems:?}"));
                    }
                }
                Err(e) => failures.add(block.at(), format!("not a ticket: {e:?}")),
            }
        }
        if block.is("json", "event-batch") {
            match Batch::from_json(block.text.as_bytes()) {
                Ok(batch) => {
                    if let Err(e) = batch.validate() {
                        failures.add(block.at(), format!("the relay refuses it: {e:?}"));
                    }
                }
                Err(e) => failures.add(block.at(), format!("not an event batch: {e:?}")),
            }
        }
    }
    assert!(seen > 0, "no ticket examples found in docs/");
    failures.finish("ticket and event examples");
}

fn keys(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn check_output_examples_have_the_fields_signpost_check_prints() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("wifi.yaml");
    std::fs::write(
        &flow,
        "version: 1\nid: wifi-band\ntitle: Wi-Fi\nstart: ask\nnodes:\n  ask:\n    kind: question\n    text: Which band?\n    choices:\n      - label: 5 GHz\n        next: chek\n",
    )
    .unwrap();
    let output = signpost()
        .args(["check", "--json"])
        .arg(&flow)
        .output()
        .unwrap();
    let real: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let mut failures = Failures::default();
    for block in all_blocks()
        .into_iter()
        .filter(|b| b.is("json", "check-output"))
    {
        let doc: serde_json::Value = match serde_json::from_str(&block.text) {
            Ok(v) => v,
            Err(e) => {
                failures.add(block.at(), format!("not JSON: {e}"));
                continue;
            }
        };
        if keys(&doc) != keys(&real) {
            failures.add(
                block.at(),
                format!(
                    "fields {:?}, but `signpost check --json` prints {:?}",
                    keys(&doc),
                    keys(&real)
                ),
            );
        }
        for d in doc["diagnostics"].as_array().into_iter().flatten() {
            if let Err(e) = serde_json::from_value::<Diagnostic>(d.clone()) {
                failures.add(
                    block.at(),
                    format!("a diagnostic that does not read back: {e}"),
                );
            }
        }
    }
    failures.finish("check output examples");
}

#[test]
fn diagnostic_examples_use_real_codes() {
    let codes: BTreeMap<&str, Severity> = Code::ALL
        .iter()
        .map(|c| (c.as_str(), c.severity()))
        .collect();
    let mut failures = Failures::default();
    for block in all_blocks()
        .into_iter()
        .filter(|b| b.is("text", "diagnostics"))
    {
        for (i, line) in block.text.lines().enumerate() {
            let at = format!("{}:{}", block.file, block.line + 1 + i);
            let Some((severity, rest)) =
                [("error[", Severity::Error), ("warning[", Severity::Warning)]
                    .iter()
                    .find_map(|(s, sev)| line.find(s).map(|p| (*sev, &line[p + s.len()..])))
            else {
                let summary = line.starts_with("checked ") && line.contains(" error");
                if !summary {
                    failures.add(at, format!("neither a diagnostic nor the summary: {line}"));
                }
                continue;
            };
            let code = rest.split(']').next().unwrap_or_default();
            match codes.get(code) {
                None => failures.add(at, format!("no diagnostic code `{code}`")),
                Some(s) if *s != severity => {
                    failures.add(at, format!("`{code}` is a {s:?}, not a {severity:?}"))
                }
                Some(_) => {}
            }
        }
    }
    failures.finish("diagnostic examples");
}

/// The diagnostics tables of `docs/flows.md` list exactly the codes there
/// are, errors under "Errors:" and warnings under "Warnings".
#[test]
fn the_flow_docs_list_every_diagnostic_code() {
    let path = root().join("docs/flows.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut listed: BTreeMap<String, Severity> = BTreeMap::new();
    let mut section = None;
    for line in text.lines() {
        if line.starts_with("Errors:") {
            section = Some(Severity::Error);
        } else if line.starts_with("Warnings") {
            section = Some(Severity::Warning);
        } else if line.starts_with('#') {
            section = None;
        } else if let (Some(sev), Some(cell)) = (section, line.strip_prefix("| `")) {
            if let Some(code) = cell.split('`').next() {
                listed.insert(code.to_string(), sev);
            }
        }
    }
    let real: BTreeMap<String, Severity> = Code::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.severity()))
        .collect();
    assert_eq!(
        listed, real,
        "docs/flows.md's diagnostics tables against Code::ALL"
    );
}

/// The built-in checks table of `docs/flows.md` names every built-in check
/// with exactly the arguments the validator accepts.
#[test]
fn the_flow_docs_list_every_builtin_check_with_its_arguments() {
    let text = std::fs::read_to_string(root().join("docs/flows.md")).unwrap();
    let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("| name | arguments | passes when |") {
            in_table = true;
            continue;
        }
        if in_table && !line.starts_with('|') {
            break;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        let code_spans = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let args: BTreeSet<String> = code_spans(cells[1])
            .into_iter()
            .filter(|a| a.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .collect();
        for name in code_spans(cells[0]) {
            listed.insert(name, args.clone());
        }
    }
    let real: BTreeMap<String, BTreeSet<String>> = signpost::core::flow::BUILTIN_CHECKS
        .iter()
        .map(|c| {
            let args = c
                .required_args
                .iter()
                .chain(c.optional_args)
                .map(|a| a.to_string());
            (c.name.to_string(), args.collect())
        })
        .collect();
    assert_eq!(
        listed, real,
        "docs/flows.md's built-in checks table against BUILTIN_CHECKS"
    );
}

#[test]
fn article_examples_are_read_by_the_article_reader() {
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks()
        .into_iter()
        .filter(|b| b.is("markdown", "article"))
    {
        seen += 1;
        if let Err(e) = Article::parse_markdown(&block.at(), &block.text) {
            failures.add(block.at(), e);
        }
    }
    assert!(seen > 0, "no article examples found in docs/");
    failures.finish("article examples");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn content_settings_examples_build_the_demo_content() {
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks().into_iter().filter(|b| b.is("toml", "content")) {
        seen += 1;
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        copy_dir(&root().join("public/demo/content"), &content);
        std::fs::write(content.join("signpost.toml"), &block.text).unwrap();
        let output = signpost()
            .arg("build")
            .arg(&content)
            .arg("--out")
            .arg(dir.path().join("bundle.json"))
            .arg("--strict")
            .output()
            .unwrap();
        if !output.status.success() {
            failures.add(
                block.at(),
                format!(
                    "`signpost build --strict` refuses it:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ),
            );
        }
    }
    assert!(seen > 0, "no signpost.toml examples found in docs/");
    failures.finish("signpost.toml examples");
}

/// `signpost serve` with this configuration file: `Ok` once it listens.
fn relay_starts_with(config: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signpost.toml");
    std::fs::write(&path, config).unwrap();
    let widget = dir.path().join("widget");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::write(widget.join("embed.js"), "/* loader */").unwrap();
    // Every `*_env = "NAME"` gets a stand-in secret, as production would.
    let secrets: Vec<String> = config
        .lines()
        .filter_map(|l| {
            let (key, value) = l.split_once('=')?;
            key.trim()
                .ends_with("_env")
                .then(|| value.trim().trim_matches('"').to_string())
        })
        .collect();
    let mut child = signpost()
        .args(["serve", "--port", "0", "--config"])
        .arg(&path)
        .arg("--db")
        .arg(dir.path().join("tickets.sqlite3"))
        .arg("--widget-dir")
        .arg(&widget)
        .arg("--demo-dir")
        .arg(root().join("public/demo"))
        .envs(
            secrets
                .iter()
                .map(|s| (s.as_str(), "a-stand-in-secret-for-the-docs-test")),
        )
        .env_remove("SIGNPOST_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    if line.contains("http://") {
        child.kill().unwrap();
        child.wait().unwrap();
        Ok(())
    } else {
        let output = child.wait_with_output().unwrap();
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn relay_configuration_examples_start_the_relay() {
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks().into_iter().filter(|b| b.is("toml", "relay")) {
        seen += 1;
        if let Err(e) = relay_starts_with(&block.text) {
            failures.add(
                block.at(),
                format!("`signpost serve --config` refuses it: {e}"),
            );
        }
    }
    assert!(seen > 0, "no relay configuration examples found in docs/");
    failures.finish("relay configuration examples");
}

#[test]
fn embed_examples_use_attributes_the_loader_reads() {
    let loader = std::fs::read_to_string(root().join("public/embed.js")).unwrap();
    let mut failures = Failures::default();
    for block in all_blocks().into_iter().filter(|b| b.is("html", "embed")) {
        for attr in block
            .text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("data-"))
        {
            let name = attr.split('=').next().unwrap_or_default();
            // data-allow-keys is read as dataset.allowKeys.
            let mut camel = String::new();
            let mut upper = false;
            for c in name.chars() {
                if c == '-' {
                    upper = true;
                } else if upper {
                    camel.extend(c.to_uppercase());
                    upper = false;
                } else {
                    camel.push(c);
                }
            }
            if !loader.contains(&format!("data.{camel}")) {
                failures.add(
                    block.at(),
                    format!("public/embed.js does not read data-{name}"),
                );
            }
        }
    }
    failures.finish("embed examples");
}

#[test]
fn the_documented_bad_option_message_is_the_one_the_widget_gives() {
    let text = std::fs::read_to_string(root().join("docs/embedding.md")).unwrap();
    let message = signpost::core::config::EmbedOptions::from_json(r#"{"theme":"purple"}"#)
        .expect_err("purple is no theme");
    assert!(
        text.contains(&message),
        "docs/embedding.md should quote the message for data-theme=\"purple\": {message}"
    );
}

/// `--help` of each subcommand, run once.
fn help(sub: &str) -> Option<String> {
    static CACHE: Mutex<Option<HashMap<String, Option<String>>>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap();
    let cache = cache.get_or_insert_with(HashMap::new);
    cache
        .entry(sub.to_string())
        .or_insert_with(|| {
            let output = signpost().args([sub, "--help"]).output().unwrap();
            output
                .status
                .success()
                .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
        })
        .clone()
}

/// Checks one command line as written in the docs.
fn check_command(line: &str, failures: &mut Failures, at: &str) {
    let words: Vec<&str> = line
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-')) // VAR=value
        .collect();
    let Some(program) = words.first() else { return };
    if *program == "signpost" || program.ends_with("/signpost") {
        let Some(subs) = words.get(1) else { return };
        // `[--json]`, `--limit=N`, `--articles/--flows`: each flag once.
        let flags: Vec<&str> = words
            .iter()
            .flat_map(|w| w.split('/'))
            .map(|w| w.trim_start_matches(['[', '(']))
            .filter(|w| w.starts_with("--"))
            .map(|w| w.split(['=', ']']).next().unwrap())
            .map(|w| w.trim_end_matches(['.', ',', ')']))
            .collect();
        for sub in subs.split('|') {
            match help(sub) {
                None => failures.add(at, format!("`signpost {sub}` is no subcommand")),
                Some(help) => {
                    for flag in &flags {
                        let known = help
                            .split(|c: char| c.is_whitespace() || c == ',')
                            .any(|w| w == *flag);
                        if !known {
                            failures.add(at, format!("`signpost {sub}` has no flag {flag}"));
                        }
                    }
                }
            }
        }
    } else if program.starts_with(".ci/") {
        if !root().join(program).is_file() {
            failures.add(at, format!("no script {program}"));
        }
    } else if *program == "cargo" {
        if let Some(i) = words.iter().position(|w| *w == "--example") {
            let name = words.get(i + 1).unwrap_or(&"");
            let source = root().join("examples").join(format!("{name}.rs"));
            match std::fs::read_to_string(&source) {
                Err(_) => failures.add(at, format!("no example {name}")),
                Ok(text) => {
                    let after = words.iter().skip_while(|w| **w != "--").skip(1);
                    for flag in after.filter(|w| w.starts_with("--")) {
                        if !text.contains(&format!("\"{flag}\"")) {
                            failures.add(at, format!("example {name} reads no {flag}"));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn commands_in_the_docs_exist_with_their_flags() {
    let mut failures = Failures::default();
    let mut blocks = all_blocks();
    for readme in blocks_of(&root().join("README.md")) {
        blocks.push(readme);
    }
    let mut seen = 0;
    for block in blocks {
        let shell = matches!(block.lang.as_str(), "sh" | "bash" | "shell");
        let console = block.lang == "console";
        let usage = block.is("text", "usage");
        if !(shell || console || usage) {
            continue;
        }
        // Join continued lines, remembering where each command starts.
        let mut commands: Vec<(usize, String)> = Vec::new();
        let mut continued = false;
        for (i, raw) in block.text.lines().enumerate() {
            let line = if console {
                match raw.strip_prefix("$ ") {
                    Some(l) => l,
                    None if continued => raw,
                    None => continue,
                }
            } else {
                raw
            };
            let code = match line.find(" #") {
                Some(p) if shell || console => &line[..p],
                _ => line,
            };
            let code = code.trim_end();
            let (code, more) = match code.strip_suffix('\\') {
                Some(c) => (c, true),
                None => (code, false),
            };
            if continued {
                commands.last_mut().unwrap().1.push_str(code);
            } else if !code.trim().is_empty() && !code.trim_start().starts_with('#') {
                commands.push((block.line + 1 + i, code.to_string()));
            }
            continued = more;
        }
        for (line, command) in commands {
            seen += 1;
            let at = format!("{}:{}", block.file, line);
            // `a && b`, `a &`, `a | b`: each part is a command.
            for part in command.split(['&', ';']).filter(|p| !p.trim().is_empty()) {
                check_command(part.trim(), &mut failures, &at);
            }
        }
    }
    assert!(seen > 0, "no commands found in the docs");
    failures.finish("commands");
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors a Markdown file's headings give (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let base = slug(line.trim_start_matches('#'));
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// Markdown links `[text](target)` outside code, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    // Blank out fenced blocks and code spans, keeping the line breaks.
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            let mut in_code = false;
            for c in line.chars() {
                if c == '`' {
                    in_code = !in_code;
                }
                prose.push(if in_code || c == '`' { ' ' } else { c });
            }
        }
        prose.push('\n');
    }
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    let mut offset = 0;
    while let Some(p) = rest.find("](") {
        let after = &rest[p + 2..];
        if let Some(end) = after.find(')') {
            let target = &after[..end];
            if !target.contains(char::is_whitespace) {
                let line = prose[..offset + p].matches('\n').count() + 1;
                out.push((line, target.to_string()));
            }
        }
        offset += p + 2;
        rest = &rest[p + 2..];
    }
    out
}

#[test]
fn relative_links_in_the_readme_and_docs_lead_somewhere() {
    let mut files = doc_files();
    files.push(root().join("README.md"));
    let mut failures = Failures::default();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, target) in links(&text) {
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
            {
                continue;
            }
            let at = format!("{}:{line}", relative(file));
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !dest.exists() {
                failures.add(at, format!("link to {target}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let is_md = dest.extension().is_some_and(|e| e == "md");
                if is_md && !anchors(&std::fs::read_to_string(&dest).unwrap()).contains(anchor) {
                    failures.add(at, format!("link to {target}: no heading gives #{anchor}"));
                }
            }
        }
    }
    failures.finish("links");
}

#[test]
fn the_readme_links_every_docs_page() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let linked: BTreeSet<String> = links(&readme).into_iter().map(|(_, t)| t).collect();
    let missing: Vec<String> = doc_files()
        .iter()
        .map(|p| relative(p))
        .filter(|name| {
            !linked
                .iter()
                .any(|t| t == name || t.starts_with(&format!("{name}#")))
        })
        .collect();
    assert!(missing.is_empty(), "README.md does not link {missing:?}");
}

/// The relay's configuration table names real flags and environment
/// variables (`signpost serve --help` lists them all).
#[test]
fn the_relay_configuration_table_matches_serve_help() {
    let text = std::fs::read_to_string(root().join("docs/relay.md")).unwrap();
    let help = help("serve").expect("signpost serve --help");
    let mut failures = Failures::default();
    let mut rows = 0;
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("| Flag | Environment | File key |") {
            in_table = true;
            continue;
        }
        if in_table && !line.starts_with('|') {
            break;
        }
        if !in_table || line.starts_with("| ---") {
            continue;
        }
        rows += 1;
        let cells: Vec<&str> = line.split(" | ").collect();
        let names = cells[..2]
            .iter()
            .flat_map(|cell| cell.split('`').skip(1).step_by(2))
            .filter(|name| name.starts_with("--") || name.starts_with("SIGNPOST_"));
        for name in names {
            if !help.contains(name) {
                failures.add(
                    format!("docs/relay.md:{}", i + 1),
                    format!("`signpost serve --help` does not know {name}"),
                );
            }
        }
    }
    assert!(rows > 5, "docs/relay.md has no configuration table");
    failures.finish("configuration rows");
}

/// `console output` blocks: each `$ signpost …` command runs from the
/// repository root and prints exactly the lines shown under it (blank lines
/// aside; standard output, then standard error).
#[test]
fn command_output_examples_are_what_the_commands_print() {
    let mut failures = Failures::default();
    let mut seen = 0;
    for block in all_blocks()
        .into_iter()
        .filter(|b| b.is("console", "output"))
    {
        let mut runs: Vec<(usize, String, Vec<String>)> = Vec::new();
        for (i, line) in block.text.lines().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                runs.push((block.line + 1 + i, command.to_string(), Vec::new()));
            } else if let Some(run) = runs.last_mut() {
                if !line.trim().is_empty() {
                    run.2.push(line.to_string());
                }
            }
        }
        for (line, command, expected) in runs {
            seen += 1;
            let at = format!("{}:{line}", block.file);
            let mut words = command.split_whitespace();
            if words.next() != Some("signpost") {
                failures.add(at, "only `signpost` commands can be compared");
                continue;
            }
            let output = signpost().args(words).current_dir(root()).output().unwrap();
            let printed = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            let printed: Vec<&str> = printed.lines().filter(|l| !l.trim().is_empty()).collect();
            if printed != expected {
                failures.add(
                    at,
                    format!(
                        "`{command}` prints:\n{}\nbut the docs show:\n{}",
                        printed.join("\n"),
                        expected.join("\n")
                    ),
                );
            }
        }
    }
    assert!(seen > 0, "no command output examples found in docs/");
    failures.finish("command output examples");
}

/// docs/embedding.md says the end-to-end test runs under exactly the
/// policy it quotes.
#[test]
fn the_documented_strict_csp_is_the_one_the_hostile_page_test_uses() {
    let docs = std::fs::read_to_string(root().join("docs/embedding.md")).unwrap();
    let start = docs
        .find("`default-src")
        .expect("docs/embedding.md quotes a CSP")
        + 1;
    let quoted = docs[start..].split('`').next().unwrap().replace('\n', " ");
    let test = std::fs::read_to_string(root().join("tests/e2e/hostile-page.test.mjs")).unwrap();
    let start = test.find("const STRICT_CSP =").expect("STRICT_CSP");
    let statement = test[start..].split(";\n").next().unwrap();
    let used: String = statement.split('"').skip(1).step_by(2).collect();
    assert_eq!(quoted.trim(), used.trim());
}

/// `data.camelName` for `data-camel-name`, as the loader reads `dataset`.
fn dataset_key(attribute: &str) -> String {
    let mut parts = attribute.split('-');
    let mut key = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            key.extend(first.to_uppercase());
            key.push_str(chars.as_str());
        }
    }
    key
}

/// Every script-tag attribute docs/embedding.md lists is one the loader
/// reads.
#[test]
fn the_attribute_table_matches_what_the_loader_reads() {
    let docs = std::fs::read_to_string(root().join("docs/embedding.md")).unwrap();
    let listed: BTreeSet<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("| `data-"))
        .filter_map(|rest| rest.split('`').next())
        .map(dataset_key)
        .collect();
    let loader = std::fs::read_to_string(root().join("public/embed.js")).unwrap();
    let read: BTreeSet<String> = loader
        .split("data.")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|key| !key.is_empty())
        .collect();
    let unread: Vec<&String> = listed.difference(&read).collect();
    assert!(
        unread.is_empty(),
        "docs/embedding.md lists attributes public/embed.js does not read: {unread:?}"
    );
    assert!(listed.len() >= 10, "docs/embedding.md lists {listed:?}");
}

/// The JS API table's methods are ones the loader or the app handles, and
/// the events listed are exactly the ones the panel emits.
#[test]
fn the_js_api_methods_and_events_are_the_real_ones() {
    let docs = std::fs::read_to_string(root().join("docs/embedding.md")).unwrap();
    let loader = std::fs::read_to_string(root().join("public/embed.js")).unwrap();
    let app = std::fs::read_to_string(root().join("src/embed/mod.rs")).unwrap();
    let mut failures = Failures::default();
    for (i, line) in docs.lines().enumerate() {
        let Some(cell) = line.strip_prefix("| `Signpost(") else {
            continue;
        };
        let first = cell.split(" | ").next().unwrap_or_default();
        for method in first
            .split("('")
            .skip(1)
            .filter_map(|m| m.split('\'').next())
        {
            let handled = loader.contains(&format!("method === '{method}'"))
                || app.contains(&format!("\"{method}\" =>"));
            if !handled {
                failures.add(
                    format!("docs/embedding.md:{}", i + 1),
                    format!("neither public/embed.js nor src/embed/mod.rs handles '{method}'"),
                );
            }
        }
    }
    failures.finish("API methods");

    let start = docs
        .find("\nEvents: ")
        .expect("docs/embedding.md lists the events");
    let paragraph = docs[start..].split("\n\n").next().unwrap();
    // Event names are the code spans outside parentheses; what is inside
    // describes the payload.
    let mut listed = BTreeSet::new();
    let (mut depth, mut code, mut span) = (0, false, String::new());
    for c in paragraph.chars() {
        match c {
            '`' if code => {
                if depth == 0 && span.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    listed.insert(std::mem::take(&mut span));
                }
                span.clear();
                code = false;
            }
            '`' => code = true,
            _ if code => span.push(c),
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
    }
    let mut emitted = BTreeSet::new();
    let mut sources = vec![loader.clone()];
    let mut folders = vec![root().join("src/ui")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                sources.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for source in &sources {
        for rest in source.split("emit(").skip(1) {
            let rest = rest.trim_start_matches("if open { \"open\" } else { ");
            if let Some(name) = rest
                .strip_prefix('"')
                .or_else(|| rest.strip_prefix('\''))
                .and_then(|r| r.split(['"', '\'']).next())
            {
                emitted.insert(name.to_string());
            }
        }
        if source.contains("if open { \"open\" } else { \"close\" }") {
            emitted.insert("open".to_string());
        }
    }
    assert_eq!(
        listed, emitted,
        "the events docs/embedding.md lists against those src/ui and public/embed.js emit"
    );
}

/// `a/{b,c}.rs` → `a/b.rs`, `a/c.rs`.
fn expand_braces(path: &str) -> Vec<String> {
    match (path.find('{'), path.find('}')) {
        (Some(open), Some(close)) if open < close => path[open + 1..close]
            .split(',')
            .flat_map(|alt| expand_braces(&format!("{}{alt}{}", &path[..open], &path[close + 1..])))
            .collect(),
        _ => vec![path.to_string()],
    }
}

/// The README's layer map names paths that exist, and names every layer
/// folder `src/` has.
#[test]
fn the_readme_layer_map_matches_the_tree() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let spans: Vec<&str> = readme.split('`').skip(1).step_by(2).collect();
    let mut failures = Failures::default();
    for span in spans.iter().filter(|s| s.starts_with("src/")) {
        for path in expand_braces(span) {
            if !root().join(&path).exists() {
                failures.add("README.md", format!("names {path}, which does not exist"));
            }
        }
    }
    let mut folders = vec!["src/bin/signpost/".to_string()];
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() && entry.file_name() != "bin" {
            folders.push(format!("src/{}/", entry.file_name().to_string_lossy()));
        }
    }
    for entry in std::fs::read_dir(root().join("src/bin/signpost")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            folders.push(format!(
                "src/bin/signpost/{}/",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    for folder in folders {
        if !spans.iter().any(|s| s.starts_with(&folder)) {
            failures.add(
                "README.md",
                format!("the layer map does not mention {folder}"),
            );
        }
    }
    failures.finish("layer map entries");
}

/// The rows of the Markdown table whose header starts `header`, as cells.
fn table_rows(text: &str, header: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut lines = text.lines().skip_while(|l| !l.starts_with(header));
    if lines.next().is_none() {
        return rows;
    }
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string());
        rows.push(cells.collect());
    }
    rows
}

/// docs/search.md's field weights and ranking parameters are the defaults
/// in `RankParams`.
#[test]
fn the_ranking_tables_are_the_defaults() {
    let text = std::fs::read_to_string(root().join("docs/search.md")).unwrap();
    let defaults = serde_json::to_value(signpost::core::search::RankParams::default()).unwrap();
    let number = |cell: &str| cell.parse::<f64>().unwrap_or(f64::NAN);
    let close = |a: f64, b: &serde_json::Value| b.as_f64().is_some_and(|b| (a - b).abs() < 1e-6);
    let mut failures = Failures::default();

    let fields = table_rows(&text, "| field | what goes in it | weight | b |");
    let documented: BTreeSet<&str> = fields.iter().map(|r| r[0].as_str()).collect();
    let real: BTreeSet<&str> = defaults["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    if documented != real {
        failures.add(
            "docs/search.md",
            format!("fields {documented:?}, but RankParams has {real:?}"),
        );
    }
    for row in &fields {
        let real = &defaults["fields"][row[0].as_str()];
        if !close(number(&row[2]), &real["weight"]) || !close(number(&row[3]), &real["length_norm"])
        {
            failures.add(
                "docs/search.md",
                format!("field {}: the default is {real}", row[0]),
            );
        }
    }

    let params = table_rows(&text, "| parameter | meaning | default | clamp |");
    let documented: BTreeSet<String> = params
        .iter()
        .map(|r| r[0].trim_matches('`').to_string())
        .collect();
    let real: BTreeSet<String> = defaults
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "fields")
        .cloned()
        .collect();
    if documented != real {
        failures.add(
            "docs/search.md",
            format!("parameters {documented:?}, but RankParams has {real:?}"),
        );
    }
    for row in &params {
        let name = row[0].trim_matches('`');
        if !close(number(&row[2]), &defaults[name]) {
            failures.add(
                "docs/search.md",
                format!("`{name}` is {} by default, not {}", defaults[name], row[2]),
            );
        }
    }
    failures.finish("ranking defaults");
}
