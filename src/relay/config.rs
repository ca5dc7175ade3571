//! The relay's settings: one struct, [`Settings`], with a default for every
//! key, layered from a TOML file, then environment variables, then flags
//! ([`Flags`]: clap reads each flag's variable when the flag is absent).
//! [`Settings::prepare`] then checks them and builds what the relay runs
//! with ([`Prepared`]): destinations with their senders, secrets read from
//! the environment.

use super::forward::email::{Email, SmtpSecurity};
use super::forward::webhook::Webhook;
use super::forward::zendesk::Zendesk;
use super::forward::{Destination, Sender};
use super::store::Location;
use crate::core::flow::format::Priority;
use serde::Deserialize;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting, with its default. A file may give any of them; unknown
/// keys are refused so a typo is reported instead of silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub port: u16,
    pub bind: IpAddr,
    /// A SQLite file or a `postgres://` URL.
    pub db: String,
    pub widget_dir: PathBuf,
    pub demo_dir: PathBuf,
    pub allow_origins: Vec<String>,
    pub trust_proxy: bool,
    pub inbox_token: Option<String>,
    pub inbox_token_env: Option<String>,
    pub header_timeout_secs: u64,
    pub body_timeout_secs: u64,
    /// Days raw analytics events are kept.
    pub analytics_retention_days: u32,
    pub rate_limit: RateLimits,
    pub forward: Vec<Forward>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            port: 8080,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            db: "signpost.sqlite3".into(),
            widget_dir: "dist".into(),
            demo_dir: "public/demo".into(),
            allow_origins: Vec::new(),
            trust_proxy: false,
            inbox_token: None,
            inbox_token_env: None,
            header_timeout_secs: 10,
            body_timeout_secs: 20,
            analytics_retention_days: 90,
            rate_limit: RateLimits::default(),
            forward: Vec::new(),
        }
    }
}

/// `[rate_limit]`: per-client budgets, a burst then so many a minute.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    pub enabled: bool,
    /// Tickets.
    pub burst: u32,
    pub per_minute: u32,
    /// Event batches.
    pub events_burst: u32,
    pub events_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            enabled: true,
            burst: 10,
            per_minute: 10,
            events_burst: 60,
            events_per_minute: 120,
        }
    }
}

/// One `[[forward]]` table: the keys every destination has, then those
/// of its `kind`.
#[derive(Debug, Deserialize)]
pub struct Forward {
    pub name: String,
    pub tiers: Option<Vec<String>>,
    pub max_attempts: Option<u32>,
    pub retry_base_ms: Option<u64>,
    pub timeout_secs: Option<u64>,
    // Every other key goes to the kind, which refuses keys it does not know.
    #[serde(flatten)]
    pub kind: ForwardKind,
}

/// Where a destination sends, by `kind = "webhook" | "zendesk" | "email"`.
#[derive(Debug)]
pub enum ForwardKind {
    Webhook(WebhookKeys),
    Zendesk(ZendeskKeys),
    Email(EmailKeys),
}

