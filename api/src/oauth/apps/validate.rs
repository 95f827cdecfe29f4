//! The rules of an app's registration, shared by creation and change.

use crate::auth::Permission;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{FieldIssue, Text};
use crate::oauth::redirect::{self, Unfit};
use crate::oauth::scopes;

pub const MAX_REDIRECT_URIS: usize = 10;

pub fn name(v: &mut Validator, field: &str, value: &str, max: usize) -> String {
    let name = v.result(bounded_text(field, value, max)).unwrap_or_default();
    v.check(!name.is_empty(), field, "required", Text::new("Không được để trống.", "Must not be empty."));
    name
}

/// Up to 4 characters; empty means none.
pub fn logo_text(v: &mut Validator, value: Option<&str>) -> Option<String> {
    let text = v.result(bounded_text("logo_text", value?, 4))?;
    (!text.is_empty()).then_some(text)
}

pub fn redirect_uris(v: &mut Validator, uris: &[String]) -> Vec<String> {
    v.check(
        (1..=MAX_REDIRECT_URIS).contains(&uris.len()),
        "redirect_uris",
        "count",
        Text::new("Cần từ 1 đến 10 địa chỉ chuyển hướng.", "Give 1 to 10 redirect URIs."),
    );
    let mut kept: Vec<String> = Vec::new();
    for (i, uri) in uris.iter().enumerate().take(MAX_REDIRECT_URIS) {
        let field = format!("redirect_uris[{i}]");
        let message = match redirect::check_registered(uri) {
            Ok(()) if kept.contains(uri) => Some(Text::new("Địa chỉ bị lặp lại.", "This URI is repeated.")),
            Ok(()) => None,
            Err(Unfit::PlainHttp) => Some(Text::new(
                "Chỉ dùng http với 127.0.0.1 hoặc [::1]; còn lại phải là https.",
                "http is only for 127.0.0.1 or [::1]; use https elsewhere.",
            )),
            Err(Unfit::SchemeNotReverseDns) => Some(Text::new(
                "Lược đồ riêng phải là tên miền đảo ngược (ví dụ vn.hoilhpn.sotay:/cb).",
                "A private-use scheme must be a reverse domain name (e.g. vn.hoilhpn.sotay:/cb).",
            )),
            Err(Unfit::Fragment) => Some(Text::new("Không được có phần #.", "Must not have a fragment (#).")),
            Err(Unfit::DangerousScheme) => {
                Some(Text::new("Lược đồ này không được phép.", "This scheme is not allowed."))
            }
            Err(Unfit::TooLong) => Some(Text::new("Dài quá 512 ký tự.", "Longer than 512 characters.")),
            Err(Unfit::NotAbsolute) => Some(Text::new("Phải là địa chỉ tuyệt đối.", "Must be an absolute URI.")),
        };
        match message {
            Some(message) => {
                v.add(FieldIssue::new(field, "invalid_redirect_uri", message));
            }
            None => kept.push(uri.clone()),
        }
    }
    kept
}

pub fn scope(v: &mut Validator, value: &str) -> Vec<Permission> {
    match scopes::parse(value) {
        Ok(list) if list.is_empty() => {
            v.add(FieldIssue::new(
                "scope",
                "required",
                Text::new("Cần ít nhất một phạm vi.", "Give at least one scope."),
            ));
            list
        }
        Ok(list) => list,
        Err(bad) => {
            v.add(FieldIssue::new(
                "scope",
                "invalid_scope",
                Text::owned(
                    format!("Phạm vi không hợp lệ hoặc không dành cho ứng dụng: {bad}"),
                    format!("Unknown scope, or one apps may not hold: {bad}"),
                ),
            ));
            Vec::new()
        }
    }
}
