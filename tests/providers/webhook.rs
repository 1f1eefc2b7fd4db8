//! Standard Webhooks delivery: the signature recomputed here independently of the client, the
//! same `webhook-id` on every retry, and the receiver answers of the specification.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use ticket_export::model::FailureCode;
use ticket_export::providers::{Failure, NormalState, PlannedCall};
use ticket_export::simulator::{Fault, Matcher, SIM_WEBHOOK_SECRET, SimRequest};

use crate::support::{FailureCase, Rig, assert_failures_with};

const ENTRY: &str = r#"kind = "webhook"
base_url = "{base}/hooks/ticket-export"
owned = ["127.0.0.1"]
"#;

fn rig() -> Rig {
    Rig::with_auth("hook", r#"secret_env = "SIM_WEBHOOK_SECRET""#, ENTRY)
}

/// The signature a receiver computes: HMAC-SHA256 keyed by the base64 after `whsec_`.
fn expected_signature(req: &SimRequest) -> String {
    let key = BASE64
        .decode(SIM_WEBHOOK_SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    let signed = format!(
        "{}.{}.{}",
        req.header("webhook-id").unwrap(),
        req.header("webhook-timestamp").unwrap(),
        req.body
    );
    mac.update(signed.as_bytes());
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

#[test]
fn create_posts_a_signed_event() {
    let rig = rig();
    let draft = rig.draft(1);
    let ticket = rig.client().create(&draft).unwrap();
    assert_eq!(ticket.id, draft.idempotency_key);
    assert_eq!(
        ticket.url,
        format!("{}/hooks/ticket-export", rig.sim.base_url())
    );
    let req = rig.last();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/hooks/ticket-export")
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.header("webhook-id"),
        Some(draft.idempotency_key.as_str())
    );
    let timestamp: i64 = req.header("webhook-timestamp").unwrap().parse().unwrap();
    let now: jiff::Timestamp = crate::support::NOW.parse().unwrap();
    assert!(
        (timestamp - now.as_second()).abs() <= 5,
        "unix seconds of `now`"
    );
    assert_eq!(
        req.header("webhook-signature"),
        Some(expected_signature(&req).as_str())
    );
    assert!(req.header("authorization").is_none());
    let body = req.json();
    assert_eq!(body["type"], "ticket_export.finding");
    assert_eq!(body["timestamp"], crate::support::NOW);
    let data = &body["data"];
    assert_eq!(data["fingerprint"], draft.fingerprint.as_str());
    assert_eq!(data["ticket_export_id"], "tex_1");
    assert_eq!(data["idempotency_key"], draft.idempotency_key.as_str());
    assert_eq!(data["finding_id"], "fnd_1");
    assert_eq!(data["severity"], "high");
    assert!(data["body"].as_str().unwrap().contains(&draft.marker()));
    assert!(!req.body.contains("live-secret"));
    assert_eq!(
        rig.sim.state().deliveries.len(),
        1,
        "the receiver verified it"
    );
    assert!(req.body.len() < 20_000, "the specification's size advice");
}

#[test]
fn a_receiver_answer_with_id_and_url_names_the_ticket() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("POST", "/hooks/"),
        Fault::status(
            200,
            &[("content-type", "application/json")],
            r#"{"id":"SEC-7","url":"https://tracker.example/SEC-7"}"#,
        ),
        1,
    );
    let ticket = rig.client().create(&rig.draft(1)).unwrap();
    assert_eq!(
        (ticket.id.as_str(), ticket.url.as_str()),
        ("SEC-7", "https://tracker.example/SEC-7")
    );
}

