//! Where a provider's ticket pages live, from its API base URL: the API host's web twin
//! (`api.github.com` serves `github.com`), or the base URL's own host with the API path taken
//! off (`https://ghe.example/api/v3` serves `https://ghe.example/...`, a self-managed GitLab at
//! `https://host/gitlab/api/v4` serves `https://host/gitlab/...`).

use url::Url;

use super::super::path::percent_decode;
use crate::config::{Provider, ProviderKind};

/// One address ticket pages are served from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WebRoot {
    host: String,
    /// The explicit port, None for the scheme's default.
    port: Option<u16>,
    /// Path segments before the ticket's own path (a self-managed instance's prefix, Azure's
    /// organisation).
    prefix: Vec<String>,
}

/// The cloud API hosts whose ticket pages are on another host.
fn web_host(kind: ProviderKind, api_host: &str) -> Option<&'static str> {
    use ProviderKind::*;
    Some(match (kind, api_host) {
        (Github, "api.github.com") => "github.com",
        (Bitbucket, "api.bitbucket.org") => "bitbucket.org",
        (Trello, "api.trello.com") => "trello.com",
        (Linear, "api.linear.app") => "linear.app",
        (Clickup, "api.clickup.com") => "app.clickup.com",
        _ => return None,
    })
}

/// The API path at the end of a base URL's path, which ticket pages do not have.
fn api_suffix(kind: ProviderKind, segments: &[String]) -> usize {
    use ProviderKind::*;
    let ends = |tail: &[&str]| {
        segments.len() >= tail.len()
            && segments[segments.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(s, t)| *t == "*" || s.eq_ignore_ascii_case(t))
    };
    let candidates: &[&[&str]] = match kind {
        Github => &[&["api", "v3"]],
        Gitlab => &[&["api", "v4"]],
        Jira => &[&["rest", "api", "*"]],
        Bitbucket => &[&["2.0"]],
        Trello => &[&["1"]],
        Linear => &[&["graphql"]],
        Youtrack => &[&["api"]],
        Asana => &[&["api", "1.0"]],
        Clickup => &[&["api", "v2"], &["api"]],
        AzureDevops => &[&["_apis"]],
        Webhook => &[],
    };
    candidates
        .iter()
        .find(|tail| ends(tail))
        .map_or(0, |tail| tail.len())
}

fn segments(url: &Url) -> Vec<String> {
    url.path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode(s).unwrap_or_else(|| s.to_owned()))
        .collect()
}

fn roots(provider: &Provider) -> Vec<WebRoot> {
    let base = &provider.base_url;
    let Some(host) = base.host_str().map(str::to_ascii_lowercase) else {
        return Vec::new();
    };
    if provider.kind == ProviderKind::Webhook {
        return Vec::new();
    }
    if let Some(web) = web_host(provider.kind, &host) {
        return vec![WebRoot {
            host: web.into(),
            port: None,
            prefix: Vec::new(),
        }];
    }
    let mut path = segments(base);
    path.truncate(path.len() - api_suffix(provider.kind, &path));
    let own = WebRoot {
        host: host.clone(),
        port: base.port(),
        prefix: path.clone(),
    };
    if provider.kind != ProviderKind::AzureDevops {
        return vec![own];
    }
    // Azure DevOps serves an organisation at both `dev.azure.com/{org}` and the legacy
    // `{org}.visualstudio.com`, and links carry whichever form is the organisation's primary.
    match (host.as_str(), path.first()) {
        ("dev.azure.com", Some(org)) => vec![
            own.clone(),
            WebRoot {
                host: format!("{}.visualstudio.com", org.to_ascii_lowercase()),
                port: None,
                prefix: path[1..].to_vec(),
            },
        ],
        (legacy, _) if legacy.ends_with(".visualstudio.com") => {
            let org = legacy.trim_end_matches(".visualstudio.com").to_owned();
            vec![
                own,
                WebRoot {
                    host: "dev.azure.com".into(),
                    port: None,
                    prefix: std::iter::once(org).chain(path).collect(),
                },
            ]
        }
        _ => vec![own],
    }
}

/// The web addresses of a provider's ticket pages, for messages (`github.com`,
/// `ghe.example/tools`).
pub fn web_roots(provider: &Provider) -> Vec<String> {
    roots(provider)
        .into_iter()
        .map(|r| {
            let port = r.port.map(|p| format!(":{p}")).unwrap_or_default();
            let prefix: String = r.prefix.iter().map(|s| format!("/{s}")).collect();
            format!("{}{port}{prefix}", r.host)
        })
        .collect()
}

/// The URL's path after the web address, as decoded segments; None when the URL is not on one
/// of the provider's web addresses.
pub(super) fn path_on_site(provider: &Provider, url: &Url) -> Option<Vec<String>> {
    let host = url.host_str()?.to_ascii_lowercase();
    let path = segments(url);
    roots(provider).into_iter().find_map(|root| {
        let on = root.host == host
            && root.port == url.port()
            && path.len() >= root.prefix.len()
            && root
                .prefix
                .iter()
                .zip(&path)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        on.then(|| path[root.prefix.len()..].to_vec())
    })
}
