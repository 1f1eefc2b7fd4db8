//! What may go into a request's path. Every ticket id and every mapping value that ends up in a
//! URL is checked for its provider (an issue number is digits, a Jira key is `KEY-N`, a
//! repository is `owner/name` without dot segments, ...), then pushed as one percent-encoded
//! segment; and the URL that is finally sent must stay under the destination the customer owns
//! ([`Scope`]). A value from an import file, a provider's answer or a config file could
//! otherwise walk the path up (`..`, `%2e%2e`) and send the customer's token elsewhere.

use url::Url;

use crate::config::{Mapping, Provider, ProviderKind};

/// The longest value a path segment may hold: ids and keys are short, and a long value in an
/// error message is noise.
const SEGMENT_MAX: usize = 255;

/// A value as it may be shown in a message: one line, bounded.
pub fn shown(value: &str) -> String {
    let mut text: String = value.chars().take(80).collect();
    if value.chars().count() > 80 {
        text.push('…');
    }
    format!("{text:?}")
}

/// `%XX` decoded; None when the result is not UTF-8 or an escape is malformed.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Why `value` cannot be one path segment, whatever the provider: empty, a dot segment, a
/// separator, a query or fragment start, a control character, or any of these hidden behind
/// percent-encoding (servers decode once more than the URL library does).
pub fn segment_problem(value: &str) -> Option<&'static str> {
    fn plain(value: &str) -> Option<&'static str> {
        if value.is_empty() {
            return Some("is empty");
        }
        if value.chars().count() > SEGMENT_MAX {
            return Some("is too long");
        }
        if value.chars().any(char::is_control) {
            return Some("contains a control character");
        }
        if value.trim() != value {
            return Some("has surrounding spaces");
        }
        if value == "." || value == ".." {
            return Some("is a dot segment (`.` or `..`)");
        }
        if value.contains(['/', '\\']) {
            return Some("contains a path separator");
        }
        if value.contains(['?', '#']) {
            return Some("contains `?` or `#`");
        }
        None
    }
    if let Some(why) = plain(value) {
        return Some(why);
    }
    if value.contains('%') {
        return match percent_decode(value) {
            None => Some("holds a malformed percent-encoding"),
            Some(decoded) if plain(&decoded).is_some() => {
                Some("hides a dot segment, separator or control character in percent-encoding")
            }
            Some(_) => None,
        };
    }
    None
}

fn all(value: &str, ok: impl Fn(char) -> bool) -> bool {
    !value.is_empty() && value.chars().all(ok)
}

fn digits(value: &str) -> bool {
    all(value, |c| c.is_ascii_digit()) && value.len() <= 20
}

fn alnum(value: &str) -> bool {
    all(value, |c| c.is_ascii_alphanumeric())
}

