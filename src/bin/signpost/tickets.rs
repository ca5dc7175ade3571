//! `signpost tickets`: list what the relay has stored, newest first.

use crate::serve::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// SQLite database file written by `signpost serve`.
    #[arg(long, default_value = "signpost.sqlite3")]
    db: PathBuf,
    /// How many tickets to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON lines (reference, idempotency_key, received_at_ms, ticket).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    if !args.db.is_file() {
        eprintln!("signpost tickets: no database at {}", args.db.display());
        return ExitCode::FAILURE;
    }
    let rows = match Store::open(&args.db).and_then(|s| s.recent_tickets(args.limit)) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("signpost tickets: {e}");
            return ExitCode::FAILURE;
        }
    };
    for row in rows {
        let ticket: serde_json::Value =
            serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null);
        if args.json {
            let line = serde_json::json!({
                "reference": row.reference,
                "idempotency_key": row.idempotency_key,
                "received_at_ms": row.received_at_ms,
                "ticket": ticket,
            });
            println!("{line}");
        } else {
            let message = ticket["message"].as_str().unwrap_or("");
            let first_line = message.lines().next().unwrap_or("");
            println!("{}  {}", row.reference, first_line);
        }
    }
    ExitCode::SUCCESS
}
