//! Help articles: the model, parsing from Markdown with YAML front matter or
//! from a JSON list, and the plain text used for search.
//!
//! A Markdown article:
//!
//! ```markdown
//! ---
//! id: delete-account          # optional: defaults to the file name
//! title: Delete your account  # required
//! tags: [account, privacy]
//! aliases: [close account, remove profile]
//! related_flows: [account-recovery]
//! featured: true              # shown before the user types
//! locale: en
//! ---
//! Go to **Settings › Account** and choose *Delete*.
//! ```

use crate::core::search::{Document, Kind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A help article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: letters, digits, `-`, `_`, `.`.
    pub id: String,
    /// Title shown in results and above the article.
    pub title: String,
    /// Markdown source of the body.
    pub body: String,
    /// Author tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Other names users call this by ("FB", "2FA"); searched like the title.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Ids of flows this article relates to.
    #[serde(default)]
    pub related_flows: Vec<String>,
    /// Shown for empty queries, before the user types.
    #[serde(default)]
    pub featured: bool,
    /// Content language, e.g. `en`; `None` means the bundle's default.
    #[serde(default)]
    pub locale: Option<String>,
}

/// Why an article could not be read. The message names the source and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleError {
    /// File (or other source) name.
    pub source: String,
    /// Offending field, when one is at fault.
    pub field: Option<String>,
    /// 1-based line in the file, when known (front matter mistakes).
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ArticleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: field `{}`: {}", self.source, field, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

impl std::error::Error for ArticleError {}

