//! Who is calling, with which grants: built once per request by the `Caller` extractor.

use uuid::Uuid;

use super::permissions::{Permission, Role};

/// A role on a unit, with the unit's materialised path (ids from the root, dot-separated).
#[derive(Debug, Clone)]
pub struct Grant {
    pub role: Role,
    pub unit_id: Uuid,
    pub unit_path: String,
}

#[derive(Debug, Clone)]
pub enum Actor {
    /// A person logged in (session) or using one of her API tokens.
    User {
        id: Uuid,
        username: String,
        session_id: Option<Uuid>,
        api_token_id: Option<Uuid>,
        /// The third-party app acting for her (an OAuth grant), if any: its scopes are in
        /// `token_scopes` and its unit bounds her grants.
        oauth_app_id: Option<Uuid>,
        must_change_password: bool,
    },
    /// A machine client of a higher-level system.
    Client { id: Uuid, name: String },
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub grants: Vec<Grant>,
    /// For API tokens and apps' tokens: the permissions the token is limited to.
    pub token_scopes: Option<Vec<Permission>>,
}

/// `path` is `ancestor` or lies under it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    path == ancestor
        || (path.len() > ancestor.len() && path.starts_with(ancestor) && path.as_bytes()[ancestor.len()] == b'.')
}

impl Principal {
    fn allows(&self, permission: Permission) -> bool {
        self.token_scopes.as_ref().is_none_or(|scopes| scopes.contains(&permission))
    }

    /// Paths of the units under which `permission` holds. Queries filter on these.
    pub fn scope(&self, permission: Permission) -> Vec<String> {
        if !self.allows(permission) {
            return Vec::new();
        }
        let mut paths: Vec<String> = self
            .grants
            .iter()
            .filter(|g| g.role.permissions().contains(&permission))
            .map(|g| g.unit_path.clone())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// Whether a self permission (`me:read`, `me:write`) holds: for a person, unless her API
    /// token was created without it; never for a machine client.
    pub fn may_on_self(&self, permission: Permission) -> bool {
        permission.is_self() && matches!(self.actor, Actor::User { .. }) && self.allows(permission)
    }

    /// Whether `permission` holds on the unit at `unit_path`.
    pub fn can(&self, permission: Permission, unit_path: &str) -> bool {
        self.scope(permission).iter().any(|scope| is_within(unit_path, scope))
    }

    /// Whether `permission` holds installation-wide (granted on a root unit).
    pub fn can_globally(&self, permission: Permission) -> bool {
        self.scope(permission).iter().any(|path| !path.contains('.'))
    }

    /// Whether this caller may grant or revoke `role` on the unit at `unit_path`, or manage an
    /// account holding it there: `users:manage` through a grant covering the unit whose role
    /// may act on `role` (see `Role::may_act_on`).
    pub fn may_act_on_role(&self, role: Role, unit_path: &str) -> bool {
        self.allows(Permission::UsersManage)
            && self.grants.iter().any(|g| {
                is_within(unit_path, &g.unit_path)
                    && g.role.permissions().contains(&Permission::UsersManage)
                    && g.role.may_act_on(role)
            })
    }

    /// The roles held on the unit at `unit_path` (directly or through an ancestor).
    pub fn roles_on(&self, unit_path: &str) -> Vec<Role> {
        self.grants.iter().filter(|g| is_within(unit_path, &g.unit_path)).map(|g| g.role).collect()
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match &self.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::Client { .. } => None,
        }
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match &self.actor {
            Actor::User { session_id, .. } => *session_id,
            Actor::Client { .. } => None,
        }
    }

    pub fn is_api_token(&self) -> bool {
        matches!(&self.actor, Actor::User { api_token_id: Some(_), .. })
    }

    /// The third-party app acting for her, if this is an app's token.
    pub fn oauth_app_id(&self) -> Option<Uuid> {
        match &self.actor {
            Actor::User { oauth_app_id, .. } => *oauth_app_id,
            Actor::Client { .. } => None,
        }
    }

