//! Checks a GraphQL operation and its variables against an SDL schema, minimally: every field
//! selected exists on its parent type, every argument exists on its field, every variable's
//! type exists, and every key of an input-object variable exists on that input type (all the
//! way down). Enough to catch a misspelt or removed field before Linear does.

use std::collections::HashMap;

use serde_json::Value;

/// One field (or argument, or input field) of a type: its arguments and its type name.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub args: HashMap<String, String>,
    /// The named type, without list brackets or `!`.
    pub type_name: String,
}

/// A parsed schema: type and input names to their fields.
pub struct Schema {
    types: HashMap<String, HashMap<String, FieldDef>>,
    scalars: Vec<String>,
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() || c == ',' {
            continue;
        }
        if c == '#' {
            for n in chars.by_ref() {
                if n == '\n' {
                    break;
                }
            }
        } else if c == '"' {
            // A string or a block string: skipped, descriptions carry no structure.
            let block = chars.peek() == Some(&'"');
            if block {
                chars.next();
                if chars.peek() == Some(&'"') {
                    chars.next();
                    let mut quotes = 0;
                    for n in chars.by_ref() {
                        quotes = if n == '"' { quotes + 1 } else { 0 };
                        if quotes == 3 {
                            break;
                        }
                    }
                }
                continue;
            }
            let mut escaped = false;
            for n in chars.by_ref() {
                if n == '"' && !escaped {
                    break;
                }
                escaped = n == '\\' && !escaped;
            }
            out.push("\"\"".into());
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-' || c == '.' {
            let mut word = c.to_string();
            while let Some(&n) = chars.peek() {
                if n.is_ascii_alphanumeric() || n == '_' || n == '.' {
                    word.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(word);
        } else {
            out.push(c.to_string());
        }
    }
    out
}

/// Skips one balanced group starting at `open` (`(`, `[` or `{`); returns the index after it.
fn skip_group(t: &[String], mut i: usize) -> usize {
    let mut depth = 0;
    while i < t.len() {
        match t[i].as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// Reads a type reference (`[Foo!]!`); returns the named type and the index after it.
fn type_ref(t: &[String], mut i: usize) -> (String, usize) {
    let mut name = String::new();
    while i < t.len() {
        match t[i].as_str() {
            "[" | "]" | "!" => {}
            w if name.is_empty() => name = w.to_owned(),
            _ => break,
        }
        i += 1;
    }
    (name, i)
}

/// Skips directives (`@deprecated(reason: "…")`) and default values (`= 50`).
fn skip_extras(t: &[String], mut i: usize) -> usize {
    loop {
        match t.get(i).map(String::as_str) {
            Some("@") => {
                i += 2;
                if t.get(i).map(String::as_str) == Some("(") {
                    i = skip_group(t, i);
                }
            }
            Some("=") => {
                i += 1;
                i = match t.get(i).map(String::as_str) {
                    Some("[" | "{") => skip_group(t, i),
                    _ => i + 1,
                };
            }
            _ => return i,
        }
    }
}

/// Parses `name(args): Type` definitions until the closing `}` or `)`.
fn definitions(t: &[String], mut i: usize, close: &str) -> (HashMap<String, FieldDef>, usize) {
    let mut fields = HashMap::new();
    while i < t.len() && t[i] != close {
        let name = t[i].clone();
        i += 1;
        let mut args = HashMap::new();
        if t.get(i).map(String::as_str) == Some("(") {
            let (inner, next) = definitions(t, i + 1, ")");
            args = inner.into_iter().map(|(k, v)| (k, v.type_name)).collect();
            i = next + 1;
        }
        assert_eq!(
            t.get(i).map(String::as_str),
            Some(":"),
            "schema near {name}"
        );
        let (type_name, next) = type_ref(t, i + 1);
        i = skip_extras(t, next);
        fields.insert(name, FieldDef { args, type_name });
    }
    (fields, i)
}

impl Schema {
    /// Parses the `type`, `interface` and `input` blocks of an SDL document.
    pub fn parse(sdl: &str) -> Schema {
        let t = tokens(sdl);
        let mut types = HashMap::new();
        let mut scalars = vec!["String", "Int", "Float", "Boolean", "ID"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let mut i = 0;
        while i < t.len() {
            match t[i].as_str() {
                "type" | "input" | "interface" if i + 1 < t.len() => {
                    let name = t[i + 1].clone();
                    // `type NAME [implements A & B] [@directive(…)] {`; anything else (a
                    // directive argument called `type`) is not a definition.
                    let mut j = i + 2;
                    loop {
                        match t.get(j).map(String::as_str) {
                            Some("{") | None => break,
                            Some("@") => {
                                j += 2;
                                if t.get(j).map(String::as_str) == Some("(") {
                                    j = skip_group(&t, j);
                                }
                            }
                            Some(w)
                                if w == "&" || w.starts_with(|c: char| c.is_ascii_alphabetic()) =>
                            {
                                j += 1
                            }
                            Some(_) => break,
                        }
                    }
                    if t.get(j).map(String::as_str) == Some("{")
                        && name.starts_with(|c: char| c.is_ascii_alphabetic())
                    {
                        let (fields, end) = definitions(&t, j + 1, "}");
                        types.insert(name, fields);
                        i = end + 1;
                    } else {
                        i += 1;
                    }
                }
                "scalar" if i + 1 < t.len() => {
                    scalars.push(t[i + 1].clone());
                    i += 2;
                }
                "enum" if i + 1 < t.len() => {
                    scalars.push(t[i + 1].clone());
                    let mut j = i + 2;
                    while j < t.len() && t[j] != "{" {
                        j += 1;
                    }
                    i = skip_group(&t, j);
                }
                _ => i += 1,
            }
        }
        Schema { types, scalars }
    }

    /// The field `name` of type `parent`, or a panic naming what is missing.
    pub fn field(&self, parent: &str, name: &str) -> &FieldDef {
        let fields = self
            .types
            .get(parent)
            .unwrap_or_else(|| panic!("type {parent} is not in the schema"));
        fields
            .get(name)
            .unwrap_or_else(|| panic!("{parent}.{name} is not in the schema"))
    }

    fn known(&self, type_name: &str) -> bool {
        self.types.contains_key(type_name) || self.scalars.iter().any(|s| s == type_name)
    }

    /// Checks an operation's selections against the schema, and returns its variables' types.
    pub fn check_operation(&self, operation: &str) -> HashMap<String, String> {
        let t = tokens(operation);
        let root = match t.first().map(String::as_str) {
            Some("query") => "Query",
            Some("mutation") => "Mutation",
            other => panic!("not an operation: {other:?}"),
        };
        let mut i = 2;
        let mut vars = HashMap::new();
        if t.get(i).map(String::as_str) == Some("(") {
            i += 1;
            while t[i] != ")" {
                let name = t[i].trim_start_matches('$').to_owned();
                let (type_name, next) = type_ref(&t, i + 2);
                assert!(
                    self.known(&type_name),
                    "variable type {type_name} is unknown"
                );
                vars.insert(name, type_name);
                i = skip_extras(&t, next);
            }
            i += 1;
        }
        assert_eq!(t[i], "{");
        self.selection(&t, i + 1, root);
        vars
    }

    fn selection(&self, t: &[String], mut i: usize, parent: &str) -> usize {
        while t[i] != "}" {
            let name = &t[i];
            let def = self.field(parent, name);
            i += 1;
            if t[i] == "(" {
                i += 1;
                while t[i] != ")" {
                    assert!(
                        def.args.contains_key(&t[i]),
                        "{parent}.{name} has no argument {}",
                        t[i]
                    );
                    i += 2;
                    i = match t[i].as_str() {
                        "{" | "[" => skip_group(t, i),
                        _ => i + 1,
                    };
                }
                i += 1;
            }
            if t[i] == "{" {
                i = self.selection(t, i + 1, &def.type_name);
            }
        }
        i + 1
    }

    /// Checks a variable's JSON value against its input type, recursively.
    pub fn check_value(&self, type_name: &str, value: &Value) {
        match value {
            Value::Object(obj) => {
                for (key, v) in obj {
                    let def = self.field(type_name, key);
                    self.check_value(&def.type_name, v);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.check_value(type_name, v)),
            _ => assert!(self.known(type_name), "type {type_name} is unknown"),
        }
    }
}
