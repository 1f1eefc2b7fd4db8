//! A missing or malformed credential is never "ready": triage is told whether the credentials
//! can be used, and a row that would call the provider blocks on them, naming the variable.
//! And a credential that was absent when a failure was recorded is no evidence of a change.

use super::*;

const MISSING: &str = "environment variable JIRA_API_TOKEN is not set (export it in the environment that runs ticket-export)";
const BROKEN: &str = "file /etc/te/jira.token holds a line break at character 25 of 26; set it to the token alone, as the provider shows it";

fn states() -> [CredentialState; 2] {
    [
        CredentialState::Absent(MISSING.to_owned()),
        CredentialState::Malformed(BROKEN.to_owned()),
    ]
}

/// Was: with the variable unset, a `PROVIDER_AUTH_FAILED` attempt was `ready (retry)`, because
/// the connection digest (which folded "unreadable" in) differed from the one recorded.
#[test]
fn an_auth_failure_with_the_token_unset_is_blocked_naming_it() {
    let mut f = Fixture::new();
    f.code(FailureCode::ProviderAuthFailed);
    f.owner(OwnerKind::Connection, "settings.cred-1");
    f.provider_mut().connection_digest = "settings.absent".to_owned();
    for credential in states() {
        f.provider_mut().credential = credential.clone();
        let d = f.decide();
        assert_eq!(
            (d.state, d.action, d.guide),
            (
                State::Blocked,
                Action::FixSettings,
                Guide::ProviderConnectionErrors
            ),
            "{d:?}"
        );
        let named = match &credential {
            CredentialState::Absent(_) => "environment variable JIRA_API_TOKEN is not set",
            _ => "file /etc/te/jira.token holds a line break",
        };
        assert!(d.why.contains(named), "{}", d.why);
        assert!(
            d.next_step
                .contains("`ticket-export settings check jira-sec`")
                && d.next_step.contains("`ticket-export retry tex_9001`"),
            "{}",
            d.next_step
        );
    }
}

/// The decision must not depend on which shell ran the import: a digest recorded without the
/// credential matches any credential now, and one recorded with it matches "absent now".
#[test]
fn an_absent_credential_on_either_side_is_no_change() {
    let rows = [
        // (recorded, now, changed)
        ("settings.absent", "settings.cred-1", false),
        ("settings.cred-1", "settings.absent", false),
        ("settings.absent", "settings.absent", false),
        ("settings.cred-0", "settings.cred-1", true),
        ("settings-0.absent", "settings.cred-1", true),
        ("settings-0.cred-1", "settings.absent", true),
        // The earlier single-part digest cannot be split: no evidence either way.
        ("0123456789abcdef", "settings.cred-1", false),
    ];
    for (recorded, now, changed) in rows {
        assert_eq!(
            crate::config::connection_changed(recorded, now),
            changed,
            "{recorded} -> {now}"
        );
        let mut f = Fixture::new();
        f.code(FailureCode::ProviderAuthFailed);
        f.owner(OwnerKind::Connection, recorded);
        f.provider_mut().connection_digest = now.to_owned();
        let d = f.decide();
        let ready = (d.state, d.action) == (State::Ready, Action::Retry);
        assert_eq!(ready, changed, "{recorded} -> {now}: {d:?}");
    }
}

/// Every row that would call the provider, or asks to fix the connection, blocks on the
/// credential; every row that calls nothing keeps its decision, and stops stay stops.
#[test]
fn only_rows_that_call_the_provider_block_on_the_credential() {
    let calls = [
        Action::Retry,
        Action::LookupThenRetry,
        Action::LookupAndLink,
        Action::UpdateExisting,
        Action::Sync,
    ];
    let blocks = [&calls[..], &[Action::FixSettings]].concat();
    let mut blocked = 0;
    for f in super::grid::all().step_by(5) {
        let present = f.decide();
        for credential in states() {
            let mut g = f.clone();
            if let Some(p) = g.provider.as_mut() {
                p.credential = credential;
            }
            let d = g.decide();
            let would_call = blocks.contains(&present.action)
                && present.state != State::Stop
                && g.provider.is_some();
            if would_call {
                assert_eq!(
                    (d.state, d.action),
                    (State::Blocked, Action::FixSettings),
                    "{present:?}"
                );
                assert!(d.why.contains("cannot be used"), "{}", d.why);
                assert!(retry_allowed(&d).is_err());
                blocked += 1;
            } else if present.state != State::Cooldown {
                assert_eq!(d, present, "a row that calls nothing keeps its decision");
            }
            // Never ready to call a provider without a usable credential.
            assert!(
                !(d.state == State::Ready && calls.contains(&d.action)),
                "{d:?}"
            );
        }
    }
    assert!(blocked > 1000, "the grid holds sending rows: {blocked}");
}
