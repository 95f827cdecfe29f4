//! Scopes (phạm vi) an app may ask for: the permissions API tokens already use, each with the
//! plain words the consent page shows.

use crate::auth::Permission;
use crate::http::Text;

/// Permissions no third-party app may hold: registering apps and machine clients manages
/// credentials of other parties, which stays with chihoi's own tools.
pub const NOT_FOR_APPS: [Permission; 2] = [Permission::AppsManage, Permission::ClientsManage];

/// The scopes an app may be registered for, in the order the contract lists them.
pub fn for_apps() -> impl Iterator<Item = Permission> {
    Permission::ALL.into_iter().filter(|p| !NOT_FOR_APPS.contains(p))
}

/// A space-separated scope string (RFC 6749 §3.3) as permissions, sorted and without repeats;
/// the first unknown or forbidden item otherwise.
pub fn parse(text: &str) -> Result<Vec<Permission>, String> {
    let mut scopes = Vec::new();
    for item in text.split(' ').filter(|s| !s.is_empty()) {
        match Permission::parse(item) {
            Some(p) if !NOT_FOR_APPS.contains(&p) => scopes.push(p),
            _ => return Err(item.chars().take(64).collect()),
        }
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// Permissions as a scope string.
pub fn join(scopes: &[Permission]) -> String {
    scopes.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")
}

/// Stored scope names as permissions (unknown names, from an older version, are dropped).
pub fn from_stored(stored: &[Option<String>]) -> Vec<Permission> {
    let mut scopes: Vec<Permission> = stored.iter().flatten().filter_map(|s| Permission::parse(s)).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

pub fn to_stored(scopes: &[Permission]) -> Vec<Option<String>> {
    scopes.iter().map(|p| Some(p.as_str().to_owned())).collect()
}

/// What the scope lets an app do, as the consent page says it; the units it reaches follow.
pub fn describe(permission: Permission) -> Text {
    use Permission::*;
    match permission {
        OrgUnitsRead => Text::new("Xem thông tin đơn vị (chi hội, tổ)", "See unit details (branches, groups)"),
        OrgUnitsWrite => {
            Text::new("Sửa thông tin đơn vị, số phụ nữ, chức danh", "Change units, women counts and positions")
        }
        UsersRead => Text::new("Xem tài khoản cán bộ", "See officers' accounts"),
        UsersManage => Text::new("Quản lý tài khoản cán bộ và phân quyền", "Manage officers' accounts and roles"),
        AuditRead => Text::new("Xem nhật ký kiểm tra", "Read the audit trail"),
        SettingsWrite => Text::new("Thay đổi cài đặt hệ thống", "Change system settings"),
        ClientsManage => Text::new("Quản lý hệ thống tích hợp", "Manage machine clients"),
        AppsManage => Text::new("Quản lý ứng dụng bên thứ ba", "Manage third-party apps"),
        ReportsRead => Text::new("Xem báo cáo và chỉ tiêu", "See reports and figures"),
        MembersRead => Text::new("Xem danh sách hội viên", "See the list of members"),
        MembersWrite => Text::new(
            "Thêm, sửa hội viên, ghi điểm danh, thăm hỏi, cặp “1+1”",
            "Add and change members, attendance, visits and “1+1” pairs",
        ),
        MembersSensitive => Text::new(
            "Xem thông tin nhạy cảm của hội viên (dân tộc, tôn giáo, hoàn cảnh, nhu cầu)",
            "See members' sensitive data (ethnicity, religion, circumstances, needs)",
        ),
        MembersExport => Text::new("Xuất danh sách hội viên ra tệp", "Export member lists to files"),
        MembersImport => Text::new("Nhập danh sách hội viên từ tệp", "Import member lists from files"),
        FundsRead => Text::new("Xem quỹ chi hội", "See branch funds"),
        FundsWrite => Text::new("Ghi thu chi quỹ chi hội", "Record branch fund income and spending"),
        MeRead => Text::new("Xem thông tin tài khoản của bạn", "See your own account"),
        MeWrite => Text::new("Sửa thông tin hội viên của chính bạn", "Change your own member record"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_strings_parse_to_sorted_permissions() {
        assert_eq!(
            parse("members:write  members:read members:read").unwrap(),
            vec![Permission::MembersRead, Permission::MembersWrite]
        );
        assert_eq!(parse("members:read apps:manage"), Err("apps:manage".to_owned()));
        assert_eq!(parse("openid"), Err("openid".to_owned()));
        assert_eq!(join(&parse("reports:read me:read").unwrap()), "reports:read me:read");
    }
}
