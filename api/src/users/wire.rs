use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::{GrantRow, UserRow};
use crate::auth::{Permission, Role};
use crate::http::{FieldIssue, Text};

/// Account status (trạng thái tài khoản).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Đang hoạt động.
    Active,
    /// Đã khóa: cannot log in; existing tokens stop working at once.
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

/// An account (tài khoản người dùng).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87",
    "username": "hoa.nguyen",
    "display_name": "Nguyễn Thị Hòa",
    "home_unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "member_id": null,
    "status": "active",
    "must_change_password": false,
    "last_login_at": "2026-11-29T07:55:00Z",
    "version": 3,
    "created_at": "2026-11-01T08:00:00Z",
    "updated_at": "2026-11-20T08:00:00Z"
}))]
pub struct User {
    pub id: Uuid,
    /// Login name (tên đăng nhập): lowercase letters, digits, `.`, `_`, `-`; 3–64 characters.
    pub username: String,
    /// Name shown to people (họ tên hiển thị).
    pub display_name: String,
    /// The unit the account belongs to; who may manage it is decided by this unit.
    pub home_unit_id: Uuid,
    /// The member record of this person, if linked (hội viên).
    pub member_id: Option<Uuid>,
    pub status: UserStatus,
    /// The account must set a new password before anything else.
    pub must_change_password: bool,
    /// Last successful login (lần đăng nhập gần nhất).
    pub last_login_at: Option<DateTime<Utc>>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            home_unit_id: row.home_unit_id,
            member_id: row.member_id,
            status: if row.status == "active" { UserStatus::Active } else { UserStatus::Disabled },
            must_change_password: row.must_change_password,
            last_login_at: row.last_login_at,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new account.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "hoa.nguyen",
    "display_name": "Nguyễn Thị Hòa",
    "home_unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "password": "ấp Rẫy có đủ 3 biết",
    "must_change_password": true
}))]
pub struct NewUser {
    /// Login name: 3–64 of lowercase a–z, digits, `.`, `_`, `-`, starting with a letter or digit.
    pub username: String,
    /// Name shown to people, 1–200 characters.
    pub display_name: String,
    /// The unit the account belongs to; the caller needs `users:manage` on it.
    pub home_unit_id: Uuid,
    /// Initial password: 8–256 characters, not a common password, not the user name.
    pub password: String,
    /// Require a new password at first login (default `true`).
    pub must_change_password: Option<bool>,
    /// The member record of this person, if any.
    pub member_id: Option<Uuid>,
}

/// Changes to an account (JSON merge patch).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct UserPatch {
    /// New display name.
    pub display_name: Option<String>,
    /// `disabled` locks the account and ends all its sessions at once; `active` unlocks it.
    pub status: Option<UserStatus>,
    /// Require (or stop requiring) a new password at next login.
    pub must_change_password: Option<bool>,
    /// Link the account to this person's member record (for self-service).
    pub member_id: Option<Uuid>,
}

/// A password set by an administrator (đặt lại mật khẩu).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_password": "một cụm từ khó đoán 2026", "must_change_password": true}))]
pub struct PasswordReset {
    /// The new password (policy as for new accounts).
    pub new_password: String,
    /// Require the user to choose her own at next login (default `true`).
    pub must_change_password: Option<bool>,
}

/// The caller's own password change (đổi mật khẩu).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "mật khẩu cũ của tôi", "new_password": "một cụm từ mới khó đoán"}))]
pub struct PasswordChange {
    /// The password in use now (mật khẩu hiện tại).
    pub current_password: String,
    /// 8–256 characters, not a common password, not the user name.
    pub new_password: String,
}

/// Query of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only accounts whose home unit lies in this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only accounts with this status.
    pub status: Option<UserStatus>,
    /// Part of the user name or display name.
    #[param(example = "hoa")]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A role held on a unit (vai trò trên đơn vị), covering its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a00",
    "role": "branch_head",
    "org_unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "org_unit_name": "Chi hội ấp Rẫy",
    "granted_by": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a01",
    "granted_at": "2026-11-29T08:00:00Z"
}))]
pub struct RoleGrant {
    pub id: Uuid,
    pub role: Role,
    /// The unit the role is held on; it covers the unit's subtree.
    pub org_unit_id: Uuid,
    /// Name of the unit (tên đơn vị).
    pub org_unit_name: String,
    /// Who granted it.
    pub granted_by: Option<Uuid>,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
}

impl RoleGrant {
    pub fn from_row(row: GrantRow, unit_name: String) -> Option<Self> {
        Some(RoleGrant {
            id: row.id,
            role: Role::parse(&row.role)?,
            org_unit_id: row.org_unit_id,
            org_unit_name: unit_name,
            granted_by: row.granted_by,
            granted_at: row.granted_at,
        })
    }
}

/// A role to grant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "branch_head", "org_unit_id": "0193a5c8-0000-7000-8000-00000000a001"}))]
pub struct NewRoleGrant {
    /// The role; `integration` is for machine clients and cannot be granted to people.
    pub role: Role,
    /// The unit; the role covers its subtree.
    pub org_unit_id: Uuid,
}

/// A permission and the units where it holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectivePermission {
    pub permission: Permission,
    /// Units under which the permission holds (their subtrees included).
    pub org_unit_ids: Vec<Uuid>,
}

/// Who the caller is (tôi là ai).
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` (logged in), `api_token` (a user's script token) or `client` (machine client).
    pub actor_type: String,
    /// The account, for users and their API tokens.
    pub user: Option<User>,
    /// The machine client's id, for clients.
    pub client_id: Option<Uuid>,
    /// Roles and their units.
    pub roles: Vec<RoleGrant>,
    /// What the caller may do, and where (after API token scopes).
    pub permissions: Vec<EffectivePermission>,
}

pub fn username_issue(field: &str, username: &str) -> Option<FieldIssue> {
    let ok = (3..=64).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    (!ok).then(|| {
        FieldIssue::new(
            field,
            "invalid_format",
            Text::new(
                "Tên đăng nhập 3–64 ký tự: chữ thường a–z, số, dấu . _ -, bắt đầu bằng chữ hoặc số.",
                "User names are 3–64 of lowercase a–z, digits, . _ -, starting with a letter or digit.",
            ),
        )
    })
}

crate::page_schema!(UserPage, User, "accounts");
