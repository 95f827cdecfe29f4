//! Roles (vai trò) and what they permit. A role is granted on an org unit and covers its subtree.
//! The permission matrix in `docs/security.md` is checked against the running server by a test.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role granted on an org unit (vai trò).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Quản trị viên — everything in the subtree; at the root, instance settings too.
    Admin,
    /// Cán bộ Hội LHPN tỉnh — province officer.
    ProvinceOfficer,
    /// Cán bộ Hội LHPN xã — commune officer.
    CommuneOfficer,
    /// Chi hội trưởng — branch head.
    BranchHead,
    /// Tổ trưởng — group leader.
    GroupLeader,
    /// Hội viên — a member, for her own record.
    Member,
    /// Kiểm tra — auditor: reads the audit trail, changes nothing.
    Auditor,
    /// Hệ thống cấp trên — machine client of a higher-level system: aggregates only.
    Integration,
}

/// What a role permits on the units it covers (quyền).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Permission {
    #[serde(rename = "org_units:read")]
    OrgUnitsRead,
    #[serde(rename = "org_units:write")]
    OrgUnitsWrite,
    #[serde(rename = "users:read")]
    UsersRead,
    #[serde(rename = "users:manage")]
    UsersManage,
    #[serde(rename = "audit:read")]
    AuditRead,
    #[serde(rename = "settings:write")]
    SettingsWrite,
    #[serde(rename = "clients:manage")]
    ClientsManage,
    #[serde(rename = "reports:read")]
    ReportsRead,
    /// Basic member data (name, unit, contact data, membership).
    #[serde(rename = "members:read")]
    MembersRead,
    #[serde(rename = "members:write")]
    MembersWrite,
    /// Sensitive member data: ethnicity, religion, Party membership, the full CCCD,
    /// circumstances (poverty, health, disability) and needs. Every read is audited.
    #[serde(rename = "members:sensitive")]
    MembersSensitive,
    /// Bulk export of member lists.
    #[serde(rename = "members:export")]
    MembersExport,
    /// Bulk import of member lists.
    #[serde(rename = "members:import")]
    MembersImport,
    #[serde(rename = "funds:read")]
    FundsRead,
    #[serde(rename = "funds:write")]
    FundsWrite,
}

use Permission::*;

impl Permission {
    pub const ALL: [Permission; 15] = [
        OrgUnitsRead,
        OrgUnitsWrite,
        UsersRead,
        UsersManage,
        AuditRead,
        SettingsWrite,
        ClientsManage,
        ReportsRead,
        MembersRead,
        MembersWrite,
        MembersSensitive,
        MembersExport,
        MembersImport,
        FundsRead,
        FundsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgUnitsRead => "org_units:read",
            OrgUnitsWrite => "org_units:write",
            UsersRead => "users:read",
            UsersManage => "users:manage",
            AuditRead => "audit:read",
            SettingsWrite => "settings:write",
            ClientsManage => "clients:manage",
            ReportsRead => "reports:read",
            MembersRead => "members:read",
            MembersWrite => "members:write",
            MembersSensitive => "members:sensitive",
            MembersExport => "members:export",
            MembersImport => "members:import",
            FundsRead => "funds:read",
            FundsWrite => "funds:write",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

impl Role {
    pub const USER_ROLES: [Role; 7] = [
        Role::Admin,
        Role::ProvinceOfficer,
        Role::CommuneOfficer,
        Role::BranchHead,
        Role::GroupLeader,
        Role::Member,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ProvinceOfficer => "province_officer",
            Role::CommuneOfficer => "commune_officer",
            Role::BranchHead => "branch_head",
            Role::GroupLeader => "group_leader",
            Role::Member => "member",
            Role::Auditor => "auditor",
            Role::Integration => "integration",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::USER_ROLES.into_iter().chain([Role::Integration]).find(|r| r.as_str() == text)
    }

    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::Admin => &Permission::ALL,
            Role::ProvinceOfficer => &[
                OrgUnitsRead,
                OrgUnitsWrite,
                UsersRead,
                UsersManage,
                ReportsRead,
                MembersRead,
                MembersExport,
                FundsRead,
            ],
            Role::CommuneOfficer => &[
                OrgUnitsRead,
                OrgUnitsWrite,
                UsersRead,
                UsersManage,
                ReportsRead,
                MembersRead,
                MembersWrite,
                MembersSensitive,
                MembersExport,
                MembersImport,
                FundsRead,
                FundsWrite,
            ],
            Role::BranchHead => {
                &[OrgUnitsRead, UsersRead, MembersRead, MembersWrite, MembersSensitive, FundsRead, FundsWrite]
            }
            Role::GroupLeader => &[OrgUnitsRead, MembersRead, MembersWrite],
            Role::Member => &[OrgUnitsRead],
            Role::Auditor => &[OrgUnitsRead, UsersRead, AuditRead, FundsRead],
            Role::Integration => &[OrgUnitsRead, ReportsRead],
        }
    }

    /// Weight for "never above your own scope": a user may grant a role only if she holds, on
    /// that unit, a role of at least this weight. Auditors are appointed by admins only.
    fn weight(self) -> u8 {
        match self {
            Role::Admin | Role::Auditor => 100,
            Role::ProvinceOfficer => 80,
            Role::CommuneOfficer => 60,
            Role::BranchHead => 40,
            Role::GroupLeader => 30,
            Role::Member => 10,
            Role::Integration => u8::MAX,
        }
    }

    /// Whether a holder of `self` may grant `other`.
    pub fn may_grant(self, other: Role) -> bool {
        if other == Role::Integration || self == Role::Auditor {
            return false;
        }
        if other == Role::Auditor {
            return self == Role::Admin;
        }
        self.weight() >= other.weight()
    }
}
