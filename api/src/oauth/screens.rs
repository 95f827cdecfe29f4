//! The pages of the flow: sign in, change a password that must change, consent. Small HTML,
//! no script; each form carries the request and its anti-forgery token.

use actix_web::HttpResponse;

use super::pages::{alert, app_header, escape, hidden, t};
use super::reach::reach;
use super::request::Authorization;
use super::scopes;
use super::visit::{Officer, Visit};
use crate::http::ApiError;

impl Visit<'_> {
    pub(super) fn login_page(
        &self,
        auth: &Authorization,
        error: Option<&str>,
        username: &str,
    ) -> Result<HttpResponse, ApiError> {
        let lang = self.lang;
        let title = t(lang, "Đăng nhập", "Sign in");
        self.form_page(auth, "login", title, |token| {
            format!(
                "<h1>{title}</h1>{app}<p>{lead}</p>{alert}<form method=\"post\" action=\"/oauth/login\">{hidden}\
<label for=\"u\">{user}</label><input type=\"text\" id=\"u\" name=\"username\" value=\"{name}\" autocomplete=\"username\" autocapitalize=\"none\" required>\
<label for=\"p\">{pass}</label><input type=\"password\" id=\"p\" name=\"password\" autocomplete=\"current-password\" required>\
<button class=\"go\" type=\"submit\">{go}</button></form><p class=\"muted\">{note}</p>",
                app = app_header(lang, &auth.app.client_name, &auth.app.owner, auth.app.logo_text.as_deref()),
                lead = t(lang, "Ứng dụng này muốn truy cập chihoi thay bạn. Đăng nhập bằng tài khoản chihoi của bạn.",
                    "This app wants to use chihoi for you. Sign in with your chihoi account."),
                alert = alert(error),
                hidden = hidden(&auth.raw, token),
                user = t(lang, "Tên đăng nhập", "User name"),
                name = escape(username),
                pass = t(lang, "Mật khẩu", "Password"),
                go = t(lang, "Đăng nhập", "Sign in"),
                note = t(lang, "Mật khẩu chỉ gửi cho chihoi, ứng dụng không thấy mật khẩu của bạn.",
                    "Your password goes to chihoi only; the app never sees it."),
            )
        })
    }

    pub(super) fn password_page(&self, auth: &Authorization, error: Option<&str>) -> Result<HttpResponse, ApiError> {
        let lang = self.lang;
        let title = t(lang, "Đổi mật khẩu", "Change your password");
        self.form_page(auth, "password", title, |token| {
            format!(
                "<h1>{title}</h1><p>{lead}</p>{alert}<form method=\"post\" action=\"/oauth/password\">{hidden}\
<label for=\"c\">{current}</label><input type=\"password\" id=\"c\" name=\"current_password\" autocomplete=\"current-password\" required>\
<label for=\"n\">{new}</label><input type=\"password\" id=\"n\" name=\"new_password\" autocomplete=\"new-password\" minlength=\"10\" required>\
<label for=\"a\">{again}</label><input type=\"password\" id=\"a\" name=\"new_password_again\" autocomplete=\"new-password\" minlength=\"10\" required>\
<button class=\"go\" type=\"submit\">{go}</button></form>",
                lead = t(lang, "Bạn cần đổi mật khẩu trước khi cho ứng dụng truy cập. Mật khẩu mới từ 10 ký tự.",
                    "You must change your password before an app may use your account. At least 10 characters."),
                alert = alert(error),
                hidden = hidden(&auth.raw, token),
                current = t(lang, "Mật khẩu hiện tại", "Current password"),
                new = t(lang, "Mật khẩu mới", "New password"),
                again = t(lang, "Nhập lại mật khẩu mới", "New password again"),
                go = t(lang, "Đổi mật khẩu", "Change password"),
            )
        })
    }

    pub(super) async fn consent_page(&self, auth: &Authorization, officer: &Officer) -> Result<HttpResponse, ApiError> {
        let lang = self.lang;
        let mut conn = self.state.pool.get().await?;
        let reached = reach(&mut conn, officer.id, auth.app.org_unit_id, &auth.scopes).await?;
        drop(conn);
        let items: String = reached
            .iter()
            .map(|r| {
                let what = escape(scopes::describe(r.scope).get(lang));
                let whom = if r.scope.is_self() {
                    t(lang, "của chính bạn", "your own").to_owned()
                } else if r.units.is_empty() {
                    format!(
                        "<span class=\"muted\">({})</span>",
                        t(
                            lang,
                            "bạn không có quyền này ở đơn vị nào của ứng dụng",
                            "you hold this nowhere the app reaches"
                        )
                    )
                } else {
                    escape(&r.units.join(", "))
                };
                format!("<li>{what} — {whom}</li>")
            })
            .collect();
        let title = t(lang, "Cho phép truy cập", "Allow access");
        self.form_page(auth, "consent", title, |token| {
            format!(
                "<h1>{title}</h1>{app}<div class=\"card\"><p>{lead}</p><ul>{items}</ul><p class=\"muted\">{revoke}</p></div>\
<form method=\"post\" action=\"/oauth/consent\">{hidden}\
<button class=\"go\" type=\"submit\" name=\"decision\" value=\"allow\">{allow}</button>\
<button class=\"stop\" type=\"submit\" name=\"decision\" value=\"deny\">{deny}</button></form>\
<form method=\"post\" action=\"/oauth/logout\">{hidden}<p class=\"muted\">{signed} <strong>{who}</strong>. \
<button class=\"link\" type=\"submit\">{other}</button></p></form>",
                app = app_header(lang, &auth.app.client_name, &auth.app.owner, auth.app.logo_text.as_deref()),
                lead = t(lang, "Ứng dụng này sẽ được:", "This app will be able to:"),
                revoke = t(lang, "Bạn có thể thu hồi quyền này bất cứ lúc nào trong mục “Ứng dụng đã cấp quyền”.",
                    "You can take this back at any time under “Authorized apps”."),
                hidden = hidden(&auth.raw, token),
                allow = t(lang, "Cho phép", "Allow"),
                deny = t(lang, "Từ chối", "Deny"),
                signed = t(lang, "Đang đăng nhập:", "Signed in as"),
                who = escape(&officer.display_name),
                other = t(lang, "Không phải bạn? Đăng xuất", "Not you? Sign out"),
            )
        })
    }
}