    /// The person herself in a first-party session (a login, not an API token and not an app
    /// acting for her): what managing her own credentials needs.
    pub fn first_party_session(&self) -> Option<(Uuid, Uuid)> {
        match &self.actor {
            Actor::User { id, session_id: Some(session), api_token_id: None, oauth_app_id: None, .. } => {
                Some((*id, *session))
            }
            _ => None,
        }
    }

    /// Narrows the grants to the subtree at `app_path` (an app registered for a unit reaches
    /// nothing outside it): a grant above the unit becomes the same role on the unit itself.
    pub fn bound_to(mut self, app_unit: Uuid, app_path: &str) -> Principal {
        self.grants = self
            .grants
            .into_iter()
            .filter_map(|g| {
                if is_within(&g.unit_path, app_path) {
                    Some(g)
                } else if is_within(app_path, &g.unit_path) {
                    Some(Grant { role: g.role, unit_id: app_unit, unit_path: app_path.to_owned() })
                } else {
                    None
                }
            })
            .collect();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: &[(Role, &str)]) -> Principal {
        Principal {
            actor: Actor::Client { id: Uuid::nil(), name: "t".into() },
            grants: grants
                .iter()
                .map(|(role, path)| Grant { role: *role, unit_id: Uuid::nil(), unit_path: (*path).into() })
                .collect(),
            token_scopes: None,
        }
    }

    #[test]
    fn subtree_means_the_unit_and_below_never_a_sibling_with_a_common_prefix() {
        assert!(is_within("a.b.c", "a.b"));
        assert!(is_within("a.b", "a.b"));
        assert!(!is_within("a.bc", "a.b"));
        assert!(!is_within("a", "a.b"));
    }

    #[test]
    fn permissions_follow_roles_and_token_scopes() {
        let mut p = principal(&[(Role::CommuneOfficer, "r.c1"), (Role::Auditor, "r")]);
        assert!(p.can(Permission::UsersManage, "r.c1.b1"));
        assert!(!p.can(Permission::UsersManage, "r.c2"));
        assert!(p.can(Permission::AuditRead, "r.c2"));
        assert!(p.can_globally(Permission::AuditRead));
        assert!(!p.can_globally(Permission::UsersManage));
        p.token_scopes = Some(vec![Permission::AuditRead]);
        assert!(!p.can(Permission::UsersManage, "r.c1"));
        assert!(p.can(Permission::AuditRead, "r.c1"));
    }

    #[test]
    fn nobody_acts_on_a_role_as_high_as_her_own_but_admins() {
        assert!(Role::CommuneOfficer.may_act_on(Role::BranchHead));
        assert!(!Role::CommuneOfficer.may_act_on(Role::CommuneOfficer));
        assert!(!Role::CommuneOfficer.may_act_on(Role::ProvinceOfficer));
        assert!(!Role::CommuneOfficer.may_act_on(Role::Admin));
        assert!(!Role::CommuneOfficer.may_act_on(Role::Auditor));
        assert!(Role::Admin.may_act_on(Role::Admin));
        assert!(Role::Admin.may_act_on(Role::Auditor));
        assert!(!Role::Admin.may_act_on(Role::Integration));
        assert!(!Role::Auditor.may_act_on(Role::Member));
    }

    #[test]
    fn acting_on_a_role_needs_a_covering_grant_that_manages_users() {
        let p = principal(&[(Role::CommuneOfficer, "r.c1"), (Role::Member, "r")]);
        assert!(p.may_act_on_role(Role::BranchHead, "r.c1.b1"));
        assert!(!p.may_act_on_role(Role::BranchHead, "r.c2"));
        assert!(!p.may_act_on_role(Role::Admin, "r.c1"));
        let mut scoped = p.clone();
        scoped.token_scopes = Some(vec![Permission::UsersRead]);
        assert!(!scoped.may_act_on_role(Role::BranchHead, "r.c1.b1"));
    }
}
