//! Privacy scrubbing: runs on every context item before it is shown to the
//! user, stored in the outbox or sent.
//!
//! It redacts what often leaks into support tickets by accident: email
//! addresses, card numbers (Luhn-checked, so order numbers survive), JWTs,
//! bearer and API tokens, URL query strings and fragments, and values whose
//! key names say they are secret. Hand-written scanners instead of a regex
//! engine keep the wasm small. Scrubbing is idempotent: the markers it writes
//! never match again.

/// The URL without its query string and fragment, which often carry tokens,
/// emails and session ids.
pub fn scrub_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_string()
}

/// Replaces an email address.
pub const EMAIL_MARK: &str = "[email]";
/// Replaces a card number.
pub const CARD_MARK: &str = "[card]";
/// Replaces a token, key or JWT.
pub const TOKEN_MARK: &str = "[token]";
/// Replaces the value of a secret-looking key.
pub const REDACTED_MARK: &str = "[redacted]";

/// Key-name fragments that mark a value as secret (case-insensitive,
/// ignoring `-` and `_`), in the spirit of Sentry's default scrubbing.
const SECRET_KEY_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "auth",
    "credential",
    "session",
    "cookie",
    "privatekey",
    "signature",
];

/// Prefixes of well-known API key formats.
const TOKEN_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "pk_live_",
    "rk_live_",
    "ghp_",
    "gho_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "AKIA",
    "AIza",
    "glpat-",
];

/// Shortest run of token characters that is redacted on entropy alone.
const MIN_OPAQUE_TOKEN_LEN: usize = 24;

/// What to scrub, configurable by the integrator.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    /// Extra token prefixes to redact, e.g. the product's own `lumen_sk_`.
    pub extra_token_prefixes: Vec<String>,
    /// Key names that are never treated as secret, e.g. `auth_method`.
    pub allowed_keys: Vec<String>,
}

impl Scrubber {
    /// Scrubs free text: emails, card numbers, tokens, and URL queries.
    pub fn scrub_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if let Some((len, mark)) = self.match_at(&chars, i) {
                match mark {
                    Mark::Replace(m) => out.push_str(m),
                    Mark::Keep(kept) => out.push_str(&kept),
                }
                i += len;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    }

    /// Scrubs one key/value pair of host context: the whole value goes when
    /// the key looks secret (unless allowed), else the value is scrubbed as text.
    pub fn scrub_pair(&self, key: &str, value: &str) -> String {
        if self.is_secret_key(key) {
            REDACTED_MARK.to_string()
        } else {
            self.scrub_text(value)
        }
    }

    /// Whether a key name says its value is secret.
    pub fn is_secret_key(&self, key: &str) -> bool {
        if self
            .allowed_keys
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
        {
            return false;
        }
        let folded: String = key
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        SECRET_KEY_PARTS.iter().any(|part| folded.contains(part))
    }

    fn match_at(&self, chars: &[char], i: usize) -> Option<(usize, Mark)> {
        // Only start a match at a word boundary, so "abc@x.io" is not
        // matched from its middle and markers are never re-entered.
        if i > 0 && is_token_char(chars[i - 1]) {
            return None;
        }
        if let Some(len) = match_url(chars, i) {
            let url: String = chars[i..i + len].iter().collect();
            return Some((len, Mark::Keep(scrub_url(&url))));
        }
        if let Some(len) = match_bearer(chars, i) {
            return Some((len, Mark::Keep(format!("Bearer {TOKEN_MARK}"))));
        }
        if let Some(len) = match_email(chars, i) {
            return Some((len, Mark::Replace(EMAIL_MARK)));
        }
        if let Some(len) = match_card(chars, i) {
            return Some((len, Mark::Replace(CARD_MARK)));
        }
        if let Some(len) = self.match_token(chars, i) {
            return Some((len, Mark::Replace(TOKEN_MARK)));
        }
        None
    }

