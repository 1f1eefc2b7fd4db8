//! A provider simulator on loopback: it speaks each provider's API for every endpoint the clients
//! use, checks credentials, stores tickets, answers lookups, and can be scripted to fail.
//!
//! `demo` uses it to show real retries with no account anywhere, and the tests use it to check
//! every request the clients send. One server serves every provider kind, routed by path.

mod asana;
mod azure_devops;
mod bitbucket;
mod chaos;
mod clickup;
mod github;
mod gitlab;
mod jira;
pub mod linear;
mod server;
pub mod trello;
mod webhook;
mod youtrack;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

pub use chaos::{Chaos, ChaosKind, SplitMix64};
pub use server::{Reply, SimRequest};

/// The credentials every simulated provider accepts.
pub const SIM_TOKEN: &str = "sim-token-0123456789";
/// The user (e-mail, API key) for providers that take one.
pub const SIM_USER: &str = "sim@example.com";
/// The signing secret the simulated webhook receiver verifies (Standard Webhooks format).
pub const SIM_WEBHOOK_SECRET: &str = "whsec_lml/lGrChakUjQJwDPm8DwjK3GhBRVRBblPvVAIRY10=";

/// A scripted failure, applied to the next request it matches.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, headers and body; the request is not processed.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Process the request (a create really creates), then drop the connection unanswered.
    LoseResponse,
    /// Drop the connection without processing.
    Drop,
}

impl Fault {
    /// A status fault with a JSON or text body.
    pub fn status(status: u16, headers: &[(&str, &str)], body: &str) -> Fault {
        Fault::Status {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_owned(),
        }
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    pub method: Option<String>,
    /// A substring of the path.
    pub path: Option<String>,
    /// A substring of the body (a GraphQL operation's name, say).
    pub body: Option<String>,
    /// Let this many matching requests through before the fault applies.
    pub after: usize,
}

impl Matcher {
    /// Matches a method and a path substring.
    pub fn new(method: &str, path: &str) -> Matcher {
        Matcher {
            method: Some(method.to_owned()),
            path: Some(path.to_owned()),
            body: None,
            after: 0,
        }
    }

    /// The same matcher, only for requests whose body contains `text`.
    pub fn body(mut self, text: &str) -> Matcher {
        self.body = Some(text.to_owned());
        self
    }

    /// The same matcher, applying only after `n` matching requests went through.
    pub fn after(mut self, n: usize) -> Matcher {
        self.after = n;
        self
    }

    /// Matches every request.
    pub fn any() -> Matcher {
        Matcher::default()
    }

    fn matches(&self, req: &SimRequest) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&req.method))
            && self.path.as_deref().is_none_or(|p| req.path.contains(p))
            && self.body.as_deref().is_none_or(|b| req.body.contains(b))
    }
}

/// A ticket held by the simulator, in a provider-neutral form.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTicket {
    /// The provider kind that holds it (`github`, `jira`...).
    pub kind: &'static str,
    /// The destination (repo, project key, list...).
    pub destination: String,
    /// The id used in API paths.
    pub id: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    /// The provider's own state name.
    pub state: String,
    /// Provider-specific fields as received.
    pub extra: Value,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct SimState {
    /// Every request received, in order, with headers and body.
    pub requests: Vec<SimRequest>,
    pub tickets: Vec<SimTicket>,
    /// Signed webhook deliveries accepted, by `webhook-id`.
    pub deliveries: Vec<SimRequest>,
    faults: VecDeque<(Matcher, Fault, usize)>,
    /// Added to every answer.
    pub latency: Duration,
    next_id: u64,
    /// Seeded random faults for requests no scripted fault matched.
    chaos: Option<Chaos>,
    /// The faults chaos mode applied, by kind, since the simulator started.
    pub chaos_applied: BTreeMap<ChaosKind, usize>,
    /// The clock that waits in chaos faults are relative to (the real clock when unset).
    pub clock: Option<jiff::Timestamp>,
    /// Connections accepted and not yet done with (a request may still be processed).
    connections_open: usize,
    /// The name of each Azure DevOps project's one team, when it is not the default
    /// "{project} Team" (a renamed default team).
    pub azure_team: Option<String>,
    /// Every route is served under this path, as a self-managed instance behind a path prefix
    /// (`/gitlab`, GitHub Enterprise's `/api/v3`); requests outside it get a 404.
    prefix: Option<String>,
}

impl SimState {
    /// A fresh id number for a new ticket.
    pub fn next_number(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Tickets of one kind and destination.
    pub fn tickets_of<'a>(
        &'a self,
        kind: &'a str,
        destination: &'a str,
    ) -> impl Iterator<Item = &'a SimTicket> + 'a {
        self.tickets
            .iter()
            .filter(move |t| t.kind == kind && t.destination == destination)
    }

    fn take_fault(&mut self, req: &SimRequest) -> Option<Fault> {
        let pos = self.faults.iter().position(|(m, _, _)| m.matches(req))?;
        if self.faults[pos].0.after > 0 {
            self.faults[pos].0.after -= 1;
            return None;
        }
        let (matcher, fault, times) = self.faults.remove(pos)?;
        if times > 1 {
            self.faults.insert(pos, (matcher, fault.clone(), times - 1));
        }
        Some(fault)
    }

