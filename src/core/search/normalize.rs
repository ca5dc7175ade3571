//! Text normalisation shared by indexing and querying: case and diacritic
//! folding, word splitting, and the content language's stop words and
//! Snowball stemmer ([`Analyzer`]).
//!
//! Indexing and querying must normalise identically, so both go through
//! [`tokenize`].

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One word of a text after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded, lower-case surface form ("connecting").
    pub word: String,
    /// Stemmed form used as the index term ("connect").
    pub term: String,
    /// Byte range of the word in the original text (always on char boundaries).
    pub span: Range<usize>,
    /// Whether the word is a stop word of the content's language (kept so
    /// phrases such as "sign in" can still be matched as synonyms).
    pub stop: bool,
    /// Whether this token is the two previous words joined because the text
    /// wrote them with a hyphen ("wi-fi" also yields "wifi").
    pub joined: bool,
}

/// Folds one character to lower-case ASCII where a close equivalent exists
/// ("É" → "e", "ß" → "ss"); other characters are lower-cased.
/// Pushes the result to `out`.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' | 'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "c",
        'ď' | 'đ' | 'ð' | 'Ď' | 'Đ' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ'
        | 'Ė' | 'Ę' | 'Ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
        'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī'
        | 'Ĭ' | 'Į' | 'İ' => "i",
        'ĵ' | 'Ĵ' => "j",
        'ķ' | 'Ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø'
        | 'Ō' | 'Ŏ' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'Ţ' | 'Ť' | 'Ŧ' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ'
        | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "u",
        'ŵ' | 'Ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => {
            out.push(lower_case(c));
            return;
        }
    };
    out.push_str(folded);
}

/// Lower-cases the cased alphabets help content is written in: Latin,
/// Greek, Cyrillic, Armenian and full-width Latin. Other characters pass
/// unchanged. `char::to_lowercase` covers every script, but its table costs
/// the widget about 5 KB of download.
fn lower_case(c: char) -> char {
    let code = c as u32;
    match c {
        'Ÿ' => return 'ÿ',
        'Ӏ' => return 'ӏ',
        _ => {}
    }
    let offset = match code {
        0x00C0..=0x00DE if code != 0x00D7 => 0x20,
        // Latin Extended-A: upper and lower case alternate.
        0x0100..=0x0137 | 0x014A..=0x0177 if code % 2 == 0 => 1,
        0x0139..=0x0148 | 0x0179..=0x017E if code % 2 == 1 => 1,
        0x0391..=0x03AB if code != 0x03A2 => 0x20,
        0x0400..=0x040F => 0x50,
        0x0410..=0x042F => 0x20,
        // Cyrillic supplement: upper and lower case alternate.
        0x0460..=0x0481 | 0x048A..=0x04BF | 0x04D0..=0x052F if code % 2 == 0 => 1,
        0x04C1..=0x04CE if code % 2 == 1 => 1,
        0x0531..=0x0556 => 0x30,
        0xFF21..=0xFF3A => 0x20,
        _ => 0,
    };
    char::from_u32(code + offset).unwrap_or(c)
}

/// Folds a whole string: lower case, diacritics removed where possible.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Splits `text` into normalised tokens, stemmed and with stop words marked
/// by the content language's `analyzer`.
///
/// Words are runs of letters and digits. An apostrophe inside a word is
/// dropped ("can't" → "cant"); a hyphen between two words also yields the
/// joined word ("e-mail" → "e", "mail", "email") so either spelling matches.
pub fn tokenize(text: &str, analyzer: Analyzer) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut buf = String::new();
    scan_words(text, |word, span, joined| {
        analyzer.stem_into(word, &mut buf);
        tokens.push(Token {
            word: word.to_string(),
            term: buf.clone(),
            span,
            stop: !joined && analyzer.is_stop_word(word),
            joined,
        });
    });
    tokens
}

/// The word scanner behind [`tokenize`], without allocating per word: calls
/// `f(folded word, byte span, joined)` for each word, and after the second
/// half of a hyphenated pair, once more with the two halves joined.
pub fn scan_words(text: &str, mut f: impl FnMut(&str, Range<usize>, bool)) {
    let mut word = String::new();
    // The previous word, kept while it is hyphen-linked to the current one.
    let mut prev = String::new();
    let mut prev_start = 0usize;
    let mut start = 0usize;
    let mut end = 0usize;
    let mut linked = false;
    let mut chars = text.char_indices().peekable();
    loop {
        let next = chars.next();
        if let Some((i, c)) = next {
            if c.is_alphanumeric() {
                if word.is_empty() {
                    start = i;
                }
                fold_char(c, &mut word);
                end = i + c.len_utf8();
                continue;
            }
            if !word.is_empty()
                && is_apostrophe(c)
                && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric())
            {
                continue;
            }
        }
        if !word.is_empty() {
            f(&word, start..end, false);
            if linked {
                prev.push_str(&word);
                f(&prev, prev_start..end, true);
            }
            let hyphen = matches!(next, Some((_, '-')))
                && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
            if hyphen {
                prev.clear();
                prev.push_str(&word);
                prev_start = start;
            }
            linked = hyphen;
            word.clear();
        } else {
            linked = false;
        }
        if next.is_none() {
            break;
        }
    }
}

