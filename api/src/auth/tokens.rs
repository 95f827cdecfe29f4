//! Opaque secrets (refresh tokens, API tokens, client secrets): random, recognisable by their
//! prefix, stored only as SHA-256 (they carry 256 bits of entropy, so a fast hash is enough).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const REFRESH_PREFIX: &str = "chr_";
pub const API_TOKEN_PREFIX: &str = "chh_";
pub const CLIENT_SECRET_PREFIX: &str = "chs_";
/// How many characters of a secret are kept in clear to recognise it in lists.
const SHOWN_CHARS: usize = 8;

/// A new random secret with `prefix`.
pub fn generate(prefix: &str) -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The recognisable beginning of a secret, e.g. `chh_Xy3kP9aB`.
pub fn shown_part(secret: &str) -> String {
    secret.chars().take(4 + SHOWN_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_hashed() {
        let a = generate(API_TOKEN_PREFIX).unwrap();
        let b = generate(API_TOKEN_PREFIX).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("chh_") && a.len() == 4 + 43);
        assert_eq!(digest(&a).len(), 32);
        assert_eq!(shown_part(&a).len(), 12);
    }
}
