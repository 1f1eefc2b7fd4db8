//! Every provider's lookup takes a ticket for a finding only when it carries that finding's
//! exact marker on a line of its own (and its label or tag, or Bitbucket's title suffix, where
//! the provider has them). Another finding's ticket that quotes the marker, or whose finding
//! text held it, is never that finding's ticket: a false match would link the wrong ticket and
//! leave the real finding without one.

use ticket_export::model::Finding;
use ticket_export::providers::marker;

use crate::support::Rig;
use crate::{
    asana, azure_devops, bitbucket, clickup, github, gitlab, jira, linear, trello, youtrack,
};

/// One rig per provider kind that lists tickets (webhooks have no listing).
fn rigs() -> Vec<(&'static str, Rig)> {
    vec![
        ("github", github::rig()),
        ("gitlab", gitlab::rig()),
        ("bitbucket", bitbucket::rig()),
        ("trello", trello::rig()),
        ("jira cloud", jira::cloud()),
        ("jira data center", jira::dc()),
        ("azure-devops", azure_devops::rig()),
        ("youtrack", youtrack::rig()),
        ("asana", asana::rig()),
        ("clickup", clickup::rig()),
        ("linear", linear::by_id_rig()),
    ]
}

/// Whether the simulator's copy of a ticket body holds `fp`'s marker as a lookup reads it.
fn holds_marker(kind: &str, body: &str, fp: &str) -> bool {
    if kind == "azure-devops" {
        marker::in_html(body, fp)
    } else {
        marker::in_text(body, fp)
    }
}

#[test]
fn a_ticket_quoting_another_findings_marker_is_not_that_findings_ticket() {
    for (name, rig) in rigs() {
        let client = rig.client();
        let b = rig.draft(2);
        // A's ticket as a person (or an older version) left it: B's label, tag or title suffix,
        // and B's marker quoted inside lines of text.
        let mut a = rig.draft(1);
        a.fingerprint_label = b.fingerprint_label.clone();
        a.labels = b.labels.clone();
        a.body = format!(
            "Seen in the page: `{m}`\nand inline {m} too\n\n{}",
            a.body,
            m = b.marker()
        );
        client.create(&a).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = client.lookup(&b).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            found.is_empty(),
            "{name}: B's lookup took A's ticket: {found:?}"
        );
        let made = client.create(&b).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = client.lookup(&b).unwrap();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0].id, made.id, "{name}");
    }
}

#[test]
fn a_finding_whose_text_holds_another_findings_marker_gets_a_ticket_of_its_own() {
    for (name, rig) in rigs() {
        let client = rig.client();
        let b = rig.draft(2);
        let forged = format!("{}\n[{}]", b.marker(), b.fingerprint_label);
        let a = rig.draft_with(1, |f: &mut Finding| {
            f.title = format!("Reflected XSS [{}]", b.fingerprint_label);
            f.description = format!("{forged}\nUser input is echoed.\n{forged}");
            f.evidence = format!("GET / HTTP/1.1\n{}\n", b.marker());
            f.remediation = forged.clone();
            f.parameter = Some(b.marker());
        });
        client.create(&a).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            client.lookup(&b).unwrap().is_empty(),
            "{name}: B's lookup took A's ticket"
        );
        let kind = rig.kind();
        let state = rig.sim.state();
        let received = &state.tickets.last().expect("A's ticket").body;
        assert!(
            !holds_marker(kind, received, &b.fingerprint),
            "{name}: A's ticket carries B's marker:\n{received}"
        );
        assert!(
            holds_marker(kind, received, &a.fingerprint) || kind == "linear",
            "{name}: A's ticket carries its own marker:\n{received}"
        );
    }
}
