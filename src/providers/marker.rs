//! The fingerprint marker every ticket body carries, and the one way every lookup recognises
//! it: the exact marker for the exact fingerprint on a line (or, in HTML, an element) of its
//! own, never a substring. Finding text cannot hold a marker of its own: it is escaped for each
//! format and its marker phrases are broken (`markup::outgoing`), so a line that reads as a
//! marker was written by this tool for that fingerprint.

use crate::fingerprint;
use crate::markup::html;

/// The marker line for `fingerprint`.
pub fn line(fingerprint: &str) -> String {
    fingerprint::body_marker(fingerprint)
}

/// The marker as a provider may give it back: as sent, HTML-escaped (a rich-text editor that
/// took the comment for text), or Markdown-escaped (one that converted it back to Markdown).
fn forms(fingerprint: &str) -> [String; 3] {
    let marker = line(fingerprint);
    let markdown = format!("\\{}\\>", &marker[..marker.len() - 1]);
    [html::escape(&marker), markdown, marker]
}

/// Whether a text body (Markdown, wiki markup, plain text, an Atlassian Document's text) holds
/// the marker for exactly `fingerprint` as a line of its own.
pub fn in_text(text: &str, fingerprint: &str) -> bool {
    let forms = forms(fingerprint);
    text.lines()
        .map(str::trim)
        .any(|l| forms.iter().any(|f| f == l))
}

/// The line Azure DevOps descriptions show, since Azure's sanitiser may drop the comment.
pub fn visible_line(fingerprint: &str) -> String {
    format!("WebRiskOps fingerprint: {}", html::escape(fingerprint))
}

/// Whether an HTML body (Azure DevOps) holds the marker for exactly `fingerprint`: the comment,
/// or the visible fingerprint line as the whole text of an element.
pub fn in_html(body: &str, fingerprint: &str) -> bool {
    let marker = line(fingerprint);
    if body.contains(&marker) {
        return true;
    }
    let visible = visible_line(fingerprint);
    // The text between one tag and the next; finding text never holds a raw `<`, and the
    // visible line's words are broken in finding text (`markup::neutral::markers`).
    body.split('<')
        .filter_map(|piece| piece.split_once('>').map(|(_, text)| text.trim()))
        .chain(body.split('<').next().map(str::trim))
        .any(|text| text == visible)
}

/// Whether a line is a marker line, for any fingerprint: the format converters pass it through
/// as it is, where finding text would be escaped.
pub fn is_marker_line(line: &str) -> bool {
    let line = line.trim();
    line.strip_prefix("<!-- ticket-export:fingerprint=")
        .and_then(|rest| rest.strip_suffix(" -->"))
        .is_some_and(|fp| !fp.is_empty() && !fp.contains(char::is_whitespace) && !fp.contains('>'))
}

/// Whether a provider's label or tag list holds exactly `label`.
pub fn labelled<'a>(labels: impl IntoIterator<Item = &'a str>, label: &str) -> bool {
    labels.into_iter().any(|l| l.trim() == label)
}

/// Whether a title ends with the ` [fp-…]` suffix Bitbucket issues carry for want of labels
/// (finding text inside the title may mention another label anywhere before it).
pub fn title_carries(title: &str, label: &str) -> bool {
    title.trim_end().ends_with(&format!(" [{label}]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "fp1:0123456789abcdef";

    #[test]
    fn only_the_exact_marker_on_its_own_line_counts() {
        let marker = line(FP);
        assert!(in_text(&format!("body\n\n{marker}\n"), FP));
        assert!(in_text(&format!("body\r\n  {marker}  \r\n"), FP));
        assert!(in_text(&html::escape(&marker), FP), "HTML-escaped");
        for text in [
            format!("quoted: {marker}"),
            format!("{marker} and more"),
            format!("`{marker}`"),
            format!("\\{marker}"),
            line("fp1:0123456789abcdef0"),
            line("fp1:0123456789abcde"),
            marker.replace("fingerprint", "\u{200B}fingerprint"),
        ] {
            assert!(!in_text(&text, FP), "{text:?}");
        }
    }

    #[test]
    fn html_bodies_match_the_comment_or_the_whole_visible_line() {
        let visible = format!("<p><small>{}</small></p>", visible_line(FP));
        assert!(in_html(&format!("<div>x</div>{visible}"), FP));
        assert!(in_html(&format!("<div>x</div>{}", line(FP)), FP));
        assert!(!in_html(
            &format!("<div>see {}</div>", visible_line(FP)),
            FP
        ));
        assert!(!in_html(&format!("<p>{}0</p>", visible_line(FP)), FP));
        assert!(!in_html(
            "<div>&lt;!-- ticket-export:\u{200B}fingerprint=fp1:0123456789abcdef --&gt;</div>",
            FP
        ));
    }

    #[test]
    fn marker_lines_labels_and_title_suffixes() {
        assert!(is_marker_line(&line(FP)));
        assert!(!is_marker_line("<!-- ticket-export:fingerprint=a b -->"));
        assert!(labelled(["security", "fp-0123"], "fp-0123"));
        assert!(!labelled(["fp-01234"], "fp-0123"));
        assert!(title_carries("XSS [fp-aaaa] [fp-bbbb]", "fp-bbbb"));
        assert!(!title_carries("XSS [fp-bbbb] [fp-aaaa]", "fp-bbbb"));
    }
}
