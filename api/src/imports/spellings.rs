//! The usual spellings of the official ethnicity and religion names. A spreadsheet typed in a
//! commune writes "Khmer", "Khơ Me", "dân tộc Kinh", "H'Mông" or "Thiên Chúa giáo" as often as
//! the list's "Khơ-me", "Kinh", "Mông" or "Công giáo"; an export must import back as well.

use crate::text::fold::fold;

/// A name reduced to its letters: folded, without "dân tộc"/"người"/"đạo" in front, and
/// without hyphens, apostrophes and spaces ("Khơ-me", "Khơ Me" and "khome" meet).
pub fn name_key(text: &str) -> String {
    let folded = fold(text);
    let mut rest = folded.as_str();
    for prefix in ["dan toc ", "nguoi ", "ton giao ", "dao "] {
        if let Some(stripped) = rest.strip_prefix(prefix) {
            rest = stripped;
        }
    }
    rest.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Spellings (as `name_key`s) that are not the list's name: (spelling, official code).
pub const ETHNICITY_ALIASES: &[(&str, &str)] = &[
    ("viet", "01"),
    ("han", "04"),
    ("khmer", "05"),
    ("khomer", "05"),
    ("hmong", "08"),
    ("meo", "08"),
    ("yao", "09"),
    ("jrai", "10"),
    ("rhade", "12"),
    ("bahnar", "13"),
    ("sedang", "14"),
    ("koho", "16"),
    ("kho", "16"),
    ("cham", "17"),
    ("mnong", "20"),
    ("raglai", "21"),
    ("stieng", "22"),
    ("bruvankieu", "23"),
    ("vankieu", "23"),
    ("katu", "26"),
    ("khmu", "29"),
    ("taoi", "31"),
    ("churu", "36"),
];

/// Religions as commonly written.
pub const RELIGION_ALIASES: &[(&str, &str)] = &[
    ("khong", "00"),
    ("none", "00"),
    ("phat", "01"),
    ("buddhism", "01"),
    ("thienchua", "02"),
    ("thienchuagiao", "02"),
    ("catholic", "02"),
    ("tinlanh", "03"),
    ("protestant", "03"),
    ("caodai", "04"),
    ("hoahao", "05"),
    ("hoi", "06"),
    ("islam", "06"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_spellings_meet_the_official_name() {
        assert_eq!(name_key("Khơ-me"), name_key("Khơ Me"));
        assert_eq!(name_key("dân tộc Kinh"), "kinh");
        assert_eq!(name_key("H'Mông"), "hmong");
        assert_eq!(name_key("Người Khmer"), "khmer");
        assert_eq!(name_key("Gia Rai"), name_key("Gia-rai"));
    }
}
