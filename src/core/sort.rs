//! A small in-place heap sort.
//!
//! The standard library's sorts are fast but large: every call site with its
//! own element type or comparator gets its own copy of several kilobytes of
//! code, which the widget pays for in download size. The core sorts short
//! lists (query terms, matches, ranked hits), where a heap sort is as quick
//! in practice and costs a few hundred bytes per use.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, in place, in O(n log n) time and no extra
/// memory. Not stable: equal items may change order, so callers break ties
/// in `compare` when order matters.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let len = items.len();
    for start in (0..len / 2).rev() {
        sift_down(items, start, len, &mut compare);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &mut compare);
    }
}

/// Sorts `items` in ascending order; see [`sort_by`].
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

fn sift_down<T>(
    items: &mut [T],
    mut root: usize,
    end: usize,
    compare: &mut impl FnMut(&T, &T) -> Ordering,
) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && compare(&items[child], &items[child + 1]) == Ordering::Less {
            child += 1;
        }
        if compare(&items[root], &items[child]) != Ordering::Less {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

// proptest is a native dev-dependency; the wasm build only type-checks tests.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_the_standard_library(mut v in proptest::collection::vec(any::<i32>(), 0..200)) {
            let mut expected = v.clone();
            expected.sort();
            sort(&mut v);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn sort_by_honours_the_comparator(mut v in proptest::collection::vec((0u8..5, any::<u16>()), 0..100)) {
            let mut expected = v.clone();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            sort_by(&mut v, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            prop_assert_eq!(v, expected);
        }
    }
}