    fn match_token(&self, chars: &[char], i: usize) -> Option<usize> {
        let len = chars[i..]
            .iter()
            .take_while(|c| is_token_char(**c) || **c == '.')
            .count();
        if len == 0 {
            return None;
        }
        let word: String = chars[i..i + len].iter().collect();
        let word = word.trim_end_matches('.');
        let len = word.chars().count();
        let prefixed = TOKEN_PREFIXES
            .iter()
            .copied()
            .chain(self.extra_token_prefixes.iter().map(String::as_str))
            .any(|p| !p.is_empty() && word.starts_with(p) && len > p.len() + 3);
        let is_jwt = word.starts_with("eyJ")
            && word.split('.').count() == 3
            && word.split('.').all(|part| part.len() >= 4);
        (prefixed || is_jwt || looks_opaque(word)).then_some(len)
    }
}

enum Mark {
    Replace(&'static str),
    Keep(String),
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// A long run of letters and digits mixed together: API keys, session ids,
/// hashes. Hyphenated words ("two-factor-authentication-2024") and long
/// plain numbers don't qualify: some `-`/`_`-separated part of at least 16
/// characters must mix letters and digits.
fn looks_opaque(word: &str) -> bool {
    word.len() >= MIN_OPAQUE_TOKEN_LEN
        && !word.contains('.')
        && word.split(['-', '_']).any(|part| {
            part.len() >= 16
                && part.chars().filter(char::is_ascii_digit).count() >= 2
                && part.chars().filter(char::is_ascii_alphabetic).count() >= 2
        })
}

fn match_url(chars: &[char], i: usize) -> Option<usize> {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    let lower = rest.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None;
    }
    let len = chars[i..]
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')' | ']'))
        .count();
    let url: String = chars[i..i + len].iter().collect();
    url.contains(['?', '#']).then_some(len)
}

fn match_bearer(chars: &[char], i: usize) -> Option<usize> {
    let word: String = chars[i..chars.len().min(i + 7)].iter().collect();
    if !word.eq_ignore_ascii_case("bearer ") {
        return None;
    }
    let token_len = chars[i + 7..]
        .iter()
        .take_while(|c| is_token_char(**c) || matches!(c, '.' | '~' | '+' | '/' | '='))
        .count();
    let token: String = chars[i + 7..i + 7 + token_len].iter().collect();
    (token_len >= 8 && token != TOKEN_MARK).then_some(7 + token_len)
}

