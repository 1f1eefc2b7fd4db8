//! Building clients against the simulator, and the checks every provider's tests share.

use std::sync::Arc;
use std::time::Duration;

use ticket_export::ambient::Ambient;
use ticket_export::config::Config;
use ticket_export::model::*;
use ticket_export::providers::http::{Http, Timeouts};
use ticket_export::providers::{Failure, NormalState, ProviderClient, TicketDraft, client_for};
use ticket_export::simulator::{
    Fault, Matcher, SIM_TOKEN, SIM_USER, SIM_WEBHOOK_SECRET, SimRequest, Simulator,
};

pub const NOW: &str = "2026-11-29T12:00:00Z";

/// Longer than the rig's call timeout.
pub const SLOW: Duration = Duration::from_secs(2);

/// A scripted failure of a create: its name, the fault, and the failure code and
/// `retry_after` it must read as.
pub type FailureCase<'a> = (&'a str, Fault, FailureCode, Option<&'a str>);

/// A running simulator and the config text pointing at it.
pub struct Rig {
    pub sim: Simulator,
    pub config: Config,
    pub ambient: Ambient,
}

impl Rig {
    /// `entry` is a provider table body; `{base}` is replaced by the simulator's URL.
    pub fn new(key: &str, entry: &str) -> Rig {
        Rig::with_auth(
            key,
            r#"token_env = "SIM_TOKEN", user_env = "SIM_USER""#,
            entry,
        )
    }

    /// As `new`, with the body of the `auth` table given (Jira Data Center has no user, a
    /// webhook has `secret_env = "SIM_WEBHOOK_SECRET"`).
    pub fn with_auth(key: &str, auth: &str, entry: &str) -> Rig {
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
        Rig {
            sim,
            config,
            ambient,
        }
    }

