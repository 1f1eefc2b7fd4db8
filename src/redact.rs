//! Redaction of credentials that scanners capture inside findings, applied to every finding
//! field before it goes anywhere: ticket titles and bodies, webhook payloads, the portable CSV,
//! Markdown and JSON files, and `inspect`.
//!
//! Evidence is copied from real HTTP exchanges, shell history and configuration files, so a
//! session cookie, a bearer token, a cloud key or a private key the scanner saw can sit in any
//! field. What is redacted:
//! - credential headers in any case and spacing, at a line start, in curl's `-H '…'`, in JSON,
//!   dicts and HAR (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`,
//!   `X-Api-Key`, `X-Amz-Security-Token`, `Private-Token`, …), see [`scan`];
//! - values of secret-named keys in query strings, forms, JSON and YAML (`access_token=`,
//!   `token=`, `api_key=`, `"password": "…"`, `X-Amz-Signature=`, …) and URL user-info;
//! - curl's `-u`/`--user`, `-b`/`--cookie` and `--oauth2-bearer` values;
//! - self-identifying token formats (GitHub, GitLab, Slack, Stripe, Google, AWS, npm, JWTs,
//!   private key blocks, …), see [`tokens`], whose rules follow gitleaks' maintained set.
//!
//! What stays is what makes the finding useful: header and key names, the auth scheme, cookie
//! names and attributes (a "cookie without Secure" finding still shows the flags), the URL's
//! host and path.

mod names;
mod scan;
mod tokens;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Finding, Report};

/// What replaces a redacted value.
pub const REDACTED: &str = "[REDACTED]";

/// Returns `text` with every credential found replaced by [`REDACTED`]; borrows when nothing
/// needed redacting, so clean text costs no copy.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !suspicious(text) {
        return Cow::Borrowed(text);
    }
    let mut spans: Vec<Range<usize>> = Vec::new();
    tokens::private_keys(text, &mut spans);
    scan::pairs(text, &mut spans);
    scan::curl_options(text, &mut spans);
    scan::userinfo(text, &mut spans);
    tokens::formats(text, &mut spans);
    apply(text, spans)
}

/// The finding with every free-text field redacted: title, URL, parameter, description,
/// evidence and remediation. Ids, severity and status are the platform's, not the scanned
/// site's, and are kept as they are.
pub fn finding(f: &Finding) -> Finding {
    Finding {
        title: redact(&f.title).into_owned(),
        url: redact(&f.url).into_owned(),
        parameter: f.parameter.as_deref().map(|p| redact(p).into_owned()),
        description: redact(&f.description).into_owned(),
        evidence: redact(&f.evidence).into_owned(),
        remediation: redact(&f.remediation).into_owned(),
        ..f.clone()
    }
}

/// [`finding`], taking the finding: fields with nothing to redact are moved, not copied.
pub fn finding_owned(f: Finding) -> Finding {
    let clean = |text: String| match redact(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(redacted) => redacted,
    };
    Finding {
        title: clean(f.title),
        url: clean(f.url),
        parameter: f.parameter.map(clean),
        description: clean(f.description),
        evidence: clean(f.evidence),
        remediation: clean(f.remediation),
        ..f
    }
}

/// A report's header with its title and target redacted like the findings.
pub fn report(report: &Report) -> Report {
    Report {
        report_id: report.report_id.clone(),
        title: redact(&report.title).into_owned(),
        target: redact(&report.target).into_owned(),
    }
}

