//! Name search by words (tìm theo tên), issue 22.
//!
//! A search matches the members whose folded name contains the folded query
//! (`search_key LIKE '%q%'`), in name order. A trigram index cannot make that fast for the
//! queries people type: "thi lan" holds "thi", which nearly every woman's name holds, so every
//! match had to be found, fetched and sorted before the first page. Here the query's words
//! choose where to look, as a search engine's rarest term does:
//!
//! - a one-word query `w` can only match a member with a word containing `w`;
//! - `w1 w2 … wk` can only match one with a word ending in `w1`, words equal to `w2 … wk-1`
//!   and a word starting with `wk`.
//!
//! Each condition expands to the words of the vocabulary (`name_tokens`) it allows; the one
//! held by the fewest members is chosen, and `member_name_tokens` (one row per word and member,
//! in name order) is walked word by word in name order, stopping after a page. The match itself
//! is still `search_key LIKE` (the query's `%`, `_` and `\` escaped: they are letters), so
//! results are exactly those of the full scan (`queries::list`), which remains the path for a
//! condition allowing too many words and for searches within a past placement.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Int4, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::models::MemberRow;
use crate::db::fixed_sql;
use crate::db::prepared::{Prepared, prepared};
use crate::text::like::escape_like;

/// Above this many vocabulary words for the chosen condition, walking each of them costs more
/// than the full scan, which then finds a page quickly because matches are dense.
const MAX_WORDS: usize = 64;

/// Where a search must look.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Only members holding one of these words can match.
    Words(Vec<String>),
    /// No member can match: a condition allows no word of the vocabulary.
    Nothing,
    /// Scan with the trigram index (`queries::list`).
    Scan,
}

/// The `LIKE` patterns of the conditions a match implies, word by word (`None` for no word).
pub fn word_patterns(search: &str) -> Option<Vec<String>> {
    let words: Vec<String> = search.split(' ').filter(|w| !w.is_empty()).map(escape_like).collect();
    match words.as_slice() {
        [] => None,
        [only] => Some(vec![format!("%{only}%")]),
        [first, middle @ .., last] => {
            let mut patterns = vec![format!("%{first}")];
            patterns.extend(middle.iter().cloned());
            patterns.push(format!("{last}%"));
            Some(patterns)
        }
    }
}

#[derive(QueryableByName)]
struct VocabularyWord {
    #[diesel(sql_type = Int4)]
    position: i32,
    #[diesel(sql_type = Text)]
    token: String,
    #[diesel(sql_type = Nullable<Int4>)]
    members: Option<i32>,
}

/// Chooses the words to walk for a folded, non-empty query.
pub async fn plan(conn: &mut AsyncPgConnection, search: &str) -> diesel::QueryResult<Plan> {
    let Some(patterns) = word_patterns(search) else { return Ok(Plan::Scan) };
    let rows: Vec<VocabularyWord> = prepared(
        "SELECT p.i::int4 AS position, n.token, n.members
         FROM unnest($1::text[]) WITH ORDINALITY AS p(pattern, i)
         JOIN name_tokens n ON n.token LIKE p.pattern",
    )
    .bind::<Array<Text>, _>(&patterns)
    .load(conn)
    .await?;
    Ok(choose(patterns.len(), rows.into_iter().map(|r| (r.position, r.token, r.members))))
}

/// The condition held by the fewest members (words seen since the last count are rare).
fn choose(conditions: usize, rows: impl Iterator<Item = (i32, String, Option<i32>)>) -> Plan {
    let mut by_condition: BTreeMap<i32, (i64, Vec<String>)> = BTreeMap::new();
    for (position, token, members) in rows {
        let entry = by_condition.entry(position).or_default();
        entry.0 += i64::from(members.unwrap_or(0));
        entry.1.push(token);
    }
    if by_condition.len() < conditions {
        return Plan::Nothing;
    }
    match by_condition.into_values().min_by_key(|(members, _)| *members) {
        Some((_, words)) if words.len() <= MAX_WORDS => Plan::Words(words),
        _ => Plan::Scan,
    }
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    sort_key: String,
}

/// Where a walk starts and what it may return: members in `scope` (and `within`) whose folded
/// name contains `search`, after `after` in name order, among those holding one of `words`.
pub struct Walk<'a> {
    pub words: &'a [String],
    pub search: &'a str,
    pub scope: &'a [Ltree],
    pub within: Option<&'a Ltree>,
    pub after: Option<&'a (String, Uuid)>,
}

