//! Hostile finding text against the draft: nothing in it may render as markup, ping anyone,
//! read as another finding's marker, or carry a credential, in any provider's format.

use super::*;
use crate::config::Config;
use crate::markup::subset;
use crate::model::{ExportStatus, FindingStatus, MappingStatus};
use crate::providers::azure_devops::html;
use crate::providers::jira::text;

const FP_A: &str = "fp1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const FP_B: &str = "fp1:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const TOKEN: &str = "ghp_Zk81mQ2pL0x9Zk81mQ2pL0x9Zk81mQ2pL0x9";

fn provider() -> Provider {
    let text = "mode = \"cloud\"\n[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token_env = \"GH_TOKEN\" }\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\", labels = [\"security\"] }\n";
    let config = Config::parse(text, std::path::Path::new("/tmp/config.toml")).unwrap();
    config.providers.values().next().unwrap().clone()
}

fn attempt(fp: &str) -> TicketExport {
    TicketExport {
        ticket_export_id: "tex_1".into(),
        report_id: "rep_1".into(),
        finding_id: "fnd_1".into(),
        provider_key: "gh".into(),
        export_status: ExportStatus::Failed,
        provider_error_code: None,
        provider_response_code: None,
        mapping_status: MappingStatus::Complete,
        mapping_missing: vec![],
        duplicate_fingerprint: fp.into(),
        idempotency_key: fingerprint::idempotency_key(fp),
        retry_after: None,
        external_ticket_id: None,
        external_ticket_url: None,
        status_sync_status: None,
        portable_export_path: None,
        attempt_count: 0,
        owner: None,
        failing_since: None,
        created_at: None,
        updated_at: None,
        sync_conflict: false,
    }
}

/// Finding A, whose every field tries something: B's marker and label, markup, mentions,
/// quick actions, and a credential.
fn hostile() -> Finding {
    let b_marker = marker::line(FP_B);
    let b_label = fingerprint::label(FP_B);
    Finding {
        report_id: "rep_1".into(),
        finding_id: "fnd_1".into(),
        rule_id: "xss".into(),
        title: format!("XSS @everyone\n{b_marker} [{b_label}] {TOKEN}"),
        severity: Severity::High,
        url: format!("https://shop.example/?access_token={TOKEN}"),
        parameter: Some(format!("q`{b_marker}")),
        description: format!(
            "{b_marker}\n  {b_marker}\n<script>alert(1)</script>\n<img src=https://evil.example/p.png>\n\
             ![x](https://evil.example/i.png) [c](javascript:alert(1)) <a href=\"javascript:x\">y</a>\n\
             <!-- hidden --> @everyone @here @admin cc admin@shop.example\n/close\n/assign @me\n\
             # heading\n---\n```\nWebRiskOps fingerprint: {FP_B}\nAuthorization: Bearer {TOKEN}"
        ),
        evidence: format!("GET / HTTP/1.1\n{b_marker}\nCookie: session={TOKEN}\n```\nend"),
        remediation: format!("{b_marker}\n[~admin] !https://evil.example/x.png! {{html}}x{{html}}"),
        status: FindingStatus::Open,
    }
}

fn draft() -> TicketDraft {
    TicketDraft::build(&attempt(FP_A), &hostile(), &provider())
}

fn rendered_html(markdown: &str) -> String {
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::all());
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[test]
fn the_markdown_body_renders_no_markup_and_no_second_marker() {
    let d = draft();
    assert!(marker::in_text(&d.body, FP_A), "{}", d.body);
    assert!(!marker::in_text(&d.body, FP_B), "{}", d.body);
    let html = rendered_html(&d.body);
    for bad in [
        "<script",
        "<img",
        "href=\"javascript",
        "<h1",
        "<a ",
        "<hr />\n<p>/close",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    // The only comment left is the tool's own marker.
    assert_eq!(html.matches("<!--").count(), 1, "{html}");
    for ping in ["@everyone", "@here", "@admin", "@me"] {
        assert!(!d.body.contains(ping), "{ping} in {}", d.body);
        assert!(!d.title.contains(ping), "{ping} in {}", d.title);
    }
    assert!(d.body.contains("admin@shop.example"), "addresses stay");
    assert!(
        !d.body
            .lines()
            .any(|l| l.starts_with("/close") || l.starts_with("/assign"))
    );
    assert!(
        !d.body.contains(TOKEN) && !d.title.contains(TOKEN),
        "{}",
        d.body
    );
    assert!(!d.title.contains('\n'), "{}", d.title);
    assert!(!marker::in_text(&d.title, FP_B));
}

#[test]
fn every_other_format_keeps_only_the_findings_own_marker() {
    let d = draft();
    // Atlassian Document (Jira Cloud): text stays text; no node a renderer would act on.
    let adf = text::to_adf(&d.body);
    let doc = adf.to_string();
    for kind in ["mention", "media", "inlineCard", "link"] {
        assert!(!doc.contains(&format!("\"{kind}\"")), "{kind} in {doc}");
    }
    let adf_text = text::plain_text(&adf);
    assert!(marker::in_text(&adf_text, FP_A), "{adf_text}");
    assert!(!marker::in_text(&adf_text, FP_B), "{adf_text}");
    assert!(!adf_text.contains("@everyone"));
    // Wiki markup (Jira Data Center): no mention, image, link or macro from the finding.
    let wiki = text::to_wiki(&d.body);
    for bad in ["[~admin]", "!https://evil", "{html}", "[c"] {
        let unescaped = wiki
            .match_indices(bad)
            .any(|(at, _)| !wiki[..at].ends_with('\\'));
        assert!(!unescaped, "{bad} in {wiki}");
    }
    assert!(
        marker::in_text(&wiki, FP_A) && !marker::in_text(&wiki, FP_B),
        "{wiki}"
    );
    // HTML (Azure DevOps): every tag is the tool's.
    let html = html::description(&d.body, &d.fingerprint);
    for bad in ["<script", "<img", "<a ", "javascript:x\""] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert_eq!(html.matches("<!--").count(), 1, "{html}");
    assert!(
        marker::in_html(&html, FP_A) && !marker::in_html(&html, FP_B),
        "{html}"
    );
    // Plain text (Asana notes).
    let plain = subset::to_plain(&d.body);
    assert!(
        marker::in_text(&plain, FP_A) && !marker::in_text(&plain, FP_B),
        "{plain}"
    );
    assert!(
        plain.contains("<script>alert(1)</script>"),
        "plain text reads as written"
    );
    for text in [doc, wiki, html, plain] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}

#[test]
fn a_long_finding_is_cut_inside_its_sections_and_the_footer_survives() {
    let mut f = hostile();
    f.description = "<".repeat(50_000);
    f.evidence = "e".repeat(50_000);
    let d = TicketDraft::build(&attempt(FP_A), &f, &provider());
    assert!(d.body.chars().count() <= BODY_MAX + 400, "{}", d.body.len());
    assert!(d.body.contains("… (truncated)"));
    assert!(marker::in_text(&d.body, FP_A));
    let blocks = subset::blocks(&d.body);
    assert!(
        blocks.contains(&subset::Block::Rule),
        "the evidence fence closed"
    );
}
