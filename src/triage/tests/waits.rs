//! A wait is described as the provider's only when the provider sent it: a wait ticket-export
//! chose itself (backoff after a connection failure, a 5xx without a wait) says so, and after
//! a call that got no answer the guide is the connection guide, not "Webhook retries".

use super::*;

fn waiting(f: &mut Fixture, status: Option<u16>, owner_digest: Option<String>) {
    f.code(FailureCode::ProviderUnavailable);
    f.attempt.provider_response_code = status;
    f.attempt.retry_after = Some(future());
    if let Some(digest) = owner_digest {
        f.owner(OwnerKind::Cooldown, &digest);
    }
}

#[test]
fn a_wait_the_provider_sent_is_the_providers() {
    let mut f = Fixture::new();
    waiting(&mut f, Some(429), Some(future().to_string()));
    let d = f.decide();
    assert_eq!((d.state, d.action), (State::Cooldown, Action::Wait));
    assert!(
        d.why.starts_with("the provider asked to wait until"),
        "{}",
        d.why
    );
    // An imported wait (no owner) is the export's record of the provider's answer.
    let mut f = Fixture::new();
    waiting(&mut f, Some(503), None);
    assert!(f.decide().why.starts_with("the provider asked to wait"));
}

#[test]
fn a_wait_after_no_answer_is_the_tools_with_the_connection_guide() {
    let mut f = Fixture::new();
    waiting(&mut f, None, Some(format!("{TOOL_WAIT}{}", future())));
    let d = f.decide();
    assert_eq!((d.state, d.action), (State::Cooldown, Action::Wait));
    assert!(!d.why.contains("asked"), "{}", d.why);
    assert!(d.why.contains("its own backoff"), "{}", d.why);
    assert!(d.why.contains("the last call got no answer"), "{}", d.why);
    assert!(
        d.why.contains("the provider did not ask for this wait"),
        "{}",
        d.why
    );
    assert_eq!(d.guide, Guide::ProviderConnectionErrors);
}

#[test]
fn a_wait_after_a_5xx_without_one_is_the_tools_and_names_the_status() {
    let mut f = Fixture::new();
    waiting(&mut f, Some(503), Some(format!("{TOOL_WAIT}{}", future())));
    let d = f.decide();
    assert!(!d.why.contains("asked"), "{}", d.why);
    assert!(
        d.why.contains("answered HTTP 503 without naming a wait"),
        "{}",
        d.why
    );
}
