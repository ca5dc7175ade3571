//! Markdown → [safe content tree](crate::core::content::tree), at build time.
//!
//! CommonMark plus tables and strikethrough (pulldown-cmark). What is not
//! safe or not supported is dropped or degraded, with a [`Warning`] naming
//! the line:
//!
//! - raw HTML (blocks and inline tags) is dropped; the text between inline
//!   tags stays as text;
//! - a link whose target is not `http:`, `https:` or `mailto:` becomes its
//!   text; the scheme is read the way a browser would (case-insensitive,
//!   after entity decoding, ignoring tabs, newlines and leading spaces), so
//!   `JaVa&#x73;cript:` or `java\tscript:` are caught;
//! - an image whose source has a scheme other than `http(s)` (e.g. `data:`)
//!   becomes its alt text;
//! - nesting deeper than [`MAX_DEPTH`] is flattened into its parent, so
//!   every bundle stays readable (JSON readers cap nesting);
//! - a body over [`MAX_MARKDOWN_BYTES`] is refused ([`TooLarge`]).

pub use crate::core::content::href::{safe_href, safe_src};
use crate::core::content::tree::{plain_text, Block, Inline, Table};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};
use std::fmt;

/// Largest Markdown body accepted, in bytes (256 KiB). Help articles are a
/// few KiB; this bounds build time and the bundle the widget downloads.
pub const MAX_MARKDOWN_BYTES: usize = 256 * 1024;

/// Deepest nesting of containers (quotes, lists, items, emphasis, links)
/// kept; deeper content is flattened into the level above.
pub const MAX_DEPTH: usize = 24;

/// Most warnings reported for one document; the rest are counted.
pub const MAX_WARNINGS: usize = 20;

/// Something dropped or changed while converting, at a 1-based line of the
/// Markdown text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// 1-based line in the converted text.
    pub line: u32,
    /// What was dropped or changed, and why.
    pub message: String,
}

/// A Markdown text over [`MAX_MARKDOWN_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// The text's size in bytes.
    pub bytes: usize,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the Markdown body is {} bytes; the limit is {MAX_MARKDOWN_BYTES} bytes (256 KiB). Split it into several articles",
            self.bytes
        )
    }
}

impl std::error::Error for TooLarge {}

/// The result of a conversion: the tree and what was dropped on the way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Converted {
    /// The safe tree.
    pub blocks: Vec<Block>,
    /// Dropped HTML, unsafe links and images, flattened nesting, in order.
    pub warnings: Vec<Warning>,
}

/// Converts Markdown to the safe tree. Never panics; time and output are
/// linear in the input, which is capped at [`MAX_MARKDOWN_BYTES`].
pub fn markdown_to_tree(markdown: &str) -> Result<Converted, TooLarge> {
    if markdown.len() > MAX_MARKDOWN_BYTES {
        return Err(TooLarge {
            bytes: markdown.len(),
        });
    }
    let mut c = Converter::new(markdown);
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    for (event, range) in parser.into_offset_iter() {
        c.at = range.start;
        c.event(event);
    }
    Ok(c.finish())
}

/// Shortened for a warning message.
fn shown(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 48 {
        format!("{}…", one_line.chars().take(47).collect::<String>())
    } else {
        one_line
    }
}

enum Kind {
    Root,
    Quote,
    List(Option<u64>, Vec<Vec<Block>>),
    Item,
    Para,
    Heading(u8),
    Code(String, String),
    Table(Vec<u8>, Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>),
    /// A header or body row: its cells.
    Row(bool, Vec<Vec<Inline>>),
    Cell,
    Strong,
    Emph,
    Strike,
    /// A link: its safe target, or `None` when it is kept as text.
    Link(Option<String>),
    /// An image: its safe source (or `None`), and the alt text so far.
    Image(Option<String>, String),
    /// A raw HTML block being dropped; true once it has been warned about.
    Html(bool),
    /// Anything not kept as a container (too deep, or unsupported):
    /// its content goes to the parent.
    Transparent,
}

struct Frame {
    kind: Kind,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
}

impl Frame {
    fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            blocks: Vec::new(),
            inlines: Vec::new(),
        }
    }

    /// Frames whose content is inline text (a block added to them is
    /// reduced to its text).
    fn is_inline(&self) -> bool {
        matches!(
            self.kind,
            Kind::Para
                | Kind::Heading(_)
                | Kind::Cell
                | Kind::Strong
                | Kind::Emph
                | Kind::Strike
                | Kind::Link(_)
                | Kind::Image(..)
        )
    }

    fn add_inline(&mut self, inline: Inline) {
        match &mut self.kind {
            Kind::Html(_) => {}
            Kind::Code(_, text) | Kind::Image(_, text) => match &inline {
                // Verbatim: code keeps its newlines and indentation.
                Inline::Text(s) | Inline::Code(s) => text.push_str(s),
                other => text.push_str(&inline_text(other)),
            },
            _ => match (self.inlines.last_mut(), inline) {
                (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(&next),
                (_, inline) => self.inlines.push(inline),
            },
        }
    }

    fn add_block(&mut self, block: Block) {
        if self.is_inline() || matches!(self.kind, Kind::Code(..)) {
            let text = plain_text(std::slice::from_ref(&block));
            if !text.is_empty() {
                self.add_inline(Inline::Text(text));
            }
            return;
        }
        if matches!(self.kind, Kind::Html(_)) {
            return;
        }
        self.flush_inlines();
        self.blocks.push(block);
    }

    /// Loose inline content in a block container (a tight list item's text)
    /// becomes a paragraph.
    fn flush_inlines(&mut self) {
        if !self.inlines.is_empty() {
            let inlines = std::mem::take(&mut self.inlines);
            self.blocks.push(Block::Para(inlines));
        }
    }
}

