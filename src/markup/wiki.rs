//! Escaping text for Jira wiki markup (Jira Data Center's plain-string descriptions and the
//! Jira CSV preset), so a finding cannot mention a user (`[~name]`), embed an image
//! (`!https://…!`), link (`[x|javascript:…]`), open a macro (`{html}`) or a block.
//!
//! Jira's renderer takes `\` before a special character as "this character, literally"; a
//! backslash itself (which would escape or, doubled, break the line) is written as an entity.

/// Characters with a meaning anywhere in a line: text effects (`*bold*`, `_em_`, `-strike-`,
/// `+ins+`, `^sup^`, `~sub~`, `??cite??`), macros, links, images, tables, and `#` lists.
fn special(c: char) -> bool {
    matches!(
        c,
        '*' | '_' | '-' | '+' | '^' | '~' | '?' | '{' | '}' | '[' | ']' | '!' | '|' | '#'
    )
}

/// Appends text that starts a line, escaped so Jira shows it as written.
pub fn escape_line_into(out: &mut String, line: &str) {
    escape_into(out, line.trim_start(), true);
}

/// Appends text escaped so Jira shows it as written; `line_start` when it begins a line, where
/// `h1.` to `h6.` and `bq.` would make a heading or a quote.
pub fn escape_into(out: &mut String, line: &str, line_start: bool) {
    let block = line_start
        && ["h1.", "h2.", "h3.", "h4.", "h5.", "h6.", "bq."]
            .iter()
            .any(|p| {
                line.len() >= 3 && line.is_char_boundary(3) && line[..3].eq_ignore_ascii_case(p)
            });
    for (i, c) in line.char_indices() {
        match c {
            '\\' => out.push_str("&#92;"),
            '.' if block && i == 2 => out.push_str("&#46;"),
            '\0' => out.push('\u{FFFD}'),
            c if special(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// [`escape_line_into`] for one line, returned.
pub fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    escape_line_into(&mut out, line);
    out
}

#[cfg(test)]
mod tests {
    use super::escape_line;

    #[test]
    fn wiki_markup_in_finding_text_is_escaped() {
        assert_eq!(
            escape_line("[~admin] see !https://evil.example/p.png!"),
            r"\[\~admin\] see \!https://evil.example/p.png\!"
        );
        assert_eq!(
            escape_line("{html}<b>x</b>{html}"),
            r"\{html\}<b>x</b>\{html\}"
        );
        assert_eq!(
            escape_line("[click|javascript:alert(1)]"),
            r"\[click\|javascript:alert(1)\]"
        );
        assert_eq!(escape_line("h1. Title"), "h1&#46; Title");
        assert_eq!(
            escape_line("# item ---- *b* a\\b"),
            r"\# item \-\-\-\- \*b\* a&#92;b"
        );
    }
}
