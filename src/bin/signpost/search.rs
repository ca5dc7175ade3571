//! `signpost search`: run one query against articles and flows, as the
//! widget would, and print the ranked results.

use signpost::core::article::Article;
use signpost::core::search::{lexicon, Document, Hit, Index, IndexOptions, Kind, SearchOptions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Search help content the way the widget does.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The query, as a user would type it (several words need no quotes).
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub content: ContentArgs,
    /// Print JSON (ranked results with scores and highlight ranges).
    #[arg(long)]
    pub json: bool,
    /// How many results to print.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Treat the last word as still being typed (prefix match), as the
    /// search box does while the user types.
    #[arg(long)]
    pub typing: bool,
}

pub fn run(args: Args) -> ExitCode {
    let Some(content) = Content::load_or_report(&args.content) else {
        return ExitCode::FAILURE;
    };
    let index = content.build();
    let query = args.query.join(" ");
    let options = SearchOptions {
        limit: args.limit.max(1),
        prefix_last: args.typing,
    };
    let results = index.search(&query, &options);
    let mut ranked = results.ranked();
    ranked.truncate(args.limit);

    if args.json {
        let out = serde_json::json!({
            "query": query,
            "suggested": results.suggested,
            "results": ranked,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return ExitCode::SUCCESS;
    }

    let style = Style::detect();
    if ranked.is_empty() {
        println!("No results for {query:?}.");
        return ExitCode::SUCCESS;
    }
    if results.suggested {
        println!("Nothing to search in {query:?}; featured items:");
    }
    for (title, kind) in [("Guided fixes", Kind::Flow), ("Articles", Kind::Article)] {
        let hits: Vec<&&Hit> = ranked.iter().filter(|h| h.kind == kind).collect();
        if hits.is_empty() {
            continue;
        }
        println!("{}", style.heading(title));
        let id_width = hits.iter().map(|h| h.id.chars().count()).max().unwrap_or(0);
        for hit in hits {
            let rank = ranked
                .iter()
                .position(|h| h.id == hit.id)
                .map_or(0, |p| p + 1);
            println!(
                "  {rank:>2}. {:<id_width$}  {:>6.2}  {}",
                hit.id,
                hit.score,
                style.marked(&hit.title, &hit.title_ranges)
            );
            if !hit.excerpt.is_empty() {
                println!(
                    "      {:id_width$}          {}",
                    "",
                    style.marked(&hit.excerpt, &hit.excerpt_ranges)
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// Terminal styling: bold highlights on a terminal, brackets otherwise.
pub(crate) struct Style {
    tty: bool,
}

impl Style {
    pub(crate) fn detect() -> Style {
        Style {
            tty: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    pub(crate) fn heading(&self, text: &str) -> String {
        if self.tty {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub(crate) fn dim(&self, text: &str) -> String {
        if self.tty {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// `text` with the byte `ranges` emphasised.
    fn marked(&self, text: &str, ranges: &[std::ops::Range<usize>]) -> String {
        let (open, close) = if self.tty {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("[", "]")
        };
        let mut out = String::with_capacity(text.len() + ranges.len() * 8);
        let mut at = 0;
        for r in ranges {
            out.push_str(&text[at..r.start]);
            out.push_str(open);
            out.push_str(&text[r.clone()]);
            out.push_str(close);
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Where the content comes from; shared by `search` and `eval`.
#[derive(clap::Args, Debug)]
pub struct ContentArgs {
    /// Articles: a folder of Markdown files with front matter, one Markdown
    /// file, or a JSON list `[{id, title, body}]`.
    #[arg(long, value_name = "PATH", required_unless_present = "bundle")]
    pub articles: Option<PathBuf>,
    /// A content bundle from `signpost build`, instead of --articles,
    /// --flows and --synonyms: search exactly what the widget searches.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["articles", "flows", "synonyms"])]
    pub bundle: Option<PathBuf>,
    /// Flows: a folder of flow files (YAML or JSON), or one such file.
    #[arg(long, value_name = "PATH")]
    pub flows: Option<PathBuf>,
    /// Synonym groups: a YAML or JSON list of lists, e.g. `[["2FA", "two-factor"]]`.
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,
    /// Leave out the built-in support vocabulary (`src/core/search/lexicon/`),
    /// which --articles content otherwise gets for its articles' locales
    /// (English when none is set), as `signpost build` gives it to bundles.
    #[arg(long, conflicts_with = "bundle")]
    pub no_lexicon: bool,
}

/// Articles, flows and synonyms read from disk, ready to index.
pub(crate) struct Content {
    pub(crate) docs: Vec<Document>,
    /// The synonyms, and a bundle's locale.
    options: IndexOptions,
}

impl Content {
    /// Loads the content, or prints why it could not be loaded.
    pub(crate) fn load_or_report(args: &ContentArgs) -> Option<Content> {
        if let Some(path) = &args.bundle {
            return Content::from_bundle(path)
                .map_err(|e| eprintln!("error: {e}"))
                .ok();
        }
        Content::load(
            args.articles.as_deref()?,
            args.flows.as_deref(),
            args.synonyms.as_deref(),
            !args.no_lexicon,
        )
        .map_err(|e| eprintln!("error: {e}"))
        .ok()
    }

    pub(crate) fn load(
        articles: &Path,
        flows: Option<&Path>,
        synonyms: Option<&Path>,
        lexicon: bool,
    ) -> Result<Content, String> {
        let mut docs: Vec<Document> = Vec::new();
        let mut origin: std::collections::HashMap<String, String> = Default::default();
        let mut add =
            |doc: Document, from: String, docs: &mut Vec<Document>| -> Result<(), String> {
                if let Some(prev) = origin.insert(doc.id.clone(), from.clone()) {
                    return Err(format!("{from}: id {:?} is also used by {prev}", doc.id));
                }
                docs.push(doc);
                Ok(())
            };
        if let Some(path) = flows {
            for (file, flow) in load_flows(path)? {
                add(flow, file, &mut docs)?;
            }
        }
        let mut locales: Vec<String> = Vec::new();
        for (file, article) in load_articles(articles)? {
            let locale = article.locale.clone().unwrap_or_else(|| "en".into());
            if !locales.contains(&locale) {
                locales.push(locale);
            }
            add(article.to_document(), file, &mut docs)?;
        }
        let synonyms = match synonyms {
            Some(path) => {
                let text = read(path)?;
                serde_yaml_ng::from_str::<Vec<Vec<String>>>(&text).map_err(|e| {
                    format!("{}: expected a list of synonym lists: {e}", path.display())
                })?
            }
            None => Vec::new(),
        };
        let synonyms = if lexicon {
            let builtin = lexicon::builtin_groups(locales.iter().map(String::as_str));
            lexicon::merge(builtin, &synonyms)
        } else {
            synonyms
        };
        Ok(Content {
            docs,
            options: IndexOptions {
                synonyms,
                ..Default::default()
            },
        })
    }

    /// The documents and synonyms of a built bundle, as the widget reads them.
    fn from_bundle(path: &Path) -> Result<Content, String> {
        let bundle = signpost::core::content::Bundle::from_json(&read(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Content {
            docs: bundle.documents(),
            options: bundle.index_options(),
        })
    }

    /// How many documents are of `kind`.
    pub(crate) fn count(&self, kind: Kind) -> usize {
        self.docs.iter().filter(|d| d.kind == kind).count()
    }

    pub(crate) fn options(&self) -> IndexOptions {
        self.options.clone()
    }

    pub(crate) fn build(&self) -> Index {
        Index::build(self.docs.clone(), &self.options())
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Files under `dir` (recursively) whose extension is in `exts`, sorted.
fn files_under(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", d.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn load_articles(path: &Path) -> Result<Vec<(String, Article)>, String> {
    let name = path.display().to_string();
    if path.is_dir() {
        let files = files_under(path, &["md", "markdown"])?;
        if files.is_empty() {
            return Err(format!("{name}: no Markdown articles (*.md) found"));
        }
        files
            .iter()
            .map(|f| {
                let file = f.display().to_string();
                Article::parse_markdown(&file, &read(f)?)
                    .map(|a| (file, a))
                    .map_err(|e| e.to_string())
            })
            .collect()
    } else if name.to_ascii_lowercase().ends_with(".json") {
        let list = Article::parse_json_list(&name, &read(path)?).map_err(|e| e.to_string())?;
        Ok(list.into_iter().map(|a| (name.clone(), a)).collect())
    } else {
        let a = Article::parse_markdown(&name, &read(path)?).map_err(|e| e.to_string())?;
        Ok(vec![(name, a)])
    }
}

/// Flows read and validated by the same code as `signpost check`; a flow
/// with errors stops the search with those errors.
fn load_flows(path: &Path) -> Result<Vec<(String, Document)>, String> {
    use signpost::authoring::flow::{load, parse_flow, SourceFormat};
    let (files, problems) = load::collect_files(&[path.to_path_buf()]);
    if let Some(p) = problems.first() {
        return Err(p.to_string());
    }
    let mut out = Vec::new();
    for f in files {
        let file = f.display().to_string();
        let text = load::read_capped(&f).map_err(|d| d.to_string())?;
        let format = SourceFormat::from_file_name(&file).unwrap_or(SourceFormat::Yaml);
        let flow = parse_flow(&text, format, &file).map_err(|diags| {
            let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
            format!(
                "{file}: not a valid flow (run `signpost check`):\n  {}",
                lines.join("\n  ")
            )
        })?;
        out.push((file, Document::from(&flow)));
    }
    Ok(out)
}