fn match_email(chars: &[char], i: usize) -> Option<usize> {
    let is_local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let local = chars[i..].iter().take_while(|c| is_local(**c)).count();
    if local == 0 || chars.get(i + local) != Some(&'@') {
        return None;
    }
    let start = i + local + 1;
    let domain = chars[start..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .count();
    let domain_text: String = chars[start..start + domain].iter().collect();
    let domain_text = domain_text.trim_end_matches(['.', '-']);
    let labels: Vec<&str> = domain_text.split('.').collect();
    let valid = labels.len() >= 2 && labels.iter().all(|l| !l.is_empty());
    valid.then_some(local + 1 + domain_text.len())
}

/// 13 to 19 digits, optionally grouped by single spaces or dashes, passing
/// the Luhn check.
fn match_card(chars: &[char], i: usize) -> Option<usize> {
    if !chars[i].is_ascii_digit() {
        return None;
    }
    let mut digits = Vec::new();
    let mut end = i;
    let mut j = i;
    while j < chars.len() && digits.len() < 19 {
        let c = chars[j];
        if let Some(d) = c.to_digit(10) {
            digits.push(d);
            j += 1;
            end = j;
        } else if (c == ' ' || c == '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
            j += 1;
        } else {
            break;
        }
    }
    // A card number is not glued to more digits or letters.
    if chars.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    ((13..=19).contains(&digits.len()) && luhn_valid(&digits)).then_some(end - i)
}

/// The Luhn checksum used by payment card numbers.
pub fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(n, &d)| {
            if n % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(text: &str) -> String {
        Scrubber::default().scrub_text(text)
    }

    #[test]
    fn emails_in_free_text_are_redacted() {
        assert_eq!(
            scrub("mail me at ana.lopez+cam@example.co.uk, thanks"),
            "mail me at [email], thanks"
        );
    }

    #[test]
    fn card_numbers_are_redacted_only_when_luhn_valid() {
        assert_eq!(
            scrub("card 4242 4242 4242 4242 failed"),
            "card [card] failed"
        );
        assert_eq!(scrub("card 4242-4242-4242-4242."), "card [card].");
        // An order number of card length that fails Luhn is kept.
        assert_eq!(scrub("order 1234567890123456"), "order 1234567890123456");
    }

    #[test]
    fn tokens_jwts_and_bearer_headers_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(scrub(&format!("token={jwt}")), "token=[token]");
        assert_eq!(
            scrub("Authorization: Bearer abc.def-123_XYZ"),
            "Authorization: Bearer [token]"
        );
        assert_eq!(
            scrub("key sk_live_51HaBcD and more"),
            "key [token] and more"
        );
        assert_eq!(
            scrub("session 9f8A7b6C5d4E3f2A1b0C9d8E7f6A"),
            "session [token]"
        );
    }

    #[test]
    fn url_queries_and_fragments_are_dropped_in_text() {
        assert_eq!(
            scrub("see https://app.lumen.example/reset?token=abc#top now"),
            "see https://app.lumen.example/reset now"
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "My Lumen Cam 2 (firmware 4.12.0) won't join Wi-Fi on 5 GHz since 2024-03-01.",
            "enable two-factor-authentication-2024 in settings",
            "serial LUMEN-CAM-2, order 100200300",
        ] {
            assert_eq!(scrub(text), text);
        }
    }

    #[test]
    fn secret_keys_hide_the_whole_value_unless_allowed() {
        let scrubber = Scrubber {
            allowed_keys: vec!["auth_method".into()],
            ..Scrubber::default()
        };
        assert_eq!(scrubber.scrub_pair("API-Key", "plain"), REDACTED_MARK);
        assert_eq!(
            scrubber.scrub_pair("userPassword", "hunter2"),
            REDACTED_MARK
        );
        assert_eq!(scrubber.scrub_pair("auth_method", "sso"), "sso");
        assert_eq!(scrubber.scrub_pair("plan", "pro, ana@x.io"), "pro, [email]");
    }

    #[test]
    fn integrators_can_add_token_prefixes() {
        let scrubber = Scrubber {
            extra_token_prefixes: vec!["lumen_sk_".into()],
            ..Scrubber::default()
        };
        assert_eq!(scrubber.scrub_text("lumen_sk_abcd1234"), TOKEN_MARK);
    }

    #[test]
    fn luhn_matches_known_numbers() {
        let digits = |s: &str| {
            s.chars()
                .map(|c| c.to_digit(10).unwrap())
                .collect::<Vec<_>>()
        };
        assert!(luhn_valid(&digits("4111111111111111")));
        assert!(luhn_valid(&digits("378282246310005")));
        assert!(!luhn_valid(&digits("4111111111111112")));
    }

    // proptest is a native dev-dependency; the wasm build only type-checks tests.
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Card numbers with a valid Luhn digit, built from 15 random digits.
        fn card() -> impl Strategy<Value = String> {
            proptest::collection::vec(0u32..10, 15).prop_map(|mut d| {
                d.insert(0, 4);
                let check = (0..10).find(|c| {
                    let mut all = d.clone();
                    all.push(*c);
                    luhn_valid(&all)
                });
                d.push(check.unwrap());
                d.iter()
                    .map(|x| char::from_digit(*x, 10).unwrap())
                    .collect()
            })
        }

        fn secret() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-z]{1,8}\\.[a-z]{1,8}@[a-z]{2,10}\\.(com|org|io|co\\.uk)",
                card(),
                "sk_live_[A-Za-z0-9]{8,24}",
                "eyJ[A-Za-z0-9_-]{6,20}\\.[A-Za-z0-9_-]{6,20}\\.[A-Za-z0-9_-]{6,20}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn no_seeded_secret_survives(
                before in "[a-zA-Z ,.:()!?]{0,40}",
                secret in secret(),
                after in "[a-zA-Z ,.:()!?]{0,40}",
            ) {
                let text = format!("{before} {secret} {after}");
                let scrubbed = scrub(&text);
                prop_assert!(!scrubbed.contains(&secret), "{secret:?} survived in {scrubbed:?}");
            }

            #[test]
            fn scrubbing_is_idempotent(text in "\\PC{0,120}", secret in secret()) {
                let once = scrub(&format!("{text} {secret}"));
                prop_assert_eq!(scrub(&once), once.clone());
            }
        }
    }
}
