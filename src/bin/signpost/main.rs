//! `signpost`: the command-line tool for product teams and operators.
//!
//! Each subcommand lives in its own module with its own `Args`.

mod build;
mod check;
mod content;
mod eval;
mod graph;
mod report;
mod search;
mod serve;
mod tickets;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "signpost",
    version,
    about = "Signpost: flows, help search and the ticket relay"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the widget, the demo product page and the ticket relay.
    Serve(serve::Args),
    /// List the tickets the relay has stored, newest first.
    Tickets(tickets::Args),
    /// Search articles and flows as the widget does; print ranked ids and scores.
    Search(search::Args),
    /// Check flow files: every mistake with file, line, column, node and field.
    Check(check::Args),
    /// Measure search quality (hit@1, hit@5, MRR, latency) over labelled queries.
    Eval(eval::Args),
    /// Build the content bundle (articles, flows, signpost.toml) the widget fetches.
    Build(build::Args),
    /// Draw a flow as Mermaid text or a standalone SVG.
    Graph(graph::Args),
    /// What self-help solved, where it failed, and what to fix in the product.
    Report(report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Tickets(args) => tickets::run(args),
        Command::Search(args) => search::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Check(args) => check::run(args),
        Command::Build(args) => build::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Report(args) => report::run(args),
    }
}