    /// The client for the only provider, with short timeouts so "slow" tests are quick.
    pub fn client(&self) -> Box<dyn ProviderClient> {
        let provider = self.config.providers.values().next().unwrap();
        let http = Arc::new(Http::new(
            self.config.mode,
            Timeouts {
                connect: Duration::from_secs(2),
                call: Duration::from_millis(800),
            },
        ));
        client_for(provider, http, &self.ambient).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A draft for a typical finding at this provider.
    pub fn draft(&self, n: u32) -> TicketDraft {
        self.draft_with(n, |_| {})
    }

    /// A draft for finding `n` as `edit` leaves it (its identity, and so its fingerprint, is
    /// computed after the edit).
    pub fn draft_with(&self, n: u32, edit: impl FnOnce(&mut Finding)) -> TicketDraft {
        let provider = self.config.providers.values().next().unwrap();
        let mut finding = Finding {
            report_id: "rep_1".into(),
            finding_id: format!("fnd_{n}"),
            rule_id: "xss-reflected".into(),
            title: format!("Reflected XSS number {n}"),
            severity: Severity::High,
            url: format!("https://shop.example/search/{n}?q=1"),
            parameter: Some("q".into()),
            description: "User input is echoed without encoding.".into(),
            evidence: "GET /search?q=<script> HTTP/1.1\nAuthorization: Bearer live-secret\n".into(),
            remediation: "Encode output.".into(),
            status: FindingStatus::Open,
        };
        edit(&mut finding);
        let fp =
            ticket_export::fingerprint::fingerprint(ticket_export::fingerprint::FingerprintInput {
                rule_id: &finding.rule_id,
                url: &finding.url,
                parameter: finding.parameter.as_deref(),
                target: "https://shop.example",
                provider_key: &provider.key,
            });
        let attempt = TicketExport {
            ticket_export_id: format!("tex_{n}"),
            report_id: "rep_1".into(),
            finding_id: finding.finding_id.clone(),
            provider_key: provider.key.clone(),
            export_status: ExportStatus::Failed,
            provider_error_code: None,
            provider_response_code: None,
            mapping_status: MappingStatus::Complete,
            mapping_missing: vec![],
            idempotency_key: ticket_export::fingerprint::idempotency_key(&fp),
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

    /// The provider kind, spelt as the simulator marks the tickets it holds.
    pub fn kind(&self) -> &'static str {
        self.config.providers.values().next().unwrap().kind.as_str()
    }

    /// How many tickets of this rig's provider the simulator holds.
    pub fn tickets(&self) -> usize {
        let kind = self.kind();
        self.sim
            .state()
            .tickets
            .iter()
            .filter(|t| t.kind == kind)
            .count()
    }

    /// The last request the simulator received.
    pub fn last(&self) -> SimRequest {
        self.sim
            .state()
            .requests
            .last()
            .cloned()
            .expect("a request")
    }

    /// Every request, as text, to check that no credential leaked into a path or body.
    pub fn all_requests_text(&self) -> String {
        self.sim
            .state()
            .requests
            .iter()
            .map(|r| format!("{} {}?{} {}\n", r.method, r.path, r.query, r.body))
            .collect()
    }
}

/// Each case on a fresh rig from `rig`: the fault answers the first request `matcher` matches,
/// and the create fails with the case's code and `retry_after`, having created nothing.
pub fn assert_failures(rig: impl Fn() -> Rig, matcher: &Matcher, cases: &[FailureCase]) {
    assert_failures_with(rig, matcher, cases, |_, _, _| {});
}

/// `assert_failures`, then `more` with each case's name, rig and failure, for the checks only
/// some cases of a provider have.
pub fn assert_failures_with(
    rig: impl Fn() -> Rig,
    matcher: &Matcher,
    cases: &[FailureCase],
    mut more: impl FnMut(&str, &Rig, &Failure),
) {
    for (name, fault, code, retry_after) in cases {
        let rig = rig();
        rig.sim.fail(matcher.clone(), fault.clone(), 1);
        let err = rig.client().create(&rig.draft(1)).unwrap_err();
        assert_eq!(&err.code(), code, "{name}: {err}");
        assert_eq!(
            err.retry_after().map(|t| t.to_string()).as_deref(),
            *retry_after,
            "{name}"
        );
        assert!(
            rig.sim.state().tickets.is_empty(),
            "{name}: nothing was created"
        );
        more(name, &rig, &err);
    }
}

/// The answer to the create `matcher` matches is lost after the provider made the ticket: the
/// create is uncertain, the provider holds exactly that one ticket, and the lookup finds it.
pub fn assert_lost_response_gives_one_ticket(rig: &Rig, matcher: Matcher) {
    rig.sim.fail(matcher, Fault::LoseResponse, 1);
    let err = rig.client().create(&rig.draft(1)).unwrap_err();
    assert!(matches!(err, Failure::Uncertain { .. }), "{err}");
    let kinds: Vec<&str> = rig.sim.state().tickets.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [rig.kind()], "the provider did create it");
    assert_eq!(
        rig.client().lookup(&rig.draft(1)).unwrap().len(),
        1,
        "and the lookup finds it"
    );
}

/// The next two answers come after the call timeout: the create is uncertain (it may have been
/// made), the lookup unavailable (it changed nothing).
pub fn assert_slow_answer_is_uncertain_then_unavailable(rig: &Rig) {
    rig.sim.fail(Matcher::any(), Fault::Slow(SLOW), 2);
    assert!(matches!(
        rig.client().create(&rig.draft(1)).unwrap_err(),
        Failure::Uncertain { .. }
    ));
    assert!(matches!(
        rig.client().lookup(&rig.draft(1)).unwrap_err(),
        Failure::Unavailable { .. }
    ));
}

/// After a create, a lookup, two state changes and a check, none of `secrets` is in any
/// request's path, query or body: credentials travel in headers only.
pub fn assert_token_only_in_headers(rig: &Rig, secrets: &[&str]) {
    let client = rig.client();
    let t = client.create(&rig.draft(1)).unwrap();
    let _ = client.lookup(&rig.draft(1));
    let _ = client.write_status(&t.id, NormalState::WontFix);
    let _ = client.write_status(&t.id, NormalState::Done);
    let _ = client.check();
    let text = rig.all_requests_text();
    for secret in secrets {
        assert!(!text.contains(secret), "{text}");
    }
}
