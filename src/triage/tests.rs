//! Tests of triage: the shared fixture, the small contracts of the public types, and the two
//! big suites in submodules (`table`: one row per condition of design.md section 4; `grid`:
//! invariants over every combination of the inputs that matter).

use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::model::{
    ExportStatus, FailureCode, MappingStatus, Owner, OwnerKind, State, TOOL_WAIT, TicketExport,
};

mod credential;
mod grid;
mod table;
mod waits;

/// The fixed clock of every test.
const NOW: &str = "2026-11-29T10:00:00Z";
/// When the default attempt started failing: 22 hours before `NOW`, inside the 24h threshold.
const FAILING_SINCE: &str = "2026-11-28T12:00:00Z";

fn ts(text: &str) -> Timestamp {
    text.parse().expect("test timestamps are valid RFC 3339")
}

/// One hour after `NOW`: a cooldown that is still ahead.
fn future() -> Timestamp {
    ts("2026-11-29T11:00:00Z")
}

/// One hour before `NOW`: a cooldown that has cleared.
fn past() -> Timestamp {
    ts("2026-11-29T09:00:00Z")
}

/// After `FAILING_SINCE` and before `NOW`: a check that ran since the failure.
fn after_failure() -> Timestamp {
    ts("2026-11-29T09:30:00Z")
}

/// Before `FAILING_SINCE`: a check that predates the failure.
fn before_failure() -> Timestamp {
    ts("2026-11-28T11:00:00Z")
}

/// A delivery failure with HTTP 503 on an owned, safe Jira provider, no cooldown, no owner.
fn attempt() -> TicketExport {
    TicketExport {
        ticket_export_id: "tex_9001".to_owned(),
        report_id: "rep_1042".to_owned(),
        finding_id: "fnd_1".to_owned(),
        provider_key: "jira-sec".to_owned(),
        export_status: ExportStatus::Failed,
        provider_error_code: Some(FailureCode::DeliveryFailed),
        provider_response_code: Some(503),
        mapping_status: MappingStatus::Complete,
        mapping_missing: Vec::new(),
        duplicate_fingerprint: "fp1-3f9a".to_owned(),
        idempotency_key: "idem-3f9a".to_owned(),
        retry_after: None,
        external_ticket_id: None,
        external_ticket_url: None,
        status_sync_status: None,
        portable_export_path: None,
        attempt_count: 1,
        owner: None,
        failing_since: Some(ts(FAILING_SINCE)),
        created_at: Some(ts(FAILING_SINCE)),
        updated_at: Some(ts(FAILING_SINCE)),
        sync_conflict: false,
    }
}

/// The provider as the current config sees it: owned, safe, digests `*-1`.
fn provider_view() -> ProviderView {
    ProviderView {
        destination_owned: true,
        unsafe_base_url: None,
        connection_digest: "settings.cred-1".to_owned(),
        mapping_digest: "map-1".to_owned(),
        output_digest: "out-1".to_owned(),
        field_supply: Vec::new(),
        credential: CredentialState::Present,
        ticket: None,
    }
}

/// Owned data behind one [`TriageInput`], so a test can tweak any part of it.
#[derive(Debug, Clone)]
struct Fixture {
    attempt: TicketExport,
    provider: Option<ProviderView>,
    health: ProviderHealth,
    provider_cooldown: Option<ProviderCooldown>,
    output_usable: Option<bool>,
    fallback_after: SignedDuration,
    now: Timestamp,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            attempt: attempt(),
            provider: Some(provider_view()),
            health: ProviderHealth::Unknown,
            provider_cooldown: None,
            output_usable: None,
            fallback_after: SignedDuration::from_hours(24),
            now: ts(NOW),
        }
    }

    fn input(&self) -> TriageInput<'_> {
        TriageInput {
            attempt: &self.attempt,
            provider: self.provider.as_ref(),
            health: &self.health,
            provider_cooldown: self.provider_cooldown.as_ref(),
            output_usable: self.output_usable,
            fallback_after: self.fallback_after,
            now: self.now,
        }
    }

    fn decide(&self) -> Decision {
        decide(&self.input())
    }

    fn provider_mut(&mut self) -> &mut ProviderView {
        self.provider
            .as_mut()
            .expect("this case keeps the provider")
    }

    fn code(&mut self, code: FailureCode) {
        self.attempt.provider_error_code = Some(code);
    }

    /// No failure code, the given export status.
    fn no_code(&mut self, status: ExportStatus) {
        self.attempt.provider_error_code = None;
        self.attempt.export_status = status;
    }

    fn owner(&mut self, kind: OwnerKind, digest: &str) {
        self.attempt.owner = Some(Owner {
            kind,
            digest: digest.to_owned(),
        });
    }

    fn link(&mut self) {
        self.attempt.external_ticket_id = Some("SEC-42".to_owned());
        self.attempt.external_ticket_url =
            Some("https://acme.atlassian.net/browse/SEC-42".to_owned());
    }
}

fn auth_failed(at: Timestamp) -> ProviderHealth {
    ProviderHealth::AuthFailed {
        checked_at: at,
        detail: "401 token expired".to_owned(),
    }
}

