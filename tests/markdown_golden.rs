//! Markdown → safe tree: goldens for ordinary and hostile input, and
//! properties every output must have whatever the input.
//!
//! Goldens live in `tests/golden/markdown/`: `NAME.md` is converted and
//! compared with `NAME.json` (`{"blocks": …, "warnings": …}`). After a
//! deliberate change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --test markdown_golden` and review the diff.
#![cfg(not(target_arch = "wasm32"))]

use signpost::authoring::markdown::{markdown_to_tree, MAX_DEPTH, MAX_MARKDOWN_BYTES};
use signpost::core::content::{plain_text, Block, Inline};
use std::path::Path;

fn golden_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/markdown")
}

fn render(md: &str) -> String {
    let c = markdown_to_tree(md).unwrap();
    let v = serde_json::json!({ "blocks": c.blocks, "warnings": c.warnings });
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

#[test]
fn goldens_match() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    entries.sort();
    for md_path in entries {
        let md = std::fs::read_to_string(&md_path).unwrap();
        let got = render(&md);
        let json_path = md_path.with_extension("json");
        if update {
            std::fs::write(&json_path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&json_path).unwrap_or_else(|_| {
            panic!(
                "{} is missing; run UPDATE_GOLDEN=1 cargo test --test markdown_golden",
                json_path.display()
            )
        });
        assert_eq!(
            got,
            want,
            "{} differs from its golden (UPDATE_GOLDEN=1 to accept)",
            md_path.display()
        );
        checked += 1;
    }
    assert!(checked >= 3);
}

/// Every link and image target in a tree.
fn targets(blocks: &[Block]) -> Vec<String> {
    let json = serde_json::to_value(blocks).unwrap();
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if k == "a" || k == "img" {
                        if let Some(t) = v.get(0).and_then(|t| t.as_str()) {
                            out.push(t.to_string());
                        }
                    }
                    walk(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&json, &mut out);
    out
}

fn golden_md(name: &str) -> String {
    std::fs::read_to_string(golden_dir().join(name)).unwrap()
}

#[test]
fn no_hostile_link_survives_and_each_is_named_in_a_warning() {
    let c = markdown_to_tree(&golden_md("hostile-links.md")).unwrap();
    let t = targets(&c.blocks);
    assert_eq!(
        t,
        [
            "https://cdn.lumen.example/ok.png",
            "https://lumen.example",
            "mailto:help@lumen.example",
            "HTTP://LUMEN.EXAMPLE"
        ]
    );
    // The link text stays, so the reader loses nothing but the target.
    let text = plain_text(&c.blocks);
    for word in ["plain", "entity-first", "tab", "reference", "data image"] {
        assert!(text.contains(word), "{word} missing from {text:?}");
    }
    // 14 unsafe links and 2 unsafe images, each with its line.
    let unsafe_links = c
        .warnings
        .iter()
        .filter(|w| w.message.contains("kept as plain text"))
        .count();
    assert_eq!(unsafe_links, 14, "{:#?}", c.warnings);
    assert_eq!(c.warnings[0].line, 1);
    assert!(c
        .warnings
        .iter()
        .any(|w| w.line == 17 && w.message.contains("javascript:")));
}

#[test]
fn raw_html_is_dropped_with_its_line() {
    let c = markdown_to_tree(&golden_md("hostile-html.md")).unwrap();
    let json = serde_json::to_string(&c.blocks).unwrap().to_lowercase();
    for bad in [
        "<script",
        "onclick",
        "onerror",
        "iframe",
        "<style",
        "javascript",
        "alert(",
    ] {
        assert!(!json.contains(bad), "{bad} survived: {json}");
    }
    let text = plain_text(&c.blocks);
    assert!(text.contains("Inline handler and  here."), "{text}");
    assert!(text.contains("Safe end."), "{text}");
    let lines: Vec<u32> = c
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("raw HTML dropped"))
        .map(|w| w.line)
        .collect();
    // script, div block, span, /span, img, a, /a, comment, style.
    assert_eq!(lines, [3, 5, 9, 9, 9, 11, 11, 13, 15], "{:#?}", c.warnings);
}

#[test]
fn huge_documents_are_refused_with_the_limit() {
    let e = markdown_to_tree(&"word ".repeat(MAX_MARKDOWN_BYTES / 5 + 1)).unwrap_err();
    assert!(e.to_string().contains("limit is 262144 bytes"), "{e}");
}

/// Pathological input just under the cap: it converts, the output stays
/// proportional to the input, nesting stays within [`MAX_DEPTH`], and the
/// JSON reads back (serde_json refuses nesting over 128 levels).
#[test]
fn pathological_input_is_bounded() {
    let n = MAX_MARKDOWN_BYTES / 4;
    let cases = [
        ">".repeat(n),
        "- ".repeat(n / 2),
        "*".repeat(n),
        "[".repeat(n),
        "*a ".repeat(n / 3),
        "`".repeat(n),
        "<a>".repeat(n / 3),
        "| a |\n|---|\n".repeat(n / 13),
        "1. ".repeat(n / 3),
        (0..2000)
            .map(|i| format!("{}- item\n", "  ".repeat(i)))
            .collect(),
    ];
    for md in &cases {
        let md = &md[..md.len().min(MAX_MARKDOWN_BYTES)];
        let c = markdown_to_tree(md).unwrap();
        let json = serde_json::to_string(&c.blocks).unwrap();
        assert!(
            json.len() < 40 * md.len() + 1024,
            "{} bytes of output for {} bytes of {:?}…",
            json.len(),
            md.len(),
            &md[..10]
        );
        // Read back the way the widget reads it.
        let value = signpost::core::json::Json::parse(&json).unwrap();
        let back: Vec<Block> = signpost::core::json::items(
            &value,
            &signpost::core::json::Path::Root,
            signpost::core::content::decode::block,
        )
        .unwrap();
        assert!(depth(&back) <= MAX_DEPTH + 1, "{:?}…", &md[..10]);
        assert!(c.warnings.len() <= 21);
    }
}

fn depth(blocks: &[Block]) -> usize {
    fn inl(i: &[Inline]) -> usize {
        i.iter()
            .map(|x| match x {
                Inline::Strong(v) | Inline::Emph(v) | Inline::Strike(v) | Inline::Link(_, v) => {
                    1 + inl(v)
                }
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    blocks
        .iter()
        .map(|b| match b {
            Block::Quote(v) => 1 + depth(v),
            Block::Ordered(_, items) | Block::Bullets(items) => {
                2 + items.iter().map(|i| depth(i)).max().unwrap_or(0)
            }
            Block::Para(i) | Block::Heading(_, i) => 1 + inl(i),
            _ => 1,
        })
        .max()
        .unwrap_or(0)
}
