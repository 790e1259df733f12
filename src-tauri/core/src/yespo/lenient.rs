//! Lenient decoding: the one small set of serde helpers every Yespo model uses.
//!
//! Real Yespo answers have varied (yespo-api.md §7.6): a list of one sent as the bare element,
//! numbers and booleans sent as strings, `null` where a list was expected. Each helper accepts
//! every form seen and yields the canonical Rust type; use them with `#[serde(default,
//! deserialize_with = "...")]`. Lenient is not lax: an object that has none of the fields of
//! the item it stands for (an error object where a list was expected) and a number that is not
//! an exact integer in range are errors, never an empty item or a saturated id.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// A list that may come as a list, a bare element, or `null`/missing (→ empty). A bare object
/// that decodes to an all-empty item is refused: it is not an item (say, an error object).
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default + PartialEq,
{
    list_of(Value::deserialize(d)?).map_err(de::Error::custom)
}

fn list_of<T: DeserializeOwned + Default + PartialEq>(value: Value) -> Result<Vec<T>, DecodeError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => {
            items.into_iter().enumerate().map(|(i, v)| item(v).map_err(|e| e.within(&format!("[{i}]")))).collect()
        }
        single => {
            let is_object = single.is_object();
            let one: T = item(single)?;
            if is_object && one == T::default() {
                return Err(DecodeError {
                    path: String::new(),
                    message: "expected a list, got an object with none of the expected fields".into(),
                });
            }
            Ok(vec![one])
        }
    }
}

/// One value, with the path of a bad part in the error.
fn item<T: DeserializeOwned>(v: Value) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(v).map_err(DecodeError::from)
}

/// An integer from a number or a numeric string; a fraction or a number outside `i64` is none.
pub fn as_i64(v: &Value) -> Option<i64> {
    // 2^63 exactly: `i64::MAX as f64` rounds up to it, so the bound is exclusive.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && (-LIMIT..LIMIT).contains(f)).map(|f| f as i64)),
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

/// Decode a whole answer that is a list, or a bare element, or empty. The error names where in
/// the answer it failed (`[3].id: expected an integer…`).
pub fn decode_list<T: DeserializeOwned + Default + PartialEq>(body: &str) -> Result<Vec<T>, DecodeError> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: Value =
        serde_json::from_str(body).map_err(|e| DecodeError { path: String::new(), message: e.to_string() })?;
    list_of(value)
}

/// Decode a whole answer that is one object; the error names the path of the bad value.
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, DecodeError> {
    let body = if body.trim().is_empty() { "{}" } else { body };
    let mut d = serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(&mut d).map_err(DecodeError::from)
}

/// An answer that could not be decoded: where (a path like `groups[2].id`, empty for the top)
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the answer, e.g. `balance` or `[3].id`; empty for the whole answer.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl DecodeError {
    /// The same error, seen from one level up (`prefix` is `[3]` or a field name).
    fn within(mut self, prefix: &str) -> DecodeError {
        self.path = match self.path.as_str() {
            "" => prefix.to_string(),
            p if p.starts_with('[') => format!("{prefix}{p}"),
            p => format!("{prefix}.{p}"),
        };
        self
    }
}

impl<E: std::fmt::Display> From<serde_path_to_error::Error<E>> for DecodeError {
    fn from(e: serde_path_to_error::Error<E>) -> DecodeError {
        let path = e.path().to_string();
        DecodeError { path: if path == "." { String::new() } else { path }, message: e.inner().to_string() }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
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

    #[test]
    fn an_object_with_none_of_the_fields_is_not_a_list_of_one() {
        // A bare item is still a list of one...
        assert_eq!(decode_list::<Sample>(r#"{"id": 5}"#).unwrap().len(), 1);
        // ...but an error object (or `{}`) in its place is an error, not an all-empty item.
        let err = decode_list::<Sample>(r#"{"error": "Internal error", "status": 500}"#).unwrap_err();
        assert!(err.to_string().contains("none of the expected fields"), "{err}");
        assert!(decode_list::<Sample>("{}").is_err());
        #[derive(Debug, Default, PartialEq, Deserialize)]
        struct Outer {
            #[serde(default, deserialize_with = "list")]
            items: Vec<Sample>,
        }
        let err = decode::<Outer>(r#"{"items": {"message": "no"}}"#).unwrap_err();
        assert_eq!(err.path, "items", "{err}");
    }

    #[test]
    fn bad_values_name_their_path() {
        let err = decode_list::<Sample>(r#"[{"id": 1}, {"id": 2}, {"id": "x"}]"#).unwrap_err();
        assert!(err.to_string().contains("[2].id"), "{err}");
        let err = decode::<Sample>(r#"{"tags": ["a", {"b": 1}]}"#).unwrap_err();
        assert!(err.to_string().contains("tags") && err.to_string().contains("[1]"), "{err}");
    }

    #[test]
    fn out_of_range_or_fractional_numbers_are_not_ids() {
        assert_eq!(as_i64(&serde_json::json!(42.0)), Some(42));
        assert_eq!(as_i64(&serde_json::json!(-7)), Some(-7));
        assert_eq!(as_i64(&serde_json::json!(1e30)), None);
        assert_eq!(as_i64(&serde_json::json!(-1e30)), None);
        assert_eq!(as_i64(&serde_json::json!(9.223372036854776e18)), None);
        assert_eq!(as_i64(&serde_json::json!(1.5)), None);
        let err = decode::<Sample>(r#"{"id": 1e30}"#).unwrap_err();
        assert_eq!(err.path, "id", "{err}");
    }
}
