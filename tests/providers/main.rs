//! Provider clients against the loopback simulator, and their requests against the providers'
//! own published API descriptions (`../shared/specs`). One test binary, one module per provider.

mod azure_devops;
mod bitbucket;
mod github;
mod graphql;
mod linear;
mod spec;
mod support;
mod trello;
