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
    /// Registering third-party apps (ứng dụng bên thứ ba) that sign officers in with OAuth.
    #[serde(rename = "apps:manage")]
    AppsManage,
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
    /// One's own data (dữ liệu của chính mình): her account, her member record with its
    /// sensitive fields, events, attendance and the personal-data copy. Every person holds it
    /// on herself; an API token only when created with it.
    #[serde(rename = "me:read")]
    MeRead,
    /// Changing one's own data: her member record's contact fields, channel consents, and
    /// requests to correct or delete her data.
    #[serde(rename = "me:write")]
    MeWrite,
}

use Permission::*;

impl Permission {
    /// The permissions roles grant on units (all but the self permissions).
    pub const ON_UNITS: [Permission; 16] = [
        OrgUnitsRead,
        OrgUnitsWrite,
        UsersRead,
        UsersManage,
        AuditRead,
        SettingsWrite,
        ClientsManage,
        AppsManage,
        ReportsRead,
        MembersRead,
        MembersWrite,
        MembersSensitive,
        MembersExport,
        MembersImport,
        FundsRead,
        FundsWrite,
    ];

    /// Every permission, as API token scopes name them: those on units, then the self ones.
    pub const ALL: [Permission; 18] = {
        let mut all = [MeRead; 18];
        let mut i = 0;
        while i < Permission::ON_UNITS.len() {
            all[i] = Permission::ON_UNITS[i];
            i += 1;
        }
        all[17] = MeWrite;
        all
    };

    /// Held by every person on her own data, never through a role on a unit.
    pub fn is_self(self) -> bool {
        matches!(self, MeRead | MeWrite)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgUnitsRead => "org_units:read",
            OrgUnitsWrite => "org_units:write",
            UsersRead => "users:read",
            UsersManage => "users:manage",
            AuditRead => "audit:read",
            SettingsWrite => "settings:write",
            ClientsManage => "clients:manage",
            AppsManage => "apps:manage",
            ReportsRead => "reports:read",
            MembersRead => "members:read",
            MembersWrite => "members:write",
            MembersSensitive => "members:sensitive",
            MembersExport => "members:export",
            MembersImport => "members:import",
            FundsRead => "funds:read",
            FundsWrite => "funds:write",
            MeRead => "me:read",
            MeWrite => "me:write",
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
            Role::Admin => &Permission::ON_UNITS,
            Role::ProvinceOfficer => &[
                OrgUnitsRead,
                OrgUnitsWrite,
                UsersRead,
                UsersManage,
                AppsManage,
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
                AppsManage,
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

    /// The one ranking of roles (thứ bậc), highest first. Every decision of "may this caller
    /// act on that role" — granting, revoking, managing an account — reads it. Auditors stand
    /// with admins so that only admins appoint or manage them; `integration` belongs to machine
    /// clients and is in no person's ranking.
    pub const RANKING: [&'static [Role]; 6] = [
        &[Role::Admin, Role::Auditor],
        &[Role::ProvinceOfficer],
        &[Role::CommuneOfficer],
        &[Role::BranchHead],
        &[Role::GroupLeader],
        &[Role::Member],
    ];

    /// Position in `RANKING` (0 is highest); `None` for `integration`.
    fn rank(self) -> Option<usize> {
        Role::RANKING.iter().position(|tier| tier.contains(&self))
    }

    /// Whether a holder of `self` may act on an account holding `other`, or grant or revoke
    /// `other`: she must outrank it, or be an admin (who may act on admins and auditors).
    /// Nobody acts on `integration`, and an auditor acts on nobody.
    pub fn may_act_on(self, other: Role) -> bool {
        match (self.rank(), other.rank()) {
            _ if self == Role::Auditor => false,
            (Some(mine), Some(theirs)) => mine < theirs || self == Role::Admin,
            _ => false,
        }
    }
}