#[test]
fn a_wrong_secret_is_refused_by_the_receiver_as_auth() {
    let rig = Rig::with_auth("hook", r#"secret_env = "SIM_TOKEN""#, ENTRY);
    let err = rig.client().create(&rig.draft(1)).unwrap_err();
    assert!(matches!(err, Failure::Auth { status: 401, .. }), "{err}");
    assert!(rig.sim.state().deliveries.is_empty());
}

#[test]
fn retries_reuse_the_webhook_id_and_a_lost_response_is_delivered_once() {
    let rig = rig();
    rig.sim
        .fail(Matcher::new("POST", "/hooks/"), Fault::LoseResponse, 1);
    let err = rig.client().create(&rig.draft(1)).unwrap_err();
    assert!(matches!(err, Failure::Uncertain { .. }), "{err}");
    assert!(
        rig.client().lookup(&rig.draft(1)).unwrap().is_empty(),
        "no listing"
    );
    let ticket = rig.client().create(&rig.draft(1)).unwrap();
    let state = rig.sim.state();
    assert_eq!(
        state.deliveries.len(),
        1,
        "the receiver deduplicated the redelivery"
    );
    let ids: Vec<&str> = state
        .requests
        .iter()
        .filter_map(|r| r.header("webhook-id"))
        .collect();
    assert_eq!(ids, [ticket.id.as_str(), ticket.id.as_str()]);
    for req in &state.requests {
        assert_eq!(
            req.header("webhook-signature"),
            Some(expected_signature(req).as_str())
        );
    }
}

#[test]
fn receiver_answers_follow_the_specification() {
    let cases: Vec<FailureCase> = vec![
        (
            "410",
            Fault::status(410, &[], ""),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "301",
            Fault::status(301, &[("location", "https://elsewhere.example/")], ""),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "429 retry-after",
            Fault::status(429, &[("retry-after", "120")], ""),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "429 bare",
            Fault::status(429, &[], ""),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:01:00Z"),
        ),
        (
            "502",
            Fault::status(502, &[], ""),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:01:00Z"),
        ),
        (
            "504 date",
            Fault::status(504, &[("retry-after", "Sun, 29 Nov 2026 12:05:00 GMT")], ""),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], ""),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "500",
            Fault::status(500, &[], ""),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "401",
            Fault::status(401, &[], ""),
            FailureCode::ProviderAuthFailed,
            None,
        ),
    ];
    let hooks = Matcher::new("POST", "/hooks/");
    assert_failures_with(rig, &hooks, &cases, |name, rig, _| {
        assert_eq!(
            rig.sim.request_count(),
            1,
            "{name}: one request, no redirect followed"
        );
    });
    let gone = rig();
    gone.sim.fail(
        Matcher::new("POST", "/hooks/"),
        Fault::status(410, &[], ""),
        1,
    );
    let err = gone.client().create(&gone.draft(1)).unwrap_err();
    assert!(
        matches!(&err, Failure::Rejected { status: 410, detail } if detail.contains("disabled")),
        "{err}"
    );
    assert!(
        err.stops_provider(),
        "no more deliveries to a disabled endpoint"
    );
    let failing = rig();
    failing.sim.fail(
        Matcher::new("POST", "/hooks/"),
        Fault::status(500, &[], ""),
        1,
    );
    assert!(matches!(
        failing.client().create(&failing.draft(1)).unwrap_err(),
        Failure::Uncertain {
            status: Some(500),
            ..
        }
    ));
}

#[test]
fn a_slow_receiver_is_uncertain() {
    let rig = rig();
    rig.sim.fail(
        Matcher::any(),
        Fault::Slow(std::time::Duration::from_secs(2)),
        1,
    );
    assert!(matches!(
        rig.client().create(&rig.draft(1)).unwrap_err(),
        Failure::Uncertain { .. }
    ));
}

#[test]
fn check_sends_nothing_and_status_is_not_sent() {
    let rig = rig();
    let client = rig.client();
    assert_eq!(client.check().unwrap().identity, "signing secret loaded");
    assert!(matches!(client.read_status("x"), Err(Failure::NotSent(_))));
    assert!(matches!(
        client.write_status("x", NormalState::Done),
        Err(Failure::NotSent(_))
    ));
    assert!(matches!(
        client.update("x", &rig.draft(1)),
        Err(Failure::NotSent(_))
    ));
    assert!(
        client
            .plan(PlannedCall::Create(&rig.draft(1)))
            .starts_with("POST /hooks/ticket-export to 127.0.0.1")
    );
    assert_eq!(
        rig.sim.request_count(),
        0,
        "nothing that could pass for a delivery"
    );
}

/// Was: an `Auth { status: 0 }`, recorded as the receiver rejecting the credentials, though
/// nothing was sent. A signing secret that does not decode, or holds a character no secret has,
/// is a credential problem naming its variable, found before any client exists.
#[test]
fn a_malformed_whsec_secret_is_a_credential_problem_before_sending() {
    let rig = rig();
    for secret in [
        "whsec_not-base64!!",
        "whsec_not base64!",
        "whsec_dGVzdA==\n",
    ] {
        let ambient = ticket_export::ambient::Ambient::new(
            [("SIM_WEBHOOK_SECRET".to_owned(), secret.to_owned())]
                .into_iter()
                .collect(),
            jiff::Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        let provider = rig.config.providers.values().next().unwrap();
        let http = std::sync::Arc::new(ticket_export::providers::http::Http::new(
            rig.config.mode,
            Default::default(),
        ));
        match ticket_export::providers::client_for(provider, http, &ambient) {
            Err(f @ Failure::Credential(_)) => {
                let shown = f.to_string();
                assert!(
                    shown.contains("environment variable SIM_WEBHOOK_SECRET"),
                    "{shown}"
                );
                assert!(!shown.contains("base64!"), "{shown}");
                assert_eq!(f.status(), None);
            }
            Err(other) => panic!("{secret:?}: {other}"),
            Ok(_) => panic!("{secret:?}: a client was built"),
        }
    }
    assert_eq!(rig.sim.request_count(), 0);
}

#[test]
fn the_secret_never_leaves_the_machine() {
    let rig = rig();
    rig.client().create(&rig.draft(1)).unwrap();
    let req = rig.last();
    let everything = format!("{:?} {}", req.headers, rig.all_requests_text());
    let raw = SIM_WEBHOOK_SECRET.strip_prefix("whsec_").unwrap();
    assert!(!everything.contains(raw));
}
