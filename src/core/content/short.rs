//! Short Markdown: the small subset flow node texts are written in, turned
//! into the [safe content tree](super::tree) by the widget itself.
//!
//! Flow texts are a sentence or a short list, so the widget converts them
//! at render time with this hand-written reader instead of shipping a
//! Markdown parser in the wasm. It understands:
//!
//! - paragraphs, separated by blank lines; single newlines inside a
//!   paragraph become spaces;
//! - bulleted lists (`- ` or `* `) and numbered lists (`1. `, keeping the
//!   first number); consecutive item lines form one list, a blank line
//!   between items of the same kind does not end it, and a plain line
//!   right after an item continues that item. A numbered item other than
//!   `1.` does not interrupt a paragraph (so a wrapped "… in\n2024. …"
//!   stays text). Lists do not nest: indented items join the list;
//! - `**strong**`, `*emph*`, `_emph_` (not inside words, so `snake_case`
//!   stays as written), `` `code` `` (any run of backticks, closed by a run
//!   of the same length), and `[text](url)`, whose target goes through
//!   [`safe_href`]: a link that is not `http:`, `https:` or `mailto:`
//!   becomes its text;
//! - a backslash before ASCII punctuation (`\*`) makes it literal.
//!
//! Everything else (headings, HTML tags, `<script>`, unmatched markers)
//! stays literal text, which the UI renders as text nodes. Emphasis and
//! links nest at most [`MAX_NESTING`] deep; deeper markers are text. Time
//! and memory are linear in the input, and it never panics.

use super::href::safe_href;
use super::tree::{Block, Inline};

/// Deepest nesting of emphasis and links; markers beyond it stay text.
pub const MAX_NESTING: usize = 8;

/// Converts a flow text written in short Markdown (see the [module
/// docs](self)) to the safe tree. Blank input gives no blocks.
///
/// ```
/// use signpost::core::content::{short_markdown, Block, Inline};
///
/// let blocks = short_markdown("Use the **supplied** adapter.\n\n1. Plug it in.\n2. Wait.");
/// let text = |s: &str| Inline::Text(s.into());
/// assert_eq!(
///     blocks,
///     vec![
///         Block::Para(vec![
///             text("Use the "),
///             Inline::Strong(vec![text("supplied")]),
///             text(" adapter."),
///         ]),
///         Block::Ordered(
///             1,
///             vec![
///                 vec![Block::Para(vec![text("Plug it in.")])],
///                 vec![Block::Para(vec![text("Wait.")])],
///             ],
///         ),
///     ]
/// );
/// ```
pub fn short_markdown(text: &str) -> Vec<Block> {
    let mut out = Blocks::default();
    let mut after_blank = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            out.end_para();
            after_blank = true;
            continue;
        }
        match list_item(line) {
            // Only `1.` may interrupt a paragraph.
            Some((Some(n), _)) if n != 1 && !out.para.is_empty() => out.para_line(line),
            Some((number, rest)) => out.item(number, rest),
            None if out.list.is_some() && !after_blank => out.item_line(line),
            None => {
                out.end_list();
                out.para_line(line);
            }
        }
        after_blank = false;
    }
    out.end_para();
    out.end_list();
    out.blocks
}

/// A list item line: `(None, text)` for a bullet, `(Some(n), text)` for a
/// numbered item.
fn list_item(line: &str) -> Option<(Option<u64>, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((None, rest.trim_start()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=9).contains(&digits) {
        return None;
    }
    let rest = line[digits..].strip_prefix(". ")?;
    Some((Some(line[..digits].parse().ok()?), rest.trim_start()))
}

/// The blocks so far, the paragraph being read and the list being read.
#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    para: String,
    /// The list's kind (`None` bullets, `Some(start)` numbered) and the
    /// text of its items.
    list: Option<(Option<u64>, Vec<String>)>,
}

impl Blocks {
    fn para_line(&mut self, line: &str) {
        join_line(&mut self.para, line);
    }

    fn end_para(&mut self) {
        if !self.para.is_empty() {
            let text = std::mem::take(&mut self.para);
            self.blocks.push(Block::Para(inlines(&text)));
        }
    }

