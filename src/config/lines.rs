//! Where a key is written in the config text, so that a problem points at the offending key's
//! line, not at the header of its table.

use toml::de::{DeTable, DeValue};

/// The config text's keys with their positions, read once for all the problems of a load.
pub(super) struct KeyLines<'t> {
    text: &'t str,
    doc: Option<toml::Spanned<DeTable<'t>>>,
}

impl<'t> KeyLines<'t> {
    pub fn new(text: &'t str) -> Self {
        KeyLines {
            text,
            doc: DeTable::parse(text).ok(),
        }
    }

    /// The line of the deepest key of `path` that is written (`providers.gh.mapping.repo`
    /// falls back to `mapping`'s line when `repo` is missing, then to the table's header).
    pub fn line(&self, path: &[&str]) -> Option<usize> {
        let mut table = self.doc.as_ref()?.get_ref();
        let mut line = None;
        for name in path {
            let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *name)
            else {
                break;
            };
            line = Some(line_of(self.text, key.span().start));
            match value.get_ref() {
                DeValue::Table(inner) => table = inner,
                _ => break,
            }
        }
        line
    }

    /// The line of the key a problem about the table at `prefix` names first: problems start
    /// with the key they are about (`base_url is not a URL …`, `mapping.repo is required …`).
    pub fn problem_line(&self, prefix: &[&str], problem: &str) -> Option<usize> {
        let named: String = problem
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let mut path = prefix.to_vec();
        path.extend(named.split('.').filter(|s| !s.is_empty()));
        self.line(&path)
    }
}

/// The 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_points_at_its_key_or_the_nearest_written_one() {
        let text = "mode = \"cloud\"\n\n[providers.gh]\nkind = \"github\"\nbase_url = \"x\"\nmapping = { labels = [] }\n\n[fallback]\nafter = \"soon\"\n";
        let lines = KeyLines::new(text);
        let gh = ["providers", "gh"];
        assert_eq!(lines.problem_line(&gh, "base_url is not a URL"), Some(5));
        assert_eq!(lines.problem_line(&gh, "mapping.repo is required"), Some(6));
        assert_eq!(lines.problem_line(&gh, "owned is empty: list"), Some(3));
        assert_eq!(lines.problem_line(&gh, "provider key \"x\" may"), Some(3));
        assert_eq!(lines.problem_line(&[], "fallback.after is not"), Some(9));
    }
}
