//! Building request URLs from a base URL as users write it: with or without the API path at
//! its end, behind a self-managed path prefix, and with values pushed as encoded segments.

/// `base`, then the constant API path `api`, then each of `segments` as one percent-encoded
/// segment (see [`ClientBase::endpoint`]).
pub fn endpoint_from(base: &url::Url, api: &str, segments: &[&str]) -> url::Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty()
            .extend(api.split('/').filter(|s| !s.is_empty()))
            .extend(segments);
    }
    url
}

/// The base URL without an API path a user pasted at its end (`tail` segments, matched
/// ignoring case, `*` for any one segment): the site itself, for clients that add their own API
/// path (Jira's `/rest/api/3`) or build page links.
pub fn site_of(base: &url::Url, tails: &[&[&str]]) -> url::Url {
    let mut url = base.clone();
    let segments: Vec<String> = base
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let cut = tails
        .iter()
        .find(|tail| {
            segments.len() >= tail.len()
                && segments[segments.len() - tail.len()..]
                    .iter()
                    .zip(tail.iter())
                    .all(|(s, t)| *t == "*" || s.eq_ignore_ascii_case(t))
        })
        .map_or(0, |tail| tail.len());
    if let Ok(mut path) = url.path_segments_mut() {
        path.clear().extend(&segments[..segments.len() - cut]);
    }
    url
}

/// The part of `api` (such as `/api/v2`) still to add after the base URL's path, so a base URL
/// given as the host (`https://api.clickup.com`) and one pasted with the API path
/// (`https://api.clickup.com/api/v2`) both work.
pub fn api_prefix(base: &url::Url, api: &str) -> String {
    let path = base.path().trim_end_matches('/');
    let cuts = api
        .match_indices('/')
        .map(|(i, _)| i)
        .chain([api.len()])
        .collect::<Vec<_>>();
    // Longest overlap first: a base ending in `/api/v2` needs nothing, one ending in `/api`
    // needs `/v2`.
    for &cut in cuts.iter().rev() {
        if cut > 0 && path.ends_with(&api[..cut]) {
            return api[cut..].to_owned();
        }
    }
    api.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_prefix_is_added_once() {
        let at = |base: &str| api_prefix(&base.parse().unwrap(), "/api/v2");
        assert_eq!(at("https://api.clickup.com"), "/api/v2");
        assert_eq!(at("https://api.clickup.com/"), "/api/v2");
        assert_eq!(at("https://api.clickup.com/api"), "/v2");
        assert_eq!(at("https://api.clickup.com/api/v2/"), "");
        assert_eq!(at("https://host/youtrack"), "/api/v2");
    }

    #[test]
    fn the_site_is_the_base_url_without_a_pasted_api_path() {
        let site =
            |base: &str| site_of(&base.parse().unwrap(), &[&["rest", "api", "*"]]).to_string();
        assert_eq!(
            site("https://acme.atlassian.net"),
            "https://acme.atlassian.net/"
        );
        assert_eq!(
            site("https://acme.atlassian.net/rest/api/3/"),
            "https://acme.atlassian.net/"
        );
        assert_eq!(
            site("https://h.example/jira/rest/api/2"),
            "https://h.example/jira"
        );
        assert_eq!(site("https://h.example/jira"), "https://h.example/jira");
    }

    #[test]
    fn values_are_pushed_as_one_encoded_segment_each() {
        let base: url::Url = "https://gitlab.example/gitlab/".parse().unwrap();
        let url = endpoint_from(
            &base,
            "/api/v4",
            &["projects", "acme/portal", "issues", "a b?#"],
        );
        assert_eq!(
            url.path(),
            "/gitlab/api/v4/projects/acme%2Fportal/issues/a%20b%3F%23"
        );
    }
}
