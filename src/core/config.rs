//! Embed options: what the loader read from the script tag's `data-*`
//! attributes, parsed and checked in one place.

use crate::core::json::{Fields, Json, Path};
use crate::core::scrub::Scrubber;
pub use crate::core::text::comma_list;

/// A comma-separated option as owned items; see [`comma_list`].
fn list(value: Option<String>) -> Vec<String> {
    value
        .as_deref()
        .map_or_else(Vec::new, comma_list)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// When the "contact support" route is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactPolicy {
    /// Contact is offered from the start.
    Always,
    /// Contact appears once the user has searched, read an article or run a flow.
    #[default]
    AfterAttempt,
    /// No contact route (self-service only).
    Never,
}

/// Light, dark, or following the user's system preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

/// Which bottom corner the launcher and panel sit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Position {
    Left,
    #[default]
    Right,
}

/// The options an integrator sets on the script tag. Every field has a
/// default, so an empty tag works.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedOptions {
    /// URL of the content bundle (`data-content`).
    pub content: Option<String>,
    /// Where tickets are posted (`data-endpoint`).
    pub endpoint: String,
    /// Preferred locale, e.g. `de` (`data-locale`); `None` follows the browser.
    pub locale: Option<String>,
    pub position: Position,
    pub theme: Theme,
    pub contact: ContactPolicy,
    /// Whether the loader draws the launcher button (`data-launcher`).
    pub launcher: bool,
    /// Panel heading (`data-title`).
    pub title: String,
    /// Context keys never redacted, comma-separated (`data-allow-keys`),
    /// e.g. `auth_method` when it holds no secret.
    pub allow_keys: Vec<String>,
    /// The product's own token prefixes to redact, comma-separated
    /// (`data-token-prefixes`), e.g. `lumen_sk_`.
    pub token_prefixes: Vec<String>,
    /// Where anonymous usage events go; `None` when `data-analytics="off"`.
    /// The loader fills it in: `data-events`, else beside the ticket
    /// endpoint (`…/tickets` → `…/events`).
    pub events: Option<String>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            content: None,
            endpoint: "/api/tickets".into(),
            locale: None,
            position: Position::default(),
            theme: Theme::default(),
            contact: ContactPolicy::default(),
            launcher: true,
            title: "Help".into(),
            allow_keys: Vec::new(),
            token_prefixes: Vec::new(),
            events: None,
        }
    }
}

impl EmbedOptions {
    /// Parses the loader's JSON. Unknown keys are ignored so an older widget
    /// keeps working under a newer loader; a bad value names the option.
    pub fn from_json(json: &str) -> Result<EmbedOptions, String> {
        let value = Json::parse(json).map_err(|e| format!("invalid Signpost options: {e}"))?;
        Self::from_value(&value).map_err(|e| format!("invalid Signpost option {e}"))
    }

    fn from_value(value: &Json) -> Result<EmbedOptions, crate::core::json::JsonError> {
        let f = Fields::of(value, Path::Root)?;
        let d = EmbedOptions::default();
        // The order of each list is the enum's declaration order.
        let contact = match f.choice("contact", &["always", "after-attempt", "never"])? {
            Some(0) => ContactPolicy::Always,
            Some(2) => ContactPolicy::Never,
            Some(_) => ContactPolicy::AfterAttempt,
            None => d.contact,
        };
        let theme = match f.choice("theme", &["light", "dark", "auto"])? {
            Some(0) => Theme::Light,
            Some(1) => Theme::Dark,
            Some(_) => Theme::Auto,
            None => d.theme,
        };
        let position = match f.choice("position", &["left", "right"])? {
            Some(0) => Position::Left,
            Some(_) => Position::Right,
            None => d.position,
        };
        Ok(EmbedOptions {
            content: f.opt_str("content")?,
            endpoint: f.opt_str("endpoint")?.unwrap_or(d.endpoint),
            events: f.opt_str("events")?,
            locale: f.opt_str("locale")?,
            position,
            theme,
            contact,
            launcher: f.opt_bool("launcher")?.unwrap_or(d.launcher),
            title: f.opt_str("title")?.unwrap_or(d.title),
            allow_keys: list(f.opt_str("allowKeys")?),
            token_prefixes: list(f.opt_str("tokenPrefixes")?),
        })
    }

    /// The scrubber these options configure.
    pub fn scrubber(&self) -> Scrubber {
        Scrubber {
            extra_token_prefixes: self.token_prefixes.clone(),
            allowed_keys: self.allow_keys.clone(),
        }
    }
}

impl ContactPolicy {
    /// Whether the contact route shows, given whether the user has tried
    /// self-help yet (searched, read an article or run a flow).
    pub fn allows_contact(self, attempted_self_help: bool) -> bool {
        match self {
            ContactPolicy::Always => true,
            ContactPolicy::AfterAttempt => attempted_self_help,
            ContactPolicy::Never => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_tag_gets_working_defaults() {
        let options = EmbedOptions::from_json("{}").unwrap();
        assert_eq!(options.endpoint, "/api/tickets");
        assert_eq!(options.contact, ContactPolicy::AfterAttempt);
        assert!(options.launcher);
    }

    #[test]
    fn options_are_read_from_the_loader_json() {
        let options = EmbedOptions::from_json(
            r#"{"endpoint":"https://relay.example/api/tickets","contact":"never",
                "position":"left","theme":"dark","launcher":false,"locale":"de"}"#,
        )
        .unwrap();
        assert_eq!(options.contact, ContactPolicy::Never);
        assert_eq!(options.position, Position::Left);
        assert_eq!(options.theme, Theme::Dark);
        assert!(!options.launcher);
        assert_eq!(options.locale.as_deref(), Some("de"));
    }

    #[test]
    fn integrators_configure_scrubbing_on_the_tag() {
        let options = EmbedOptions::from_json(
            r#"{"allowKeys":"auth_method, plan ,","tokenPrefixes":"lumen_sk_"}"#,
        )
        .unwrap();
        let scrubber = options.scrubber();
        assert_eq!(scrubber.allowed_keys, ["auth_method", "plan"]);
        assert!(!scrubber.is_secret_key("auth_method"));
        assert_eq!(
            scrubber.scrub_text("key lumen_sk_0123456789abcdefghijk"),
            "key [token]"
        );
    }

    #[test]
    fn a_bad_value_names_the_option_and_the_choices() {
        let err = EmbedOptions::from_json(r#"{"contact":"sometimes"}"#).unwrap_err();
        assert!(err.contains("sometimes"), "{err}");
        assert!(err.contains("after-attempt"), "{err}");
    }

    #[test]
    fn contact_follows_the_policy() {
        assert!(ContactPolicy::Always.allows_contact(false));
        assert!(!ContactPolicy::AfterAttempt.allows_contact(false));
        assert!(ContactPolicy::AfterAttempt.allows_contact(true));
        assert!(!ContactPolicy::Never.allows_contact(true));
    }
}
