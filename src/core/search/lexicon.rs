//! The built-in support vocabulary: synonym groups for the words people use
//! about accounts, billing, devices, connectivity and errors, in English
//! and German (`lexicon/en.txt`, `lexicon/de.txt`).
//!
//! The widget never parses these files. `signpost build` merges the groups
//! of the content's locales with the authors' own (`signpost.toml`) into
//! the bundle's synonym list, which the widget already reads, so the
//! vocabulary costs the widget no code, only bundle bytes.
//!
//! File format: one group per line, members separated by commas; a member
//! may be a phrase, and stop words inside it count (`sign in`). `#` starts a
//! comment. Members are matched after normalisation, so `Wi-Fi`, `wifi` and
//! `WiFi` are one member, and `removing` matches `remove`.
//!
//! ```
//! use signpost::core::search::lexicon::{merge, parse};
//!
//! let builtin = parse("delete, remove, erase\nwifi, wi-fi, wlan # wireless\n");
//! assert_eq!(builtin[1], ["wifi", "wi-fi", "wlan"]);
//! // An author's group that names a built-in member replaces that group.
//! let author = vec![vec!["delete".to_string(), "purge".to_string()]];
//! let merged = merge(builtin, &author);
//! assert_eq!(merged, [vec!["wifi", "wi-fi", "wlan"], vec!["delete", "purge"]]);
//! ```

use super::normalize::fold;

/// English support vocabulary.
pub const EN: &str = include_str!("lexicon/en.txt");
/// German support vocabulary.
pub const DE: &str = include_str!("lexicon/de.txt");

/// The built-in vocabulary for a locale (`en`, `en-GB`, `de`, `de-AT`, …),
/// if one ships.
pub fn builtin(locale: &str) -> Option<&'static str> {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    match fold(lang).as_str() {
        "en" => Some(EN),
        "de" => Some(DE),
        _ => None,
    }
}

/// Parses the lexicon text format into synonym groups. Groups with fewer
/// than two members are dropped.
pub fn parse(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .map(|line| {
            line.split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect::<Vec<String>>()
        })
        .filter(|g| g.len() >= 2)
        .collect()
}

/// The built-in groups of every locale in `locales` (each once).
pub fn builtin_groups<'a>(locales: impl IntoIterator<Item = &'a str>) -> Vec<Vec<String>> {
    let mut texts: Vec<&'static str> = Vec::new();
    for l in locales {
        if let Some(t) = builtin(l) {
            if !texts.contains(&t) {
                texts.push(t);
            }
        }
    }
    texts.into_iter().flat_map(parse).collect()
}

