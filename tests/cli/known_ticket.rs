//! A known ticket given only by its URL (the normal shape of a WebRiskOps export): `retry`
//! updates that ticket, never the collection path and never a second ticket; a URL that does
//! not parse or points elsewhere blocks the attempt with the reason, and sends nothing.

use crate::known_fixtures::{
    decision, events, github, import, received, run_json, seed, setup, stored,
};

#[test]
fn a_url_only_duplicate_is_updated_at_its_own_ticket_and_never_recreated() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    seed(&sim, "acme/shop", "7", "open");
    let url = format!("{}/acme/shop/issues/7", sim.base_url());
    import(&env, &[serde_json::json!({"external_ticket_url": url})]);
    let (d, code) = decision(&env, "tex_0001");
    assert_eq!((d["state"].as_str(), code), (Some("stop"), 5), "{d}");
    assert_eq!(d["action"], "update_existing");

    // The plan names the real path with the id the URL gives, never a template.
    let (lines, _, _) = run_json(&env, &["retry", "tex_0001", "--dry-run"]);
    assert_eq!(
        lines[0]["plan"],
        serde_json::json!(["PATCH /repos/acme/shop/issues/7 (id from external_ticket_url)"]),
        "{}",
        lines[0]
    );
    assert!(received(&sim).is_empty(), "a dry run sends nothing");

    let (lines, code, stderr) = run_json(&env, &["retry", "tex_0001"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["outcome"], "updated", "{}", lines[0]);
    assert_eq!(
        received(&sim),
        ["PATCH /repos/acme/shop/issues/7"],
        "one update of the known ticket: no empty id, no create"
    );
    assert_eq!(sim.state().tickets.len(), 1, "no second ticket");
    let (status, code, id, _) = stored(&env, "tex_0001");
    assert_eq!(
        (status.as_str(), code, id.as_deref()),
        ("linked", None, Some("7")),
        "the id derived from the URL is recorded with the link"
    );
    // The next run has nothing to create.
    let (lines, _, _) = run_json(&env, &["retry", "tex_0001"]);
    assert_eq!(lines[0]["outcome"], "refused");
    assert_eq!(received(&sim).len(), 1);
}

#[test]
fn a_url_that_points_elsewhere_or_does_not_parse_blocks_and_sends_nothing() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    let base = sim.base_url();
    let urls = [
        // Another host: the simulator is the configured base URL here.
        "https://github.com/acme/shop/issues/7".to_owned(),
        format!("{base}/evil/elsewhere/issues/7"),
        format!("{base}/acme/shop/pull/7"),
    ];
    let exports: Vec<serde_json::Value> = urls
        .iter()
        .map(|u| serde_json::json!({"external_ticket_url": u}))
        .collect();
    import(&env, &exports);
    let whys = [
        format!("not on {}", &base["http://".len()..]),
        "names repository evil/elsewhere, not acme/shop".into(),
        "pull request".to_owned(),
    ];
    for (i, why) in whys.iter().enumerate() {
        let id = format!("tex_{:04}", i + 1);
        let (d, code) = decision(&env, &id);
        assert_eq!(
            (d["state"].as_str(), code),
            (Some("blocked"), 3),
            "{id}: {d}"
        );
        assert!(
            d["why"].as_str().unwrap().contains(why.as_str()),
            "{id}: {d}"
        );
        assert!(
            d["next_step"]
                .as_str()
                .unwrap()
                .contains(&format!("ticket-export link {id} URL")),
            "{d}"
        );
    }
    let (lines, code, _) = run_json(&env, &["retry", "--all"]);
    assert_eq!(code, 3);
    for line in &lines[..3] {
        assert_eq!(line["outcome"], "refused", "{line}");
        assert_eq!(line["state"], "blocked", "{line}");
    }
    assert_eq!(received(&sim), Vec::<String>::new(), "nothing was sent");
    for i in 1..=3 {
        let id = format!("tex_{i:04}");
        let (status, code, ticket, _) = stored(&env, &id);
        assert_eq!(
            (status.as_str(), code.as_deref(), ticket),
            ("failed", Some("TICKET_EXPORT_DUPLICATE_BLOCKED"), None),
            "{id}: the guard stays"
        );
    }
    // A dry run agrees and still sends nothing.
    let (lines, code, _) = run_json(&env, &["retry", "--all", "--dry-run"]);
    assert_eq!(code, 3);
    assert!(lines[..3].iter().all(|l| l["state"] == "blocked"));
    assert!(received(&sim).is_empty());
}