fn inline_text(inline: &Inline) -> String {
    plain_text(&[Block::Para(vec![inline.clone()])])
}

struct Converter {
    stack: Vec<Frame>,
    warnings: Vec<Warning>,
    dropped_warnings: usize,
    line_starts: Vec<usize>,
    at: usize,
    /// Depth of frames that count towards [`MAX_DEPTH`].
    depth: usize,
    flattened: bool,
}

impl Converter {
    fn new(text: &str) -> Converter {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Converter {
            stack: vec![Frame::new(Kind::Root)],
            warnings: Vec::new(),
            dropped_warnings: 0,
            line_starts,
            at: 0,
            depth: 0,
            flattened: false,
        }
    }

    fn line(&self) -> u32 {
        let i = self.line_starts.partition_point(|&s| s <= self.at);
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    fn warn(&mut self, message: String) {
        let line = self.line();
        if self
            .warnings
            .last()
            .is_some_and(|w| w.line == line && w.message == message)
        {
            return;
        }
        if self.warnings.len() >= MAX_WARNINGS {
            self.dropped_warnings += 1;
        } else {
            self.warnings.push(Warning { line, message });
        }
    }

    fn top(&mut self) -> &mut Frame {
        // The root frame is never popped, so the stack is never empty.
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn push(&mut self, kind: Kind) {
        let counts = !matches!(kind, Kind::Html(_) | Kind::Transparent);
        if counts && self.depth >= MAX_DEPTH {
            if !self.flattened {
                self.flattened = true;
                self.warn(format!(
                    "nested more than {MAX_DEPTH} levels deep; deeper content is flattened"
                ));
            }
            self.stack.push(Frame::new(Kind::Transparent));
            return;
        }
        if counts {
            self.depth += 1;
        }
        self.stack.push(Frame::new(kind));
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.top().add_inline(Inline::Text(text.into_string())),
            Event::Code(code) => self.top().add_inline(Inline::Code(code.into_string())),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.top().add_inline(Inline::Text(t.into_string()))
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // One warning per HTML block, naming its first line.
                if let Kind::Html(warned) = &mut self.top().kind {
                    if std::mem::replace(warned, true) {
                        return;
                    }
                }
                if !html.trim().is_empty() {
                    self.warn(format!("raw HTML dropped: `{}`", shown(&html)));
                }
            }
            Event::SoftBreak => self.top().add_inline(Inline::Text(" ".into())),
            Event::HardBreak => self.top().add_inline(Inline::Break),
            Event::Rule => self.top().add_block(Block::Rule),
            Event::FootnoteReference(label) => {
                self.top().add_inline(Inline::Text(format!("[{label}]")))
            }
            Event::TaskListMarker(done) => self
                .top()
                .add_inline(Inline::Text(if done { "☑ " } else { "☐ " }.into())),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        let kind = match tag {
            Tag::Paragraph => Kind::Para,
            Tag::Heading { level, .. } => Kind::Heading(level as u8),
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                let lang: String = info
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || "+#-_.".contains(*c))
                    .take(24)
                    .collect();
                Kind::Code(lang, String::new())
            }
            Tag::CodeBlock(CodeBlockKind::Indented) => Kind::Code(String::new(), String::new()),
            Tag::HtmlBlock => Kind::Html(false),
            Tag::List(start) => Kind::List(start, Vec::new()),
            Tag::Item => Kind::Item,
            Tag::Table(align) => Kind::Table(
                align
                    .iter()
                    .map(|a| match a {
                        Alignment::None => 0,
                        Alignment::Left => 1,
                        Alignment::Center => 2,
                        Alignment::Right => 3,
                    })
                    .collect(),
                Vec::new(),
                Vec::new(),
            ),
            Tag::TableHead => Kind::Row(true, Vec::new()),
            Tag::TableRow => Kind::Row(false, Vec::new()),
            Tag::TableCell => Kind::Cell,
            Tag::Emphasis => Kind::Emph,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough => Kind::Strike,
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let raw = if link_type == LinkType::Email && !dest_url.contains(':') {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                let href = safe_href(&raw);
                if href.is_none() {
                    self.warn(format!(
                        "link to `{}` kept as plain text: links must be http, https or mailto",
                        shown(&raw)
                    ));
                }
                Kind::Link(href)
            }
            Tag::Image { dest_url, .. } => {
                let src = safe_src(&dest_url);
                if src.is_none() {
                    self.warn(format!(
                        "image `{}` dropped (its alt text is kept): images must be http(s) URLs or paths",
                        shown(&dest_url)
                    ));
                }
                Kind::Image(src, String::new())
            }
            _ => Kind::Transparent,
        };
        self.push(kind);
    }

    fn end(&mut self, _tag: TagEnd) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        if !matches!(frame.kind, Kind::Html(_) | Kind::Transparent) {
            self.depth = self.depth.saturating_sub(1);
        }
        match frame.kind {
            Kind::Root | Kind::Html(_) => {}
            Kind::Para => self.top().add_block(Block::Para(frame.inlines)),
            Kind::Heading(level) => self
                .top()
                .add_block(Block::Heading(level.clamp(1, 6), frame.inlines)),
            Kind::Code(lang, text) => self.top().add_block(Block::Code(lang, text)),
            Kind::Quote => {
                frame.flush_inlines();
                self.top().add_block(Block::Quote(frame.blocks))
            }
            Kind::Item => {
                frame.flush_inlines();
                match &mut self.top().kind {
                    Kind::List(_, items) => items.push(frame.blocks),
                    _ => {
                        for b in frame.blocks {
                            self.top().add_block(b);
                        }
                    }
                }
            }
            Kind::List(start, items) => self.top().add_block(match start {
                Some(n) => Block::Ordered(n, items),
                None => Block::Bullets(items),
            }),
            Kind::Cell => match &mut self.top().kind {
                Kind::Row(_, cells) => cells.push(frame.inlines),
                _ => {
                    for i in frame.inlines {
                        self.top().add_inline(i);
                    }
                }
            },
            Kind::Row(head, cells) => match &mut self.top().kind {
                Kind::Table(_, h, rows) => {
                    if head {
                        *h = cells;
                    } else {
                        rows.push(cells);
                    }
                }
                _ => {
                    for cell in cells {
                        self.top().add_block(Block::Para(cell));
                    }
                }
            },
            Kind::Table(align, head, rows) => {
                self.top()
                    .add_block(Block::Table(Table { align, head, rows }))
            }
            Kind::Strong => self.top().add_inline(Inline::Strong(frame.inlines)),
            Kind::Emph => self.top().add_inline(Inline::Emph(frame.inlines)),
            Kind::Strike => self.top().add_inline(Inline::Strike(frame.inlines)),
            Kind::Link(Some(href)) => self.top().add_inline(Inline::Link(href, frame.inlines)),
            Kind::Link(None) => {
                for i in frame.inlines {
                    self.top().add_inline(i);
                }
            }
            Kind::Image(src, alt) => {
                let alt = alt.trim().to_string();
                match src {
                    Some(src) => {
                        if alt.is_empty() {
                            self.warn(format!("image `{}` has no alt text; write ![what it shows](…) so screen readers can describe it", shown(&src)));
                        }
                        self.top().add_inline(Inline::Image(src, alt))
                    }
                    None if !alt.is_empty() => self.top().add_inline(Inline::Text(alt)),
                    None => {}
                }
            }
            Kind::Transparent => {
                let parent = self.top();
                if frame.blocks.is_empty() {
                    for i in frame.inlines {
                        parent.add_inline(i);
                    }
                } else {
                    frame.flush_inlines();
                    for b in frame.blocks {
                        parent.add_block(b);
                    }
                }
            }
        }
    }

    fn finish(mut self) -> Converted {
        // Unbalanced ends cannot happen with pulldown-cmark, but close
        // anything left open rather than lose it.
        while self.stack.len() > 1 {
            self.end(TagEnd::Paragraph);
        }
        if self.dropped_warnings > 0 {
            let line = self.warnings.last().map_or(1, |w| w.line);
            self.warnings.push(Warning {
                line,
                message: format!("… and {} more warnings", self.dropped_warnings),
            });
        }
        let mut root = self.stack.pop().unwrap_or_else(|| Frame::new(Kind::Root));
        root.flush_inlines();
        Converted {
            blocks: root.blocks,
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(md: &str) -> Vec<Block> {
        markdown_to_tree(md).unwrap().blocks
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn tight_list_items_become_paragraphs_and_nest() {
        assert_eq!(
            tree("- one\n  1. two\n"),
            vec![Block::Bullets(vec![vec![
                Block::Para(vec![text("one")]),
                Block::Ordered(1, vec![vec![Block::Para(vec![text("two")])]]),
            ]])]
        );
    }

    #[test]
    fn warnings_name_the_line() {
        let c = markdown_to_tree("Fine.\n\nThen <b>bold</b> and [x](javascript:go()).\n").unwrap();
        assert_eq!(c.blocks[1], Block::Para(vec![text("Then bold and x.")]));
        let lines: Vec<u32> = c.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [3, 3, 3], "{:?}", c.warnings);
        assert!(c.warnings[2].message.contains("javascript:go()"));
    }

    #[test]
    fn too_large_is_refused_with_the_limit() {
        let e = markdown_to_tree(&"a".repeat(MAX_MARKDOWN_BYTES + 1)).unwrap_err();
        assert!(e.to_string().contains("262144"), "{e}");
    }
}
