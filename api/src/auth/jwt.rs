//! Access tokens: HS256 JWTs of at most 15 minutes. The algorithm is pinned, `kid` selects the
//! key (the first configured key signs, the others only verify, for rotation), and `iss`, `aud`,
//! `exp`, `iat`, `sub`, `jti` and `typ` are validated on every request.

use std::collections::HashMap;

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};

pub const TYPE_USER: &str = "access";
pub const TYPE_CLIENT: &str = "client";
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id, or machine client id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// `access` (a person's session) or `client` (a machine client).
    pub typ: String,
    /// Session id, for a person's token: revoking the session kills the token at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The account's token version when issued; disabling or a password change bumps it.
    pub ver: i32,
    /// For a token issued to a third-party app: its `client_id` (RFC 9068). The server reads
    /// the grant's app and scopes from the session, never from these claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The granted scopes, space-separated (RFC 9068), for an app's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A signed value of the sign-in pages (the browser's sign-in, a form's anti-forgery token):
/// signed with the same keys for another audience, so none is ever taken for an access token.
#[derive(Serialize, Deserialize)]
struct PageClaims<T> {
    iss: String,
    aud: String,
    exp: i64,
    iat: i64,
    typ: String,
    #[serde(flatten)]
    value: T,
}

pub struct JwtKeys {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("signing_kid", &self.signing_kid)
            .field("kids", &self.verifying.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Parses `kid:secret,kid:secret` (secrets base64, standard or URL-safe, at least 32 bytes).
pub fn parse_key_list(spec: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut keys = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (kid, secret) = item.split_once(':').ok_or_else(|| "each key is kid:base64secret".to_owned())?;
        let kid = kid.trim();
        if kid.is_empty() || kid.len() > 64 || !kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!("key id {kid:?} must be 1-64 letters, digits, - or _"));
        }
        let secret = secret.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(secret))
            .map_err(|_| format!("key {kid}: secret is not base64"))?;
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(format!("key {kid}: secret must be at least {MIN_SECRET_BYTES} bytes"));
        }
        if keys.iter().any(|(k, _): &(String, Vec<u8>)| k == kid) {
            return Err(format!("key id {kid} appears twice"));
        }
        keys.push((kid.to_owned(), bytes));
    }
    if keys.is_empty() {
        return Err("no key given".into());
    }
    Ok(keys)
}

impl JwtKeys {
    /// The first key signs; all verify.
    pub fn new(keys: &[(String, Vec<u8>)], issuer: &str, audience: &str) -> Result<JwtKeys, String> {
        let (signing_kid, signing_secret) = keys.first().ok_or("no signing key")?;
        let signing = EncodingKey::from_secret(signing_secret).map_err(|e| e.to_string())?;
        let mut verifying = HashMap::new();
        for (kid, secret) in keys {
            verifying.insert(kid.clone(), DecodingKey::from_secret(secret).map_err(|e| e.to_string())?);
        }
        Ok(JwtKeys {
            signing_kid: signing_kid.clone(),
            signing,
            verifying,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        header.typ = Some("JWT".into());
        encode(&header, claims, &self.signing).map_err(|e| e.to_string())
    }

    fn pages_audience(&self) -> String {
        format!("{}:oauth-pages", self.audience)
    }

    /// Signs `value` as a page value of type `typ` living `lifetime_s` seconds.
    pub fn sign_page_value<T: Serialize>(&self, typ: &str, lifetime_s: i64, value: T) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = PageClaims {
            iss: self.issuer.clone(),
            aud: self.pages_audience(),
            exp: now + lifetime_s,
            iat: now,
            typ: typ.to_owned(),
            value,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        encode(&header, &claims, &self.signing).map_err(|e| e.to_string())
    }

    /// The value of a page token of type `typ`, if it is genuine and unexpired.
    pub fn verify_page_value<T: serde::de::DeserializeOwned>(&self, typ: &str, token: &str) -> Option<T> {
        let header = decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = self.verifying.get(header.kid.as_deref()?)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[self.pages_audience()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        validation.leeway = 5;
        let claims = decode::<PageClaims<T>>(token, key, &validation).ok()?.claims;
        (claims.typ == typ).then_some(claims.value)
    }

    /// The claims of a valid token; `None` for anything else (the reason is not the caller's
    /// business: every failure is the same 401).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = self.verifying.get(header.kid.as_deref()?)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let claims = decode::<Claims>(token, key, &validation).ok()?.claims;
        (claims.typ == TYPE_USER || claims.typ == TYPE_CLIENT).then_some(claims)
    }
}
