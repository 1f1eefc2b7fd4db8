//! Removes credentials that scanners capture inside evidence: `Authorization`, `Cookie` and
//! `Set-Cookie` header values, and user-info in URLs. Applied to everything sent or written.

/// Header names whose values are always secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// The text with secret header values and URL user-info replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&redact_userinfo(&redact_header_line(line)));
    }
    out
}

fn redact_header_line(line: &str) -> String {
    let trimmed = line.trim_start();
    if let Some((name, _)) = trimmed.split_once(':') {
        let name_lower = name.trim().to_ascii_lowercase();
        if SECRET_HEADERS.contains(&name_lower.as_str()) {
            let indent = &line[..line.len() - trimmed.len()];
            return format!("{indent}{}: [redacted]", name.trim_end());
        }
    }
    line.to_owned()
}

/// Replaces `user:password@` after `://` with `[redacted]@`.
fn redact_userinfo(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(['/', ' ', '"', '\'', '<', '>', '\t'])
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(at) => {
                out.push_str("[redacted]");
                out.push_str(&tail[at..authority_end]);
            }
            None => out.push_str(&tail[..authority_end]),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn header_values_are_redacted_whatever_the_case() {
        let evidence = "GET /api HTTP/1.1\r\nHost: shop.example\r\nAuthorization: Bearer abc.def\r\n  cookie: session=5f2c; theme=dark\nSet-Cookie: sid=1; HttpOnly\nX-Trace: keep";
        let out = redact(evidence);
        assert!(
            !out.contains("abc.def") && !out.contains("5f2c") && !out.contains("sid=1"),
            "{out}"
        );
        assert!(
            out.contains("Authorization: [redacted]") && out.contains("  cookie: [redacted]"),
            "{out}"
        );
        assert!(
            out.contains("Host: shop.example") && out.contains("X-Trace: keep"),
            "{out}"
        );
    }

    #[test]
    fn url_userinfo_is_redacted() {
        let out = redact(
            "see https://admin:hunter2@shop.example/login and ftp://u@h/x, not mail@example.com",
        );
        assert_eq!(
            out,
            "see https://[redacted]@shop.example/login and ftp://[redacted]@h/x, not mail@example.com"
        );
    }

    #[test]
    fn plain_text_is_unchanged() {
        let text = "Reflected XSS in q: <script>alert(1)</script>\nno secrets here: a=b";
        assert_eq!(redact(text), text);
    }
}