/// Read by hand rather than with `#[serde(tag = "kind")]`: serde buffers a
/// tagged (or flattened) table and then loses the path to a key of the
/// wrong type; this names it (`forward[0].smtp_port`).
impl<'de> Deserialize<'de> for ForwardKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(deserializer)?;
        let kind = match table.remove("kind") {
            Some(toml::Value::String(kind)) => kind,
            Some(other) => {
                return Err(D::Error::custom(format!("`kind`: {other} is not a string")))
            }
            None => return Err(D::Error::missing_field("kind")),
        };
        fn keys<T: serde::de::DeserializeOwned, E: Error>(table: toml::Table) -> Result<T, E> {
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let message = e.inner().message().trim().to_string();
                match e.path().to_string().as_str() {
                    "." => E::custom(message),
                    key => E::custom(format!("`{key}`: {message}")),
                }
            })
        }
        match kind.as_str() {
            "webhook" => keys(table).map(ForwardKind::Webhook),
            "zendesk" => keys(table).map(ForwardKind::Zendesk),
            "email" => keys(table).map(ForwardKind::Email),
            other => Err(D::Error::custom(format!(
                "`kind`: {other:?} is not one of webhook, zendesk, email"
            ))),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookKeys {
    pub url: String,
    pub secret: Option<String>,
    pub secret_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZendeskKeys {
    pub url: String,
    pub email: String,
    pub token: Option<String>,
    pub token_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailKeys {
    pub smtp_host: String,
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub smtp_security: Security,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_password_env: Option<String>,
    pub from: String,
    #[serde(default)]
    pub to: Vec<String>,
}

/// `smtp_security`.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    None,
    #[default]
    StartTls,
    Tls,
}

/// The flags of `signpost serve` that override the file; each also reads
/// an environment variable (clap puts it under the flag).
#[derive(Debug, Default, clap::Args)]
pub struct Flags {
    /// Port to listen on (0 picks a free one; the URL is printed) [default: 8080].
    #[arg(long, env = "SIGNPOST_PORT")]
    pub port: Option<u16>,
    /// Address to listen on; 0.0.0.0 for all interfaces [default: 127.0.0.1].
    #[arg(long, env = "SIGNPOST_BIND", value_name = "ADDRESS")]
    pub bind: Option<IpAddr>,
    /// Where tickets are stored: a SQLite file (created if missing) or a
    /// postgres://user:password@host/database URL [default: signpost.sqlite3].
    // The URL may carry a password: never echo it in --help.
    #[arg(
        long,
        env = "SIGNPOST_DB",
        value_name = "FILE|URL",
        hide_env_values = true
    )]
    pub db: Option<String>,
    /// Folder with the built widget (`trunk build` output) [default: dist].
    #[arg(long, env = "SIGNPOST_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,
    /// Folder with the demo product page and its content [default: public/demo].
    #[arg(long, env = "SIGNPOST_DEMO_DIR")]
    pub demo_dir: Option<PathBuf>,
    /// An origin allowed to post tickets from another site
    /// (e.g. https://app.example.com). Repeat, or comma-separate in the
    /// environment variable.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        env = "SIGNPOST_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,
    /// Behind a reverse proxy: take the client address for rate limiting from
    /// the last X-Forwarded-For entry. Only set this when the proxy is the
    /// only way in, or clients can pick their own address.
    #[arg(long, env = "SIGNPOST_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Tickets a single client may send in a burst [default: 10].
    #[arg(long, env = "SIGNPOST_RATE_BURST")]
    pub rate_burst: Option<u32>,
    /// Tickets a single client may send per minute after the burst [default: 10].
    #[arg(long, env = "SIGNPOST_RATE_PER_MINUTE")]
    pub rate_per_minute: Option<u32>,
    /// Turn the per-client rate limit off (load tests; a proxy that limits).
    #[arg(long, env = "SIGNPOST_NO_RATE_LIMIT")]
    pub no_rate_limit: bool,
    /// Seconds a client may take to send its request headers; slower ones
    /// get 408 and are closed (slowloris), as are silent ones [default: 10].
    #[arg(long, env = "SIGNPOST_HEADER_TIMEOUT_SECS", value_name = "SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a client may take to send a ticket body; slower ones get 408
    /// [default: 20].
    #[arg(long, env = "SIGNPOST_BODY_TIMEOUT_SECS", value_name = "SECS")]
    pub body_timeout_secs: Option<u64>,
    /// Days raw analytics events are kept; daily counts stay [default: 90].
    #[arg(long, env = "SIGNPOST_ANALYTICS_RETENTION_DAYS", value_name = "DAYS")]
    pub analytics_retention_days: Option<u32>,
}

