//! Close matches for a name that is not there, so an error can say what was probably meant.

/// Up to three of `candidates` close to `wanted`: the same ignoring case, one containing the
/// other, or a few edits apart. Nearest first.
pub fn close_matches<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let distance = edit_distance(&wanted_lower, &lower);
            let contained = lower.contains(&wanted_lower) || wanted_lower.contains(&lower);
            let near = distance <= (wanted.chars().count() / 3).max(2);
            (near || contained).then_some((distance, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by_key(|(_, c)| *c);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_come_first_and_far_ones_not_at_all() {
        let names = ["rep_1042", "rep_2051", "rep_3077", "jira-sec", "gh-shop"];
        assert_eq!(close_matches("rep_1024", names), ["rep_1042"]);
        assert_eq!(close_matches("JIRA-SEC", names), ["jira-sec"]);
        assert_eq!(close_matches("jira", names), ["jira-sec"]);
        assert!(close_matches("zzzzzz", names).is_empty());
        assert_eq!(close_matches("rep_", names).len(), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
