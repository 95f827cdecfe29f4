use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::{Ltree, LtreeExtensions};
use uuid::Uuid;

use super::models::{MemberRow, NewMemberRow};
use super::search;
use crate::auth::Scope;
use crate::schema::{member_events, member_needs, member_placements, member_profiles, members};
use crate::text::like::escape_like;

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<MemberRow>> {
    members::table.find(id).select(MemberRow::as_select()).first(conn).await.optional()
}

pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<MemberRow>> {
    members::table.find(id).select(MemberRow::as_select()).for_update().first(conn).await.optional()
}

/// The member holding a citizen id, if any.
pub async fn by_cccd(conn: &mut AsyncPgConnection, cccd: &str) -> QueryResult<Option<(Uuid, Ltree)>> {
    members::table.filter(members::cccd.eq(cccd)).select((members::id, members::unit_path)).first(conn).await.optional()
}

#[derive(Debug, Default)]
pub struct ListFilter {
    pub within: Option<Ltree>,
    pub status: Option<String>,
    pub member_type: Option<String>,
    pub pioneer: Option<bool>,
    pub party: Option<bool>,
    pub circumstance: Option<String>,
    pub need: Option<String>,
    /// Birth years allowed by the age range.
    pub born_from: Option<i16>,
    pub born_to: Option<i16>,
    pub no_contact_since: Option<NaiveDate>,
    pub search: Option<String>,
    pub phone_suffix: Option<String>,
    /// Members placed in the `within` unit on a past date (their ids).
    pub placed_ids: Option<Vec<Uuid>>,
    /// With `placed_ids`: only those of them still in the caller's scope today (a filter on
    /// current or sensitive data must not disclose it for members who have left).
    pub still_in_scope: bool,
}

impl ListFilter {
    /// Whether a filter other than the name and the unit narrows the list (then a page of
    /// name matches may hold fewer members than asked).
    fn narrows_beyond_name(&self) -> bool {
        self.status.is_some()
            || self.member_type.is_some()
            || self.pioneer.is_some()
            || self.party.is_some()
            || self.circumstance.is_some()
            || self.need.is_some()
            || self.born_from.is_some()
            || self.born_to.is_some()
            || self.no_contact_since.is_some()
            || self.phone_suffix.is_some()
    }
}

/// Members in `scope` matching `filter`, in Vietnamese name order, after the `(sort_key, id)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<(String, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<MemberRow>> {
    if let (Some(text), None) = (&filter.search, &filter.placed_ids) {
        match search::plan(conn, text).await? {
            search::Plan::Nothing => return Ok(Vec::new()),
            search::Plan::Words(words) => return by_words(conn, scope, filter, &words, after, fetch).await,
            search::Plan::Scan => {}
        }
    }
    scan(conn, scope, filter, after, fetch, None).await
}

/// Rounds of name candidates tried before the rest of a page is left to the scan (a filter
/// that few of the name's holders pass would otherwise walk them all, a page at a time).
const WORD_ROUNDS: usize = 4;

/// A name search walked word by word (members/search.rs): candidates in name order, then the
/// other filters on them, until a page is full or the candidates run out.
async fn by_words(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    words: &[String],
    after: Option<(String, Uuid)>,
    fetch: i64,
) -> QueryResult<Vec<MemberRow>> {
    let text = filter.search.as_deref().unwrap_or_default();
    let paths = scope.paths();
    let within = filter.within.as_ref();
    if !filter.narrows_beyond_name() {
        let walk = search::Walk { words, search: text, scope: &paths, within, after: after.as_ref() };
        return walk.members(conn, fetch).await;
    }
    let mut batch = fetch.saturating_mul(4);
    let mut cursor = after;
    let mut found: Vec<MemberRow> = Vec::new();
    for _ in 0..WORD_ROUNDS {
        let walk = search::Walk { words, search: text, scope: &paths, within, after: cursor.as_ref() };
        let candidates = walk.keys(conn, batch).await?;
        let exhausted = i64::try_from(candidates.len()).unwrap_or(i64::MAX) < batch;
        let ids: Vec<Uuid> = candidates.iter().map(|(_, id)| *id).collect();
        let wanted = fetch - i64::try_from(found.len()).unwrap_or(0);
        found.extend(scan(conn, scope, filter, None, wanted, Some(ids)).await?);
        if exhausted || i64::try_from(found.len()).unwrap_or(i64::MAX) >= fetch {
            return Ok(found);
        }
        cursor = candidates.last().cloned();
        batch = batch.saturating_mul(4);
    }
    let wanted = fetch - i64::try_from(found.len()).unwrap_or(0);
    found.extend(scan(conn, scope, filter, cursor, wanted, None).await?);
    Ok(found)
}

