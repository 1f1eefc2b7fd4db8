//! Invariants of triage over a generated grid of inputs: every code x every export status x
//! retry_after none/past/future x provider health x owned or not, crossed with the response
//! code, the recorded owner, the ticket link and the output folder check.

use super::*;
use crate::model::SyncStatus;

/// Every code the grid tries: none, the seven known, and one the tool does not know.
fn codes() -> Vec<Option<FailureCode>> {
    let mut codes = vec![None];
    codes.extend(FailureCode::KNOWN.iter().cloned().map(Some));
    codes.push(Some(FailureCode::Other(
        "TICKET_EXPORT_NEW_THING".to_owned(),
    )));
    codes
}

fn healths() -> Vec<ProviderHealth> {
    vec![
        ProviderHealth::Unknown,
        ProviderHealth::Ok {
            checked_at: before_failure(),
        },
        ProviderHealth::Ok {
            checked_at: after_failure(),
        },
        auth_failed(after_failure()),
        unreachable(after_failure()),
    ]
}

/// Owners that leave the setting unchanged ("-1", the current digests) or changed ("-0").
fn owners() -> Vec<Option<Owner>> {
    let owner = |kind, digest: &str| {
        Some(Owner {
            kind,
            digest: digest.to_owned(),
        })
    };
    vec![
        None,
        owner(OwnerKind::Connection, "settings.cred-0"),
        owner(OwnerKind::Connection, "settings.cred-1"),
        owner(OwnerKind::Mapping, "map-0"),
        owner(OwnerKind::OutputPath, "out-0"),
        owner(OwnerKind::Cooldown, "cool-1"),
    ]
}

/// The grid: 77,760 fixtures, expanded lazily so no test holds them all at once.
pub(super) fn all() -> impl Iterator<Item = Fixture> {
    grid()
}

fn grid() -> impl Iterator<Item = Fixture> {
    let mut all = Vec::new();
    for code in codes() {
        for status in ExportStatus::ALL {
            for retry_after in [None, Some(past()), Some(future())] {
                for health in healths() {
                    for owned in [true, false] {
                        all.push((code.clone(), *status, retry_after, health.clone(), owned));
                    }
                }
            }
        }
    }
    all.into_iter()
        .flat_map(|(code, status, retry_after, health, owned)| {
            let mut out = Vec::new();
            for response in [None, Some(401), Some(503)] {
                for owner in owners() {
                    // Link and sync state vary together; output usability cycles through its values.
                    for (i, linked) in [false, true].into_iter().enumerate() {
                        let mut f = Fixture::new();
                        f.attempt.provider_error_code = code.clone();
                        f.attempt.export_status = status;
                        f.attempt.retry_after = retry_after;
                        f.attempt.provider_response_code = response;
                        f.attempt.owner = owner.clone();
                        f.attempt.mapping_missing = vec!["customfield_10951".to_owned()];
                        f.health = health.clone();
                        f.provider_mut().destination_owned = owned;
                        if linked {
                            f.link();
                            f.attempt.status_sync_status = Some(SyncStatus::Failed);
                        }
                        f.output_usable = [None, Some(true), Some(false)][(i + out.len()) % 3];
                        // The outage outlasts the threshold in half the grid.
                        if out.len() % 2 == 0 {
                            f.attempt.failing_since = Some(ts("2026-11-20T00:00:00Z"));
                        }
                        out.push(f);
                    }
                }
            }
            out
        })
}

/// The rows whose table entry is a cooldown while `retry_after` is ahead.
fn provider_owned_row(code: &Option<FailureCode>) -> bool {
    matches!(
        code,
        Some(
            FailureCode::DeliveryFailed
                | FailureCode::StatusSyncFailed
                | FailureCode::ProviderUnavailable
                | FailureCode::ProviderAuthFailed
        )
    )
}

#[test]
fn the_grid_covers_what_it_claims() {
    let fixtures: Vec<Fixture> = grid().collect();
    assert_eq!(fixtures.len(), 9 * 8 * 3 * 5 * 2 * 3 * 6 * 2);
    let states: std::collections::HashSet<String> = fixtures
        .iter()
        .map(|f| f.decide().state.to_string())
        .collect();
    assert_eq!(states.len(), 4, "every state occurs: {states:?}");
}

