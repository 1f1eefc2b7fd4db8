//! Every client's own reading of an answer (GitHub's 403 rate limit, Azure's 203, Linear's
//! errors in a 200, ClickUp's ECODEs...), driven through the simulator: the first request of a
//! create gets an arbitrary status, headers and body. Each case is an HTTP round trip, so each
//! client gets few cases.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::fingerprint::{FingerprintInput, fingerprint, idempotency_key};
use ticket_export::model::*;
use ticket_export::providers::http::{Http, Timeouts};
use ticket_export::providers::{Failure, ProviderClient, TicketDraft, client_for};
use ticket_export::simulator::trello::{BOARD, LISTS};
use ticket_export::simulator::{
    Fault, Matcher, SIM_TOKEN, SIM_USER, SIM_WEBHOOK_SECRET, Simulator,
};

use super::{body, check_wait, headers, wait_value};
use crate::{NOW, cases};

/// An answer the simulator can send: printable ASCII header values (HTTP allows no others).
fn fault() -> impl Strategy<Value = (u16, Vec<(String, String)>, String)> {
    (100u16..=599, headers(wait_value().boxed()), body())
}

/// A client of one kind against its own simulator, and a draft for it.
struct Rig {
    sim: Simulator,
    client: Box<dyn ProviderClient>,
    draft: TicketDraft,
    now: jiff::Timestamp,
}

fn rig(key: &str, auth: &str, entry: &str) -> Rig {
    let sim = Simulator::start().unwrap();
    let text = format!(
        "mode = \"self-hosted\"\n[providers.{key}]\nallow_http = true\nauth = {{ {auth} }}\n{}",
        entry.replace("{base}", &sim.base_url())
    );
    let config = Config::parse(&text, std::path::Path::new("/tmp/config.toml")).unwrap();
    let vars = [
        ("SIM_TOKEN", SIM_TOKEN),
        ("SIM_USER", SIM_USER),
        ("SIM_WEBHOOK_SECRET", SIM_WEBHOOK_SECRET),
        ("TICKET_EXPORT_NOW", NOW),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let ambient = Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
    let provider = config.providers.values().next().unwrap();
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        call: Duration::from_secs(2),
    };
    let http = Arc::new(Http::new(config.mode, timeouts));
    Rig {
        client: client_for(provider, http, &ambient).unwrap(),
        draft: draft(provider),
        now: ambient.now(),
        sim,
    }
}

