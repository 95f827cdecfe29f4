//! Vietnamese personal names: NFC, single spaces, and one tone-mark placement, so that "Hoà"
//! and "Hòa" are stored alike (the traditional placement, "Hòa", "Thúy", "Khỏe").

use unicode_normalization::UnicodeNormalization;

/// Tone marks as combining characters.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Moves a tone from the last to the first vowel of a syllable that ends in "oa", "oe" or "uy"
/// (not "qu-": in "quý" the u belongs to the consonant).
fn place_tone(syllable: &str) -> String {
    let decomposed: Vec<char> = syllable.nfd().collect();
    let bases: Vec<(usize, char)> = decomposed
        .iter()
        .enumerate()
        .filter(|(_, c)| !unicode_normalization::char::is_combining_mark(**c))
        .map(|(i, c)| (i, *c))
        .collect();
    if bases.len() < 2 {
        return syllable.nfc().collect();
    }
    let (first_at, first) = bases[bases.len() - 2];
    let (last_at, last) = bases[bases.len() - 1];
    let pair: String = [first, last].iter().flat_map(|c| c.to_lowercase()).collect();
    let after_q = bases.len() >= 3 && bases[bases.len() - 3].1.eq_ignore_ascii_case(&'q');
    if !matches!(pair.as_str(), "oa" | "oe" | "uy") || after_q {
        return syllable.nfc().collect();
    }
    // Only move a tone found on the last vowel, when the first vowel carries no mark at all.
    let first_marks = &decomposed[first_at + 1..last_at];
    let tone_at = decomposed[last_at + 1..].iter().position(|c| TONES.contains(c)).map(|i| i + last_at + 1);
    match tone_at {
        Some(at) if first_marks.is_empty() => {
            let tone = decomposed[at];
            let mut out: Vec<char> = Vec::with_capacity(decomposed.len());
            for (i, c) in decomposed.iter().enumerate() {
                if i == at {
                    continue;
                }
                out.push(*c);
                if i == first_at {
                    out.push(tone);
                }
            }
            out.into_iter().nfc().collect()
        }
        _ => syllable.nfc().collect(),
    }
}

/// A name part as stored: trimmed, single-spaced, NFC, traditional tone placement.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().map(place_tone).collect::<Vec<_>>().join(" ")
}

/// Whether a normalized name part looks like a name: letters, spaces, apostrophes and hyphens.
pub fn is_plausible(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 50
        && text.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tone_placement_for_oa_oe_uy() {
        assert_eq!(normalize("Hoà"), "Hòa");
        assert_eq!(normalize("Hòa"), "Hòa");
        assert_eq!(normalize("Thuý"), "Thúy");
        assert_eq!(normalize("khoẻ"), "khỏe");
        assert_eq!(normalize("Hoàng"), "Hoàng", "with a final consonant the tone stays");
        assert_eq!(normalize("Quý"), "Quý", "qu- keeps its tone");
        assert_eq!(normalize("  Nguyễn   Thị  "), "Nguyễn Thị");
        // Decomposed input (as some phones send it) comes out composed.
        assert_eq!(normalize("Nguye\u{302}\u{303}n"), "Nguyễn");
    }

    #[test]
    fn plausibility() {
        assert!(is_plausible("Nguyễn Thị"));
        assert!(is_plausible("H'Hen"));
        assert!(!is_plausible("Hoa1"));
        assert!(!is_plausible(""));
    }
}
