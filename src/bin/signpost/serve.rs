//! `signpost serve`: the ticket relay ([`signpost::relay`]), the built
//! widget, the demo page and the live content preview. Flags and printing.

use crate::content;
use signpost::relay::config;
use signpost::relay::Relay;
use std::path::PathBuf;
use std::process::ExitCode;

const CONFIG_HELP: &str = "\
CONFIGURATION
  Settings come from a TOML file (--config), then environment variables, then
  flags; each overrides the one before. Secrets are never flags: give them in
  the environment (SIGNPOST_INBOX_TOKEN, and the variables the `*_env` keys
  name) so they stay out of `ps` and shell history.

  Keys of the file (all optional):
    port, bind, db, widget_dir, demo_dir, allow_origins = [..], trust_proxy,
    header_timeout_secs, body_timeout_secs, analytics_retention_days (90),
    inbox_token_env = \"VAR\" (or inbox_token = \"...\"),
    [rate_limit] enabled, burst, per_minute (tickets),
                 events_burst (60), events_per_minute (120) (event batches)
    [[forward]]  one table per destination:
      name, kind = \"webhook\" | \"zendesk\" | \"email\",
      tiers = [\"outage\", \"billing\", \"defect\", \"howto\", \"feedback\"] (default: all),
      max_attempts (12), retry_base_ms (2000, doubled per retry, at most 15 min),
      timeout_secs (15, at most 45)
      webhook: url, secret_env       (header Signpost-Signature: t=..,v1=HMAC-SHA256)
      zendesk: url (https://SUB.zendesk.com), email, token_env
      email:   smtp_host, smtp_port, smtp_security = \"starttls\" | \"tls\" | \"none\",
               smtp_username, smtp_password_env, from, to = [..]

  The inbox (GET /inbox) needs a token: SIGNPOST_INBOX_TOKEN or inbox_token_env.
  Without one it answers 404 and says how to turn it on.

  A bad file is refused at start with the file, the key and the line.";

/// `signpost serve` flags; each also reads an environment variable.
#[derive(clap::Args)]
#[command(after_long_help = CONFIG_HELP)]
pub struct Args {
    /// TOML configuration file; see CONFIGURATION below (`--help`).
    #[arg(long, env = "SIGNPOST_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    flags: config::Flags,
    #[command(flatten)]
    content: content::ContentArgs,
}

/// Runs the relay until SIGINT or SIGTERM; exit code 2 for bad configuration.
pub fn run(args: Args) -> ExitCode {
    init_logs();
    let prepared = config::Settings::load(args.config.as_deref()).and_then(|mut settings| {
        settings.apply(args.flags);
        settings.prepare(args.config.as_deref())
    });
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("signpost serve: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signpost serve: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(prepared, args.content.content)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("signpost serve: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the relay, says where it listens and where tickets go, and serves.
async fn serve(prepared: config::Prepared, content: Option<PathBuf>) -> Result<(), String> {
    let settings = &prepared.settings;
    if !settings.widget_dir.join("embed.js").is_file() {
        eprintln!(
            "signpost serve: warning: no built widget in {} (expected embed.js); \
             the demo page will show no launcher. Build it with .ci/demo or trunk build --release.",
            settings.widget_dir.display()
        );
    }
    let db = prepared.db.to_string();
    let relay = Relay::start(prepared, content::router(content).unwrap_or_default()).await?;
    let addr = relay.local_addr().map_err(|e| e.to_string())?;
    println!("signpost: serving the demo at http://{addr}/ (tickets in {db})");
    for (tier, destinations) in relay.forwarding() {
        eprintln!("signpost: {tier} tickets go to {}", destinations.join(", "));
    }
    relay.run().await
}

/// Structured logs on stderr for the relay (it logs with `tracing`);
/// `SIGNPOST_LOG` filters them (e.g. `debug`, `signpost=warn`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNPOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
