//! Path traversal through ids and mapping values: an imported `external_ticket_id` such as
//! `../../../evil/elsewhere/issues/1001` (or its `%2e%2e` form) and a `mapping.repo` with `..`
//! never send anything outside the owned repository; the attempt is blocked with the reason,
//! and `--dry-run` prints the real path with the real id.

use crate::known_fixtures::{decision, github, import, received, run_json, seed, setup, stored};

const UP: &str = "../../../evil/elsewhere/issues/1001";
const ENCODED: &str = "%2e%2e%2f%2e%2e%2f%2e%2e%2fevil%2felsewhere%2fissues%2f1002";

/// Every request stayed in `acme/shop` (or named the user, for a check).
fn all_owned(sim: &ticket_export::simulator::Simulator) {
    for r in received(sim) {
        let path = r.split_once(' ').unwrap().1;
        assert!(
            path == "/repos/acme/shop" || path.starts_with("/repos/acme/shop/"),
            "a request left the owned repository: {r}"
        );
    }
    for t in sim
        .state()
        .tickets
        .iter()
        .filter(|t| t.destination != "acme/shop")
    {
        assert_eq!(t.state, "open", "{} was not touched", t.id);
        assert_eq!(t.body, "found earlier");
    }
}

#[test]
fn traversing_ticket_ids_reach_nothing_outside_the_owned_repository() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    for n in ["1001", "1002", "1003"] {
        seed(&sim, "evil/elsewhere", n, "open");
    }
    seed(&sim, "acme/shop", "7", "open");
    let foreign = "https://github.com/acme/shop/issues/1001";
    let ours = format!("{}/acme/shop/issues/7", sim.base_url());
    import(
        &env,
        &[
            serde_json::json!({"external_ticket_id": UP, "external_ticket_url": foreign}),
            serde_json::json!({"external_ticket_id": ENCODED, "external_ticket_url": foreign}),
            serde_json::json!({"export_status": "exported", "provider_error_code": null,
                "provider_response_code": 201, "external_ticket_id": "../../../evil/elsewhere/issues/1003",
                "status_sync_status": "ok", "finding_status": "resolved"}),
            serde_json::json!({"export_status": "exported", "provider_error_code": null,
                "provider_response_code": 201, "external_ticket_id": "7", "external_ticket_url": ours,
                "status_sync_status": "ok", "finding_status": "resolved"}),
        ],
    );
    for id in ["tex_0001", "tex_0002"] {
        let (d, code) = decision(&env, id);
        assert_eq!(
            (d["state"].as_str(), code),
            (Some("blocked"), 3),
            "{id}: {d}"
        );
        assert!(
            d["why"]
                .as_str()
                .unwrap()
                .contains("the recorded ticket id"),
            "{d}"
        );
    }

    // retry: nothing is sent for either, in a dry run or a real one.
    let (lines, code, _) = run_json(&env, &["retry", "tex_0001", "tex_0002", "--dry-run"]);
    assert_eq!(code, 3);
    assert!(
        lines[..2].iter().all(|l| l["state"] == "blocked"),
        "{lines:?}"
    );
    let (lines, code, _) = run_json(&env, &["retry", "tex_0001", "tex_0002"]);
    assert_eq!(code, 3);
    assert!(
        lines[..2].iter().all(|l| l["outcome"] == "refused"),
        "{lines:?}"
    );
    assert!(received(&sim).is_empty(), "{:?}", received(&sim));

    // sync --dry-run: the real path with the real id for the good link, a refusal for the other.
    let (lines, _, stderr) = run_json(&env, &["sync", "tex_0003", "tex_0004", "--dry-run"]);
    let line = |id: &str| {
        lines
            .iter()
            .find(|l| l["ticket_export_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {lines:?} {stderr}"))
            .clone()
    };
    assert_eq!(line("tex_0004")["outcome"], "would_push");
    assert!(
        line("tex_0004")["detail"]
            .as_str()
            .unwrap()
            .ends_with(": PATCH /repos/acme/shop/issues/7"),
        "{}",
        line("tex_0004")
    );
    assert_eq!(line("tex_0003")["state"], "blocked", "{}", line("tex_0003"));
    assert!(
        line("tex_0003")["detail"]
            .as_str()
            .unwrap()
            .contains("contains a path separator"),
        "{}",
        line("tex_0003")
    );
    all_owned(&sim);

    // sync: the good link is closed, the hostile one is blocked and recorded.
    let (lines, code, stderr) = run_json(&env, &["sync", "tex_0003", "tex_0004"]);
    assert_eq!(code, 3, "{stderr}");
    let pushed = lines
        .iter()
        .find(|l| l["ticket_export_id"] == "tex_0004")
        .unwrap();
    assert_eq!(pushed["outcome"], "pushed", "{pushed}");
    assert!(received(&sim).contains(&"PATCH /repos/acme/shop/issues/7".to_owned()));
    all_owned(&sim);
    let (_, code, _, _) = stored(&env, "tex_0003");
    assert_eq!(code.as_deref(), Some("TICKET_STATUS_SYNC_FAILED"));
    let (d, exit) = decision(&env, "tex_0003");
    assert_eq!((d["state"].as_str(), exit), (Some("blocked"), 3), "{d}");
    for id in ["tex_0001", "tex_0002"] {
        let (status, code, _, _) = stored(&env, id);
        assert_eq!(
            (status.as_str(), code.as_deref()),
            ("failed", Some("TICKET_EXPORT_DUPLICATE_BLOCKED")),
            "{id}"
        );
    }
}

#[test]
fn a_mapping_repo_with_dot_segments_is_refused_before_anything_is_sent() {
    for repo in ["acme/shop/../../evil/elsewhere", "acme/%2e%2e/evil"] {
        let (env, sim) = setup(|sim| github(sim, "acme/shop"));
        import(
            &env,
            &[
                serde_json::json!({"export_status": "pending", "provider_error_code": null,
                "provider_response_code": null}),
            ],
        );
        // The entry then names a repository that walks out of itself, listed as owned.
        let hostile =
            github(&sim, repo).replace("owned = [\"acme/shop\"]", &format!("owned = [\"{repo}\"]"));
        std::fs::write(env.config(), format!("mode = \"self-hosted\"\n{hostile}")).unwrap();
        for args in [
            &["retry", "--all"][..],
            &["sync", "--all"],
            &["retry", "--all", "--dry-run"],
            &["inspect"],
        ] {
            let out = env.cmd().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("mapping.repo = \"{repo}\" is not owner/name")),
                "{stderr}"
            );
            assert!(stderr.contains("providers.gh"), "{stderr}");
        }
        assert!(received(&sim).is_empty(), "{:?}", received(&sim));
        assert_eq!(stored(&env, "tex_0001").0, "pending");
    }
}
