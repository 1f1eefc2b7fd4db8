//! The draft's Markdown as the small HTML subset Azure DevOps stores in `System.Description`.
//!
//! The draft's escapes are undone (`markup::subset`) and every piece of text is HTML-escaped,
//! so no finding can add a tag, an attribute, a comment or an entity. Azure sanitises
//! description HTML, and comments may not survive it, so the fingerprint is also written as a
//! visible line of its own: lookups match either exactly (`marker::in_html`).

use crate::markup::html::escape_into;
use crate::markup::subset::{Block, blocks, runs};
use crate::providers::marker;

/// One line's runs: `<strong>` and `<code>` around escaped text.
fn inline_into(out: &mut String, line: &str) {
    for run in runs(line) {
        let (open, close) = match (run.strong, run.code) {
            (true, true) => ("<strong><code>", "</code></strong>"),
            (true, false) => ("<strong>", "</strong>"),
            (false, true) => ("<code>", "</code>"),
            (false, false) => ("", ""),
        };
        out.push_str(open);
        escape_into(out, &run.text);
        out.push_str(close);
    }
}

/// Renders the draft body (headings, fields, text, evidence, a rule) and the fingerprint.
pub fn description(markdown: &str, fingerprint: &str) -> String {
    let mut out = String::new();
    for block in blocks(markdown) {
        match block {
            Block::Heading(level, text) => {
                let level = level.clamp(1, 6);
                out.push_str(&format!("<h{level}>"));
                inline_into(&mut out, &text);
                out.push_str(&format!("</h{level}>"));
            }
            Block::Paragraph(lines) => {
                for line in lines.iter().filter(|l| !marker::is_marker_line(l)) {
                    // Shown below as a line of its own; the comment goes at the very end.
                    out.push_str("<div>");
                    inline_into(&mut out, line);
                    out.push_str("</div>");
                }
            }
            Block::Code(code) => {
                out.push_str("<pre><code>");
                escape_into(&mut out, &code);
                out.push_str("\n</code></pre>");
            }
            Block::Rule => out.push_str("<hr>"),
        }
    }
    out.push_str(&format!(
        "<p><small>{}</small></p>{}",
        marker::visible_line(fingerprint),
        marker::line(fingerprint)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_escaped_html_with_the_fingerprint() {
        let md = "**Severity:** high\n### Evidence\n\n```\n<script>\n```\n---\n\\<img src=x\\> @\u{200B}everyone\n<!-- ticket-export:fingerprint=fp1:ab -->\n";
        let html = description(md, "fp1:ab");
        assert!(html.contains("<strong>Severity:</strong> high"), "{html}");
        assert!(html.contains("<h3>Evidence</h3>"));
        assert!(html.contains("<pre><code>&lt;script&gt;\n</code></pre>"));
        assert!(
            html.contains("<div>&lt;img src=x&gt; @\u{200B}everyone</div>"),
            "{html}"
        );
        assert!(html.contains("fingerprint: fp1:ab"));
        assert!(html.ends_with("<!-- ticket-export:fingerprint=fp1:ab -->"));
        assert_eq!(html.matches("<!--").count(), 1, "{html}");
        assert!(marker::in_html(&html, "fp1:ab"));
    }
}
