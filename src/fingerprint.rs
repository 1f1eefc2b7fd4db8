//! The identity of a finding at a destination: its `Fingerprint` and `IdempotencyKey`.
//!
//! Version 1 (`fp1:`) hashes, length-prefixed so no field can bleed into the next:
//! rule id, normalised URL, parameter, report target (normalised), and the provider key. The
//! URL is normalised by lower-casing scheme and host, dropping default ports, the fragment, and
//! query values (keeping the sorted, de-duplicated parameter names), and a trailing `/` on a
//! non-root path. These inputs and the version never change within `fp1`; a change makes `fp2`.

use sha2::{Digest, Sha256};

/// Version tag of the fingerprint scheme.
pub const FINGERPRINT_VERSION: &str = "fp1";

/// The inputs that identify a finding at a destination.
#[derive(Debug, Clone, Copy)]
pub struct FingerprintInput<'a> {
    pub rule_id: &'a str,
    pub url: &'a str,
    pub parameter: Option<&'a str>,
    pub target: &'a str,
    pub provider_key: &'a str,
}

/// Computes `fp1:<64 hex>` for a finding at a destination.
pub fn fingerprint(input: FingerprintInput<'_>) -> String {
    FindingIdentity::new(input.rule_id, input.url, input.parameter)
        .fingerprint(&normalise_url(input.target), input.provider_key)
}

/// A finding's part of its fingerprint, normalised once: an import reuses it for every attempt
/// of the finding, and the report's normalised target for every finding, because URL parsing
/// costs more than the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingIdentity {
    rule_id: String,
    url: String,
    parameter: String,
}

impl FindingIdentity {
    /// Normalises a finding's rule id, URL and parameter.
    pub fn new(rule_id: &str, url: &str, parameter: Option<&str>) -> FindingIdentity {
        FindingIdentity {
            rule_id: rule_id.trim().to_owned(),
            url: normalise_url(url),
            parameter: parameter.unwrap_or("").trim().to_owned(),
        }
    }

    /// The fingerprint at `provider_key`, for a report whose target is `target` as
    /// [`normalise_url`] returns it.
    pub fn fingerprint(&self, normalised_target: &str, provider_key: &str) -> String {
        let digest = sha256_hex(&[
            FINGERPRINT_VERSION,
            &self.rule_id,
            &self.url,
            &self.parameter,
            normalised_target,
            provider_key,
        ]);
        format!("{FINGERPRINT_VERSION}:{digest}")
    }
}

/// The short label form carried by providers with labels or tags: `fp-<12 hex>`.
pub fn label(fingerprint: &str) -> String {
    let hexpart = fingerprint.rsplit(':').next().unwrap_or(fingerprint);
    // Imported fingerprints are the platform's and may be any text: cut on characters, and
    // keep only what a label may hold.
    let short: String = hexpart
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("fp-{short}")
}

/// The marker carried in every ticket body, which lookups match exactly, on a line of its own.
///
/// An imported fingerprint may be any text; one holding a line break, `--` or `>` could end the
/// comment early and forge a second marker line for another finding. Such characters are
/// percent-encoded (so is `%`, which keeps the encoding one-to-one): a computed `fp1:<hex>` is
/// written as it is, and no fingerprint's marker can hold another's.
pub fn body_marker(fingerprint: &str) -> String {
    let mut safe = String::with_capacity(fingerprint.len());
    let mut prev_dash = false;
    for c in fingerprint.chars() {
        let plain =
            c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_') || (c == '-' && !prev_dash);
        if plain {
            safe.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                safe.push_str(&format!("%{b:02X}"));
            }
        }
        prev_dash = c == '-' && plain;
    }
    format!("<!-- ticket-export:fingerprint={safe} -->")
}

