//! The product's vocabulary: export attempts, findings and their enumerations.
//!
//! Every enum here has one spelling on the wire, in the store and in JSON output, so the
//! `as_str`/`parse` pair is the single place that spelling lives.

use jiff::Timestamp;
use serde::Serialize;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and store spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the wire spelling; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Where an export attempt stands in its life.
    ExportStatus {
        Pending => "pending",
        InFlight => "in_flight",
        Exported => "exported",
        Linked => "linked",
        Failed => "failed",
        Uncertain => "uncertain",
        FallbackWritten => "fallback_written",
        Stopped => "stopped",
    }
);

wire_enum!(
    /// Whether the provider mapping supplies every required field.
    MappingStatus {
        Complete => "complete",
        Incomplete => "incomplete",
        Unknown => "unknown",
    }
);

wire_enum!(
    /// The last status-sync outcome of a linked ticket.
    SyncStatus {
        Ok => "ok",
        Pending => "pending",
        Failed => "failed",
    }
);

wire_enum!(
    /// A finding's severity, which selects the ticket priority.
    Severity {
        Critical => "critical",
        High => "high",
        Medium => "medium",
        Low => "low",
        Info => "info",
    }
);

wire_enum!(
    /// A finding's lifecycle on the scanner side.
    FindingStatus {
        Open => "open",
        Resolved => "resolved",
        AcceptedRisk => "accepted_risk",
        FalsePositive => "false_positive",
    }
);

wire_enum!(
    /// Triage state, from the seed's ready / still blocked / stop.
    State {
        Ready => "ready",
        Blocked => "blocked",
        Cooldown => "cooldown",
        Stop => "stop",
    }
);

/// A provider error code: one of the seven the product knows, or any other upper-case code the
/// platform may add later, kept verbatim and triaged as unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureCode {
    DeliveryFailed,
    MappingRequired,
    DuplicateBlocked,
    StatusSyncFailed,
    ProviderUnavailable,
    ProviderAuthFailed,
    PortableExportFailed,
    Other(String),
}

impl FailureCode {
    /// The seven codes of the design, in the order the seed lists them.
    pub const KNOWN: [FailureCode; 7] = [
        FailureCode::DeliveryFailed,
        FailureCode::MappingRequired,
        FailureCode::DuplicateBlocked,
        FailureCode::StatusSyncFailed,
        FailureCode::ProviderUnavailable,
        FailureCode::ProviderAuthFailed,
        FailureCode::PortableExportFailed,
    ];

    /// The code as the platform spells it.
    pub fn as_str(&self) -> &str {
        match self {
            FailureCode::DeliveryFailed => "TICKET_EXPORT_DELIVERY_FAILED",
            FailureCode::MappingRequired => "TICKET_EXPORT_MAPPING_REQUIRED",
            FailureCode::DuplicateBlocked => "TICKET_EXPORT_DUPLICATE_BLOCKED",
            FailureCode::StatusSyncFailed => "TICKET_STATUS_SYNC_FAILED",
            FailureCode::ProviderUnavailable => "TICKET_EXPORT_PROVIDER_UNAVAILABLE",
            FailureCode::ProviderAuthFailed => "PROVIDER_AUTH_FAILED",
            FailureCode::PortableExportFailed => "PORTABLE_EXPORT_FAILED",
            FailureCode::Other(code) => code,
        }
    }

    /// Parses a code. Known codes map to their variant; any other well-formed code
    /// (`A-Z`, `0-9`, `_`, starting with a letter, at most 64 characters) is kept as `Other`.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(known) = Self::KNOWN.iter().find(|c| c.as_str() == text) {
            return Some(known.clone());
        }
        let well_formed = !text.is_empty()
            && text.len() <= 64
            && text.starts_with(|c: char| c.is_ascii_uppercase())
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        well_formed.then(|| FailureCode::Other(text.to_owned()))
    }

    /// True for codes this version does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, FailureCode::Other(_))
    }
}

impl std::fmt::Display for FailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FailureCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What owned a failure when it was recorded, so a retry can tell whether it has changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Which setting owned it: `connection`, `mapping`, `output_path` or `cooldown`; or
    /// `person` when only a person's decision clears it (the known ticket answered 404).
    pub kind: OwnerKind,
    /// A digest of that setting at the time of the failure (never a secret itself).
    pub digest: String,
}

