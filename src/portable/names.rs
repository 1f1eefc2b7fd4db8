//! The names a report's folder and files take, and which files of a folder are the tool's.
//!
//! A report id is chosen by the platform: up to 128 characters of anything. A plain id (ASCII
//! letters, digits, `-`, `_` and inner dots) is its own name, as it always was, so existing
//! folders keep theirs. Any other id, one with a separator, a space, a non-ASCII character, a
//! leading dot (or, on Windows, a trailing dot or a device name like `CON`), becomes a readable
//! prefix of its plain characters plus `~` and 16 hex digits of the SHA-256 of the whole id:
//! at most 65 bytes, the same on every run, never `.` or `..`, and never equal to another id's
//! name, however the two differ (after the cut, or only in case, which a case-insensitive file
//! system would not tell apart). The real id is kept inside the files (the generic CSV's
//! `report` column, the Markdown, the JSON) and on the first line of `SHA256SUMS`.

use sha2::{Digest, Sha256};

use super::CsvPreset;
use crate::fingerprint::hex;

/// The longest id kept as its own name: every plain id the import accepts (128 characters).
const PLAIN_MAX: usize = 128;
/// The readable part of a hashed name, in bytes.
const PREFIX_MAX: usize = 48;
/// Hex digits of the id's SHA-256 in a hashed name (64 bits).
const HASH_DIGITS: usize = 16;

/// The folder name of report `id`, also the stem of its files' names.
pub fn report_name(id: &str) -> String {
    match is_plain(id) {
        true => id.to_owned(),
        false => hashed_name(id),
    }
}

/// The name an id takes when it is not plain, or when its plain name is taken by another
/// report's folder (a case-insensitive file system): always distinct from any plain name,
/// since plain names hold no `~`.
pub fn hashed_name(id: &str) -> String {
    // Letters, digits and `-` as they are; each run of anything else one `_`, none at the
    // ends: `../../q1 scan` reads `q1_scan`.
    let mut prefix = String::new();
    for c in id.chars() {
        if prefix.len() >= PREFIX_MAX {
            break;
        }
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' => prefix.push(c),
            _ if !prefix.is_empty() && !prefix.ends_with('_') => prefix.push('_'),
            _ => {}
        }
    }
    while prefix.ends_with('_') {
        prefix.pop();
    }
    if prefix.is_empty() {
        prefix.push_str("report");
    }
    let digest = hex(&Sha256::digest(id.as_bytes()));
    format!("{prefix}~{}", &digest[..HASH_DIGITS])
}

/// Whether `id` can be its own name on this platform.
fn is_plain(id: &str) -> bool {
    let chars_ok = id
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0));
    !id.is_empty() && id.len() <= PLAIN_MAX && chars_ok && !(cfg!(windows) && windows_reserved(id))
}

/// Names Windows will not create: a trailing dot (dropped silently) and the device names, with
/// or without an extension.
fn windows_reserved(id: &str) -> bool {
    let base = id.split('.').next().unwrap_or(id).to_ascii_uppercase();
    let device = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ["COM", "LPT"].iter().any(|p| {
            base.strip_prefix(p)
                .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit() && n != "0")
        });
    id.ends_with('.') || device
}

/// The first line of a report's `SHA256SUMS`: the real report id, JSON-quoted. `sha256sum -c`
/// and `shasum -c` skip lines that start with `#`.
pub fn manifest_header(id: &str) -> String {
    format!(
        "# ticket-export report_id: {}",
        serde_json::to_string(id).unwrap_or_default()
    )
}

/// The report id a manifest's first line names, if it has one.
pub fn manifest_report_id(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let quoted = line.strip_prefix("# ticket-export report_id: ")?;
    serde_json::from_str(quoted).ok()
}

