//! `src/` is arranged in layers, and the order can be checked:
//!
//! - the top-level modules (`core`, `authoring`, `relay`, `platform`, `ui`,
//!   `embed`) each use only the layers listed before them in [`LAYERS`], so
//!   there is no cycle between them: the core uses none of the others and
//!   authoring uses only the core;
//! - inside the core no module depends on another that depends back on it,
//!   however indirectly, so a newcomer can read it from the bottom (json,
//!   text, sort, scrub) up (flow runtime, search, content) without meeting
//!   a cycle;
//! - the core touches neither the browser nor the file system.
//!
//! Dependencies are read from the source: `crate::x` (or `crate::core::x`)
//! and `super::x` paths outside comments and `#[cfg(test)]` code.
//!
//! Why not `cargo modules dependencies --acyclic` (tried 2026-11-30): its
//! current release (0.28) needs rustc 1.98 and this repository pins 1.95;
//! 0.27 took 32 minutes to install here and about 50 s per run; `--acyclic`
//! fails on item-level cycles that are ordinary Rust (`core::content::Bundle`
//! ↔ its own method `Bundle::documents`), with or without `--no-fns`, so it
//! cannot gate module cycles; and one run sees one target's cfgs, while
//! `platform`, `ui` and `embed` exist only on wasm32 and `authoring` and
//! `relay` only natively. Reading the source sees every layer, in
//! milliseconds, with nothing to install.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test modules.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers starting at `at` in `code`: one name, or a `{a, b}` group.
fn names_at(code: &str, at: usize) -> Vec<String> {
    let rest = &code[at..];
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    if let Some(group) = rest.strip_prefix('{') {
        let group = &group[..group.find('}').unwrap_or(group.len())];
        group
            .split(',')
            .map(|item| ident(item.trim()))
            .filter(|n| !n.is_empty())
            .collect()
    } else {
        vec![ident(rest)]
    }
}

/// Top-level module under `root` → the other top-level modules under
/// `root` it uses, reading `{prefix}x` and `super::x` paths (`prefix` is
/// how code names `root`: `crate::core::` for `src/core`, `crate::` for
/// `src`). `skip` names files and folders directly under `root` that are
/// not modules of it.
fn module_graph(root: &Path, prefix: &str, skip: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel: Vec<String> = file
            .strip_prefix(root)
            .unwrap()
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if rel == ["mod"]
            || skip.contains(&rel[0].as_str())
            || rel.last().is_some_and(|l| l == "tests")
        {
            continue;
        }
        // The module path under `root`: `flow/engine/persist.rs` is
        // [flow, engine, persist]; `flow/mod.rs` is [flow].
        let mut module = rel.clone();
        if module.last().is_some_and(|l| l == "mod") {
            module.pop();
        }
        let me = module[0].clone();
        let code = code_of(&fs::read_to_string(&file).unwrap());
        let uses = graph.entry(me.clone()).or_default();
        for (at, _) in code.match_indices(prefix) {
            // `crate::` must not match the tail of `signpost::crate::`-like
            // paths; it always starts a path, so check what precedes it.
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for name in names_at(&code, at + prefix.len()) {
                uses.insert(name);
            }
        }
        for (at, _) in code.match_indices("super::") {
            // Count the whole run of `super::` once, from its first one.
            if code[..at].ends_with("super::") {
                continue;
            }
            let mut depth = 0;
            let mut end = at;
            while code[end..].starts_with("super::") {
                depth += 1;
                end += "super::".len();
            }
            if depth == module.len() {
                for name in names_at(&code, end) {
                    uses.insert(name);
                }
            }
        }
        uses.remove(&me);
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| known.contains(m));
    }
    graph
}

/// Top-level core module → the top-level core modules it uses.
fn core_graph() -> BTreeMap<String, BTreeSet<String>> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    module_graph(&core, "crate::core::", &[])
}

/// Top-level layer (`core`, `ui`, …) → the layers it uses. The CLI
/// (`src/bin`) is a separate crate over all of them; `lib.rs` only
/// declares them.
fn layer_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    module_graph(&src, "crate::", &["bin", "lib"])
}

/// The layers, bottom first: each may use only those before it.
const LAYERS: [&str; 6] = ["core", "authoring", "relay", "platform", "ui", "embed"];

/// A cycle through `graph`, as the modules on it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_modules_have_no_import_cycle() {
    let graph = core_graph();
    assert!(
        graph.contains_key("flow") && graph.contains_key("ticket"),
        "{graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "import cycle in src/core: {}\n(move the shared item down a layer; the graph is {graph:#?})",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_reads_super_paths() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&graph), None);

    let code = "use super::super::json::{Json, Path};\nuse super::{scrub, text};";
    assert_eq!(names_at(code, code.find("json").unwrap()), ["json"]);
    assert_eq!(names_at(code, code.find('{').unwrap()), ["Json", "Path"]);
    assert_eq!(names_at(code, code.rfind('{').unwrap()), ["scrub", "text"]);
}

#[test]
fn the_layers_are_in_order() {
    let graph = layer_graph();
    for layer in ["core", "authoring", "platform", "ui", "embed"] {
        assert!(graph.contains_key(layer), "no layer {layer}: {graph:?}");
    }
    for (layer, uses) in &graph {
        let Some(rank) = LAYERS.iter().position(|l| l == layer) else {
            panic!("src/{layer} is not a known layer: add it to LAYERS in tests/core_layers.rs (and to the README's layer map)");
        };
        let above: Vec<&String> = uses
            .iter()
            .filter(|u| LAYERS.iter().position(|l| l == *u) > Some(rank))
            .collect();
        assert!(
            above.is_empty(),
            "src/{layer} uses {above:?}, which sit above it (layers bottom first: {LAYERS:?}); move the shared item down"
        );
    }
    assert!(graph["core"].is_empty(), "{:?}", graph["core"]);
    assert_eq!(
        graph["authoring"].iter().collect::<Vec<_>>(),
        ["core"],
        "authoring uses only the core"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between layers: {}", cycle.join(" → "));
    }
}

#[test]
fn the_core_uses_no_file_system() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    for file in files {
        let code = code_of(&fs::read_to_string(&file).unwrap());
        for fs_use in ["std::fs", "File::"] {
            assert!(
                !code.contains(fs_use),
                "{} uses {fs_use}: the core reads no files (that is authoring's job, in src/authoring)",
                file.display()
            );
        }
    }
}

#[test]
fn the_core_uses_no_browser_crate() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    for file in files {
        let code = code_of(&fs::read_to_string(&file).unwrap());
        for browser in [
            "leptos",
            "leptos_dom",
            "reactive_graph",
            "any_spawner",
            "web_sys",
            "wasm_bindgen",
            "js_sys",
            "gloo",
        ] {
            assert!(
                !code.contains(&format!("{browser}::")),
                "{} uses {browser}: the core must stay plain Rust",
                file.display()
            );
        }
    }
}

#[test]
fn the_core_does_not_use_the_relay() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    for file in files {
        let code = code_of(&fs::read_to_string(&file).unwrap());
        assert!(
            !code.contains("crate::relay"),
            "{} uses the relay: the core sits below it and must not",
            file.display()
        );
    }
}
