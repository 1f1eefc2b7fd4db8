//! Reading back the small Markdown subset a ticket draft is written in, for the providers that
//! take another format: Jira's Atlassian Document and wiki markup, Azure's HTML, Asana's plain
//! text. The draft writes bold field names, `###` headings, paragraphs of escaped finding text,
//! one fenced evidence block, code spans and a `---` rule, so this is not a general Markdown
//! parser and does not try to be; it does undo the backslash escapes the draft puts on finding
//! text, so each format gets the text itself and escapes it in its own way.

/// One block of the draft.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, String),
    /// Lines of one paragraph, each kept as written (still escaped Markdown).
    Paragraph(Vec<String>),
    /// A fenced block's text, verbatim.
    Code(String),
    Rule,
}

/// Splits the draft's Markdown into blocks.
pub fn blocks(markdown: &str) -> Vec<Block> {
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
        // An opening fence may carry an info string (`text`); a closing one may not.
        let info = &line[fence_len..];
        if fence_len >= 3 && !info.contains('`') {
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

/// A piece of a line: its text as it reads (escapes undone) and how it is marked.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    pub strong: bool,
    pub code: bool,
}

enum Token {
    Text(String),
    Code(String),
    Strong,
}

/// The runs of one line: plain text, `**strong**` and code spans of any fence length, with
/// backslash escapes undone. An unmatched `**` or backtick run is text.
pub fn runs(line: &str) -> Vec<Run> {
    let bytes = line.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let flush = |text: &mut String, tokens: &mut Vec<Token>| {
        if !text.is_empty() {
            tokens.push(Token::Text(std::mem::take(text)));
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                text.push(bytes[i + 1] as char);
                i += 2;
            }
            b'`' => {
                let n = bytes[i..].iter().take_while(|b| **b == b'`').count();
                match closing_run(line, i + n, n) {
                    Some(close) => {
                        flush(&mut text, &mut tokens);
                        tokens.push(Token::Code(code_content(&line[i + n..close])));
                        i = close + n;
                    }
                    None => {
                        text.push_str(&line[i..i + n]);
                        i += n;
                    }
                }
            }
            b'*' if bytes.get(i + 1) == Some(&b'*') => {
                flush(&mut text, &mut tokens);
                tokens.push(Token::Strong);
                i += 2;
            }
            _ => {
                let c = line[i..].chars().next().expect("i is on a char boundary");
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    flush(&mut text, &mut tokens);
    // Pairs of `**` mark; an odd last one is text.
    let delims = tokens.iter().filter(|t| matches!(t, Token::Strong)).count();
    let mut unpaired_from = if delims % 2 == 1 { delims } else { usize::MAX };
    let mut out: Vec<Run> = Vec::new();
    let mut strong = false;
    let mut seen = 0;
    let push = |out: &mut Vec<Run>, text: &str, strong: bool, code: bool| match out.last_mut() {
        Some(last) if last.strong == strong && last.code == code && !code => {
            last.text.push_str(text)
        }
        _ => out.push(Run {
            text: text.to_owned(),
            strong,
            code,
        }),
    };
    for token in tokens {
        match token {
            Token::Text(t) => push(&mut out, &t, strong, false),
            Token::Code(t) => push(&mut out, &t, strong, true),
            Token::Strong => {
                seen += 1;
                if seen == unpaired_from {
                    push(&mut out, "**", strong, false);
                    unpaired_from = usize::MAX;
                } else {
                    strong = !strong;
                }
            }
        }
    }
    out
}

/// The start of the next run of exactly `n` backticks at or after `from`.
fn closing_run(line: &str, from: usize, n: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// A code span's text: one space of padding each side is dropped (CommonMark).
fn code_content(inner: &str) -> String {
    if inner.len() >= 2
        && inner.starts_with(' ')
        && inner.ends_with(' ')
        && !inner.trim().is_empty()
    {
        inner[1..inner.len() - 1].to_owned()
    } else {
        inner.to_owned()
    }
}

/// A line's text with marks dropped and escapes undone.
pub fn plain_line(line: &str) -> String {
    runs(line).into_iter().map(|r| r.text).collect()
}

/// The draft as plain text (Asana's `notes`): headings and fields as text, evidence as it is.
pub fn to_plain(markdown: &str) -> String {
    let mut out = Vec::new();
    for block in blocks(markdown) {
        out.push(match block {
            Block::Heading(_, text) => plain_line(&text),
            Block::Paragraph(lines) => lines
                .iter()
                .map(|l| plain_line(l))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Code(code) => code,
            Block::Rule => "---".to_owned(),
        });
    }
    let mut text = out.join("\n\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, strong: bool, code: bool) -> Run {
        Run {
            text: text.into(),
            strong,
            code,
        }
    }

    #[test]
    fn escapes_are_undone_and_marks_read() {
        assert_eq!(
            runs(r"**Parameter:** `q` and \*not bold\* \<script\>"),
            vec![
                run("Parameter:", true, false),
                run(" ", false, false),
                run("q", false, true),
                run(" and *not bold* <script>", false, false),
            ]
        );
        assert_eq!(runs("``a`b``"), vec![run("a`b", false, true)]);
        assert_eq!(runs("`` `x` ``"), vec![run("`x`", false, true)]);
        assert_eq!(runs("a ** b ` c"), vec![run("a ** b ` c", false, false)]);
        assert_eq!(runs(r"\\ and \q"), vec![run(r"\ and \q", false, false)]);
    }

    #[test]
    fn fences_with_an_info_string_are_code() {
        let md = "### Evidence\n\n````text\nGET /``x``\n````\n\n---\nend\n";
        assert_eq!(
            blocks(md),
            vec![
                Block::Heading(3, "Evidence".into()),
                Block::Code("GET /``x``".into()),
                Block::Rule,
                Block::Paragraph(vec!["end".into()]),
            ]
        );
        assert_eq!(
            to_plain("**Severity:** high\n\n### Evidence\n\n```\n<b>\n```\n"),
            "Severity: high\n\nEvidence\n\n<b>\n"
        );
    }
}
