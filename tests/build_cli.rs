//! The content pipeline as authors use it: `signpost build` on the demo
//! content and on broken content, the bundle read back by the library the
//! widget uses, `graph`, and `serve --content` picking up an edit.
#![cfg(not(target_arch = "wasm32"))]

use signpost::authoring::flow::{parse_flow, SourceFormat};
use signpost::core::content::{Block, Bundle, BundleError};
use signpost::core::flow::{CheckResult, Session, View};
use signpost::core::search::{Index, QueryCache, SearchOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn signpost(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run signpost")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo/content")
}

/// `signpost build SRC --out OUT` with `extra` flags.
fn build(src: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        src.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    signpost(&args)
}

/// Builds the demo with `--strict`: what it printed, and the bundle's text.
fn build_demo_printed(out: &Path) -> (String, String) {
    let o = build(Path::new("public/demo/content"), out, &["--strict"]);
    assert!(
        o.status.success(),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    (stdout(&o), std::fs::read_to_string(out).unwrap())
}

fn build_demo(out: &Path) -> String {
    build_demo_printed(out).1
}

/// Copies a folder tree (the content folders are two levels deep).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn the_demo_builds_and_the_bundle_drives_search_and_a_flow() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.json");
    let (printed, text) = build_demo_printed(&out);
    assert!(
        printed.contains("bytes") && printed.contains("gzip"),
        "{printed}"
    );

    let bundle = Bundle::from_json(&text).unwrap();
    assert_eq!(bundle.format, 2);
    assert_eq!(bundle.product.name, "Lumen");
    assert!(bundle.articles.len() >= 30, "{}", bundle.articles.len());
    assert!(bundle.flows.len() >= 8, "{}", bundle.flows.len());
    assert_eq!(bundle.featured[0], "camera-wifi");
    assert!(bundle
        .synonyms
        .iter()
        .any(|g| g.contains(&"2fa".to_string())));
    // The safe tree carries the features authors use.
    let json = serde_json::to_string(&bundle.articles).unwrap();
    for key in [r#"{"table":"#, r#"{"pre":"#, r#"{"a":["#, r#"{"ol":"#] {
        assert!(json.contains(key), "no {key} in any article");
    }

    // Search over the bundle's documents, as the widget does.
    let index = Index::build(bundle.documents(), &bundle.index_options());
    let mut cache = QueryCache::default();
    let top = |q: &str, cache: &mut QueryCache| {
        let r = index.search_cached(cache, q, &SearchOptions::default());
        r.ranked().first().map(|h| h.id.clone())
    };
    assert_eq!(
        top("camera wont connect to wifi", &mut cache).as_deref(),
        Some("camera-wifi")
    );
    // A synonym from signpost.toml: "mfa" finds two-factor content.
    let r = index.search_cached(&mut cache, "mfa", &SearchOptions::default());
    assert!(
        r.ranked().iter().any(|h| h.id.contains("two-factor")),
        "{:?}",
        r.ranked().iter().map(|h| &h.id).collect::<Vec<_>>()
    );

    // Run the camera flow from the bundle to a resolved end. Its
    // fingerprint came with the bundle: the one authoring computes.
    let flow = bundle.flow("camera-wifi").unwrap();
    let path = "public/demo/content/flows/camera-wifi.yaml";
    let source = std::fs::read_to_string(path).unwrap();
    let authored = parse_flow(&source, SourceFormat::Yaml, path).unwrap();
    assert_eq!(flow.fingerprint.len(), 16, "{:?}", flow.fingerprint);
    assert_eq!(flow.fingerprint, authored.fingerprint);
    let (mut s, view) = Session::start(flow, "en", 0).unwrap();
    // A saved session resumes on the bundle's flow, and not on a flow
    // whose content (fingerprint) changed since it was saved.
    assert!(Session::resume(&s.to_json(), flow).is_ok());
    let mut edited = flow.clone();
    edited.fingerprint = "0000000000000000".into();
    assert!(Session::resume(&s.to_json(), &edited).is_err());
    let View::Question { choices, .. } = view else {
        panic!("{view:?}")
    };
    let solid = choices
        .iter()
        .position(|c| c.contains("Solid blue"))
        .unwrap();
    let view = s.answer(flow, solid, 1).unwrap();
    assert!(matches!(view, View::Check { .. }), "{view:?}");
    let view = s.check_result(flow, CheckResult::Pass, 2).unwrap();
    assert!(matches!(view, View::Resolved { .. }), "{view:?}");

    // Every article a flow names is in the bundle.
    for f in &bundle.flows {
        for node in f.nodes.values() {
            let json = serde_json::to_value(node).unwrap();
            if let Some(id) = json.get("article").and_then(|a| a.as_str()) {
                assert!(bundle.article(id).is_some(), "flow {} names {id}", f.id);
            }
        }
    }
}

