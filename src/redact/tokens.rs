//! Credentials found by their shape: private key blocks, JWTs, AWS key pairs, and the token
//! formats that name themselves by a prefix (`ghp_`, `glpat-`, `xoxb-`, `sk_live_`, `AIza`, …).
//!
//! The rule set follows gitleaks' maintained configuration (config/gitleaks.toml in
//! github.com/gitleaks/gitleaks, read at b58d3f1), restated here for the formats a web scan's
//! evidence can carry: each rule keeps gitleaks' prefix and body shape, bounded by `\b` so that
//! a prefix inside a longer word (base64 image data, a hash) is not taken. Rules that gitleaks
//! only makes precise with a keyword and an entropy threshold (the generic and per-vendor
//! `name = value` rules) are covered by the key names in `scan.rs` instead.

use std::ops::Range;
use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;

use super::tokenish;

/// Self-identifying token formats, matched whole.
const FORMATS: &[&str] = &[
    // GitHub: personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained.
    r"\bgh[pousr]_[A-Za-z0-9]{36,251}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
    // GitLab: personal, deploy, feed, runner, SCIM, trigger, CI job, mail, agent, OAuth, flags.
    r"\bgl(?:pat|dt|ft|rt|soat|ptt|cbt|imt|agent|oas|ffct)-[A-Za-z0-9_.-]{20,300}",
    r"\bGR1348941[A-Za-z0-9_-]{20,}",
    // Slack: bot, user, app-level, legacy, config tokens.
    r"\bxox[abposre]-[A-Za-z0-9-]{10,250}",
    r"\bxapp-\d-[A-Za-z0-9-]{10,}",
    // Stripe secret and restricted keys; Standard Webhooks / Stripe signing secrets.
    r"\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,99}\b",
    r"\bwhsec_[A-Za-z0-9+/=]{20,}",
    // Google API keys, OAuth access tokens and client secrets.
    r"\bAIza[A-Za-z0-9_-]{35}",
    r"\bya29\.[A-Za-z0-9_-]{20,}",
    r"\bGOCSPX-[A-Za-z0-9_-]{20,}",
    // AWS access key ids (the secret half is matched beside one, below).
    r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
    // JSON Web Tokens: two base64url JSON objects and a signature.
    r"\bey[JA][A-Za-z0-9_-]{10,}\.ey[JA][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",
    // npm, PyPI.
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
    // OpenAI and Anthropic.
    r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}",
    r"\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b",
    r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}",
    // SendGrid, Twilio, Shopify, DigitalOcean, Mailgun.
    r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    r"\bSK[0-9a-fA-F]{32}\b",
    r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
    r"\bdo[opr]_v1_[a-f0-9]{64}\b",
    r"\bkey-[a-f0-9]{32}\b",
    // HashiCorp Vault and Terraform Cloud.
    r"\bhv[sb]\.[A-Za-z0-9_-]{24,}",
    r"\b[a-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
    // The trackers this tool exports to: Linear, Atlassian, Bitbucket, ClickUp, Trello,
    // YouTrack, Asana personal access tokens.
    r"\blin_(?:api|oauth)_[A-Za-z0-9]{32,}",
    r"\bATATT3[A-Za-z0-9_=-]{40,}",
    r"\bATBB[A-Za-z0-9_=-]{24,}",
    r"\bpk_\d{3,}_[A-Z0-9]{32}\b",
    r"\bATTA[A-Fa-f0-9]{64,}",
    r"\bperm[:-][A-Za-z0-9+/=._-]{20,}",
    r"\b[0-9]/[0-9]{10,}(?:/[0-9]{10,})?:[A-Za-z0-9]{32}\b",
    // Hugging Face, Databricks, Doppler, Postman, Pulumi, Grafana, Sentry, Heroku, Square.
    r"\bhf_[A-Za-z]{34}\b",
    r"\bapi_org_[A-Za-z]{34}\b",
    r"\bdapi[a-f0-9]{32}(?:-\d)?\b",
    r"\bdp\.pt\.[A-Za-z0-9]{43}",
    r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
    r"\bpul-[a-f0-9]{40}\b",
    r"\bglc_[A-Za-z0-9+/]{32,400}={0,3}",
    r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b",
    r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}",
    r"\bHRKU-AA[A-Za-z0-9_-]{58}",
    r"\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,}",
    // age and 1Password secret keys, Azure AD client secrets, Telegram bot tokens.
    r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    r"\bops_eyJ[A-Za-z0-9+/]{100,}={0,3}",
    r"\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}",
    r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b",
];

