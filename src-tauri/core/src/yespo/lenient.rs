//! Lenient decoding: the one small set of serde helpers every Yespo model uses.
//!
//! Real Yespo answers have varied (yespo-api.md §7.6): a list of one sent as the bare element,
//! numbers and booleans sent as strings, `null` where a list was expected. Each helper accepts
//! every form seen and yields the canonical Rust type; use them with `#[serde(default,
//! deserialize_with = "...")]`.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// A list that may come as a list, a bare element, or `null`/missing (→ empty).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(|v| T::deserialize(v).map_err(de::Error::custom)).collect(),
        single => Ok(vec![T::deserialize(single).map_err(de::Error::custom)?]),
    }
}

/// An integer from a number or a numeric string.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer that may come as a number or a numeric string; `null`/missing → `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        v => as_i64(&v).map(Some).ok_or_else(|| de::Error::custom(format!("expected an integer, got {v}"))),
    }
}

/// An integer that must be there, as a number or a numeric string.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    opt_i64(d)?.ok_or_else(|| de::Error::custom("expected an integer, got nothing"))
}

/// A decimal that may come as a number or a numeric string.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => {
            s.trim().parse().map(Some).map_err(|_| de::Error::custom(format!("expected a number, got {s:?}")))
        }
        v => Err(de::Error::custom(format!("expected a number, got {v}"))),
    }
}

/// A boolean from `true`/`false` or `"true"`/`"false"` (any case).
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Text from a string, a number or a boolean.
pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A boolean that may come as `true`/`false` or `"true"`/`"false"`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        v => as_bool(&v).map(Some).ok_or_else(|| de::Error::custom(format!("expected true or false, got {v}"))),
    }
}

/// Text that may come as a string, a number or a boolean (ids and values have varied).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => as_text(&v).map(Some).ok_or_else(|| de::Error::custom(format!("expected text, got {v}"))),
    }
}

/// A map whose values are lists that may come as bare elements (`Balance.sendersReservedBalances`).
pub fn map_of_lists<'de, D, T>(d: D) -> Result<std::collections::BTreeMap<String, Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match Value::deserialize(d)? {
        Value::Null => Ok(Default::default()),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                let items = match v {
                    Value::Null => Vec::new(),
                    Value::Array(a) => {
                        a.into_iter().map(|x| T::deserialize(x).map_err(de::Error::custom)).collect::<Result<_, _>>()?
                    }
                    single => vec![T::deserialize(single).map_err(de::Error::custom)?],
                };
                Ok((k, items))
            })
            .collect(),
        v => Err(de::Error::custom(format!("expected an object, got {v}"))),
    }
}

/// Decode a whole answer that is a list, or a bare element, or empty.
pub fn decode_list<T: DeserializeOwned>(body: &str) -> Result<Vec<T>, serde_json::Error> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut d = serde_json::Deserializer::from_str(body);
    list(&mut d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(default, deserialize_with = "opt_i64")]
        id: Option<i64>,
        #[serde(default, deserialize_with = "opt_bool")]
        ok: Option<bool>,
        #[serde(default, deserialize_with = "opt_f64")]
        amount: Option<f64>,
        #[serde(default, deserialize_with = "list")]
        tags: Vec<String>,
        #[serde(default, deserialize_with = "opt_string")]
        value: Option<String>,
    }

    #[test]
    fn canonical_and_quirky_forms_decode_alike() {
        let canonical: Sample =
            serde_json::from_str(r#"{"id": 5, "ok": true, "amount": 1.5, "tags": ["a"], "value": "x"}"#).unwrap();
        let quirky: Sample =
            serde_json::from_str(r#"{"id": "5", "ok": "true", "amount": "1.5", "tags": "a", "value": "x"}"#).unwrap();
        assert_eq!(canonical, quirky);
        let sparse: Sample = serde_json::from_str(r#"{"tags": null, "value": 7}"#).unwrap();
        assert_eq!(sparse, Sample { id: None, ok: None, amount: None, tags: vec![], value: Some("7".into()) });
        assert!(serde_json::from_str::<Sample>(r#"{"id": "five"}"#).is_err());
        assert_eq!(decode_list::<i64>("").unwrap(), Vec::<i64>::new());
        assert_eq!(decode_list::<i64>("3").unwrap(), vec![3]);
    }
}
