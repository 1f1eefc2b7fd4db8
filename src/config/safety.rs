//! Where requests may go: base-URL rules per deployment mode (design section 8).
//!
//! The same address rules run twice: on the literal URL when the config loads, and on every
//! resolved address when the HTTP agent connects, so a hostname cannot smuggle a private address.

use std::net::IpAddr;

use url::{Host, Url};

use super::addresses::{AddrClass, judge, metadata_owner};

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

/// Host names of cloud metadata services (Google Cloud, AWS).
const METADATA_NAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
];

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
            if METADATA_NAMES.contains(&name.as_str()) {
                // They resolve to a metadata address only inside the cloud, where the resolver
                // would refuse it at connect time; said here, triage shows the stop at once.
                Err(format!(
                    "{name} is a cloud metadata service name, refused in every mode"
                ))
            } else if local && mode != Mode::SelfHosted {
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

/// Checks one address (literal or resolved) against the mode. Returns why it is refused.
pub fn check_addr(ip: IpAddr, mode: Mode) -> Result<(), String> {
    let judged = judge(ip);
    let class = judged.class;
    let refused =
        class.refused_in_every_mode() || (mode != Mode::SelfHosted && class != AddrClass::Public);
    if !refused {
        return Ok(());
    }
    let what = match judged.carried {
        Some(c) => format!(
            "carries the IPv4 address {} ({} form), which is",
            c.v4, c.form
        ),
        None => "is".to_owned(),
    };
    let decided_by = judged.carried.map_or(ip, |c| IpAddr::V4(c.v4));
    let class_words = match metadata_owner(decided_by) {
        Some(owner) => format!("{owner}, a cloud metadata address"),
        None => format!("a {} address", class.name()),
    };
    let scope = if class.refused_in_every_mode() {
        "refused in every mode".to_owned()
    } else {
        format!("refused in {} mode", mode.as_str())
    };
    Err(format!("{ip} {what} {class_words}, {scope}"))
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
            ("http://metadata.google.internal", SelfHosted, true, false),
            (
                "https://METADATA.GOOGLE.INTERNAL./computeMetadata/v1",
                SelfHosted,
                false,
                false,
            ),
            (
                "https://instance-data.ec2.internal",
                SelfHosted,
                false,
                false,
            ),
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

    /// One row per address: whether cloud, self-hosted and webhook-only mode allow it. The same
    /// rule runs on literal base URLs and on every resolved address at connect time.
    #[test]
    fn addresses_per_mode() {
        const OK: bool = true;
        const NO: bool = false;
        let rows: &[(&str, bool, bool, bool)] = &[
            // (address, cloud, self-hosted, webhook-only)
            ("140.82.112.6", OK, OK, OK),
            ("2606:50c0:8000::153", OK, OK, OK),
            // Metadata and platform endpoints, link-local or not: refused everywhere.
            ("169.254.169.254", NO, NO, NO),
            ("169.254.170.2", NO, NO, NO),
            ("100.100.100.200", NO, NO, NO),
            ("168.63.129.16", NO, NO, NO),
            ("fd00:ec2::254", NO, NO, NO),
            // Private, shared and loopback: self-hosted only.
            ("10.0.0.5", NO, OK, NO),
            ("100.64.1.1", NO, OK, NO),
            ("127.0.0.1", NO, OK, NO),
            ("::1", NO, OK, NO),
            ("fd12:3456::1", NO, OK, NO),
            // Special-purpose blocks of the IANA registries: never a SaaS provider.
            ("192.0.2.10", NO, OK, NO),
            ("198.18.0.1", NO, OK, NO),
            ("240.0.0.1", NO, OK, NO),
            ("2001:db8::1", NO, OK, NO),
            ("100::1", NO, OK, NO),
            // Never a destination.
            ("0.0.0.0", NO, NO, NO),
            ("0.1.2.3", NO, NO, NO),
            ("::", NO, NO, NO),
            ("169.254.10.1", NO, NO, NO),
            ("fe80::1", NO, NO, NO),
            ("224.0.0.1", NO, NO, NO),
            ("255.255.255.255", NO, NO, NO),
            ("ff02::1", NO, NO, NO),
            // IPv6 forms judged by the IPv4 address they carry.
            ("::ffff:169.254.169.254", NO, NO, NO),
            ("::ffff:100.100.100.200", NO, NO, NO),
            ("::ffff:10.0.0.1", NO, OK, NO),
            ("::ffff:140.82.112.6", OK, OK, OK),
            ("::169.254.169.254", NO, NO, NO),
            ("::127.0.0.1", NO, OK, NO),
            ("::ffff:0:168.63.129.16", NO, NO, NO),
            ("64:ff9b::169.254.169.254", NO, NO, NO),
            ("64:ff9b::a9fe:a9fe", NO, NO, NO),
            ("64:ff9b::100.100.100.200", NO, NO, NO),
            ("64:ff9b::127.0.0.1", NO, OK, NO),
            ("64:ff9b::10.1.2.3", NO, OK, NO),
            // DNS64 networks reach IPv4-only APIs through NAT64: a public host stays usable.
            ("64:ff9b::140.82.112.6", OK, OK, OK),
            ("64:ff9b:1::a9fe:a9fe", NO, NO, NO),
            ("64:ff9b:1:a9fe:a9:fe00::", NO, NO, NO),
            ("64:ff9b:1::10.0.0.1", NO, OK, NO),
            ("64:ff9b:1::140.82.112.6", NO, OK, NO),
            ("2002:a9fe:a9fe::1", NO, NO, NO),
            ("2002:a9fe:a9fe::", NO, NO, NO),
            ("2002:7f00:1::1", NO, OK, NO),
            ("2002:a80:1::1", NO, OK, NO),
            ("2002:8c52:7006::1", OK, OK, OK),
            // Teredo: server 65.54.227.120, client obfuscated (bits inverted).
            ("2001:0:4136:e378:8000:63bf:5601:5601", NO, NO, NO),
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", NO, OK, NO),
            ("2001:0:4136:e378:8000:63bf:73ad:8ff9", OK, OK, OK),
        ];
        for (addr, cloud, self_hosted, webhook) in rows {
            let ip: IpAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
            for (mode, ok) in [
                (Mode::Cloud, cloud),
                (Mode::SelfHosted, self_hosted),
                (Mode::WebhookOnly, webhook),
            ] {
                let got = check_addr(ip, mode);
                assert_eq!(got.is_ok(), *ok, "{addr} in {mode:?}: {got:?}");
                // A literal in a base URL is judged the same way.
                let url = match ip {
                    IpAddr::V4(_) => format!("https://{addr}/"),
                    IpAddr::V6(_) => format!("https://[{addr}]/"),
                };
                assert_eq!(
                    url_check(&url, mode, false).is_ok(),
                    *ok,
                    "{url} in {mode:?}"
                );
            }
        }
    }

    /// The URL parser turns numeric hosts (`2852039166`, `0xA9FEA9FE`, `0251.0376.0251.0376`)
    /// into the address they name, so they meet the same rule.
    #[test]
    fn numeric_host_spellings_are_judged_as_addresses() {
        for url in [
            "https://2852039166/",
            "https://0xA9FEA9FE/",
            "https://0251.0376.0251.0376/",
            "https://169.254.43518/",
        ] {
            let err = url_check(url, Mode::SelfHosted, true).unwrap_err();
            assert!(err.contains("metadata"), "{url}: {err}");
        }
    }

    /// The reason names the carried address and the form, so a person sees why an address
    /// that looks public is refused.
    #[test]
    fn a_carried_address_is_named_in_the_reason() {
        let err = check_addr("64:ff9b::a9fe:a9fe".parse().unwrap(), Mode::Cloud).unwrap_err();
        assert_eq!(
            err,
            "64:ff9b::a9fe:a9fe carries the IPv4 address 169.254.169.254 (NAT64 form), which is \
             the instance metadata service of AWS, Google Cloud, Azure, Oracle Cloud and OpenStack, \
             a cloud metadata address, refused in every mode"
        );
        let err = check_addr("168.63.129.16".parse().unwrap(), Mode::SelfHosted).unwrap_err();
        assert!(err.contains("Azure") && err.contains("every mode"), "{err}");
        let err = check_addr("::ffff:10.0.0.1".parse().unwrap(), Mode::Cloud).unwrap_err();
        assert!(
            err.contains(
                "10.0.0.1 (IPv4-mapped form), which is a private address, refused in cloud mode"
            ),
            "{err}"
        );
    }
}
