//! One spelling for a request path. A filter that compares raw strings can be walked around by
//! spelling the same route otherwise: `/api/v1/%61uth/login`, `/api/v1/x/%2e%2e/auth/login`
//! (which an HTTP client resolves to `/api/v1/auth/login`), `/api/v1/auth%2Flogin`. Here a path
//! is percent-decoded exactly once, and refused when it holds what no route of this API needs
//! (dot segments, empty segments, encoded slashes or backslashes, a `%` left after decoding,
//! control characters); what remains is re-encoded so that the server that receives it decodes
//! it back to the same segments.

/// A path cannot be given one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsafe;

/// The canonical form of `path` (no query), or `Unsafe`.
pub fn canonical_path(path: &str) -> Result<String, Unsafe> {
    let rest = path.strip_prefix('/').ok_or(Unsafe)?;
    let mut canonical = String::with_capacity(path.len());
    for raw in rest.split('/') {
        let segment = decode_once(raw)?;
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(Unsafe);
        }
        if segment.chars().any(|c| c == '/' || c == '\\' || c == '%' || c.is_control()) {
            return Err(Unsafe);
        }
        canonical.push('/');
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&byte) {
                canonical.push(byte as char);
            } else {
                canonical.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Ok(canonical)
}

fn decode_once(raw: &str) -> Result<String, Unsafe> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3).ok_or(Unsafe)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| Unsafe)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Unsafe)
}

/// The value of query parameter `name`, decoded (`format=%78lsx` is `xlsx`).
pub fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_route_is_one_path() {
        assert_eq!(canonical_path("/api/v1/%61uth/login"), Ok("/api/v1/auth/login".into()));
        assert_eq!(canonical_path("/api/v1/members/01a2"), Ok("/api/v1/members/01a2".into()));
        assert_eq!(canonical_path("/api/v1/B%C3%A1o"), Ok("/api/v1/B%C3%A1o".into()));
    }

    #[test]
    fn what_no_route_needs_is_refused() {
        for path in [
            "/api/v1/x/%2e%2e/auth/login",
            "/api/v1/x/../auth/login",
            "/api/v1/./auth",
            "/api/v1/auth%2Flogin",
            "/api/v1/auth%5clogin",
            "/api/v1//auth",
            "/api/v1/%252e%252e",
            "/api/v1/%zz",
            "/api/v1/%c3",
            "/api/v1/a%00b",
            "api/v1/members",
        ] {
            assert_eq!(canonical_path(path), Err(Unsafe), "{path}");
        }
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(query_value("unit=1&format=%78lsx", "format").as_deref(), Some("xlsx"));
        assert_eq!(query_value("unit=1", "format"), None);
    }
}