/// A cheap pre-check run on every field of every row: only text holding a word that every
/// credential form above carries (a header or key name, a token prefix, `://…@`) is scanned.
/// The words are the rules' own keywords, as gitleaks gives each rule, so a rule can only
/// match text that passed here; clean text costs one pass of a literal search.
fn suspicious(text: &str) -> bool {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        let words = [
            // Header and key names (scan.rs): auth covers authorization, oauth, x-auth-token.
            "auth",
            "cookie",
            "token",
            "key",
            "secret",
            "passw",
            "passphrase",
            "session",
            "sessid",
            "sig",
            "credential",
            "bearer",
            "basic",
            "jwt",
            "otp",
            "curl",
            // Token formats (tokens.rs), lower-cased for the case-insensitive half.
            "-----begin",
            "gh[pousr]_",
            "github_pat_",
            "gl[a-z]{1,5}-",
            "gr1348941",
            "xox[a-z]-",
            "xapp-",
            "[sr]k_(?:live|test|prod)_",
            "whsec_",
            "ya29\\.",
            "gocspx-",
            "npm_",
            "pypi-",
            "sk-",
            "sg\\.",
            "shp[a-z]{2}_",
            "do[opr]_v1_",
            "hv[sb]\\.",
            "atlasv1",
            "lin_(?:api|oauth)_",
            "hf_",
            "api_org_",
            "dapi",
            "dp\\.pt\\.",
            "pmak-",
            "pul-",
            "gl(?:c|sa)_",
            "sntry",
            "age-secret",
            "ops_",
            "hrku-",
            "sq0[a-z]{3}-",
            "q~",
            "hooks\\.slack\\.com",
            "webhook\\.office\\.com",
            "/api/webhooks/",
            "perm[:-]",
            "pk_",
            "atta",
            "atbb",
            "atatt",
        ];
        // Prefixes whose case matters stay case-sensitive, so prose ("Asia", "they") passes.
        let exact = [
            "AKIA",
            "ASIA",
            "ABIA",
            "ACCA",
            "A3T",
            "AIza",
            "ey[JA]",
            "SK[0-9a-fA-F]{32}",
            "[0-9]:AA",
            "[0-9]/[0-9]{10}",
        ];
        Regex::new(&format!("(?i:{})|{}", words.join("|"), exact.join("|")))
            .expect("the keyword pattern is valid")
    });
    WORDS.is_match(text) || (text.contains("://") && text.contains('@'))
}

/// Replaces each span (merged where they overlap or touch) with [`REDACTED`].
fn apply(text: &str, mut spans: Vec<Range<usize>>) -> Cow<'_, str> {
    for span in &mut spans {
        // Every rule cuts at ASCII delimiters; widening to char boundaries is a safety net
        // that can only redact more, never slice inside a character.
        while !text.is_char_boundary(span.start) {
            span.start -= 1;
        }
        while !text.is_char_boundary(span.end) {
            span.end += 1;
        }
    }
    // What an earlier pass redacted stays as it is: a rule that stops inside the marker
    // (a value ending at `]`) must not redact it again.
    let done: Vec<Range<usize>> = memchr::memmem::find_iter(text.as_bytes(), REDACTED)
        .map(|at| at..at + REDACTED.len())
        .collect();
    spans.retain(|s| s.start < s.end && !done.iter().any(|d| d.start <= s.start && s.end <= d.end));
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut any = false;
    for span in spans {
        if span.end <= copied {
            continue;
        }
        if !(any && span.start <= copied) {
            out.push_str(&text[copied..span.start]);
            out.push_str(REDACTED);
        }
        copied = span.end;
        any = true;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether a bare value looks like a credential rather than a word of prose: long enough, no
/// spaces, and with a digit or a mix of cases ("hunter2", "AbCdEf12"; not "required").
pub(crate) fn tokenish(value: &str) -> bool {
    let v = value.trim_matches(|c: char| c == '"' || c == '\'');
    if v.len() < 6 || v == REDACTED || v.contains(char::is_whitespace) {
        return false;
    }
    let count = |f: fn(&u8) -> bool| v.bytes().filter(&f).count();
    let digits = count(u8::is_ascii_digit);
    let upper = count(u8::is_ascii_uppercase);
    let lower = count(u8::is_ascii_lowercase);
    (digits > 0 && digits < v.len()) || (upper >= 2 && lower >= 2) || v.len() >= 24
}
