//! What a ticket carries besides the user's own words: the searches they
//! typed, the articles they read and how they rated them, each guided fix as
//! a transcript, and facts about the page and browser.
//!
//! The widget records the visit in a [`Visit`]; [`Visit::items`] turns it
//! into [`ContextItem`]s, already scrubbed and bounded, which is exactly what
//! the user previews ("What we'll send"), may remove one by one, and sends.
//! The page URL is not an item: it is the ticket's own `page_url` field.

pub use crate::core::checks::describe_user_agent;
use crate::core::json::Json;
use crate::core::scrub::Scrubber;
pub use crate::core::text::{bound_line, CUT_MARK, MAX_LINE_CHARS};
use serde::{Deserialize, Serialize};

/// Most lines kept per item; the rest are summarised in one line.
pub const MAX_LINES: usize = 100;
/// Most items a ticket carries.
pub const MAX_ITEMS: usize = 40;

/// What a context item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// What the user typed into search, final forms only.
    Searches,
    /// An article they opened.
    Article,
    /// A guided fix they went through.
    Flow,
    /// Browser, OS, locale, time zone, screen.
    Environment,
    /// Widget and content versions.
    Versions,
    /// Values the host page set with `setContext`.
    Host,
    /// Errors seen on the page since the widget loaded (with consent).
    PageErrors,
}

impl ItemKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Searches => "searches",
            ItemKind::Article => "article",
            ItemKind::Flow => "flow",
            ItemKind::Environment => "environment",
            ItemKind::Versions => "versions",
            ItemKind::Host => "host",
            ItemKind::PageErrors => "page_errors",
        }
    }
}

/// One removable piece of context, as shown to the user and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextItem {
    /// What this is about.
    pub kind: ItemKind,
    /// A heading: "Searches", an article's or flow's title, "Browser".
    pub title: String,
    /// The article or flow id, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// How it ended: `helpful` / `not helpful` for articles; `resolved`,
    /// `ticket` or `left` for flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The readable content, one fact or transcript step per line.
    #[serde(default)]
    pub lines: Vec<String>,
}

impl ContextItem {
    /// The widget's JSON form (serde's form; a test holds them together).
    pub fn to_json(&self) -> Json {
        Json::object(vec![
            ("kind", Json::Str(self.kind.as_str().to_string())),
            ("title", Json::Str(self.title.clone())),
            ("id", Json::opt_str(self.id.as_deref())),
            ("outcome", Json::opt_str(self.outcome.as_deref())),
            (
                "lines",
                Json::Arr(self.lines.iter().cloned().map(Json::Str).collect()),
            ),
        ])
    }

    /// Bytes this item adds to the ticket's JSON, its separating comma
    /// included, for the payload cap.
    pub fn weight(&self) -> usize {
        self.to_json().to_text().len() + 1
    }
}

/// An article the user opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleVisit {
    pub id: String,
    pub title: String,
    /// Their answer to "Did this answer your question?", if any.
    pub helpful: Option<bool>,
}

/// A guided fix the user went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowVisit {
    pub id: String,
    pub title: String,
    /// The readable transcript (`Session::transcript_lines`).
    pub transcript: Vec<String>,
    /// `resolved`, `ticket` or `left`.
    pub outcome: String,
}

/// Who the host page says the user is (`Signpost('identify', {...})`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub email: Option<String>,
    /// The host's own user id; sent as a context line, never shown as a field.
    pub id: Option<String>,
}

/// Everything recorded during one visit, before scrubbing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit {
    /// From `identify`: prefills the form; the id goes with the host values.
    pub identity: Identity,
    /// Search box contents in the order typed, keystroke by keystroke.
    pub searches: Vec<String>,
    pub articles: Vec<ArticleVisit>,
    pub flows: Vec<FlowVisit>,
    /// Browser facts as `(name, value)`: browser, OS, locale, time zone, screen.
    pub environment: Vec<(String, String)>,
    /// `(name, value)`: widget, content.
    pub versions: Vec<(String, String)>,
    /// `setContext` values, in the order set (later wins for a key).
    pub host: Vec<(String, String)>,
    /// Page errors, only when the user agreed to send them.
    pub page_errors: Vec<String>,
}

impl Visit {
    /// Records a search box change. Typing produces every prefix ("c",
    /// "ca", "cam"…); only what the user settled on is worth sending.
    pub fn searched(&mut self, query: &str) {
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        if let Some(last) = self.searches.last_mut() {
            if query.starts_with(last.as_str()) || last.starts_with(query) {
                *last = query.to_string();
                return;
            }
        }
        self.searches.push(query.to_string());
    }

