//! `signpost check`: validate flow files and report every mistake.

use signpost::authoring::flow::load::{lint_paths, LintReport};
use signpost::authoring::flow::paths::DEFAULT_MAX_PATHS;
use signpost::authoring::flow::{simulate, Diagnostic, LintOptions, Severity, Simulation};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Check flow files: every mistake, with file, line, column, flow, node and field.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Flow files or folders (folders are searched for .yaml, .yml and .json).
    /// A content folder (`flows/` beside `articles/` or `signpost.toml`, as
    /// `signpost build` reads it) is checked as its `flows/`, with its
    /// `articles/` as the article references.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print machine-readable JSON (for CI) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Folder of articles (*.md with an `id:` in the front matter, or *.json
    /// lists of {id, …}); article references are checked against it. It
    /// replaces the `articles/` of content folders.
    #[arg(long, value_name = "DIR")]
    pub articles: Option<PathBuf>,
    /// Check names the host page registers for every flow, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub host_checks: Vec<String>,
    /// List every distinct path through each flow, with its outcome.
    #[arg(long = "paths")]
    pub list_paths: bool,
    /// Stop listing a flow's paths after this many.
    #[arg(long, default_value_t = DEFAULT_MAX_PATHS, value_name = "N")]
    pub max_paths: usize,
}

