//! The bundle build: a content folder → one bundle, checked.
//!
//! ```text
//! SRC/
//!   signpost.toml      optional: product, locales, synonyms, lexicon, featured, incident
//!   articles/*.md      Markdown with front matter (and *.json lists)
//!   flows/*.yaml|yml|json
//! ```
//!
//! Flows get exactly the validation of `signpost check` (article ids
//! checked against `articles/`); any error stops the build. `signpost
//! build` prints what [`build_dir`] returns; `serve --content` calls it too.

use crate::authoring::flow::load::lint_paths;
use crate::authoring::flow::LintOptions;
use crate::authoring::markdown::{markdown_to_tree, safe_href};
use crate::core::article::Article;
use crate::core::content::{Bundle, BundleArticle, Incident, Product, BUNDLE_FORMAT};
use crate::core::flow::Flow;
use crate::core::search::lexicon;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// One line of build output: an error or a warning, named like
/// `file:line: error: message` (flow diagnostics keep `check`'s form).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// True for errors, false for warnings.
    pub error: bool,
    /// The whole line as printed.
    pub text: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A successful build.
pub struct Built {
    /// The bundle.
    pub bundle: Bundle,
    /// The bundle file's text.
    pub json: String,
    /// Warnings (the build went on).
    pub warnings: Vec<Problem>,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn error(&mut self, at: &str, line: Option<u32>, message: impl fmt::Display) {
        self.push(true, at, line, message);
    }
    fn warn(&mut self, at: &str, line: Option<u32>, message: impl fmt::Display) {
        self.push(false, at, line, message);
    }
    fn push(&mut self, error: bool, at: &str, line: Option<u32>, message: impl fmt::Display) {
        let level = if error { "error" } else { "warning" };
        let text = match line {
            Some(l) => format!("{at}:{l}: {level}: {message}"),
            None => format!("{at}: {level}: {message}"),
        };
        self.0.push(Problem { error, text });
    }
}

/// `signpost.toml`. Unknown keys are errors, so a typo is not silently
/// ignored.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Config {
    product: Option<ProductConfig>,
    /// Default locale.
    locale: Option<String>,
    #[serde(default)]
    locales: Vec<String>,
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
    /// Whether the built-in support vocabulary of the content's locales
    /// joins `synonyms` (default true).
    lexicon: Option<bool>,
    #[serde(default)]
    featured: Vec<String>,
    incident: Option<IncidentConfig>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductConfig {
    name: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentConfig {
    title: String,
    #[serde(default)]
    body: String,
    status_url: Option<String>,
}

fn read_config(path: &Path, name: &str, p: &mut Problems) -> Config {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Config::default(),
        Err(e) => {
            p.error(name, None, format!("cannot read: {e}"));
            return Config::default();
        }
    };
    match toml::from_str::<Config>(&text) {
        Ok(c) => c,
        Err(e) => {
            let line = e.span().map(|s| line_of(&text, s.start));
            p.error(name, line, e.message());
            Config::default()
        }
    }
}

