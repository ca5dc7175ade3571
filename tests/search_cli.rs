//! `signpost search` and `signpost eval` end to end, on a small help centre
//! written to a temporary folder plus the demo flows.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn signpost() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
}

fn demo_flows() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo/content/flows")
}

fn write_articles(dir: &Path) {
    let articles = [
        (
            "reset-password.md",
            "---\ntitle: Reset a forgotten password\ntags: [account]\nfeatured: true\n---\nUse the **reset link** on the sign-in page.\n",
        ),
        (
            "delete-account.md",
            "---\ntitle: Delete your account\naliases: [close account]\n---\nGo to Settings, then Account, and choose *Delete*.\n",
        ),
        (
            "billing/invoices.md",
            "---\nid: invoices\ntitle: Download invoices\n---\nInvoices are under Billing › History.\n",
        ),
    ];
    for (name, text) in articles {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn search_json_ranks_articles_and_flows_with_typos() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(dir.path());
    let out = signpost()
        .args(["search", "forgoten pasword", "--json", "--articles"])
        .arg(dir.path())
        .arg("--flows")
        .arg(demo_flows())
        .output()
        .unwrap();
    let v = json(&out);
    let first = &v["results"][0];
    assert_eq!(first["id"], "reset-password");
    assert_eq!(first["kind"], "article");
    assert!(first["score"].as_f64().unwrap() > 0.0);
    assert!(!first["title_ranges"].as_array().unwrap().is_empty());

    let out = signpost()
        .args([
            "search",
            "camera",
            "wont",
            "join",
            "wifi",
            "--json",
            "--articles",
        ])
        .arg(dir.path())
        .arg("--flows")
        .arg(demo_flows())
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["results"][0]["kind"], "flow", "{v}");
}

#[test]
fn search_of_nothing_shows_featured_and_nonsense_shows_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(dir.path());
    let v = json(
        &signpost()
            .args(["search", "", "--json", "--articles"])
            .arg(dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(v["suggested"], true);
    assert_eq!(v["results"][0]["id"], "reset-password");
    let v = json(
        &signpost()
            .args(["search", "qwxz plorbt", "--json", "--articles"])
            .arg(dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
}

#[test]
fn eval_reports_quality_and_misses() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(dir.path());
    let queries = dir.path().join("queries.json");
    std::fs::write(
        &queries,
        r#"[{"query": "how do I close my account", "expected": "delete-account"},
            {"query": "where are my invoices", "expected": "invoices"},
            {"query": "xyzzy", "expected": "invoices"}]"#,
    )
    .unwrap();
    let out = signpost()
        .args(["eval", "--json", "--articles"])
        .arg(dir.path())
        .arg("--queries")
        .arg(&queries)
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["queries"], 3);
    assert!((v["mrr"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{v}");
    assert_eq!(v["missed"][0]["query"], "xyzzy");
    assert!(v["latency_ms"]["p99"].as_f64().is_some());

    // Human output, and the CI floor.
    let out = signpost()
        .args(["eval", "--min-mrr", "0.9", "--articles"])
        .arg(dir.path())
        .arg("--queries")
        .arg(&queries)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MRR     0.667"), "{text}");
    assert!(text.contains("expected  invoices"), "{text}");
}

#[test]
fn bad_front_matter_names_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.md"),
        "---\ntitle: T\ntgas: [x]\n---\nbody\n",
    )
    .unwrap();
    let out = signpost()
        .args(["search", "x", "--articles"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.md: field `tgas`"), "{err}");
}
