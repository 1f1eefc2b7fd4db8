//! Every Linear operation against `schema.graphql`: the static documents, and each request the
//! client really sent (operation and variables).

use std::sync::OnceLock;

use ticket_export::providers::linear::ops;
use ticket_export::simulator::SimRequest;

use crate::graphql::Schema;

pub fn schema() -> Option<&'static Schema> {
    static SCHEMA: OnceLock<Option<Schema>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/specs/linear/schema.graphql");
            match std::fs::read_to_string(&path) {
                Ok(text) => Some(Schema::parse(&text)),
                Err(_) => {
                    assert!(
                        std::env::var_os("CI").is_none(),
                        "{} missing in CI",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_ref()
}

/// Checks a recorded request's operation and variables against the schema.
pub fn assert_schema_valid(req: &SimRequest) {
    let Some(schema) = schema() else { return };
    let body = req.json();
    let operation = body["query"].as_str().expect("a query");
    let types = schema.check_operation(operation);
    for (name, value) in body["variables"].as_object().into_iter().flatten() {
        let type_name = types
            .get(name)
            .unwrap_or_else(|| panic!("variable {name} is not declared"));
        schema.check_value(type_name, value);
    }
    assert_eq!(body["operationName"], ops::name(operation));
}

#[test]
fn every_operation_is_in_the_schema() {
    let Some(schema) = schema() else { return };
    for op in ops::ALL {
        schema.check_operation(op);
    }
    // The names the brief pins, spelled out.
    assert_eq!(
        schema.field("Mutation", "issueCreate").type_name,
        "IssuePayload"
    );
    assert_eq!(
        schema.field("Query", "attachmentsForURL").type_name,
        "AttachmentConnection"
    );
    for input in [
        "teamId",
        "title",
        "id",
        "description",
        "priority",
        "labelIds",
    ] {
        schema.field("IssueCreateInput", input);
    }
    for input in ["issueId", "title", "url"] {
        schema.field("AttachmentCreateInput", input);
    }
    schema.field("IssueUpdateInput", "stateId");
}

#[test]
fn the_schema_check_catches_what_linear_would_refuse() {
    let Some(schema) = schema() else { return };
    let bad_field = std::panic::catch_unwind(|| {
        schema.check_operation("query X($id: String!) { issue(id: $id) { id titel } }")
    });
    assert!(bad_field.is_err(), "a misspelt field is caught");
    let bad_arg = std::panic::catch_unwind(|| {
        schema.check_operation(
            "query X($u: String!) { attachmentsForURL(link: $u) { nodes { id } } }",
        )
    });
    assert!(bad_arg.is_err(), "an unknown argument is caught");
    let bad_input = std::panic::catch_unwind(|| {
        schema.check_value("IssueCreateInput", &serde_json::json!({"teamID": "x"}))
    });
    assert!(bad_input.is_err(), "an unknown input field is caught");
}
