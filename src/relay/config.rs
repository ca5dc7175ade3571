//! The relay's configuration: a TOML file, then environment variables, then
//! command-line flags, each overriding the one before.

use super::forward::email::{Email, SmtpSecurity};
use super::forward::webhook::Webhook;
use super::forward::zendesk::Zendesk;
use super::forward::{Destination, Sender};
use super::store::Location;
use crate::core::flow::format::Priority;
use serde::Deserialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file, as written. Every key is optional; unknown keys are refused so
/// a typo is reported instead of silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub port: Option<u16>,
    pub bind: Option<IpAddr>,
    pub db: Option<String>,
    pub widget_dir: Option<PathBuf>,
    pub demo_dir: Option<PathBuf>,
    pub allow_origins: Option<Vec<String>>,
    pub trust_proxy: Option<bool>,
    pub inbox_token: Option<String>,
    pub inbox_token_env: Option<String>,
    pub header_timeout_secs: Option<u64>,
    pub body_timeout_secs: Option<u64>,
    pub analytics_retention_days: Option<u32>,
    pub rate_limit: Option<RateLimitConfig>,
    #[serde(default)]
    pub forward: Vec<ForwardConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub enabled: Option<bool>,
    pub burst: Option<u32>,
    pub per_minute: Option<u32>,
    /// Event batches a client may send in a burst, and per minute after it.
    pub events_burst: Option<u32>,
    pub events_per_minute: Option<u32>,
}

/// One `[[forward]]` table. Which keys apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardConfig {
    pub name: String,
    pub kind: String,
    pub tiers: Option<Vec<String>>,
    pub max_attempts: Option<u32>,
    pub retry_base_ms: Option<u64>,
    pub timeout_secs: Option<u64>,
    // webhook, zendesk
    pub url: Option<String>,
    // webhook
    pub secret: Option<String>,
    pub secret_env: Option<String>,
    // zendesk
    pub email: Option<String>,
    pub token: Option<String>,
    pub token_env: Option<String>,
    // email
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_security: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_password_env: Option<String>,
    pub from: Option<String>,
    pub to: Option<Vec<String>>,
}

/// Reads and parses a config file; errors name the file and the key.
pub fn load(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("config file {}: {e}", path.display()))
}

/// Parses config text; the error names the key at fault.
pub fn parse(text: &str) -> Result<FileConfig, String> {
    // " (line N)" for where a TOML error points, if it points anywhere.
    let line = |e: &toml::de::Error| {
        e.span()
            .map(|span| format!(" (line {})", text[..span.start].lines().count().max(1)))
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

/// Everything `serve` runs with, after merging.
pub struct Settings {
    pub port: u16,
    pub bind: IpAddr,
    pub db: Location,
    pub widget_dir: PathBuf,
    pub demo_dir: PathBuf,
    pub allow_origins: Vec<String>,
    pub trust_proxy: bool,
    pub inbox_token: Option<String>,
    pub rate_limit: Option<(u32, u32)>,
    /// (burst, per minute) for event batches; `None` when limits are off.
    pub events_rate_limit: Option<(u32, u32)>,
    /// Days raw analytics events are kept.
    pub analytics_retention_days: u32,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub destinations: Vec<Destination>,
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
pub fn destinations(
    forward: &[ForwardConfig],
    source: &Source<'_>,
) -> Result<Vec<Destination>, String> {
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
            let required = |value: &Option<String>, key: &str| {
                value
                    .clone()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| format!("{at}: key `{key}` is required for kind = {:?}", f.kind))
            };
            let http_url = |key: &str| -> Result<String, String> {
                let url = required(&f.url, key)?;
                if url.starts_with("https://") || url.starts_with("http://") {
                    Ok(url)
                } else {
                    Err(format!("{at}: key `{key}`: {url:?} is not an http(s) URL"))
                }
            };
            let sender = match f.kind.as_str() {
                "webhook" => {
                    let secret = secret(&f.secret, &f.secret_env, "secret", &at)?
                        .ok_or_else(|| format!("{at}: key `secret_env` (or `secret`) is required for kind = \"webhook\""))?;
                    Sender::Webhook(Webhook::new(http_url("url")?, secret, timeout))
                }
                "zendesk" => {
                    let token = secret(&f.token, &f.token_env, "token", &at)?
                        .ok_or_else(|| format!("{at}: key `token_env` (or `token`) is required for kind = \"zendesk\""))?;
                    Sender::Zendesk(Zendesk::new(&http_url("url")?, &required(&f.email, "email")?, &token, timeout))
                }
                "email" => {
                    let security = match f.smtp_security.as_deref().unwrap_or("starttls") {
                        "none" => SmtpSecurity::None,
                        "starttls" => SmtpSecurity::StartTls,
                        "tls" => SmtpSecurity::Tls,
                        other => {
                            return Err(format!(
                                "{at}: key `smtp_security`: {other:?} is not one of none, starttls, tls"
                            ))
                        }
                    };
                    let port = f.smtp_port.unwrap_or(match security {
                        SmtpSecurity::Tls => 465,
                        SmtpSecurity::StartTls => 587,
                        SmtpSecurity::None => 25,
                    });
                    let password = secret(&f.smtp_password, &f.smtp_password_env, "smtp_password", &at)?;
                    let credentials = match (&f.smtp_username, password) {
                        (Some(user), Some(password)) => Some((user.clone(), password)),
                        (None, None) => None,
                        _ => return Err(format!("{at}: keys `smtp_username` and `smtp_password_env` go together")),
                    };
                    let to = f.to.clone().unwrap_or_default();
                    let email = Email::new(
                        &required(&f.smtp_host, "smtp_host")?,
                        port,
                        security,
                        credentials,
                        &required(&f.from, "from")?,
                        &to,
                        timeout,
                    )
                    .map_err(|e| format!("{at}: {e}"))?;
                    Sender::Email(email)
                }
                other => {
                    return Err(format!(
                        "{at}: key `kind`: {other:?} is not one of webhook, zendesk, email"
                    ))
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

/// The inbox token from the file (inline or through `inbox_token_env`).
pub fn inbox_token(file: &FileConfig, source: &Source<'_>) -> Result<Option<String>, String> {
    secret(
        &file.inbox_token,
        &file.inbox_token_env,
        "inbox_token",
        &source.name(),
    )
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
        let file =
            parse("[[forward]]\nname = \"pager\"\nkind = \"webhook\"\nsecret = \"s\"\n").unwrap();
        let source = Source {
            file: Some(Path::new("signpost.toml")),
        };
        let err = destinations(&file.forward, &source).err().unwrap();
        assert!(err.contains("signpost.toml"), "{err}");
        assert!(err.contains("forward[0]"), "{err}");
        assert!(err.contains("`url`"), "{err}");
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
