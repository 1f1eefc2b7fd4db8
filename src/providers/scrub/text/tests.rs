use base64::Engine as _;
use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::providers::failure::classify;
use crate::providers::http::{HttpResponse, basic_auth};
use crate::secret::Secret;

fn creds(user: Option<&str>, token: &str) -> Credentials {
    Credentials {
        user: user.map(|u| Secret::new(u.to_owned())),
        token: Secret::new(token.to_owned()),
    }
}

/// Every piece of eight characters of `value`, as it is and lower-cased.
fn pieces(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    chars
        .windows(8)
        .flat_map(|w| {
            let piece: String = w.iter().collect();
            [piece.to_ascii_lowercase(), piece]
        })
        .collect()
}

/// The ways a provider echoes a credential, each as the text it sends and the value whose
/// pieces must never be seen.
fn echoes(user: &str, token: &str) -> Vec<(&'static str, String)> {
    let pair = format!("{user}:{token}");
    vec![
        ("as sent", token.to_owned()),
        ("upper-cased", token.to_ascii_uppercase()),
        ("lower-cased", token.to_ascii_lowercase()),
        (
            "Basic value",
            basic_auth(user, token)
                .trim_start_matches("Basic ")
                .to_owned(),
        ),
        (
            "base64url",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&pair),
        ),
        (
            "URL-encoded",
            url::form_urlencoded::byte_serialize(token.as_bytes()).collect(),
        ),
        ("JSON-escaped", token.replace('/', "\\/")),
    ]
}

/// What a 401 whose body is `body` becomes once scrubbed, as `settings check`, events and
/// provider health show it.
fn shown(body: &str, content_type: &str, secrets: &[String]) -> String {
    let resp = HttpResponse {
        status: 401,
        headers: vec![("content-type".into(), content_type.into())],
        body: body.to_owned(),
    };
    classify(&resp, Timestamp::UNIX_EPOCH, false, Vec::new())
        .scrubbed(secrets)
        .to_string()
}

/// Was: the summary was cut at 200 characters before the scrub, so a token straddling the cut
/// survived minus its last characters. Every offset from the start to well past both cuts.
#[test]
fn a_token_at_any_offset_around_the_cut_never_survives() {
    let user = "me@example.com";
    let token = "AbCd/1234:efgh-5678_ijkl+9012=mnop";
    let secrets = secret_forms(&creds(Some(user), token));
    for (how, echoed) in echoes(user, token) {
        for offset in 0..=MAX_CHARS + 60 {
            let filler = "é ".repeat(offset / 2) + &"é".repeat(offset % 2);
            let message = format!("{filler}{echoed} was refused é é");
            let json = serde_json::json!({ "message": message }).to_string();
            for (body, kind) in [
                (message.as_str(), "text/plain"),
                (json.as_str(), "application/json"),
            ] {
                let out = shown(body, kind, &secrets);
                assert!(out.chars().count() <= MAX_CHARS + 40, "{out}");
                for piece in pieces(&echoed) {
                    assert!(
                        !out.contains(&piece),
                        "{how} at {offset}: {piece:?} in {out}"
                    );
                }
            }
        }
    }
}

#[test]
fn json_unicode_escapes_are_decoded_before_the_scrub() {
    let token = "tok_0123456789abcdef";
    let secrets = secret_forms(&creds(None, token));
    let escaped: String = token
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let out = shown(
        &format!(r#"{{"message":"bad token {escaped}"}}"#),
        "application/json",
        &secrets,
    );
    assert_eq!(
        out,
        "authentication failed (HTTP 401): bad token [redacted]"
    );
}

#[test]
fn a_long_text_keeps_its_start_and_its_end() {
    let text = format!("start {} end of the advice", "x".repeat(1000));
    let out = cut(&text, MAX_CHARS);
    assert!(
        out.starts_with("start xxx") && out.ends_with("xxx end of the advice"),
        "{out}"
    );
    assert!(
        out.contains(" … ") && out.chars().count() <= MAX_CHARS,
        "{out}"
    );
    assert_eq!(cut("short", MAX_CHARS), "short");
}

#[test]
fn the_user_forms_are_known_apart() {
    let c = creds(Some("me@example.com"), "tok-123456");
    let user = user_forms(&c);
    assert!(user.contains(&"me@example.com".to_owned()));
    assert!(user.contains(&"me%40example.com".to_owned()));
    assert!(!user.iter().any(|u| u.contains("tok")));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any token, echoed in any form, anywhere in a message of any length: nothing of eight
    /// characters or more of it is shown.
    #[test]
    fn no_piece_of_any_echoed_token_is_shown(
        token in "[A-Za-z0-9/:+=_-]{12,60}",
        user in prop::option::of("[a-z]{3,12}@[a-z]{3,8}\\.example"),
        which in 0usize..7,
        before in 0usize..700,
        after in 0usize..300,
        json in any::<bool>(),
    ) {
        let secrets = secret_forms(&creds(user.as_deref(), &token));
        let (how, echoed) = echoes(user.as_deref().unwrap_or(""), &token).swap_remove(which);
        let message = format!("{}{echoed}{}", "é ".repeat(before / 2), " é".repeat(after / 2));
        let body = if json {
            serde_json::json!({ "error": message }).to_string()
        } else {
            message
        };
        let out = shown(&body, if json { "application/json" } else { "text/plain" }, &secrets);
        for piece in pieces(&echoed) {
            prop_assert!(!out.contains(&piece), "{} ({}): {:?} in {}", how, token, piece, out);
        }
    }
}
