//! Generates a large, realistic import file (design.md section 3) for the benchmarks in
//! `BENCHMARKS.md`:
//!
//! ```text
//! cargo run --release --example generate -- N [--seed S] [--reports R] > import.json
//! ticket-export --store bench.sqlite3 import import.json
//! ```
//!
//! The file holds N ticket exports, each with its own finding, spread evenly over R reports
//! (default: N/1000 rounded up, at least 1). IDs are `rep_{r}`, `fnd_{i}` and `tex_{i}`, counted
//! from 1. Provider keys are those of the demo config (`jira-sec`, `gh-shop`, `gitlab-portal`,
//! `hooks`, `linear-web`, `clickup-ops`), with about 1% going to the unconfigured
//! `legacy-tracker`. Every failure code of the triage table appears with a plausible frequency,
//! as do null codes and a few unknown codes, and each attempt's export status, response code,
//! `retry_after`, mapping gaps and ticket link agree with its code. `retry_after` is either in
//! November 2026 (past for `TICKET_EXPORT_NOW=2026-11-29T12:00:00Z` and any later clock) or in
//! 2030 (future). `duplicate_fingerprint` and `idempotency_key` are null: the import computes them.
//!
//! The output depends only on N, the seed (default 42) and R. It is streamed through a
//! `BufWriter`, one record per line, and every record is derived from its own index alone, so
//! memory stays flat however large N is.

use std::io::{self, BufWriter, Write};

/// splitmix64, seeded per record and stream so that every record can be drawn on its own.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64, stream: u64) -> Rng {
        Rng(seed
            ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// An index into `weights`, drawn in proportion to the weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut x = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        unreachable!("x is below the sum of the weights")
    }
}

#[rustfmt::skip]
const SITES: [&str; 8] = ["shop", "portal", "marketing", "api", "blog", "docs", "careers", "status"];
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// One finding template per line, fields separated by `|`: rule_id, title, severity, path (`#`
/// becomes the finding index, so every finding has its own URL and fingerprint), parameter
/// (empty for none), description, evidence, remediation.
const RULES: [&str; 10] = [
    "xss-reflected|Reflected cross-site scripting in search|high|/search/#?q=shoes|q|The q parameter is echoed into the page without HTML encoding.|GET /search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E HTTP/1.1\n\nHTTP/1.1 200 OK\n\n<h2>Results for <script>alert(1)</script></h2>|Encode output for its HTML context and add a Content-Security-Policy.",
    "sql-injection|SQL injection in \"sort\" parameter|critical|/products/#?sort=price|sort|The sort parameter is concatenated into an ORDER BY clause.|GET /products?sort=price,(SELECT SLEEP(5)) took 5.03 s (baseline 0.09 s); error near '\\'' at line 1|Use an allow-list of sort columns and parameterised queries.",
    "idor|Other accounts' invoices readable by id|high|/api/accounts/#/invoices|account_id|The endpoint does not check that the account in the path belongs to the caller.|GET /api/accounts/1043/invoices HTTP/1.1\nAuthorization: Bearer abc.def\nCookie: session=5f2c9a71e04b4d1a\n\nHTTP/1.1 200 OK\n\n[{\"invoice\":\"INV-20931\",\"account\":1043}]|Authorise every object access against the signed-in account.",
    "csrf|Cross-site request forgery on profile update|medium|/account/profile/#||The form has no anti-CSRF token and accepts cross-origin posts.|POST /account/profile HTTP/1.1\nOrigin: https://evil.example\n\nHTTP/1.1 302 Found|Require an anti-CSRF token and set SameSite=Lax on session cookies.",
    "open-redirect|Open redirect after login|medium|/login/#?next=%2Faccount|next|Any absolute URL given in next is followed after sign-in.|HTTP/1.1 302 Found\nLocation: https://evil.example/|Accept only relative paths or allow-listed hosts in next.",
    "hsts-missing|Strict-Transport-Security header missing|low|/pages/#||Responses do not carry Strict-Transport-Security.|HTTP/1.1 200 OK\n(no Strict-Transport-Security header)|Send Strict-Transport-Security: max-age=31536000; includeSubDomains.",
    "outdated-javascript-library|Outdated jQuery 1.12.4|medium|/static/#/jquery-1.12.4.min.js||jQuery 1.12.4 is affected by CVE-2020-11022 and CVE-2020-11023.|/*! jQuery v1.12.4 (c) jQuery Foundation, jquery.org/license */|Upgrade to jQuery 3.7 or later.",
    "cookie-without-secure|Session cookie without the Secure flag|low|/cart/#||The session cookie is also sent over plain HTTP.|Set-Cookie: cart_session=9c1e77d2; Path=/; HttpOnly|Add Secure and SameSite=Lax to session cookies.",
    "directory-listing|Directory listing enabled — exposes backups|low|/assets/#/||The server lists directory contents, including backup archives.|<title>Index of /assets/</title> … backup-2026-10.zip\t(12 MiB)|Disable directory indexes and remove backups from the web root.",
    "server-version-disclosure|Server version disclosed|info|/#||The Server header reveals the exact version.|Server: nginx/1.18.0 (Ubuntu)|Turn server_tokens off.",
];