/// The list as one query: the trigram index for a name, the unit and name-order indexes
/// otherwise; `only` restricts it to given members (name candidates).
async fn scan(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    filter: &ListFilter,
    after: Option<(String, Uuid)>,
    fetch: i64,
    only: Option<Vec<Uuid>>,
) -> QueryResult<Vec<MemberRow>> {
    let mut query = members::table
        .select(MemberRow::as_select())
        .order((members::sort_key.asc(), members::id.asc()))
        .limit(fetch)
        .into_boxed();
    if let Some(ids) = only {
        query = query.filter(members::id.eq_any(ids));
    }
    // Members placed in the past are found through their placement, wherever they are now.
    match &filter.placed_ids {
        Some(ids) => {
            query = query.filter(members::id.eq_any(ids.clone()));
            if filter.still_in_scope {
                query = query.filter(members::unit_path.contained_by_any(scope.paths()));
            }
        }
        None => {
            query = query.filter(members::unit_path.contained_by_any(scope.paths()));
            if let Some(within) = &filter.within {
                query = query.filter(members::unit_path.contained_by(within.clone()));
            }
        }
    }
    if let Some(status) = &filter.status {
        query = query.filter(members::status.eq(status.clone()));
    }
    if let Some(kind) = &filter.member_type {
        query = query.filter(members::member_type.eq(kind.clone()));
    }
    if let Some(pioneer) = filter.pioneer {
        query = query.filter(members::pioneer.eq(pioneer));
    }
    if let Some(party) = filter.party {
        query = query.filter(members::party_member.eq(party));
    }
    if let Some(tag) = &filter.circumstance {
        let tagged = member_profiles::table
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("")
                    .bind::<Text, _>(tag.clone())
                    .sql(" = ANY(member_profiles.circumstances)"),
            )
            .select(member_profiles::member_id);
        query = query.filter(members::id.eq_any(tagged));
    }
    if let Some(kind) = &filter.need {
        let needing = member_needs::table
            .filter(member_needs::kind.eq(kind.clone()))
            .filter(member_needs::status.ne("met"))
            .select(member_needs::member_id);
        query = query.filter(members::id.eq_any(needing));
    }
    if let Some(from) = filter.born_from {
        query = query.filter(members::birth_year.ge(from));
    }
    if let Some(to) = filter.born_to {
        query = query.filter(members::birth_year.le(to));
    }
    if let Some(since) = filter.no_contact_since {
        query = query.filter(members::last_contact_on.is_null().or(members::last_contact_on.lt(since)));
    }
    if let Some(search) = &filter.search {
        query = query.filter(members::search_key.like(format!("%{}%", escape_like(search))));
        // Sorting by an expression keeps the planner off the name-order index: for a name
        // search it would walk that index filtering row by row until a page is found, and
        // people search for given names, which sit together in name order (`lan`: 563 ms,
        // `thi lan`: 0.7–1.4 s on 1M members). The trigram index finds the matches and they
        // are sorted instead: 90 ms for those, 200–310 ms at worst for the commonest words
        // (`nguyen`, `thi`), which the walk found in 5–10 ms (docs/BENCHMARKS.md).
        query = query.order((members::sort_key.concat("").asc(), members::id.asc()));
    }
    if let Some(digits) = &filter.phone_suffix {
        query = query.filter(members::phone.like(format!("%{digits}")));
    }
    if let Some((sort_key, id)) = after {
        query = query
            .filter(members::sort_key.gt(sort_key.clone()).or(members::sort_key.eq(sort_key).and(members::id.gt(id))));
    }
    query.load(conn).await
}

/// The members placed on `$2` in `$1`'s subtree as it was that day (see `placed_on`), as SQL
/// that other fixed queries embed.
pub(crate) const PLACED_ON_SQL: &str = "SELECT p.member_id
         FROM member_placements p
         JOIN org_unit_periods up ON up.unit_id = p.unit_id
              AND up.valid_from <= $2 AND (up.valid_to IS NULL OR up.valid_to > $2)
         JOIN org_unit_periods root ON root.unit_id = $1
              AND root.valid_from <= $2 AND (root.valid_to IS NULL OR root.valid_to > $2)
         WHERE p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
           AND up.path <@ root.path";

#[derive(QueryableByName)]
struct Placed {
    #[diesel(sql_type = SqlUuid)]
    member_id: Uuid,
}