#[test]
fn sync_never_reads_or_writes_through_an_empty_id() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    seed(&sim, "acme/shop", "7", "closed");
    let url = format!("{}/acme/shop/issues/7", sim.base_url());
    // Both linked at import with an empty id; one has its URL, the other nothing else.
    import(
        &env,
        &[
            serde_json::json!({"export_status": "exported", "provider_error_code": null,
                "provider_response_code": 201, "external_ticket_id": "", "external_ticket_url": url,
                "status_sync_status": "ok"}),
            serde_json::json!({"export_status": "exported", "provider_error_code": null,
                "provider_response_code": 201, "external_ticket_id": " ",
                "status_sync_status": "ok"}),
        ],
    );
    let (lines, code, stderr) = run_json(&env, &["sync", "--all"]);
    let by_id = |id: &str| {
        lines
            .iter()
            .find(|l| l["ticket_export_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {lines:?} ({stderr})"))
    };
    assert_eq!(
        by_id("tex_0001")["outcome"],
        "pulled",
        "{}",
        by_id("tex_0001")
    );
    assert_eq!(by_id("tex_0002")["outcome"], "failed");
    assert_eq!(by_id("tex_0002")["state"], "blocked");
    assert!(
        by_id("tex_0002")["detail"]
            .as_str()
            .unwrap()
            .contains("no external_ticket_url"),
        "{}",
        by_id("tex_0002")
    );
    assert_eq!(code, 3);
    // The label listing (with its query) reads the repository's tickets; each ticket read is
    // the URL's ticket, never the collection path with an empty id.
    let reads: Vec<String> = sim
        .state()
        .requests
        .iter()
        .filter(|r| r.param("labels").is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(reads, ["GET /repos/acme/shop/issues/7"]);
    assert!(
        received(&sim).iter().all(|r| r.starts_with("GET ")),
        "nothing written: {:?}",
        received(&sim)
    );
    let (_, code, _, _) = stored(&env, "tex_0002");
    assert_eq!(code.as_deref(), Some("TICKET_STATUS_SYNC_FAILED"));
    assert!(
        events(&env, "tex_0002")
            .iter()
            .any(|e| e.starts_with("sync/failed: read: refused before sending")),
        "{:?}",
        events(&env, "tex_0002")
    );
    // inspect and sync agree: blocked, with the reason.
    let (d, code) = decision(&env, "tex_0002");
    assert_eq!((d["state"].as_str(), code), (Some("blocked"), 3), "{d}");
}

#[test]
fn the_summary_counts_each_known_ticket_by_whether_it_can_be_addressed() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    let good = format!("{}/acme/shop/issues/7", sim.base_url());
    // Same code, status and everything else triage reads; only the URL differs.
    import(
        &env,
        &[
            serde_json::json!({"external_ticket_url": good}),
            serde_json::json!({"external_ticket_url": "https://github.com/acme/shop/issues/7"}),
            serde_json::json!({"external_ticket_url": "https://github.com/acme/shop/issues/8"}),
        ],
    );
    let out = env
        .cmd()
        .args(["--json", "inspect", "--summary"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = &doc["summary"]["total"];
    assert_eq!(
        (total["stop"].as_u64(), total["blocked"].as_u64()),
        (Some(1), Some(2)),
        "{doc}"
    );
    assert_eq!(out.status.code(), Some(3));
    // `fallback --all-blocked` decides with the same keys, and writes nothing beside a
    // known ticket.
    let out = env
        .cmd()
        .args(["--json", "fallback", "--all-blocked", "--dry-run"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0 | 3 | 5)), "{out:?}");
    assert!(received(&sim).is_empty());
}