/// Provider key, weight, external ticket id prefix, ticket URL base, and the required provider
/// fields a mapping can lack. `legacy-tracker` is not in the demo config.
#[rustfmt::skip]
const PROVIDERS: [(&str, u64, &str, &str, &[&str]); 7] = [
    ("jira-sec", 24, "SEC-", "https://acme.atlassian.net/browse/", &["customfield_10951", "components", "priority"]),
    ("gh-shop", 20, "", "https://github.com/acme/shop/issues/", &["assignees", "milestone"]),
    ("gitlab-portal", 15, "", "https://gitlab.com/acme/portal/-/issues/", &["assignee_ids", "milestone_id"]),
    ("hooks", 15, "HK-", "https://hooks.acme.example/tickets/", &["priority"]),
    ("linear-web", 13, "WEB-", "https://linear.app/acme/issue/", &["teamId", "stateId"]),
    ("clickup-ops", 12, "86c", "https://app.clickup.com/t/", &["assignees", "priority"]),
    ("legacy-tracker", 1, "LT-", "https://tracker.acme.example/issues/", &["component"]),
];
#[rustfmt::skip]
const UNKNOWN_CODES: [(&str, u16); 3] =
    [("TICKET_EXPORT_QUOTA_EXCEEDED", 429), ("TICKET_EXPORT_PAYLOAD_TOO_LARGE", 413), ("PROVIDER_SCOPE_CHANGED", 403)];

/// A `retry_after`, in the future (2030) `future_percent` of the time, else in November 2026.
fn retry_after(g: &mut Rng, future_percent: u64) -> Option<String> {
    let future = g.chance(future_percent);
    let year = if future { 2030 } else { 2026 };
    let month = if future { 1 + g.below(12) } else { 11 };
    let (day, hour, minute) = (1 + g.below(28), g.below(24), g.below(60));
    Some(format!(
        "{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z"
    ))
}

/// Writes `,"key":value`, with the value escaped by serde_json.
fn field(w: &mut impl Write, key: &str, value: impl serde::Serialize) -> io::Result<()> {
    write!(w, ",\"{key}\":")?;
    Ok(serde_json::to_writer(w, &value)?)
}

fn finding(w: &mut impl Write, seed: u64, i: u64, target: &str) -> io::Result<()> {
    let mut g = Rng::new(seed, i, 1);
    let rule: Vec<&str> = g.pick(&RULES).split('|').collect();
    debug_assert_eq!(rule.len(), 8, "a rule has eight fields");
    let severity = if g.chance(20) {
        g.pick(&SEVERITIES)
    } else {
        rule[2]
    };
    let status =
        ["open", "resolved", "accepted_risk", "false_positive"][g.weighted(&[85, 8, 4, 3])];
    write!(w, "{{\"finding_id\":\"fnd_{i}\"")?;
    field(w, "rule_id", rule[0])?;
    field(w, "title", rule[1])?;
    field(w, "severity", severity)?;
    let path = rule[3].replace('#', &i.to_string());
    field(w, "url", format!("{target}{path}"))?;
    field(w, "parameter", Some(rule[4]).filter(|p| !p.is_empty()))?;
    field(w, "description", rule[5])?;
    field(w, "evidence", rule[6])?;
    field(w, "remediation", rule[7])?;
    field(w, "status", status)?;
    w.write_all(b"}")
}

