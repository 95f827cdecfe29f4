//! Vietnamese phone numbers: the national form (mobiles 03x, 05x, 07x, 08x, 09x with 10 digits;
//! landlines 02x with 11 digits), stored in international form `+84…`.

pub fn normalize(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() >= 9 && !digits.starts_with("840")) {
        format!("0{rest}")
    } else {
        digits
    };
    if !national.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mobile = national.len() == 10 && matches!(&national[..2], "03" | "05" | "07" | "08" | "09");
    let landline = national.len() == 11 && national.starts_with("02");
    (mobile || landline).then(|| format!("+84{}", &national[1..]))
}

/// The national form for display and spreadsheets: `0912345678`.
pub fn national(stored: &str) -> String {
    stored.strip_prefix("+84").map_or_else(|| stored.to_owned(), |rest| format!("0{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_to_international_form() {
        assert_eq!(normalize("0912 345 678").as_deref(), Some("+84912345678"));
        assert_eq!(normalize("+84 912.345.678").as_deref(), Some("+84912345678"));
        assert_eq!(normalize("84912345678").as_deref(), Some("+84912345678"));
        assert_eq!(normalize("0275 3822 123").as_deref(), Some("+842753822123"));
        assert_eq!(normalize("0112345678"), None);
        assert_eq!(normalize("091234567"), None);
        assert_eq!(normalize("09123456789"), None);
        assert_eq!(national("+84912345678"), "0912345678");
    }
}