    fn item(&mut self, number: Option<u64>, text: &str) {
        self.end_para();
        if self
            .list
            .as_ref()
            .is_some_and(|(kind, _)| kind.is_some() != number.is_some())
        {
            self.end_list();
        }
        let (_, items) = self.list.get_or_insert_with(|| (number, Vec::new()));
        items.push(text.to_string());
    }

    fn item_line(&mut self, line: &str) {
        if let Some(last) = self.list.as_mut().and_then(|(_, items)| items.last_mut()) {
            join_line(last, line);
        }
    }

    fn end_list(&mut self) {
        let Some((kind, items)) = self.list.take() else {
            return;
        };
        let items = items
            .iter()
            .map(|text| vec![Block::Para(inlines(text))])
            .collect();
        self.blocks.push(match kind {
            Some(start) => Block::Ordered(start, items),
            None => Block::Bullets(items),
        });
    }
}

fn join_line(to: &mut String, line: &str) {
    if !to.is_empty() {
        to.push(' ');
    }
    to.push_str(line);
}

/// An open marker waiting for its closer.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Root,
    Strong,
    Star,
    Under,
    Link,
}

impl Mark {
    fn text(self) -> &'static str {
        match self {
            Mark::Root => "",
            Mark::Strong => "**",
            Mark::Star => "*",
            Mark::Under => "_",
            Mark::Link => "[",
        }
    }
}

struct Frame {
    mark: Mark,
    inlines: Vec<Inline>,
}

/// Appends, merging neighbouring text.
fn push(to: &mut Vec<Inline>, inline: Inline) {
    match (to.last_mut(), inline) {
        (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(&next),
        (_, Inline::Text(next)) if next.is_empty() => {}
        (_, inline) => to.push(inline),
    }
}

/// Reads the inline markup of one paragraph or list item, left to right
/// with a stack of open markers: every byte is looked at a bounded number
/// of times.
fn inlines(s: &str) -> Vec<Inline> {
    let mut p = Inlines {
        s,
        stack: vec![Frame {
            mark: Mark::Root,
            inlines: Vec::new(),
        }],
        text_from: 0,
        closing_paren: if s.contains("](") {
            closing_parens(s.as_bytes())
        } else {
            Vec::new()
        },
        unclosed_ticks: 0,
    };
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = match bytes[i] {
            b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                p.flush(i);
                p.text_from = i + 1;
                i + 2
            }
            b'`' => p.code(i),
            b'*' => p.star(i),
            b'_' => p.under(i),
            b'[' => p.open_link(i),
            b']' => p.close_link(i),
            _ => i + 1,
        };
    }
    p.flush(s.len());
    while p.stack.len() > 1 {
        p.unwind();
    }
    p.stack.pop().map(|f| f.inlines).unwrap_or_default()
}

struct Inlines<'a> {
    s: &'a str,
    /// Open markers; the root is at the bottom and never popped early.
    stack: Vec<Frame>,
    /// Where the text not yet added starts.
    text_from: usize,
    /// For each `(` byte: the byte of its matching `)` (0 for none). Only
    /// filled when the text contains `](`.
    closing_paren: Vec<usize>,
    /// Bit `k`: no closing run of `k` backticks lies ahead.
    unclosed_ticks: u64,
}

