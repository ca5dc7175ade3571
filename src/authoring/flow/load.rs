//! Reading flow files and folders from disk (std only; native tools use it,
//! the browser never calls it).

use super::diagnostics::{Code, Diagnostic};
use super::parse::{SourceFormat, MAX_FILE_BYTES};
use super::validate::{lint_duplicate_ids, sort_diagnostics, LintOptions};
use super::{lint_source, Linted};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Deepest folder nesting walked below a given folder.
pub const MAX_DIR_DEPTH: usize = 16;

/// Everything `signpost check` found in a set of paths.
#[derive(Debug, Clone, Default)]
pub struct LintReport {
    /// One entry per flow file read, in path order.
    pub files: Vec<Linted>,
    /// Files found but not readable (too large, not UTF-8, IO errors).
    pub unreadable: usize,
    /// Problems not tied to one readable file: unreadable paths and flow
    /// ids used by several files.
    pub diagnostics: Vec<Diagnostic>,
}

impl LintReport {
    /// Every diagnostic, per-file ones first then cross-file, sorted.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .files
            .iter()
            .flat_map(|f| f.diagnostics.iter().cloned())
            .collect();
        all.extend(self.diagnostics.iter().cloned());
        sort_diagnostics(&mut all);
        all
    }
}

/// Flow files under `paths`: files as given, folders walked for `.yaml`,
/// `.yml` and `.json` (sorted, symlinked folders not followed). Paths that
/// do not exist become `io` diagnostics.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                diags.push(Diagnostic::new(
                    Code::Io,
                    &p.display().to_string(),
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut stack = vec![(p.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::new(
                        Code::Io,
                        &dir.display().to_string(),
                        format!("cannot read folder: {e}"),
                    ));
                    continue;
                }
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(ft) = entry.file_type() else { continue };
                if ft.is_dir() && depth < MAX_DIR_DEPTH {
                    stack.push((path, depth + 1));
                } else if ft.is_file()
                    && SourceFormat::from_file_name(&path.to_string_lossy()).is_some()
                {
                    found.push(path);
                }
            }
        }
        found.sort();
        files.extend(found);
    }
    (files, diags)
}

/// Reads a file as UTF-8, refusing files over [`MAX_FILE_BYTES`] without
/// reading them whole.
pub fn read_capped(path: &Path) -> Result<String, Box<Diagnostic>> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| {
        Box::new(Diagnostic::new(
            Code::Io,
            &name,
            format!("cannot read: {e}"),
        ))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::new(
            Code::TooLarge,
            &name,
            format!("the file is larger than {MAX_FILE_BYTES} bytes (1 MiB); flow files must be smaller. Split the flow"),
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Box::new(Diagnostic::new(
            Code::Io,
            &name,
            format!("not UTF-8 text (invalid byte at offset {at})"),
        ))
    })
}

/// Checks every flow file under `paths`, then flow ids across files.
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> LintReport {
    let (files, mut diagnostics) = collect_files(paths);
    let mut report = LintReport::default();
    for path in files {
        let name = path.display().to_string();
        // A file named explicitly with another extension is read as YAML
        // (JSON is valid YAML for flow purposes).
        let format = SourceFormat::from_file_name(&name).unwrap_or(SourceFormat::Yaml);
        match read_capped(&path) {
            Ok(text) => report.files.push(lint_source(&text, format, &name, opts)),
            Err(d) => {
                report.unreadable += 1;
                diagnostics.push(*d);
            }
        }
    }
    diagnostics.extend(lint_duplicate_ids(&report.files));
    report.diagnostics = diagnostics;
    report
}
