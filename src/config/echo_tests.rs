//! The config never echoes a secret: not under a wrong key, not in a wrong type, not pasted
//! where a variable or file name belongs.

use std::path::Path;

use super::*;

/// A secret without any provider prefix: only the rule "values are never shown" catches it.
const S: &str = "s3cr3tValue0123456789xyzQ";

const GH: &str = "mode = \"cloud\"\n[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token_env = \"GITHUB_TOKEN\" }\nowned = [\"acme/shop\"]\nmapping = { repo = \"acme/shop\" }\n";

fn error(text: &str) -> String {
    match Config::parse(text, Path::new("/etc/te/config.toml")) {
        Ok(_) => panic!("expected a problem in:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn assert_unseen(shown: &str, secret: &str, context: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for piece in chars.windows(8.min(chars.len())) {
        let piece: String = piece.iter().collect();
        assert!(
            !shown.contains(&piece),
            "{context}: {piece:?} is shown:\n{shown}"
        );
    }
}

/// Was: the TOML error quoted the whole line (`access_token = "…"` in full), and serde's
/// messages quote values (`invalid type: string "…"`, ``unknown variant `…` ``).
#[test]
fn a_secret_under_a_wrong_key_or_in_a_wrong_type_is_never_echoed() {
    let rows: &[(&str, &str, &str)] = &[
        // (replace this, with this, and the key the message names)
        (
            "owned = ",
            "access_token = \"{S}\"\nowned = ",
            "access_token",
        ),
        (
            "owned = ",
            "headers = { Authorization = \"Bearer {S}\" }\nowned = ",
            "headers",
        ),
        (
            "token_env = \"GITHUB_TOKEN\"",
            "token_env = \"T\", acess_token = \"{S}\"",
            "acess_token",
        ),
        ("token_env = \"GITHUB_TOKEN\"", "tokn = \"{S}\"", "tokn"),
        (
            "mapping = { repo = \"acme/shop\" }",
            "mapping = { repo = \"acme/shop\", private_token = \"{S}\" }",
            "private_token",
        ),
        ("kind = \"github\"", "kind = \"{S}\"", "providers.gh.kind"),
        ("mode = \"cloud\"", "mode = \"{S}\"", "mode"),
        (
            "owned = [\"acme/shop\"]",
            "owned = \"{S}\"",
            "providers.gh.owned",
        ),
        (
            "base_url = ",
            "allow_http = \"{S}\"\nbase_url = ",
            "allow_http",
        ),
        (
            "mapping = ",
            "[providers.gh.headers]\nAuthorization = \"{S}\"\n[x]\nmapping = ",
            "headers",
        ),
        (
            "owned = ",
            "notes = \"\"\"\nline one\n{S}\n\"\"\"\nowned = ",
            "notes",
        ),
        ("owned = ", "x-api-key = '{S}'\nowned = ", "x-api-key"),
    ];
    for (from, to, key) in rows {
        let text = GH.replacen(from, &to.replace("{S}", S), 1);
        assert_ne!(text, GH, "{from}");
        let shown = error(&text);
        assert_unseen(&shown, S, to);
        assert!(shown.contains(key), "{to}: the key is named:\n{shown}");
        assert!(
            shown.contains("line "),
            "{to}: the position is given:\n{shown}"
        );
    }
}

/// Problems found after parsing (a URL that does not parse, a duration, a scheme) name the key,
/// not the value.
#[test]
fn validation_problems_name_the_key_not_the_value() {
    let rows: &[(&str, &str)] = &[
        (
            "base_url = \"https://api.github.com\"",
            "base_url = \"https://{S}:x@[bad\"",
        ),
        (
            "base_url = \"https://api.github.com\"",
            "base_url = \"{S}\"",
        ),
        (
            "token_env = \"GITHUB_TOKEN\"",
            "scheme = \"Bearer {S}\", token_env = \"T\"",
        ),
        (
            "mode = \"cloud\"",
            "mode = \"cloud\"\n[fallback]\nafter = \"{S}\"",
        ),
    ];
    for (from, to) in rows {
        let shown = error(&GH.replacen(from, &to.replace("{S}", S), 1));
        assert_unseen(&shown, S, to);
    }
}

/// Was: a token pasted into `token_env` without a known prefix passed as a variable name, and
/// "environment variable <token> is not set" went to provider health and the event history.
#[test]
fn a_pasted_token_is_refused_as_a_variable_or_file_name_and_not_shown() {
    let pasted = [
        // An Azure DevOps PAT (52 characters, lower-case base32).
        "x7kq2m4n5p6r7s2t3v4w5y6z7a2b3c4d5e6f7g2h3i4j5k6l7mno",
        // A Trello API key (32 hex digits).
        "0123456789abcdef0123456789abcdef",
        // A GitLab token without its prefix, a JWT-like piece, an Asana PAT.
        "xCrXtpfjPs1QEVKW4zb9",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx",
        "1/1200000000000:0123456789abcdef",
        "9LIVES_TOKEN",
        "MY-TOKEN",
        "my token",
        "",
    ];
    for value in pasted {
        for (slot, kind_auth) in [
            (
                "token_env",
                "kind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token_env = \"{V}\" }",
            ),
            (
                "user_env",
                "kind = \"bitbucket\"\nbase_url = \"https://api.bitbucket.org\"\nauth = { user_env = \"{V}\", token_env = \"T\" }",
            ),
            (
                "secret_env",
                "kind = \"webhook\"\nbase_url = \"https://hooks.example\"\nauth = { secret_env = \"{V}\" }",
            ),
        ] {
            let text = format!(
                "[providers.p]\n{}\nowned = [\"acme/shop\", \"hooks.example\"]\nmapping = {{ repo = \"acme/shop\" }}\n",
                kind_auth.replace("{V}", value)
            );
            let shown = error(&text);
            assert!(
                shown.contains(&format!("auth.{slot} must be the NAME")),
                "{value:?}:\n{shown}"
            );
            if !value.is_empty() {
                assert_unseen(&shown, value, slot);
            }
        }
    }
    for value in [
        "x7kq2m4n5p6r7s2t3v4w5y6z7a2b3c4d",
        "ghp_0123456789abcdef0123",
    ] {
        let text = GH.replace(
            "token_env = \"GITHUB_TOKEN\"",
            &format!("token_file = \"{value}\""),
        );
        let shown = error(&text);
        assert!(
            shown.contains("auth.token_file must be the path"),
            "{shown}"
        );
        assert_unseen(&shown, value, "token_file");
    }
}

#[test]
fn ordinary_variable_and_file_names_are_accepted() {
    for name in [
        "GITHUB_TOKEN",
        "_T",
        "t",
        "JIRA_API_TOKEN2",
        "MYGITHUBTOKEN2024",
        "gh_token",
    ] {
        let text = GH.replace("GITHUB_TOKEN", name);
        Config::parse(&text, Path::new("/etc/te/config.toml"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for file in [
        "github.token",
        "secrets/gh-token",
        "/run/secrets/github_token",
    ] {
        let text = GH.replace(
            "token_env = \"GITHUB_TOKEN\"",
            &format!("token_file = \"{file}\""),
        );
        Config::parse(&text, Path::new("/etc/te/config.toml"))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}