    /// Sets one host value, replacing an earlier one with the same key.
    pub fn set_host(&mut self, key: &str, value: &str) {
        self.host.retain(|(k, _)| k != key);
        self.host.push((key.to_string(), value.to_string()));
    }

    /// The context to preview and send: scrubbed, each line bounded, at
    /// most [`MAX_ITEMS`] items.
    pub fn items(&self, scrubber: &Scrubber) -> Vec<ContextItem> {
        let text = |s: &str| bound_line(&scrubber.scrub_text(s));
        let item = |kind, title: &str, lines: Vec<String>| ContextItem {
            kind,
            title: title.to_string(),
            id: None,
            outcome: None,
            lines: bound_lines(lines),
        };
        let pairs = |pairs: &[(String, String)], secret_keys: bool| {
            pairs
                .iter()
                .map(|(k, v)| {
                    let value = if secret_keys {
                        scrubber.scrub_pair(k, v)
                    } else {
                        scrubber.scrub_text(v)
                    };
                    bound_line(&format!("{}: {value}", scrubber.scrub_text(k)))
                })
                .collect::<Vec<_>>()
        };
        let mut items = Vec::new();
        if !self.searches.is_empty() {
            let lines = self.searches.iter().map(|s| text(s)).collect();
            items.push(item(ItemKind::Searches, "Searches", lines));
        }
        for a in &self.articles {
            items.push(ContextItem {
                id: Some(a.id.clone()),
                outcome: a
                    .helpful
                    .map(|h| if h { "helpful" } else { "not helpful" }.into()),
                ..item(ItemKind::Article, &a.title, Vec::new())
            });
        }
        for f in &self.flows {
            let lines = f.transcript.iter().map(|l| text(l)).collect();
            items.push(ContextItem {
                id: Some(f.id.clone()),
                outcome: Some(f.outcome.clone()),
                ..item(ItemKind::Flow, &f.title, lines)
            });
        }
        if !self.environment.is_empty() {
            let lines = pairs(&self.environment, false);
            items.push(item(ItemKind::Environment, "Browser", lines));
        }
        if !self.versions.is_empty() {
            let lines = pairs(&self.versions, false);
            items.push(item(ItemKind::Versions, "Versions", lines));
        }
        let mut host = self.host.clone();
        if let Some(id) = &self.identity.id {
            host.insert(0, ("user id".into(), id.clone()));
        }
        if !host.is_empty() {
            let lines = pairs(&host, true);
            items.push(item(ItemKind::Host, "From the page", lines));
        }
        if !self.page_errors.is_empty() {
            let lines = self.page_errors.iter().map(|e| text(e)).collect();
            items.push(item(ItemKind::PageErrors, "Page errors", lines));
        }
        items.truncate(MAX_ITEMS);
        items
    }
}

fn bound_lines(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > MAX_LINES {
        let more = lines.len() - (MAX_LINES - 1);
        lines.truncate(MAX_LINES - 1);
        lines.push(format!("… {more} more lines not sent"));
    }
    lines
}