fn unreachable(at: Timestamp) -> ProviderHealth {
    ProviderHealth::Unreachable {
        checked_at: at,
        detail: "connection refused".to_owned(),
    }
}

#[test]
fn action_text_matches_its_json() {
    for action in Action::ALL {
        let json = serde_json::to_value(action).unwrap();
        assert_eq!(json, serde_json::json!(action.as_str()), "{action:?}");
    }
    assert_eq!(Action::LookupThenRetry.as_str(), "lookup_then_retry");
    assert_eq!(Action::FixOutputPath.to_string(), "fix_output_path");
}

#[test]
fn guide_serializes_as_its_title() {
    for guide in Guide::ALL {
        let json = serde_json::to_value(guide).unwrap();
        assert_eq!(json, serde_json::json!(guide.title()), "{guide:?}");
    }
    assert_eq!(
        Guide::StatusSyncAndDuplicates.title(),
        "Status sync and duplicate handling"
    );
}

#[test]
fn decision_json_uses_wire_spellings() {
    let mut f = Fixture::new();
    f.attempt.retry_after = Some(future());
    let json = serde_json::to_value(f.decide()).unwrap();
    assert_eq!(json["state"], "cooldown");
    assert_eq!(json["action"], "wait");
    assert_eq!(json["guide"], "Webhook retries");
    assert_eq!(json["wait_until"], "2026-11-29T11:00:00Z");
    assert_eq!(
        json["reason"],
        "the provider request failed after WebRiskOps built the export payload"
    );

    let ready = serde_json::to_value(Fixture::new().decide()).unwrap();
    assert_eq!(ready["wait_until"], serde_json::Value::Null);
}

#[test]
fn describe_code_decodes_every_code_differently() {
    let texts: Vec<&str> = FailureCode::KNOWN.iter().map(describe_code).collect();
    for (i, text) in texts.iter().enumerate() {
        assert!(!text.is_empty() && !text.ends_with('.'), "{text:?}");
        assert!(!texts[..i].contains(text), "{text:?} is used twice");
    }
    let dup = describe_code(&FailureCode::DuplicateBlocked);
    assert!(dup.contains("existing downstream ticket"), "{dup}");
    let other = describe_code(&FailureCode::Other("X_NEW".to_owned()));
    assert!(other.contains("manual review"), "{other}");
}

#[test]
fn retry_is_allowed_only_for_sending_actions() {
    let allowed = [
        Action::Retry,
        Action::LookupThenRetry,
        Action::LookupAndLink,
        Action::UpdateExisting,
    ];
    for action in Action::ALL {
        let decision = Decision {
            state: State::Ready,
            action,
            reason: "r".to_owned(),
            why: format!("why {action}"),
            next_step: "n".to_owned(),
            guide: Guide::ProviderOverview,
            wait_until: None,
        };
        match retry_allowed(&decision) {
            Ok(()) => assert!(allowed.contains(&action), "{action} must be refused"),
            Err(why) => {
                assert!(!allowed.contains(&action), "{action} must be allowed");
                assert_eq!(why, format!("why {action}"));
            }
        }
        // A cooldown never sends, whatever action a row put on it.
        let cooling = Decision {
            state: State::Cooldown,
            ..decision
        };
        assert!(retry_allowed(&cooling).is_err(), "{action} in cooldown");
    }
}

#[test]
fn refusal_names_the_unchanged_owner() {
    let mut f = Fixture::new();
    f.code(FailureCode::ProviderAuthFailed);
    f.owner(OwnerKind::Connection, "settings.cred-1");
    let refusal = retry_allowed(&f.decide()).unwrap_err();
    assert!(
        refusal.contains("providers.jira-sec are unchanged since the failure"),
        "{refusal}"
    );
}

#[test]
fn allow_create_lifts_only_the_duplicate_guard_and_only_into_a_lookup_first() {
    let mut f = Fixture::new();
    f.code(FailureCode::DuplicateBlocked);
    f.link();
    let lifted = |f: &Fixture| allow_create(&f.attempt, &f.decide(), f.now);
    assert_eq!(lifted(&f), Ok(Action::LookupThenRetry), "known ticket");
    f.owner(
        OwnerKind::Person,
        "https://acme.atlassian.net/browse/SEC-42",
    );
    assert_eq!(lifted(&f), Ok(Action::LookupThenRetry), "after a 404");
    f.attempt.retry_after = Some(future());
    let why = lifted(&f).unwrap_err();
    assert!(why.contains("retry_after"), "a cooldown still holds: {why}");
    f.attempt.retry_after = None;
    f.provider_mut().destination_owned = false;
    let why = lifted(&f).unwrap_err();
    assert!(why.contains("owned"), "a stop still holds: {why}");
    f.provider_mut().destination_owned = true;
    f.code(FailureCode::DeliveryFailed);
    let why = lifted(&f).unwrap_err();
    assert!(
        why.contains("lifts only the duplicate guard")
            && why.contains("TICKET_EXPORT_DELIVERY_FAILED"),
        "{why}"
    );
}
