//! Password hashing (argon2id, PHC strings) and the password policy.
//!
//! Hashing and verifying are CPU-bound (tens of milliseconds by design); callers run them on
//! the blocking pool, never on an async worker.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::http::{FieldIssue, Text};
use crate::text::fold::fold;

/// OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1); configuration may only raise it.
pub const MIN_MEMORY_KIB: u32 = 19_456;
pub const MIN_ITERATIONS: u32 = 2;
pub const MIN_LENGTH: usize = 8;
/// Long passphrases are welcome and never truncated; beyond this a request is refused.
pub const MAX_LENGTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams { memory_kib: MIN_MEMORY_KIB, iterations: MIN_ITERATIONS }
    }
}

fn hasher(params: HashParams) -> Result<Argon2<'static>, String> {
    let params = Params::new(params.memory_kib, params.iterations, 1, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with a fresh salt.
pub fn hash(password: &str, params: HashParams) -> Result<String, String> {
    hasher(params)?.hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string (using the parameters stored in it).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Verifies against a fixed hash, so an unknown user name costs as much time as a real one.
pub fn verify_dummy(password: &str, params: HashParams) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("chihoi dummy password for timing", params).unwrap_or_default());
    let _ = verify(password, phc);
}

/// Whether a stored hash was made with weaker parameters than `params` (or another algorithm).
pub fn needs_rehash(phc: &str, params: HashParams) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(stored) => stored.m_cost() < params.memory_kib || stored.t_cost() < params.iterations,
        Err(_) => true,
    }
}

fn common_passwords() -> &'static HashSet<String> {
    static LIST: OnceLock<HashSet<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common-passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(comparison_key)
            .collect()
    })
}

/// Lowercase, without diacritics or spaces: "Mật Khẩu 123" and "matkhau123" are the same.
fn comparison_key(text: &str) -> String {
    fold(text).replace(' ', "")
}

/// The policy: 8–256 characters, not a common password, not the user name.
pub fn policy_issue(field: &str, password: &str, username: &str) -> Option<FieldIssue> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some(FieldIssue::new(
            field,
            "too_short",
            Text::new("Mật khẩu phải có ít nhất 8 ký tự.", "The password needs at least 8 characters."),
        ));
    }
    if length > MAX_LENGTH {
        return Some(FieldIssue::new(
            field,
            "too_long",
            Text::new("Mật khẩu tối đa 256 ký tự.", "The password may have at most 256 characters."),
        ));
    }
    let key = comparison_key(password);
    if common_passwords().contains(&key) || key == comparison_key(username) {
        return Some(FieldIssue::new(
            field,
            "too_common",
            Text::new(
                "Mật khẩu này quá phổ biến hoặc trùng tên đăng nhập; hãy chọn một cụm từ khó đoán hơn.",
                "This password is too common or equals the user name; choose a less guessable phrase.",
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_at_least_owasp_parameters() {
        let phc = hash("a long enough passphrase", HashParams::default()).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("a long enough passphrase", &phc));
        assert!(!verify("a long enough passphrasE", &phc));
        assert!(!needs_rehash(&phc, HashParams::default()));
        assert!(needs_rehash(&phc, HashParams { memory_kib: 65_536, iterations: 2 }));
    }

    #[test]
    fn policy_refuses_short_common_and_own_name() {
        assert_eq!(policy_issue("p", "short", "u").unwrap().code, "too_short");
        assert_eq!(policy_issue("p", "password123", "u").unwrap().code, "too_common");
        assert_eq!(policy_issue("p", "Mật Khẩu 123", "u").unwrap().code, "too_common");
        assert_eq!(policy_issue("p", "hoa.nguyen", "hoa.nguyen").unwrap().code, "too_common");
        assert_eq!(policy_issue("p", &"x".repeat(257), "u").unwrap().code, "too_long");
        assert!(policy_issue("p", "Ấp Rẫy có 3 biết", "u").is_none());
        // Never truncated: a 200-character passphrase counts in full.
        let long = "đ".repeat(200);
        let phc = hash(&long, HashParams::default()).unwrap();
        assert!(!verify(&"đ".repeat(199), &phc));
    }
}