    /// The scripted fault for a request, else chaos mode's draw, if any.
    fn fault_for(&mut self, req: &SimRequest) -> Option<Fault> {
        if let Some(fault) = self.take_fault(req) {
            return Some(fault);
        }
        let now = self.clock.unwrap_or_else(jiff::Timestamp::now);
        let (kind, fault) = self.chaos.as_mut()?.next(now)?;
        *self.chaos_applied.entry(kind).or_default() += 1;
        Some(fault)
    }
}

/// A running simulator; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    state: Arc<Mutex<SimState>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts on `127.0.0.1` with a free port.
    pub fn start() -> std::io::Result<Simulator> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(SimState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = server::spawn(listener, state.clone(), stop.clone());
        Ok(Simulator {
            addr,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state, for assertions and set-up.
    pub fn state(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `fault` to the next `times` requests that match.
    pub fn fail(&self, matcher: Matcher, fault: Fault, times: usize) {
        self.state()
            .faults
            .push_back((matcher, fault, times.max(1)));
    }

    /// Removes every scripted fault not yet applied: the provider recovers.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Chaos mode: a seeded random fault (see [`ChaosKind`]) for a fraction `rate` of the
    /// requests that no scripted fault matches. The same seed gives the same sequence of faults.
    pub fn chaos(&self, seed: u64, rate: f64) {
        self.state().chaos = Some(Chaos::new(seed, rate));
    }

    /// Ends chaos mode: every later request is answered normally (scripted faults still apply).
    pub fn chaos_off(&self) {
        self.state().chaos = None;
    }

    /// Sets the clock chaos faults' waits are relative to (a test's `TICKET_EXPORT_NOW`).
    pub fn set_clock(&self, now: jiff::Timestamp) {
        self.state().clock = Some(now);
    }

    /// Serves every route under `prefix` (like `/gitlab` or `/api/v3`) instead of at the root;
    /// requests are recorded with their full path.
    pub fn set_prefix(&self, prefix: &str) {
        self.state().prefix = Some(prefix.trim_end_matches('/').to_owned());
    }

    /// Adds latency to every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// How many requests have arrived.
    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Waits (up to `limit`) until no connection is open: every request a client sent, even one
    /// that died since, has been processed or dropped. Tests that move `TICKET_EXPORT_NOW` by
    /// minutes in milliseconds use it so that a request cannot land "after" a later run.
    pub fn wait_idle(&self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        let mut quiet = 0;
        while start.elapsed() < limit {
            // Twice in a row, so a connection still in the accept queue is seen too.
            quiet = if self.state().connections_open == 0 {
                quiet + 1
            } else {
                0
            };
            if quiet >= 2 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Routes a request to the provider that owns its path (under the prefix, when one is set).
fn route(req: &SimRequest, state: &mut SimState) -> Reply {
    let stripped;
    let req = match &state.prefix {
        None => req,
        Some(prefix) => match req.path.strip_prefix(prefix.as_str()) {
            Some(rest) if rest.starts_with('/') => {
                stripped = SimRequest {
                    path: rest.to_owned(),
                    ..req.clone()
                };
                &stripped
            }
            _ => {
                return Reply::json(
                    404,
                    serde_json::json!({"message": format!("{} is outside {prefix}", req.path)}),
                );
            }
        },
    };
    github::handle(req, state)
        .or_else(|| jira::handle(req, state))
        .or_else(|| gitlab::handle(req, state))
        .or_else(|| webhook::handle(req, state))
        .or_else(|| bitbucket::handle(req, state))
        .or_else(|| trello::handle(req, state))
        .or_else(|| linear::handle(req, state))
        .or_else(|| azure_devops::handle(req, state))
        .or_else(|| youtrack::handle(req, state))
        .or_else(|| asana::handle(req, state))
        .or_else(|| clickup::handle(req, state))
        .unwrap_or_else(|| {
            Reply::json(
                404,
                serde_json::json!({"message": format!("no route for {} {}", req.method, req.path)}),
            )
        })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn idle_only_once_a_request_from_a_gone_client_was_processed() {
        let sim = Simulator::start().unwrap();
        let slow = Duration::from_millis(300);
        sim.fail(Matcher::new("POST", "/repos"), Fault::Slow(slow), 1);
        let started = std::time::Instant::now();
        {
            let mut client = std::net::TcpStream::connect(sim.addr).unwrap();
            let body = r#"{"title":"t","body":"b"}"#;
            write!(
                client,
                "POST /repos/acme/shop/issues HTTP/1.1\r\nhost: x\r\nuser-agent: t\r\nauthorization: Bearer {SIM_TOKEN}\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        } // The client is gone before any answer.
        assert!(sim.wait_idle(Duration::from_secs(5)));
        assert!(started.elapsed() >= slow, "waited for the slow request");
        assert_eq!(sim.state().tickets.len(), 1, "and it was processed");
    }
}
