//! The one HTTP agent every provider shares: timeouts, a `User-Agent`, no redirects, no proxy,
//! statuses as data, and a resolver that refuses unsafe addresses at connect time.

use std::io;
use std::time::{Duration, Instant};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use url::Url;

use crate::config::safety::{Mode, check_addr};

/// What the agent says in `User-Agent`; GitHub rejects requests without one.
pub const USER_AGENT: &str = concat!("ticket-export/", env!("CARGO_PKG_VERSION"));

/// Marks an address refusal inside ureq's error, so it is told apart from network failures.
pub(super) const REFUSED_PREFIX: &str = "ticket-export refused ";
/// Marks a failed name lookup inside ureq's error: the standard resolver reports it as a plain
/// I/O error, which would otherwise read as "maybe sent" (and a create as uncertain).
pub(super) const DNS_PREFIX: &str = "ticket-export dns ";

/// Timeouts of one agent.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// The whole call, from connect to the last body byte.
    pub call: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            call: Duration::from_secs(30),
        }
    }
}

/// An `Authorization: Basic` value (Bitbucket e-mail and API token, Azure's empty user and PAT).
/// The result holds the credential: only ever put it in a header.
pub fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine;
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// An `Authorization: Bearer` value. The result holds the credential: only ever put it in a
/// header.
pub fn bearer_auth(token: &str) -> String {
    format!("Bearer {token}")
}

/// A request, built by a provider client.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: Url,
    /// Header values may hold credentials: never log or print them.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<(String, Vec<u8>)>,
}

