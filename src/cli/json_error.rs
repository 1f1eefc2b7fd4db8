//! Errors under `--json`: one JSON object on stderr instead of the text, so a script that asked
//! for JSON can read a failure the same way it reads a result.
//!
//! Stderr, not stdout: stdout holds only results (a document or JSON Lines a script may be
//! writing to a file), and a failure must not be mistaken for, or appended to, one of them. The
//! exit code is the same as without `--json`. Shape: `schemas/error-v1.schema.json`.

use serde_json::{Value, json};

/// The error object: `{"error": {"exit_code", "what", "why", "next"}}`. Every message of the
/// program reads `what\n  why: …\n  next: …`; a message without those parts (a bug, an I/O error)
/// keeps its text in `what`, and `why` and `next` are null.
pub fn error_json(exit_code: u8, message: &str) -> Value {
    let (what, rest) = split_once(message, "\n  why: ");
    let (why, next) = match rest {
        Some(rest) => {
            let (why, next) = split_once(rest, "\n  next: ");
            (Some(why), next)
        }
        None => {
            let (what_only, next) = split_once(what, "\n  next: ");
            return object(exit_code, what_only, None, next);
        }
    };
    object(exit_code, what, why, next)
}

fn object(exit_code: u8, what: &str, why: Option<&str>, next: Option<&str>) -> Value {
    json!({"error": {
        "schema_version": 1,
        "exit_code": exit_code,
        "what": what.trim(),
        "why": why.map(str::trim),
        "next": next.map(str::trim),
    }})
}

fn split_once<'a>(text: &'a str, at: &str) -> (&'a str, Option<&'a str>) {
    match text.split_once(at) {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    }
}

/// `--json` among the arguments, before any `--`: clap refused them, so the parsed flag is not
/// there to ask.
pub fn asked_for_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// A refused command line as the error object: clap's first line is what, the rest why.
pub fn usage_json(err: &clap::Error) -> Value {
    let text = err.render().to_string();
    let text = text.trim_start_matches("error: ");
    let (what, why) = match text.split_once('\n') {
        Some((what, rest)) => (what, rest.trim()),
        None => (text, ""),
    };
    object(
        2,
        what,
        (!why.is_empty()).then_some(why),
        Some("see `ticket-export --help` and the command's --help"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_parts_are_read_from_the_message() {
        let v = error_json(
            2,
            "no store at /x\n  why: nothing imported\n  next: import it",
        );
        assert_eq!(v["error"]["exit_code"], 2);
        assert_eq!(v["error"]["what"], "no store at /x");
        assert_eq!(v["error"]["why"], "nothing imported");
        assert_eq!(v["error"]["next"], "import it");
        let v = error_json(1, "boom");
        assert_eq!(v["error"]["what"], "boom");
        assert!(v["error"]["why"].is_null() && v["error"]["next"].is_null());
    }
}
