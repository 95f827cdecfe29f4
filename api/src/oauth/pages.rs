//! The sign-in pages (trang đăng nhập) an officer sees in her phone's browser when an app asks
//! for access: server-rendered HTML, a few kilobytes, no script, nothing loaded from elsewhere,
//! Vietnamese first with English a tap away.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::http::problem::OwnBody;
use crate::http::{Lang, Text};

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0;background:#f6f3f7;color:#222}\
main{max-width:26rem;margin:0 auto;padding:1rem}\
h1{font-size:1.25rem;margin:.5rem 0 1rem}\
.card{background:#fff;border-radius:.5rem;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px #0002}\
.badge{display:inline-block;min-width:2.5rem;padding:.5rem;border-radius:.5rem;background:#8a1c5c;color:#fff;font-weight:bold;text-align:center;margin-right:.5rem}\
label{display:block;margin:.75rem 0 .25rem;font-weight:600}\
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #999;border-radius:.35rem}\
button{font-size:1rem;padding:.7rem 1rem;border-radius:.35rem;border:0;margin:.75rem .5rem 0 0;cursor:pointer}\
.go{background:#8a1c5c;color:#fff}.stop{background:#ddd;color:#222}.link{background:none;color:#8a1c5c;padding:0;text-decoration:underline}\
.error{background:#fde8e8;border-left:4px solid #c00;padding:.5rem .75rem}\
.muted{color:#666;font-size:.875rem}ul{padding-left:1.2rem}li{margin:.35rem 0}\
footer{text-align:center;font-size:.875rem}a{color:#8a1c5c}";

/// The `style-src` source of the page's one style block.
fn style_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes())))
    })
}

/// Text safe inside HTML elements and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Picks the language's half of a pair of literals.
pub fn t<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A whole page. `form_target` is the CSP source the page's forms may land on after their
/// redirects (the app's redirect URI), besides this service.
pub fn page(
    status: StatusCode,
    lang: Lang,
    title: &str,
    body: &str,
    switch_language: Option<&str>,
    form_target: Option<&str>,
) -> HttpResponse {
    let lang_tag = lang.tag();
    let switch = match switch_language {
        Some(href) => format!(
            "<footer><a href=\"{}\" lang=\"{}\">{}</a></footer>",
            escape(href),
            t(lang, "en", "vi"),
            t(lang, "English", "Tiếng Việt")
        ),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=\"{lang_tag}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"referrer\" content=\"same-origin\">\
<title>{} · chihoi</title><style>{STYLE}</style></head><body><main>{body}{switch}</main></body></html>",
        escape(title)
    );
    let csp = format!(
        "default-src 'none'; style-src {}; form-action 'self'{}; frame-ancestors 'none'; base-uri 'none'",
        style_hash(),
        form_target.map(|s| format!(" {s}")).unwrap_or_default()
    );
    let mut response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Same-origin, not no-referrer: a browser sends `Origin: null` with forms of a
        // no-referrer page, and the forms' origin is checked. Other sites still learn nothing.
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CONTENT_LANGUAGE, lang_tag))
        .insert_header((header::VARY, "Accept-Language, Cookie"))
        .body(html);
    response.extensions_mut().insert(OwnBody);
    response
}

/// A request that cannot be answered to any app: explained here, never redirected.
pub fn error_page(lang: Lang, message: &Text) -> HttpResponse {
    let body = format!(
        "<h1>{}</h1><div class=\"card error\" role=\"alert\">{}</div><p class=\"muted\">{}</p>",
        t(lang, "Không thể đăng nhập qua ứng dụng", "This sign-in cannot go on"),
        escape(message.get(lang)),
        t(
            lang,
            "Hãy quay lại ứng dụng và thử lại; nếu vẫn lỗi, báo cho người làm ứng dụng.",
            "Go back to the app and try again; if it persists, tell the app's makers."
        )
    );
    page(StatusCode::BAD_REQUEST, lang, t(lang, "Lỗi", "Error"), &body, None, None)
}

/// The app as the pages introduce it: its badge, name and owner.
pub fn app_header(lang: Lang, name: &str, owner: &str, logo_text: Option<&str>) -> String {
    let badge = logo_text.map(|l| format!("<span class=\"badge\" aria-hidden=\"true\">{}</span>", escape(l)));
    format!(
        "<div class=\"card\">{}<strong>{}</strong><div class=\"muted\">{} {}</div></div>",
        badge.unwrap_or_default(),
        escape(name),
        t(lang, "của", "by"),
        escape(owner)
    )
}

/// Hidden fields every form of the flow carries: the request and its anti-forgery token.
pub fn hidden(request: &str, token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"request\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(request),
        escape(token)
    )
}

pub fn alert(message: Option<&str>) -> String {
    message.map(|m| format!("<div class=\"error\" role=\"alert\">{}</div>", escape(m))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
