//! The draft's markdown in Jira's two description formats: an Atlassian Document (Cloud v3)
//! and wiki markup in a plain string (Data Center v2), and the way back to plain text so a
//! lookup can find the fingerprint marker in either.
//!
//! The draft's escapes are undone (`markup::subset`): an Atlassian Document holds text as
//! text, so nothing in it can become a mention, a link or media; wiki markup escapes the text
//! again in its own syntax. The marker line is written as it is in both.

use serde_json::{Value, json};

use crate::markup::subset::{Block, blocks, runs};
use crate::markup::wiki;
use crate::providers::marker;

fn inline_nodes(lines: &[String]) -> Vec<Value> {
    let mut nodes = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            nodes.push(json!({"type": "hardBreak"}));
        }
        if marker::is_marker_line(line) {
            nodes.push(json!({"type": "text", "text": line.trim()}));
            continue;
        }
        for run in runs(line) {
            let mut node = json!({"type": "text", "text": run.text});
            let marks: Vec<Value> = [(run.strong, "strong"), (run.code, "code")]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, mark)| json!({"type": mark}))
                .collect();
            if !marks.is_empty() {
                node["marks"] = json!(marks);
            }
            nodes.push(node);
        }
    }
    nodes
}

/// The draft as an Atlassian Document: Cloud v3 refuses a plain string description.
pub fn to_adf(markdown: &str) -> Value {
    let content: Vec<Value> = blocks(markdown)
        .into_iter()
        .map(|block| match block {
            Block::Heading(level, text) => json!({
                "type": "heading", "attrs": {"level": level},
                "content": inline_nodes(&[text]),
            }),
            Block::Paragraph(lines) => {
                json!({"type": "paragraph", "content": inline_nodes(&lines)})
            }
            // ADF refuses empty text nodes, so an empty block has no content at all.
            Block::Code(code) if code.is_empty() => json!({"type": "codeBlock"}),
            Block::Code(code) => json!({
                "type": "codeBlock",
                "content": [{"type": "text", "text": code}],
            }),
            Block::Rule => json!({"type": "rule"}),
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": content})
}

/// The draft as Jira wiki markup, which Data Center renders from its plain string description.
pub fn to_wiki(markdown: &str) -> String {
    let mut out = Vec::new();
    for block in blocks(markdown) {
        match block {
            Block::Heading(level, text) => out.push(format!("h{level}. {}", wiki_inline(&text))),
            Block::Paragraph(lines) => out.push(
                lines
                    .iter()
                    .map(|l| wiki_inline(l))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            // Evidence is shown verbatim; a `{noformat}` inside it would end the block early.
            Block::Code(code) => out.push(format!(
                "{{noformat}}\n{}\n{{noformat}}",
                code.replace("{noformat}", "{ noformat}")
            )),
            Block::Rule => out.push("----".into()),
        }
    }
    out.join("\n\n")
}

fn wiki_inline(line: &str) -> String {
    if marker::is_marker_line(line) {
        return line.trim().to_owned();
    }
    let mut out = String::new();
    for (i, run) in runs(line).into_iter().enumerate() {
        match (run.strong, run.code) {
            // Monospace shows text as written, except that braces would close it.
            (_, true) => {
                out.push_str("{{");
                out.push_str(&run.text.replace(['{', '}'], " "));
                out.push_str("}}");
            }
            (true, false) => {
                out.push('*');
                wiki::escape_into(&mut out, &run.text, i == 0);
                out.push('*');
            }
            (false, false) => wiki::escape_into(&mut out, &run.text, i == 0),
        }
    }
    out
}

/// Every text node of a document, in order, one block per line: what a lookup searches for the
/// marker. A string description (Data Center) is returned as it is.
pub fn plain_text(description: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        if let Some(text) = node["text"].as_str() {
            out.push_str(text);
        }
        for child in node["content"].as_array().into_iter().flatten() {
            walk(child, out);
        }
        if node["type"] != "text" {
            out.push('\n');
        }
    }
    match description {
        Value::String(s) => s.clone(),
        Value::Object(_) => {
            let mut out = String::new();
            walk(description, &mut out);
            out
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "**Severity:** high\n**URL:** https://x.example/\n\n### Evidence\n\n````\nGET /?q=``x`` {noformat}\n````\n\n---\nExported for `fnd_1`.\n<!-- ticket-export:fingerprint=fp1:ab -->\n";

    #[test]
    fn adf_keeps_structure_marks_and_the_marker_text() {
        let doc = to_adf(BODY);
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["version"], 1);
        let types: Vec<&str> = doc["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            ["paragraph", "heading", "codeBlock", "rule", "paragraph"]
        );
        assert_eq!(doc["content"][0]["content"][0]["text"], "Severity:");
        assert_eq!(
            doc["content"][0]["content"][0]["marks"][0]["type"],
            "strong"
        );
        assert_eq!(doc["content"][0]["content"][2]["type"], "hardBreak");
        assert_eq!(
            doc["content"][2]["content"][0]["text"],
            "GET /?q=``x`` {noformat}"
        );
        assert!(plain_text(&doc).contains("<!-- ticket-export:fingerprint=fp1:ab -->"));
    }

    #[test]
    fn wiki_markup_uses_jira_syntax_and_keeps_evidence_closed() {
        let wiki = to_wiki(BODY);
        assert!(wiki.starts_with("*Severity:* high\n*URL:* https://x.example/"));
        assert!(wiki.contains("h3. Evidence"));
        assert!(wiki.contains("{noformat}\nGET /?q=``x`` { noformat}\n{noformat}"));
        assert!(wiki.contains("----"));
        assert!(wiki.contains("Exported for {{fnd_1}}."));
        assert!(wiki.ends_with("<!-- ticket-export:fingerprint=fp1:ab -->"));
    }
}