impl Settings {
    /// The defaults under the file at `path` (if any); errors name the file,
    /// the key and the line.
    pub fn load(path: Option<&Path>) -> Result<Settings, String> {
        let Some(path) = path else {
            return Ok(Settings::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }

    /// Lays the flags (and the variables clap read for them) over these.
    pub fn apply(&mut self, flags: Flags) {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *slot = value;
            }
        }
        set(&mut self.port, flags.port);
        set(&mut self.bind, flags.bind);
        set(&mut self.db, flags.db);
        set(&mut self.widget_dir, flags.widget_dir);
        set(&mut self.demo_dir, flags.demo_dir);
        if !flags.allow_origins.is_empty() {
            self.allow_origins = flags.allow_origins;
        }
        self.trust_proxy |= flags.trust_proxy;
        set(&mut self.rate_limit.burst, flags.rate_burst);
        set(&mut self.rate_limit.per_minute, flags.rate_per_minute);
        self.rate_limit.enabled &= !flags.no_rate_limit;
        set(&mut self.header_timeout_secs, flags.header_timeout_secs);
        set(&mut self.body_timeout_secs, flags.body_timeout_secs);
        set(
            &mut self.analytics_retention_days,
            flags.analytics_retention_days,
        );
    }

    /// Checks the settings and builds what the relay runs with. `file`
    /// names the configuration file in errors.
    pub fn prepare(self, file: Option<&Path>) -> Result<Prepared, String> {
        let source = Source { file };
        let inbox_token = match std::env::var("SIGNPOST_INBOX_TOKEN") {
            Ok(token) if !token.is_empty() => Some(token),
            _ => secret(
                &self.inbox_token,
                &self.inbox_token_env,
                "inbox_token",
                &source.name(),
            )?,
        };
        if inbox_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err("the inbox token must be at least 16 characters".into());
        }
        if self.analytics_retention_days == 0 {
            return Err("analytics_retention_days must be at least 1".into());
        }
        let limits = &self.rate_limit;
        let enabled = limits.enabled;
        Ok(Prepared {
            destinations: destinations(&self.forward, &source)?,
            db: Location::parse(&self.db),
            inbox_token,
            rate_limit: enabled.then_some((limits.burst, limits.per_minute)),
            events_rate_limit: enabled.then_some((limits.events_burst, limits.events_per_minute)),
            header_timeout: Duration::from_secs(self.header_timeout_secs.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout_secs.max(1)),
            settings: self,
        })
    }
}

/// Checked settings, with what was built from them.
pub struct Prepared {
    pub settings: Settings,
    pub db: Location,
    pub inbox_token: Option<String>,
    /// (burst, per minute) for tickets; `None` when limits are off.
    pub rate_limit: Option<(u32, u32)>,
    /// (burst, per minute) for event batches; `None` when limits are off.
    pub events_rate_limit: Option<(u32, u32)>,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub destinations: Vec<Destination>,
}

/// Parses config text; the error names the key at fault.
pub fn parse(text: &str) -> Result<Settings, String> {
    // " (line N)" for where a TOML error points, if it points anywhere.
    let line = |e: &toml::de::Error| {
        e.span()
            .map(|span| format!(" (line {})", text[..span.start].matches('\n').count() + 1))
            .unwrap_or_default()
    };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| format!("{}{}", e.message().trim(), line(&e)))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.message().trim().to_string();
        let line = line(&inner);
        if key == "." {
            format!("{message}{line}")
        } else {
            format!("key `{key}`: {message}{line}")
        }
    })
}

/// Where a value comes from, for error messages.
pub struct Source<'a> {
    pub file: Option<&'a Path>,
}

impl Source<'_> {
    fn name(&self) -> String {
        match self.file {
            Some(path) => format!("config file {}", path.display()),
            None => "the configuration".into(),
        }
    }
}

/// A secret given inline or, better, through the environment variable the
/// `*_env` key names.
fn secret(
    inline: &Option<String>,
    env_key: &Option<String>,
    key: &str,
    at: &str,
) -> Result<Option<String>, String> {
    match (inline, env_key) {
        (Some(_), Some(_)) => Err(format!("{at}: set `{key}` or `{key}_env`, not both")),
        (Some(value), None) => Ok(Some(value.clone())),
        (None, Some(var)) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Some(value)),
            _ => Err(format!(
                "{at}: `{key}_env` names the environment variable {var}, which is not set"
            )),
        },
        (None, None) => Ok(None),
    }
}

