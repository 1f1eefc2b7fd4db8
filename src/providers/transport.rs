//! Transport failures in the product's words: the host and port, and what failed.

use std::io;

use url::Url;

use super::http::{DNS_PREFIX, REFUSED_PREFIX, TransportError};

/// A transport failure in the product's words: the host and port it concerns and what went
/// wrong (refused, DNS, TLS, timeout), so a refused connection never reads as anything else.
pub(super) fn transport_error(err: ureq::Error, url: &Url) -> TransportError {
    use ureq::Timeout;
    let host = url.host_str().unwrap_or("the provider");
    let at = match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    match err {
        ureq::Error::Io(e) if e.to_string().starts_with(REFUSED_PREFIX) => {
            TransportError::Refused(e.to_string().trim_start_matches(REFUSED_PREFIX).to_owned())
        }
        ureq::Error::Io(e) if e.to_string().starts_with(DNS_PREFIX) => {
            TransportError::NotSent(format!(
                "DNS: the host name {host} does not resolve ({}): a typo in base_url, or no DNS here",
                e.to_string().trim_start_matches(DNS_PREFIX)
            ))
        }
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            TransportError::NotSent(format!(
                "connection refused by {at} (nothing listens there, or a firewall rejects it)"
            ))
        }
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::AddrNotAvailable => {
            TransportError::NotSent(format!("no route to {at}: {e}"))
        }
        ureq::Error::HostNotFound => TransportError::NotSent(format!(
            "DNS: the host name {host} does not resolve (a typo in base_url, or no DNS here)"
        )),
        ureq::Error::ConnectionFailed => {
            TransportError::NotSent(format!("no connection could be made to {at}"))
        }
        ureq::Error::BadUri(e) => {
            TransportError::NotSent(format!("the address {at} is invalid: {e}"))
        }
        ureq::Error::Timeout(Timeout::Resolve) => {
            TransportError::NotSent(format!("DNS: resolving {host} timed out"))
        }
        ureq::Error::Timeout(Timeout::Connect) => {
            TransportError::NotSent(format!("timeout: connecting to {at} took too long"))
        }
        // The handshake comes before the request: a TLS failure means nothing was sent.
        ureq::Error::Tls(e) => TransportError::NotSent(format!("TLS with {at} failed: {e}")),
        ureq::Error::Rustls(e) => TransportError::NotSent(format!("TLS with {at} failed: {e}")),
        ureq::Error::Timeout(t) => {
            TransportError::MaybeSent(format!("timeout: {at} did not answer in time ({t})"))
        }
        other => TransportError::MaybeSent(format!("{at}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::safety::Mode;
    use crate::providers::http::{Http, HttpRequest, Timeouts};

    /// A refused connection and a name that does not resolve are "nothing sent", named by
    /// host and kind: never "maybe sent" (which makes a create uncertain) nor a bare I/O text.
    #[test]
    fn connection_failures_name_the_host_and_the_kind() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let http = Http::new(Mode::SelfHosted, Timeouts::default());
        let closed = Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
        match http.send(&HttpRequest::new("POST", closed)) {
            Err(TransportError::NotSent(d)) => {
                assert!(
                    d.starts_with(&format!("connection refused by 127.0.0.1:{port}")),
                    "{d}"
                )
            }
            other => panic!("{other:?}"),
        }
        // `.invalid` never resolves (RFC 6761): the lookup fails here without a network.
        let nowhere = Url::parse("http://nonexistent.invalid/x").unwrap();
        match http.send(&HttpRequest::new("POST", nowhere)) {
            Err(TransportError::NotSent(d)) => assert!(
                d.starts_with("DNS: the host name nonexistent.invalid does not resolve"),
                "{d}"
            ),
            other => panic!("{other:?}"),
        }
    }
}
