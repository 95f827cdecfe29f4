//! Writing a roster (ghi điểm danh): what is recorded for an activity, and the differences
//! from a wanted roster written as one statement per kind of change (removed, changed in
//! place, added), so a resent roster writes nothing and a changed one touches only its rows.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::models::ActivityRow;
use crate::auth::Caller;
use crate::db::prepared;
use crate::http::ApiError;
use crate::schema::{activities as a, attendance as t};

/// Who an attendance row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Person {
    Member(Uuid),
    Prospect(Uuid),
}

pub(super) type Recorded = HashMap<Person, (String, String)>;

pub(super) async fn recorded(conn: &mut AsyncPgConnection, activity: Uuid) -> Result<Recorded, ApiError> {
    let rows: Vec<(Option<Uuid>, Option<Uuid>, String, String)> = t::table
        .filter(t::activity_id.eq(activity))
        .select((t::member_id, t::prospect_id, t::status, t::note))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, p, status, note)| {
            let person = m.map(Person::Member).or(p.map(Person::Prospect))?;
            Some((person, (status, note)))
        })
        .collect())
}

/// Whether writing `wanted` would change the `current` roster (`replace`: people left out are
/// removed).
pub(super) fn differs(current: &Recorded, wanted: &Recorded, replace: bool) -> bool {
    wanted.iter().any(|(person, entry)| current.get(person) != Some(entry))
        || (replace && current.keys().any(|person| !wanted.contains_key(person)))
}

/// New statuses and notes for people already recorded, as columns for `unnest`.
#[derive(Default)]
struct Revisions {
    people: Vec<Uuid>,
    statuses: Vec<String>,
    notes: Vec<String>,
}

impl Revisions {
    fn push(&mut self, person: Uuid, (status, note): &(String, String)) {
        self.people.push(person);
        self.statuses.push(status.clone());
        self.notes.push(note.clone());
    }

    /// One `UPDATE` for all of them: a status changed in place keeps its row (no new row, no
    /// foreign-key checks, one run of the presence trigger).
    async fn write(
        self,
        conn: &mut AsyncPgConnection,
        sql: &'static str,
        activity: Uuid,
        user: Option<Uuid>,
    ) -> Result<(), ApiError> {
        if !self.people.is_empty() {
            prepared(sql)
                .bind::<SqlUuid, _>(activity)
                .bind::<Array<SqlUuid>, _>(self.people)
                .bind::<Array<SqlText>, _>(self.statuses)
                .bind::<Array<SqlText>, _>(self.notes)
                .bind::<Nullable<SqlUuid>, _>(user)
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

/// Writes `wanted` over the `current` roster, only the differences: people left out removed
/// (with `replace`), changed entries updated in place, new people inserted; each statement
/// also updates the presence pre-aggregates. Returns how many people changed and the
/// activity's version after.
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: &ActivityRow,
    current: &Recorded,
    wanted: Recorded,
    replace: bool,
) -> Result<(usize, i32), ApiError> {
    let user = caller.principal.user_id();
    let (mut gone_members, mut gone_prospects) = (Vec::new(), Vec::new());
    if replace {
        for person in current.keys().filter(|person| !wanted.contains_key(person)) {
            match person {
                Person::Member(id) => gone_members.push(*id),
                Person::Prospect(id) => gone_prospects.push(*id),
            }
        }
    }
    let (mut revised_members, mut revised_prospects) = (Revisions::default(), Revisions::default());
    let mut added = Vec::new();
    for (person, entry) in &wanted {
        match (current.get(person), person) {
            (Some(now), _) if now == entry => {}
            (Some(_), Person::Member(id)) => revised_members.push(*id, entry),
            (Some(_), Person::Prospect(id)) => revised_prospects.push(*id, entry),
            (None, _) => added.push((person, entry)),
        }
    }
    let changed = gone_members.len()
        + gone_prospects.len()
        + revised_members.people.len()
        + revised_prospects.people.len()
        + added.len();
    if !gone_members.is_empty() || !gone_prospects.is_empty() {
        diesel::delete(
            t::table
                .filter(t::activity_id.eq(row.id))
                .filter(t::member_id.eq_any(&gone_members).or(t::prospect_id.eq_any(&gone_prospects))),
        )
        .execute(conn)
        .await?;
    }
    revised_members.write(conn, REVISE_MEMBERS, row.id, user).await?;
    revised_prospects.write(conn, REVISE_PROSPECTS, row.id, user).await?;
    if !added.is_empty() {
        let rows: Vec<_> = added
            .into_iter()
            .map(|(person, (status, note))| {
                let (member, prospect) = match person {
                    Person::Member(id) => (Some(*id), None),
                    Person::Prospect(id) => (None, Some(*id)),
                };
                (
                    t::id.eq(Uuid::now_v7()),
                    t::activity_id.eq(row.id),
                    t::member_id.eq(member),
                    t::prospect_id.eq(prospect),
                    t::status.eq(status),
                    t::note.eq(note),
                    t::recorded_by.eq(user),
                )
            })
            .collect();
        diesel::insert_into(t::table).values(rows).execute(conn).await?;
    }
    if changed == 0 && row.attendance_recorded_at.is_some() {
        return Ok((0, row.version));
    }
    let version = diesel::update(a::table.find(row.id))
        .set((
            a::attendance_recorded_at.eq(Some(Utc::now())),
            a::status.eq("held"),
            a::version.eq(a::version + 1),
            a::updated_at.eq(diesel::dsl::now),
        ))
        .returning(a::version)
        .get_result(conn)
        .await?;
    Ok((changed, version))
}

/// `Revisions::write` for members and for guests: the same statement on either key.
const REVISE_MEMBERS: &str = "UPDATE attendance t
     SET status = c.status, note = c.note, recorded_by = $5, recorded_at = now()
     FROM unnest($2::uuid[], $3::text[], $4::text[]) AS c(person, status, note)
     WHERE t.activity_id = $1 AND t.member_id = c.person";
const REVISE_PROSPECTS: &str = "UPDATE attendance t
     SET status = c.status, note = c.note, recorded_by = $5, recorded_at = now()
     FROM unnest($2::uuid[], $3::text[], $4::text[]) AS c(person, status, note)
     WHERE t.activity_id = $1 AND t.prospect_id = c.person";
