//! Escaping finding text for Markdown (CommonMark and GFM), shared by the ticket bodies and
//! the portable Markdown file: each helper appends to a buffer, so a finding is built in one
//! reused string.
//!
//! Escaped text renders as itself: no raw HTML (`<script>`, `<img>`, `<!--`), no link or image
//! (`[x](…)`, `![x](…)`), no block a line could open (headings, lists, quotes, rules, fences,
//! GitLab's `/quick actions`), and no mention ping (`@everyone`, `@user`).

use std::borrow::Cow;

use super::neutral::{ZERO_WIDTH_SPACE, starts_mention};

/// Characters that open inline syntax anywhere in a line (CommonMark plus GFM's `~` and `|`).
fn inline_special(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'`'
            | b'*'
            | b'_'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'!'
            | b'&'
            | b'|'
            | b'~'
            | b'{'
            | b'}'
    )
}

/// Characters that open a block at the start of a line; `/` opens a GitLab quick action
/// (`/close`, `/assign @me`), which GitLab runs when an issue is created with it.
fn opens_line(b: u8) -> bool {
    matches!(b, b'#' | b'>' | b'-' | b'+' | b'=' | b'/')
}

/// Appends one line of text to `out`, escaped so it renders as itself; `extra` is escaped
/// anywhere in the line too (`#` in headings).
pub fn escape_with_into(out: &mut String, line: &str, extra: Option<u8>) {
    let line = line.trim_start_matches([' ', '\t']);
    let bytes = line.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut copied = 0;
    // Every byte that needs a backslash or a replacement is ASCII, so slicing at it is safe.
    for (i, &b) in bytes.iter().enumerate() {
        let opens_block = (i == 0 && opens_line(b))
            // `1.` or `1)` at the start of a line opens an ordered list.
            || (i == digits && digits > 0 && (b == b'.' || b == b')'));
        let escape = inline_special(b) || Some(b) == extra || opens_block;
        let mention = b == b'@' && starts_mention(line, i);
        if !escape && b != 0 && !mention {
            continue;
        }
        out.push_str(&line[copied..i]);
        if b == 0 {
            out.push('\u{FFFD}');
        } else if mention {
            // Renderers find mentions in the rendered text, where a backslash is gone.
            out.push('@');
            out.push(ZERO_WIDTH_SPACE);
        } else {
            out.push('\\');
            out.push(b as char);
        }
        copied = i + 1;
    }
    out.push_str(&line[copied..]);
}

/// Normalises line ends and control characters a renderer would choke on.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Appends multi-line text as paragraphs: blank lines separate paragraphs, other line breaks
/// are kept as hard breaks (a trailing backslash).
pub fn paragraphs_into(out: &mut String, text: &str) {
    let start = out.len();
    let mut in_paragraph = false;
    let mut escaped = String::new();
    for line in lines(text.trim_matches(['\n', '\r'])) {
        escaped.clear();
        escape_with_into(&mut escaped, line, None);
        if escaped.trim().is_empty() {
            if in_paragraph {
                out.push('\n');
            }
            in_paragraph = false;
            continue;
        }
        if in_paragraph {
            out.push_str("\\\n");
        } else if out.len() > start {
            out.push('\n');
        }
        out.push_str(escaped.trim_end());
        in_paragraph = true;
    }
    out.push('\n');
}

/// Text on one line: every line break becomes a space.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if text.contains(['\n', '\r']) {
        Cow::Owned(text.replace("\r\n", " ").replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(text)
    }
}

/// Appends a heading's text: one line, escaped (a trailing `#` is escaped too, so it is not
/// taken as a closing sequence).
pub fn heading_into(out: &mut String, text: &str) {
    let start = out.len();
    escape_with_into(out, one_line(text).trim(), Some(b'#'));
    if out.len() == start {
        out.push_str("(untitled)");
    }
}

/// A code span, with a fence of backticks longer than any run inside it.
pub fn code_span(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    code_span_into(&mut out, text);
    out
}

/// [`code_span`], appended to `out`.
pub fn code_span_into(out: &mut String, text: &str) {
    // Ids, fingerprints and URLs rarely need more than plain backticks: skip the general path.
    if !text.is_empty()
        && !text.contains(['`', '\n', '\r', '\0'])
        && !text.starts_with(' ')
        && !text.ends_with(' ')
    {
        out.push('`');
        out.push_str(text);
        out.push('`');
        return;
    }
    let text = one_line(text);
    let text = if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        text
    };
    if text.is_empty() {
        out.push_str("_none_");
        return;
    }
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    for part in [fence.as_str(), pad, &text, pad, &fence] {
        out.push_str(part);
    }
}

/// Appends a code span for a table cell: GFM splits cells on `|` even inside code spans.
pub fn cell_code_into(out: &mut String, text: &str) {
    let start = out.len();
    code_span_into(out, text);
    if out[start..].contains('|') {
        let span = out.split_off(start);
        out.push_str(&span.replace('|', "\\|"));
    }
}

/// Appends a fenced code block that no line of `text` can close.
pub fn fenced_into(out: &mut String, text: &str) {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    out.push_str(&fence);
    out.push_str("text\n");
    for line in lines(text.trim_end_matches(['\n', '\r'])) {
        if line.contains('\0') {
            out.push_str(&line.replace('\0', "\u{FFFD}"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(into: fn(&mut String, &str), text: &str) -> String {
        let mut out = String::new();
        into(&mut out, text);
        out
    }

    fn escape_line(line: &str) -> String {
        rendered(|out, line| escape_with_into(out, line, None), line)
    }

    #[test]
    fn block_openers_and_inline_syntax_are_escaped() {
        assert_eq!(escape_line("# not a heading"), "\\# not a heading");
        assert_eq!(escape_line("  - not a list"), "\\- not a list");
        assert_eq!(escape_line("12. not a list"), "12\\. not a list");
        assert_eq!(
            escape_line("<script>x</script>"),
            "\\<script\\>x\\</script\\>"
        );
        assert_eq!(escape_line("a | b `c` *d*"), "a \\| b \\`c\\` \\*d\\*");
        assert_eq!(escape_line("/close"), "\\/close");
        assert_eq!(
            escape_line("![x](https://evil.example/p.png) @everyone"),
            "\\!\\[x\\](https://evil.example/p.png) @\u{200B}everyone"
        );
        assert_eq!(
            escape_line("<!-- c --> <a href=javascript:x>"),
            "\\<\\!-- c --\\> \\<a href=javascript:x\\>"
        );
        assert_eq!(
            escape_line("v1.2 at https://x.example/a?b=1"),
            "v1.2 at https://x.example/a?b=1"
        );
    }

    #[test]
    fn code_spans_and_fences_outgrow_backticks() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(rendered(fenced_into, "```\nx"), "````text\n```\nx\n````\n");
        assert_eq!(rendered(cell_code_into, "a|b"), "`a\\|b`");
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_blank_lines() {
        assert_eq!(rendered(paragraphs_into, "a\nb\n\nc"), "a\\\nb\n\nc\n");
        assert_eq!(rendered(paragraphs_into, "\r\n- x\r\n"), "\\- x\n");
    }
}