/// Builds the destinations from `[[forward]]` tables, checking every key.
pub fn destinations(forward: &[Forward], source: &Source<'_>) -> Result<Vec<Destination>, String> {
    let mut seen = std::collections::BTreeSet::new();
    forward
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let at = format!("{}: forward[{index}] (name = {:?})", source.name(), f.name);
            let valid_name = !f.name.is_empty()
                && f.name.len() <= 64
                && f.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid_name {
                return Err(format!("{at}: key `name` must be 1 to 64 letters, digits, '-' or '_'"));
            }
            if !seen.insert(f.name.clone()) {
                return Err(format!("{at}: key `name`: another destination has this name"));
            }
            let tiers = match &f.tiers {
                Some(tiers) => {
                    for tier in tiers {
                        if Priority::from_name(tier).is_none() {
                            let known: Vec<_> = Priority::ALL.map(Priority::as_str).into();
                            return Err(format!(
                                "{at}: key `tiers`: unknown tier {tier:?}; use {}",
                                known.join(", ")
                            ));
                        }
                    }
                    tiers.clone()
                }
                None => Priority::ALL.map(|t| t.as_str().to_string()).into(),
            };
            // Kept well under the forwarder's 60 s lease, so a slow attempt
            // is never leased out again while it is still running.
            let timeout = Duration::from_secs(f.timeout_secs.unwrap_or(15).clamp(1, 45));
            // A required key given as "" is as good as missing.
            let filled = |value: &str, key: &str| {
                if value.trim().is_empty() {
                    Err(format!("{at}: key `{key}` must not be empty"))
                } else {
                    Ok(())
                }
            };
            let http_url = |url: &str| -> Result<String, String> {
                filled(url, "url")?;
                if url.starts_with("https://") || url.starts_with("http://") {
                    Ok(url.to_string())
                } else {
                    Err(format!("{at}: key `url`: {url:?} is not an http(s) URL"))
                }
            };
            let sender = match &f.kind {
                ForwardKind::Webhook(w) => {
                    let secret = secret(&w.secret, &w.secret_env, "secret", &at)?
                        .ok_or_else(|| format!("{at}: key `secret_env` (or `secret`) is required for kind = \"webhook\""))?;
                    Sender::Webhook(Webhook::new(http_url(&w.url)?, secret, timeout))
                }
                ForwardKind::Zendesk(z) => {
                    let token = secret(&z.token, &z.token_env, "token", &at)?
                        .ok_or_else(|| format!("{at}: key `token_env` (or `token`) is required for kind = \"zendesk\""))?;
                    filled(&z.email, "email")?;
                    Sender::Zendesk(Zendesk::new(&http_url(&z.url)?, &z.email, &token, timeout))
                }
                ForwardKind::Email(e) => {
                    filled(&e.smtp_host, "smtp_host")?;
                    filled(&e.from, "from")?;
                    let security = match e.smtp_security {
                        Security::None => SmtpSecurity::None,
                        Security::StartTls => SmtpSecurity::StartTls,
                        Security::Tls => SmtpSecurity::Tls,
                    };
                    let port = e.smtp_port.unwrap_or(match security {
                        SmtpSecurity::Tls => 465,
                        SmtpSecurity::StartTls => 587,
                        SmtpSecurity::None => 25,
                    });
                    let password = secret(&e.smtp_password, &e.smtp_password_env, "smtp_password", &at)?;
                    let credentials = match (&e.smtp_username, password) {
                        (Some(user), Some(password)) => Some((user.clone(), password)),
                        (None, None) => None,
                        _ => return Err(format!("{at}: keys `smtp_username` and `smtp_password_env` go together")),
                    };
                    let email = Email::new(&e.smtp_host, port, security, credentials, &e.from, &e.to, timeout)
                        .map_err(|e| format!("{at}: {e}"))?;
                    Sender::Email(email)
                }
            };
            Ok(Destination {
                name: f.name.clone(),
                tiers,
                max_attempts: f.max_attempts.unwrap_or(12).max(1),
                retry_base: Duration::from_millis(f.retry_base_ms.unwrap_or(2_000).max(1)),
                sender,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_type_names_the_key_and_line() {
        let err = parse("port = 8080\n[rate_limit]\nburst = \"ten\"\n").unwrap_err();
        assert!(err.contains("key `rate_limit.burst`"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let err = parse("prot = 8080\n").unwrap_err();
        assert!(err.contains("prot"), "{err}");
    }

    #[test]
    fn a_forward_table_missing_a_key_is_named() {
        let err = parse("[[forward]]\nname = \"pager\"\nkind = \"webhook\"\nsecret = \"s\"\n")
            .unwrap_err();
        assert!(err.contains("forward[0]"), "{err}");
        assert!(err.contains("`url`"), "{err}");
    }

    #[test]
    fn a_forward_table_refuses_keys_of_another_kind_and_unknown_kinds() {
        let err = parse(
            "[[forward]]\nname = \"p\"\nkind = \"webhook\"\nurl = \"http://x\"\nsecret = \"s\"\nsmtp_host = \"h\"\n",
        )
        .unwrap_err();
        assert!(err.contains("forward[0]"), "{err}");
        assert!(err.contains("smtp_host"), "{err}");
        let err = parse("[[forward]]\nname = \"p\"\nkind = \"pager\"\n").unwrap_err();
        assert!(err.contains("forward[0]"), "{err}");
        assert!(err.contains("pager") && err.contains("webhook"), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let mut settings =
            parse("port = 1\ndb = \"file.sqlite3\"\n[rate_limit]\nburst = 3\n").unwrap();
        settings.apply(Flags {
            db: Some("flag.sqlite3".into()),
            no_rate_limit: true,
            ..Flags::default()
        });
        assert_eq!(settings.port, 1);
        assert_eq!(settings.db, "flag.sqlite3");
        assert_eq!(settings.rate_limit.burst, 3);
        assert!(!settings.rate_limit.enabled);
    }

    #[test]
    fn an_unknown_tier_is_refused() {
        let file = parse(
            "[[forward]]\nname = \"p\"\nkind = \"webhook\"\nurl = \"http://x\"\nsecret = \"s\"\ntiers = [\"urgent\"]\n",
        )
        .unwrap();
        let err = destinations(&file.forward, &Source { file: None })
            .err()
            .unwrap();
        assert!(err.contains("unknown tier \"urgent\""), "{err}");
    }

    #[test]
    fn a_required_key_left_empty_is_named() {
        for (table, key) in [
            ("kind = \"webhook\"\nurl = \"\"\nsecret = \"s\"", "url"),
            (
                "kind = \"zendesk\"\nurl = \"https://z\"\nemail = \" \"\ntoken = \"t\"",
                "email",
            ),
            (
                "kind = \"email\"\nsmtp_host = \"\"\nfrom = \"a@b.c\"\nto = [\"d@e.f\"]",
                "smtp_host",
            ),
            (
                "kind = \"email\"\nsmtp_host = \"h\"\nfrom = \"\"\nto = [\"d@e.f\"]",
                "from",
            ),
        ] {
            let file = parse(&format!("[[forward]]\nname = \"p\"\n{table}\n")).unwrap();
            let err = destinations(&file.forward, &Source { file: None })
                .err()
                .unwrap();
            assert!(err.contains("forward[0]"), "{err}");
            assert!(
                err.contains(&format!("key `{key}` must not be empty")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_secret_from_an_unset_variable_is_reported() {
        let file = parse(
            "[[forward]]\nname = \"p\"\nkind = \"webhook\"\nurl = \"http://x\"\nsecret_env = \"SIGNPOST_TEST_UNSET_SECRET_VAR\"\n",
        )
        .unwrap();
        let err = destinations(&file.forward, &Source { file: None })
            .err()
            .unwrap();
        assert!(
            err.contains("SIGNPOST_TEST_UNSET_SECRET_VAR, which is not set"),
            "{err}"
        );
    }
}
