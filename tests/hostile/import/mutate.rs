//! Generators: arbitrary JSON, JSON-shaped bytes, and structured mutations of the base file.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value};

/// Field names and values the parser knows, and values near its edges.
const WORDS: &[&str] = &[
    "schema_version",
    "reports",
    "report_id",
    "title",
    "target",
    "findings",
    "ticket_exports",
    "finding_id",
    "rule_id",
    "severity",
    "url",
    "parameter",
    "description",
    "evidence",
    "remediation",
    "status",
    "ticket_export_id",
    "provider_key",
    "export_status",
    "provider_error_code",
    "provider_response_code",
    "mapping_status",
    "mapping_missing",
    "duplicate_fingerprint",
    "idempotency_key",
    "retry_after",
    "external_ticket_id",
    "external_ticket_url",
    "status_sync_status",
    "portable_export_path",
    "rep_0",
    "fnd_0",
    "tex_0",
    "rep_1",
    "fnd_1",
    "tex_1",
    "tex_2",
    "gh",
    "99",
    "7",
    "",
    " ",
    " tex_1",
    "\n",
    "\u{0}",
    "\u{1b}[2J",
    "é",
    "😀",
    "\u{feff}",
    "a\u{2028}b",
    "high",
    "critical",
    "info",
    "open",
    "failed",
    "linked",
    "pending",
    "in_flight",
    "complete",
    "incomplete",
    "ok",
    "TICKET_EXPORT_DELIVERY_FAILED",
    "SOME_NEW_CODE",
    "lower_code",
    "2026-11-29T10:00:00Z",
    "2026-11-29T10:00:00.999+02:00",
    "9999-12-30T23:59:59Z",
    "-009999-01-02T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-29",
    "https://github.com/acme/shop/issues/7",
    "javascript:alert(1)",
    "ftp://x",
    "https://u:p@shop.example/",
    "fp1:abc",
    "NaN",
    "key with space",
    "a.b",
    "a[0]",
    "$",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-z_]{0,12}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0i64,
            1,
            -1,
            2,
            99,
            100,
            503,
            599,
            600,
            1_000_000_000_000
        ])
        .prop_map(Value::from),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            0.5f64,
            1.0,
            503.0,
            -0.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE
        ])
        .prop_map(Value::from),
    ]
}

/// A string near a limit: 128 (ids), 1,000 (titles), 8,192 (URLs), 1 MiB (text), in one- or
/// multi-byte characters.
fn huge_string() -> impl Strategy<Value = Value> {
    let sizes = prop_oneof![
        6 => prop::sample::select(vec![127usize, 128, 129, 999, 1_000, 1_001, 8_192, 8_193]),
        // Slow to parse in a debug build: rarer.
        1 => prop::sample::select(vec![1_048_576usize, 1_048_577]),
    ];
    (sizes, prop::sample::select(vec!['x', 'é', '😀', ' ']))
        .prop_map(|(n, c)| Value::String(std::iter::repeat_n(c, n).collect()))
}

