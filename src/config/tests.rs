use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/etc/te/config.toml"))
}

fn problems(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected a problem in:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// A minimal valid entry per kind: the destination keys and credentials it needs.
const EVERY_KIND: &str = r#"
[providers.jira]
kind = "jira"
base_url = "https://acme.atlassian.net"
auth = { user_env = "JIRA_EMAIL", token_env = "JIRA_API_TOKEN" }
owned = ["SEC"]
mapping = { project = "SEC", issue_type = "Bug", priority = { critical = "Highest" }, fields = { customfield_10951 = "web" } }
[providers.github]
kind = "github"
base_url = "https://api.github.com"
auth = { token_env = "GITHUB_TOKEN" }
owned = ["acme/shop"]
mapping = { repo = "acme/shop", labels = ["security"] }
[providers.gitlab]
kind = "gitlab"
base_url = "https://gitlab.com"
auth = { token_file = "gitlab.token" }
owned = ["acme/portal"]
mapping = { project = "acme/portal" }
[providers.bitbucket]
kind = "bitbucket"
base_url = "https://api.bitbucket.org"
auth = { user_env = "BB_EMAIL", token_env = "BB_TOKEN" }
owned = ["acme/shop"]
mapping = { repo = "acme/shop" }
[providers.trello]
kind = "trello"
base_url = "https://api.trello.com"
auth = { user_env = "TRELLO_KEY", token_env = "TRELLO_TOKEN" }
owned = ["b1"]
mapping = { board = "b1", list = "l1" }
[providers.linear]
kind = "linear"
base_url = "https://api.linear.app"
auth = { token_env = "LINEAR_API_KEY" }
owned = ["WEB"]
mapping = { team = "WEB" }
[providers.azure]
kind = "azure-devops"
base_url = "https://dev.azure.com/acme"
auth = { token_env = "AZURE_PAT" }
owned = ["Shop"]
mapping = { project = "Shop", work_item_type = "Bug" }
[providers.youtrack]
kind = "youtrack"
base_url = "https://acme.youtrack.cloud"
auth = { token_env = "YT_TOKEN" }
owned = ["SEC"]
mapping = { project = "SEC" }
[providers.asana]
kind = "asana"
base_url = "https://app.asana.com"
auth = { token_env = "ASANA_PAT" }
owned = ["1200"]
mapping = { workspace = "1100", project = "1200" }
[providers.clickup]
kind = "clickup"
base_url = "https://api.clickup.com"
auth = { token_env = "CLICKUP_TOKEN" }
owned = ["900"]
mapping = { list = "900" }
[providers.hooks]
kind = "webhook"
base_url = "https://hooks.acme.example/in"
auth = { secret_env = "HOOK_SECRET" }
owned = ["hooks.acme.example"]
"#;

#[test]
fn every_kind_is_accepted_with_its_keys() {
    let config = parse(EVERY_KIND).unwrap();
    assert_eq!(config.providers.len(), 11);
    for provider in config.providers.values() {
        assert!(
            provider.destination_owned(),
            "{} should own its destination",
            provider.key
        );
        assert_eq!(provider.unsafe_base_url, None, "{}", provider.key);
    }
    let gitlab = &config.providers["gitlab"];
    assert_eq!(
        gitlab.auth.token,
        Some(SecretSource::File("/etc/te/gitlab.token".into()))
    );
    // Without `out_dir`, the default is the data folder's, not the config's folder.
    assert!(!config.fallback.out_dir_named);
    assert_ne!(config.fallback.out_dir, Path::new("/etc/te/ticket-exports"));
    assert_eq!(config.fallback.after, SignedDuration::from_hours(24));
    assert_eq!(
        config.providers["hooks"].destination(),
        "hooks.acme.example"
    );
}

#[test]
fn each_kind_names_its_missing_destination_keys() {
    let cases = [
        ("jira", "mapping.project is required for kind = \"jira\""),
        ("jira", "mapping.issue_type is required"),
        ("github", "mapping.repo is required"),
        ("trello", "mapping.list is required"),
        ("azure-devops", "mapping.work_item_type is required"),
        ("asana", "mapping.workspace is required"),
        ("clickup", "mapping.list is required"),
        ("linear", "mapping.team is required"),
        ("youtrack", "mapping.project is required"),
    ];
    for (kind, expected) in cases {
        let text = format!(
            "[providers.p]\nkind = \"{kind}\"\nbase_url = \"https://x.example\"\nauth = {{ user_env = \"U\", token_env = \"T\" }}\nowned = [\"a\"]\n"
        );
        let msg = problems(&text);
        assert!(msg.contains(expected), "{kind}: {msg}");
        assert!(msg.contains("(providers.p, line 1)"), "{msg}");
    }
}

#[test]
fn unknown_keys_are_rejected_with_line_and_column() {
    let msg = problems("mode = \"cloud\"\n[fallback]\nout_dri = \"x\"\n");
    assert!(msg.contains("line 3, column 1"), "{msg}");
    assert!(msg.contains("out_dri"), "{msg}");
    // A value is never shown, even a harmless one: the position and the key say where.
    let msg = problems("[providers.a]\nkind = \"jira-cloud\"\n");
    assert!(
        !msg.contains("jira-cloud")
            && msg.contains("line 2, column 8")
            && msg.contains("providers.a.kind"),
        "{msg}"
    );
}

#[test]
fn literal_secrets_are_refused_with_an_explanation_and_not_echoed() {
    let msg = problems(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token = \"ghp_live_abc\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\" }\n",
    );
    assert!(msg.contains("auth.token holds a literal secret"), "{msg}");
    assert!(
        msg.contains("token_env") && msg.contains("token_file"),
        "{msg}"
    );
    assert!(
        !msg.contains("ghp_live_abc"),
        "the secret must not be echoed: {msg}"
    );

    let msg = problems(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token_env = \"ghp_live_abc\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\" }\n",
    );
    assert!(
        msg.contains("must be the NAME of an environment variable"),
        "{msg}"
    );
    assert!(!msg.contains("ghp_live_abc"), "{msg}");

    let msg = problems(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"https://me:pw@api.github.com\"\nauth = { token_env = \"T\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\" }\n",
    );
    assert!(
        msg.contains("base_url holds a user name or password"),
        "{msg}"
    );
    assert!(!msg.contains(":pw"), "{msg}");
}

#[test]
fn unsafe_base_urls_load_but_are_marked() {
    let text = "[providers.gh]\nkind = \"github\"\nbase_url = \"http://api.github.com\"\nauth = { token_env = \"T\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\" }\n";
    let config = parse(text).unwrap();
    let reason = config.providers["gh"].unsafe_base_url.clone().unwrap();
    assert!(
        reason.contains("plain http is refused in cloud mode"),
        "{reason}"
    );
    let config = parse(&text.replace("http://api.github.com", "https://169.254.169.254")).unwrap();
    assert!(
        config.providers["gh"]
            .unsafe_base_url
            .as_deref()
            .unwrap()
            .contains("metadata")
    );
}

#[test]
fn modes_kinds_and_values_are_checked() {
    let msg = problems(&format!("mode = \"webhook-only\"\n{EVERY_KIND}"));
    assert!(msg.contains("not allowed in webhook-only mode"), "{msg}");
    let msg = problems("[fallback]\nafter = \"soon\"\n");
    assert!(
        msg.contains("fallback.after is not a positive duration") && !msg.contains("soon"),
        "{msg}"
    );
    let msg = problems(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"https://api.github.com\"\nauth = { token_env = \"T\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\", priority = { urgent = \"P1\" } }\n",
    );
    assert!(
        msg.contains("mapping.priority.urgent is not a severity"),
        "{msg}"
    );
    let msg = problems(
        "[providers.w]\nkind = \"webhook\"\nbase_url = \"https://h.example\"\nowned = [\"h.example\"]\n",
    );
    assert!(
        msg.contains("auth needs secret_env or secret_file"),
        "{msg}"
    );
    let msg = problems(
        "[providers.b]\nkind = \"bitbucket\"\nbase_url = \"https://api.bitbucket.org\"\nauth = { token_env = \"T\" }\nowned = [\"a/b\"]\nmapping = { repo = \"a/b\" }\n",
    );
    assert!(
        msg.contains("auth.user_env is required for kind = \"bitbucket\""),
        "{msg}"
    );
}

#[test]
fn missing_default_config_means_no_providers_but_a_named_one_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let config = Config::load(&path, false).unwrap();
    assert!(config.providers.is_empty());
    let mut config = config;
    let home = dir.path().join("home");
    let vars = std::collections::BTreeMap::from([(
        crate::env_vars::HOME.to_owned(),
        home.display().to_string(),
    )]);
    let ambient = crate::ambient::Ambient::new(vars, jiff::Timestamp::UNIX_EPOCH).unwrap();
    config.resolve_defaults(&ambient);
    assert_eq!(
        config.fallback.out_dir,
        home.join(".local/share/ticket-export/ticket-exports"),
        "customer data goes to the data folder, not beside the config"
    );
    // Nothing there yet: no earlier folder to name.
    assert_eq!(config.earlier_default_out_dir(&path), None);
    std::fs::create_dir_all(dir.path().join("ticket-exports/rep_1")).unwrap();
    assert_eq!(
        config.earlier_default_out_dir(&path),
        Some(dir.path().join("ticket-exports"))
    );
    // A config that names the folder keeps it, relative to its own folder.
    let named = Config::parse("[fallback]\nout_dir = \"out\"\n", &path).unwrap();
    let mut named = named;
    named.resolve_defaults(&ambient);
    assert_eq!(named.fallback.out_dir, dir.path().join("out"));
    assert_eq!(named.earlier_default_out_dir(&path), None);
    let err = Config::load(&path, true).unwrap_err().to_string();
    assert!(err.contains("cannot read the config"), "{err}");
    let err = Config::load(dir.path(), false).unwrap_err().to_string();
    assert!(err.contains("it is a directory"), "{err}");
}

