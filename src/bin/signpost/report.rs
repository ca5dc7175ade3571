//! `signpost report`: what self-help solved, where it failed, and which
//! product fixes would remove the most tickets (#16), from the database
//! `signpost serve` writes. Argument parsing and printing; the report
//! itself is [`signpost::relay::report`].

use signpost::relay::config;
use signpost::relay::report::period::Period;
use signpost::relay::report::{self, compute, Format};
use signpost::relay::store::{self, now_ms, Location};
use std::path::PathBuf;
use std::process::ExitCode;

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
    let settings = match config::Settings::load(args.config.as_deref()) {
        Ok(settings) => settings,
        Err(message) => return usage(message),
    };
    let location = Location::parse(args.db.as_deref().unwrap_or(&settings.db));
    if let Location::Sqlite(path) = &location {
        if !path.is_file() {
            eprintln!("signpost report: no database at {}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let report =
        match store::open(&location).and_then(|s| compute(&*s, &period, args.flow.as_deref())) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("signpost report: {e}");
                return ExitCode::FAILURE;
            }
        };
    let out = report::render(&report, args.format);
    print!("{out}");
    ExitCode::SUCCESS
}