fn line_of(text: &str, offset: usize) -> u32 {
    let upto = &text[..offset.min(text.len())];
    u32::try_from(upto.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Article files directly in `dir`: `*.md`/`*.markdown` and `*.json` lists,
/// sorted.
fn article_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "md" | "markdown" | "json"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads, checks and converts the content folder `src`. Any error (or any
/// warning under `strict`) fails the build with every problem found.
pub fn build_dir(src: &Path, strict: bool) -> Result<Built, Vec<Problem>> {
    let mut p = Problems::default();
    let name = |rel: &str| src.join(rel).display().to_string();
    if !src.is_dir() {
        p.error(
            &src.display().to_string(),
            None,
            "not a folder; expected a content folder with articles/ and flows/",
        );
        return Err(p.0);
    }
    let config_name = name("signpost.toml");
    let config = read_config(&src.join("signpost.toml"), &config_name, &mut p);

    // Locales: the default first, then the others in the order given.
    let locale = config
        .locale
        .clone()
        .or_else(|| config.locales.first().cloned())
        .unwrap_or_else(|| "en".to_string());
    let mut locales = vec![locale.clone()];
    for l in &config.locales {
        if !locales.contains(l) {
            locales.push(l.clone());
        }
    }

    // Articles.
    let mut articles: Vec<(String, BundleArticle, bool)> = Vec::new();
    let mut article_files_by_id: BTreeMap<String, String> = BTreeMap::new();
    let articles_dir = src.join("articles");
    let files = if articles_dir.is_dir() {
        article_files(&articles_dir).unwrap_or_else(|e| {
            p.error(&name("articles"), None, format!("cannot read folder: {e}"));
            Vec::new()
        })
    } else {
        Vec::new()
    };
    for file in files {
        let fname = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                p.error(&fname, None, format!("cannot read: {e}"));
                continue;
            }
        };
        let parsed: Vec<(Article, u32)> = if fname.ends_with(".json") {
            match Article::parse_json_list(&fname, &text) {
                Ok(list) => list.into_iter().map(|a| (a, 0)).collect(),
                Err(e) => {
                    p.error(&fname, None, strip_source(&e.to_string(), &fname));
                    continue;
                }
            }
        } else {
            match Article::parse_markdown(&fname, &text) {
                Ok(a) => vec![(a, Article::body_line(&text))],
                Err(e) => {
                    p.error(&fname, e.line, strip_source(&e.to_string(), &fname));
                    continue;
                }
            }
        };
        for (article, body_line) in parsed {
            if let Some(prev) = article_files_by_id.get(&article.id) {
                p.error(
                    &fname,
                    None,
                    format!("article id {:?} is also used by {prev}", article.id),
                );
                continue;
            }
            article_files_by_id.insert(article.id.clone(), fname.clone());
            if let Some(l) = &article.locale {
                if !locales.contains(l) {
                    p.error(
                        &fname,
                        None,
                        format!(
                            "field `locale`: {l:?} is not one of the locales in signpost.toml ({})",
                            locales.join(", ")
                        ),
                    );
                }
            }
            // Line numbers in JSON lists are not tracked; name the entry.
            let at = |l: u32| (body_line > 0).then(|| body_line + l - 1);
            match markdown_to_tree(&article.body) {
                Ok(converted) => {
                    for w in &converted.warnings {
                        let line = at(w.line);
                        let where_ = if line.is_some() {
                            fname.clone()
                        } else {
                            format!("{fname} (article {:?})", article.id)
                        };
                        p.warn(&where_, line, &w.message);
                    }
                    let featured = article.featured;
                    articles.push((
                        fname.clone(),
                        BundleArticle::new(&article, converted.blocks),
                        featured,
                    ));
                }
                Err(e) => p.error(&fname, at(1), e),
            }
        }
    }

    // Flows: the same checks as `signpost check --articles`.
    let flows_dir = src.join("flows");
    let mut flows: Vec<Flow> = Vec::new();
    let mut flow_ids: BTreeSet<String> = BTreeSet::new();
    if flows_dir.is_dir() {
        let opts = LintOptions {
            host_checks: Vec::new(),
            articles: Some(article_files_by_id.keys().cloned().collect()),
        };
        let report = lint_paths(&[flows_dir], &opts);
        for d in report.all_diagnostics() {
            let error = d.is_error();
            p.0.push(Problem {
                error,
                text: d.to_string(),
            });
        }
        for checked in report.files {
            if let Some(flow) = checked.flow {
                flow_ids.insert(flow.id.clone());
                flows.push(flow);
            }
        }
    }
    flows.sort_by(|a, b| a.id.cmp(&b.id));

    // Cross-references.
    for (file, a, _) in &articles {
        if flow_ids.contains(&a.id) {
            p.error(
                file,
                None,
                format!(
                    "article id {:?} is also a flow id; search results are named by id, so they must differ",
                    a.id
                ),
            );
        }
        for (i, f) in a.related_flows.iter().enumerate() {
            if !flow_ids.contains(f) {
                p.error(
                    file,
                    None,
                    format!(
                        "field `related_flows[{i}]`: no flow with id {f:?}{}",
                        suggest(f, flow_ids.iter())
                    ),
                );
            }
        }
    }
    let mut featured: Vec<String> = Vec::new();
    for (i, id) in config.featured.iter().enumerate() {
        if !flow_ids.contains(id) && !article_files_by_id.contains_key(id) {
            p.error(
                &config_name,
                None,
                format!(
                    "field `featured[{i}]`: no article or flow with id {id:?}{}",
                    suggest(id, flow_ids.iter().chain(article_files_by_id.keys()))
                ),
            );
        } else if !featured.contains(id) {
            featured.push(id.clone());
        }
    }
    for (_, a, is_featured) in &articles {
        if *is_featured && !featured.contains(&a.id) {
            featured.push(a.id.clone());
        }
    }
    let builtin = if config.lexicon.unwrap_or(true) {
        lexicon::builtin_groups(locales.iter().map(String::as_str))
    } else {
        Vec::new()
    };
    for (i, group) in config.synonyms.iter().enumerate() {
        if group.is_empty() {
            p.warn(
                &config_name,
                None,
                format!("field `synonyms[{i}]`: an empty synonym group"),
            );
        } else if group.len() < 2
            && lexicon::merge(builtin.clone(), &[])
                == lexicon::merge(builtin.clone(), std::slice::from_ref(group))
        {
            p.warn(
                &config_name,
                None,
                format!(
                    "field `synonyms[{i}]`: a synonym group needs at least two entries \
                     (one entry only removes the built-in groups that hold it, and none does)"
                ),
            );
        }
    }
    let synonyms = lexicon::merge(builtin, &config.synonyms);
    let incident = config.incident.as_ref().and_then(|inc| {
        let status_url = match &inc.status_url {
            Some(u) => match safe_href(u).filter(|u| u.starts_with("http")) {
                Some(u) => Some(u),
                None => {
                    p.error(
                        &config_name,
                        None,
                        format!("field `incident.status_url`: {u:?} is not an http or https URL"),
                    );
                    None
                }
            },
            None => None,
        };
        match markdown_to_tree(&inc.body) {
            Ok(c) => {
                for w in c.warnings {
                    p.warn(&config_name, None, format!("incident.body: {}", w.message));
                }
                Some(Incident {
                    title: inc.title.clone(),
                    body: c.blocks,
                    status_url,
                })
            }
            Err(e) => {
                p.error(&config_name, None, format!("incident.body: {e}"));
                None
            }
        }
    });
    if articles.is_empty() && flows.is_empty() && !p.0.iter().any(|x| x.error) {
        p.error(
            &src.display().to_string(),
            None,
            "no articles (articles/*.md) and no flows (flows/*.yaml); nothing to build",
        );
    }

    let failed = p.0.iter().any(|x| x.error || strict);
    if failed {
        if strict {
            for x in &mut p.0 {
                if !x.error {
                    x.error = true;
                    x.text = x.text.replacen(": warning", ": error", 1);
                }
            }
        }
        return Err(p.0);
    }

    let mut articles: Vec<BundleArticle> = articles.into_iter().map(|(_, a, _)| a).collect();
    articles.sort_by(|a, b| a.id.cmp(&b.id));
    let product = Product {
        name: config.product.map(|p| p.name).unwrap_or_else(|| {
            src.canonicalize()
                .ok()
                .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "Help".into())
        }),
    };
    let mut bundle = Bundle {
        format: BUNDLE_FORMAT,
        hash: String::new(),
        built_at: String::new(),
        product,
        locale,
        locales,
        synonyms,
        featured,
        incident,
        articles,
        flows,
    };
    let canonical = serde_json::to_string(&bundle).map_err(|e| {
        vec![Problem {
            error: true,
            text: format!("cannot write the bundle: {e}"),
        }]
    })?;
    bundle.hash = format!("{:x}", Sha256::digest(canonical.as_bytes()));
    bundle.built_at = rfc3339_now();
    let json = serde_json::to_string(&bundle).unwrap_or_default();
    Ok(Built {
        bundle,
        json,
        warnings: p.0,
    })
}

/// `ArticleError`s start with the file name; the build prints it once.
fn strip_source(message: &str, file: &str) -> String {
    message
        .strip_prefix(file)
        .map(|m| m.trim_start_matches([':', ' ']).to_string())
        .unwrap_or_else(|| message.to_string())
}

/// " (did you mean …?)" for the nearest known id, as `signpost check` picks it.
fn suggest<'a>(wrong: &str, known: impl Iterator<Item = &'a String>) -> String {
    crate::authoring::flow::diagnostics::suggest(wrong, known.map(String::as_str))
        .map(|k| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default()
}

/// Now as `2024-05-01T12:00:00Z`, whole seconds.
fn rfc3339_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_the_nearest_id() {
        let ids = ["camera-wifi".to_string(), "app-wont-load".to_string()];
        assert_eq!(
            suggest("camera-wfi", ids.iter()),
            " (did you mean \"camera-wifi\"?)"
        );
        assert_eq!(suggest("billing", ids.iter()), "");
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = rfc3339_now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
