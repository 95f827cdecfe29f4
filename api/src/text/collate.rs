//! A sort key that orders Vietnamese words the Vietnamese way: by the alphabet
//! a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, then by tone (none, huyền, hỏi,
//! ngã, sắc, nặng), comparing bytes. PostgreSQL sorts such keys with a plain B-tree under the
//! "C" collation, with no dependency on the server's ICU or locale.

use unicode_normalization::UnicodeNormalization;

const ALPHABET: [&str; 29] = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s",
    "t", "u", "ư", "v", "x", "y",
];

/// Tone of a combining mark, by rank (0 = no tone).
fn tone_rank(mark: char) -> Option<u8> {
    match mark {
        '\u{300}' => Some(1), // huyền
        '\u{309}' => Some(2), // hỏi
        '\u{303}' => Some(3), // ngã
        '\u{301}' => Some(4), // sắc
        '\u{323}' => Some(5), // nặng
        _ => None,
    }
}

/// Splits a lowercase NFD character run into (letter with its vowel marks, tone).
fn letters(word: &str) -> Vec<(String, u8)> {
    let mut out: Vec<(String, u8)> = Vec::new();
    for c in word.to_lowercase().nfd() {
        if let Some(rank) = tone_rank(c) {
            if let Some(last) = out.last_mut() {
                last.1 = rank;
            }
        } else if unicode_normalization::char::is_combining_mark(c) {
            if let Some(last) = out.last_mut() {
                last.0.push(c);
            }
        } else {
            out.push((c.to_string(), 0));
        }
    }
    out
}

/// Primary weight of a letter: its place in the Vietnamese alphabet, else after all of them.
fn primary(letter: &str) -> Vec<u8> {
    let composed: String = letter.nfc().collect();
    match ALPHABET.iter().position(|l| *l == composed) {
        Some(i) => vec![0x20 + u8::try_from(i).unwrap_or(0)],
        None => {
            // Digits, other scripts, punctuation: after letters, in code point order.
            let mut bytes = vec![0x60];
            bytes.extend(composed.bytes().map(|b| b.max(0x02)));
            bytes
        }
    }
}

/// The key of one name part (e.g. a given name).
pub fn word_key(text: &str) -> Vec<u8> {
    let letters = letters(text.trim());
    let mut key: Vec<u8> = letters.iter().flat_map(|(l, _)| primary(l)).collect();
    key.push(0x01);
    key.extend(letters.iter().map(|(_, tone)| 0x10 + tone));
    key
}

/// The sort key of a text of several words (a unit's name): the letters of every word first,
/// word by word, then the tones, so that tone marks only break ties ("ấp Tân Phú" before
/// "ấp Thử", "Chi hội ấp" before "Chi hội thử").
pub fn text_key(text: &str) -> Vec<u8> {
    let words: Vec<Vec<(String, u8)>> = text.split_whitespace().map(letters).collect();
    let mut key = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            key.push(0x02);
        }
        key.extend(word.iter().flat_map(|(l, _)| primary(l)));
    }
    key.push(0x01);
    for word in &words {
        key.extend(word.iter().map(|(_, tone)| 0x10 + tone));
    }
    key
}

/// `text_key` hex-encoded, for a text column sorted under the "C" collation (org units).
pub fn text_sort_key(text: &str) -> String {
    text_key(text).iter().map(|b| format!("{b:02x}")).collect()
}

/// Vietnamese order of two texts (unit names); the exact text breaks what is left of a tie.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    text_key(a).cmp(&text_key(b)).then_with(|| a.cmp(b))
}

/// The sort key of a person: given name, then middle name, then family name (the Vietnamese
/// convention for lists), hex-encoded so it can live in a text column.
pub fn person_sort_key(family: &str, middle: &str, given: &str) -> String {
    let mut key = word_key(given);
    key.push(0x00);
    key.extend(word_key(middle));
    key.push(0x00);
    key.extend(word_key(family));
    key.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_sort_the_vietnamese_way() {
        let mut names = vec!["Chi hội thử", "Chi hội ấp Rẫy", "ấp Thử", "ấp Tân Phú", "Chi hội", "Hoà An", "Hoa Bình"];
        names.sort_by(|a, b| compare(a, b));
        assert_eq!(names, ["ấp Tân Phú", "ấp Thử", "Chi hội", "Chi hội ấp Rẫy", "Chi hội thử", "Hoà An", "Hoa Bình"]);
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<&str> = names.to_vec();
        v.sort_by_key(|n| word_key(n));
        v.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn letters_follow_the_vietnamese_alphabet() {
        assert_eq!(
            sorted(&["Đào", "Dung", "Em", "Ánh", "Ân", "Ăn", "An"]),
            ["An", "Ánh", "Ăn", "Ân", "Dung", "Đào", "Em"]
        );
        assert_eq!(sorted(&["Ơn", "Ông", "Oanh"]), ["Oanh", "Ông", "Ơn"]);
    }

    #[test]
    fn tones_order_after_letters() {
        assert_eq!(
            sorted(&["Hạnh", "Hanh", "Hành", "Hánh", "Hãnh", "Hảnh"]),
            ["Hanh", "Hành", "Hảnh", "Hãnh", "Hánh", "Hạnh"]
        );
        assert_eq!(sorted(&["Hoà", "Hoa", "Hóa"]), ["Hoa", "Hoà", "Hóa"]);
    }

    #[test]
    fn people_sort_by_given_then_middle_then_family() {
        let mut people =
            [("Trần", "Thị", "Hoa"), ("Nguyễn", "Thị", "Anh"), ("Lê", "Văn", "Hoa"), ("Nguyễn", "Thị", "Hoa")];
        people.sort_by_key(|(f, m, g)| person_sort_key(f, m, g));
        assert_eq!(
            people,
            [("Nguyễn", "Thị", "Anh"), ("Nguyễn", "Thị", "Hoa"), ("Trần", "Thị", "Hoa"), ("Lê", "Văn", "Hoa")]
        );
    }
}