fn error(source: &str, field: Option<&str>, message: impl Into<String>) -> ArticleError {
    ArticleError {
        source: source.to_string(),
        field: field.map(str::to_string),
        line: None,
        message: message.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related_flows: Vec<String>,
    #[serde(default)]
    featured: bool,
    #[serde(default)]
    locale: Option<String>,
}

fn check_id(source: &str, id: &str) -> Result<(), ArticleError> {
    if id.is_empty() {
        return Err(error(source, Some("id"), "must not be empty"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(error(
            source,
            Some("id"),
            format!("{id:?} contains {c:?}; use letters, digits, '-', '_' or '.'"),
        ));
    }
    Ok(())
}

impl Article {
    /// Parses a Markdown article with YAML front matter between `---` lines.
    ///
    /// `source` names the file in errors; its stem (without folders and
    /// `.md`) is the id when the front matter has none.
    pub fn parse_markdown(source: &str, text: &str) -> Result<Article, ArticleError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split_inclusive('\n');
        let first = lines.next().unwrap_or("");
        if first.trim_end() != "---" {
            return Err(error(
                source,
                None,
                "missing front matter: the file must start with a `---` line, then `title: ...`, then `---`",
            ));
        }
        let mut yaml_len = 0;
        let mut closed = false;
        for line in lines.by_ref() {
            if line.trim_end() == "---" {
                closed = true;
                break;
            }
            yaml_len += line.len();
        }
        if !closed {
            return Err(error(
                source,
                None,
                "front matter is not closed by a `---` line",
            ));
        }
        let yaml = &text[first.len()..first.len() + yaml_len];
        let body_start = text.len() - lines.map(str::len).sum::<usize>();
        let body = text[body_start..].trim().to_string();

        let fm: FrontMatter = if yaml.trim().is_empty() {
            return Err(error(source, Some("title"), "missing"));
        } else {
            serde_yaml_ng::from_str(yaml).map_err(|e| {
                let msg = e.to_string();
                let field = msg
                    .split('`')
                    .nth(1)
                    .filter(|_| msg.contains("field"))
                    .map(str::to_string);
                // The YAML starts on the file's second line.
                let line = e.location().and_then(|l| u32::try_from(l.line() + 1).ok());
                ArticleError {
                    source: source.to_string(),
                    field,
                    line,
                    message: format!("front matter: {msg}"),
                }
            })?
        };
        let id = match fm.id {
            Some(id) => id,
            None => file_stem(source).to_string(),
        };
        check_id(source, &id)?;
        let title = fm.title.map(|t| t.trim().to_string()).unwrap_or_default();
        if title.is_empty() {
            return Err(error(source, Some("title"), "missing or empty"));
        }
        Ok(Article {
            id,
            title,
            body,
            tags: fm.tags,
            aliases: fm.aliases,
            related_flows: fm.related_flows,
            featured: fm.featured,
            locale: fm.locale,
        })
    }

    /// The 1-based line of `text` (a whole Markdown file, as given to
    /// [`Article::parse_markdown`]) where the parsed `body` starts, so that
    /// messages about the body can name lines of the file.
    pub fn body_line(text: &str) -> u32 {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut fences = 0;
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            at += line.len();
            if line.trim_end() == "---" {
                fences += 1;
                if fences == 2 {
                    break;
                }
            }
        }
        // `parse_markdown` trims the body, so skip leading blank lines too.
        let rest = &text[at.min(text.len())..];
        let skipped = rest.len() - rest.trim_start().len();
        let before = &text[..at.min(text.len()) + skipped];
        let newlines = before.matches('\n').count();
        // The body starts on the line after the last skipped newline.
        u32::try_from(newlines + 1).unwrap_or(u32::MAX)
    }

    /// Parses a JSON list of articles `[{id, title, body, ...}]`; fields other
    /// than id, title and body are optional. `source` names the file in errors.
    pub fn parse_json_list(source: &str, text: &str) -> Result<Vec<Article>, ArticleError> {
        let articles: Vec<Article> = serde_json::from_str(text)
            .map_err(|e| error(source, None, format!("not a JSON list of articles: {e}")))?;
        let mut seen = std::collections::HashSet::new();
        for (i, a) in articles.iter().enumerate() {
            let at = format!("{source} [{i}]");
            check_id(&at, &a.id)?;
            if a.title.trim().is_empty() {
                return Err(error(&at, Some("title"), "missing or empty"));
            }
            if !seen.insert(a.id.as_str()) {
                return Err(error(&at, Some("id"), format!("duplicate id {:?}", a.id)));
            }
        }
        Ok(articles)
    }

    /// The article as a search document (Markdown stripped to plain text).
    pub fn to_document(&self) -> Document {
        Document {
            id: self.id.clone(),
            kind: Kind::Article,
            title: self.title.clone(),
            aliases: self.aliases.clone(),
            phrases: Vec::new(),
            tags: self.tags.clone(),
            body: markdown_to_text(&self.body),
            featured: self.featured,
        }
    }
}

fn file_stem(source: &str) -> &str {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    name.strip_suffix(".md")
        .or_else(|| name.strip_suffix(".markdown"))
        .unwrap_or(name)
}

/// Strips Markdown syntax to plain text for search and excerpts: headings,
/// emphasis, code fences, list and quote markers, HTML tags, and link or
/// image targets (the link text and image alt text stay). Cheap and
/// line-based; not a renderer.
pub fn markdown_to_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let mut l = line.trim_start();
        if l.starts_with("```") || l.starts_with("~~~") {
            out.push('\n');
            continue;
        }
        l = l
            .trim_start_matches('#')
            .trim_start_matches('>')
            .trim_start();
        for marker in ["- ", "* ", "+ "] {
            if let Some(rest) = l.strip_prefix(marker) {
                l = rest;
            }
        }
        let digits = l.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && (l[digits..].starts_with(". ") || l[digits..].starts_with(") ")) {
            l = &l[digits + 2..];
        }
        strip_inline(l, &mut out);
        out.push('\n');
    }
    let mut text = out.trim().to_string();
    // Blank-line runs left by fences and stripped lines.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