/// The built-in groups, less every group that shares a member with one of
/// the author's groups, followed by the author's groups. So an author
/// extends the vocabulary with new groups and overrides a built-in group by
/// writing a group with one of its members; a group of one member
/// (`["plan"]`) removes the built-in groups that hold it and adds nothing.
pub fn merge(builtin: Vec<Vec<String>>, author: &[Vec<String>]) -> Vec<Vec<String>> {
    let key = |m: &str| fold(m).split_whitespace().collect::<Vec<_>>().join(" ");
    let named: Vec<String> = author.iter().flatten().map(|m| key(m)).collect();
    builtin
        .into_iter()
        .filter(|g| !g.iter().any(|m| named.contains(&key(m))))
        .chain(author.iter().filter(|g| g.len() >= 2).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::{Document, Index, IndexOptions, Kind, SearchOptions};

    /// A small help centre written in the help centre's words, not the user's.
    fn help_centre() -> Vec<Document> {
        let doc = |id: &str, title: &str, body: &str| {
            Document::new(id, Kind::Article, title).with_body(body)
        };
        vec![
            doc(
                "delete-facebook",
                "Delete your Facebook account",
                "Open Settings, choose Your Facebook information, then Deactivation and deletion.",
            ),
            doc(
                "account-settings",
                "Change your account settings",
                "Your name, email address and language are under Settings.",
            ),
            doc(
                "oldest-message",
                "Find the earliest message in a conversation",
                "Scroll to the top of the thread or search by date.",
            ),
            doc(
                "camera-wifi",
                "Camera does not join the wireless network",
                "Make sure the router sends a 2.4 GHz network and the password is right.",
            ),
            doc(
                "wlan-kamera",
                "Kamera findet das Funknetz nicht",
                "Prüfen Sie, ob der Router ein 2,4-GHz-Netz sendet und das Kennwort stimmt.",
            ),
            doc(
                "billing",
                "Download an invoice",
                "Every payment has an invoice under Billing.",
            ),
        ]
    }

    fn first(synonyms: Vec<Vec<String>>, query: &str) -> String {
        let index = Index::build(
            help_centre(),
            &IndexOptions {
                synonyms,
                ..Default::default()
            },
        );
        let r = index.search(query, &SearchOptions::default());
        r.ranked().first().map(|h| h.id.clone()).unwrap_or_default()
    }

    #[test]
    fn the_vocabulary_finds_articles_written_in_other_words() {
        let both = || builtin_groups(["en", "de"]);
        for (query, want) in [
            ("how do i get rid of my fb acct", "delete-facebook"),
            ("show me the oldest msg", "oldest-message"),
            ("cam wont connect to wifi", "camera-wifi"),
            ("where is my receipt?", "billing"),
        ] {
            assert_eq!(first(both(), query), want, "{query:?}");
            assert_ne!(
                first(Vec::new(), query),
                want,
                "{query:?} needs no vocabulary"
            );
        }
        // German "WLAN" is the English "wireless" and the German "Funknetz".
        let query = "wlan verbindung bricht ab";
        assert!(first(Vec::new(), query).is_empty());
        let found = first(both(), query);
        assert!(
            ["camera-wifi", "wlan-kamera"].contains(&found.as_str()),
            "{found}"
        );
    }

    #[test]
    fn an_author_can_turn_a_builtin_group_off() {
        let without = merge(builtin_groups(["en"]), &[vec!["receipt".to_string()]]);
        assert_ne!(first(without, "where is my receipt?"), "billing");
    }

    #[test]
    fn every_shipped_group_has_two_members_and_no_member_is_blank() {
        for text in [EN, DE] {
            for line in text.lines() {
                let body = line.split('#').next().unwrap_or("");
                if body.trim().is_empty() {
                    continue;
                }
                let members: Vec<&str> = body.split(',').map(str::trim).collect();
                assert!(members.len() >= 2, "one-member group: {line:?}");
                assert!(members.iter().all(|m| !m.is_empty()), "blank: {line:?}");
            }
        }
    }

    #[test]
    fn the_groups_quoted_in_the_docs_are_shipped() {
        let docs = include_str!("../../../docs/search.md");
        let opening = "one group per line:\n\n```text\n";
        let start = docs.find(opening).expect("the example") + opening.len();
        let block = &docs[start..start + docs[start..].find("```").expect("its end")];
        let shipped: Vec<&str> = EN.lines().map(str::trim).collect();
        for line in block.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                shipped.contains(&line),
                "docs/search.md quotes {line:?}, en.txt lacks it"
            );
        }
    }

    #[test]
    fn locales_pick_their_language() {
        assert_eq!(builtin("de-AT"), Some(DE));
        assert_eq!(builtin("EN_gb"), Some(EN));
        assert_eq!(builtin("fr"), None);
        let both = builtin_groups(["en", "de", "en-US"]);
        assert_eq!(both.len(), parse(EN).len() + parse(DE).len());
    }

    #[test]
    fn a_one_member_author_group_removes_the_builtin_group() {
        let builtin = parse("subscription, plan, membership\ninvoice, bill");
        let merged = merge(builtin, &[vec!["Plan".to_string()]]);
        assert_eq!(merged, [vec!["invoice", "bill"]]);
    }
}
