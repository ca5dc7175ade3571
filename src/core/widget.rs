//! Decisions the widget makes that are not about drawing: which bundle to
//! use when the network and the offline copy disagree, which language to
//! speak, and how a flow in progress is saved. Plain Rust, tested natively;
//! `platform` does the fetching and storing, `ui` the drawing.

use crate::core::content::Bundle;

/// Where the bundle in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleSource {
    /// Fetched just now; worth keeping as the offline copy.
    Network,
    /// The last good copy kept in the browser (offline, or the server sent
    /// something unreadable).
    Saved,
}

/// Why no content can be shown: the network's problem and, when there was
/// a saved copy, why it could not be used either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoContent {
    /// What went wrong with the fetch or the fetched bundle.
    pub network: String,
}

/// Picks the bundle to use: the fetched one when it reads, else the saved
/// copy when that reads (`saved` is only called then: reading it costs
/// time on the way to a usable panel). A fetched bundle of another format
/// is an error worth logging even when the saved copy saves the day.
pub fn choose_bundle(
    fetched: &Result<String, String>,
    saved: impl FnOnce() -> Option<String>,
) -> Result<(Bundle, BundleSource), NoContent> {
    let network = match fetched.as_ref().map(|text| Bundle::from_json(text)) {
        Ok(Ok(bundle)) => return Ok((bundle, BundleSource::Network)),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.clone(),
    };
    match saved().map(|text| Bundle::from_json(&text)) {
        Some(Ok(bundle)) => Ok((bundle, BundleSource::Saved)),
        _ => Err(NoContent { network }),
    }
}

/// The languages the panel's own words come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    German,
}

impl Language {
    /// The BCP 47 primary tag: `en`, `de`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }
}

/// The panel's language: the script tag's `data-locale` when set, else the
/// browser's first language; anything not translated is English.
/// `de-AT` and `DE` count as German.
pub fn pick_language(option: Option<&str>, browser: Option<&str>) -> Language {
    let primary = option
        .filter(|o| !o.trim().is_empty())
        .or(browser)
        .unwrap_or("en");
    let primary = primary.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("de") {
        Language::German
    } else {
        Language::English
    }
}

/// Joins a flow id and its session JSON for `sessionStorage`, so a reload
/// knows which flow to resume before reading the session.
pub fn save_flow(flow_id: &str, session_json: &str) -> String {
    format!("{flow_id}\n{session_json}")
}

/// Splits what [`save_flow`] wrote: `(flow_id, session_json)`.
pub fn saved_flow(text: &str) -> Option<(&str, &str)> {
    text.split_once('\n').filter(|(id, _)| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"format":2,"hash":"ab","built_at":"","product":{"name":"Lumen"},"locale":"en","articles":[],"flows":[]}"#;

    #[test]
    fn a_fresh_bundle_wins_and_is_worth_saving() {
        let (b, from) = choose_bundle(&Ok(GOOD.into()), || panic!("not read")).unwrap();
        assert_eq!(b.product.name, "Lumen");
        assert_eq!(from, BundleSource::Network);
    }

    #[test]
    fn offline_or_a_broken_download_falls_back_to_the_saved_copy() {
        let (_, from) = choose_bundle(&Err("offline".into()), || Some(GOOD.into())).unwrap();
        assert_eq!(from, BundleSource::Saved);
        let (_, from) =
            choose_bundle(&Ok("<html>502</html>".into()), || Some(GOOD.into())).unwrap();
        assert_eq!(from, BundleSource::Saved);
    }

    #[test]
    fn with_nothing_usable_the_network_problem_is_named() {
        let e =
            choose_bundle(&Err("Failed to fetch".into()), || Some("garbage".into())).unwrap_err();
        assert_eq!(e.network, "Failed to fetch");
        let e = choose_bundle(&Ok(r#"{"format":9}"#.into()), || None).unwrap_err();
        assert!(e.network.contains("format 9 is newer"), "{}", e.network);
        // A copy saved by a widget of the previous bundle format is not used.
        let old = GOOD.replacen("\"format\":2", "\"format\":1", 1);
        assert!(choose_bundle(&Err("offline".into()), || Some(old)).is_err());
    }

    #[test]
    fn the_script_tag_outranks_the_browser_and_unknown_languages_are_english() {
        assert_eq!(pick_language(Some("de"), Some("en-US")), Language::German);
        assert_eq!(pick_language(None, Some("de-AT")), Language::German);
        assert_eq!(pick_language(Some("DE_ch"), None), Language::German);
        assert_eq!(pick_language(Some(""), Some("de")), Language::German);
        assert_eq!(pick_language(Some("fr"), Some("de")), Language::English);
        assert_eq!(pick_language(None, None), Language::English);
    }

    #[test]
    fn a_saved_flow_splits_back_into_id_and_session() {
        let saved = save_flow("camera-wifi", "{\"a\":\"x\\ny\"}");
        assert_eq!(
            saved_flow(&saved),
            Some(("camera-wifi", "{\"a\":\"x\\ny\"}"))
        );
        assert_eq!(saved_flow("no newline"), None);
        assert_eq!(saved_flow("\n{}"), None);
    }
}