#[test]
fn never_ready_to_call_the_provider_before_retry_after() {
    for f in grid().filter(|f| f.attempt.retry_after == Some(future())) {
        let d = f.decide();
        let code = &f.attempt.provider_error_code;
        let calls = [
            Action::Retry,
            Action::LookupThenRetry,
            Action::LookupAndLink,
            Action::Sync,
        ];
        assert!(
            d.state != State::Ready || !calls.contains(&d.action),
            "{code:?} {:?}: {d:?}",
            f.attempt.export_status
        );
        if provider_owned_row(code) {
            assert_ne!(
                (d.state, d.action),
                (State::Ready, Action::Fallback),
                "{code:?}: {d:?}"
            );
        }
        // The one sending action left in a cooldown is updating a known ticket, a stop.
        if retry_allowed(&d).is_ok() {
            assert_eq!(
                (d.state, d.action),
                (State::Stop, Action::UpdateExisting),
                "{d:?}"
            );
        }
    }
}

#[test]
fn never_fallback_while_a_create_may_have_landed() {
    let unknown = [ExportStatus::Uncertain, ExportStatus::InFlight];
    for f in grid().filter(|f| unknown.contains(&f.attempt.export_status)) {
        let d = f.decide();
        assert_ne!(
            d.action,
            Action::Fallback,
            "{:?} {:?}: portable files beside a ticket that may exist: {d:?}",
            f.attempt.provider_error_code,
            f.attempt.export_status
        );
    }
}

#[test]
fn cooldown_always_says_until_when() {
    for f in grid() {
        let d = f.decide();
        match d.state {
            State::Cooldown => {
                assert_eq!(d.action, Action::Wait);
                assert_eq!(d.wait_until, f.attempt.retry_after, "{d:?}");
                assert!(d.wait_until.is_some_and(|at| at > f.now), "{d:?}");
            }
            _ => assert_eq!(d.wait_until, None, "{d:?}"),
        }
    }
}

#[test]
fn unknown_codes_are_never_retried() {
    let unknown = |f: &Fixture| {
        f.attempt
            .provider_error_code
            .as_ref()
            .is_some_and(FailureCode::is_unknown)
    };
    let mut seen = 0;
    for mut f in grid().filter(unknown) {
        for provider in [f.provider.clone(), None] {
            f.provider = provider;
            let d = f.decide();
            assert!(retry_allowed(&d).is_err(), "{d:?}");
            let expected = [Action::ManualReview, Action::DoNotSend, Action::AddProvider];
            assert!(expected.contains(&d.action), "{d:?}");
            seen += 1;
        }
    }
    assert!(seen > 1000, "the grid must hold unknown codes, saw {seen}");
}

#[test]
fn unowned_or_unsafe_destination_is_a_stop_whatever_else() {
    let mut seen = 0;
    for mut f in grid().filter(|f| f.provider.as_ref().is_some_and(|p| !p.destination_owned)) {
        let d = f.decide();
        assert_eq!(
            (d.state, d.action),
            (State::Stop, Action::DoNotSend),
            "{d:?}"
        );
        assert!(
            d.why.contains("not in providers.jira-sec.owned"),
            "{}",
            d.why
        );
        assert!(retry_allowed(&d).is_err());
        // An unsafe base URL on an owned destination stops just the same.
        f.provider_mut().destination_owned = true;
        f.provider_mut().unsafe_base_url = Some("metadata address 169.254.169.254".to_owned());
        let d = f.decide();
        assert_eq!(
            (d.state, d.action),
            (State::Stop, Action::DoNotSend),
            "{d:?}"
        );
        seen += 1;
    }
    assert!(
        seen > 1000,
        "the grid must hold unowned destinations, saw {seen}"
    );
}

#[test]
fn decide_is_deterministic() {
    for f in grid().step_by(7) {
        let first = f.decide();
        assert_eq!(f.decide(), first);
        assert_eq!(f.clone().decide(), first);
    }
}

