//! Classifying provider answers from any status, headers and body: never a panic; a wait is
//! never before `now` nor more than 24 hours after it; a summary is one short printable line.
//! Here through the public functions; `clients` drives every client through the simulator.

mod clients;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use ticket_export::providers::failure::{classify, requested_wait, summary, wait_in_headers};
use ticket_export::providers::http::HttpResponse;

use crate::{cases, one_line};

/// Header names the classification reads, and others.
const NAMES: &[&str] = &[
    "retry-after",
    "Retry-After",
    "x-ratelimit-reset",
    "ratelimit-reset",
    "x-rate-limit-reset",
    "x-ratelimit-remaining",
    "x-ratelimit-requests-reset",
    "x-ratelimit-complexity-reset",
    "x-ratelimit-delay",
    "content-type",
    "www-authenticate",
    "x-other",
];

/// A time anywhere in jiff's range.
fn any_time() -> impl Strategy<Value = Timestamp> {
    (Timestamp::MIN.as_second()..=Timestamp::MAX.as_second())
        .prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// A plausible clock: 1970 to 2100.
pub fn now() -> impl Strategy<Value = Timestamp> {
    (0i64..4_102_444_800).prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// Header values a wait is read from: seconds, epochs, floats, dates far in the past or
/// future, in every spelling, and junk. All printable ASCII, so they can travel over HTTP.
pub fn wait_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-10i64..100_000).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| format!("{n}{n}")),
        prop::sample::select(vec![
            "0",
            "-0",
            "1e300",
            "-1e300",
            "1e-300",
            "inf",
            "-inf",
            "infinity",
            "NaN",
            "1.5",
            "-2.5",
            "+7",
            " 30 ",
            "",
            "soon",
            "9223372036854775807",
            "-9223372036854775808",
            "99999999999999999999999999",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "2026-11-29T12:05Z",
            "9999-12-31T23:59:59Z",
            "-009999-01-02T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2026-11-29T12:00:00+14:00",
            "2026-02-30T00:00:00Z",
        ])
        .prop_map(str::to_owned),
        any::<f64>().prop_map(|f| f.to_string()),
        any_time().prop_map(|t| t.to_string()),
        any_time().prop_map(|t| t.as_millisecond().to_string()),
        any_time().prop_map(|t| t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()),
        "[ -~]{0,40}",
    ]
}

/// Any headers, the interesting names more often.
pub fn headers(value: BoxedStrategy<String>) -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        4 => prop::sample::select(NAMES).prop_map(str::to_owned),
        1 => "[a-z-]{1,20}",
    ];
    prop::collection::vec((name, value), 0..5)
}

/// Bodies as providers send them, and worse: JSON with messages in every field the summary
/// reads, HTML, text, binary-ish text, huge text.
pub fn body() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f\\u{85}\\u{2028}\\u{1b} a-z]{0,60}",
        (1usize..20_000).prop_map(|n| "word ".repeat(n)),
    ];
    let field = prop::sample::select(vec![
        "message",
        "error",
        "errorMessages",
        "err",
        "error_description",
        "errors",
        "ECODE",
    ]);
    prop_oneof![
        (field.clone(), text.clone()).prop_map(|(f, t)| serde_json::json!({ f: t }).to_string()),
        (field.clone(), prop::collection::vec(text.clone(), 0..4))
            .prop_map(|(f, t)| serde_json::json!({ f: t }).to_string()),
        (field, text.clone())
            .prop_map(|(f, t)| serde_json::json!({ f: { "message": t, "detail": t } }).to_string()),
        text.clone()
            .prop_map(|t| format!("<html><body><h1>{t}</h1></body></html>")),
        text,
        Just(String::new()),
        Just("{\"errors\": [{\"message\": 5, \"extensions\": {\"code\": null}}]}".to_owned()),
    ]
}

/// A response: status 100 to 599, any headers, any body.
fn response() -> impl Strategy<Value = HttpResponse> {
    let value = prop_oneof![4 => wait_value(), 1 => any::<String>()].boxed();
    (100u16..=599, headers(value), body()).prop_map(|(status, headers, body)| HttpResponse {
        status,
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        body,
    })
}

/// The bounds every wait obeys.
pub fn check_wait(at: Option<Timestamp>, now: Timestamp) -> Result<(), TestCaseError> {
    if let Some(at) = at {
        prop_assert!(at >= now, "{at} is before now {now}");
        prop_assert!(
            at <= now + SignedDuration::from_hours(24),
            "{at} is more than 24h after {now}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn classification_never_panics_and_waits_stay_in_bounds(
        resp in response(),
        now in now(),
        write in any::<bool>(),
        fields in prop::collection::vec("[a-z_]{1,12}", 0..3),
    ) {
        let failure = classify(&resp, now, write, fields);
        prop_assert_eq!(failure.status(), Some(resp.status));
        check_wait(failure.retry_after(), now)?;
        prop_assert!(!failure.to_string().is_empty());
        check_wait(requested_wait(&resp, now), now)?;
        check_wait(wait_in_headers(&resp, NAMES, now), now)?;
    }

    /// The summary is uncut (a cut before the scrub would leave a token's start); the failure
    /// a client hands out, scrubbed, is short.
    #[test]
    fn a_summary_is_one_printable_line_and_a_scrubbed_failure_is_short(resp in response()) {
        let line = summary(&resp);
        prop_assert!(!line.is_empty());
        prop_assert!(one_line(&line), "not one printable line: {line:?}");
        let shown = classify(&resp, crate::NOW.parse().unwrap(), true, Vec::new())
            .scrubbed(&[])
            .to_string();
        prop_assert!(one_line(&shown), "not one printable line: {shown:?}");
        prop_assert!(shown.chars().count() <= 460, "{} characters", shown.chars().count());
    }

    /// Each reset header alone, with a value read as seconds, a float, an epoch or a date.
    #[test]
    fn every_wait_header_stays_in_bounds(name in prop::sample::select(NAMES), value in wait_value(), now in now()) {
        let resp = HttpResponse { status: 429, headers: vec![(name.to_ascii_lowercase(), value)], body: String::new() };
        check_wait(requested_wait(&resp, now), now)?;
        check_wait(wait_in_headers(&resp, &[name], now), now)?;
        check_wait(classify(&resp, now, true, Vec::new()).retry_after(), now)?;
    }
}

/// Was: a panic (`SignedDuration::from_secs_f64` out of range) on `Retry-After: 1e300` or `inf`,
/// mid-run, with the attempt claimed. Now the longest wait honoured: 24 hours.
#[test]
fn a_huge_or_infinite_float_wait_is_capped_not_a_panic() {
    let now: Timestamp = crate::NOW.parse().unwrap();
    for value in ["1e300", "inf", "+infinity", "9e18", "NaN"] {
        let resp = HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), value.into())],
            body: String::new(),
        };
        let expected = if value == "NaN" {
            now
        } else {
            now + SignedDuration::from_hours(24)
        };
        assert_eq!(requested_wait(&resp, now), Some(expected), "{value}");
        assert_eq!(
            classify(&resp, now, true, Vec::new()).retry_after(),
            Some(expected),
            "{value}"
        );
    }
}

/// Was: escape sequences, DEL and NUL from a body went into the summary, and from there to the
/// terminal and the store.
#[test]
fn control_characters_never_reach_a_summary() {
    let resp = HttpResponse {
        status: 500,
        headers: Vec::new(),
        body: r#"{"message": "bad\u001b[2J\u001b[1Agateway\u007f\u0000!"}"#.into(),
    };
    assert_eq!(summary(&resp), "bad [2J [1Agateway !");
}
