//! `signpost tickets`: list what the relay has stored, newest first.

use signpost::relay::store::{self, Location};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where `signpost serve` stores tickets: a SQLite file or a postgres:// URL.
    #[arg(
        long,
        env = "SIGNPOST_DB",
        default_value = "signpost.sqlite3",
        value_name = "FILE|URL"
    )]
    db: String,
    /// How many tickets to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON lines (reference, idempotency_key, received_at_ms, tier,
    /// deliveries, ticket).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let location = Location::parse(&args.db);
    if let Location::Sqlite(path) = &location {
        if !path.is_file() {
            eprintln!("signpost tickets: no database at {}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let rows = match store::open(&location).and_then(|s| s.recent_tickets(args.limit)) {
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
                "tier": row.tier,
                "deliveries": row.deliveries.iter().map(|d| serde_json::json!({
                    "destination": d.destination,
                    "state": d.state.as_str(),
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                })).collect::<Vec<_>>(),
                "ticket": ticket,
            });
            println!("{line}");
        } else {
            let message = ticket["message"].as_str().unwrap_or("");
            let first_line = message.lines().next().unwrap_or("");
            let forwarding: Vec<String> = row
                .deliveries
                .iter()
                .map(|d| format!("{}:{}", d.destination, d.state.as_str()))
                .collect();
            println!(
                "{}  {:<8}  {}  {}",
                row.reference,
                row.tier,
                first_line,
                forwarding.join(" ")
            );
        }
    }
    ExitCode::SUCCESS
}
