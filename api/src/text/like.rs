//! `LIKE` patterns from text people type: `%`, `_` and `\` are letters to them, not wildcards.

/// `text` with the `LIKE` wildcards and the escape character escaped (PostgreSQL's default
/// escape, `\`), so that a pattern built from it matches the text literally.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn wildcards_become_letters() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
        assert_eq!(escape_like("thi lan"), "thi lan");
    }
}