#[test]
fn field_supply_names_config_keys() {
    let config = parse(EVERY_KIND).unwrap();
    let jira = &config.providers["jira"];
    let supply = jira.field_supply(&[
        "customfield_10951".into(),
        "assignee".into(),
        "priority".into(),
    ]);
    assert_eq!(
        supply[0].config_key,
        "providers.jira.mapping.fields.customfield_10951"
    );
    assert!(supply[0].supplied);
    assert_eq!(supply[1].config_key, "providers.jira.mapping.assignees");
    assert!(!supply[1].supplied);
    assert_eq!(supply[2].config_key, "providers.jira.mapping.priority");
    assert!(supply[2].supplied);
}

#[test]
fn digests_follow_their_settings_and_never_contain_the_secret() {
    use std::collections::BTreeMap;
    let config = parse(EVERY_KIND).unwrap();
    let gh = &config.providers["github"];
    let amb = |token: &str| {
        crate::ambient::Ambient::new(
            BTreeMap::from([("GITHUB_TOKEN".into(), token.into())]),
            jiff::Timestamp::UNIX_EPOCH,
        )
        .unwrap()
    };
    let salt = b"salt";
    let a = gh.connection_digest(&amb("tok-one"), salt);
    assert_eq!(a, gh.connection_digest(&amb("tok-one"), salt));
    assert_ne!(a, gh.connection_digest(&amb("tok-two"), salt));
    assert!(!a.contains("tok-one"));
    // Was: an unreadable credential entered the digest as "unreadable:<source>", a value of its
    // own, so its coming or going looked like new credentials. Now it is "absent", and absent
    // on either side is no change; the settings part alone still tells a new base URL.
    let unset = crate::ambient::Ambient::new(BTreeMap::new(), jiff::Timestamp::UNIX_EPOCH).unwrap();
    let absent = gh.connection_digest(&unset, salt);
    assert!(absent.ends_with(".absent"), "{absent}");
    assert_eq!(absent.split('.').next(), a.split('.').next());
    assert!(!super::connection_changed(&absent, &a));
    assert!(!super::connection_changed(&a, &absent));
    assert!(super::connection_changed(
        &a,
        &gh.connection_digest(&amb("tok-two"), salt)
    ));
    let mut moved = gh.clone();
    moved.base_url = "https://github.example.com/api/v3".parse().unwrap();
    assert!(super::connection_changed(
        &absent,
        &moved.connection_digest(&unset, salt)
    ));
    assert!(super::connection_changed(
        &a,
        &moved.connection_digest(&amb("tok-one"), salt)
    ));
    let mut changed = gh.clone();
    changed.mapping.labels.push("new".into());
    assert_ne!(gh.mapping_digest(), changed.mapping_digest());
}

