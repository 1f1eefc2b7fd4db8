//! Checks a recorded request against an OpenAPI 3 or Swagger 2.0 description: the path exists
//! for the method, every query parameter is declared, the content type is one the operation
//! consumes, and the JSON body's keys (of an object, or of each item of an array body) are
//! declared properties with the required ones present and enum values allowed.

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

/// Where a provider's real API and its published description part ways, stated per call site
/// with the reason, so the rest of the request is still checked.
#[derive(Debug, Default, Clone, Copy)]
pub struct Leniency<'a> {
    /// Query parameters the API documents elsewhere but this operation does not declare.
    pub undeclared_query: &'a [&'a str],
    /// The body's keys are the operation's declared parameters (Trello accepts its query
    /// parameters as a JSON body).
    pub params_in_body: bool,
    /// The schema (`#/definitions/...`) of a body the operation documents only in prose.
    pub body_schema: Option<&'a str>,
}

/// Asserts the request is valid against the spec. `prefix` is stripped from the path first
/// (for example `/rest` for Jira Data Center, whose spec paths start at `/api/2`).
pub fn assert_valid(doc: &Value, req: &SimRequest, prefix: &str) {
    assert_valid_with(doc, req, prefix, Leniency::default());
}

/// The body schema an operation declares: OpenAPI 3 `requestBody.content` (the request's own
/// content type first, else a JSON one), or a Swagger 2.0 `in: body` parameter.
fn body_schema<'a>(
    doc: &'a Value,
    op: &'a Value,
    params: &[&'a Value],
    content_type: &str,
) -> Option<&'a Value> {
    if let Some(content) = resolve(doc, &op["requestBody"])["content"].as_object() {
        return content
            .get(content_type)
            .or_else(|| {
                content
                    .iter()
                    .find(|(k, _)| k.contains("json"))
                    .map(|(_, v)| v)
            })
            .map(|v| &v["schema"]);
    }
    params
        .iter()
        .find(|p| p["in"] == "body")
        .map(|p| &p["schema"])
}

/// Checks one JSON object against a schema's properties.
fn check_object(doc: &Value, schema: &Value, obj: &serde_json::Map<String, Value>, what: &str) {
    let mut props = HashMap::new();
    let mut required = Vec::new();
    properties(doc, schema, &mut props, &mut required);
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

/// The item schema of an array schema, through allOf (Azure's `JsonPatchDocument`).
fn items<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let schema = resolve(doc, schema);
    if schema["items"].is_object() {
        return Some(&schema["items"]);
    }
    schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|sub| items(doc, sub))
}

/// `assert_valid` for each request, when the spec is there (`load` answers None without it).
pub fn assert_all_valid(doc: Option<&Value>, requests: &[SimRequest], prefix: &str) {
    if let Some(doc) = doc {
        for req in requests {
            assert_valid(doc, req, prefix);
        }
    }
}

