//! The draft's markdown in Jira's two description formats: an Atlassian Document (Cloud v3)
//! and wiki markup in a plain string (Data Center v2), and the way back to plain text so a
//! lookup can find the fingerprint marker in either.

use serde_json::{Value, json};

/// One block of the draft's markdown, as the two formats need it.
enum Block {
    Heading(u8, String),
    Paragraph(Vec<String>),
    Code(String),
    Rule,
}

/// Splits the draft body into blocks. The draft only writes a small markdown subset (bold
/// lines, `###` headings, one fenced evidence block, a `---` rule), so this is not a general
/// markdown parser and does not try to be.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut lines = markdown.lines();
    let flush = |para: &mut Vec<String>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(std::mem::take(para)));
        }
    };
    while let Some(line) = lines.next() {
        let fence_len = line.chars().take_while(|c| *c == '`').count();
        if fence_len >= 3 && line.trim_end().len() == fence_len {
            flush(&mut para, &mut out);
            let fence = &line[..fence_len];
            let code: Vec<&str> = lines
                .by_ref()
                .take_while(|l| l.trim_end() != fence)
                .collect();
            out.push(Block::Code(code.join("\n")));
        } else if let Some((level, text)) = heading(line) {
            flush(&mut para, &mut out);
            out.push(Block::Heading(level, text.to_owned()));
        } else if line.trim() == "---" {
            flush(&mut para, &mut out);
            out.push(Block::Rule);
        } else if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push(line.to_owned());
        }
    }
    flush(&mut para, &mut out);
    out
}

fn heading(line: &str) -> Option<(u8, &str)> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    let text = line[hashes..].strip_prefix(' ')?;
    (1..=6)
        .contains(&hashes)
        .then_some((hashes as u8, text.trim()))
}

/// Inline runs of a line: plain text, `**strong**` and `` `code` ``.
fn runs(line: &str) -> Vec<(&str, Option<&'static str>)> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let next = [("**", "strong"), ("`", "code")]
            .iter()
            .filter_map(|(open, mark)| {
                let start = rest.find(open)?;
                let inner = &rest[start + open.len()..];
                let end = inner.find(open)?;
                (end > 0).then_some((start, open.len(), end, *mark))
            })
            .min_by_key(|(start, ..)| *start);
        let Some((start, width, end, mark)) = next else {
            out.push((rest, None));
            break;
        };
        if start > 0 {
            out.push((&rest[..start], None));
        }
        let inner_start = start + width;
        out.push((&rest[inner_start..inner_start + end], Some(mark)));
        rest = &rest[inner_start + end + width..];
    }
    out
}

fn inline_nodes(lines: &[String]) -> Vec<Value> {
    let mut nodes = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            nodes.push(json!({"type": "hardBreak"}));
        }
        for (text, mark) in runs(line) {
            let mut node = json!({"type": "text", "text": text});
            if let Some(mark) = mark {
                node["marks"] = json!([{"type": mark}]);
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
    runs(line)
        .into_iter()
        .map(|(text, mark)| match mark {
            Some("strong") => format!("*{text}*"),
            Some(_) => format!("{{{{{text}}}}}"),
            None => text.to_owned(),
        })
        .collect()
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

    #[test]
    fn unmatched_marks_stay_text() {
        assert_eq!(runs("a ** b ` c"), vec![("a ** b ` c", None)]);
    }
}
