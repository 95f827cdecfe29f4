//! Where deliveries may go. In production a URL may not point at loopback, private, link-local
//! or otherwise internal addresses (SSRF), checked when subscribing and again before each
//! delivery (the name may resolve elsewhere later); `CHIHOI_WEBHOOK_ALLOW_PRIVATE` lifts this
//! for tests and closed networks.

use std::net::IpAddr;

use crate::http::{ApiError, Text};

fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]) // carrier-grade NAT
                || v4.octets()[0] == 0
                || v4.octets()[0] == 198 && (18..20).contains(&v4.octets()[1]) // benchmarking 198.18/15
                || v4.octets()[0] >= 240 // reserved 240/4
                || v4.octets()[..3] == [192, 0, 0] // IETF protocol assignments
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link local
                || (v6.segments()[0] & 0xffc0) == 0xfec0 // site local (deprecated)
                || v6.to_ipv4_mapped().is_some_and(|v4| internal(IpAddr::V4(v4)))
                // IPv4 inside IPv6, which a gateway turns back into IPv4: the deprecated
                // compatible form ::a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16. Any of them
                // may reach an internal IPv4 address, and no public webhook needs them.
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]
                || v6.segments()[..2] == [0x64, 0xff9b]
                || v6.segments()[0] == 0x2002
        }
    }
}

fn refused(code: &'static str, vi: &'static str, en: &'static str) -> ApiError {
    ApiError::invalid_field("url", code, Text::new(vi, en))
}

/// Checks the URL's form, and (unless allowed) that every address its host resolves to is public.
pub async fn check(url: &str, allow_private: bool) -> Result<(), ApiError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| refused("invalid_url", "URL không hợp lệ.", "Not a valid URL."))?;
    if !matches!(parsed.scheme(), "https" | "http") || url.len() > 2000 || !parsed.username().is_empty() {
        return Err(refused(
            "invalid_url",
            "Chỉ nhận URL http(s) không kèm tài khoản.",
            "Only http(s) URLs without credentials.",
        ));
    }
    if !allow_private && parsed.scheme() != "https" {
        return Err(refused("https_required", "Cần URL https.", "An https URL is required."));
    }
    let host = parsed.host_str().ok_or_else(|| refused("invalid_url", "URL thiếu tên máy.", "The URL has no host."))?;
    if allow_private {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| refused("unresolvable", "Không phân giải được tên máy.", "The host name does not resolve."))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() || addresses.into_iter().any(internal) {
        return Err(refused(
            "internal_address",
            "Không được gửi tới địa chỉ nội bộ (loopback, mạng riêng).",
            "Deliveries may not target internal addresses (loopback, private networks).",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_addresses_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.1.2.3/x",
            "https://169.254.169.254/latest",
            "https://[::1]/x",
            "https://192.168.1.10/x",
            "https://100.64.0.1/x",
            "https://[::ffff:127.0.0.1]/x",
            "http://203.0.113.9/x",
            "https://[::127.0.0.1]/x",
            "https://[64:ff9b::7f00:1]/x",
            "https://[2002:7f00:1::]/x",
            "https://198.18.0.1/x",
            "https://240.0.0.1/x",
            "https://255.255.255.254/x",
        ] {
            assert!(check(url, false).await.is_err(), "{url}");
        }
        assert!(check("https://203.0.113.9/hook", false).await.is_ok());
        assert!(check("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(check("ftp://example.org/x", true).await.is_err());
        assert!(check("https://user:pw@203.0.113.9/x", false).await.is_err());
    }
}