/// Asserts the request is valid against the spec, with the stated leniencies.
pub fn assert_valid_with(doc: &Value, req: &SimRequest, prefix: &str, lenient: Leniency<'_>) {
    let (template, op) = operation(doc, req, prefix);
    let params: Vec<&Value> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            doc["paths"][&template]["parameters"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .map(|p| resolve(doc, p))
        .collect();
    let declared: Vec<String> = params
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    for (name, _) in url::form_urlencoded::parse(req.query.as_bytes()) {
        let base = name.trim_end_matches("[]");
        assert!(
            declared.iter().any(|d| d == &*name || d == base)
                || lenient.undeclared_query.contains(&&*name),
            "{} {template}: query parameter {name:?} is not declared (declared: {declared:?})",
            req.method
        );
    }
    let what = format!("{} {template}", req.method);
    if lenient.params_in_body {
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let in_query: Vec<String> = url::form_urlencoded::parse(req.query.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect();
        for key in body.as_object().into_iter().flatten().map(|(k, _)| k) {
            assert!(
                declared.contains(key),
                "{what}: body parameter {key:?} is not declared (declared: {declared:?})"
            );
        }
        for p in params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
        {
            let name = p["name"].as_str().unwrap_or_default();
            assert!(
                body.get(name).is_some() || in_query.iter().any(|q| q == name),
                "{what}: required parameter {name:?} missing"
            );
        }
        return;
    }
    if req.body.is_empty() {
        return;
    }
    let content_type = req.header("content-type").unwrap_or_default();
    // Swagger 2.0 names what an operation consumes (Azure: `application/json-patch+json`).
    if let Some(consumes) = op["consumes"]
        .as_array()
        .or(doc["consumes"].as_array())
        .filter(|_| doc.get("swagger").is_some())
    {
        assert!(
            consumes.iter().any(|c| c == content_type),
            "{what}: content type {content_type:?} is not one of {consumes:?}"
        );
    }
    let body: Value = serde_json::from_str(&req.body).expect("a JSON body");
    let fallback = lenient.body_schema.map(json_ref);
    let schema = body_schema(doc, op, &params, content_type)
        .or(fallback.as_ref())
        .unwrap_or_else(|| panic!("{what} takes no JSON body"));
    match &body {
        Value::Object(obj) => check_object(doc, schema, obj, &what),
        Value::Array(list) => {
            let item = items(doc, schema).unwrap_or_else(|| panic!("{what} takes no array body"));
            for element in list {
                let obj = element
                    .as_object()
                    .unwrap_or_else(|| panic!("{what}: array items must be objects"));
                check_object(doc, item, obj, &what);
            }
        }
        other => panic!("{what}: unexpected body {other}"),
    }
}

/// A `$ref` object for a definition path, so it resolves like one written in the spec.
fn json_ref(reference: &str) -> Value {
    serde_json::json!({ "$ref": reference })
}

/// The operation a request is for: the path template with the fewest parameters that matches.
/// A path parameter Azure marks optional (`x-ms-required: false`, as its docs write
/// `{organization}/{project}/{team}/_apis/wit/wiql` with the team optional) may be left out.
fn operation<'a>(doc: &'a Value, req: &SimRequest, prefix: &str) -> (String, &'a Value) {
    let path = req.path.strip_prefix(prefix).unwrap_or(&req.path);
    let method = req.method.to_ascii_lowercase();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(t, item)| {
            item.get(&method).is_some()
                && without_optional(doc, t, &item[&method])
                    .iter()
                    .any(|variant| template_matches(variant, path))
        })
        .min_by_key(|(t, _)| t.matches('{').count())
        .map(|(t, item)| (t.clone(), &item[&method]))
        .unwrap_or_else(|| panic!("{} {path} is not in the spec", req.method))
}

/// The template, and the template without each combination of its optional path parameters.
fn without_optional(doc: &Value, template: &str, op: &Value) -> Vec<String> {
    let optional: Vec<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter(|p| p["in"] == "path" && p["x-ms-required"] == false)
        .filter_map(|p| p["name"].as_str().map(|n| format!("{{{n}}}")))
        .collect();
    (0..1u32 << optional.len())
        .map(|mask| {
            template
                .split('/')
                .filter(|seg| {
                    !optional
                        .iter()
                        .enumerate()
                        .any(|(i, o)| mask & (1 << i) != 0 && seg == o)
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

/// Like `assert_valid`, and also checks the keys inside the body's `wrapper` object against
/// that property's schema (Asana wraps every body in `{"data": …}`).
pub fn assert_valid_wrapped(doc: &Value, req: &SimRequest, prefix: &str, wrapper: &str) {
    assert_valid(doc, req, prefix);
    let (template, op) = operation(doc, req, prefix);
    let what = format!("{} {template}", req.method);
    let body: Value = serde_json::from_str(&req.body).expect("a JSON body");
    let content_type = req.header("content-type").unwrap_or_default();
    let schema = body_schema(doc, op, &[], content_type)
        .unwrap_or_else(|| panic!("{what} takes no JSON body"));
    let mut props = HashMap::new();
    properties(doc, schema, &mut props, &mut Vec::new());
    let inner = props
        .get(wrapper)
        .unwrap_or_else(|| panic!("{what}: no {wrapper:?} in the body schema"));
    let obj = body[wrapper]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: {wrapper:?} is not an object"));
    check_object(doc, inner, obj, &format!("{what} ({wrapper})"));
}
