//! What an address is, for the base-URL rules of design section 8.
//!
//! The special-purpose blocks come from IANA's IPv4 and IPv6 Special-Purpose Address
//! Registries (RFC 6890 and its updates), through the `iprfc` crate's pinned, checked-in
//! snapshot of them; the rest is what those registries do not say:
//!
//! - cloud metadata and platform endpoints, some of which sit in ordinary ranges
//!   (`168.63.129.16` is a public address, `100.100.100.200` a shared one), and
//! - IPv6 forms that carry an IPv4 address (mapped, compatible, translated, NAT64, 6to4,
//!   Teredo): a packet to one of them ends up at the IPv4 address it carries, so it is judged
//!   by that address. A NAT64 address of a public IPv4 host stays usable (DNS64 networks reach
//!   IPv4-only APIs that way), one of `169.254.169.254` does not.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What an address is, worst first: a `max` of classes is the strictest of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum AddrClass {
    Public,
    /// In a special-purpose registry block that no other class names (documentation,
    /// benchmarking, reserved, protocol assignments...): never a SaaS provider.
    SpecialPurpose,
    Private,
    Loopback,
    Multicast,
    LinkLocal,
    Unspecified,
    Metadata,
}

impl AddrClass {
    pub(super) fn name(self) -> &'static str {
        match self {
            AddrClass::Metadata => "cloud metadata",
            AddrClass::Unspecified => "unspecified (\"this network\")",
            AddrClass::Loopback => "loopback",
            AddrClass::Private => "private",
            AddrClass::LinkLocal => "link-local",
            AddrClass::Multicast => "multicast or broadcast",
            AddrClass::SpecialPurpose => "special-purpose (IANA registry)",
            AddrClass::Public => "public",
        }
    }

    /// Refused whatever the mode: nothing legitimate lives there for a ticket tracker.
    pub(super) fn refused_in_every_mode(self) -> bool {
        matches!(
            self,
            AddrClass::Metadata
                | AddrClass::Unspecified
                | AddrClass::LinkLocal
                | AddrClass::Multicast
        )
    }
}

/// Cloud metadata and platform endpoints reachable from inside an instance, each with whose it
/// is. The link-local ones are refused as link-local anyway; they are named for the message.
const METADATA: &[(IpAddr, &str)] = &[
    (
        IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
        "the instance metadata service of AWS, Google Cloud, Azure, Oracle Cloud and OpenStack",
    ),
    (
        IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
        "the AWS ECS task metadata and credentials endpoint",
    ),
    (
        IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
        "Alibaba Cloud's instance metadata service",
    ),
    (
        IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
        "Azure's platform endpoint (WireServer)",
    ),
    (
        IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
        "the AWS instance metadata service over IPv6",
    ),
];

/// Whose metadata endpoint `ip` is, if it is one.
pub(super) fn metadata_owner(ip: IpAddr) -> Option<&'static str> {
    METADATA.iter().find(|(m, _)| *m == ip).map(|(_, who)| *who)
}

/// An IPv4 address carried inside an IPv6 one, and the form that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Carried {
    pub v4: Ipv4Addr,
    pub form: &'static str,
}

/// How an address is judged: its class, and the carried IPv4 address that decided it, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Judged {
    pub class: AddrClass,
    pub carried: Option<Carried>,
}

/// Classifies an address; an IPv6 form that carries an IPv4 address is judged by the strictest
/// of the carried address and what the form itself is.
pub(super) fn judge(ip: IpAddr) -> Judged {
    let v6 = match ip {
        IpAddr::V4(v4) => {
            return Judged {
                class: classify_v4(v4),
                carried: None,
            };
        }
        IpAddr::V6(v6) => v6,
    };
    if metadata_owner(ip).is_some() {
        return Judged {
            class: AddrClass::Metadata,
            carried: None,
        };
    }
    let (own, carried) = carried_v4(v6);
    let worst = carried
        .into_iter()
        .map(|c| (classify_v4(c.v4), c))
        .max_by_key(|(class, _)| *class);
    match worst {
        None => Judged {
            class: classify_v6(v6),
            carried: None,
        },
        Some((class, c)) => Judged {
            class: own.map_or(class, |own| own.max(class)),
            carried: Some(c),
        },
    }
}