#[test]
fn auth_scheme_must_agree_with_the_kind_and_credentials() {
    let entry = |kind: &str, auth: &str| {
        format!(
            "[providers.p]\nkind = \"{kind}\"\nbase_url = \"https://example.com\"\nauth = {{ {auth} }}\nowned = [\"x\"]\nmapping = {{ project = \"x\", issue_type = \"Bug\", repo = \"a/b\" }}\n"
        )
    };
    let cases = [
        (
            entry("jira", r#"scheme = "basic", token_env = "T""#),
            "needs auth.user_env or auth.user_file",
        ),
        (
            entry(
                "jira",
                r#"scheme = "bearer", user_env = "U", token_env = "T""#,
            ),
            "takes no user",
        ),
        (
            entry(
                "jira",
                r#"scheme = "digest", user_env = "U", token_env = "T""#,
            ),
            r#"auth.scheme is not a scheme kind = "jira" uses (expected basic or bearer)"#,
        ),
        (
            entry("github", r#"scheme = "basic", token_env = "T""#),
            "(expected bearer)",
        ),
        (
            entry("gitlab", r#"scheme = "bearer", token_env = "T""#),
            r#"kind = "gitlab" sends its own header"#,
        ),
    ];
    for (text, expected) in cases {
        let err = problems(&text);
        assert!(err.contains(expected), "{text}\n{err}");
    }
    // The design's own example, and a Data Center token.
    parse(&entry(
        "jira",
        r#"scheme = "basic", user_env = "JIRA_EMAIL", token_env = "JIRA_API_TOKEN""#,
    ))
    .unwrap();
    parse(&entry(
        "jira",
        r#"scheme = "bearer", token_env = "JIRA_PAT""#,
    ))
    .unwrap();
    parse(&entry("github", r#"scheme = "bearer", token_env = "T""#)).unwrap();
}

#[test]
fn completion_reads_provider_keys_even_from_a_config_with_a_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    assert!(provider_keys(&path).is_empty(), "missing file");
    std::fs::write(
        &path,
        "[providers.jira-sec]\nkind = \"jira\"\nbase_url = \"not a url\"\n\n[providers.hook]\nkind = \"webhook\"\n",
    )
    .unwrap();
    assert!(parse(&std::fs::read_to_string(&path).unwrap()).is_err());
    assert_eq!(
        provider_keys(&path),
        [
            ("hook".to_owned(), "webhook".to_owned()),
            ("jira-sec".to_owned(), "jira".to_owned())
        ]
    );
    std::fs::write(&path, "[providers\n").unwrap();
    assert!(provider_keys(&path).is_empty(), "not TOML");
}
