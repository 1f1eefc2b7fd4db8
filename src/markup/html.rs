//! Escaping text for HTML, shared by Azure DevOps descriptions and the Azure CSV preset.

/// Escapes text for HTML element content and attribute values: nothing in it can open a tag,
/// a comment or an entity.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appended to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A NUL ends the text in some sanitisers.
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_become_entities() {
        assert_eq!(
            super::escape(r#"<script>alert('x')</script><!-- c --><a href="javascript:x">&amp;"#),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;!-- c --&gt;&lt;a href=&quot;javascript:x&quot;&gt;&amp;amp;"
        );
    }
}