impl Inlines<'_> {
    fn top(&mut self) -> &mut Vec<Inline> {
        let last = self.stack.len() - 1;
        &mut self.stack[last].inlines
    }

    /// Adds the text from `text_from` up to `to` (a marker) to the top.
    fn flush(&mut self, to: usize) {
        if self.text_from < to {
            let text = self.s[self.text_from..to].to_string();
            push(self.top(), Inline::Text(text));
        }
        self.text_from = to;
    }

    /// Pops the top frame as literal text: its marker, then its content.
    fn unwind(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let parent = self.top();
        push(parent, Inline::Text(frame.mark.text().into()));
        for inline in frame.inlines {
            push(parent, inline);
        }
    }

    fn can_open(&self) -> bool {
        self.stack.len() <= MAX_NESTING
    }

    /// Pops the frames above the nearest one marked `mark` (as text) and
    /// returns that frame, popped; `None` when no such frame is open.
    fn close(&mut self, mark: Mark) -> Option<Frame> {
        let at = self.stack.iter().rposition(|f| f.mark == mark)?;
        if at == 0 {
            return None;
        }
        while self.stack.len() > at + 1 {
            self.unwind();
        }
        self.stack.pop()
    }

    fn prev_char(&self, i: usize) -> Option<char> {
        self.s[..i].chars().next_back()
    }

    fn next_char(&self, i: usize) -> Option<char> {
        self.s[i..].chars().next()
    }

    /// A code span opened by the backticks at `i`: closed by the next run
    /// of exactly as many, else the run is text.
    fn code(&mut self, i: usize) -> usize {
        let bytes = self.s.as_bytes();
        let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
        let known_unclosed = run >= 64 || self.unclosed_ticks & (1 << run) != 0;
        let mut j = i + run;
        while !known_unclosed && j < bytes.len() {
            if bytes[j] != b'`' {
                j += 1;
                continue;
            }
            let close = bytes[j..].iter().take_while(|&&b| b == b'`').count();
            if close == run {
                self.flush(i);
                let mut code = &self.s[i + run..j];
                if code.len() >= 2
                    && code.starts_with(' ')
                    && code.ends_with(' ')
                    && !code.trim().is_empty()
                {
                    code = &code[1..code.len() - 1];
                }
                push(self.top(), Inline::Code(code.to_string()));
                self.text_from = j + run;
                return j + run;
            }
            j += close;
        }
        if run < 64 {
            self.unclosed_ticks |= 1 << run;
        }
        i + run
    }

    /// A run of `*`: closes the nearest open `*` (one star) or `**` (two),
    /// else opens `**` (two or more stars) or `*`, else is text.
    fn star(&mut self, i: usize) -> usize {
        let run = self.s.as_bytes()[i..]
            .iter()
            .take_while(|&&b| b == b'*')
            .count();
        let after = self.next_char(i + run);
        let before = self.prev_char(i);
        if before.is_some_and(|c| !c.is_whitespace()) {
            let open = self
                .stack
                .iter()
                .rev()
                .map(|f| f.mark)
                .find(|m| *m == Mark::Star || (*m == Mark::Strong && run >= 2));
            if let Some(mark) = open {
                let used = mark.text().len();
                self.flush(i);
                self.end(mark, i + used);
                return i + used;
            }
        }
        if after.is_some_and(|c| !c.is_whitespace()) && self.can_open() {
            let (mark, used) = if run >= 2 {
                (Mark::Strong, 2)
            } else {
                (Mark::Star, 1)
            };
            self.begin(i, mark, used);
            return i + used;
        }
        i + run
    }

    /// A single `_` outside a word opens or closes emphasis; a run of
    /// several, or one inside a word, is text.
    fn under(&mut self, i: usize) -> usize {
        let run = self.s.as_bytes()[i..]
            .iter()
            .take_while(|&&b| b == b'_')
            .count();
        if run > 1 {
            return i + run;
        }
        let before = self.prev_char(i);
        let after = self.next_char(i + 1);
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
        if !space(before) && !word(after) && self.stack.iter().any(|f| f.mark == Mark::Under) {
            self.flush(i);
            self.end(Mark::Under, i + 1);
        } else if !word(before) && !space(after) && self.can_open() {
            self.begin(i, Mark::Under, 1);
        }
        i + 1
    }

    fn begin(&mut self, i: usize, mark: Mark, len: usize) {
        self.flush(i);
        self.stack.push(Frame {
            mark,
            inlines: Vec::new(),
        });
        self.text_from = i + len;
    }

    /// Closes the nearest `mark` frame as emphasis; the closer ends at
    /// `to`. Empty emphasis (`****`) stays text.
    fn end(&mut self, mark: Mark, to: usize) {
        let Some(frame) = self.close(mark) else {
            return;
        };
        let parent = self.top();
        if frame.inlines.is_empty() {
            push(parent, Inline::Text(mark.text().repeat(2)));
        } else if mark == Mark::Strong {
            push(parent, Inline::Strong(frame.inlines));
        } else {
            push(parent, Inline::Emph(frame.inlines));
        }
        self.text_from = to;
    }

    /// `[` opens a link. Links do not nest: a `[` inside an open link
    /// turns the earlier `[` and what follows it into text, so the
    /// innermost bracket wins (`[a [b](url)` links `b`).
    fn open_link(&mut self, i: usize) -> usize {
        self.flush(i);
        self.drop_link();
        if self.can_open() {
            self.begin(i, Mark::Link, 1);
        }
        i + 1
    }

    /// Turns the open link, if any, and everything above it into text.
    fn drop_link(&mut self) {
        if self.stack.iter().any(|f| f.mark == Mark::Link) {
            while self.stack.last().is_some_and(|f| f.mark != Mark::Link) {
                self.unwind();
            }
            self.unwind();
        }
    }

    /// `]` ends the open link: with `(url)` right after, it is a link (or,
    /// for an unsafe url, its text); without, the brackets are text.
    fn close_link(&mut self, i: usize) -> usize {
        if !self.stack.iter().any(|f| f.mark == Mark::Link) {
            return i + 1;
        }
        self.flush(i);
        let paren = i + 1;
        let close = match self.closing_paren.get(paren) {
            Some(&close) if close > paren => close,
            _ => {
                // Not a link: `[` and everything since are text; so is `]`.
                self.drop_link();
                return i + 1;
            }
        };
        let Some(frame) = self.close(Mark::Link) else {
            return i + 1;
        };
        let href = safe_href(&self.s[paren + 1..close]);
        let parent = self.top();
        match href {
            Some(href) => {
                let mut text = frame.inlines;
                if text.is_empty() {
                    text.push(Inline::Text(href.clone()));
                }
                push(parent, Inline::Link(href, text));
            }
            None => {
                for inline in frame.inlines {
                    push(parent, inline);
                }
            }
        }
        self.text_from = close + 1;
        close + 1
    }
}

