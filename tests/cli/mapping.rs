//! `TICKET_EXPORT_MAPPING_REQUIRED` end to end: ready once the mapping is complete, blocked
//! again (naming the fields the provider asked for) when a retry fails on mapping once more.

use serde_json::Value;
use ticket_export::simulator::{Fault, Matcher, Simulator};

use crate::support::{Env, attempts_file, write_sim_config};

fn config(env: &Env, sim: &Simulator, extra_mapping: &str) {
    write_sim_config(
        env,
        "self-hosted",
        &format!(
            "[providers.gh]\nkind = \"github\"\nbase_url = \"{}\"\nallow_http = true\n\
             auth = {{ token_file = \"sim.token\" }}\nowned = [\"acme/shop\"]\n\
             mapping = {{ repo = \"acme/shop\", labels = [\"security\"]{extra_mapping} }}\n",
            sim.base_url()
        ),
    );
}

fn inspect(env: &Env) -> (Option<i32>, Value) {
    let out = env
        .cmd()
        .args(["--json", "inspect", "tex_0001"])
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// Was: blocked ("nothing shows providers.gh.mapping changed") although the platform's import
/// said `mapping_status: complete`, so the attempt could never be retried.
#[test]
fn a_mapping_now_complete_is_retried_and_a_new_mapping_failure_blocks_again() {
    let sim = Simulator::start().unwrap();
    let env = Env::new();
    config(&env, &sim, "");
    let file = attempts_file(&env, "gh", 1, Some("TICKET_EXPORT_MAPPING_REQUIRED"));
    env.cmd().arg("import").arg(&file).assert().success();
    let (code, doc) = inspect(&env);
    let d = &doc["attempt"]["decision"];
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(
        (d["state"].as_str(), d["action"].as_str()),
        (Some("ready"), Some("retry"))
    );
    assert!(
        d["why"].as_str().unwrap().contains("mapping complete"),
        "{d}"
    );

    // The provider still wants a field the config does not set.
    sim.fail(
        Matcher::new("POST", "/repos/acme/shop/issues"),
        Fault::status(
            422,
            &[],
            r#"{"message":"Validation Failed","errors":[{"resource":"Issue","field":"milestone","code":"invalid"}]}"#,
        ),
        1,
    );
    let out = env
        .cmd()
        .args(["--json", "retry", "tex_0001"])
        .output()
        .unwrap();
    let line: Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(out.status.code(), Some(3), "{line}");
    assert_eq!(
        line["provider_error_code"],
        "TICKET_EXPORT_MAPPING_REQUIRED"
    );
    let sent: Vec<(String, String)> = sim
        .state()
        .requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        sent.iter().filter(|(m, _)| m == "POST").count(),
        1,
        "one create, refused: {sent:?}"
    );
    assert!(
        sent.iter().all(|(_, p)| p.starts_with("/repos/acme/shop/")),
        "{sent:?}"
    );
    assert!(sim.state().tickets.is_empty());

    // Blocked again, naming the field the provider asked for and the key that supplies it.
    let (code, doc) = inspect(&env);
    let a = &doc["attempt"];
    assert_eq!(code, Some(3), "{doc}");
    assert_eq!(a["mapping_status"], "incomplete");
    assert_eq!(a["mapping_missing"], serde_json::json!(["milestone"]));
    assert_eq!(a["decision"]["action"], "fix_mapping");
    assert!(
        a["decision"]["why"]
            .as_str()
            .unwrap()
            .contains("milestone (providers.gh.mapping.fields.milestone)"),
        "{a}"
    );
    let before = sim.request_count();
    let again = env.cmd().args(["retry", "tex_0001"]).output().unwrap();
    assert_eq!(again.status.code(), Some(3));
    // The platform's older "complete" does not undo what the provider just said.
    env.cmd().arg("import").arg(&file).assert().success();
    assert_eq!(inspect(&env).0, Some(3));
    assert_eq!(sim.request_count(), before, "nothing sent while blocked");

    // Once the config supplies the field, the retry creates the ticket, once.
    config(&env, &sim, ", fields = { milestone = \"3\" }");
    assert_eq!(inspect(&env).0, Some(0));
    let out = env.cmd().args(["retry", "tex_0001"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(sim.state().tickets.len(), 1);
}
