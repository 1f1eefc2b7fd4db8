//! Provider clients against the loopback simulator, and their requests against the providers'
//! own published API descriptions (`../shared/specs`). One test binary, one module per provider.

mod asana;
mod azure_devops;
mod base_urls;
mod bitbucket;
mod checks;
mod clickup;
mod exact_marker;
mod github;
mod gitlab;
mod graphql;
mod jira;
mod linear;
mod spec;
mod support;
mod traversal;
mod trello;
mod webhook;
mod youtrack;