/// English stop words, sorted (binary searched). Contractions appear without
/// their apostrophe because [`tokenize`] drops it.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "but", "by", "can", "cant", "could", "did", "didnt", "do",
    "does", "doesnt", "doing", "dont", "for", "from", "had", "has", "have", "having", "he", "her",
    "here", "hers", "him", "his", "how", "i", "id", "if", "im", "in", "into", "is", "isnt", "it",
    "its", "ive", "just", "me", "my", "myself", "of", "on", "or", "our", "ours", "own", "please",
    "she", "should", "so", "some", "such", "than", "that", "thats", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "too", "very", "was", "we", "were", "what",
    "whats", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours",
];

/// German stop words, folded as [`fold`] folds them (`für` → `fur`), sorted
/// and separated by spaces: one string instead of a table of string
/// references, which cost the widget twice as much. Like the English list,
/// it keeps negations (`nicht`, `kein`): "WLAN verbindet nicht" is a
/// different problem from "WLAN verbindet".
const GERMAN_STOP_WORDS: &str =
    "aber alle als also am an auch auf aus bei beim bin bis bist bitte da damit dann das \
     dass dein deine dem den denn der des dich die dir doch du durch ein eine einem \
     einen einer eines er es euch fur habe haben hat hatte ich ihm ihn ihr ihre im in \
     ins ist ja jetzt kann mal man mein meine meinem meinen meiner mich mir mit mochte \
     muss nach noch nun nur ob oder schon sehr sein seine sich sie sind so soll uber um \
     und uns unser vom von vor wann war warum was weil welche welcher welches wenn wer \
     werden wie wieder will wir wird wo wurde zu zum zur";

/// How the content's language is read: which stop words are left out and
/// which Snowball stemmer (`rust-stemmers`, the algorithms Lucene, tantivy
/// and Pagefind use) reduces words to index terms. Chosen once per index
/// from the content's default locale, and applied alike to the content and
/// to queries.
///
/// Stop words are too common to tell documents apart, so they are not
/// indexed and count for nothing in a query (synonym phrases still see
/// them). Articles in the content's other languages keep their function
/// words: in a small translated part they are what tells its language
/// apart, and dropping them lost German queries with typos their answer
/// (docs/search.md, "Languages").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Analyzer {
    /// English stop words and stemmer: English content, or content that
    /// names no locale.
    #[default]
    English,
    /// German stop words and stemmer.
    German,
    /// A language without rules of its own here: no stop words, and the
    /// English stemmer (each Snowball language costs the widget 1–2 KB
    /// gzip, so one is added when there is content to measure it on).
    Other,
}

impl Analyzer {
    /// The rules of the content's default locale (`en`, `en-GB`, `de-AT`,
    /// …); English when no locale is given.
    pub fn for_locale(locale: &str) -> Analyzer {
        let lang = locale.split(['-', '_']).next().unwrap_or("");
        if lang.is_empty() || lang.eq_ignore_ascii_case("en") {
            Analyzer::English
        } else if lang.eq_ignore_ascii_case("de") {
            Analyzer::German
        } else {
            Analyzer::Other
        }
    }

    /// Whether a folded word is a stop word.
    pub fn is_stop_word(self, word: &str) -> bool {
        match self {
            Analyzer::English => STOP_WORDS.binary_search(&word).is_ok(),
            Analyzer::German => GERMAN_STOP_WORDS.split(' ').any(|w| w == word),
            Analyzer::Other => false,
        }
    }

    /// The stem of a folded lower-case word. Words with characters outside
    /// `a`–`z` ("2fa", "日本語"), and words of one or two letters, are kept
    /// as they are.
    pub fn stem(self, word: &str) -> String {
        let mut out = String::new();
        self.stem_into(word, &mut out);
        out
    }

    /// [`Analyzer::stem`] into a reused buffer (indexing stems every
    /// distinct word of the content).
    pub fn stem_into(self, word: &str, out: &mut String) {
        out.clear();
        if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            out.push_str(word);
            return;
        }
        // Each `create` names its algorithm, so only these two are linked.
        let stemmer = match self {
            Analyzer::German => Stemmer::create(Algorithm::German),
            Analyzer::English | Analyzer::Other => Stemmer::create(Algorithm::English),
        };
        out.push_str(&stemmer.stem(word));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_agrees_with_the_standard_library_on_the_alphabets_it_covers() {
        let ranges = [
            0x41..=0x5A,
            0xC0..=0x17F,
            0x391..=0x3AB,
            0x400..=0x52F,
            0x531..=0x556,
            0xFF21..=0xFF3A,
        ];
        for code in ranges.into_iter().flatten() {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut std_lower = c.to_lowercase();
            if std_lower.len() == 1 {
                let expected = std_lower.next().unwrap();
                let ours = if c.is_ascii() {
                    c.to_ascii_lowercase()
                } else {
                    lower_case(c)
                };
                assert_eq!(ours, expected, "U+{code:04X} {c}");
            }
        }
        assert_eq!(fold("ÜBER Ωμέγα ПРИВЕТ"), "uber ωμέγα привет");
    }