wire_enum!(
    /// The setting that owns a failure, or `Person`: a decision only a person can take (link
    /// the ticket they found, or allow a create after confirming none exists).
    OwnerKind {
        Connection => "connection",
        Mapping => "mapping",
        OutputPath => "output_path",
        Cooldown => "cooldown",
        Person => "person",
    }
);

/// One export attempt as the store holds it: the seed's "ticket export attempt".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketExport {
    pub ticket_export_id: String,
    pub report_id: String,
    pub finding_id: String,
    pub provider_key: String,
    pub export_status: ExportStatus,
    pub provider_error_code: Option<FailureCode>,
    pub provider_response_code: Option<u16>,
    pub mapping_status: MappingStatus,
    pub mapping_missing: Vec<String>,
    pub duplicate_fingerprint: String,
    pub idempotency_key: String,
    #[serde(with = "opt_ts")]
    pub retry_after: Option<Timestamp>,
    pub external_ticket_id: Option<String>,
    pub external_ticket_url: Option<String>,
    pub status_sync_status: Option<SyncStatus>,
    pub portable_export_path: Option<String>,
    pub attempt_count: u32,
    #[serde(skip)]
    pub owner: Option<Owner>,
    /// When the current failure was first seen (import or the tool's own outcome).
    #[serde(with = "opt_ts")]
    pub failing_since: Option<Timestamp>,
    #[serde(with = "opt_ts")]
    pub created_at: Option<Timestamp>,
    #[serde(with = "opt_ts")]
    pub updated_at: Option<Timestamp>,
    /// The last sync found both sides changed differently and changed neither: a person
    /// chooses a side with `sync ID --prefer local|remote`.
    pub sync_conflict: bool,
}

/// Marks, in a cooldown owner's digest, a wait that ticket-export chose itself (its backoff
/// after a transport error, a 5xx without a wait, an unknown outcome or a run that died): the
/// provider did not ask for it, and no message may say it did.
pub const TOOL_WAIT: &str = "tool-wait ";

/// Who set an attempt's `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitOrigin {
    /// The provider sent it (`Retry-After`, a reset header) or the import file recorded it.
    Provider,
    /// ticket-export chose it after a failure that named no wait.
    Tool,
}

impl TicketExport {
    /// Who set `retry_after`: the tool when its cooldown owner says so, else the provider.
    pub fn wait_origin(&self) -> WaitOrigin {
        match &self.owner {
            Some(o) if o.kind == OwnerKind::Cooldown && o.digest.starts_with(TOOL_WAIT) => {
                WaitOrigin::Tool
            }
            _ => WaitOrigin::Provider,
        }
    }

    /// Whether the last failure had no HTTP answer at all (refused, DNS, TLS, timeout): a
    /// connection problem, whose guide is the provider connection guide.
    pub fn had_no_answer(&self) -> bool {
        self.provider_response_code.is_none()
    }
}

/// A finding as imported from a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub report_id: String,
    pub finding_id: String,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub url: String,
    pub parameter: Option<String>,
    pub description: String,
    pub evidence: String,
    pub remediation: String,
    pub status: FindingStatus,
}

/// A report: the scan that produced findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub report_id: String,
    pub title: String,
    pub target: String,
}

/// Serialises optional timestamps as RFC 3339 strings (or null).
pub mod opt_ts {
    use jiff::Timestamp;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_str(&ts.to_string()),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_codes_round_trip_and_unknown_codes_are_kept() {
        for code in FailureCode::KNOWN {
            assert_eq!(FailureCode::parse(code.as_str()), Some(code.clone()));
            assert!(!code.is_unknown());
        }
        let other = FailureCode::parse("TICKET_EXPORT_NEW_THING").unwrap();
        assert!(other.is_unknown());
        assert_eq!(other.as_str(), "TICKET_EXPORT_NEW_THING");
        for bad in ["", "lower_case", "1STARTS_WITH_DIGIT", "HAS SPACE", "X-Y"] {
            assert_eq!(FailureCode::parse(bad), None, "{bad:?} must be rejected");
        }
    }

    #[test]
    fn wire_enums_round_trip() {
        for s in ExportStatus::ALL {
            assert_eq!(ExportStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ExportStatus::parse("sent"), None);
        assert!(ExportStatus::expected().contains("fallback_written"));
    }
}
