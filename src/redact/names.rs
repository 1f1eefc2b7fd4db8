//! Which names carry credentials: header names (`Authorization`, `X-Api-Key`, …) and the
//! names of keys in query strings, forms, JSON and YAML (`access_token`, `password`, …).

/// How the value of a named credential is redacted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// `Scheme token`: the scheme stays, the rest goes.
    Authorization,
    /// Every `name=value` pair's value goes; names stay.
    Cookie,
    /// The first pair's value goes; attributes (`Path`, `Secure`, …) stay.
    SetCookie,
    /// A header whose whole value is the secret (`X-Api-Key`).
    Opaque,
    /// A secret-named key (`access_token`, `password`): its value goes.
    Param,
}

/// Headers whose values are credentials, by their lower-case name.
pub(super) fn header_kind(name: &str) -> Option<Kind> {
    const OPAQUE: [&str; 18] = [
        "x-api-key",
        "api-key",
        "apikey",
        "x-apikey",
        "authentication",
        "x-authorization",
        "private-token",
        "job-token",
        "deploy-token",
        "ocp-apim-subscription-key",
        "x-functions-key",
        "x-goog-api-key",
        "x-amz-security-token",
        "x-hub-signature",
        "x-hub-signature-256",
        "x-slack-signature",
        "x-twilio-signature",
        "x-signature",
    ];
    let kind = match name {
        "authorization" | "proxy-authorization" => Kind::Authorization,
        "cookie" => Kind::Cookie,
        "set-cookie" | "set-cookie2" => Kind::SetCookie,
        _ if OPAQUE.contains(&name) => Kind::Opaque,
        // `X-Auth-Token`, `X-Vault-Token`, `X-Shopify-Access-Token`, `X-Client-Secret`, …
        _ if name.starts_with("x-")
            && [
                "-token",
                "-key",
                "-secret",
                "-password",
                "-auth",
                "-session",
            ]
            .iter()
            .any(|end| name.ends_with(end)) =>
        {
            Kind::Opaque
        }
        _ => return None,
    };
    Some(kind)
}

/// Whether a key names a secret: `token`, `access_token`, `apiKey`, `X-Amz-Security-Token`,
/// `client_secret`, `password`, `PHPSESSID`, `sig`, … but not `tokenizer`, `monkey`,
/// `sort_key` or `primary_key`.
pub(super) fn secret_name(name: &str) -> bool {
    let name = name.trim_matches(|c: char| c == '-' || c == '.' || c == '_' || c == '$');
    if name.is_empty() || name.len() > 64 {
        return false;
    }
    // Words, split at `_`, `-`, `.` and lower-to-upper case changes (`apiKey`).
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    words.extend((!word.is_empty()).then_some(word));
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let joined: String = words.concat();
    const WHOLE: [&str; 6] = ["sig", "auth", "session", "jwt", "otp", "key"];
    const LAST: [&str; 9] = [
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "signature",
        "credential",
        "credentials",
        "apikey",
    ];
    // Keys whose last word is "key" are secrets only after these words.
    const BEFORE_KEY: [&str; 12] = [
        "api",
        "access",
        "secret",
        "private",
        "account",
        "subscription",
        "client",
        "auth",
        "signing",
        "encryption",
        "master",
        "license",
    ];
    (words.len() == 1 && WHOLE.contains(&last))
        || LAST.contains(&last)
        || (last == "key"
            && words.len() > 1
            && BEFORE_KEY.contains(&words[words.len() - 2].as_str()))
        // One-word spellings: `accesstoken`, `csrfmiddlewaretoken`, `phpsessid`, `jsessionid`.
        || ["token", "secret", "password", "passwd", "apikey", "sessid", "sessionid"]
            .iter()
            .any(|end| joined.ends_with(end))
}