/// The idempotency key of a finding at a destination: fixed, derived from the fingerprint, in
/// UUID v4 form so providers that take a client id (Linear) and webhooks (`webhook-id`) accept it.
pub fn idempotency_key(fingerprint: &str) -> String {
    let digest = Sha256::digest(format!("idempotency-v1\0{fingerprint}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// SHA-256 over length-prefixed parts, as lower-case hex.
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    // A table, not `write!` per byte: an import hexes two digests per attempt.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Normalises a URL for identity; text that is not a URL is trimmed and kept as it is.
pub fn normalise_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text.trim()) else {
        return text.trim().to_owned();
    };
    url.set_fragment(None);
    let mut names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    names.sort();
    names.dedup();
    let query = names.join("&");
    url.set_query(if names.is_empty() { None } else { Some(&query) });
    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    url.to_string()
}

#[cfg(test)]
mod marker_tests {
    use super::body_marker;

    #[test]
    fn a_hostile_imported_fingerprint_cannot_forge_a_second_marker() {
        let computed = "fp1:0123456789abcdef";
        assert_eq!(
            body_marker(computed),
            "<!-- ticket-export:fingerprint=fp1:0123456789abcdef -->"
        );
        let victim = body_marker("fp1:bbbb");
        let hostile = format!("fp1:x -->\n{victim}\n<!-- y");
        let marker = body_marker(&hostile);
        assert_eq!(marker.lines().count(), 1, "{marker}");
        assert!(!marker.contains(&victim), "{marker}");
        assert_eq!(marker.matches("-->").count(), 1, "{marker}");
        assert_ne!(body_marker("a%41"), body_marker("aA"), "one-to-one");
        assert_eq!(
            body_marker("a--b"),
            "<!-- ticket-export:fingerprint=a-%2Db -->"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(url: &'a str, provider_key: &'a str) -> FingerprintInput<'a> {
        FingerprintInput {
            rule_id: "xss-reflected",
            url,
            parameter: Some("q"),
            target: "https://shop.example",
            provider_key,
        }
    }

    #[test]
    fn same_finding_same_fingerprint_across_url_spellings() {
        let a = fingerprint(input(
            "https://SHOP.example:443/search/?q=1&b=2#top",
            "jira-sec",
        ));
        let b = fingerprint(input("https://shop.example/search?b=9&q=hello", "jira-sec"));
        assert_eq!(a, b);
        assert!(a.starts_with("fp1:") && a.len() == 4 + 64);
    }

    #[test]
    fn destination_and_identity_change_the_fingerprint() {
        let base = fingerprint(input("https://shop.example/search?q=1", "jira-sec"));
        assert_ne!(
            base,
            fingerprint(input("https://shop.example/search?q=1", "gh"))
        );
        assert_ne!(
            base,
            fingerprint(input("https://shop.example/other?q=1", "jira-sec"))
        );
        let mut other_param = input("https://shop.example/search?q=1", "jira-sec");
        other_param.parameter = Some("id");
        assert_ne!(base, fingerprint(other_param));
    }

    #[test]
    fn fingerprint_is_pinned() {
        // A change here breaks every stored link: bump the version instead.
        let fp = fingerprint(input("https://shop.example/search?q=1", "jira-sec"));
        assert_eq!(label(&fp).len(), 15);
        assert_eq!(
            fp,
            fingerprint(input("https://shop.example/search?q=2", "jira-sec"))
        );
        assert_eq!(
            fp,
            "fp1:000f3d86d114b585283231c23ac72c881fd854b7da3d15b07b5b88b885f0a763"
        );
    }

    #[test]
    fn labels_of_imported_fingerprints_are_safe() {
        assert_eq!(label("fp1:abcdef0123456789"), "fp-abcdef012345");
        assert_eq!(label("platförm-fingerprint ünicode"), "fp-platfrmfinge");
        assert_eq!(label("ééééééééééééééé"), "fp-");
    }

    #[test]
    fn a_reused_identity_gives_the_same_fingerprint() {
        let one = input("https://SHOP.example/search/?q=1#x", "gh");
        let identity = FindingIdentity::new(one.rule_id, one.url, one.parameter);
        assert_eq!(
            identity.fingerprint(&normalise_url(one.target), "gh"),
            fingerprint(one)
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn idempotency_key_is_stable_uuid_v4_form() {
        let key = idempotency_key("fp1:abc");
        assert_eq!(key, idempotency_key("fp1:abc"));
        assert_ne!(key, idempotency_key("fp1:abd"));
        assert_eq!(key.len(), 36);
        assert_eq!(&key[14..15], "4");
        assert!(matches!(&key[19..20], "8" | "9" | "a" | "b"));
    }
}
