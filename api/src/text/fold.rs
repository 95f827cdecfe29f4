//! Folding Vietnamese text for comparison and search: "Nguyễn Thị Hòa" → "nguyen thi hoa".
//!
//! Unicode decomposition strips tone and vowel marks but leaves đ/Đ alone (it is a letter of
//! its own, not d with a mark), so it is mapped explicitly.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercase, without diacritics, đ→d, runs of whitespace collapsed to one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Nguyễn Thị Hòa"), "nguyen thi hoa");
        assert_eq!(fold("Nguyễn Thị Hoà"), "nguyen thi hoa");
        assert_eq!(fold("  Đặng   Thị  Đào "), "dang thi dao");
        assert_eq!(fold("MẬT KHẨU"), "mat khau");
    }
}
