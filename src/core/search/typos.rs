//! A seeded generator of typing mistakes, to measure typo tolerance
//! (`signpost eval --typos SEED`, `tests/search_quality.rs`).
//!
//! Every word of five or more letters gets exactly one mistake: two
//! neighbouring letters swapped, one dropped, one replaced, or one inserted.
//! The same seed and text always give the same result on every platform.
//!
//! [`inject_phone_typos`] models thumbs on a phone keyboard instead: a
//! replaced or inserted letter is a neighbouring key (QWERTY), and words of
//! eight or more letters get two mistakes.

/// SplitMix64: tiny, fast, and good enough to pick mistakes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// Returns `text` with one typing mistake in every word of at least five
/// letters. The mistakes depend only on `seed` and `text`.
pub fn inject_typos(text: &str, seed: u64) -> String {
    inject(text, seed, false)
}

/// Returns `text` with phone-keyboard mistakes: one in every word of five
/// to seven letters, two in every longer word; replaced and inserted letters
/// are keys next to the intended one. The mistakes depend only on `seed`
/// and `text`.
pub fn inject_phone_typos(text: &str, seed: u64) -> String {
    inject(text, seed, true)
}

fn inject(text: &str, seed: u64, phone: bool) -> String {
    let mut rng = Rng::new(seed ^ super::index::fnv1a(text.bytes()));
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphabetic() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        let mut word: Vec<char> = chars[start..i].to_vec();
        if word.len() >= 5 {
            mutate(&mut word, &mut rng, phone);
        }
        if phone && word.len() >= 8 {
            mutate(&mut word, &mut rng, phone);
        }
        out.extend(word);
    }
    out
}

fn random_letter(rng: &mut Rng, not: char) -> char {
    loop {
        let c = char::from(LETTERS[rng.below(LETTERS.len())]);
        if c != not.to_ascii_lowercase() {
            return c;
        }
    }
}

/// A key next to `c` on a QWERTY keyboard, or any other letter when `c` is
/// not a letter key.
fn neighbour_key(rng: &mut Rng, c: char) -> char {
    let near: Vec<u8> = LETTERS
        .iter()
        .copied()
        .filter(|&k| super::fuzzy::keys_adjacent(c.to_ascii_lowercase(), char::from(k)))
        .collect();
    if near.is_empty() {
        random_letter(rng, c)
    } else {
        char::from(near[rng.below(near.len())])
    }
}

fn mutate(word: &mut Vec<char>, rng: &mut Rng, phone: bool) {
    match rng.below(4) {
        0 => {
            // Swap two neighbours that differ, so the word really changes.
            let pairs: Vec<usize> = (0..word.len() - 1)
                .filter(|&p| word[p] != word[p + 1])
                .collect();
            if pairs.is_empty() {
                let p = rng.below(word.len());
                word[p] = random_letter(rng, word[p]);
            } else {
                let p = pairs[rng.below(pairs.len())];
                word.swap(p, p + 1);
            }
        }
        1 => {
            word.remove(rng.below(word.len()));
        }
        2 => {
            let p = rng.below(word.len());
            word[p] = if phone {
                neighbour_key(rng, word[p])
            } else {
                random_letter(rng, word[p])
            };
        }
        _ => {
            let p = rng.below(word.len() + 1);
            let c = if phone {
                neighbour_key(rng, word[p.min(word.len() - 1)])
            } else {
                random_letter(rng, '\0')
            };
            word.insert(p, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::search::fuzzy::bounded_distance;

    #[test]
    fn every_long_word_gets_exactly_one_mistake() {
        let text = "How can I delete my facebook account, please?";
        let typo = inject_typos(text, 7);
        assert_ne!(typo, text);
        let words = |s: &str| -> Vec<Vec<char>> {
            s.split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(|w| w.chars().collect())
                .collect()
        };
        for (a, b) in words(text).iter().zip(words(&typo).iter()) {
            let d = bounded_distance(a, b, 2);
            if a.len() >= 5 {
                assert_eq!(d, Some(1), "{a:?} -> {b:?}");
            } else {
                assert_eq!(d, Some(0));
            }
        }
    }

    #[test]
    fn phone_mistakes_are_near_keys_and_long_words_get_two() {
        let text = "forgotten password notifications camera";
        let typo = inject_phone_typos(text, 3);
        for (a, b) in text.split(' ').zip(typo.split(' ')) {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let plain = bounded_distance(&a, &b, 4).expect("close");
            // Two mistakes can land on one spot (a swap undone, say).
            let most = if a.len() >= 8 { 2 } else { 1 };
            assert!((1..=most).contains(&plain), "{a:?} -> {b:?}");
        }
        assert_ne!(inject_phone_typos(text, 3), inject_phone_typos(text, 4));
    }

    #[test]
    fn the_same_seed_gives_the_same_mistakes() {
        let text = "Cannot connect the camera to wireless";
        assert_eq!(inject_typos(text, 42), inject_typos(text, 42));
        assert_ne!(inject_typos(text, 42), inject_typos(text, 43));
    }
}