fn classify_v4(v4: Ipv4Addr) -> AddrClass {
    let [a, b, ..] = v4.octets();
    if metadata_owner(IpAddr::V4(v4)).is_some() {
        AddrClass::Metadata
    } else if a == 0 {
        AddrClass::Unspecified
    } else if v4.is_loopback() {
        AddrClass::Loopback
    } else if v4.is_link_local() {
        AddrClass::LinkLocal
    } else if v4.is_multicast() || v4.is_broadcast() {
        AddrClass::Multicast
    } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
        // 100.64.0.0/10 is carrier-grade NAT (RFC 6598): private in practice.
        AddrClass::Private
    } else if iprfc::RFC6890.contains(&IpAddr::V4(v4)) {
        AddrClass::SpecialPurpose
    } else {
        AddrClass::Public
    }
}

/// An IPv6 address that carries no IPv4 address.
fn classify_v6(v6: Ipv6Addr) -> AddrClass {
    let first = v6.segments()[0];
    if v6.is_unspecified() {
        AddrClass::Unspecified
    } else if v6.is_loopback() {
        AddrClass::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        AddrClass::LinkLocal
    } else if v6.is_multicast() {
        AddrClass::Multicast
    } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfec0 {
        // Unique local (fc00::/7) and the deprecated site-local fec0::/10.
        AddrClass::Private
    } else if iprfc::RFC6890.contains(&IpAddr::V6(v6)) || first & 0xe000 != 0x2000 {
        // Outside 2000::/3 nothing is assigned for global unicast (IANA IPv6 Address Space).
        AddrClass::SpecialPurpose
    } else {
        AddrClass::Public
    }
}

/// The IPv4 addresses `v6` carries, with the class of the form itself when the form alone
/// already says something (the local-use NAT64 prefix is not global).
fn carried_v4(v6: Ipv6Addr) -> (Option<AddrClass>, Vec<Carried>) {
    let s = v6.segments();
    let o = v6.octets();
    let v4_at = |i: usize| Ipv4Addr::new(o[i], o[i + 1], o[i + 2], o[i + 3]);
    let last = v4_at(12);
    let one = |form| (None, vec![Carried { v4: last, form }]);
    match s {
        // ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2).
        [0, 0, 0, 0, 0, 0xffff, ..] => one("IPv4-mapped"),
        // ::ffff:0:a.b.c.d (RFC 2765, SIIT).
        [0, 0, 0, 0, 0xffff, 0, ..] => one("IPv4-translated"),
        // ::a.b.c.d, except :: and ::1 (RFC 4291 section 2.5.5.1, deprecated).
        [0, 0, 0, 0, 0, 0, hi, lo] if hi != 0 || lo > 1 => one("IPv4-compatible"),
        // 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => one("NAT64"),
        // 64:ff9b:1::/48, local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the
        // prefix length the network chose (RFC 6052 section 2.2), so every place is judged.
        [0x64, 0xff9b, 1, ..] => {
            let skip_u = |i: usize| {
                // Bits 64..71 (octet 8) are the reserved `u` octet, skipped by the embedding.
                let bytes: Vec<u8> = (i..).filter(|&k| k != 8).take(4).map(|k| o[k]).collect();
                Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])
            };
            let form = "local-use NAT64";
            // The other places are only looked at for a metadata address: read at the wrong
            // place, an ordinary address turns into noise (often 0.0.x.x).
            let elsewhere = [skip_u(6), skip_u(7), v4_at(9)]
                .into_iter()
                .filter(|v4| metadata_owner(IpAddr::V4(*v4)).is_some());
            let carried = std::iter::once(last)
                .chain(elsewhere)
                .map(|v4| Carried { v4, form })
                .collect();
            (Some(AddrClass::Private), carried)
        }
        // 2002:a.b.c.d::/48, 6to4 (RFC 3056).
        [0x2002, ..] => (
            None,
            vec![Carried {
                v4: v4_at(2),
                form: "6to4",
            }],
        ),
        // 2001:0:server::client with the client address inverted (RFC 4380, Teredo).
        [0x2001, 0, ..] => {
            let client = Ipv4Addr::from(!u32::from(last));
            (
                None,
                vec![
                    Carried {
                        v4: client,
                        form: "Teredo client",
                    },
                    Carried {
                        v4: v4_at(4),
                        form: "Teredo server",
                    },
                ],
            )
        }
        _ => (None, Vec::new()),
    }
}
