//! The draft's Markdown as the small HTML subset Azure DevOps stores in `System.Description`.
//!
//! Azure sanitises description HTML, and comments may not survive it, so the fingerprint is
//! also written as visible text: lookups confirm the full fingerprint, not the comment.

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `**bold**` and `` `code` `` inside one escaped line.
fn inline(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(line).split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<strong>{part}</strong>"));
        } else {
            for (j, bit) in part.split('`').enumerate() {
                if j % 2 == 1 {
                    out.push_str(&format!("<code>{bit}</code>"));
                } else {
                    out.push_str(bit);
                }
            }
        }
    }
    out
}

/// Renders the draft body (headings, fences, bold, code, a rule) and the fingerprint.
pub fn description(markdown: &str, fingerprint: &str, marker: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        if let Some(open) = &fence {
            if line.trim_end() == open {
                out.push_str("</code></pre>");
                fence = None;
            } else {
                out.push_str(&escape(line));
                out.push('\n');
            }
            continue;
        }
        let trimmed = line.trim_end();
        if trimmed.len() >= 3 && trimmed.chars().all(|c| c == '`') {
            fence = Some(trimmed.to_owned());
            out.push_str("<pre><code>");
        } else if let Some(h) = trimmed.strip_prefix("### ") {
            out.push_str(&format!("<h3>{}</h3>", inline(h)));
        } else if trimmed == "---" {
            out.push_str("<hr>");
        } else if trimmed == marker {
            // Shown below as text; the comment form is kept for tools that read it.
        } else if !trimmed.is_empty() {
            out.push_str(&format!("<div>{}</div>", inline(trimmed)));
        }
    }
    if fence.is_some() {
        out.push_str("</code></pre>");
    }
    out.push_str(&format!(
        "<p><small>WebRiskOps fingerprint: {}</small></p>{marker}",
        escape(fingerprint)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_escaped_html_with_the_fingerprint() {
        let md = "**Severity:** high\n### Evidence\n\n```\n<script>\n```\n---\n<!-- m -->\n";
        let html = description(md, "fp1:ab", "<!-- m -->");
        assert!(html.contains("<strong>Severity:</strong> high"));
        assert!(html.contains("<h3>Evidence</h3>"));
        assert!(html.contains("<pre><code>&lt;script&gt;\n</code></pre>"));
        assert!(html.contains("fingerprint: fp1:ab"));
        assert!(html.ends_with("<!-- m -->"));
    }
}
