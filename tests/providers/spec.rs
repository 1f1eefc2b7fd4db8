//! Checks a recorded request against an OpenAPI description: the path exists for the method,
//! every query parameter is declared, and the JSON body's keys are declared properties with the
//! required ones present and enum values allowed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use ticket_export::simulator::SimRequest;

/// The shared specs folder beside the project, as CI lays it out.
fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/specs")
}

/// Loads a spec (JSON, or YAML for the `.yaml` ones) once per test binary. Without the folder, the check is skipped locally but
/// fails in CI, where it is always present.
pub fn load(relative: &str) -> Option<&'static Value> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static Value>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    if let Some(v) = cache.get(relative) {
        return Some(v);
    }
    let path = specs_dir().join(relative);
    let Ok(bytes) = std::fs::read(&path) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "spec {} missing in CI",
            path.display()
        );
        eprintln!("skipping the spec check: {} not found", path.display());
        return None;
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let parsed: Value = if relative.ends_with(".yaml") || relative.ends_with(".yml") {
        serde_yaml::from_str(text).unwrap()
    } else {
        serde_json::from_str(text).unwrap()
    };
    let value: &'static Value = Box::leak(Box::new(parsed));
    cache.insert(relative.to_owned(), value);
    Some(value)
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = r
                .trim_start_matches("#/")
                .split('/')
                .fold(doc, |node, key| &node[key.replace("~1", "/")]);
            resolve(doc, target)
        }
        None => v,
    }
}

fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            (t.starts_with('{') && t.ends_with('}')) || t == p || {
                // A literal prefix before a parameter, like Azure's `$${type}`.
                t.find('{').is_some_and(|i| p.starts_with(&t[..i]))
            }
        })
}

/// All properties a schema declares, through allOf/oneOf/anyOf.
fn properties<'a>(
    doc: &'a Value,
    schema: &'a Value,
    out: &mut HashMap<String, &'a Value>,
    required: &mut Vec<String>,
) {
    let schema = resolve(doc, schema);
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            out.insert(k.clone(), resolve(doc, v));
        }
    }
    if let Some(req) = schema["required"].as_array() {
        required.extend(req.iter().filter_map(|r| r.as_str().map(str::to_owned)));
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for sub in schema[key].as_array().into_iter().flatten() {
            properties(doc, sub, out, &mut Vec::new());
        }
    }
}

/// Asserts the request is valid against the spec. `prefix` is stripped from the path first
/// (for example `/rest` for Jira Data Center, whose spec paths start at `/api/2`).
pub fn assert_valid(doc: &Value, req: &SimRequest, prefix: &str) {
    let (template, op) = operation(doc, req, prefix);
    let mut declared: Vec<String> = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten().chain(
        doc["paths"][&template]["parameters"]
            .as_array()
            .into_iter()
            .flatten(),
    ) {
        let p = resolve(doc, p);
        if p["in"] == "query" {
            declared.push(p["name"].as_str().unwrap_or_default().to_owned());
        }
    }
    for (name, _) in url::form_urlencoded::parse(req.query.as_bytes()) {
        let base = name.trim_end_matches("[]");
        assert!(
            declared.iter().any(|d| d == &*name || d == base),
            "{} {template}: query parameter {name:?} is not declared (declared: {declared:?})",
            req.method
        );
    }
    if req.body.is_empty() {
        return;
    }
    let body: Value = serde_json::from_str(&req.body).expect("a JSON body");
    let schema = body_schema(doc, op, &format!("{} {template}", req.method));
    check_keys(doc, schema, &body, &format!("{} {template}", req.method));
}

/// Like `assert_valid`, and also checks the keys inside the body's `wrapper` object against
/// that property's schema (Asana wraps every body in `{"data": …}`).
pub fn assert_valid_wrapped(doc: &Value, req: &SimRequest, prefix: &str, wrapper: &str) {
    assert_valid(doc, req, prefix);
    let (template, op) = operation(doc, req, prefix);
    let what = format!("{} {template}", req.method);
    let body: Value = serde_json::from_str(&req.body).expect("a JSON body");
    let mut props = HashMap::new();
    properties(
        doc,
        body_schema(doc, op, &what),
        &mut props,
        &mut Vec::new(),
    );
    let inner = props
        .get(wrapper)
        .unwrap_or_else(|| panic!("{what}: no {wrapper:?} in the body schema"));
    check_keys(doc, inner, &body[wrapper], &format!("{what} ({wrapper})"));
}

/// The operation a request is for: the path template with the fewest parameters that matches.
fn operation<'a>(doc: &'a Value, req: &SimRequest, prefix: &str) -> (String, &'a Value) {
    let path = req.path.strip_prefix(prefix).unwrap_or(&req.path);
    let method = req.method.to_ascii_lowercase();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(t, item)| template_matches(t, path) && item.get(&method).is_some())
        .min_by_key(|(t, _)| t.matches('{').count())
        .map(|(t, item)| (t.clone(), &item[&method]))
        .unwrap_or_else(|| panic!("{} {path} is not in the spec", req.method))
}

fn body_schema<'a>(doc: &'a Value, op: &'a Value, what: &str) -> &'a Value {
    resolve(doc, &op["requestBody"])["content"]
        .as_object()
        .and_then(|c| {
            c.iter()
                .find(|(k, _)| k.contains("json"))
                .map(|(_, v)| &v["schema"])
        })
        .unwrap_or_else(|| panic!("{what} takes no JSON body"))
}

/// Every key of `body` is a declared property, enum values are allowed, required keys present.
fn check_keys(doc: &Value, schema: &Value, body: &Value, what: &str) {
    let mut props = HashMap::new();
    let mut required = Vec::new();
    properties(doc, schema, &mut props, &mut required);
    if let Some(obj) = body.as_object() {
        for (key, value) in obj {
            let prop = props.get(key).unwrap_or_else(|| {
                panic!(
                    "{what}: body key {key:?} is not in the schema ({:?})",
                    props.keys()
                )
            });
            if let (Some(allowed), Some(v)) = (prop["enum"].as_array(), value.as_str()) {
                assert!(
                    allowed.iter().any(|a| a == v),
                    "{what}: {key} = {v:?} is not one of {allowed:?}"
                );
            }
        }
        for key in &required {
            assert!(
                obj.contains_key(key),
                "{what}: required body key {key:?} missing"
            );
        }
    }
}
