//! `link ID URL`: a person records the ticket they found. Nothing is sent; the URL must be a
//! ticket page of the destination; the store's unique links hold; the history says so.

use crate::known_fixtures::{
    decision, events, github, import, received, run_json, seed, setup, stored,
};

#[test]
fn link_records_the_ticket_found_by_a_person_and_sends_nothing() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    seed(&sim, "acme/shop", "7", "open");
    // Duplicate detection found a ticket but not its address; a person found it.
    import(&env, &[serde_json::json!({}), serde_json::json!({})]);
    let url = format!("{}/acme/shop/issues/7", sim.base_url());
    let (lines, code, stderr) = run_json(&env, &["link", "tex_0001", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(
        (
            line["outcome"].as_str(),
            line["ticket_export_id"].as_str(),
            line["external_ticket_id"].as_str(),
            line["external_ticket_url"].as_str()
        ),
        (
            Some("linked"),
            Some("tex_0001"),
            Some("7"),
            Some(url.as_str())
        )
    );
    assert!(received(&sim).is_empty(), "link sends nothing");
    assert_eq!(
        stored(&env, "tex_0001"),
        ("linked".into(), None, Some("7".into()), Some(url.clone()))
    );
    let history = events(&env, "tex_0001");
    assert!(
        history
            .last()
            .unwrap()
            .starts_with("link/linked: linked by hand to ticket 7 at "),
        "{history:?}"
    );
    assert!(
        history
            .last()
            .unwrap()
            .contains("was failed, TICKET_EXPORT_DUPLICATE_BLOCKED")
    );
    let (d, code) = decision(&env, "tex_0001");
    assert_eq!((d["state"].as_str(), code), (Some("ready"), 0), "{d}");

    // Again: nothing changes, no second event.
    let (lines, code, _) = run_json(&env, &["link", "tex_0001", &url]);
    assert_eq!(
        (lines[0]["outcome"].as_str(), code),
        (Some("already_linked"), 0)
    );
    assert_eq!(events(&env, "tex_0001").len(), history.len());

    // A retry creates nothing, and sync keeps the linked ticket.
    let (lines, _, _) = run_json(&env, &["retry", "tex_0001"]);
    assert_eq!(lines[0]["outcome"], "refused", "{}", lines[0]);
    let (lines, code, stderr) = run_json(&env, &["sync", "tex_0001"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["external_ticket_id"], "7");
    assert_eq!(lines[0]["outcome"], "unchanged", "{}", lines[0]);
    // Read through the repository's label listing, which holds ticket 7.
    assert_eq!(received(&sim), ["GET /repos/acme/shop/issues"]);
    assert_eq!(sim.state().tickets.len(), 1);
}

#[test]
fn link_refuses_a_ticket_of_another_finding_or_destination() {
    let (env, sim) = setup(|sim| github(sim, "acme/shop"));
    import(&env, &[serde_json::json!({}), serde_json::json!({})]);
    let base = sim.base_url();
    let ours = format!("{base}/acme/shop/issues/7");
    let (_, code, stderr) = run_json(&env, &["link", "tex_0001", &ours]);
    assert_eq!(code, 0, "{stderr}");
    let before = env.dump();
    let cases: [(String, String); 5] = [
        (
            ours.clone(),
            "ticket 7 at gh is already linked to another finding (through tex_0001)".into(),
        ),
        (
            "https://evil.example/acme/shop/issues/9".into(),
            format!("not on {}", &base["http://".len()..]),
        ),
        (
            format!("{base}/evil/elsewhere/issues/9"),
            "names repository evil/elsewhere, not acme/shop (providers.gh.mapping.repo)".into(),
        ),
        (
            format!("{base}/acme/shop/issues/..%2F9"),
            "is not a GitHub issue number".into(),
        ),
        ("ftp://x".into(), "not an http(s) URL".into()),
    ];
    for (url, why) in &cases {
        let out = env.cmd().args(["link", "tex_0002", url]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains("tex_0002 was not linked"), "{stderr}");
        assert!(stderr.contains(why.as_str()), "{url}: {stderr}");
        assert!(stderr.contains("next: "), "{stderr}");
    }
    // The finding of tex_0001 has its ticket: another one for it is refused too.
    let out = env
        .cmd()
        .args(["link", "tex_0001", &format!("{base}/acme/shop/issues/8")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the finding is already linked to ticket 7 at gh (through tex_0001)")
    );
    let out = env
        .cmd()
        .args(["link", "tex_9999", &ours])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(env.dump(), before, "nothing recorded by a refused link");
    assert!(received(&sim).is_empty());
}
