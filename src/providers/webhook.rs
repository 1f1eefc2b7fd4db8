//! A signed webhook (Standard Webhooks 1.0): one `POST` of the finding to `base_url`.
//!
//! Headers: `webhook-id` is the draft's idempotency key, the same on every retry, so the
//! receiver drops a second delivery; `webhook-timestamp` is the attempt's unix seconds;
//! `webhook-signature` is `v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">` over the
//! exact bytes sent. The signing key is the configured secret: a `whsec_` secret is the base64
//! of the key (the Standard Webhooks and Svix format), any other value is used as raw bytes.
//!
//! Webhooks have no listing and no state. `lookup` finds nothing and relies on the receiver
//! deduplicating `webhook-id`; the retry engine links a webhook by its recorded outcome.
//! Receiver answers follow the specification: 2xx delivered, 3xx refused (never followed),
//! 410 the endpoint disabled itself (`Rejected { status: 410 }`; the retry engine stops
//! sending to this provider), 429/502/504 throttle, and `Retry-After` is honoured.

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use sha2::Sha256;

use super::failure::{Failure, classify, requested_wait, summary};
use super::http::HttpRequest;
use super::{
    CheckReport, ClientBase, NormalState, PlannedCall, ProviderClient, RemoteState, RemoteTicket,
    TicketDraft,
};

/// The event type of every delivery.
pub const EVENT_TYPE: &str = "ticket_export.finding";
/// The wait after a throttle answer that gave no `Retry-After`.
const DEFAULT_WAIT: SignedDuration = SignedDuration::from_secs(60);

/// A webhook endpoint.
pub struct Webhook {
    base: ClientBase,
    /// `base.now` is read once; timestamps advance from it so a long batch does not send
    /// timestamps a receiver's replay window (usually five minutes) would refuse.
    started: Instant,
}

/// The HMAC key of a signing secret: `whsec_<base64>` decoded, anything else as raw bytes.
pub fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    match secret.strip_prefix("whsec_") {
        Some(encoded) => BASE64
            .decode(encoded)
            .map_err(|_| "starts with whsec_ but the rest is not base64".into()),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

impl Webhook {
    /// A client for the endpoint at `base_url`, which is all it ever requests.
    pub fn new(mut base: ClientBase) -> Self {
        base.scope = super::path::Scope::of([base.provider.base_url.clone()]);
        Webhook {
            base,
            started: Instant::now(),
        }
    }

    fn key(&self) -> Result<Vec<u8>, Failure> {
        signing_key(self.base.token.expose()).map_err(|problem| {
            // Nothing was sent: a secret that does not decode is a credential problem, never
            // the receiver refusing it.
            Failure::Credential(crate::secret::CredentialError {
                source_name: self
                    .base
                    .provider
                    .auth
                    .token
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "the signing secret".into()),
                problem,
                kind: crate::secret::CredentialProblem::Malformed,
            })
        })
    }

    fn now(&self) -> Timestamp {
        let elapsed = SignedDuration::try_from(self.started.elapsed()).unwrap_or_default();
        self.base.now.checked_add(elapsed).unwrap_or(self.base.now)
    }

    fn payload(&self, draft: &TicketDraft) -> Value {
        json!({
            "type": EVENT_TYPE,
            "timestamp": self.base.now.to_string(),
            "data": {
                "ticket_export_id": draft.ticket_export_id,
                "report_id": draft.report_id,
                "finding_id": draft.finding_id,
                "fingerprint": draft.fingerprint,
                "fingerprint_label": draft.fingerprint_label,
                "idempotency_key": draft.idempotency_key,
                "title": draft.title,
                "body": draft.body,
                "severity": draft.severity.as_str(),
                "labels": draft.labels,
                "priority": draft.priority,
                "assignees": draft.assignees,
                "fields": draft.fields,
            },
        })
    }

    fn no_state(&self) -> Failure {
        Failure::NotSent("webhooks have no status".into())
    }
}