/// Runs `create`, then `lookup`, against a simulator whose first answer is each generated fault.
fn drive(key: &str, auth: &str, entry: &str) {
    let Rig {
        sim,
        client,
        draft,
        now,
    } = rig(key, auth, entry);
    let mut runner = TestRunner::new(cases(32));
    let result = runner.run(&fault(), |(status, headers, body)| {
        sim.clear_faults();
        sim.fail(
            Matcher::any(),
            Fault::Status {
                status,
                headers,
                body,
            },
            1,
        );
        match client.create(&draft) {
            Err(failure) => {
                check_wait(failure.retry_after(), now)?;
                prop_assert!(!failure.to_string().is_empty());
            }
            Ok(ticket) => {
                prop_assert!(
                    status < 300,
                    "a {status} answer became a created ticket: {ticket:?}"
                );
                prop_assert!(
                    !ticket.id.is_empty(),
                    "created without an id after a {status}: {ticket:?}"
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{key}: {e}");
    }
    if key == "hook" {
        return; // a webhook has no lookup: the receiver dedupes by webhook-id
    }
    // A 2xx answer that is not the provider's listing (a proxy's page, an error object) must
    // never read as "no ticket carries this fingerprint": that would create a duplicate.
    let junk = (200u16..300, headers(wait_value().boxed()), body());
    let mut runner = TestRunner::new(cases(32));
    let result = runner.run(&junk, |(status, headers, body)| {
        sim.clear_faults();
        sim.fail(
            Matcher::any(),
            Fault::Status {
                status,
                headers,
                body: body.clone(),
            },
            1,
        );
        if let Ok(found) = client.lookup(&draft) {
            prop_assert!(
                !found.is_empty(),
                "a {status} answer {body:?} read as no ticket"
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{key} lookup: {e}");
    }
}

fn draft(provider: &ticket_export::config::Provider) -> TicketDraft {
    let finding = Finding {
        report_id: "rep_1".into(),
        finding_id: "fnd_1".into(),
        rule_id: "xss-reflected".into(),
        title: "Reflected XSS".into(),
        severity: Severity::High,
        url: "https://shop.example/search?q=1".into(),
        parameter: Some("q".into()),
        description: "echoed".into(),
        evidence: "GET /search?q=<script>".into(),
        remediation: "encode".into(),
        status: FindingStatus::Open,
    };
    let fp = fingerprint(FingerprintInput {
        rule_id: &finding.rule_id,
        url: &finding.url,
        parameter: finding.parameter.as_deref(),
        target: "https://shop.example",
        provider_key: &provider.key,
    });
    let attempt = TicketExport {
        ticket_export_id: "tex_1".into(),
        report_id: "rep_1".into(),
        finding_id: "fnd_1".into(),
        provider_key: provider.key.clone(),
        export_status: ExportStatus::Failed,
        provider_error_code: None,
        provider_response_code: None,
        mapping_status: MappingStatus::Complete,
        mapping_missing: vec![],
        idempotency_key: idempotency_key(&fp),
        duplicate_fingerprint: fp,
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
    };
    TicketDraft::build(&attempt, &finding, provider)
}

const TOKEN_AND_USER: &str = r#"token_env = "SIM_TOKEN", user_env = "SIM_USER""#;

/// Was: a 200 with a proxy's HTML page (or an error object) read as "no ticket carries this
/// fingerprint" in nine of ten lookups, so the retry went on to create a duplicate; and a create
/// answered that way was recorded as created, with an empty ticket id.
#[test]
fn a_proxy_page_is_neither_no_ticket_nor_a_created_ticket() {
    let rig = rig(
        "gh",
        TOKEN_AND_USER,
        "kind = \"github\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n",
    );
    let page = Fault::status(
        200,
        &[("content-type", "text/html")],
        "<html>Sign in to continue</html>",
    );
    rig.sim.fail(Matcher::any(), page.clone(), 1);
    match rig.client.lookup(&rig.draft) {
        Err(Failure::Unavailable { detail, .. }) => {
            assert!(detail.contains("not JSON"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    rig.sim.fail(
        Matcher::any(),
        Fault::status(200, &[], r#"{"message": "ok"}"#),
        1,
    );
    assert!(rig.client.lookup(&rig.draft).is_err());
    rig.sim.fail(Matcher::any(), page, 1);
    match rig.client.create(&rig.draft) {
        Err(f @ Failure::Uncertain { .. }) => assert!(f.to_string().contains("looked up"), "{f}"),
        other => panic!("{other:?}"),
    }
    assert!(rig.sim.state().tickets.is_empty());
}

#[test]
fn jira_reads_any_answer() {
    drive(
        "jira",
        TOKEN_AND_USER,
        "kind = \"jira\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", issue_type = \"Bug\" }\n",
    );
}

#[test]
fn github_reads_any_answer() {
    drive(
        "gh",
        TOKEN_AND_USER,
        "kind = \"github\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n",
    );
}

#[test]
fn gitlab_reads_any_answer() {
    drive(
        "gl",
        TOKEN_AND_USER,
        "kind = \"gitlab\"\nbase_url = \"{base}\"\nowned = [\"acme/portal\"]\nmapping = { project = \"acme/portal\" }\n",
    );
}

#[test]
fn bitbucket_reads_any_answer() {
    drive(
        "bb",
        TOKEN_AND_USER,
        "kind = \"bitbucket\"\nbase_url = \"{base}\"\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n",
    );
}

#[test]
fn trello_reads_any_answer() {
    let entry = format!(
        "kind = \"trello\"\nbase_url = \"{{base}}\"\nowned = [\"{BOARD}\"]\nmapping = {{ board = \"{BOARD}\", list = \"{}\" }}\n",
        LISTS[0].0
    );
    drive("tr", TOKEN_AND_USER, &entry);
}

#[test]
fn linear_reads_any_answer() {
    drive(
        "lin",
        TOKEN_AND_USER,
        "kind = \"linear\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { team = \"SEC\" }\n",
    );
}

#[test]
fn azure_devops_reads_any_answer() {
    drive(
        "az",
        TOKEN_AND_USER,
        "kind = \"azure-devops\"\nbase_url = \"{base}/acme\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\", work_item_type = \"Bug\" }\n",
    );
}

#[test]
fn youtrack_reads_any_answer() {
    drive(
        "yt",
        TOKEN_AND_USER,
        "kind = \"youtrack\"\nbase_url = \"{base}\"\nowned = [\"SEC\"]\nmapping = { project = \"SEC\" }\n",
    );
}

#[test]
fn asana_reads_any_answer() {
    drive(
        "asana",
        TOKEN_AND_USER,
        "kind = \"asana\"\nbase_url = \"{base}\"\nowned = [\"1200000000000500\"]\nmapping = { workspace = \"1200000000000001\", project = \"1200000000000500\" }\n",
    );
}

#[test]
fn clickup_reads_any_answer() {
    drive(
        "cu",
        TOKEN_AND_USER,
        "kind = \"clickup\"\nbase_url = \"{base}\"\nowned = [\"901100200300\"]\nmapping = { list = \"901100200300\" }\n",
    );
}

#[test]
fn webhook_reads_any_answer() {
    drive(
        "hook",
        r#"secret_env = "SIM_WEBHOOK_SECRET""#,
        "kind = \"webhook\"\nbase_url = \"{base}/hooks/ticket-export\"\nowned = [\"127.0.0.1\"]\n",
    );
}

/// A one-connection-per-answer server sending raw bytes, for answers the simulator (whose
/// bodies are text) cannot send.
fn raw_server(answers: Vec<Vec<u8>>) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        for answer in answers {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = stream.write_all(&answer);
        }
    });
    (url, thread)
}

proptest! {
    #![proptest_config(cases(16))]

    /// Was: a body that is not UTF-8 (a Latin-1 error page, bytes) failed the whole read, so a
    /// 401 or a 429 became "no answer after the request was sent" (uncertain), losing its
    /// status and its wait.
    #[test]
    fn a_body_that_is_not_utf8_keeps_its_status(
        status in prop::sample::select(vec![200u16, 401, 403, 404, 422, 429, 500, 503]),
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        use ticket_export::config::Mode;
        use ticket_export::providers::http::HttpRequest;
        let mut answer = format!(
            "HTTP/1.1 {status} X\r\nretry-after: 30\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        answer.extend_from_slice(&body);
        let (url, server) = raw_server(vec![answer]);
        let http = Http::new(Mode::SelfHosted, Timeouts { connect: Duration::from_secs(2), call: Duration::from_secs(2) });
        let resp = http.send(&HttpRequest::new("GET", url.parse().unwrap()));
        server.join().unwrap();
        let resp = resp.map_err(|e| TestCaseError::fail(format!("{status}: {e}")))?;
        prop_assert_eq!(resp.status, status);
        prop_assert_eq!(resp.body.len() >= body.len(), true, "the body is kept, lossily");
    }
}
