//! Base URLs that smuggle a metadata or private address: a cloud platform endpoint outside the
//! link-local range, or an IPv6 form carrying an IPv4 address. Every command refuses them
//! before anything is sent, and nothing about them is recorded as the provider's answer.

use ticket_export::simulator::Simulator;

use crate::support::{Env, attempts_file, write_sim_config};

fn entry(base_url: &str) -> String {
    format!(
        "[providers.gh]\nkind = \"github\"\nbase_url = \"{base_url}\"\nauth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\nmapping = {{ repo = \"acme/shop\", labels = [\"security\"] }}\n"
    )
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn smuggled_metadata_and_private_addresses_are_a_stop_everywhere() {
    // The simulator stands for the customer's real tracker: none of these may reach anything.
    let sim = Simulator::start().unwrap();
    let cases = [
        ("self-hosted", "https://100.100.100.200", "Alibaba"),
        ("self-hosted", "https://168.63.129.16", "Azure"),
        ("self-hosted", "https://[fd00:ec2::254]", "AWS"),
        ("self-hosted", "https://[64:ff9b::a9fe:a9fe]", "NAT64"),
        ("self-hosted", "https://[2002:a9fe:a9fe::1]", "6to4"),
        (
            "self-hosted",
            "https://[::169.254.169.254]",
            "IPv4-compatible",
        ),
        (
            "self-hosted",
            "https://[2001:0:4136:e378:8000:63bf:5601:5601]",
            "Teredo",
        ),
        ("cloud", "https://[64:ff9b::a00:1]", "private"),
        ("cloud", "https://[::ffff:0:7f00:1]", "loopback"),
    ];
    for (mode, base_url, why) in cases {
        let env = Env::new();
        write_sim_config(&env, mode, &entry(base_url));
        env.cmd()
            .arg("import")
            .arg(attempts_file(&env, "gh", 1, None))
            .assert()
            .success();
        let inspect = env
            .cmd()
            .args(["--json", "inspect", "tex_0001"])
            .output()
            .unwrap();
        assert_eq!(inspect.status.code(), Some(5), "{base_url}: inspect");
        let doc = json(&inspect);
        let decision = &doc["attempt"]["decision"];
        assert_eq!(decision["state"], "stop", "{base_url}: {doc}");
        let said = decision["why"].as_str().unwrap_or_default();
        assert!(
            said.contains(why) && said.contains("refused"),
            "{base_url}: {said}"
        );

        let retry = env
            .cmd()
            .args(["--json", "retry", "tex_0001"])
            .output()
            .unwrap();
        assert_eq!(retry.status.code(), Some(5), "{base_url}: retry");
        let first = String::from_utf8_lossy(&retry.stdout);
        assert!(
            first.contains("\"outcome\":\"refused\""),
            "{base_url}: {first}"
        );

        let check = env
            .cmd()
            .args(["--json", "settings", "check"])
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(3), "{base_url}: settings check");
        let line = json(&check);
        assert_eq!(line["result"], "unsafe", "{base_url}: {line}");

        let dump = env.dump();
        assert!(
            !dump.contains("provider_health:"),
            "no probe, no health: {dump}"
        );
        let events: Vec<&str> = dump.lines().filter(|l| l.starts_with("events:")).collect();
        assert_eq!(events.len(), 1, "only the import is recorded: {events:?}");
    }
    assert_eq!(sim.request_count(), 0, "nothing reached any provider");
}