impl<'a> Walk<'a> {
    /// The first `limit` matches: each word's first `limit` (all a page can need from it),
    /// then the first `limit` of their union. The match is checked on the word index itself
    /// (`strpos`, the literal substring `LIKE '%q%'` tests; written so because the planner,
    /// which cannot estimate it, then walks the words in order instead of going through the
    /// trigram index). `columns` are those of `m` (members) the rows carry.
    fn query(&self, whole_rows: bool, limit: i64) -> Prepared<'a> {
        // Four fixed texts (prepared once per connection): the columns, and a page after a
        // cursor or the first.
        macro_rules! walk {
            ($columns:expr, $after:expr) => {
                fixed_sql!(
                    "SELECT DISTINCT ON (c.sort_key, c.id) c.* FROM unnest($1::text[]) AS w(token)
                     CROSS JOIN LATERAL (
                         SELECT {columns} FROM member_name_tokens t JOIN members m ON m.id = t.member_id
                         WHERE t.token = w.token {after}
                           AND strpos(t.search_key, $2) > 0 AND m.unit_path <@ $3 AND ($4::ltree IS NULL OR m.unit_path <@ $4)
                         ORDER BY t.sort_key, t.member_id LIMIT $5) c
                     ORDER BY c.sort_key, c.id LIMIT $5",
                    columns = $columns,
                    after = $after
                )
            };
        }
        const AFTER: &str = "AND (t.sort_key, t.member_id) > ($6, $7)";
        let sql = match (whole_rows, self.after.is_some()) {
            (true, true) => walk!("m.*", AFTER),
            (true, false) => walk!("m.*", ""),
            (false, true) => walk!("m.id, m.sort_key", AFTER),
            (false, false) => walk!("m.id, m.sort_key", ""),
        };
        let query = prepared(sql)
            .bind::<Array<Text>, _>(self.words)
            .bind::<Text, _>(self.search)
            .bind::<Array<diesel_ltree::sql_types::Ltree>, _>(self.scope)
            .bind::<Nullable<diesel_ltree::sql_types::Ltree>, _>(self.within)
            .bind::<BigInt, _>(limit);
        match self.after {
            Some((key, id)) => query.bind::<Text, _>(key).bind::<SqlUuid, _>(*id),
            None => query,
        }
    }

    /// The first `limit` matches' places in name order (for filters applied after).
    pub async fn keys(&self, conn: &mut AsyncPgConnection, limit: i64) -> diesel::QueryResult<Vec<(String, Uuid)>> {
        let rows: Vec<Candidate> = self.query(false, limit).load(conn).await?;
        Ok(rows.into_iter().map(|c| (c.sort_key, c.id)).collect())
    }

    /// The first `limit` matches themselves (when no other filter applies: one statement).
    pub async fn members(&self, conn: &mut AsyncPgConnection, limit: i64) -> diesel::QueryResult<Vec<MemberRow>> {
        self.query(true, limit).load(conn).await
    }
}

/// Recounts how many members hold each word (only used to pick the rarest condition, so a
/// count some minutes old is as good). Returns the words whose count changed.
pub async fn recount_words(conn: &mut AsyncPgConnection) -> diesel::QueryResult<usize> {
    let changed = diesel::sql_query(
        "UPDATE name_tokens n SET members = COALESCE(c.members, 0)
         FROM name_tokens v LEFT JOIN (SELECT token, count(*)::int AS members FROM member_name_tokens GROUP BY token) c
              ON c.token = v.token
         WHERE v.token = n.token AND n.members IS DISTINCT FROM COALESCE(c.members, 0)",
    )
    .execute(conn)
    .await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_may_sit_anywhere_in_a_word() {
        assert_eq!(word_patterns("lan"), Some(vec!["%lan%".to_owned()]));
    }

    #[test]
    fn several_words_end_the_first_and_start_the_last() {
        assert_eq!(word_patterns("hi thi la"), Some(vec!["%hi".to_owned(), "thi".to_owned(), "la%".to_owned()]));
    }

    #[test]
    fn wildcards_are_letters() {
        assert_eq!(word_patterns("l_n"), Some(vec![r"%l\_n%".to_owned()]));
        assert_eq!(word_patterns(""), None);
    }

    #[test]
    fn the_rarest_condition_is_walked_and_a_missing_one_matches_nothing() {
        let rows = vec![(1, "thi".to_owned(), Some(900)), (2, "lan".to_owned(), Some(30)), (2, "lanh".into(), None)];
        assert_eq!(choose(2, rows.clone().into_iter()), Plan::Words(vec!["lan".into(), "lanh".into()]));
        assert_eq!(choose(3, rows.into_iter()), Plan::Nothing);
    }

    #[test]
    fn too_many_words_scan() {
        let rows = (0..=MAX_WORDS).map(|i| (1, format!("a{i}"), Some(1)));
        assert_eq!(choose(1, rows), Plan::Scan);
    }
}
