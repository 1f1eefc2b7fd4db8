//! Where requests may go: base-URL rules per deployment mode (design section 8).
//!
//! The same address rules run twice: on the literal URL when the config loads, and on every
//! resolved address when the HTTP agent connects, so a hostname cannot smuggle a private address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The deployment mode of the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Public SaaS providers: https only, public addresses only.
    Cloud,
    /// Customer-hosted providers: private and loopback addresses allowed, http with `allow_http`.
    SelfHosted,
    /// Only signed webhooks are configured; addresses as in cloud mode.
    WebhookOnly,
}

impl Mode {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cloud => "cloud",
            Mode::SelfHosted => "self-hosted",
            Mode::WebhookOnly => "webhook-only",
        }
    }
}

/// Cloud metadata services: never a destination, in any mode.
const METADATA_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// Checks a base URL without touching the network: scheme, user-info and literal addresses.
/// Returns why it is unsafe for the mode.
pub fn check_base_url(url: &Url, mode: Mode, allow_http: bool) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        "http" if mode == Mode::SelfHosted && allow_http => {}
        "http" if mode == Mode::SelfHosted => {
            return Err(
                "plain http needs `allow_http = true` on this provider (self-hosted mode)".into(),
            );
        }
        "http" => {
            return Err(format!(
                "plain http is refused in {} mode; use https",
                mode.as_str()
            ));
        }
        other => return Err(format!("scheme {other:?} is not http or https")),
    }
    match url.host() {
        None => Err("the URL has no host".into()),
        Some(Host::Ipv4(ip)) => check_addr(IpAddr::V4(ip), mode),
        Some(Host::Ipv6(ip)) => check_addr(IpAddr::V6(ip), mode),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost" || name.ends_with(".localhost");
            if local && mode != Mode::SelfHosted {
                Err(format!(
                    "{name} is a loopback name, refused in {} mode",
                    mode.as_str()
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// Checks one resolved address against the mode. Returns why it is refused.
pub fn check_addr(ip: IpAddr, mode: Mode) -> Result<(), String> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    let class = classify(ip);
    let refused = match class {
        AddrClass::Metadata
        | AddrClass::Unspecified
        | AddrClass::LinkLocal
        | AddrClass::Multicast => true,
        AddrClass::Loopback | AddrClass::Private => mode != Mode::SelfHosted,
        AddrClass::Public => false,
    };
    if refused {
        let why = match class {
            AddrClass::Metadata => "a cloud metadata address, refused in every mode".to_string(),
            AddrClass::Unspecified | AddrClass::Multicast | AddrClass::LinkLocal => {
                format!("a {} address, refused in every mode", class.name())
            }
            _ => format!(
                "a {} address, refused in {} mode",
                class.name(),
                mode.as_str()
            ),
        };
        return Err(format!("{ip} is {why}"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddrClass {
    Metadata,
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    Multicast,
    Public,
}

impl AddrClass {
    fn name(self) -> &'static str {
        match self {
            AddrClass::Metadata => "metadata",
            AddrClass::Unspecified => "unspecified",
            AddrClass::Loopback => "loopback",
            AddrClass::Private => "private",
            AddrClass::LinkLocal => "link-local",
            AddrClass::Multicast => "multicast",
            AddrClass::Public => "public",
        }
    }
}

fn classify(ip: IpAddr) -> AddrClass {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4 == METADATA_V4 {
                AddrClass::Metadata
            } else if v4.is_unspecified() || a == 0 {
                AddrClass::Unspecified
            } else if v4.is_loopback() {
                AddrClass::Loopback
            } else if v4.is_link_local() {
                AddrClass::LinkLocal
            } else if v4.is_multicast() || v4.is_broadcast() {
                AddrClass::Multicast
            } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
                // 100.64.0.0/10 is carrier-grade NAT: private in practice.
                AddrClass::Private
            } else {
                AddrClass::Public
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6 == METADATA_V6 {
                AddrClass::Metadata
            } else if v6.is_unspecified() {
                AddrClass::Unspecified
            } else if v6.is_loopback() {
                AddrClass::Loopback
            } else if first & 0xffc0 == 0xfe80 {
                AddrClass::LinkLocal
            } else if v6.is_multicast() {
                AddrClass::Multicast
            } else if first & 0xfe00 == 0xfc00 {
                AddrClass::Private
            } else {
                AddrClass::Public
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_check(url: &str, mode: Mode, allow_http: bool) -> Result<(), String> {
        check_base_url(&Url::parse(url).unwrap(), mode, allow_http)
    }

    #[test]
    fn base_url_rules_per_mode() {
        use Mode::*;
        let rows: &[(&str, Mode, bool, bool)] = &[
            ("https://acme.atlassian.net", Cloud, false, true),
            ("http://acme.atlassian.net", Cloud, true, false),
            ("https://10.0.0.5", Cloud, false, false),
            ("https://192.168.1.2", Cloud, false, false),
            ("https://127.0.0.1:8443", Cloud, false, false),
            ("https://localhost", Cloud, false, false),
            ("https://[::1]", Cloud, false, false),
            ("https://100.64.1.1", Cloud, false, false),
            ("https://169.254.169.254", Cloud, false, false),
            ("https://169.254.169.254", SelfHosted, true, false),
            ("https://[fd00:ec2::254]", SelfHosted, true, false),
            ("https://[::ffff:169.254.169.254]", SelfHosted, true, false),
            ("https://169.254.10.1", SelfHosted, false, false),
            ("https://0.0.0.0", SelfHosted, false, false),
            ("https://10.0.0.5", SelfHosted, false, true),
            ("https://jira.internal", SelfHosted, false, true),
            ("http://jira.internal", SelfHosted, false, false),
            ("http://127.0.0.1:8080", SelfHosted, true, true),
            ("ftp://example.com", SelfHosted, true, false),
            ("https://hooks.example", WebhookOnly, false, true),
            ("https://10.1.1.1", WebhookOnly, false, false),
        ];
        for (url, mode, allow_http, ok) in rows {
            let got = url_check(url, *mode, *allow_http);
            assert_eq!(
                got.is_ok(),
                *ok,
                "{url} in {mode:?} (allow_http={allow_http}): {got:?}"
            );
        }
    }

    #[test]
    fn metadata_reason_is_explicit() {
        let err = check_addr("169.254.169.254".parse().unwrap(), Mode::SelfHosted).unwrap_err();
        assert!(err.contains("metadata"), "{err}");
    }
}
