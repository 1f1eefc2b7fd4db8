//! Provider clients against the loopback simulator, and their requests against the providers'
//! own published API descriptions (`../shared/specs`). One test binary, one module per provider.

mod asana;
mod clickup;
mod github;
mod spec;
mod support;
mod youtrack;
