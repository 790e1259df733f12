//! Quirk mode: answer the way older Yespo responses looked (yespo-api.md §7.6), so the client's
//! lenient decoding is exercised. Yespo's JSON came from a JAXB "mapped" convention that renders
//! a list of one as a bare object and every scalar as a string.

use serde_json::Value;

/// Rewrite a canonical answer into its quirky form. The top level stays as it is (an array answer
/// stays an array); inside objects, one-element lists become the element, and numbers and booleans
/// become strings.
pub fn apply(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(inner).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, inner(v))).collect()),
        other => other,
    }
}

fn inner(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(mut items) if items.len() == 1 => inner(items.remove(0)),
        Value::Array(items) => Value::Array(items.into_iter().map(inner).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, inner(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_element_lists_and_scalars_change_inside_the_answer() {
        let canonical = json!({"addressBook": [{"addressBookId": 7200, "fieldGroups": [{"fields": [{"id": 1}, {"id": 2}]}]}],
                               "ok": true, "none": null, "empty": []});
        let quirky = apply(canonical);
        assert_eq!(
            quirky,
            json!({"addressBook": {"addressBookId": "7200", "fieldGroups": {"fields": [{"id": "1"}, {"id": "2"}]}},
                   "ok": "true", "none": null, "empty": []})
        );
        // A top-level list of one stays a list.
        assert_eq!(apply(json!([{"id": 5}])), json!([{"id": "5"}]));
    }
}
