//! `signpost report`: what self-help solved, where it failed, and which
//! product fixes would remove the most tickets (#16), from the database
//! `signpost serve` writes. Argument parsing and printing live here; the
//! period in [`period`], the figures in [`model`], the formats in [`render`].

pub mod model;
pub mod period;
pub mod render;

use crate::serve::config;
use crate::serve::store::{now_ms, Location, Store, StoreError};
use period::Period;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Html,
}

#[derive(clap::Args)]
pub struct Args {
    /// The relay's database: a SQLite file or a postgres:// URL
    /// [default: the config file's `db`, else signpost.sqlite3].
    #[arg(
        long,
        env = "SIGNPOST_DB",
        value_name = "FILE|URL",
        hide_env_values = true
    )]
    db: Option<String>,
    /// The relay's TOML configuration file, for its `db`.
    #[arg(long, env = "SIGNPOST_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Start of the period: a number of days ending at --until (30d) or a
    /// date (2026-11-01).
    #[arg(long, default_value = "30d")]
    since: String,
    /// End of the period: a date (that whole day, UTC) or an RFC 3339
    /// moment, at which open guided fixes are judged [default: now].
    #[arg(long)]
    until: Option<String>,
    /// Show only this flow in the flow sections.
    #[arg(long, value_name = "ID")]
    flow: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The report over `period` from `store`.
pub fn compute(
    store: &Store,
    period: &Period,
    flow: Option<&str>,
) -> Result<model::Report, StoreError> {
    let data = store.report_data(period.span, period.previous_first_day)?;
    Ok(model::build(&data, period, flow))
}

/// Exit 2 for bad arguments, 1 when the database cannot be read.
pub fn run(args: Args) -> ExitCode {
    let usage = |message: String| {
        eprintln!("signpost report: {message}");
        ExitCode::from(2)
    };
    let period = match Period::parse(&args.since, args.until.as_deref(), now_ms()) {
        Ok(period) => period,
        Err(message) => return usage(message),
    };
    let file_db = match &args.config {
        Some(path) => match config::load(path) {
            Ok(file) => file.db,
            Err(message) => return usage(message),
        },
        None => None,
    };
    let location = Location::parse(
        args.db
            .as_deref()
            .or(file_db.as_deref())
            .unwrap_or("signpost.sqlite3"),
    );
    if let Location::Sqlite(path) = &location {
        if !path.is_file() {
            eprintln!("signpost report: no database at {}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let report =
        match Store::open(&location).and_then(|s| compute(&s, &period, args.flow.as_deref())) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("signpost report: {e}");
                return ExitCode::FAILURE;
            }
        };
    let out = match args.format {
        Format::Text => render::text(&report),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&report).expect("a report serialises");
            json.push('\n');
            json
        }
        Format::Csv => render::csv(&report),
        Format::Html => render::html(&report),
    };
    print!("{out}");
    ExitCode::SUCCESS
}