    #[test]
    fn stop_word_lists_are_sorted_without_duplicates_and_folded() {
        // English is binary-searched; German is scanned, and kept sorted so
        // that a duplicate or a missing word shows when the list is edited.
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        let german: Vec<&str> = GERMAN_STOP_WORDS.split(' ').collect();
        assert!(german.windows(2).all(|w| w[0] < w[1]));
        // Written folded, or a German word with an umlaut would never match.
        assert!(german.iter().all(|w| !w.is_empty() && fold(w) == *w));
    }

    #[test]
    fn the_content_s_locale_chooses_the_stop_words() {
        let english = Analyzer::for_locale("");
        assert_eq!(english, Analyzer::for_locale("en-GB"));
        assert!(english.is_stop_word("the") && !english.is_stop_word("und"));
        let german = Analyzer::for_locale("de-AT");
        assert_eq!(german, Analyzer::German);
        assert!(german.is_stop_word("und") && german.is_stop_word("fur"));
        assert!(!german.is_stop_word("the"));
        assert!(!german.is_stop_word("nicht") && !german.is_stop_word("wlan"));
        assert!(!Analyzer::for_locale("fr").is_stop_word("the"));
        let stops: Vec<bool> = tokenize("Das WLAN verbindet nicht", german)
            .iter()
            .map(|t| t.stop)
            .collect();
        assert_eq!(stops, [true, false, false, false]);
    }

    #[test]
    fn english_stems_match_the_snowball_reference_vocabulary() {
        // Pairs from the Snowball project's English sample vocabulary
        // (snowballstem.org, algorithms/english).
        for (word, want) in [
            ("consign", "consign"),
            ("consigned", "consign"),
            ("consignment", "consign"),
            ("consistency", "consist"),
            ("consistently", "consist"),
            ("consolation", "consol"),
            ("consolatory", "consolatori"),
            ("consolidating", "consolid"),
            ("conspiracy", "conspiraci"),
            ("conspirators", "conspir"),
            ("constables", "constabl"),
            ("generously", "generous"),
            ("knightly", "knight"),
        ] {
            assert_eq!(Analyzer::English.stem(word), want, "stem({word})");
        }
        // What a help centre needs from it: forms of one word meet.
        for forms in [
            ["connect", "connecting", "connections"],
            ["delete", "deleting", "deleted"],
            ["account", "accounts", "accounting"],
        ] {
            let stems: Vec<String> = forms.iter().map(|w| Analyzer::English.stem(w)).collect();
            assert!(
                stems.iter().all(|s| *s == stems[0]),
                "{forms:?} → {stems:?}"
            );
        }
    }

    #[test]
    fn german_content_is_stemmed_with_german_rules() {
        // From the Snowball project's German sample vocabulary.
        for (word, want) in [
            ("aufeinanderfolgenden", "aufeinanderfolg"),
            ("aufeinanderfolgend", "aufeinanderfolg"),
        ] {
            assert_eq!(Analyzer::German.stem(word), want, "stem({word})");
        }
        // "Verbinden" finds the article about "Verbindungen".
        let german = |w: &str| Analyzer::German.stem(&fold(w));
        assert_eq!(german("verbinden"), german("Verbindungen"));
        assert_eq!(german("Einstellungen"), german("Einstellung"));
        assert_eq!(german("Geräte"), german("Gerät"));
        // English rules do not join them.
        let english = |w: &str| Analyzer::English.stem(&fold(w));
        assert_ne!(english("verbinden"), english("Verbindungen"));
    }

    #[test]
    fn non_ascii_and_short_words_are_not_stemmed() {
        for analyzer in [Analyzer::English, Analyzer::German, Analyzer::Other] {
            assert_eq!(analyzer.stem("as"), "as");
            assert_eq!(analyzer.stem("日本語"), "日本語");
            assert_eq!(analyzer.stem("2fa"), "2fa");
        }
    }

    #[test]
    fn folding_removes_case_and_diacritics() {
        assert_eq!(fold("Café Déjà Vu"), "cafe deja vu");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ÆØÅ"), "aeoa");
    }

    #[test]
    fn tokens_keep_byte_spans_of_the_original_text() {
        let text = "Réglages: Wi-Fi, can't connect!";
        let toks = tokenize(text, Analyzer::English);
        let words: Vec<&str> = toks.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(words, ["reglages", "wi", "fi", "wifi", "cant", "connect"]);
        assert_eq!(&text[toks[0].span.clone()], "Réglages");
        assert_eq!(&text[toks[3].span.clone()], "Wi-Fi");
        assert!(toks[3].joined);
        assert_eq!(&text[toks[4].span.clone()], "can't");
        assert!(toks[4].stop);
        assert_eq!(toks[5].term, "connect");
    }

    #[test]
    fn punctuation_separates_words() {
        let words: Vec<String> = tokenize("foo.bar/baz_qux (x)", Analyzer::English)
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(words, ["foo", "bar", "baz", "qux", "x"]);
    }
}