/// Arrays (or objects) nested `depth` deep, past serde_json's recursion limit at the top.
fn deep() -> impl Strategy<Value = Value> {
    (1usize..300, any::<bool>()).prop_map(|(depth, objects)| {
        let mut v = Value::from(1);
        for _ in 0..depth {
            v = if objects {
                Value::Object(Map::from_iter([("a".to_owned(), v)]))
            } else {
                Value::Array(vec![v])
            };
        }
        v
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        word().prop_map(Value::String),
    ]
}

/// Any JSON value, biased towards the parser's own words.
pub fn arb_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Bytes made of JSON tokens and the parser's words, so that some get past the first byte.
pub fn json_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        prop::sample::select(vec![
            "{", "}", "[", "]", ":", ",", "\"", "\\", "null", "true", "1", "-1e999", "NaN", " ",
            "\u{feff}"
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        word().prop_map(|w| format!("\"{w}\"").into_bytes()),
        prop::sample::select(vec![0xffu8, 0xfe, 0xc3, 0x80, 0x00]).prop_map(|b| vec![b]),
    ];
    prop::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

/// One step into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    At(usize),
}

fn nodes(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Step::Key(k.clone()));
                out.push(here.clone());
                nodes(v, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(Step::At(i));
                out.push(here.clone());
                nodes(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// A change to one member of the document.
#[derive(Debug, Clone)]
pub enum Op {
    Drop,
    Rename(String),
    Retype(Value),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Drop),
        2 => word().prop_map(Op::Rename),
        3 => leaf().prop_map(Op::Retype),
        1 => arb_value().prop_map(Op::Retype),
        1 => huge_string().prop_map(Op::Retype),
        1 => deep().prop_map(Op::Retype),
    ]
}

fn apply(doc: &mut Value, at: &Index, op: &Op) {
    let mut all = Vec::new();
    nodes(doc, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let path = &all[at.index(all.len())];
    let (last, parent_path) = path.split_last().unwrap();
    let mut parent = &mut *doc;
    for step in parent_path {
        parent = match step {
            Step::Key(k) => &mut parent[k.as_str()],
            Step::At(i) => &mut parent[*i],
        };
    }
    match (parent, last, op) {
        (Value::Object(map), Step::Key(k), Op::Drop) => {
            map.remove(k);
        }
        (Value::Array(items), Step::At(i), Op::Drop) => {
            items.remove(*i);
        }
        (Value::Object(map), Step::Key(k), Op::Rename(new)) => {
            if let Some(v) = map.remove(k) {
                map.insert(new.clone(), v);
            }
        }
        // A retype, or a rename inside an array, which has no key to rename: replace the value.
        (parent, step, op) => {
            let slot = match step {
                Step::Key(k) => &mut parent[k.as_str()],
                Step::At(i) => &mut parent[*i],
            };
            *slot = match op {
                Op::Retype(v) => v.clone(),
                _ => Value::Null,
            };
        }
    }
}

/// A change to the bytes after serialising.
#[derive(Debug, Clone)]
pub enum TextOp {
    None,
    Pretty,
    Bom,
    Truncate(Index),
    InsertByte(Index, u8),
    Number(&'static str),
    /// Inserts `"key": value,` after an opening brace: a duplicate member.
    Duplicate(Index, &'static str),
    Trailing(&'static str),
}

fn text_op() -> impl Strategy<Value = TextOp> {
    prop_oneof![
        4 => Just(TextOp::None),
        1 => Just(TextOp::Pretty),
        1 => Just(TextOp::Bom),
        1 => any::<Index>().prop_map(TextOp::Truncate),
        1 => (any::<Index>(), prop::sample::select(vec![0xffu8, 0xfe, 0xc3, 0x80, 0x00, b'"', b'\\', b'}'])).prop_map(|(i, b)| TextOp::InsertByte(i, b)),
        1 => prop::sample::select(vec!["NaN", "Infinity", "-Infinity", "1e999", "-0", "1.0", "0x1F", "01", "1e2", "+1"]).prop_map(TextOp::Number),
        2 => (any::<Index>(), prop::sample::select(vec![
            "\"reports\": []", "\"schema_version\": 1", "\"findings\": []", "\"ticket_exports\": []",
            "\"reports\": [{\"report_id\": \"rep_9\", \"title\": \"t\", \"target\": \"https://x.example\"}]",
            "\"findings\": [{\"finding_id\": \"fnd_9\", \"rule_id\": \"r\", \"title\": \"t\", \"severity\": \"low\", \"url\": \"https://x.example\"}]",
            "\"finding_id\": \"fnd_1\"", "\"ticket_export_id\": \"tex_1\"", "\"report_id\": \"rep_0\"",
        ])).prop_map(|(i, m)| TextOp::Duplicate(i, m)),
        1 => prop::sample::select(vec!["x", "{}", " \n", ",", "\u{0}"]).prop_map(TextOp::Trailing),
    ]
}

fn render(doc: &Value, op: &TextOp) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(doc).unwrap();
    match op {
        TextOp::None => {}
        TextOp::Pretty => bytes = serde_json::to_vec_pretty(doc).unwrap(),
        TextOp::Bom => bytes.splice(0..0, *b"\xEF\xBB\xBF").for_each(drop),
        TextOp::Truncate(i) => bytes.truncate(i.index(bytes.len().max(1))),
        TextOp::InsertByte(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
        TextOp::Number(n) => {
            let text = String::from_utf8(bytes).unwrap();
            let target = if text.contains("503") { "503" } else { "1" };
            bytes = text.replacen(target, n, 1).into_bytes();
        }
        TextOp::Duplicate(i, member) => {
            let braces: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'{')
                .map(|(p, _)| p)
                .collect();
            if !braces.is_empty() {
                let at = braces[i.index(braces.len())] + 1;
                let closes = bytes.get(at) == Some(&b'}');
                let insert = if closes {
                    member.to_string()
                } else {
                    format!("{member},")
                };
                bytes.splice(at..at, insert.into_bytes()).for_each(drop);
            }
        }
        TextOp::Trailing(t) => bytes.extend_from_slice(t.as_bytes()),
    }
    bytes
}

/// The base file with one to three member changes, then one change to its bytes.
pub fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((any::<Index>(), op()), 0..4),
        text_op(),
    )
        .prop_map(|(ops, text)| {
            let mut doc = super::base_doc();
            for (at, op) in &ops {
                apply(&mut doc, at, op);
            }
            render(&doc, &text)
        })
}
