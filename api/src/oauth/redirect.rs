//! Redirect URIs (RFC 6749 §3.1.2, RFC 8252 for native apps, RFC 9700 §4.1): what an app may
//! register, and which URI of a request matches a registered one.

use url::Url;

/// Why a URI cannot be registered.
#[derive(Debug, PartialEq, Eq)]
pub enum Unfit {
    NotAbsolute,
    Fragment,
    /// `http` only to a loopback address (127.0.0.1 or [::1]); `localhost` may resolve elsewhere.
    PlainHttp,
    /// A private-use scheme must be a reverse domain name (`vn.hoilhpn.sotay:/cb`).
    SchemeNotReverseDns,
    /// Schemes a browser would run (`javascript:`, `data:`, `file:` …).
    DangerousScheme,
    TooLong,
}

const MAX_LENGTH: usize = 512;

fn is_loopback(url: &Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "[::1]"))
}

/// Checks a URI an app registers.
pub fn check_registered(uri: &str) -> Result<(), Unfit> {
    if uri.len() > MAX_LENGTH {
        return Err(Unfit::TooLong);
    }
    let url = Url::parse(uri).map_err(|_| Unfit::NotAbsolute)?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(Unfit::Fragment);
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(Unfit::PlainHttp),
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "ftp" | "ws" | "wss" => {
            Err(Unfit::DangerousScheme)
        }
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(Unfit::SchemeNotReverseDns),
    }
}

/// Whether `asked` is `registered`: the same string, except that a loopback redirect may use
/// any port (RFC 8252 §7.3: a native app listens on a port the system gives it).
pub fn matches(registered: &str, asked: &str) -> bool {
    if registered == asked {
        return true;
    }
    let (Ok(r), Ok(a)) = (Url::parse(registered), Url::parse(asked)) else {
        return false;
    };
    is_loopback(&r)
        && is_loopback(&a)
        && r.host_str() == a.host_str()
        && r.path() == a.path()
        && r.query() == a.query()
        && a.fragment().is_none()
        && r.username().is_empty()
        && a.username().is_empty()
        && a.password().is_none()
}

/// `uri` with the response parameters added to its query (RFC 6749 §4.1.2: the registered
/// query is kept).
pub fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => uri.to_owned(),
    }
}

/// The CSP source a form may be sent on to (its redirect lands there): the scheme and host of
/// the URI, any port for loopback.
pub fn csp_source(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    match url.scheme() {
        "https" => Some(format!("https://{}", url.host_str()?)),
        "http" if is_loopback(&url) => Some(format!("http://{}:*", url.host_str()?)),
        scheme if scheme.contains('.') && scheme.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c)) => {
            Some(format!("{scheme}:"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_uris_follow_rfc_8252() {
        assert_eq!(check_registered("https://app.example.vn/cb"), Ok(()));
        assert_eq!(check_registered("http://127.0.0.1/cb"), Ok(()));
        assert_eq!(check_registered("http://[::1]:8080/cb"), Ok(()));
        assert_eq!(check_registered("vn.hoilhpn.sotay:/oauth"), Ok(()));
        assert_eq!(check_registered("http://localhost/cb"), Err(Unfit::PlainHttp));
        assert_eq!(check_registered("http://app.example.vn/cb"), Err(Unfit::PlainHttp));
        assert_eq!(check_registered("myapp:/cb"), Err(Unfit::SchemeNotReverseDns));
        assert_eq!(check_registered("javascript:alert(1)"), Err(Unfit::DangerousScheme));
        assert_eq!(check_registered("https://app.example.vn/cb#x"), Err(Unfit::Fragment));
        assert_eq!(check_registered("/cb"), Err(Unfit::NotAbsolute));
    }

    #[test]
    fn loopback_redirects_match_on_any_port_and_nothing_else_is_loose() {
        assert!(matches("http://127.0.0.1/cb", "http://127.0.0.1:51234/cb"));
        assert!(matches("http://[::1]:80/cb", "http://[::1]:9/cb"));
        assert!(!matches("http://127.0.0.1/cb", "http://127.0.0.1:5/cb/x"));
        assert!(!matches("http://127.0.0.1/cb", "http://[::1]:5/cb"));
        assert!(!matches("https://app.example.vn/cb", "https://app.example.vn:444/cb"));
        assert!(!matches("https://app.example.vn/cb", "https://app.example.vn/cb?x=1"));
        assert!(!matches("https://app.example.vn/cb", "https://APP.example.vn/cb"));
        assert!(!matches("http://127.0.0.1/cb", "http://u@127.0.0.1:5/cb"));
    }

    #[test]
    fn response_parameters_keep_the_registered_query() {
        assert_eq!(
            with_params("https://a.vn/cb?x=1", &[("code", "a b"), ("state", "s")]),
            "https://a.vn/cb?x=1&code=a+b&state=s"
        );
        assert_eq!(with_params("vn.hoilhpn.sotay:/cb", &[("code", "c")]), "vn.hoilhpn.sotay:/cb?code=c");
    }
}