impl HttpRequest {
    /// A request without a body.
    pub fn new(method: &'static str, url: Url) -> Self {
        HttpRequest {
            method,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.body_with("application/json", value)
    }

    /// Sets a JSON body with another content type (Azure's `application/json-patch+json`).
    pub fn body_with(mut self, content_type: &str, value: &serde_json::Value) -> Self {
        self.body = Some((
            content_type.to_owned(),
            serde_json::to_vec(value).unwrap_or_default(),
        ));
        self
    }

    /// `METHOD path` without the query, for plans, events and logs (queries can carry data).
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// A response: status, headers (names lower-case) and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A header's value by name, ignoring case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, or null.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The address is not allowed for the mode: nothing was sent.
    #[error("refused before connecting: {0}")]
    Refused(String),
    /// No connection was made (DNS, refused, connect timeout): nothing was sent.
    #[error("could not connect: {0}")]
    NotSent(String),
    /// The request may have reached the provider (timeout or reset after sending).
    #[error("no answer after the request was sent: {0}")]
    MaybeSent(String),
}

/// The shared agent.
#[derive(Debug, Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// An agent for the deployment mode.
    pub fn new(mode: Mode, timeouts: Timeouts) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(USER_AGENT)
            .proxy(None)
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.call))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            DefaultConnector::default(),
            GuardedResolver { mode },
        );
        Http { agent }
    }

    /// Sends a request. Any HTTP status is a response; only transport failures are errors.
    /// With `-v` each exchange is logged on stderr (see `request_log`).
    pub fn send(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        let result = self.exchange(req);
        if super::request_log::enabled() {
            eprintln!(
                "{}",
                super::request_log::line(req, &result, started.elapsed())
            );
        }
        result
    }

    fn exchange(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = ureq::http::Request::builder()
            .method(req.method)
            .uri(req.url.as_str());
        for (name, value) in &req.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = match &req.body {
            Some((content_type, bytes)) => {
                builder = builder.header("content-type", content_type.as_str());
                bytes.clone()
            }
            None => Vec::new(),
        };
        // A header value the HTTP library refuses (a line break in it) is not the network
        // failing: nothing was sent, and waiting would not fix it. Credentials are checked
        // when they are read, so this is the last guard, never the usual path.
        let request = builder.body(body).map_err(|e| {
            TransportError::Refused(format!(
                "the request could not be built ({e}); nothing was sent"
            ))
        })?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| super::transport::transport_error(e, &req.url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        // Bytes, then text: a Latin-1 error page or a binary body must not turn a known status
        // (a 401, a 429 and its wait) into "no answer".
        let body = response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| TransportError::MaybeSent(format!("reading the response: {e}")))?;
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// Resolves as usual, then refuses the whole host if any address is unsafe for the mode, so a
/// hostname cannot point a request at a metadata service or a private network.
#[derive(Debug)]
struct GuardedResolver {
    mode: Mode,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default()
            .resolve(uri, config, timeout)
            .map_err(|e| match e {
                ureq::Error::Io(e) => {
                    ureq::Error::Io(io::Error::new(e.kind(), format!("{DNS_PREFIX}{e}")))
                }
                other => other,
            })?;
        for addr in addrs.iter() {
            if let Err(reason) = check_addr(addr.ip(), self.mode) {
                let host = uri.host().unwrap_or_default();
                return Err(ureq::Error::Io(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{REFUSED_PREFIX}{host}: {reason}"),
                )));
            }
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The address check runs on what a name resolves to, at connect time: `localhost` is a
    /// name, not a literal, and it still never reaches the listener in cloud mode.
    #[test]
    fn resolved_addresses_are_checked_at_connect_time() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let url = Url::parse(&format!("http://localhost:{port}/x")).unwrap();
        let cloud = Http::new(Mode::Cloud, Timeouts::default());
        match cloud.send(&HttpRequest::new("GET", url.clone())) {
            Err(TransportError::Refused(reason)) => {
                assert!(reason.contains("loopback"), "{reason}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(listener.accept().is_err(), "nothing connected");
        let self_hosted = Http::new(
            Mode::SelfHosted,
            Timeouts {
                connect: Duration::from_millis(500),
                call: Duration::from_millis(500),
            },
        );
        assert!(!matches!(
            self_hosted.send(&HttpRequest::new("GET", url)),
            Err(TransportError::Refused(_))
        ));
    }

    /// IPv6 literals that carry an unsafe IPv4 address are refused in the resolver, before any
    /// connection: nothing leaves the machine (the table of every form is in config::safety).
    #[test]
    fn carried_ipv4_addresses_are_refused_before_connecting() {
        let rows = [
            (Mode::Cloud, "[64:ff9b::7f00:1]", "loopback"),
            (Mode::Cloud, "[::7f00:1]", "loopback"),
            (Mode::Cloud, "[2002:7f00:1::1]", "loopback"),
            (Mode::Cloud, "100.100.100.200", "metadata"),
            (Mode::SelfHosted, "[64:ff9b::a9fe:a9fe]", "metadata"),
            (Mode::SelfHosted, "[::ffff:0:a83f:8110]", "metadata"),
            (Mode::SelfHosted, "168.63.129.16", "metadata"),
            (Mode::SelfHosted, "[fd00:ec2::254]", "metadata"),
        ];
        for (mode, host, why) in rows {
            let url = Url::parse(&format!("http://{host}:9/x")).unwrap();
            match Http::new(mode, Timeouts::default()).send(&HttpRequest::new("GET", url)) {
                Err(TransportError::Refused(reason)) => {
                    assert!(reason.contains(why), "{host}: {reason}")
                }
                other => panic!("{host} in {mode:?}: expected a refusal, got {other:?}"),
            }
        }
    }

    /// A header value with a line break is refused before any connection, as a request that
    /// cannot be built, never as the provider being unavailable.
    #[test]
    fn an_unusable_header_value_is_refused_not_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = Url::parse(&format!(
            "http://127.0.0.1:{}/x",
            listener.local_addr().unwrap().port()
        ))
        .unwrap();
        let req = HttpRequest::new("GET", url).header("authorization", "Bearer tok\r\nX-Evil: 1");
        let sent = Http::new(Mode::SelfHosted, Timeouts::default()).send(&req);
        match sent {
            Err(TransportError::Refused(reason)) => assert!(!reason.contains("tok"), "{reason}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(listener.accept().is_err(), "nothing connected");
    }
}
