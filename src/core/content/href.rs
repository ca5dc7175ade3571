//! Which link targets and image sources the safe tree may carry. Pure
//! string checks with no parser behind them, so both the build-time
//! Markdown converter (`signpost::authoring::markdown`) and the widget's
//! [`super::short`] use the same rule without pulling a Markdown parser
//! into the wasm.

/// The link target as written into the tree, or `None` when it is not
/// `http:`, `https:` or `mailto:`. Tabs and newlines are removed and the
/// ends trimmed first, as browsers do before reading a URL's scheme.
pub fn safe_href(raw: &str) -> Option<String> {
    let cleaned = clean_url(raw);
    let lower = cleaned.to_ascii_lowercase();
    let ok = ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len());
    ok.then_some(cleaned)
}

/// The image source as written into the tree: `http(s)` URLs and paths
/// without a scheme (`/img/a.png`, `img/a.png`); `None` for any other
/// scheme (`data:`, `javascript:`, `file:`).
pub fn safe_src(raw: &str) -> Option<String> {
    let cleaned = clean_url(raw);
    if cleaned.is_empty() {
        return None;
    }
    let scheme_end = cleaned.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)));
    let has_scheme = scheme_end.is_some_and(|i| i > 0 && cleaned[i..].starts_with(':'));
    if !has_scheme {
        return Some(cleaned);
    }
    let lower = cleaned.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(cleaned)
}

fn clean_url(raw: &str) -> String {
    raw.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_read_like_a_browser_reads_them() {
        for ok in [
            "https://lumen.example/a?b#c",
            "HTTP://x.example",
            " https://x.example ",
            "mailto:help@lumen.example",
        ] {
            assert!(safe_href(ok).is_some(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "file:///etc/passwd",
            "/relative",
            "#anchor",
            "https://",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn image_sources_allow_paths_and_http_only() {
        assert!(safe_src("/img/cam.png").is_some());
        assert!(safe_src("img/cam.png").is_some());
        assert!(safe_src("https://cdn.example/cam.png").is_some());
        assert_eq!(safe_src("data:image/png;base64,AAAA"), None);
        assert_eq!(safe_src("DATA:image/svg+xml,<svg>"), None);
        assert_eq!(safe_src("javascript:alert(1)"), None);
        assert_eq!(safe_src(""), None);
    }
}