/// For every `(` in `s`, the index of the `)` that balances it before any
/// whitespace (a link target has none), or 0. One pass with a stack.
fn closing_parens(s: &[u8]) -> Vec<usize> {
    let mut close = vec![0; s.len()];
    let mut open = Vec::new();
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'(' => open.push(i),
            b')' => {
                if let Some(o) = open.pop() {
                    close[o] = i;
                }
            }
            b if b.is_ascii_whitespace() => open.clear(),
            _ => {}
        }
    }
    close
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::content::plain_text;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    fn para(inlines: Vec<Inline>) -> Vec<Block> {
        vec![Block::Para(inlines)]
    }

    /// The inlines of a one-paragraph text.
    fn inl(text: &str) -> Vec<Inline> {
        match short_markdown(text).as_slice() {
            [Block::Para(inlines)] => inlines.clone(),
            other => panic!("not one paragraph: {other:?}"),
        }
    }

    fn item(inlines: Vec<Inline>) -> Vec<Block> {
        vec![Block::Para(inlines)]
    }

    /// Every link target in the tree.
    fn hrefs(blocks: &[Block]) -> Vec<String> {
        fn walk(inlines: &[Inline], out: &mut Vec<String>) {
            for i in inlines {
                match i {
                    Inline::Link(href, inner) => {
                        out.push(href.clone());
                        walk(inner, out);
                    }
                    Inline::Strong(inner) | Inline::Emph(inner) | Inline::Strike(inner) => {
                        walk(inner, out)
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Para(inl) => walk(inl, &mut out),
                Block::Bullets(items) | Block::Ordered(_, items) => {
                    for item in items {
                        out.extend(hrefs(item));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn depth(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|i| match i {
                Inline::Strong(x) | Inline::Emph(x) | Inline::Link(_, x) => 1 + depth(x),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn the_demo_camera_wifi_texts() {
        // step_power, folded by YAML `>-` into one line.
        assert_eq!(
            short_markdown("Plug the camera into the **supplied** USB-C adapter and wait 30 seconds. Laptop ports and power banks often cannot supply enough current."),
            para(vec![
                t("Plug the camera into the "),
                Inline::Strong(vec![t("supplied")]),
                t(" USB-C adapter and wait 30 seconds. Laptop ports and power banks often cannot supply enough current."),
            ])
        );
        // step_switch_band, a YAML `|` block: newlines kept.
        let switch_band = "Lumen cameras only see **2.4 GHz** networks.\n\n\
            1. In the Lumen app, tap **Add camera** again.\n\
            2. Pick the network *without* \"5G\" in its name.\n\
            3. Keep your phone within 3 metres of the camera while it connects.\n";
        assert_eq!(
            short_markdown(switch_band),
            vec![
                Block::Para(vec![
                    t("Lumen cameras only see "),
                    Inline::Strong(vec![t("2.4 GHz")]),
                    t(" networks."),
                ]),
                Block::Ordered(
                    1,
                    vec![
                        item(vec![
                            t("In the Lumen app, tap "),
                            Inline::Strong(vec![t("Add camera")]),
                            t(" again."),
                        ]),
                        item(vec![
                            t("Pick the network "),
                            Inline::Emph(vec![t("without")]),
                            t(" \"5G\" in its name."),
                        ]),
                        item(vec![t(
                            "Keep your phone within 3 metres of the camera while it connects."
                        )]),
                    ]
                ),
            ]
        );
        // step_router_split: a link across a folded line.
        assert_eq!(
            inl("Your router may combine both bands under one name. In the router's admin page, give the 2.4 GHz band its own name (see your router's manual, or [Lumen's router guide](https://help.lumen.example/routers)), then connect the camera to that name."),
            vec![
                t("Your router may combine both bands under one name. In the router's admin page, give the 2.4 GHz band its own name (see your router's manual, or "),
                Inline::Link(
                    "https://help.lumen.example/routers".into(),
                    vec![t("Lumen's router guide")]
                ),
                t("), then connect the camera to that name."),
            ]
        );
    }

    #[test]
    fn the_demo_code_and_strong_texts() {
        // api-key-environment step_env and step_rotate.
        assert_eq!(
            inl("Keys belong to one environment. Keys starting `lk_test_` only work with `https://sandbox.api.lumen.example`, and `lk_live_` keys only"),
            vec![
                t("Keys belong to one environment. Keys starting "),
                Inline::Code("lk_test_".into()),
                t(" only work with "),
                Inline::Code("https://sandbox.api.lumen.example".into()),
                t(", and "),
                Inline::Code("lk_live_".into()),
                t(" keys only"),
            ]
        );
        assert_eq!(
            inl("Create a new key under **Developer › API keys** and replace the old one."),
            vec![
                t("Create a new key under "),
                Inline::Strong(vec![t("Developer › API keys")]),
                t(" and replace the old one."),
            ]
        );
        // ad-blocker step_hard_reload: strong inside parentheses.
        assert_eq!(
            inl("Do a hard reload (**Ctrl+Shift+R**, or **Cmd+Shift+R** on a Mac)."),
            vec![
                t("Do a hard reload ("),
                Inline::Strong(vec![t("Ctrl+Shift+R")]),
                t(", or "),
                Inline::Strong(vec![t("Cmd+Shift+R")]),
                t(" on a Mac)."),
            ]
        );
        // embed-third-party-cookies step_safari: emphasis across a line.
        assert_eq!(
            inl("Open the camera with **Open in Lumen** under the player instead, or switch on *Share live\nview with a link*, which needs no sign-in."),
            vec![
                t("Open the camera with "),
                Inline::Strong(vec![t("Open in Lumen")]),
                t(" under the player instead, or switch on "),
                Inline::Emph(vec![t("Share live view with a link")]),
                t(", which needs no sign-in."),
            ]
        );
    }

    #[test]
    fn the_german_translation_reads_alike() {
        let blocks = short_markdown(
            "Lumen-Kameras sehen nur **2,4-GHz**-Netze.\n\n\
             1. Tippen Sie in der Lumen-App erneut auf **Kamera hinzufügen**.\n\
             2. Wählen Sie das Netz *ohne* „5G“ im Namen.\n",
        );
        assert_eq!(blocks.len(), 2);
        assert!(matches!(&blocks[1], Block::Ordered(1, items) if items.len() == 2));
        assert_eq!(
            plain_text(&blocks),
            "Lumen-Kameras sehen nur 2,4-GHz-Netze.\n\nTippen Sie in der Lumen-App erneut auf Kamera hinzufügen.\n\nWählen Sie das Netz ohne „5G“ im Namen."
        );
    }

    #[test]
    fn every_demo_flow_text_converts_without_stray_markers() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/public/demo/content/flows");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let yaml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
            let mut texts = Vec::new();
            collect_texts(&doc, &mut texts);
            for text in texts {
                seen += 1;
                let plain = plain_text(&short_markdown(&text));
                for marker in ["**", "](", "`"] {
                    assert!(!plain.contains(marker), "{marker} left in {plain:?}");
                }
            }
        }
        assert!(seen > 50, "only {seen} texts");
    }

    fn collect_texts(v: &serde_yaml_ng::Value, out: &mut Vec<String>) {
        match v {
            serde_yaml_ng::Value::Mapping(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        (Some("text" | "label"), Some(s)) => out.push(s.to_string()),
                        _ => collect_texts(v, out),
                    }
                }
            }
            serde_yaml_ng::Value::Sequence(items) => {
                for v in items {
                    collect_texts(v, out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn paragraphs_and_lists() {
        assert_eq!(short_markdown(""), vec![]);
        assert_eq!(short_markdown(" \n\n\t\n"), vec![]);
        assert_eq!(
            short_markdown("One\r\nline.\n\n\nTwo."),
            vec![
                Block::Para(vec![t("One line.")]),
                Block::Para(vec![t("Two.")])
            ]
        );
        assert_eq!(
            short_markdown("Check:\n- cable\n* power\n  - socket\nstill the socket\n\nDone."),
            vec![
                Block::Para(vec![t("Check:")]),
                Block::Bullets(vec![
                    item(vec![t("cable")]),
                    item(vec![t("power")]),
                    item(vec![t("socket still the socket")]),
                ]),
                Block::Para(vec![t("Done.")]),
            ]
        );
        // The start number is kept; a blank line between items keeps the
        // list; another kind of item starts another list.
        assert_eq!(
            short_markdown("3. three\n\n4. four\n- dash"),
            vec![
                Block::Ordered(3, vec![item(vec![t("three")]), item(vec![t("four")])]),
                Block::Bullets(vec![item(vec![t("dash")])]),
            ]
        );
        // A wrapped number is not a list; `1.` is.
        assert_eq!(
            short_markdown("Fixed in\n2024. Update.\n1. Go"),
            vec![
                Block::Para(vec![t("Fixed in 2024. Update.")]),
                Block::Ordered(1, vec![item(vec![t("Go")])]),
            ]
        );
        // Not items: no space after the marker, too many digits, a rule.
        assert_eq!(
            short_markdown("-x\n1.5 GHz\n1234567890. no\n---"),
            para(vec![t("-x 1.5 GHz 1234567890. no ---")])
        );
    }

    #[test]
    fn inline_markup() {
        assert_eq!(
            inl("a _b_ c*d*e `f*g*` **h *i* j**"),
            vec![
                t("a "),
                Inline::Emph(vec![t("b")]),
                t(" c"),
                Inline::Emph(vec![t("d")]),
                t("e "),
                Inline::Code("f*g*".into()),
                t(" "),
                Inline::Strong(vec![t("h "), Inline::Emph(vec![t("i")]), t(" j")]),
            ]
        );
        assert_eq!(
            inl("***both***"),
            vec![Inline::Strong(vec![Inline::Emph(vec![t("both")])])]
        );
        assert_eq!(
            inl("snake_case_name and __init__ stay"),
            vec![t("snake_case_name and __init__ stay")]
        );
        assert_eq!(
            inl("`` a ` b `` and ` x `"),
            vec![
                Inline::Code("a ` b".into()),
                t(" and "),
                Inline::Code("x".into()),
            ]
        );
        assert_eq!(
            inl(r"\*not\* \_this\_ C:\Users"),
            vec![t(r"*not* _this_ C:\Users")]
        );
        assert_eq!(
            inl("[**Help** centre](mailto:help@lumen.example)"),
            vec![Inline::Link(
                "mailto:help@lumen.example".into(),
                vec![Inline::Strong(vec![t("Help")]), t(" centre")]
            )]
        );
        assert_eq!(
            inl("[](https://x.example) [a] (b) [c](d e)"),
            vec![
                Inline::Link("https://x.example".into(), vec![t("https://x.example")]),
                t(" [a] (b) [c](d e)"),
            ]
        );
        assert_eq!(
            inl("[wiki](https://w.example/Foo_(bar)) ok"),
            vec![
                Inline::Link("https://w.example/Foo_(bar)".into(), vec![t("wiki")]),
                t(" ok")
            ]
        );
    }

    #[test]
    fn unsafe_links_become_their_text() {
        for (md, text) in [
            ("[x](javascript:alert(1))", "x"),
            ("[x](JaVaScRiPt:alert(1))", "x"),
            ("[x](java\tscript:alert(1))", "[x](java\tscript:alert(1))"),
            ("[x](data:text/html,<script>alert(1)</script>)", "x"),
            ("[x](vbscript:x)", "x"),
            ("[x](/relative)", "x"),
            ("[*x*](#top)", "x"),
        ] {
            let blocks = short_markdown(md);
            assert_eq!(hrefs(&blocks), Vec::<String>::new(), "{md}");
            assert_eq!(plain_text(&blocks), text, "{md}");
        }
    }

    #[test]
    fn html_stays_text() {
        for md in [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "&lt;b&gt; &amp;",
        ] {
            assert_eq!(short_markdown(md), para(vec![t(md)]), "{md}");
        }
        assert_eq!(
            inl("**<b onclick=x>**"),
            vec![Inline::Strong(vec![t("<b onclick=x>")])]
        );
    }

    #[test]
    fn unbalanced_markers_stay_text() {
        for md in [
            "**open",
            "close**",
            "a ** b ** c",
            "* not a list*",
            "**",
            "****",
            "*",
            "_",
            "`",
            "```",
            "[",
            "]",
            "[[x]]",
            "[x](",
            "[x](https://a.example",
            "](https://a.example)",
            "x_",
            "a * b",
        ] {
            let text = md.strip_prefix("* ").unwrap_or(md);
            let blocks = short_markdown(md);
            assert_eq!(plain_text(&blocks), text, "{md}");
        }
        // The nearest opener is closed first; the strong that cannot
        // close any more stays text.
        assert_eq!(
            inl("**a *b** c*"),
            vec![t("**a "), Inline::Emph(vec![t("b")]), t("* c*")]
        );
        assert_eq!(
            inl("[a *b](https://x.example) c*"),
            vec![
                Inline::Link("https://x.example".into(), vec![t("a *b")]),
                t(" c*")
            ]
        );
        assert_eq!(
            inl("[a [b](https://x.example)"),
            vec![
                t("[a "),
                Inline::Link("https://x.example".into(), vec![t("b")])
            ]
        );
    }

    #[test]
    fn deep_nesting_is_capped() {
        let md = format!("{}x{}", "*_".repeat(50), "_*".repeat(50));
        let blocks = short_markdown(&md);
        let Block::Para(inlines) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert!(depth(inlines) <= MAX_NESTING, "{}", depth(inlines));
        assert_eq!(plain_text(&blocks).matches('x').count(), 1);
        let md = format!("{}x", "[".repeat(1000));
        assert_eq!(plain_text(&short_markdown(&md)), md);
    }

    #[test]
    fn big_hostile_inputs_stay_linear() {
        // 100 KB each; a quadratic reader would take seconds on these.
        let hostile = [
            "**a ".repeat(25_000),
            "*_".repeat(50_000),
            "[a](".repeat(25_000),
            "[](x(a)".repeat(14_000),
            "`` ` ``` ".repeat(10_000),
            "[".repeat(100_000),
            "(".repeat(50_000) + &")".repeat(50_000),
            "- item\n".repeat(14_000),
            "x\n\n".repeat(33_000),
            "é*".repeat(33_000),
        ];
        for md in &hostile {
            let start = std::time::Instant::now();
            let blocks = short_markdown(md);
            let spent = start.elapsed();
            assert!(
                spent < std::time::Duration::from_secs(2),
                "{:?}…: {spent:?}",
                &md[..12]
            );
            assert!(!blocks.is_empty());
            // Every word of the input survives: nothing is lost.
            let words = |s: &str| s.matches(char::is_alphabetic).count();
            assert_eq!(words(&plain_text(&blocks)), words(md), "{:?}…", &md[..12]);
        }
    }

    // proptest is a native dev-dependency; the wasm build only type-checks tests.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use crate::core::content::plain_text;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]

            #[test]
            fn any_text_converts(text in any::<String>()) {
                let _ = short_markdown(&text);
            }

            #[test]
            fn markup_noise_converts_and_keeps_its_letters(
                text in "[a-zé *_`\\[\\]()\\\\\n1.<>-]{0,200}"
            ) {
                let blocks = short_markdown(&text);
                let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).collect::<String>();
                let plain = plain_text(&blocks);
                // Links may drop their (unsafe) targets, nothing else.
                if !text.contains("](") {
                    prop_assert_eq!(letters(&plain), letters(&text));
                }
            }
        }
    }
}