impl ProviderClient for Webhook {
    /// Nothing is sent: a webhook has no read-only probe, and any request could be taken for a
    /// delivery. The secret decodes and the URL passed the safety rules (in `client_for`).
    fn check(&self) -> Result<CheckReport, Failure> {
        self.key()?;
        Ok(CheckReport {
            identity: "signing secret loaded".into(),
            probes: vec!["signing secret (local check; nothing sent)".into()],
        })
    }

    fn lookup(&self, _draft: &TicketDraft) -> Result<Vec<RemoteTicket>, Failure> {
        // No listing exists; a redelivery carries the same `webhook-id`, which the receiver
        // deduplicates, so creating again after an uncertain outcome is safe.
        Ok(Vec::new())
    }

    fn create(&self, draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        let key = self.key()?;
        let id = &draft.idempotency_key;
        let timestamp = self.now().as_second();
        // Signed and sent from the same bytes: re-serialising would break the signature.
        let body = serde_json::to_vec(&self.payload(draft)).unwrap_or_default();
        let mut req = HttpRequest::new("POST", self.base.provider.base_url.clone())
            .header("webhook-id", id.clone())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", sign(&key, id, timestamp, &body));
        req.body = Some(("application/json".into(), body));
        let resp = self.base.send(&req, true)?;
        let now = self.base.now;
        match resp.status {
            200..=299 => {
                let answer = resp.json();
                Ok(RemoteTicket {
                    id: answer["id"].as_str().unwrap_or(id).to_owned(),
                    url: answer["url"]
                        .as_str()
                        .unwrap_or(self.base.provider.base_url.as_str())
                        .to_owned(),
                    state: None,
                })
            }
            300..=399 => Err(Failure::Rejected {
                status: resp.status,
                detail: format!(
                    "the receiver redirects{}; redirects are not followed, set base_url to the final address",
                    resp.header("location")
                        .map(|l| format!(" to {l}"))
                        .unwrap_or_default()
                ),
            }),
            410 => Err(Failure::Rejected {
                status: 410,
                detail: "the receiver disabled this endpoint (410 Gone); stop sending to it until it is re-enabled".into(),
            }),
            429 | 502 | 504 => Err(Failure::RateLimited {
                status: resp.status,
                retry_after: requested_wait(&resp, now).unwrap_or(now + DEFAULT_WAIT),
                detail: summary(&resp),
            }),
            _ => Err(classify(&resp, now, true, Vec::new())),
        }
    }

    fn update(&self, _ticket_id: &str, _draft: &TicketDraft) -> Result<RemoteTicket, Failure> {
        Err(Failure::NotSent(
            "a webhook delivery cannot be updated; the receiver already has it".into(),
        ))
    }

    fn read_status(&self, _ticket_id: &str) -> Result<RemoteState, Failure> {
        Err(self.no_state())
    }

    fn write_status(&self, _ticket_id: &str, _target: NormalState) -> Result<RemoteState, Failure> {
        Err(self.no_state())
    }

    fn plan(&self, call: PlannedCall<'_>) -> String {
        let url = &self.base.provider.base_url;
        match call {
            PlannedCall::Lookup(_) => "no lookup (the receiver deduplicates webhook-id)".into(),
            PlannedCall::Create(draft) => format!(
                "POST {} to {} (webhook-id {})",
                url.path(),
                url.host_str().unwrap_or_default(),
                draft.idempotency_key
            ),
            PlannedCall::Update(..) => "no update (a webhook is delivered once)".into(),
            PlannedCall::WriteStatus(_) => "no status (webhooks have none)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_published_test_vector() {
        // The vector of the Standard Webhooks and Svix libraries' own tests.
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_without_the_prefix_are_raw_bytes() {
        assert_eq!(signing_key("plain").unwrap(), b"plain");
        assert!(signing_key("whsec_not base64!").is_err());
    }
}