/// Whether `name` is one this tool gives a file of the report whose name is `stem`: its CSV
/// (generic, per preset, or a numbered Azure DevOps part), Markdown or JSON file. Any other file
/// in the folder is the customer's: never listed, never removed.
pub fn is_own_file(stem: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(stem).and_then(|r| r.strip_prefix('.')) else {
        return false;
    };
    if matches!(rest, "csv" | "md" | "json") {
        return true;
    }
    let Some(middle) = rest.strip_suffix(".csv") else {
        return false;
    };
    let presets = [
        CsvPreset::Jira,
        CsvPreset::Gitlab,
        CsvPreset::AzureDevops,
        CsvPreset::Asana,
    ];
    presets.iter().any(|p| {
        let Some(part) = middle.strip_prefix(p.as_str()) else {
            return false;
        };
        match p.rows_per_file() {
            Some(_) => part
                .strip_prefix('.')
                .is_some_and(|n| n.len() >= 3 && n.bytes().all(|b| b.is_ascii_digit())),
            None => part.is_empty(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portable::write::check_component;

    #[test]
    fn plain_ids_keep_their_names() {
        for id in ["rep_1042", "REP-7", "a.b", "x".repeat(128).as_str()] {
            assert_eq!(report_name(id), id);
        }
    }

    /// Was: a long or non-ASCII id was percent-encoded to a name over 255 bytes, and every
    /// `fallback` run failed while triage kept saying "ready (fallback)".
    #[test]
    fn other_ids_get_a_bounded_safe_stable_name() {
        let long_unicode = "é".repeat(128);
        let cases = [
            "../../etc/passwd",
            "..",
            ".hidden",
            "",
            "a b",
            "rep/2026/q1",
            long_unicode.as_str(),
            "x\u{0}y",
            "CON\\x",
        ];
        for id in cases {
            let name = report_name(id);
            check_component(&name).unwrap();
            assert!(name.len() <= 65, "{id:?} -> {name} ({} bytes)", name.len());
            assert!(name.contains('~'), "{name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)),
                "{name}"
            );
            assert!(!name.starts_with('.'), "{name}");
            assert_eq!(report_name(id), name, "stable");
            // The longest file name of a set, and its temporary file, stay far below 255.
            assert!(format!(".{name}.azure-devops.001.csv.XXXXXX.tmp").len() < 120);
        }
        assert_eq!(
            report_name("a b"),
            format!("a_b~{}", &report_name("a b")[4..])
        );
        assert!(report_name("rep/2026/q1").starts_with("rep_2026_q1~"));
        assert!(report_name("../../escape").starts_with("escape~"));
        assert!(report_name("..").starts_with("report~"));
    }

    #[test]
    fn names_never_collide_after_the_cut_or_in_case() {
        let base = "é".repeat(100);
        let a = report_name(&format!("{base}a"));
        let b = report_name(&format!("{base}b"));
        assert_ne!(a, b, "ids that differ only after the cut");
        assert_ne!(
            report_name("Rapport Q1").to_lowercase(),
            report_name("rapport q1").to_lowercase(),
            "ids that differ only in case differ even on a case-insensitive file system"
        );
        assert_ne!(hashed_name("rep_1"), report_name("rep_1"));
    }

    #[test]
    fn windows_device_names_are_recognised() {
        for id in ["CON", "nul", "Com1", "lpt9.txt", "rep."] {
            assert!(windows_reserved(id), "{id}");
        }
        for id in ["CONSOLE", "COM0", "COM10", "rep_1", "nullable"] {
            assert!(!windows_reserved(id), "{id}");
        }
    }

    #[test]
    fn the_manifest_names_its_report() {
        for id in ["rep_1", "a  b\n# x", "é/../\"q\""] {
            let header = manifest_header(id);
            assert!(
                header.starts_with('#') && !header.contains('\n'),
                "{header}"
            );
            assert_eq!(
                manifest_report_id(&format!("{header}\nabc  x.csv\n")).as_deref(),
                Some(id)
            );
        }
        assert_eq!(manifest_report_id("abc  rep.csv\n"), None);
    }

    #[test]
    fn own_files_are_told_from_the_customers() {
        for name in [
            "r.csv",
            "r.md",
            "r.json",
            "r.jira.csv",
            "r.gitlab.csv",
            "r.asana.csv",
            "r.azure-devops.001.csv",
            "r.azure-devops.1000.csv",
        ] {
            assert!(is_own_file("r", name), "{name}");
        }
        for name in [
            "SHA256SUMS",
            "notes.txt",
            "r.txt",
            "r.csv.bak",
            "r.generic.csv",
            "r.azure-devops.csv",
            "r.azure-devops.01.csv",
            "r.jira.001.csv",
            "r2.csv",
            "rr.csv",
            ".r.csv.ab12.tmp",
        ] {
            assert!(!is_own_file("r", name), "{name}");
        }
    }

    /// A case-insensitive file system shows `REP_1`'s folder as `rep_1`: its manifest names the
    /// report it holds, and another report takes its hashed name instead of mixing files.
    #[test]
    fn a_folder_holding_another_reports_files_is_not_shared() {
        let tmp = tempfile::tempdir().unwrap();
        let out = crate::portable::write::OutDir::prepare(tmp.path()).unwrap();
        let taken = out.root().join("rep_1");
        std::fs::create_dir(&taken).unwrap();
        let manifest = taken.join(crate::portable::export::MANIFEST);
        std::fs::write(&manifest, format!("{}\n", manifest_header("REP_1"))).unwrap();
        let dir = out.report_dir("rep_1").unwrap();
        assert_eq!(dir.name(), hashed_name("rep_1"));
        assert_eq!(out.report_path("rep_1"), dir.path());
        // Its own manifest, or one of an earlier version without the header: the plain name.
        std::fs::write(&manifest, format!("{}\n", manifest_header("rep_1"))).unwrap();
        assert_eq!(out.report_dir("rep_1").unwrap().name(), "rep_1");
        std::fs::write(&manifest, "abc  rep_1.csv\n").unwrap();
        assert_eq!(out.report_dir("rep_1").unwrap().name(), "rep_1");
    }
}
