//! `signpost check` as authors and CI run it: the built binary on fixture
//! flows with one mistake, many mistakes, warnings only, and hostile input.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/flows")
}

/// Runs `signpost check` from the crate root, so file names in the output
/// are the relative paths given.
fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
        .arg("check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run signpost")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn the_demo_flows_pass_with_no_warnings() {
    let o = check(&["--strict", "public/demo/content/flows"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("checked 9 files (9 flows): 0 errors, 0 warnings"),
        "{out}"
    );
}

#[test]
fn a_typo_is_named_like_rustc_would() {
    let o = check(&["tests/fixtures/flows/typo"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "tests/fixtures/flows/typo/wifi.yaml:13:9: error[unknown-node] flow \"wifi-band\", node \"ask_band\", field \"choices[1].next\": no node named \"chek_router\" (did you mean \"check_router\"?)\n\
         checked 1 file (1 flow): 1 error, 0 warnings\n"
    );
}

#[test]
fn every_mistake_in_a_file_is_reported_with_its_place() {
    let o = check(&["--json", "tests/fixtures/flows/many/broken.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let found: Vec<(String, u64, String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["node_id"].as_str().unwrap_or("-").to_string(),
                d["field"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let expected = [
        ("unknown-field", 4, "-", "colour"),
        ("unknown-node", 16, "ask", "choices[1].next"),
        ("unreachable-node", 17, "empty", "-"),
        ("empty-choices", 20, "empty", "choices"),
        ("unknown-field", 23, "step_one", "txet"),
        ("unset-variable", 29, "route", "cases[0].when"),
        ("bad-condition", 31, "route", "cases[1].when"),
        ("unknown-check", 36, "check_thing", "check"),
        ("no-exit", 39, "loop_a", "-"),
        ("invalid-value", 48, "stray", "kind"),
        ("invalid-value", 56, "ticket", "priority"),
    ];
    let expected: Vec<(String, u64, String, String)> = expected
        .iter()
        .map(|(c, l, n, f)| (c.to_string(), *l, n.to_string(), f.to_string()))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(v["errors"], 11);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["ok"], false);
    let typo = &v["diagnostics"][4];
    assert_eq!(typo["suggestion"], "text");
    assert_eq!(typo["flow_id"], "broken-flow");
    assert_eq!(typo["file"], "tests/fixtures/flows/many/broken.yaml");
    assert_eq!(typo["column"], 5);
    assert_eq!(typo["severity"], "error");
}

#[test]
fn warnings_fail_only_under_strict() {
    let o = check(&["tests/fixtures/flows/warnings"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    for code in [
        "warning[unused-host-check]",
        "warning[no-ticket]",
        "warning[unused-variable]",
    ] {
        assert!(out.contains(code), "{code} missing:\n{out}");
    }
    assert!(out.contains("0 errors, 3 warnings"));

    let o = check(&["--strict", "tests/fixtures/flows/warnings"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("3 errors, 0 warnings"));
}

#[test]
fn duplicate_flow_ids_across_files_and_formats() {
    let o = check(&["tests/fixtures/flows/dup"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("tests/fixtures/flows/dup/b.json:3:3: error[duplicate-flow-id] flow \"same-id\", field \"id\": flow id \"same-id\" is already used by tests/fixtures/flows/dup/a.yaml"),
        "{out}"
    );
}

#[test]
fn json_flows_get_exact_positions() {
    let o = check(&["tests/fixtures/flows/json/flow.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with(
        "tests/fixtures/flows/json/flow.json:12:26: error[unknown-node] flow \"json-flow\", node \"ask\", field \"choices[1].next\": no node named \"tikcet\" (did you mean \"ticket\"?)"
    ));
}

#[test]
fn articles_are_checked_against_the_folder() {
    let flow = "tests/fixtures/flows/articles/flow.yaml";
    assert!(
        check(&[flow]).status.success(),
        "without --articles, ids are not checked"
    );
    let o = check(&["--articles", "tests/fixtures/flows/articles/articles", flow]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    // `wifi-bands-guide` comes from front matter; `reset-camera` from the file stem.
    assert!(
        out.contains("flow.yaml:8:5: error[unknown-article] flow \"with-articles\", node \"read\", field \"article\": no article with id \"wifi-band-guide\" in the articles folder (did you mean \"wifi-bands-guide\"?)"),
        "{out}"
    );
    assert!(out.contains("1 error, 0 warnings"), "{out}");

    let o = check(&["--articles", "tests/fixtures/flows/no-such-dir", flow]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn host_checks_can_be_declared_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("host.yaml");
    std::fs::write(
        &path,
        "version: 1\nid: h\ntitle: H\nstart: c\nnodes:\n  c:\n    kind: check\n    check: acme.signed_in\n    pass: done\n    fail: t\n  done: {kind: resolved}\n  t: {kind: ticket, category: x, priority: howto}\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let o = check(&[p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[unknown-check]"));
    let o = check(&["--host-checks", "acme.other,acme.signed_in", p]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn paths_are_listed_with_outcomes_and_a_summary() {
    let o = check(&["--paths", "tests/fixtures/flows/paths/small.yaml"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("  1. ask --\"Online\"--> check --pass--> done  => resolved"),
        "{out}"
    );
    assert!(
        out.contains("check --fail--> step --not fixed--> ticket  => ticket (howto)"),
        "{out}"
    );
    assert!(
        out.contains("flow \"small\": 2 of 5 paths end in a ticket (3 resolved)"),
        "{out}"
    );

    let o = check(&[
        "--paths",
        "--max-paths",
        "2",
        "tests/fixtures/flows/paths/small.yaml",
    ]);
    let out = stdout(&o);
    assert!(out.contains("of at least 2 paths end in a ticket"), "{out}");
    assert!(out.contains("listing stopped after 2 paths"), "{out}");

    let o = check(&["--json", "--paths", "tests/fixtures/flows/paths/small.yaml"]);
    let v = json(&o);
    let sim = &v["paths"][0];
    assert_eq!(sim["flow_id"], "small");
    assert_eq!(sim["ticket_paths"], 2);
    assert_eq!(sim["paths"].as_array().unwrap().len(), 5);
    assert_eq!(sim["paths"][0]["outcome"], "resolved");
    assert_eq!(sim["paths"][2]["outcome"], "ticket");
    assert_eq!(sim["paths"][2]["priority"], "howto");
}

#[test]
fn hostile_files_get_errors_not_crashes() {
    let o = check(&["tests/fixtures/flows/hostile"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("alias-bomb.yaml: error[too-large]"), "{out}");
    assert!(
        out.contains(
            "deep.yaml:3: error[syntax]: the document is nested more than 100 levels deep"
        ),
        "{out}"
    );
    assert!(
        out.contains("not-utf8.yaml: error[io]: not UTF-8 text"),
        "{out}"
    );
    assert!(out.contains("checked 3 files (0 flows): 3 errors"), "{out}");

    // A file over 1 MiB is refused without parsing it.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(
        &big,
        format!("version: 1\n# {}\n", "x".repeat(2 * 1024 * 1024)),
    )
    .unwrap();
    let o = check(&[big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[too-large]"));

    // A thousand-node cycle: one clear error.
    let ring = dir.path().join("ring.yaml");
    let mut src = String::from("version: 1\nid: ring\ntitle: Ring\nstart: n0\nnodes:\n");
    for i in 0..1000 {
        src.push_str(&format!(
            "  n{i}: {{kind: article, article: a{i}, next: n{}}}\n",
            (i + 1) % 1000
        ));
    }
    std::fs::write(&ring, src).unwrap();
    let o = check(&[ring.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(out.matches("error[no-exit]").count(), 1, "{out}");
    assert!(out.contains("(1000 nodes are stuck here)"), "{out}");
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let o = check(&["tests/fixtures/flows/nope.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("tests/fixtures/flows/nope.yaml: error[io]: cannot read"));
    // The folder exists: the error is about the file, not its folder.
    assert!(fixtures().is_dir() && !fixtures().join("nope.yaml").exists());
}

/// Copies a folder tree (files and folders only).
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

/// A copy of the demo content folder: flows/, articles/, queries.json and
/// signpost.toml, as `signpost build` and `signpost eval` read it.
fn demo_content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo/content");
    copy_dir(&demo, dir.path());
    for file in ["queries.json", "signpost.toml"] {
        assert!(dir.path().join(file).is_file(), "the demo has no {file}");
    }
    dir
}

#[test]
fn a_content_folder_is_checked_as_its_flows_not_its_other_files() {
    let dir = demo_content_copy();
    let root = dir.path().to_str().unwrap();
    let o = check(&["--strict", root]);
    let out = stdout(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(!out.contains("queries.json"), "{out}");
    assert!(!out.contains("signpost.toml"), "{out}");
    assert!(
        out.ends_with("checked 9 files (9 flows): 0 errors, 0 warnings\n"),
        "{out}"
    );

    let v = json(&check(&["--json", root]));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["files"], 9, "{v}");
    let files: Vec<&str> = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| Path::new(f).parent() == Some(&dir.path().join("flows"))),
        "{files:?}"
    );
}

#[test]
fn a_content_folder_checks_article_references_against_its_articles() {
    let dir = demo_content_copy();
    std::fs::remove_file(dir.path().join("articles/wifi-bands-explained.md")).unwrap();
    let o = check(&[dir.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error[unknown-article] flow \"camera-wifi\"")
            && out.contains("no article with id \"wifi-bands-explained\""),
        "{out}"
    );
    // --articles still decides when it is given.
    let o = check(&[
        "--articles",
        "public/demo/content/articles",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