fn strip_inline(line: &str, out: &mut String) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '*' | '_' | '`' | '~' => {
                // Emphasis markers; keep `_` inside words (snake_case).
                let inner = c == '_'
                    && i > 0
                    && b[i - 1].is_ascii_alphanumeric()
                    && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
                if inner {
                    out.push('_');
                }
                i += 1;
            }
            '!' if rest.starts_with("![") => i += 1,
            '[' => {
                // [text](url) → text; [text] stays as text.
                if let Some(close) = rest.find("](") {
                    if let Some(end) = rest[close..].find(')') {
                        strip_inline(&rest[1..close], out);
                        i += close + end + 1;
                        continue;
                    }
                }
                i += 1;
            }
            '<' => match rest.find('>') {
                Some(end)
                    if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') =>
                {
                    out.push(' ');
                    i += end + 1;
                }
                _ => {
                    out.push('<');
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: Delete your account\ntags: [account]\naliases:\n  - close account\nfeatured: true\n---\n# Delete\n\nGo to **Settings** and [open *Account*](https://example.com).\n";

    #[test]
    fn markdown_with_front_matter_parses() {
        let a = Article::parse_markdown("articles/delete-account.md", GOOD).unwrap();
        assert_eq!(a.id, "delete-account");
        assert_eq!(a.title, "Delete your account");
        assert_eq!(a.tags, ["account"]);
        assert_eq!(a.aliases, ["close account"]);
        assert!(a.featured);
        assert_eq!(a.locale, None);
        assert!(a.body.starts_with("# Delete"));
        let doc = a.to_document();
        assert_eq!(doc.body, "Delete\n\nGo to Settings and open Account.");
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let e = Article::parse_markdown("a.md", "---\ntitle: T\ntgas: [x]\n---\nbody").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tgas"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().starts_with("a.md: field `tgas`"), "{e}");

        let e = Article::parse_markdown("b.md", "---\ntags: [x]\n---\nbody").unwrap_err();
        assert_eq!(e.to_string(), "b.md: field `title`: missing or empty");

        let e = Article::parse_markdown("c.md", "just text").unwrap_err();
        assert!(e.to_string().contains("c.md: missing front matter"), "{e}");

        let e = Article::parse_markdown("d.md", "---\ntitle: T\n").unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");

        let e = Article::parse_markdown("bad id.md", "---\ntitle: T\n---\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));

        let e =
            Article::parse_markdown("e.md", "---\ntitle: T\nfeatured: maybe\n---\n").unwrap_err();
        assert!(e.to_string().starts_with("e.md: "), "{e}");
    }

    #[test]
    fn json_lists_parse_and_reject_duplicates() {
        let list =
            Article::parse_json_list("c.json", r#"[{"id":"a","title":"A","body":"x"}]"#).unwrap();
        assert_eq!(list[0].id, "a");
        assert!(list[0].tags.is_empty());
        let e = Article::parse_json_list(
            "c.json",
            r#"[{"id":"a","title":"A","body":""},{"id":"a","title":"B","body":""}]"#,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "c.json [1]: field `id`: duplicate id \"a\"");
        let e = Article::parse_json_list("c.json", r#"{"id":"a"}"#).unwrap_err();
        assert!(e.to_string().starts_with("c.json: not a JSON list"), "{e}");
    }

    #[test]
    fn body_line_counts_the_front_matter_and_blank_lines() {
        assert_eq!(Article::body_line(GOOD), 8);
        assert_eq!(Article::body_line("---\ntitle: T\n---\n\n\nBody"), 6);
    }

    #[test]
    fn markdown_is_stripped_to_plain_text() {
        let md = "## Steps\n\n1. Open `Settings`\n- Pick ![the gear](gear.png) icon\n> Note: <b>bold</b> a_b\n```sh\nrm -rf\n```\n";
        assert_eq!(
            markdown_to_text(md),
            "Steps\n\nOpen Settings\nPick the gear icon\nNote:  bold  a_b\n\nrm -rf"
        );
    }
}