/// Ids of members placed, on `day`, in a unit that was then inside `unit`'s subtree (using
/// the tree as it was that day, so merges and moves since do not change the answer).
pub async fn placed_on(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<Placed> =
        crate::db::prepared(PLACED_ON_SQL).bind::<SqlUuid, _>(unit).bind::<Date, _>(day).load(conn).await?;
    Ok(rows.into_iter().map(|r| r.member_id).collect())
}

/// Inserts a member, her first placement (from `placed_from`: the join date, or the day her
/// unit came into being if that is later) and her join event.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    row: &NewMemberRow,
    placed_from: NaiveDate,
    recorded_by: Option<Uuid>,
) -> QueryResult<MemberRow> {
    let member =
        diesel::insert_into(members::table).values(row).returning(MemberRow::as_returning()).get_result(conn).await?;
    diesel::insert_into(member_placements::table)
        .values((
            member_placements::member_id.eq(member.id),
            member_placements::unit_id.eq(member.unit_id),
            member_placements::valid_from.eq(placed_from.max(member.joined_on)),
        ))
        .execute(conn)
        .await?;
    record_event(conn, member.id, "join", member.joined_on, "", None, Some(member.unit_id), None, recorded_by).await?;
    Ok(member)
}

/// Appends a lifecycle event.
#[allow(clippy::too_many_arguments)]
pub async fn record_event(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    kind: &str,
    occurred_on: NaiveDate,
    reason: &str,
    from_unit: Option<Uuid>,
    to_unit: Option<Uuid>,
    transfer: Option<Uuid>,
    recorded_by: Option<Uuid>,
) -> QueryResult<()> {
    diesel::insert_into(member_events::table)
        .values((
            member_events::id.eq(Uuid::now_v7()),
            member_events::member_id.eq(member),
            member_events::kind.eq(kind),
            member_events::occurred_on.eq(occurred_on),
            member_events::reason.eq(reason),
            member_events::from_unit_id.eq(from_unit),
            member_events::to_unit_id.eq(to_unit),
            member_events::transfer_id.eq(transfer),
            member_events::recorded_by.eq(recorded_by),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the open placement on `day` (she is no longer counted from that day).
pub async fn end_placement(conn: &mut AsyncPgConnection, member: Uuid, day: NaiveDate) -> QueryResult<usize> {
    diesel::update(
        member_placements::table
            .filter(member_placements::member_id.eq(member))
            .filter(member_placements::valid_to.is_null()),
    )
    .set(member_placements::valid_to.eq(day))
    .execute(conn)
    .await
}

/// Opens a placement in `unit` from `day`, and points the member at that unit.
pub async fn start_placement(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    unit: Uuid,
    unit_path: &Ltree,
    day: NaiveDate,
) -> QueryResult<()> {
    diesel::insert_into(member_placements::table)
        .values((
            member_placements::member_id.eq(member),
            member_placements::unit_id.eq(unit),
            member_placements::valid_from.eq(day),
        ))
        .on_conflict((member_placements::member_id, member_placements::valid_from))
        .do_update()
        .set((member_placements::unit_id.eq(unit), member_placements::valid_to.eq(None::<NaiveDate>)))
        .execute(conn)
        .await?;
    diesel::update(members::table.find(member))
        .set((members::unit_id.eq(unit), members::unit_path.eq(unit_path.clone())))
        .execute(conn)
        .await?;
    Ok(())
}

/// The day the open placement began.
pub async fn open_placement_since(conn: &mut AsyncPgConnection, member: Uuid) -> QueryResult<Option<NaiveDate>> {
    member_placements::table
        .filter(member_placements::member_id.eq(member))
        .filter(member_placements::valid_to.is_null())
        .select(member_placements::valid_from)
        .first(conn)
        .await
        .optional()
}

/// The end of her latest closed placement.
pub async fn last_placement_end(conn: &mut AsyncPgConnection, member: Uuid) -> QueryResult<Option<NaiveDate>> {
    member_placements::table
        .filter(member_placements::member_id.eq(member))
        .select(diesel::dsl::max(member_placements::valid_to))
        .first(conn)
        .await
}

/// Marks a need met (used by support entries, which may meet a need).
pub async fn mark_met(conn: &mut AsyncPgConnection, need: Uuid, on: NaiveDate) -> QueryResult<usize> {
    diesel::update(member_needs::table.find(need).filter(member_needs::status.ne("met")))
        .set((
            member_needs::status.eq("met"),
            member_needs::met_on.eq(on),
            member_needs::version.eq(member_needs::version + 1),
            member_needs::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}
