//! A small JSON Schema (draft 4) checker for the VCDB incident schema.
//!
//! The VCDB schema (`data/vcdb-merged.json`, copied unchanged from the VCDB
//! repository) uses only a handful of keywords: `type`, `enum`, `properties`,
//! `additionalProperties: false`, `required`, `minProperties`, `items`,
//! `minItems`, `uniqueItems`, `minLength`, `maxLength`, `minimum`, `maximum`
//! and `pattern`. This module checks all of them except `pattern` (six
//! free-form fields such as NAICS codes and times of day that the importer does
//! not interpret), which keeps the importer free of a general JSON Schema
//! engine while finding exactly the records a draft-4 validator rejects.

use std::collections::BTreeMap;

use serde_json::Value;

/// The VCDB incident schema (VERIS 1.3.7 plus VCDB's `plus` section).
pub const VCDB_SCHEMA_JSON: &str = include_str!("../data/vcdb-merged.json");

/// A JSON type of draft 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonType {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
}

impl JsonType {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    fn matches(self, value: &Value) -> bool {
        match self {
            JsonType::Object => value.is_object(),
            JsonType::Array => value.is_array(),
            JsonType::String => value.is_string(),
            JsonType::Integer => {
                value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            JsonType::Number => value.is_number(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Null => value.is_null(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Null => "null",
        }
    }
}

/// One compiled schema node.
#[derive(Debug, Default)]
struct Node {
    types: Vec<JsonType>,
    enumeration: Option<Vec<Value>>,
    properties: BTreeMap<String, Node>,
    closed: bool,
    required: Vec<String>,
    min_properties: Option<u64>,
    items: Option<Box<Node>>,
    min_items: Option<u64>,
    unique_items: bool,
    min_length: Option<u64>,
    max_length: Option<u64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
}

/// A place where a record breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON path, e.g. `action.physical.vector[0]`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// A compiled schema, ready to check records.
#[derive(Debug)]
pub struct Schema {
    root: Node,
}

/// Most violations reported for one record; the rest are counted only.
pub const MAX_VIOLATIONS_PER_RECORD: usize = 20;

impl Schema {
    /// The VCDB schema embedded in the crate.
    pub fn vcdb() -> Self {
        let value: Value =
            serde_json::from_str(VCDB_SCHEMA_JSON).expect("the embedded VCDB schema is valid JSON");
        Schema::compile(&value)
    }

    /// Compiles a draft-4 schema (unsupported keywords are ignored).
    pub fn compile(schema: &Value) -> Self {
        Schema {
            root: compile(schema, 0),
        }
    }

    /// Every violation of `value`, at most [`MAX_VIOLATIONS_PER_RECORD`], in document order.
    pub fn check(&self, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut path = String::new();
        check(&self.root, value, &mut path, &mut out);
        out
    }
}

fn compile(schema: &Value, depth: usize) -> Node {
    let mut node = Node::default();
    let Some(map) = schema.as_object() else {
        return node;
    };
    if depth > 64 {
        return node;
    }
    match map.get("type") {
        Some(Value::String(t)) => node.types.extend(JsonType::parse(t)),
        Some(Value::Array(ts)) => node.types.extend(
            ts.iter()
                .filter_map(|t| t.as_str().and_then(JsonType::parse)),
        ),
        _ => {}
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        node.enumeration = Some(values.clone());
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        for (k, v) in props {
            node.properties.insert(k.clone(), compile(v, depth + 1));
        }
    }
    node.closed = map.get("additionalProperties") == Some(&Value::Bool(false));
    if let Some(Value::Array(req)) = map.get("required") {
        node.required = req
            .iter()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
    }
    node.min_properties = map.get("minProperties").and_then(Value::as_u64);
    if let Some(items @ Value::Object(_)) = map.get("items") {
        node.items = Some(Box::new(compile(items, depth + 1)));
    }
    node.min_items = map.get("minItems").and_then(Value::as_u64);
    node.unique_items = map.get("uniqueItems") == Some(&Value::Bool(true));
    node.min_length = map.get("minLength").and_then(Value::as_u64);
    node.max_length = map.get("maxLength").and_then(Value::as_u64);
    node.minimum = map.get("minimum").and_then(Value::as_f64);
    node.maximum = map.get("maximum").and_then(Value::as_f64);
    node
}

fn push(out: &mut Vec<Violation>, path: &str, message: String) {
    if out.len() < MAX_VIOLATIONS_PER_RECORD {
        let path = if path.is_empty() {
            "(record)".to_owned()
        } else {
            path.to_owned()
        };
        out.push(Violation { path, message });
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// The first item equal to an earlier one, in linear time for long arrays
/// (a pairwise scan of a 16 MiB array would take hours).
fn first_repeated(items: &[Value]) -> Option<&Value> {
    if items.len() <= 32 {
        return items
            .iter()
            .enumerate()
            .find(|(i, a)| items[..*i].contains(a))
            .map(|(_, a)| a);
    }
    // Compact JSON text is a faithful key for the equality of `Value`: maps are
    // sorted (serde_json without `preserve_order`, as in this workspace) and
    // numbers keep their integer/float distinction.
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.iter().find(|a| !seen.insert(a.to_string()))
}

fn check(node: &Node, value: &Value, path: &mut String, out: &mut Vec<Violation>) {
    if out.len() >= MAX_VIOLATIONS_PER_RECORD {
        return;
    }
    if !node.types.is_empty() && !node.types.iter().any(|t| t.matches(value)) {
        let expected: Vec<&str> = node.types.iter().map(|t| t.name()).collect();
        push(
            out,
            path,
            format!("{} is not {}", short(value), expected.join(" or ")),
        );
        return;
    }
    if let Some(values) = &node.enumeration
        && !values.contains(value)
    {
        let mut listed: Vec<String> = values.iter().take(12).map(Value::to_string).collect();
        if values.len() > 12 {
            listed.push(format!("… {} values in all", values.len()));
        }
        push(
            out,
            path,
            format!(
                "{} is not one of the allowed values [{}]",
                short(value),
                listed.join(", ")
            ),
        );
    }
    match value {
        Value::Object(map) => {
            for key in &node.required {
                if !map.contains_key(key) {
                    push(out, path, format!("required property `{key}` is missing"));
                }
            }
            if let Some(min) = node.min_properties
                && (map.len() as u64) < min
            {
                push(
                    out,
                    path,
                    format!("has {} properties, fewer than {min}", map.len()),
                );
            }
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                match node.properties.get(key) {
                    Some(sub) => check(sub, child, path, out),
                    None if node.closed => {
                        push(out, path, format!("property `{key}` is not allowed here"));
                    }
                    None => {}
                }
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            if let Some(min) = node.min_items
                && (items.len() as u64) < min
            {
                push(
                    out,
                    path,
                    format!("has {} items, fewer than {min}", items.len()),
                );
            }
            if node.unique_items
                && let Some(repeated) = first_repeated(items)
            {
                push(
                    out,
                    path,
                    format!("has non-unique items ({} is repeated)", short(repeated)),
                );
            }
            if let Some(sub) = &node.items {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    check(sub, item, path, out);
                    path.truncate(len);
                }
            }
        }
        Value::String(s) => {
            let n = s.chars().count() as u64;
            if node.min_length.is_some_and(|m| n < m) {
                push(
                    out,
                    path,
                    format!(
                        "string is shorter than {} characters",
                        node.min_length.unwrap_or(0)
                    ),
                );
            }
            if node.max_length.is_some_and(|m| n > m) {
                push(
                    out,
                    path,
                    format!(
                        "string is longer than {} characters",
                        node.max_length.unwrap_or(0)
                    ),
                );
            }
        }
        Value::Number(num) => {
            if let Some(f) = num.as_f64() {
                if node.minimum.is_some_and(|m| f < m) {
                    push(
                        out,
                        path,
                        format!(
                            "{f} is less than the minimum {}",
                            node.minimum.unwrap_or(0.0)
                        ),
                    );
                }
                if node.maximum.is_some_and(|m| f > m) {
                    push(
                        out,
                        path,
                        format!(
                            "{f} is greater than the maximum {}",
                            node.maximum.unwrap_or(0.0)
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_enum_type_unique_and_additional_property_violations() {
        let schema = Schema::compile(&json!({
            "type": "object", "additionalProperties": false, "required": ["a"],
            "properties": {
                "a": {"type": "array", "uniqueItems": true, "items": {"type": "string", "enum": ["x", "y"]}},
                "n": {"type": "integer", "minimum": 0}
            }
        }));
        assert!(schema.check(&json!({"a": ["x", "y"], "n": 3})).is_empty());
        let v = schema.check(&json!({"a": ["x", "z", "x"], "n": -1, "b": 1}));
        let paths: Vec<&str> = v.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(paths, ["a", "a[1]", "b", "n"]);
        let v = schema.check(&json!({"n": "3"}));
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v[0].message.contains("required property `a`"));
        assert_eq!(v[1].path, "n");
    }

    #[test]
    fn the_embedded_vcdb_schema_compiles() {
        let schema = Schema::vcdb();
        assert!(schema.root.closed);
        assert!(schema.root.properties.contains_key("plus"));
    }
}