#[test]
fn the_hash_depends_on_content_only() {
    let dir = tempfile::tempdir().unwrap();
    let a = Bundle::from_json(&build_demo(&dir.path().join("a.json"))).unwrap();
    let b = Bundle::from_json(&build_demo(&dir.path().join("b.json"))).unwrap();
    assert_eq!(a.hash, b.hash);
    assert_eq!(a.hash.len(), 64);

    let content = dir.path().join("content");
    copy_dir(&demo(), &content);
    let article = content.join("articles/reset-password.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("one hour", "two hours")).unwrap();
    let out = dir.path().join("c.json");
    let o = build(&content, &out, &[]);
    assert!(o.status.success(), "{}", stdout(&o));
    let c = Bundle::from_json(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_ne!(a.hash, c.hash);
}

#[test]
fn bundles_carry_the_support_vocabulary_of_their_locales_which_authors_override() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("articles")).unwrap();
    std::fs::write(
        content.join("articles/invoices.md"),
        "---\ntitle: Download an invoice\n---\nEvery payment has an invoice under Billing.\n",
    )
    .unwrap();
    let bundle_of = |toml: &str| {
        std::fs::write(content.join("signpost.toml"), toml).unwrap();
        let out = dir.path().join("bundle.json");
        let o = build(&content, &out, &["--strict"]);
        assert!(o.status.success(), "{}", stdout(&o));
        Bundle::from_json(&std::fs::read_to_string(out).unwrap()).unwrap()
    };
    let first = |bundle: &Bundle, q: &str| {
        let index = Index::build(bundle.documents(), &bundle.index_options());
        let r = index.search(q, &SearchOptions::default());
        r.ranked().first().map(|h| h.id.clone())
    };
    let has = |bundle: &Bundle, word: &str| bundle.synonyms.iter().flatten().any(|m| m == word);

    // English by default: "receipt" is another word for "invoice".
    let en = bundle_of("");
    assert!(has(&en, "receipt") && !has(&en, "rechnung"));
    assert_eq!(
        first(&en, "where is my receipt?").as_deref(),
        Some("invoices")
    );
    // A German locale brings the German groups too.
    let both = bundle_of("locales = [\"en\", \"de\"]");
    assert!(has(&both, "receipt") && has(&both, "rechnung"));
    // An author's group replaces the built-in group it names ...
    let own = bundle_of("synonyms = [[\"invoice\", \"statement\"]]");
    assert!(has(&own, "statement") && !has(&own, "receipt"));
    assert_eq!(first(&own, "where is my receipt?"), None);
    // ... and `lexicon = false` leaves only the author's groups.
    let none = bundle_of("lexicon = false\nsynonyms = [[\"invoice\", \"statement\"]]");
    assert_eq!(none.synonyms, [["invoice", "statement"]]);
}

/// A small content folder with one mistake of each kind.
fn broken_content(dir: &Path) {
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::write(
        dir.join("articles/good.md"),
        "---\ntitle: Good\nrelated_flows: [smal]\n---\nIntro.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("articles/bad.md"),
        "---\ntitle: Bad\ntgas: [x]\n---\nBody\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("flows/small.yaml"),
        "version: 1\nid: small\ntitle: Small\nstart: read\nnodes:\n  read:\n    kind: article\n    article: godo\n    next: done\n  done:\n    kind: resolved\n  t:\n    kind: ticket\n    category: x\n    priority: howto\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("signpost.toml"),
        "featured = [\"nope\"]\nlocale = \"en\"\n",
    )
    .unwrap();
}