/// Drops context until `items` weigh at most `budget` bytes, least useful
/// first: page errors, host values, then the oldest items of other kinds,
/// keeping flows (the transcript is what support needs most) to the last.
/// Returns how many items were dropped.
pub fn fit(items: &mut Vec<ContextItem>, budget: usize) -> usize {
    let rank = |k: ItemKind| match k {
        ItemKind::PageErrors => 0,
        ItemKind::Host => 1,
        ItemKind::Searches => 2,
        ItemKind::Article => 3,
        ItemKind::Environment | ItemKind::Versions => 4,
        ItemKind::Flow => 5,
    };
    let mut total: usize = items.iter().map(ContextItem::weight).sum();
    let mut dropped = 0;
    while total > budget {
        let Some(victim) = (0..items.len()).min_by_key(|&i| rank(items[i].kind)) else {
            break;
        };
        total -= items.remove(victim).weight();
        dropped += 1;
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit() -> Visit {
        let mut v = Visit::default();
        for typed in [
            "c",
            "ca",
            "cam",
            "camera",
            "camera wifo",
            "camera wif",
            "camera wifi",
        ] {
            v.searched(typed);
        }
        v.searched("   ");
        v.searched("billing");
        v.articles.push(ArticleVisit {
            id: "wifi-bands".into(),
            title: "Wi-Fi bands".into(),
            helpful: Some(false),
        });
        v.flows.push(FlowVisit {
            id: "camera-wifi".into(),
            title: "Camera won't join Wi-Fi".into(),
            transcript: vec!["00:03 What is the light doing? → Blinking amber".into()],
            outcome: "ticket".into(),
        });
        v.searched("see https://app.example/setup?token=abc#step2");
        v.environment.push(("browser".into(), "Chrome 126".into()));
        v.versions.push(("widget".into(), "0.1.0".into()));
        v.set_host("plan", "pro");
        v.set_host("api_key", "lumen_sk_live_1234567890abcdef");
        v.set_host("plan", "team");
        v
    }

    #[test]
    fn user_agents_become_a_browser_and_a_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome 126", "Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67", "Edge 125", "Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17", "iOS"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox 127", "macOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36", "Chrome 126", "Android"),
            ("curl/8.5.0", "unknown", "unknown"),
        ];
        for (ua, browser, os) in cases {
            assert_eq!(
                describe_user_agent(ua),
                (browser.to_string(), os.to_string()),
                "{ua}"
            );
        }
    }

    #[test]
    fn the_host_user_id_travels_with_the_host_values() {
        let mut v = visit();
        v.identity.id = Some("u_42".into());
        let items = v.items(&Scrubber::default());
        let host = items.iter().find(|i| i.kind == ItemKind::Host).unwrap();
        assert_eq!(host.lines[0], "user id: u_42");
    }

    #[test]
    fn typing_keeps_only_what_the_user_settled_on() {
        assert_eq!(
            visit().searches,
            [
                "camera wifi",
                "billing",
                "see https://app.example/setup?token=abc#step2"
            ]
        );
    }

    #[test]
    fn items_are_scrubbed_before_anyone_sees_them() {
        let mut v = visit();
        v.searches
            .push("my email is ana@example.com card 4111 1111 1111 1111".into());
        let items = v.items(&Scrubber::default());
        let all: String = items
            .iter()
            .flat_map(|i| i.lines.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        for secret in [
            "ana@example.com",
            "4111",
            "token=abc",
            "step2",
            "lumen_sk_live",
        ] {
            assert!(!all.contains(secret), "{secret} leaked:\n{all}");
        }
        assert!(all.contains("see https://app.example/setup"), "{all}");
        assert!(all.contains("plan: team"), "later setContext wins: {all}");
        assert!(!all.contains("plan: pro"), "{all}");
        let kinds: Vec<_> = items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                ItemKind::Searches,
                ItemKind::Article,
                ItemKind::Flow,
                ItemKind::Environment,
                ItemKind::Versions,
                ItemKind::Host
            ]
        );
        assert_eq!(items[1].outcome.as_deref(), Some("not helpful"));
        assert_eq!(items[2].outcome.as_deref(), Some("ticket"));
    }

    #[test]
    fn integrators_can_allow_keys_and_add_token_formats() {
        let mut v = Visit::default();
        v.set_host("auth_method", "sso");
        v.set_host("note", "key acme_live_0123456789abcdefghij here");
        let scrubber = Scrubber {
            allowed_keys: vec!["auth_method".into()],
            extra_token_prefixes: vec!["acme_live_".into()],
        };
        let lines = &v.items(&scrubber)[0].lines;
        assert_eq!(lines[0], "auth_method: sso");
        assert!(!lines[1].contains("0123456789"), "{}", lines[1]);
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let mut v = Visit::default();
        v.searched(&"é".repeat(MAX_LINE_CHARS + 50));
        v.page_errors = (0..MAX_LINES + 20)
            .map(|i| format!("TypeError {i}"))
            .collect();
        let items = v.items(&Scrubber::default());
        assert!(items[0].lines[0].ends_with(CUT_MARK));
        assert_eq!(
            items[0].lines[0].chars().count(),
            MAX_LINE_CHARS + CUT_MARK.chars().count()
        );
        assert_eq!(items[1].lines.len(), MAX_LINES);
        assert_eq!(items[1].lines.last().unwrap(), "… 21 more lines not sent");
    }

    #[test]
    fn fitting_a_budget_drops_the_least_useful_first() {
        let mut v = visit();
        v.page_errors = vec!["x".repeat(400)];
        let mut items = v.items(&Scrubber::default());
        let flow_weight = items
            .iter()
            .find(|i| i.kind == ItemKind::Flow)
            .unwrap()
            .weight();
        let dropped = fit(&mut items, flow_weight);
        assert!(dropped > 0);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].kind,
            ItemKind::Flow,
            "the transcript stays longest"
        );
    }

    #[test]
    fn the_widget_json_matches_serde() {
        for item in visit().items(&Scrubber::default()) {
            let ours = item.to_json().to_text();
            assert_eq!(ours, serde_json::to_string(&item).unwrap());
            assert_eq!(serde_json::from_str::<ContextItem>(&ours).unwrap(), item);
        }
    }
}
