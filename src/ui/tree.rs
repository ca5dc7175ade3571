//! Draws the safe content tree (article bodies, flow texts) as elements
//! and text nodes. Nothing is parsed as HTML; links are already limited to
//! http(s) and mailto by the build, and open in a new tab.

use crate::core::content::{Block, Inline};
use crate::platform::dom::{el, Node};

/// The elements for `blocks`, in order.
pub fn blocks(blocks: &[Block]) -> Vec<Node> {
    blocks.iter().map(block).collect()
}

fn block(b: &Block) -> Node {
    match b {
        // Article headings sit under the panel's own h2/h3.
        Block::Heading(level, content) => {
            let tag = match level {
                1 | 2 => "h4",
                3 => "h5",
                _ => "h6",
            };
            el(tag).children(inlines(content))
        }
        Block::Para(content) => el("p").children(inlines(content)),
        Block::Code(_, text) => el("pre").child(el("code").text(text)),
        Block::Ordered(start, items) => {
            let list = el("ol");
            let list = if *start == 1 {
                list
            } else {
                list.attr("start", &start.to_string())
            };
            list.children(items.iter().map(|item| el("li").children(blocks(item))))
        }
        Block::Bullets(items) => {
            el("ul").children(items.iter().map(|item| el("li").children(blocks(item))))
        }
        Block::Quote(inner) => el("blockquote").children(blocks(inner)),
        Block::Table(t) => {
            let cell = |tag: &str, col: usize, content: &[Inline]| {
                // Classes, not style attributes: a strict CSP blocks those.
                let align = match t.align.get(col) {
                    Some(2) => "sp-center",
                    Some(3) => "sp-right",
                    _ => "",
                };
                el(tag).class(align).children(inlines(content))
            };
            let head = el("tr").children(t.head.iter().enumerate().map(|(i, c)| cell("th", i, c)));
            let rows = t.rows.iter().map(|row| {
                el("tr").children(row.iter().enumerate().map(|(i, c)| cell("td", i, c)))
            });
            el("div").class("sp-table").child(
                el("table")
                    .child(el("thead").child(head))
                    .child(el("tbody").children(rows)),
            )
        }
        Block::Rule => el("hr"),
    }
}

/// A link that opens in a new tab without giving it this page.
pub fn external_link(href: &str) -> Node {
    el("a")
        .attr("href", href)
        .attr("target", "_blank")
        .attr("rel", "noopener noreferrer")
}

fn inlines(content: &[Inline]) -> Vec<Node> {
    content.iter().map(inline).collect()
}

fn inline(i: &Inline) -> Node {
    match i {
        Inline::Text(t) => el("span").text(t),
        Inline::Strong(c) => el("strong").children(inlines(c)),
        Inline::Emph(c) => el("em").children(inlines(c)),
        Inline::Strike(c) => el("del").children(inlines(c)),
        Inline::Code(t) => el("code").text(t),
        Inline::Link(href, c) => external_link(href).children(inlines(c)),
        Inline::Image(src, alt) => el("img")
            .attr("src", src)
            .attr("alt", alt)
            .attr("loading", "lazy"),
        Inline::Break => el("br"),
    }
}
