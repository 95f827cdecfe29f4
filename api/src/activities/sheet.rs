//! An activity's attendance sheet (bảng điểm danh): the recorded roster with names and a
//! summary, and the unit's members not recorded yet. Two fixed statements: every roster write
//! answers with the sheet, so it is read as often as rosters are written.

use diesel::QueryableByName;
use diesel::sql_types::{Date, Integer, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::{ActivityRow, MAX_ROSTER, rate};
use super::wire::{AttendanceSheet, AttendanceStatus, AttendanceSummary, Attendee, Unrecorded};
use crate::db::{fixed_sql, prepared};
use crate::http::ApiError;
use crate::members::queries::PLACED_ON_SQL;
use crate::members::wire::full_name;

/// A recorded person: a member (`member_type` regular or honorary) or a guest (`prospect`).
#[derive(QueryableByName)]
struct RecordedPerson {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    member_type: String,
    #[diesel(sql_type = Text)]
    family_name: String,
    #[diesel(sql_type = Text)]
    middle_name: String,
    #[diesel(sql_type = Text)]
    given_name: String,
    #[diesel(sql_type = Text)]
    sort_key: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    note: String,
}

impl RecordedPerson {
    fn is_guest(&self) -> bool {
        self.member_type == "prospect"
    }
}

/// A regular member placed in the unit that day with no attendance row yet.
#[derive(QueryableByName)]
struct Missing {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    family_name: String,
    #[diesel(sql_type = Text)]
    middle_name: String,
    #[diesel(sql_type = Text)]
    given_name: String,
}

/// The roster with names, and who is missing from it.
pub(crate) async fn sheet(conn: &mut AsyncPgConnection, row: &ActivityRow) -> Result<AttendanceSheet, ApiError> {
    let mut people: Vec<RecordedPerson> = prepared(
        "SELECT m.id, m.member_type, m.family_name, m.middle_name, m.given_name, m.sort_key, t.status, t.note
         FROM attendance t JOIN members m ON m.id = t.member_id
         WHERE t.activity_id = $1
         UNION ALL
         SELECT p.id, 'prospect', p.family_name, p.middle_name, p.given_name, p.sort_key, t.status, t.note
         FROM attendance t JOIN prospects p ON p.id = t.prospect_id
         WHERE t.activity_id = $1",
    )
    .bind::<SqlUuid, _>(row.id)
    .load(conn)
    .await?;
    people.sort_by(|x, y| x.sort_key.cmp(&y.sort_key));
    // People of one kind (members or guests) with a status; honorary members only, if asked.
    let count = |guest: bool, status: &str, honorary_only: bool| {
        let counted = people
            .iter()
            .filter(|p| p.is_guest() == guest && p.status == status && (!honorary_only || p.member_type != "regular"));
        i64::try_from(counted.count()).unwrap_or(0)
    };
    let present = count(false, "present", false);
    let honorary_present = count(false, "present", true);
    let summary = AttendanceSummary {
        present,
        excused: count(false, "excused", false),
        absent: count(false, "absent", false),
        guests: count(true, "present", false),
        honorary_present,
        rate_percent: rate(present - honorary_present, row.expected),
    };
    let entries = people
        .into_iter()
        .map(|p| Attendee {
            member_id: (!p.is_guest()).then_some(p.id),
            prospect_id: p.is_guest().then_some(p.id),
            name: full_name(&p.family_name, &p.middle_name, &p.given_name),
            status: AttendanceStatus::parse(&p.status),
            note: p.note,
        })
        .collect();
    let missing: Vec<Missing> = prepared(fixed_sql!(
        "SELECT m.id, m.family_name, m.middle_name, m.given_name
         FROM members m
         WHERE m.id IN ({PLACED_ON_SQL}) AND m.member_type = 'regular'
           AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = $3 AND t.member_id = m.id)
         ORDER BY m.sort_key
         LIMIT $4"
    ))
    .bind::<SqlUuid, _>(row.unit_id)
    .bind::<Date, _>(row.held_on)
    .bind::<SqlUuid, _>(row.id)
    .bind::<Integer, _>(i32::try_from(MAX_ROSTER).unwrap_or(2000))
    .load(conn)
    .await?;
    Ok(AttendanceSheet {
        activity_id: row.id,
        summary,
        entries,
        not_recorded: missing
            .into_iter()
            .map(|m| Unrecorded { member_id: m.id, name: full_name(&m.family_name, &m.middle_name, &m.given_name) })
            .collect(),
    })
}