#[test]
fn texts_follow_one_convention() {
    for f in grid().step_by(3) {
        let d = f.decide();
        for (name, text) in [
            ("reason", &d.reason),
            ("why", &d.why),
            ("next_step", &d.next_step),
        ] {
            assert!(!text.is_empty() && !text.contains('\n'), "{name} {text:?}");
            assert!(!text.ends_with('.'), "{name} ends with a period: {text:?}");
            assert!(
                text.starts_with(|c: char| !c.is_ascii_uppercase()),
                "{name} {text:?}"
            );
        }
        let command = match d.action {
            Action::Retry | Action::LookupThenRetry | Action::LookupAndLink => {
                "`ticket-export retry tex_9001`"
            }
            Action::Fallback => "`ticket-export fallback tex_9001`",
            Action::Sync => "`ticket-export sync tex_9001`",
            Action::FixSettings => "`ticket-export settings check jira-sec`",
            _ => "",
        };
        assert!(
            d.next_step.contains(command),
            "{:?} next_step {:?}",
            d.action,
            d.next_step
        );
    }
}

#[test]
fn a_stopped_attempt_never_becomes_ready() {
    for mut f in grid().filter(|f| f.attempt.provider_error_code.is_none()) {
        f.attempt.export_status = ExportStatus::Stopped;
        let d = f.decide();
        assert_eq!(
            (d.state, d.action),
            (State::Stop, Action::DoNotSend),
            "{d:?}"
        );
        assert!(retry_allowed(&d).is_err(), "{d:?}");
    }
}

/// Row 5 over every mapping state: a mapping failure calls the provider again only when the
/// mapping is complete now (the platform says so and names no field, every named field is
/// supplied, or an unnamed failure's mapping changed), and never before `retry_after`.
#[test]
fn a_mapping_failure_is_ready_exactly_when_the_mapping_is_complete() {
    let supplies: [&[(&str, bool)]; 4] = [
        &[],
        &[("labels", true)],
        &[("labels", false)],
        &[("labels", true), ("customfield_1", false)],
    ];
    for status in [
        MappingStatus::Complete,
        MappingStatus::Incomplete,
        MappingStatus::Unknown,
    ] {
        for supply in supplies {
            for owner in owners() {
                for export_status in ExportStatus::ALL {
                    for retry_after in [None, Some(future())] {
                        let mut f = Fixture::new();
                        f.code(FailureCode::MappingRequired);
                        f.attempt.export_status = *export_status;
                        f.attempt.mapping_status = status;
                        f.attempt.mapping_missing =
                            supply.iter().map(|(n, _)| (*n).to_owned()).collect();
                        f.attempt.owner = owner.clone();
                        f.attempt.retry_after = retry_after;
                        f.provider_mut().field_supply = supply
                            .iter()
                            .map(|(n, ok)| FieldSupply {
                                field: (*n).to_owned(),
                                config_key: format!("providers.jira-sec.mapping.fields.{n}"),
                                supplied: *ok,
                            })
                            .collect();
                        let changed = owner
                            .as_ref()
                            .is_some_and(|o| o.kind == OwnerKind::Mapping && o.digest == "map-0");
                        let complete = match supply.is_empty() {
                            true => status == MappingStatus::Complete || changed,
                            false => supply.iter().all(|(_, ok)| *ok),
                        };
                        let d = f.decide();
                        let what = format!("{status} {supply:?} {owner:?} {export_status:?}");
                        match (complete, retry_after) {
                            (false, _) => {
                                assert_eq!(
                                    (d.state, d.action),
                                    (State::Blocked, Action::FixMapping),
                                    "{what}: {d:?}"
                                )
                            }
                            (true, None) => assert_eq!(d.state, State::Ready, "{what}: {d:?}"),
                            (true, Some(_)) => {
                                assert_eq!(d.state, State::Cooldown, "{what}: {d:?}")
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `inspect` and `retry` agree: while the provider's stored cooldown runs, no row is ready to
/// call the provider, and every cooldown ends when the later of the two waits does.
#[test]
fn never_ready_to_call_the_provider_during_its_stored_cooldown() {
    let until = ts("2026-11-29T11:30:00Z");
    for mut f in grid().step_by(5) {
        f.provider_cooldown = Some(ProviderCooldown {
            until,
            reason: "rate limited".to_owned(),
        });
        let d = f.decide();
        let calls = [
            Action::Retry,
            Action::LookupThenRetry,
            Action::LookupAndLink,
            Action::Sync,
        ];
        assert!(
            d.state != State::Ready || !calls.contains(&d.action),
            "{:?} {:?}: {d:?}",
            f.attempt.provider_error_code,
            f.attempt.export_status
        );
        if d.state == State::Cooldown {
            let own = cooldown_until(f.attempt.retry_after, f.now);
            assert_eq!(d.wait_until, Some(until).max(own), "the later wait: {d:?}");
        }
    }
}