#[test]
fn build_errors_name_the_file_and_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("content");
    broken_content(&src);
    let out = dir.path().join("bundle.json");
    let o = build(&src, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let s = src.display();
    for expected in [
        // Raw HTML and an unsafe link: warnings with the file's own line.
        format!("{s}/articles/good.md:7: warning: raw HTML dropped: `<script>alert(1)</script>`"),
        format!("{s}/articles/good.md:9: warning: link to `javascript:alert(1)` kept as plain text"),
        format!("{s}/articles/bad.md:3: error: field `tgas`"),
        format!("{s}/articles/good.md: error: field `related_flows[0]`: no flow with id \"smal\" (did you mean \"small\"?)"),
        // The flow error is printed exactly as `signpost check` prints it.
        format!("{s}/flows/small.yaml:8:5: error[unknown-article] flow \"small\", node \"read\", field \"article\""),
        format!("{s}/signpost.toml: error: field `featured[0]`: no article or flow with id \"nope\""),
        "build failed:".to_string(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!out.exists(), "a failed build must not write a bundle");
}

#[test]
fn strict_turns_warnings_into_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("content");
    std::fs::create_dir_all(src.join("articles")).unwrap();
    std::fs::write(
        src.join("articles/a.md"),
        "---\ntitle: A\n---\nHi <b>there</b>.\n",
    )
    .unwrap();
    let out = dir.path().join("b.json");
    let o = build(&src, &out, &[]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("a.md:4: warning: raw HTML dropped"));
    let o = build(&src, &out, &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("a.md:4: error: raw HTML dropped"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_bundle_of_another_format_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.json");
    let text = build_demo(&out);
    let newer = text.replacen("{\"format\":2,", "{\"format\":3,", 1);
    assert_ne!(newer, text);
    assert_eq!(
        Bundle::from_json(&newer).unwrap_err(),
        BundleError::Newer { format: 3 }
    );
    std::fs::write(&out, newer).unwrap();
    let o = signpost(&["search", "--bundle", out.to_str().unwrap(), "wifi"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("content bundle format 3 is newer than this widget (reads format 2); rebuild with a matching signpost"),
        "{err}"
    );
    // A bundle built before flows carried their fingerprint (format 1).
    let older = text.replacen("{\"format\":2,", "{\"format\":1,", 1);
    std::fs::write(&out, older).unwrap();
    let o = signpost(&["search", "--bundle", out.to_str().unwrap(), "wifi"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("content bundle format 1 is not one this widget reads (format 2); rebuild with a matching signpost"),
        "{err}"
    );
}

#[test]
fn search_and_eval_read_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle.json");
    build_demo(&out);
    let o = signpost(&[
        "search",
        "--json",
        "--bundle",
        out.to_str().unwrap(),
        "camera offline",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["results"].as_array().unwrap().is_empty(), "{v}");
    let o = signpost(&[
        "eval",
        "--bundle",
        out.to_str().unwrap(),
        "--queries",
        "public/demo/content/queries.json",
        "--min-mrr",
        "0.8",
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn graph_draws_mermaid_and_svg_with_escaped_labels() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("f.yaml");
    std::fs::write(
        &flow,
        "version: 1\nid: f\ntitle: 'Is <b>it</b> \"on\"?'\nstart: ask\nnodes:\n  ask:\n    kind: question\n    text: 'Does <script>alert(1)</script> & # show?'\n    choices:\n      - label: 'Yes \"really\"'\n        next: end\n      - label: No\n        next: t\n  end:\n    kind: resolved\n  t:\n    kind: ticket\n    category: x\n    priority: outage\n",
    )
    .unwrap();
    let o = signpost(&["graph", flow.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    let m = stdout(&o);
    assert!(m.contains("flowchart TD"), "{m}");
    assert!(
        m.contains("n0{\"ask: Does #lt;script#gt;alert(1)#lt;/script#gt; #amp; #35; show?\"}"),
        "{m}"
    );
    assert!(m.contains("n0 -->|\"Yes #quot;really#quot;\"| n1"), "{m}");
    assert!(
        m.contains("class n1 resolved") && m.contains("class n2 urgent"),
        "{m}"
    );

    let svg_path = dir.path().join("f.svg");
    let o = signpost(&[
        "graph",
        flow.to_str().unwrap(),
        "--out",
        svg_path.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let svg = std::fs::read_to_string(svg_path).unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(!svg.contains("<script") && !svg.contains("<b>"), "{svg}");
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
        "{svg}"
    );
    assert!(
        svg.contains(r##"data-node="end"><rect"##) && svg.contains("#dcfce7"),
        "resolved is green"
    );
    assert!(svg.contains("#fee2e2"), "an outage ticket is red");
    assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());

    // A broken flow is refused with check's diagnostics.
    std::fs::write(
        &flow,
        "version: 1\nid: f\ntitle: T\nstart: nowhere\nnodes: {}\n",
    )
    .unwrap();
    let o = signpost(&["graph", flow.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error["), "{}", stdout(&o));
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `signpost serve` on a free port, with `--content` when given.
fn serve(content: Option<&Path>, scratch: &Path) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
    cmd.args(["serve", "--port", "0", "--db"])
        .arg(scratch.join("t.sqlite3"))
        .arg("--widget-dir")
        .arg(scratch);
    if let Some(content) = content {
        cmd.arg("--content").arg(content);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let at = line.find("http://").expect("URL on the first line");
    let base = line[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    Server { child, base }
}

fn get(url: &str, etag: Option<&str>) -> (u16, Option<String>, String, Option<String>) {
    let mut req = ureq::get(url);
    if let Some(t) = etag {
        req = req.set("If-None-Match", t);
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = resp.status();
    let tag = resp.header("etag").map(str::to_string);
    let cors = resp
        .header("access-control-allow-origin")
        .map(str::to_string);
    (status, tag, resp.into_string().unwrap(), cors)
}

/// Polls until `done` holds for the bundle response (the server polls the
/// folder every 500 ms and rebuilds).
fn wait_for(
    url: &str,
    done: impl Fn(u16, &Option<String>, &str) -> bool,
) -> (u16, Option<String>, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, tag, body, _) = get(url, None);
        if done(status, &tag, &body) {
            return (status, tag, body);
        }
        assert!(
            Instant::now() < deadline,
            "no rebuild seen; last: {status} {body:.300}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_content_rebuilds_when_an_article_changes() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_dir(&demo(), &content);
    let server = serve(Some(&content), dir.path());
    let url = format!("{}/content/bundle.json", server.base);

    let (status, tag, body, cors) = get(&url, None);
    assert_eq!(status, 200);
    assert_eq!(cors.as_deref(), Some("*"));
    let bundle = Bundle::from_json(&body).unwrap();
    let tag = tag.unwrap();
    assert_eq!(tag, format!("\"{}\"", bundle.hash));
    assert_eq!(get(&url, Some(&tag)).0, 304);

    // An author edits an article.
    let article = content.join("articles/reset-password.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        text.replace(
            "The link works for one hour.",
            "The link works for ninety minutes.",
        ),
    )
    .unwrap();
    let (_, new_tag, body) = wait_for(&url, |s, t, _| {
        s == 200 && t.as_deref() != Some(tag.as_str())
    });
    let bundle = Bundle::from_json(&body).unwrap();
    assert_eq!(new_tag.unwrap(), format!("\"{}\"", bundle.hash));
    let article = bundle.article("reset-password").unwrap();
    let body_text = signpost::core::content::plain_text(&article.body);
    assert!(body_text.contains("ninety minutes"), "{body_text}");
    assert!(matches!(article.body[0], Block::Para(_)));

    // A mistake: the same URL answers 500 with the error, naming the file.
    let flow = content.join("flows/ad-blocker.yaml");
    let good_flow = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        good_flow.replace("next: step_find_extension", "next: step_find_extenson"),
    )
    .unwrap();
    let (_, tag, body) = wait_for(&url, |s, _, _| s == 500);
    assert_eq!(tag, None);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let error = v["error"].as_str().unwrap();
    assert!(
        error.contains("ad-blocker.yaml:") && error.contains("step_find_extenson"),
        "{error}"
    );

    // Fixed again: the bundle is back.
    std::fs::write(&flow, good_flow).unwrap();
    wait_for(&url, |s, _, _| s == 200);
}

#[test]
fn without_content_there_is_no_bundle_route() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(None, dir.path());
    let (status, ..) = get(&format!("{}/content/bundle.json", server.base), None);
    assert_eq!(status, 404);
}
