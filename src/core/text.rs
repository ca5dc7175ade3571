//! Small text primitives shared across the core: bounding a line and
//! splitting a comma-separated list. At the bottom of the core's layers.

/// Longest line kept, in characters; longer ones are cut with [`CUT_MARK`].
pub const MAX_LINE_CHARS: usize = 500;
/// Appended where text was cut.
pub const CUT_MARK: &str = "… [cut]";

/// Cuts a line to [`MAX_LINE_CHARS`], marking the cut.
pub fn bound_line(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        None => line.to_string(),
        Some((end, _)) => format!("{}{CUT_MARK}", &line[..end]),
    }
}

/// The items of a comma-separated list, trimmed, blanks dropped
/// (`"a, b ,"` is `["a", "b"]`).
pub fn comma_list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}
