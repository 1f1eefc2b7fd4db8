//! Azure DevOps failures: the 203 sign-in page, TF400733 with each wait header, rule errors.

use ticket_export::model::FailureCode;
use ticket_export::providers::Failure;
use ticket_export::simulator::{Fault, Matcher};

use super::{ENTRY, rig};
use crate::support::{FailureCase, Rig, assert_failures_with};

#[test]
fn scripted_failures_are_classified() {
    let vss = |msg: &str, key: &str| {
        format!(
            r#"{{"$id":"1","innerException":null,"message":"{msg}","typeKey":"{key}","errorCode":0,"eventId":3000}}"#
        )
    };
    let blocked = vss(
        "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'WorkItemTracking' in namespace 'User'.",
        "RequestBlockedException",
    );
    let cases: Vec<FailureCase> = vec![
        (
            "203 sign-in page",
            Fault::status(
                203,
                &[("content-type", "text/html; charset=utf-8")],
                "<html><title>Sign In</title></html>",
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "200 with an HTML page",
            Fault::status(
                200,
                &[("content-type", "text/html")],
                "<html>Sign in</html>",
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "401",
            Fault::status(
                401,
                &[],
                &vss(
                    "TF400813: The user '' is not authorized to access this resource.",
                    "UnauthorizedRequestException",
                ),
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "403",
            Fault::status(
                403,
                &[],
                &vss(
                    "TF401027: You need the Git 'GenericContribute' permission.",
                    "AccessDeniedException",
                ),
            ),
            FailureCode::ProviderAuthFailed,
            None,
        ),
        (
            "404",
            Fault::status(
                404,
                &[],
                &vss(
                    "TF200016: The following project does not exist: SEC.",
                    "ProjectDoesNotExistWithNameException",
                ),
            ),
            FailureCode::DeliveryFailed,
            None,
        ),
        (
            "400 rule error",
            Fault::status(
                400,
                &[],
                r#"{"$id":"1","innerException":null,"message":"TF401320: Rule Error for field Assigned To. Error code: Required, InvalidEmpty.","typeKey":"RuleValidationException","errorCode":600171,"eventId":3200}"#,
            ),
            FailureCode::MappingRequired,
            None,
        ),
        (
            "429 TF400733 with Retry-After",
            Fault::status(
                429,
                &[
                    ("retry-after", "120"),
                    ("x-ratelimit-resource", "WorkItemTracking"),
                ],
                &blocked,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:02:00Z"),
        ),
        (
            "429 date",
            Fault::status(
                429,
                &[("retry-after", "Sun, 29 Nov 2026 12:05:00 GMT")],
                &blocked,
            ),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "429 reset header",
            Fault::status(429, &[("x-ratelimit-reset", "1795953900")], &blocked),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "TF400733 without 429, delay header",
            Fault::status(400, &[("x-ratelimit-delay", "30.5")], &blocked),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30.5Z"),
        ),
        (
            "429 bare: the five-minute window",
            Fault::status(429, &[], &blocked),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:05:00Z"),
        ),
        (
            "503",
            Fault::status(503, &[("retry-after", "30")], "{}"),
            FailureCode::ProviderUnavailable,
            Some("2026-11-29T12:00:30Z"),
        ),
        (
            "500 after a write",
            Fault::status(500, &[], &vss("VS402371: internal error", "Exception")),
            FailureCode::DeliveryFailed,
            None,
        ),
    ];
    let create = Matcher::new("POST", "/workitems/$Bug");
    assert_failures_with(rig, &create, &cases, |name, _, err| {
        if name == "400 rule error" {
            assert!(
                matches!(err, Failure::Mapping { fields, .. } if fields == &["Assigned To"]),
                "{err:?}"
            );
        }
    });
}

#[test]
fn rule_errors_from_the_simulator_name_the_reference_field() {
    let rig = Rig::new("ado", &ENTRY.replace("high = \"1\"", "high = \"9\""));
    match rig.client().create(&rig.draft(1)).unwrap_err() {
        Failure::Mapping { fields, .. } => assert_eq!(fields, ["Microsoft.VSTS.Common.Priority"]),
        other => panic!("{other}"),
    }
}

#[test]
fn bad_credentials_get_the_sign_in_page_and_read_as_auth() {
    let rig = rig();
    rig.sim.fail(
        Matcher::new("GET", "/workitemtypes"),
        Fault::status(
            203,
            &[("content-type", "text/html")],
            "<html>Sign in</html>",
        ),
        1,
    );
    assert!(matches!(
        rig.client().check().unwrap_err(),
        Failure::Auth { status: 203, .. }
    ));
}
