//! Reading many issues' states through one paged JQL listing.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::{Flavour, Jira};
use crate::providers::{Failure, RemoteState};

impl Jira {
    /// Pages through the project's issues carrying the mapping's first label, 100 a page, with
    /// only their status and resolution: one listing for many tickets, instead of one request
    /// per ticket.
    pub(super) fn statuses_by_label(
        &self,
        ticket_ids: &[String],
    ) -> Result<Option<HashMap<String, RemoteState>>, Failure> {
        let Some(label) = self.base.provider.mapping.labels.first() else {
            return Ok(None);
        };
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let jql = format!(
            "project = {} AND labels = {}",
            quote(&self.project),
            quote(label)
        );
        let wanted: HashSet<&str> = ticket_ids.iter().map(String::as_str).collect();
        let mut found = HashMap::new();
        let mut token: Option<String> = None;
        let mut start = 0u64;
        loop {
            let mut body =
                json!({"jql": jql, "fields": ["status", "resolution"], "maxResults": 100});
            let path: &[&str] = match self.flavour {
                Flavour::Cloud => {
                    if let Some(t) = &token {
                        body["nextPageToken"] = json!(t);
                    }
                    &["search", "jql"]
                }
                Flavour::DataCenter => {
                    body["startAt"] = json!(start);
                    &["search"]
                }
            };
            let page = self.call(self.request("POST", path).json(&body), false)?;
            let issues = page["issues"].as_array().cloned().unwrap_or_default();
            for issue in &issues {
                let key = issue["key"].as_str().unwrap_or_default();
                if wanted.contains(key) {
                    found.insert(key.to_owned(), self.status_of(issue));
                }
            }
            start += issues.len() as u64;
            let done = match self.flavour {
                Flavour::Cloud => {
                    token = page["nextPageToken"].as_str().map(str::to_owned);
                    page["isLast"].as_bool().unwrap_or(true) || token.is_none()
                }
                Flavour::DataCenter => start >= page["total"].as_u64().unwrap_or(0),
            };
            if done || issues.is_empty() || found.len() == wanted.len() {
                break;
            }
        }
        Ok(Some(found))
    }
}