/// Runs the check. Exit 0: no errors; 1: errors (or warnings with --strict);
/// 2: the articles folder could not be read.
pub fn run(args: Args) -> ExitCode {
    let (flow_paths, content_articles) = resolve_content_folders(&args.paths);
    let article_dirs = match &args.articles {
        Some(dir) => Some(vec![dir.clone()]),
        None => content_articles,
    };
    let articles = match article_dirs {
        None => None,
        Some(dirs) => {
            let mut ids = BTreeSet::new();
            for dir in &dirs {
                match article_ids(dir) {
                    Ok(found) => ids.extend(found),
                    Err(e) => {
                        eprintln!(
                            "signpost check: cannot read articles folder {}: {e}",
                            dir.display()
                        );
                        return ExitCode::from(2);
                    }
                }
            }
            Some(ids)
        }
    };
    let opts = LintOptions {
        host_checks: args
            .host_checks
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        articles,
    };
    let report = lint_paths(&flow_paths, &opts);
    let mut diagnostics = report.all_diagnostics();
    if args.strict {
        for d in &mut diagnostics {
            d.severity = Severity::Error;
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let sims: Vec<(String, Simulation)> = if args.list_paths {
        report
            .files
            .iter()
            .filter_map(|c| {
                c.flow
                    .as_ref()
                    .map(|f| (c.file.clone(), simulate(f, args.max_paths.max(1))))
            })
            .collect()
    } else {
        Vec::new()
    };

    if args.json {
        print_json(
            &report,
            &diagnostics,
            errors,
            warnings,
            args.list_paths.then_some(&sims),
        );
    } else {
        for d in &diagnostics {
            println!("{d}");
        }
        if args.list_paths {
            print_paths(&sims);
        }
        let flows = report.files.iter().filter(|c| c.flow.is_some()).count();
        let files = report.files.len() + report.unreadable;
        println!(
            "checked {} {} ({} {}): {} {}, {} {}",
            files,
            plural(files, "file", "files"),
            flows,
            plural(flows, "flow", "flows"),
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings"),
        );
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn print_json(
    report: &LintReport,
    diagnostics: &[Diagnostic],
    errors: usize,
    warnings: usize,
    sims: Option<&Vec<(String, Simulation)>>,
) {
    let mut out = serde_json::json!({
        "version": 1,
        "ok": errors == 0,
        "files": report.files.len() + report.unreadable,
        "flows": report.files.iter().filter_map(|c| c.flow.as_ref().map(|f| serde_json::json!({"file": c.file, "id": f.id}))).collect::<Vec<_>>(),
        "errors": errors,
        "warnings": warnings,
        "diagnostics": diagnostics,
    });
    if let Some(sims) = sims {
        out["paths"] = serde_json::Value::Array(
            sims.iter()
                .map(|(file, s)| {
                    serde_json::json!({
                        "file": file,
                        "flow_id": s.flow_id,
                        "truncated": s.truncated,
                        "ticket_paths": s.ticket_paths(),
                        "summary": s.summary(),
                        "paths": s.paths,
                    })
                })
                .collect(),
        );
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
}

fn print_paths(sims: &[(String, Simulation)]) {
    let (mut total, mut tickets) = (0, 0);
    for (file, sim) in sims {
        println!("\nflow {:?} ({file}):", sim.flow_id);
        for (i, p) in sim.paths.iter().enumerate() {
            let mut route = String::new();
            for h in &p.hops {
                route.push_str(&h.node);
                if let Some(via) = &h.via {
                    route.push_str(&format!(" --{via}--> "));
                }
            }
            println!("  {:>3}. {route}  => {}", i + 1, p.outcome.label());
        }
        println!("  {}", sim.summary());
        total += sim.paths.len();
        tickets += sim.ticket_paths();
    }
    if sims.len() > 1 {
        println!("\nall flows: {tickets} of {total} paths end in a ticket");
    }
    println!();
}

/// True for a content folder as `signpost build` reads it: `flows/` beside
/// `articles/` or `signpost.toml`. Its other files (`queries.json` for
/// `signpost eval`, article `*.json` lists) are not flows.
fn is_content_folder(dir: &Path) -> bool {
    dir.join("flows").is_dir()
        && (dir.join("articles").is_dir() || dir.join("signpost.toml").is_file())
}

/// The paths to read flows from, each content folder replaced by its
/// `flows/`; and when there is a content folder, the `articles/` folders
/// that hold the article references (as `signpost build` checks them; a
/// content folder without `articles/` has no articles).
fn resolve_content_folders(paths: &[PathBuf]) -> (Vec<PathBuf>, Option<Vec<PathBuf>>) {
    let mut flows = Vec::new();
    let mut articles: Option<Vec<PathBuf>> = None;
    for path in paths {
        if !is_content_folder(path) {
            flows.push(path.clone());
            continue;
        }
        flows.push(path.join("flows"));
        let dirs = articles.get_or_insert_with(Vec::new);
        if path.join("articles").is_dir() {
            dirs.push(path.join("articles"));
        }
    }
    (flows, articles)
}

/// Article ids in `dir`: the `id:` of each `*.md` front matter (the file
/// stem when there is none), and the `id` of each entry of `*.json` lists.
fn article_ids(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        match ext.as_str() {
            "md" | "markdown" => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                ids.insert(front_matter_id(&text).unwrap_or(stem));
            }
            "json" => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if let Ok(serde_json::Value::Array(items)) = serde_json::from_str(&text) {
                    for item in items {
                        if let Some(id) = item.get("id").and_then(|v| v.as_str()) {
                            ids.insert(id.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(ids)
}

/// The `id:` line of a `---`-fenced front matter block.
fn front_matter_id(text: &str) -> Option<String> {
    let mut lines = text.lines();
    if lines.next()?.trim() != "---" {
        return None;
    }
    for line in lines {
        if line.trim() == "---" {
            break;
        }
        if let Some(v) = line.strip_prefix("id:") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            if !v.is_empty() {
                return Some(v.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_folders_are_read_like_signpost_build_reads_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let demo = root.join("public/demo/content");
        let plain = root.join("tests/fixtures");
        let (flows, articles) = resolve_content_folders(&[demo.clone(), plain.clone()]);
        assert_eq!(flows, [demo.join("flows"), plain]);
        assert_eq!(articles, Some(vec![demo.join("articles")]));
        // A folder of flows, or a folder that merely has `flows/` in it,
        // is walked as given, and articles stay unchecked.
        let (flows, articles) = resolve_content_folders(&[demo.join("flows")]);
        assert_eq!(flows, [demo.join("flows")]);
        assert_eq!(articles, None);
    }

    #[test]
    fn front_matter_id_reads_the_id_line_only_inside_the_fence() {
        assert_eq!(
            front_matter_id("---\ntitle: X\nid: \"wifi-bands\"\n---\nid: no"),
            Some("wifi-bands".into())
        );
        assert_eq!(front_matter_id("# Title\nid: nope"), None);
    }
}
