//! Who may be a mentor or mentee of a kind: named rules checked against the registry. Rules that
//! read sensitive data (Party membership, hardship) make the kind sensitive.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::{ApiError, FieldIssue, Text};
use crate::members::models::MemberRow;
use crate::members::wire::MemberStatus;
use crate::org_units::models::OrgUnitRow;
use crate::schema::{member_profiles, positions};

/// What a side of a pair is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyType {
    /// Hội viên.
    Member,
    /// Phụ nữ chưa vào hội.
    Prospect,
    /// Đơn vị (a branch).
    OrgUnit,
}

impl PartyType {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyType::Member => "member",
            PartyType::Prospect => "prospect",
            PartyType::OrgUnit => "org_unit",
        }
    }

    pub fn parse(text: &str) -> PartyType {
        match text {
            "prospect" => PartyType::Prospect,
            "org_unit" => PartyType::OrgUnit,
            _ => PartyType::Member,
        }
    }
}

/// A rule a side of a pair must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PairRule)]
pub enum Rule {
    /// An active member (đang sinh hoạt).
    ActiveMember,
    /// A Party member (đảng viên). Sensitive.
    PartyMember,
    /// A cadre or civil servant (cán bộ, công chức, viên chức).
    CivilServant,
    /// May be nurtured for the Party: a group leader or deputy, an executive-committee member
    /// (BCH, chair, vice-chair), or a cadre/civil servant.
    NurtureCandidate,
    /// In hardship: a poor or near-poor household, or a circumstance recorded. Sensitive.
    Hardship,
    /// An open branch (chi hội).
    Branch,
}

impl Rule {
    const ALL: [Rule; 6] = [
        Rule::ActiveMember,
        Rule::PartyMember,
        Rule::CivilServant,
        Rule::NurtureCandidate,
        Rule::Hardship,
        Rule::Branch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ActiveMember => "active_member",
            Rule::PartyMember => "party_member",
            Rule::CivilServant => "civil_servant",
            Rule::NurtureCandidate => "nurture_candidate",
            Rule::Hardship => "hardship",
            Rule::Branch => "branch",
        }
    }

    pub fn parse(text: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn applies_to(self) -> PartyType {
        if self == Rule::Branch { PartyType::OrgUnit } else { PartyType::Member }
    }

    pub fn is_sensitive(self) -> bool {
        matches!(self, Rule::PartyMember | Rule::Hardship)
    }
}

/// Position kinds that make a member a candidate for Party nurture.
const NURTURE_POSITIONS: [&str; 5] = ["group_leader", "group_deputy", "committee_member", "chair", "vice_chair"];

fn issue(field: &str, code: &'static str, vi: &'static str, en: &'static str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(vi, en))
}

async fn holds_nurture_position(conn: &mut AsyncPgConnection, member: Uuid) -> Result<bool, ApiError> {
    let held: i64 = positions::table
        .filter(positions::member_id.eq(member))
        .filter(positions::ended_on.is_null())
        .filter(positions::kind.eq_any(NURTURE_POSITIONS))
        .count()
        .get_result(conn)
        .await?;
    Ok(held > 0)
}

async fn in_hardship(conn: &mut AsyncPgConnection, member: Uuid) -> Result<bool, ApiError> {
    let profile: Option<(String, Vec<Option<String>>)> = member_profiles::table
        .find(member)
        .select((member_profiles::poverty_status, member_profiles::circumstances))
        .first(conn)
        .await
        .optional()?;
    Ok(profile.is_some_and(|(poverty, tags)| poverty == "poor" || poverty == "near_poor" || !tags.is_empty()))
}

/// The problems of a member against the rules, reported under `field`.
pub async fn check_member(
    conn: &mut AsyncPgConnection,
    rules: &[Rule],
    member: &MemberRow,
    field: &str,
) -> Result<Vec<FieldIssue>, ApiError> {
    let mut issues = Vec::new();
    for rule in rules {
        let ok = match rule {
            Rule::ActiveMember => member.status() == MemberStatus::Active,
            Rule::PartyMember => member.party_member,
            Rule::CivilServant => member.civil_servant,
            Rule::NurtureCandidate => member.civil_servant || holds_nurture_position(conn, member.id).await?,
            Rule::Hardship => in_hardship(conn, member.id).await?,
            Rule::Branch => false,
        };
        if !ok {
            issues.push(match rule {
                Rule::ActiveMember => {
                    issue(field, "not_active", "Phải là hội viên đang sinh hoạt.", "Must be an active member.")
                }
                Rule::PartyMember => {
                    issue(field, "not_party_member", "Người bồi dưỡng phải là đảng viên.", "Must be a Party member.")
                }
                Rule::CivilServant => issue(
                    field,
                    "not_civil_servant",
                    "Phải là cán bộ, công chức, viên chức.",
                    "Must be a cadre or civil servant.",
                ),
                Rule::NurtureCandidate => issue(
                    field,
                    "not_nurture_candidate",
                    "Phải là tổ trưởng, tổ phó, ủy viên BCH hoặc cán bộ, công chức.",
                    "Must be a group leader or deputy, an executive-committee member, or a cadre/civil servant.",
                ),
                Rule::Hardship => issue(
                    field,
                    "not_in_hardship",
                    "Chưa ghi nhận hoàn cảnh khó khăn của hội viên này.",
                    "No hardship is recorded for this member.",
                ),
                Rule::Branch => issue(field, "not_a_branch", "Phải là một chi hội.", "Must be a branch."),
            });
        }
    }
    Ok(issues)
}

/// The problems of an org unit against the rules.
pub fn check_unit(rules: &[Rule], unit: &OrgUnitRow, field: &str) -> Vec<FieldIssue> {
    rules
        .iter()
        .filter(|rule| match rule {
            Rule::Branch => unit.level != "branch" || unit.valid_to.is_some(),
            _ => true,
        })
        .map(|_| issue(field, "not_a_branch", "Phải là một chi hội đang hoạt động.", "Must be an open branch."))
        .collect()
}
