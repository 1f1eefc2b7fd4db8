use super::*;

/// `n` characters from the alphabet, deterministic: sample tokens with the real shapes.
fn body(n: usize, alphabet: &str) -> String {
    alphabet
        .chars()
        .cycle()
        .skip(7)
        .step_by(3)
        .take(n)
        .collect()
}

const ALNUM: &str = "aB3dE5fG7hJ9kLmN2pQrS4tUvW6xYz8AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
const HEX: &str = "0a1b2c3d4e5f6789";

/// Real-looking credentials in the shapes scanners capture them, each with the secret part
/// that must be gone afterwards.
fn must_redact() -> Vec<(String, String)> {
    let ghp = format!("ghp_{}", body(36, ALNUM));
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c".to_owned();
    let aws_id = "AKIAIOSFODNN7EXAMPLE".to_owned();
    let aws_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_owned();
    let slack = format!("xoxb-2409871234-2409871234567-{}", body(24, ALNUM));
    let stripe = format!("sk_live_{}", body(24, ALNUM));
    let key_body = format!("MIIEpAIBAAKCAQEA{}\n{}", body(48, ALNUM), body(48, ALNUM));
    let mut cases: Vec<(String, String)> = vec![
        (format!("Authorization: Bearer {jwt}"), jwt.clone()),
        ("authorization : Basic dXNlcjpodW50ZXIy".into(), "dXNlcjpodW50ZXIy".into()),
        (format!("AUTHORIZATION:token {ghp}"), ghp.clone()),
        ("  Proxy-Authorization: Basic YWRtaW46czNjcjN0".into(), "YWRtaW46czNjcjN0".into()),
        ("cookie: PHPSESSID=9f8e7d6c5b4a; theme=dark".into(), "9f8e7d6c5b4a".into()),
        ("Set-Cookie: session=Zx81Yq0pLm; Path=/; HttpOnly".into(), "Zx81Yq0pLm".into()),
        ("set-cookie:sid=a81fQ2; Secure".into(), "a81fQ2".into()),
        ("curl -H 'Authorization: Bearer abc123def456' https://api.shop.example/".into(), "abc123def456".into()),
        ("curl -s -H \"x-api-key: 5f2c9a7e31d84b06\" https://api.shop.example/".into(), "5f2c9a7e31d84b06".into()),
        ("curl --header 'Cookie: sid=Qw3rTy9' https://h/".into(), "Qw3rTy9".into()),
        ("curl -u admin:hunter2 https://shop.example/admin".into(), "admin:hunter2".into()),
        ("curl --user=deploy:Pa55w0rd! https://shop.example/".into(), "deploy:Pa55w0rd!".into()),
        ("curl -uops:Tr0ub4dor https://shop.example/".into(), "ops:Tr0ub4dor".into()),
        ("curl -b 'session=7hJkL9mN' https://shop.example/".into(), "7hJkL9mN".into()),
        ("curl --cookie \"sid=Kp2Lm8; csrftoken=Xy7Zq1\" https://h/".into(), "Kp2Lm8".into()),
        ("curl --oauth2-bearer Zk81mQ2pL0x https://h/".into(), "Zk81mQ2pL0x".into()),
        ("X-Api-Key: 0123456789abcdef0123".into(), "0123456789abcdef0123".into()),
        ("x-amz-security-token: IQoJb3JpZ2luX2VjEKr//////////wEaCXVzLWVhc3QtMSJGMEQ".into(), "IQoJb3JpZ2luX2VjEKr".into()),
        ("Private-Token: glpat-abcdefghij0123456789".into(), "glpat-abcdefghij0123456789".into()),
        ("X-Vault-Token: s.Ab12Cd34Ef56Gh78".into(), "s.Ab12Cd34Ef56Gh78".into()),
        ("GET /cb?access_token=ya29.a0AfH6SMBx3Qm&state=xyz HTTP/1.1".into(), "ya29.a0AfH6SMBx3Qm".into()),
        ("https://shop.example/api?token=8c1f0e&page=2".into(), "8c1f0e".into()),
        ("https://maps.example/js?api_key=Qm81Zp0LwX".into(), "Qm81Zp0LwX".into()),
        ("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101&X-Amz-Signature=9f86d081884c7d65".into(), "9f86d081884c7d65".into()),
        ("https://acct.blob.core.windows.net/c?sv=2022&sig=Zm9vYmFyYmF6cXV4".into(), "Zm9vYmFyYmF6cXV4".into()),
        ("POST /login body: username=alice&password=correct-horse".into(), "correct-horse".into()),
        (r#"{"user": "alice", "password": "hunter2", "remember": true}"#.into(), "hunter2".into()),
        (r#"{"client_secret":"c2VjcmV0LXZhbHVl","grant_type":"client_credentials"}"#.into(), "c2VjcmV0LXZhbHVl".into()),
        (r#"{"headers": {"X-Auth-Token": "Zx91Lk2Qp"}}"#.into(), "Zx91Lk2Qp".into()),
        (r#"[{"name": "Authorization", "value": "Bearer Qm8x1Zp0Lw9v"}]"#.into(), "Qm8x1Zp0Lw9v".into()),
        (r#"{"name":"Cookie","value":"JSESSIONID=A1B2C3D4E5"}"#.into(), "A1B2C3D4E5".into()),
        ("db:\n  password: S3cr3tPassw0rd\n".into(), "S3cr3tPassw0rd".into()),
        ("api_key = \"live_Zp81Qm0LwX\"".into(), "live_Zp81Qm0LwX".into()),
        ("'password' => 'Tr0ub4dor&3'".into(), "Tr0ub4dor&3".into()),
        (format!("token := \"{}\"", body(20, ALNUM)), body(20, ALNUM)),
        ("GET /;jsessionid=0F1E2D3C4B5A6978 HTTP/1.1".into(), "0F1E2D3C4B5A6978".into()),
        ("The page echoed the session token eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9. back".into(), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.".into()),
        (format!("leaked JWT {jwt} in the footer"), jwt.clone()),
        (format!("aws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}"), aws_secret.clone()),
        (format!("keys: {aws_id},{aws_secret}"), aws_secret.clone()),
        (format!("id {aws_id} found"), aws_id.clone()),
        (format!("-----BEGIN RSA PRIVATE KEY-----\n{key_body}\n-----END RSA PRIVATE KEY-----"), key_body.clone()),
        (format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{key_body}"), key_body.clone()),
        (format!("token in the page: {ghp}"), ghp.clone()),
        (format!("gho_{}", body(36, ALNUM)), format!("gho_{}", body(36, ALNUM))),
        (format!("ghu_{} ghs_{}", body(36, ALNUM), body(36, ALNUM)), format!("ghu_{}", body(36, ALNUM))),
        (format!("ghr_{}", body(36, ALNUM)), format!("ghr_{}", body(36, ALNUM))),
        (format!("github_pat_11ABCDEFG0{}", body(59, ALNUM)), body(59, ALNUM)),
        (format!("glpat-{}", body(20, ALNUM)), body(20, ALNUM)),
        (slack.clone(), slack.clone()),
        (format!("xoxp-1234567890-1234567890-1234567890-{}", body(32, HEX)), body(32, HEX)),
        ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX".into(), "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX".into()),
        (stripe.clone(), stripe.clone()),
        (format!("rk_live_{}", body(24, ALNUM)), body(24, ALNUM)),
        (format!("key=AIza{}", body(35, ALNUM)), body(35, ALNUM)),
        (format!("const k = 'AIza{}';", body(35, ALNUM)), body(35, ALNUM)),
        (format!("//registry.npmjs.org/:_authToken=npm_{}", body(36, ALNUM)), body(36, ALNUM)),
        (format!("SG.{}.{}", body(22, ALNUM), body(43, ALNUM)), body(43, ALNUM)),
        (format!("shpat_{}", body(32, HEX)), body(32, HEX)),
        (format!("lin_api_{}", body(40, ALNUM)), body(40, ALNUM)),
        (format!("pk_8675309_{}", body(32, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")), body(32, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")),
        (format!("whsec_{}", body(32, ALNUM)), body(32, ALNUM)),
        ("seen with Basic YWRtaW46aHVudGVyMg== in the log".into(), "YWRtaW46aHVudGVyMg==".into()),
        (format!("sent as Basic {ghp} by the page"), ghp.clone()),
        ("https://admin:hunter2@shop.example/x".into(), "admin:hunter2".into()),
    ];
    // The same header in every case and spacing.
    for header in [
        "Authorization:",
        "authorization:",
        "AUTHORIZATION :",
        "Authorization\t:",
    ] {
        cases.push((
            format!("{header} Bearer Zk81mQ2pL0x9"),
            "Zk81mQ2pL0x9".into(),
        ));
    }
    cases
}

/// Text a finding needs that looks near a credential and must pass unchanged.
const MUST_KEEP: &[&str] = &[
    "token",
    "The token expired before the request.",
    "authorization required",
    "401 Unauthorized: authorization required for /admin",
    "The endpoint lacks authorization: any user can read invoices.",
    "Missing Authorization header on /api/orders",
    "Set-Cookie lacks the Secure flag; the cookie: sessionid is not HttpOnly",
    "Bearer tokens should be rotated; Basic authentication is disabled.",
    "key: value",
    "password: required",
    "The API key is stored in localStorage.",
    "Use a password manager.",
    "monkey=banana&hotkey=F5&sort_key=name&primary_key=id&tokenizer=bpe",
    "123e4567-e89b-12d3-a456-426614174000",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed it",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "https://shop.example/search?q=shoes&page=2&sort=price",
    "https://shop.example/api/v1/keys/rotate",
    "mailto:security@shop.example and admin@shop.example",
    "https://shop.example/a@b",
    "Accept: text/html\nX-Cookie-Id: 7",
    "if (a == b && c != d) { x = y; }",
    "GET /search?q=<script>alert(1)</script> HTTP/1.1",
    "Risk in Asia and they said ok",
    "",
];

#[test]
fn every_credential_form_is_redacted() {
    for (text, secret) in must_redact() {
        let out = redact(&text);
        assert!(
            !out.contains(&secret),
            "{secret:?} survived in {out:?} (from {text:?})"
        );
        assert!(out.contains(REDACTED), "{text:?}");
    }
}

#[test]
fn text_near_credentials_is_left_alone() {
    for text in MUST_KEEP {
        assert_eq!(redact(text), *text, "{text:?}");
        assert!(matches!(redact(text), Cow::Borrowed(_)), "{text:?}");
    }
}

#[test]
fn redaction_is_idempotent() {
    for (text, _) in must_redact() {
        let once = redact(&text).into_owned();
        assert_eq!(redact(&once), once, "{text:?}");
    }
}

#[test]
fn header_values_are_redacted_and_names_kept() {
    let text = "GET /a HTTP/1.1\nAuthorization: Bearer abc.def\ncookie: session=5f2c; theme=dark\n\nHTTP/1.1 200 OK\nSet-Cookie: cart=9c1e; Path=/; HttpOnly";
    assert_eq!(
        redact(text),
        "GET /a HTTP/1.1\nAuthorization: Bearer [REDACTED]\ncookie: session=[REDACTED]; theme=[REDACTED]\n\nHTTP/1.1 200 OK\nSet-Cookie: cart=[REDACTED]; Path=/; HttpOnly"
    );
}

#[test]
fn curl_prefixes_crlf_and_schemeless_tokens() {
    assert_eq!(
        redact("> Authorization: abcdef0123\r\n< Set-Cookie: s=1\r\n"),
        "> Authorization: [REDACTED]\r\n< Set-Cookie: s=[REDACTED]\r\n"
    );
    assert_eq!(
        redact("Proxy-Authorization: Basic dXNlcjpwYXNz"),
        "Proxy-Authorization: Basic [REDACTED]"
    );
}

#[test]
fn quoted_headers_in_json_and_dicts() {
    assert_eq!(
        redact(r#"{"headers": {"Authorization": "Bearer tok", "Accept": "*/*", 'cookie': 'a=b'}}"#),
        r#"{"headers": {"Authorization": "Bearer [REDACTED]", "Accept": "*/*", 'cookie': 'a=[REDACTED]'}}"#
    );
}

#[test]
fn a_request_on_one_json_line_keeps_what_follows_the_header() {
    assert_eq!(
        redact(
            r#"{"request": "GET / HTTP/1.1\r\nAuthorization: Bearer Zk81mQ2pL0x\r\nHost: shop.example"}"#
        ),
        r#"{"request": "GET / HTTP/1.1\r\nAuthorization: Bearer [REDACTED]\r\nHost: shop.example"}"#
    );
}

#[test]
fn a_header_quoted_inside_a_json_string_ends_at_its_escaped_quote() {
    assert_eq!(
        redact(r#"{"evidence": "curl -H \"Authorization: Bearer Zk81mQ2pL0x\" https://h"}"#),
        r#"{"evidence": "curl -H \"Authorization: Bearer [REDACTED]\" https://h"}"#
    );
    // A quote that never closes is not a quoted value: nothing after it is taken.
    assert_eq!(
        redact("Use `?api_key=` in requests"),
        "Use `?api_key=` in requests"
    );
}

#[test]
fn url_user_info_is_redacted_and_host_kept() {
    assert_eq!(
        redact("see https://admin:hunter2@shop.example/x and ftp://u@h/ and mailto:a@b"),
        "see https://[REDACTED]@shop.example/x and ftp://[REDACTED]@h/ and mailto:a@b"
    );
}

#[test]
fn headers_later_in_a_line_and_query_names_keep_their_context() {
    assert_eq!(
        redact("Pre-login Set-Cookie: sid=a81f; Path=/ then more"),
        "Pre-login Set-Cookie: sid=[REDACTED]; Path=/ then more"
    );
    assert_eq!(
        redact("curl -H 'Authorization: Bearer x' https://h/"),
        "curl -H 'Authorization: Bearer [REDACTED]' https://h/"
    );
    assert_eq!(
        redact("GET /cb?code=1&access_token=Zk81mQ2p&state=ok"),
        "GET /cb?code=1&access_token=[REDACTED]&state=ok"
    );
    assert_eq!(
        redact("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----\nnext"),
        "-----BEGIN EC PRIVATE KEY-----\n[REDACTED]\n-----END EC PRIVATE KEY-----\nnext"
    );
}

#[test]
fn a_finding_is_redacted_in_every_free_text_field() {
    let secret = format!("ghp_{}", body(36, ALNUM));
    let f = Finding {
        report_id: "rep_1".into(),
        finding_id: "fnd_1".into(),
        rule_id: "token-leak".into(),
        title: format!("Token {secret} in page"),
        severity: crate::model::Severity::High,
        url: format!("https://shop.example/?token={secret}"),
        parameter: Some(format!("access_token={secret}")),
        description: secret.clone(),
        evidence: format!("Authorization: token {secret}"),
        remediation: format!("revoke {secret}"),
        status: crate::model::FindingStatus::Open,
    };
    for clean in [finding(&f), finding_owned(f.clone())] {
        let text = serde_json::to_string(&clean).unwrap();
        assert!(!text.contains(&secret), "{text}");
        assert_eq!(clean.finding_id, "fnd_1");
    }
}

#[test]
fn tokenish_tells_values_from_words() {
    for v in [
        "hunter2",
        "AbCdEfGh",
        "Zk81mQ2p",
        "abcdefghijklmnopqrstuvwxyz",
    ] {
        assert!(tokenish(v), "{v}");
    }
    for v in [
        "required",
        "Required",
        "value",
        "123456",
        "see below",
        REDACTED,
    ] {
        assert!(!tokenish(v), "{v}");
    }
}