fn ticket_export(w: &mut impl Write, seed: u64, i: u64) -> io::Result<()> {
    let mut g = Rng::new(seed, i, 2);
    let weights = PROVIDERS.map(|p| p.1);
    let (provider, _, id_prefix, url_base, fields) = PROVIDERS[g.weighted(&weights)];
    let (mut code, mut response, mut mapping, mut missing) = (None, None, "complete", None);
    let (mut retry, mut linked, mut sync) = (None, false, None);
    // pending, exported, linked, then the seven codes in design order, then unknown codes.
    let status = match g.weighted(&[120, 130, 100, 160, 100, 70, 70, 120, 60, 40, 30]) {
        0 => {
            let unknown = provider == "legacy-tracker" || g.chance(20);
            mapping = if unknown { "unknown" } else { "complete" };
            "pending"
        }
        n @ (1 | 2) => {
            response = Some(if n == 1 { g.pick(&[200, 201]) } else { 200 });
            (linked, sync) = (true, Some(if g.chance(90) { "ok" } else { "pending" }));
            if n == 1 { "exported" } else { "linked" }
        }
        3 => {
            code = Some("TICKET_EXPORT_DELIVERY_FAILED");
            retry = retry_after(&mut g, 25).filter(|_| g.chance(30));
            if g.chance(25) {
                response = g.pick(&[Some(504), Some(502), None]);
                "uncertain"
            } else {
                let codes = [Some(503), Some(502), Some(504), Some(401), None];
                response = codes[g.weighted(&[40, 25, 20, 5, 10])];
                "failed"
            }
        }
        4 => {
            code = Some("TICKET_EXPORT_MAPPING_REQUIRED");
            response = Some(g.pick(&[400, 422]));
            mapping = "incomplete";
            let first = g.below(fields.len() as u64) as usize;
            let count = if g.chance(25) { 2.min(fields.len()) } else { 1 };
            missing = Some(
                fields
                    .iter()
                    .cycle()
                    .skip(first)
                    .take(count)
                    .collect::<Vec<_>>(),
            );
            "failed"
        }
        5 => {
            code = Some("TICKET_EXPORT_DUPLICATE_BLOCKED");
            (response, linked) = (g.pick(&[None, Some(409)]), g.chance(50));
            "failed"
        }
        6 => {
            code = Some("TICKET_STATUS_SYNC_FAILED");
            response = g.pick(&[Some(502), Some(503), Some(404), Some(409), None]);
            (linked, sync) = (true, Some("failed"));
            retry = retry_after(&mut g, 50).filter(|_| g.chance(40));
            if g.chance(50) { "linked" } else { "exported" }
        }
        7 => {
            code = Some("TICKET_EXPORT_PROVIDER_UNAVAILABLE");
            response = g.pick(&[Some(503), Some(503), Some(429), None]);
            retry = retry_after(&mut g, 45).filter(|_| g.chance(90));
            "failed"
        }
        8 => {
            code = Some("PROVIDER_AUTH_FAILED");
            response = Some(g.pick(&[401, 401, 401, 403]));
            "failed"
        }
        9 => {
            code = Some("PORTABLE_EXPORT_FAILED");
            "failed"
        }
        _ => {
            let (unknown, status) = g.pick(&UNKNOWN_CODES);
            (code, response) = (Some(unknown), Some(status).filter(|_| g.chance(80)));
            "failed"
        }
    };
    write!(w, "{{\"ticket_export_id\":\"tex_{i}\"")?;
    field(w, "finding_id", format!("fnd_{i}"))?;
    field(w, "provider_key", provider)?;
    field(w, "export_status", status)?;
    field(w, "provider_error_code", code)?;
    field(w, "provider_response_code", response)?;
    field(w, "mapping_status", mapping)?;
    if let Some(missing) = missing {
        field(w, "mapping_missing", missing)?;
    }
    w.write_all(b",\"duplicate_fingerprint\":null,\"idempotency_key\":null")?;
    field(w, "retry_after", retry)?;
    let id = format!("{id_prefix}{i}");
    if linked {
        field(w, "external_ticket_id", &id)?;
    }
    let url = linked.then(|| format!("{url_base}{id}"));
    field(w, "external_ticket_url", url)?;
    field(w, "status_sync_status", sync)?;
    w.write_all(b",\"portable_export_path\":null}")
}

fn usage() -> ! {
    eprintln!(
        "usage: generate N [--seed S] [--reports R] > import.json\n  N: ticket exports (and \
         findings) to write\n  --seed S: PRNG seed (default 42)\n  --reports R: reports to \
         spread them over (default N/1000 rounded up, at least 1)"
    );
    std::process::exit(2)
}

fn main() -> io::Result<()> {
    let (mut n, mut seed, mut reports) = (None, 42u64, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage())
        };
        match arg.as_str() {
            "--seed" => seed = value(),
            "--reports" => reports = Some(value().max(1)),
            _ if n.is_none() => n = Some(arg.parse::<u64>().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    let n = n.unwrap_or_else(|| usage());
    let reports = reports.unwrap_or(n.div_ceil(1000).max(1));
    let mut w = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let result = (|| {
        w.write_all(b"{\"schema_version\":1,\"reports\":[\n")?;
        for r in 0..reports {
            let (start, end) = (r * n / reports + 1, (r + 1) * n / reports + 1);
            let site = SITES[(r % SITES.len() as u64) as usize];
            let target = format!("https://{site}-{}.example", r + 1);
            w.write_all(if r == 0 { b"{" } else { b",\n{" })?;
            write!(w, "\"report_id\":\"rep_{}\"", r + 1)?;
            field(&mut w, "title", format!("{site} {}: scheduled scan", r + 1))?;
            field(&mut w, "target", &target)?;
            w.write_all(b",\"findings\":[")?;
            for i in start..end {
                w.write_all(if i == start { b"\n" } else { b",\n" })?;
                finding(&mut w, seed, i, &target)?;
            }
            w.write_all(b"],\"ticket_exports\":[")?;
            for i in start..end {
                w.write_all(if i == start { b"\n" } else { b",\n" })?;
                ticket_export(&mut w, seed, i)?;
            }
            w.write_all(b"]}")?;
        }
        w.write_all(b"\n]}\n")?;
        w.flush()
    })();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