/// Formats where only one part is the secret (the group named `part…`): webhook URLs keep
/// their host.
const PARTS: &[&str] = &[
    r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<part0>[A-Za-z0-9+/_-]{20,})",
    r"\.webhook\.office\.com/webhookb2/(?P<part1>[^\s'\x22<>]+)",
    r"discord(?:app)?\.com/api/webhooks/\d+/(?P<part2>[A-Za-z0-9_-]{20,})",
];

/// `Bearer …` and `Basic …` outside a header (prose, logs): the scheme word stays.
const SCHEMED: &str = r"\b(?P<scheme>(?i:bearer|basic))[ \t]+(?P<schemed>[A-Za-z0-9._~+/-]{8,}=*)";

/// Every rule above as one automaton, so text costs one pass whatever it holds.
static RULES: LazyLock<Regex> = LazyLock::new(|| {
    let all: Vec<String> = FORMATS
        .iter()
        .chain(PARTS)
        .chain([&SCHEMED])
        .map(|rule| format!("(?:{rule})"))
        .collect();
    Regex::new(&all.join("|")).expect("the token patterns are valid")
});

/// Every self-identifying format, in one pass over the text.
pub(super) fn formats(text: &str, spans: &mut Vec<Range<usize>>) {
    if formats_from(text, 0, spans) {
        aws_secret_keys(text, spans);
    }
}

/// [`formats`] over `text`, whose spans start at `offset`; whether an AWS key id was seen.
fn formats_from(text: &str, offset: usize, spans: &mut Vec<Range<usize>>) -> bool {
    let at = |r: Range<usize>| r.start + offset..r.end + offset;
    let mut aws_ids = false;
    for caps in RULES.captures_iter(text) {
        let whole = caps.get(0).expect("group 0 always takes part");
        if let (Some(scheme), Some(value)) = (caps.name("scheme"), caps.name("schemed")) {
            if schemed_secret(scheme.as_str(), value.as_str()) {
                spans.push(at(value.range()));
            } else {
                // Not a credential as a whole ("Basic ghp_…" does not decode), but it may
                // still hold one of the formats.
                aws_ids |= formats_from(value.as_str(), offset + value.start(), spans);
            }
            continue;
        }
        if let Some(part) = ["part0", "part1", "part2"]
            .iter()
            .find_map(|g| caps.name(g))
        {
            spans.push(at(part.range()));
            continue;
        }
        aws_ids |= ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"]
            .iter()
            .any(|p| whole.as_str().starts_with(p));
        spans.push(at(whole.range()));
    }
    aws_ids
}

/// "Bearer tokens expire" and "Basic authentication" are prose: a bearer value must look like
/// a token, a Basic value must decode to `user:password`.
fn schemed_secret(scheme: &str, value: &str) -> bool {
    if scheme.eq_ignore_ascii_case("basic") {
        [
            base64::engine::general_purpose::STANDARD.decode(value),
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(value),
        ]
        .into_iter()
        .any(|raw| raw.is_ok_and(|raw| raw.contains(&b':')))
    } else {
        tokenish(value)
    }
}

/// An AWS secret access key is 40 characters of base64 with nothing to name it, so it is
/// taken only in text that also holds an access key id, and only when it mixes cases (a git
/// SHA, lower-case hex, does not).
fn aws_secret_keys(text: &str, spans: &mut Vec<Range<usize>>) {
    static SECRET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])")
            .expect("the AWS secret pattern is valid")
    });
    for caps in SECRET.captures_iter(text) {
        let Some(m) = caps.get(1) else { continue };
        let b = m.as_str().as_bytes();
        if b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase) {
            spans.push(m.range());
        }
    }
}

/// `-----BEGIN … PRIVATE KEY-----` blocks: the armour lines stay, the key between them goes
/// (to the end of the text when the block was cut before its END line).
pub(super) fn private_keys(text: &str, spans: &mut Vec<Range<usize>>) {
    static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?s)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(.*?)(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|\z)",
        )
        .expect("the private key pattern is valid")
    });
    if !text.contains("-----BEGIN") {
        return;
    }
    for caps in BLOCK.captures_iter(text) {
        let Some(body) = caps.get(1) else { continue };
        let s = body.as_str();
        if !s.trim().is_empty() {
            let lead = s.len() - s.trim_start().len();
            spans.push(body.start() + lead..body.start() + s.trim_end().len());
        }
    }
}