/// A repository, group or slug name: letters, digits, `.`, `_` and `-`, never only dots.
fn name(value: &str) -> bool {
    all(value, |c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && value.chars().any(|c| c != '.')
        && value.len() <= 100
}

/// `KEY-N` with the key's own rules (a letter, then letters, digits or `_`).
pub fn key_and_number(value: &str) -> Option<(&str, &str)> {
    let (key, number) = value.rsplit_once('-')?;
    let key_ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && all(key, |c| c.is_ascii_alphanumeric() || c == '_');
    (key_ok && digits(number)).then_some((key, number))
}

/// True for a UUID (Linear's ids).
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Two names in a path, as a repository is (`owner/name`, `workspace/slug`).
fn pair(value: &str) -> bool {
    matches!(value.split('/').collect::<Vec<_>>().as_slice(), [a, b] if name(a) && name(b))
}

/// A GitLab project: its numeric id, or its full path (`group/sub/name`).
fn gitlab_project(value: &str) -> bool {
    digits(value) || (value.split('/').count() >= 2 && value.split('/').all(name))
}

/// An Azure DevOps project or team name: Azure's own naming rules, which also keep it one
/// path segment.
fn azure_name(value: &str) -> bool {
    segment_problem(value).is_none()
        && !value.contains(|c: char| "\\/:*?\"<>|;#$*{},+=[]".contains(c))
        && !value.starts_with(['_', '.'])
        && !value.ends_with('.')
}

/// An Azure DevOps work item type name (`Bug`, `User Story`).
fn azure_type(value: &str) -> bool {
    segment_problem(value).is_none()
        && !value.contains(|c: char| ".,;'`:~\\/*|?\"&%$!+=()[]{}<>".contains(c))
}

/// A value's check, and what it expects in words.
type Rule = (fn(&str) -> bool, &'static str);

/// What a mapping value that goes into a URL must look like, per kind and key; None for keys
/// that never reach a path (they go in bodies or queries) or that the kind does not use.
fn rule(kind: ProviderKind, key: &str) -> Option<Rule> {
    use ProviderKind::*;
    Some(match (kind, key) {
        (Github, "repo") => (pair, "owner/name (letters, digits, `.`, `_`, `-`)"),
        (Bitbucket, "repo") => (pair, "workspace/slug (letters, digits, `.`, `_`, `-`)"),
        (Gitlab, "project") => (
            gitlab_project,
            "a numeric project id or a path like group/name",
        ),
        (Jira, "project") | (Youtrack, "project") => (
            |v| {
                v.starts_with(|c: char| c.is_ascii_alphabetic())
                    && all(v, |c| c.is_ascii_alphanumeric() || c == '_')
            },
            "a project key: a letter, then letters, digits or `_`",
        ),
        (Trello, "board") | (Trello, "list") => (alnum, "a Trello id (letters and digits)"),
        (Linear, "team") => (
            |v| is_uuid(v) || all(v, |c| c.is_ascii_alphanumeric() || c == '_'),
            "a team key (letters and digits) or a team id (UUID)",
        ),
        (AzureDevops, "project") | (AzureDevops, "team") => (
            azure_name,
            "an Azure DevOps name (no \\ / : * ? \" < > | ; # $ { } , + = [ ], not starting with _ or .)",
        ),
        (AzureDevops, "work_item_type") => {
            (azure_type, "a work item type name like Bug or User Story")
        }
        (Asana, "workspace") | (Asana, "project") | (Asana, "section") => {
            (digits, "an Asana gid (digits)")
        }
        (Clickup, "list") => (digits, "a ClickUp list id (digits)"),
        _ => return None,
    })
}

/// `mapping.fields` entries that name ids which go into a path, per kind.
fn field_rule(kind: ProviderKind, field: &str) -> Option<Rule> {
    match (kind, field) {
        (ProviderKind::Asana, "wontfix_section" | "in_progress_section") => {
            Some((digits, "an Asana section gid (digits)"))
        }
        _ => None,
    }
}

/// Every mapping value of `kind` that would go into a URL and does not have its provider's
/// form, as problems naming the key (`mapping.repo = "a/../b" is not owner/name ...`).
pub fn mapping_problems(kind: ProviderKind, mapping: &Mapping) -> Vec<String> {
    let mut problems = Vec::new();
    for key in [
        "project",
        "issue_type",
        "repo",
        "board",
        "list",
        "team",
        "work_item_type",
        "workspace",
        "section",
    ] {
        // An empty value is reported as missing where the kind requires it.
        let (Some(value), Some((ok, expected))) =
            (mapping.get(key).filter(|v| !v.is_empty()), rule(kind, key))
        else {
            continue;
        };
        if !ok(value) || (!key_is_pair(kind, key) && segment_problem(value).is_some()) {
            problems.push(format!(
                "mapping.{key} = {} is not {expected}; it goes into request paths, where anything else could reach another destination",
                shown(value)
            ));
        }
    }
    for (field, value) in &mapping.fields {
        let Some((ok, expected)) = field_rule(kind, field) else {
            continue;
        };
        if !value.as_str().is_some_and(ok) {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            problems.push(format!(
                "mapping.fields.{field} = {} is not {expected}; it goes into request paths",
                shown(&text)
            ));
        }
    }
    problems
}

/// Keys whose value is several segments by design (checked segment by segment by its rule).
fn key_is_pair(kind: ProviderKind, key: &str) -> bool {
    matches!(
        (kind, key),
        (ProviderKind::Github | ProviderKind::Bitbucket, "repo")
            | (ProviderKind::Gitlab, "project")
    )
}

/// Why `id` is not a ticket id of this provider's destination, if it is not one. The id goes
/// into request paths (or GraphQL variables), so only the provider's own form is accepted.
pub fn ticket_id_problem(provider: &Provider, id: &str) -> Option<String> {
    use ProviderKind::*;
    let project = provider.mapping.project.as_deref().unwrap_or_default();
    let (ok, expected): (bool, String) = match provider.kind {
        Github => (digits(id), "a GitHub issue number".into()),
        Gitlab => (digits(id), "a GitLab issue iid (digits)".into()),
        Bitbucket => (digits(id), "a Bitbucket issue id (digits)".into()),
        AzureDevops => (digits(id), "an Azure DevOps work item id (digits)".into()),
        Asana => (digits(id), "an Asana task gid (digits)".into()),
        Jira => (
            key_and_number(id).is_some_and(|(key, _)| key.eq_ignore_ascii_case(project)),
            format!("an issue key of project {project} ({project}-<number>)"),
        ),
        Youtrack => (
            key_and_number(id).is_some_and(|(key, _)| key.eq_ignore_ascii_case(project))
                || id
                    .split_once('-')
                    .is_some_and(|(a, b)| digits(a) && digits(b)),
            format!("an issue id of project {project} ({project}-<number>)"),
        ),
        Trello => (
            alnum(id) && id.len() <= 32,
            "a Trello card id or short link (letters and digits)".into(),
        ),
        Linear => (
            is_uuid(id) || key_and_number(id).is_some(),
            "a Linear issue id (UUID) or identifier (KEY-<number>)".into(),
        ),
        Clickup => (
            alnum(id) && id.len() <= 32,
            "a ClickUp task id (letters and digits)".into(),
        ),
        // A receiver names its deliveries as it likes; the id never goes into a path (a
        // webhook has no update or status call), so only its shape as a stored value is checked.
        Webhook => (
            !id.is_empty() && id.len() <= 1024 && !id.chars().any(char::is_control),
            "a delivery id without control characters".into(),
        ),
    };
    if ok {
        return None;
    }
    let why = if id.is_empty() {
        "is empty".to_owned()
    } else {
        match segment_problem(id) {
            Some(problem) => format!("{problem}, and is not {expected}"),
            None => format!("is not {expected}"),
        }
    };
    Some(format!("ticket id {} {why}", shown(id)))
}

/// Where one client may send requests: its base URL's origin, and path prefixes under which
/// every path it builds lies (`/repos/acme/shop`, `/user`). Checked on the final URL, after the
/// URL library resolved it, so that no value can move a request out of the destination.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Path prefixes, percent-encoded as the URL holds them. Empty: nothing may be sent.
    pub roots: Vec<String>,
}

impl Scope {
    /// A scope of the paths of these URLs (each a prefix of the paths that may be requested).
    pub fn of(urls: impl IntoIterator<Item = Url>) -> Scope {
        Scope {
            roots: urls.into_iter().map(|u| u.path().to_owned()).collect(),
        }
    }

    /// Why `url` may not be requested by a client whose base URL is `base`, if it may not.
    pub fn refusal(&self, base: &Url, url: &Url) -> Option<String> {
        let origin = |u: &Url| {
            (
                u.scheme().to_owned(),
                u.host_str().map(str::to_ascii_lowercase),
                u.port_or_known_default(),
            )
        };
        if origin(url) != origin(base) {
            return Some(format!(
                "{} is not on {} (the configured base_url)",
                describe(url),
                base.origin().ascii_serialization()
            ));
        }
        let path = url.path();
        // A trailing slash is not a segment that could move the request anywhere.
        let body = path.strip_prefix('/').unwrap_or(path);
        let body = body.strip_suffix('/').unwrap_or(body);
        let segments: Vec<&str> = if body.is_empty() {
            Vec::new()
        } else {
            body.split('/').collect()
        };
        let decoded = |s: &str| percent_decode(s).unwrap_or_default();
        if segments.iter().any(|s| {
            let d = decoded(s);
            s.is_empty() || d == "." || d == ".."
        }) {
            return Some(format!("{} has an empty or dot segment", describe(url)));
        }
        let Some(rest) = self.roots.iter().find_map(|root| {
            let root = root.trim_end_matches('/');
            if path == root {
                Some("")
            } else {
                path.strip_prefix(root).filter(|rest| rest.starts_with('/'))
            }
        }) else {
            return Some(format!(
                "{} is outside the destination's paths ({})",
                describe(url),
                if self.roots.is_empty() {
                    "none declared".to_owned()
                } else {
                    self.roots.join(", ")
                }
            ));
        };
        // An encoded separator belongs only where the destination put one (GitLab's project
        // path is one segment); after it, a server that decodes it would walk elsewhere.
        rest.split('/')
            .any(|s| decoded(s).contains(['/', '\\']))
            .then(|| format!("{} has an encoded path separator", describe(url)))
    }
}

/// `host/path`, without query or credentials, for messages.
fn describe(url: &Url) -> String {
    format!("{}{}", url.host_str().unwrap_or_default(), url.path())
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
