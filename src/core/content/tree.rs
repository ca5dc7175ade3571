//! The safe content tree: what an article body becomes at build time, and
//! what the widget renders (as text nodes and elements, never `innerHTML`).
//!
//! Wire form: serde's default, externally tagged enums with short keys, so
//! the widget's deserialiser stays small and the bundle compact.
//!
//! | Rust | JSON | HTML the UI draws |
//! |---|---|---|
//! | `Block::Heading(2, inl)` | `{"h":[2,[…]]}` | `<h2>` (level 1–6) |
//! | `Block::Para(inl)` | `{"p":[…]}` | `<p>` |
//! | `Block::Code(lang, text)` | `{"pre":["sh","…"]}` | `<pre><code>` (`lang` may be `""`) |
//! | `Block::List(start, items)` | `{"ol":[1,[[…],[…]]]}` / `{"ul":[[…]]}` | `<ol start>` / `<ul>`; each item is a list of blocks |
//! | `Block::Quote(blocks)` | `{"q":[…]}` | `<blockquote>` |
//! | `Block::Table(t)` | `{"table":{"align":[0,1],"head":[…],"rows":[…]}}` | `<table>` |
//! | `Block::Rule` | `"hr"` | `<hr>` |
//! | `Inline::Text(s)` | `{"t":"…"}` | a text node |
//! | `Inline::Strong(inl)` / `Emph` / `Strike` | `{"b":[…]}` / `{"i":[…]}` / `{"s":[…]}` | `<strong>` / `<em>` / `<del>` |
//! | `Inline::Code(s)` | `{"c":"…"}` | `<code>` |
//! | `Inline::Link(href, inl)` | `{"a":["https://…",[…]]}` | `<a href>`; `href` is http(s) or mailto |
//! | `Inline::Image(src, alt)` | `{"img":["https://…","alt"]}` | `<img src alt>`; `src` is http(s) or a path |
//! | `Inline::Break` | `"br"` | `<br>` |

use serde::Serialize;

/// A block of an article body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    /// A heading of level 1 to 6.
    #[serde(rename = "h")]
    Heading(u8, Vec<Inline>),
    /// A paragraph.
    #[serde(rename = "p")]
    Para(Vec<Inline>),
    /// A code block: the language from the fence (may be empty), the text.
    #[serde(rename = "pre")]
    Code(String, String),
    /// A numbered list: the first number, then the items.
    #[serde(rename = "ol")]
    Ordered(u64, Vec<Vec<Block>>),
    /// A bulleted list: the items, each a list of blocks.
    #[serde(rename = "ul")]
    Bullets(Vec<Vec<Block>>),
    /// A block quote.
    #[serde(rename = "q")]
    Quote(Vec<Block>),
    /// A table.
    #[serde(rename = "table")]
    Table(Table),
    /// A horizontal rule.
    #[serde(rename = "hr")]
    Rule,
}

/// A table: column alignment, a header row, body rows; cells are inlines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Per column: 0 none, 1 left, 2 centre, 3 right.
    pub align: Vec<u8>,
    /// The header row's cells.
    pub head: Vec<Vec<Inline>>,
    /// The body rows' cells.
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// Text-level content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Inline {
    /// Plain text (entities already decoded; render as a text node).
    #[serde(rename = "t")]
    Text(String),
    /// Strong emphasis.
    #[serde(rename = "b")]
    Strong(Vec<Inline>),
    /// Emphasis.
    #[serde(rename = "i")]
    Emph(Vec<Inline>),
    /// Strikethrough.
    #[serde(rename = "s")]
    Strike(Vec<Inline>),
    /// Inline code.
    #[serde(rename = "c")]
    Code(String),
    /// A link; the target is always `http:`, `https:` or `mailto:`.
    #[serde(rename = "a")]
    Link(String, Vec<Inline>),
    /// An image: the source (`http(s)` or a scheme-less path), the alt text.
    #[serde(rename = "img")]
    Image(String, String),
    /// A hard line break.
    #[serde(rename = "br")]
    Break,
}

/// The plain text of a tree, for search documents and excerpts: blocks on
/// their own lines (blank line between paragraphs), link text and image alt
/// text kept, targets dropped.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    blocks_text(blocks, &mut out);
    out.truncate(out.trim_end().len());
    out
}

fn blocks_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Heading(_, inl) | Block::Para(inl) => {
                inlines_text(inl, out);
                end_block(out);
            }
            Block::Code(_, text) => {
                out.push_str(text.trim_end());
                end_block(out);
            }
            Block::Ordered(_, items) | Block::Bullets(items) => {
                for item in items {
                    blocks_text(item, out);
                }
            }
            Block::Quote(inner) => blocks_text(inner, out),
            Block::Table(t) => {
                for row in std::iter::once(&t.head).chain(&t.rows) {
                    for (i, cell) in row.iter().enumerate() {
                        if i > 0 {
                            out.push_str(" | ");
                        }
                        inlines_text(cell, out);
                    }
                    out.push('\n');
                }
                end_block(out);
            }
            Block::Rule => {}
        }
    }
}

fn end_block(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\n']).len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

fn inlines_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(s) | Inline::Code(s) => out.push_str(s),
            Inline::Strong(inner) | Inline::Emph(inner) | Inline::Strike(inner) => {
                inlines_text(inner, out)
            }
            Inline::Link(_, inner) => inlines_text(inner, out),
            Inline::Image(_, alt) => out.push_str(alt),
            Inline::Break => out.push('\n'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_is_compact_and_round_trips() {
        let tree = vec![
            Block::Heading(2, vec![Inline::Text("Steps".into())]),
            Block::Ordered(
                1,
                vec![vec![Block::Para(vec![
                    Inline::Text("Open ".into()),
                    Inline::Strong(vec![Inline::Text("Settings".into())]),
                ])]],
            ),
            Block::Rule,
        ];
        let json = serde_json::to_string(&tree).unwrap();
        assert_eq!(
            json,
            r#"[{"h":[2,[{"t":"Steps"}]]},{"ol":[1,[[{"p":[{"t":"Open "},{"b":[{"t":"Settings"}]}]}]]]},"hr"]"#
        );
        let value = crate::core::json::Json::parse(&json).unwrap();
        let back = crate::core::json::items(
            &value,
            &crate::core::json::Path::Root,
            crate::core::content::decode::block,
        );
        assert_eq!(back.unwrap(), tree);
    }

    #[test]
    fn plain_text_keeps_words_and_drops_targets() {
        let tree = vec![
            Block::Para(vec![
                Inline::Text("See ".into()),
                Inline::Link(
                    "https://x.example".into(),
                    vec![Inline::Text("the guide".into())],
                ),
                Inline::Text(" and ".into()),
                Inline::Image("/a.png".into(), "the gear".into()),
            ]),
            Block::Bullets(vec![
                vec![Block::Para(vec![Inline::Code("ping".into())])],
                vec![Block::Para(vec![Inline::Text("two".into())])],
            ]),
        ];
        assert_eq!(
            plain_text(&tree),
            "See the guide and the gear\n\nping\n\ntwo"
        );
    }
}
