//! Who may import what. An import runs as a job (or from the command line) with the
//! principal of whoever started it; the unit imported into was checked when it started.

use crate::auth::{Permission, Principal};

/// Sensitive cells (CCCD, ethnicity, religion) need `members:sensitive` on the unit imported
/// into.
pub fn may_import_sensitive(who: &Principal, unit_path: &str) -> bool {
    who.can(Permission::MembersSensitive, unit_path)
}
