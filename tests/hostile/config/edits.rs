//! Generators for the config parser: TOML-shaped text and edits of a valid config.

use proptest::prelude::*;
use proptest::sample::Index;

use super::KEYS;

/// TOML-shaped lines: headers, key = value pairs with the config's own keys and values.
pub fn toml_ish() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(KEYS).prop_map(str::to_owned),
        "[a-z_.\"-]{0,10}"
    ];
    let value = prop_oneof![
        prop::sample::select(vec![
            "\"cloud\"",
            "\"self-hosted\"",
            "\"jira\"",
            "\"github\"",
            "\"webhook\"",
            "\"https://x.example\"",
            "\"24h\"",
            "\"-1h\"",
            "true",
            "1",
            "-9223372036854775808",
            "1e999",
            "nan",
            "inf",
            "[]",
            "{}",
            "[\"a\"]",
            "{ token_env = \"T\" }",
            "\"\"\"\nmulti\n\"\"\"",
            "'lit'",
            "1979-05-27T07:32:00Z",
            "\"\\u0000\"",
            "\"\\uD800\"",
            "\"unterminated",
            "{ a = 1, a = 2 }",
        ])
        .prop_map(str::to_owned),
        any::<String>().prop_map(|s| format!("{s:?}")),
    ];
    let line = prop_oneof![
        3 => (key.clone(), value).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => key.clone().prop_map(|k| format!("[{k}]")),
        1 => key.prop_map(|k| format!("[providers.{k}]")),
        1 => any::<String>(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

/// A change to the valid config's lines or characters.
#[derive(Debug, Clone)]
pub enum Edit {
    DropLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    ReplaceValue(Index, String),
    RenameKey(Index, String),
    Truncate(Index),
    DeleteChar(Index),
    InsertText(Index, String),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        prop::sample::select(vec![
            "\"", "[", "]", "{", "}", "=", "\n", ",", "#", "'", "\\", "\u{0}", "x"
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    prop_oneof![
        any::<Index>().prop_map(Edit::DropLine),
        any::<Index>().prop_map(Edit::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<Index>(), toml_ish())
            .prop_map(|(i, v)| Edit::ReplaceValue(i, v.lines().next().unwrap_or("").to_owned())),
        (
            any::<Index>(),
            prop_oneof![
                prop::sample::select(KEYS).prop_map(str::to_owned),
                "[a-z_]{1,8}"
            ]
        )
            .prop_map(|(i, k)| Edit::RenameKey(i, k)),
        any::<Index>().prop_map(Edit::Truncate),
        any::<Index>().prop_map(Edit::DeleteChar),
        (any::<Index>(), text).prop_map(|(i, t)| Edit::InsertText(i, t)),
    ]
}

pub fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len().max(1);
    match edit {
        Edit::DropLine(i) if !lines.is_empty() => {
            lines.remove(i.index(n));
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let line = lines[i.index(n)].clone();
            lines.insert(i.index(n), line);
        }
        Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a.index(n), b.index(n)),
        Edit::ReplaceValue(i, v) if !lines.is_empty() => {
            let line = &mut lines[i.index(n)];
            if let Some((k, _)) = line.split_once('=') {
                *line = format!("{k}= {v}");
            }
        }
        Edit::RenameKey(i, k) if !lines.is_empty() => {
            let line = &mut lines[i.index(n)];
            if let Some((_, v)) = line.split_once('=') {
                *line = format!("{k} ={v}");
            }
        }
        Edit::Truncate(i) => {
            let chars: Vec<char> = text.chars().collect();
            return chars[..i.index(chars.len() + 1)].iter().collect();
        }
        Edit::DeleteChar(i) => {
            let mut chars: Vec<char> = text.chars().collect();
            if !chars.is_empty() {
                chars.remove(i.index(chars.len()));
            }
            return chars.into_iter().collect();
        }
        Edit::InsertText(i, t) => {
            let mut chars: Vec<char> = text.chars().collect();
            let at = i.index(chars.len() + 1);
            chars.splice(at..at, t.chars());
            return chars.into_iter().collect();
        }
        _ => {}
    }
    lines.join("\n")
}
