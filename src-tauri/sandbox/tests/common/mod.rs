//! Shared helpers for the sandbox's own tests: call its API with one set of credentials, and
//! check answers against Yespo's OpenAPI spec. Starting a sandbox, an HTTP client and an OAuth
//! token come from `yespo_sandbox::testing` (the core's tests use those too).
#![allow(dead_code)]

pub use yespo_sandbox::testing::*;

use serde_json::{json, Value};
use std::sync::OnceLock;
use yespo_sandbox::{Right, Sandbox};

/// Calls the sandbox's API with one set of credentials.
pub struct Api {
    pub base: String,
    pub auth: String,
    pub client: reqwest::Client,
}

/// What came back: status, headers, body text and (if it is JSON) the parsed body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn total_count(&self) -> Option<usize> {
        self.headers.get("TotalCount").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
    }
}

impl Api {
    pub fn with_key(sandbox: &Sandbox, right: Right) -> Api {
        Api { base: sandbox.base_url().to_string(), auth: basic(&sandbox.api_key(right)), client: http() }
    }

    pub fn with_bearer(sandbox: &Sandbox, token: &str) -> Api {
        Api { base: sandbox.base_url().to_string(), auth: format!("Bearer {token}"), client: http() }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        let url = format!("{}/api/{}", self.base, path.trim_start_matches('/'));
        let mut req = self
            .client
            .request(method.parse().expect("a method"), url)
            .header("Authorization", &self.auth)
            .header("Accept", "application/json");
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body.to_string());
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("a body");
        Answer { status, headers, text }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }
}

/// Yespo's OpenAPI 3.0.1 spec (a copy of ../shared/reference/yespo-openapi.json).
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text = include_str!("../fixtures/yespo-openapi.json");
        let mut spec: Value = serde_json::from_str(text).expect("the spec is JSON");
        // `orgId` is not in the spec's AccountInfo, but the official Shopify app reads it from
        // real answers (yespo-api.md §2), so the sandbox sends it.
        spec["components"]["schemas"]["AccountInfo"]["properties"]["orgId"] = json!({"type": "integer"});
        // Strict: an answer may not carry properties the spec does not name, so a misspelt
        // field (say `firstname`) fails the contract test instead of passing unnoticed.
        close_objects(&mut spec["components"]);
        spec
    })
}

fn close_objects(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (_, child) in map.iter_mut() {
                close_objects(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// The 200 response schema of an operation (`path` as the spec spells it, e.g.
/// `/api/v1/contact/{id}`).
pub fn response_schema(path: &str, method: &str) -> Value {
    let op = &spec()["paths"][path][method];
    assert!(op.is_object(), "the spec has no {method} {path}");
    let content =
        op["responses"]["200"]["content"].as_object().unwrap_or_else(|| panic!("{method} {path}: no 200 content"));
    let (_, media) = content.iter().next().expect("one media type");
    media["schema"].clone()
}

/// Validate `value` against `schema`, resolving `$ref`s into the spec's components.
pub fn validate(schema: &Value, value: &Value) -> Result<(), String> {
    let root = json!({"allOf": [schema], "components": spec()["components"]});
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .map_err(|e| format!("bad schema: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).take(5).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn resolve(schema: &Value) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return resolve(&spec()["components"]["schemas"][name]);
    }
    schema.clone()
}

/// Undo quirk mode with the schema's help: a bare object where the schema wants a list becomes a
/// list of one, and strings where it wants numbers or booleans become those.
pub fn normalise(value: &Value, schema: &Value) -> Value {
    let schema = resolve(schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            match value {
                Value::Array(a) => Value::Array(a.iter().map(|v| normalise(v, &items)).collect()),
                Value::Null => Value::Null,
                single => Value::Array(vec![normalise(single, &items)]),
            }
        }
        Some("integer") => match value {
            Value::String(s) => s.parse::<i64>().map(|n| json!(n)).unwrap_or(value.clone()),
            _ => value.clone(),
        },
        Some("number") => match value {
            Value::String(s) => s.parse::<f64>().map(|n| json!(n)).unwrap_or(value.clone()),
            _ => value.clone(),
        },
        Some("boolean") => match value {
            Value::String(s) => s.parse::<bool>().map(|b| json!(b)).unwrap_or(value.clone()),
            _ => value.clone(),
        },
        _ => match value {
            Value::Object(map) => {
                let props = schema.get("properties").cloned().unwrap_or(json!({}));
                let extra = schema.get("additionalProperties").cloned().unwrap_or(json!({}));
                Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            let s = props.get(k).cloned().unwrap_or_else(|| extra.clone());
                            let s = if s.is_object() { s } else { json!({}) };
                            (k.clone(), normalise(v, &s))
                        })
                        .collect(),
                )
            }
            _ => value.clone(),
        },
    }
}

/// Numbers compare by value (the quirky `"1523.75"` parses back to `1523.75`, `"500.0"` to `500`).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
