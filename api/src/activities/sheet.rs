//! An activity's attendance sheet (bảng điểm danh): the recorded roster with names and a
//! summary, and the unit's members not recorded yet.

use std::collections::HashSet;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::{ActivityRow, MAX_ROSTER, rate};
use super::wire::{AttendanceSheet, AttendanceStatus, AttendanceSummary, Attendee, Unrecorded};
use crate::http::ApiError;
use crate::members::queries::placed_on;
use crate::members::wire::full_name;
use crate::schema::{attendance as t, members, prospects};

/// A recorded member: id, family, middle and given name, sort key, status, note, member type.
type RecordedMember = (Uuid, String, String, String, String, String, String, String);

/// The roster with names, and who is missing from it.
pub(crate) async fn sheet(conn: &mut AsyncPgConnection, row: &ActivityRow) -> Result<AttendanceSheet, ApiError> {
    let people: Vec<RecordedMember> = t::table
        .inner_join(members::table.on(members::id.nullable().eq(t::member_id)))
        .filter(t::activity_id.eq(row.id))
        .select((
            members::id,
            members::family_name,
            members::middle_name,
            members::given_name,
            members::sort_key,
            t::status,
            t::note,
            members::member_type,
        ))
        .load(conn)
        .await?;
    let guests: Vec<(Uuid, String, String, String, String, String, String)> = t::table
        .inner_join(prospects::table.on(prospects::id.nullable().eq(t::prospect_id)))
        .filter(t::activity_id.eq(row.id))
        .select((
            prospects::id,
            prospects::family_name,
            prospects::middle_name,
            prospects::given_name,
            prospects::sort_key,
            t::status,
            t::note,
        ))
        .load(conn)
        .await?;
    let count = |status: &str| i64::try_from(people.iter().filter(|p| p.5 == status).count()).unwrap_or(0);
    let honorary_present =
        i64::try_from(people.iter().filter(|p| p.5 == "present" && p.7 != "regular").count()).unwrap_or(0);
    let summary = AttendanceSummary {
        present: count("present"),
        excused: count("excused"),
        absent: count("absent"),
        guests: i64::try_from(guests.iter().filter(|g| g.5 == "present").count()).unwrap_or(0),
        honorary_present,
        rate_percent: rate(count("present") - honorary_present, row.expected),
    };
    let seen: HashSet<Uuid> = people.iter().map(|p| p.0).collect();
    let mut entries: Vec<(String, Attendee)> = people
        .into_iter()
        .map(|(id, f, m, g, key, status, note, _)| {
            (
                key,
                Attendee {
                    member_id: Some(id),
                    prospect_id: None,
                    name: full_name(&f, &m, &g),
                    status: AttendanceStatus::parse(&status),
                    note,
                },
            )
        })
        .chain(guests.into_iter().map(|(id, f, m, g, key, status, note)| {
            (
                key,
                Attendee {
                    member_id: None,
                    prospect_id: Some(id),
                    name: full_name(&f, &m, &g),
                    status: AttendanceStatus::parse(&status),
                    note,
                },
            )
        }))
        .collect();
    entries.sort_by(|x, y| x.0.cmp(&y.0));
    let missing: Vec<Uuid> =
        placed_on(conn, row.unit_id, row.held_on).await?.into_iter().filter(|m| !seen.contains(m)).collect();
    let mut not_recorded: Vec<(String, Unrecorded)> = members::table
        .filter(members::id.eq_any(&missing))
        .filter(members::member_type.eq("regular"))
        .select((members::id, members::family_name, members::middle_name, members::given_name, members::sort_key))
        .order(members::sort_key.asc())
        .limit(i64::try_from(MAX_ROSTER).unwrap_or(2000))
        .load::<(Uuid, String, String, String, String)>(conn)
        .await?
        .into_iter()
        .map(|(id, f, m, g, key)| (key, Unrecorded { member_id: id, name: full_name(&f, &m, &g) }))
        .collect();
    not_recorded.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(AttendanceSheet {
        activity_id: row.id,
        summary,
        entries: entries.into_iter().map(|(_, e)| e).collect(),
        not_recorded: not_recorded.into_iter().map(|(_, u)| u).collect(),
    })
}
