//! [`Map`]: the sorted map that flows, sessions, checks and tickets hold.

use litemap::LiteMap;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut, Index};

/// A map sorted by key, iterated in key order: a sorted `Vec` of pairs
/// ([`LiteMap`]) rather than std's `BTreeMap`, because these maps hold a
/// handful of entries and BTreeMap's node code, copied for each key and
/// value type, cost the widget about 5 KB gzip, and std's sort (which
/// LiteMap's `extend` and `collect` call, so this map inserts instead)
/// about 3 KB more (docs/budgets.md, "Where the bytes go").
///
/// It reads and writes as a JSON object, also when empty (LiteMap's own
/// serde writes an empty map as `[]` and also reads lists of pairs), and an
/// object that names a key twice keeps the last value, as `BTreeMap` did.
/// The widget's own codec ([`crate::core::json`]) rejects such objects.
#[derive(Clone, PartialEq, Eq)]
pub struct Map<K, V>(LiteMap<K, V>);

impl<K, V> Map<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        Map(LiteMap::new_vec())
    }

    /// Has it no entries? (Inherent, for `skip_serializing_if`.)
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stored key and its value, as `BTreeMap::get_key_value`.
    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q> + Ord,
    {
        self.0
            .find_index(key)
            .ok()
            .and_then(|i| self.0.get_indexed(i))
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::new()
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = LiteMap<K, V>;

    fn deref(&self) -> &LiteMap<K, V> {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut LiteMap<K, V> {
        &mut self.0
    }
}

/// `map[key]`, as `BTreeMap` indexes: panics when the key is absent.
impl<K: Borrow<Q> + Ord, Q: Ord + ?Sized, V> Index<&Q> for Map<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.0.get(key).expect("no entry found for key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

/// Later pairs win over earlier ones with the same key.
impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Map::new();
        map.extend(iter);
        map
    }
}

/// Inserts one pair at a time (a later pair wins over an earlier one with
/// the same key). LiteMap's own `extend` and `collect` sort, and std's sort
/// costs kilobytes of wasm for each element type; these maps are small.
impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.0.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = <&'a LiteMap<K, V> as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for Map<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<K, V>(PhantomData<fn() -> (K, V)>);

        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for ObjectVisitor<K, V> {
            type Value = Map<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Map<K, V>, A::Error> {
                // Collected first, then sorted once: inserting pairs one by
                // one is quadratic when keys come out of order, and the
                // relay reads these from the network. (The widget does not
                // deserialise with serde, so the sort costs it nothing.)
                let mut pairs = Vec::new();
                while let Some(pair) = access.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Map(LiteMap::from_iter(pairs)))
            }
        }

        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_in_key_order_whatever_the_insertion_order() {
        let mut m = Map::new();
        m.insert("b".to_string(), 2);
        m.insert("c".to_string(), 3);
        m.insert("a".to_string(), 1);
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn a_later_pair_wins_as_in_a_btreemap() {
        let mut m: Map<&str, i32> = [("b", 1), ("a", 1), ("b", 2)].into_iter().collect();
        m.extend([("c", 3), ("a", 2)]);
        assert_eq!(m, Map::from([("a", 2), ("b", 2), ("c", 3)]));
        assert_eq!(format!("{m:?}"), r#"{"a": 2, "b": 2, "c": 3}"#);
    }

    #[test]
    fn serialises_as_an_object_also_when_empty() {
        let empty: Map<String, String> = Map::new();
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        let m = Map::from([("b".to_string(), 2), ("a".to_string(), 1)]);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":1,"b":2}"#);
    }

    #[test]
    fn reads_the_same_as_a_btreemap_did() {
        use std::collections::BTreeMap;
        for json in [
            "{}",
            r#"{"b":"2","a":"1"}"#,
            // A key twice, adjacent and apart: the last value wins.
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":"1","b":"x","a":"2"}"#,
            r#"{"c":"1","b":"x","c":"2","a":"y","c":"3"}"#,
        ] {
            let ours: Map<String, String> = serde_json::from_str(json).unwrap();
            let std: BTreeMap<String, String> = serde_json::from_str(json).unwrap();
            let ours: Vec<_> = ours.iter().collect();
            let std: Vec<_> = std.iter().collect();
            assert_eq!(ours, std, "{json}");
        }
    }

    #[test]
    fn refuses_a_list_of_pairs_as_a_btreemap_did() {
        let err = serde_json::from_str::<Map<String, String>>(r#"[["a","1"]]"#).unwrap_err();
        assert!(err.to_string().contains("expected a map"), "{err}");
        assert!(serde_json::from_str::<Map<String, String>>("[]").is_err());
    }
}
