//! A Standard Webhooks receiver under `/hooks/`: it verifies `webhook-signature` against
//! `SIM_WEBHOOK_SECRET` over the raw body as received (any `v1` entry of the list may match,
//! compared in constant time), answers 401 to a bad or missing signature, and records each
//! `webhook-id` once: a redelivery gets 200 and adds nothing to `deliveries`.
//!
//! The timestamp is checked for shape but not against a clock: the simulator has no clock
//! override, and the tests pin ticket-export's clock to a fixed date.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{Reply, SIM_WEBHOOK_SECRET, SimRequest, SimState};

pub(super) fn handle(req: &SimRequest, state: &mut SimState) -> Option<Reply> {
    if !req.path.starts_with("/hooks/") {
        return None;
    }
    if req.method != "POST" {
        return Some(Reply::text(405, "Method Not Allowed"));
    }
    let (Some(id), Some(timestamp), Some(signatures)) = (
        req.header("webhook-id"),
        req.header("webhook-timestamp"),
        req.header("webhook-signature"),
    ) else {
        return Some(Reply::json(
            400,
            json!({"error": "missing webhook-id, webhook-timestamp or webhook-signature"}),
        ));
    };
    if id.contains('.') || timestamp.parse::<i64>().is_err() {
        return Some(Reply::json(
            400,
            json!({"error": "bad webhook-id or webhook-timestamp"}),
        ));
    }
    if !verified(id, timestamp, &req.body, signatures) {
        return Some(Reply::json(401, json!({"error": "invalid signature"})));
    }
    if state
        .deliveries
        .iter()
        .any(|d| d.header("webhook-id") == Some(id))
    {
        return Some(Reply::json(
            200,
            json!({"received": true, "duplicate": true}),
        ));
    }
    state.deliveries.push(req.clone());
    Some(Reply::json(200, json!({"received": true})))
}

fn verified(id: &str, timestamp: &str, body: &str, signatures: &str) -> bool {
    let key = BASE64
        .decode(SIM_WEBHOOK_SECRET.trim_start_matches("whsec_"))
        .expect("the simulator's secret is base64");
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| BASE64.decode(s).ok())
        .any(|sig| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            mac.verify_slice(&sig).is_ok()
        })
}
