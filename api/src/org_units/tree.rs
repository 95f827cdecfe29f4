//! Structural changes of the tree, shared by rename, move, merge and split: closing and opening
//! history periods, and moving a subtree's current paths (units, and the copies of paths kept on
//! members, prospects and pending transfers).

use chrono::NaiveDate;
use diesel::sql_types::{Date, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Ends the open period of each open unit under `path` on `day` (a period opened that same day
/// is dropped: the new one replaces it).
pub async fn close_periods_under(conn: &mut AsyncPgConnection, path: &str, day: NaiveDate) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "DELETE FROM org_unit_periods p USING org_units u
         WHERE p.unit_id = u.id AND u.path <@ $1::ltree AND u.valid_to IS NULL
           AND p.valid_to IS NULL AND p.valid_from >= $2",
    )
    .bind::<Text, _>(path)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "UPDATE org_unit_periods p SET valid_to = $2 FROM org_units u
         WHERE p.unit_id = u.id AND u.path <@ $1::ltree AND u.valid_to IS NULL AND p.valid_to IS NULL",
    )
    .bind::<Text, _>(path)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens a period from `day` for each open unit under `path`, as the units are now.
pub async fn open_periods_under(conn: &mut AsyncPgConnection, path: &str, day: NaiveDate) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO org_unit_periods (unit_id, valid_from, parent_id, path, name, official_code)
         SELECT id, $2, parent_id, path, name, official_code FROM org_units
         WHERE path <@ $1::ltree AND valid_to IS NULL",
    )
    .bind::<Text, _>(path)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rewrites every current path under `old` to lie under `new` instead.
pub async fn repath(conn: &mut AsyncPgConnection, old: &str, new: &str) -> diesel::QueryResult<()> {
    for (table, column) in [
        ("org_units", "path"),
        ("members", "unit_path"),
        ("prospects", "unit_path"),
        ("member_transfers", "to_unit_path"),
        ("pairs", "unit_path"),
        ("pairs", "mentor_path"),
        ("support_entries", "unit_path"),
        ("activities", "unit_path"),
        ("fee_payments", "unit_path"),
        ("pioneer_designations", "unit_path"),
        ("report_submissions", "unit_path"),
    ] {
        diesel::sql_query(format!(
            "UPDATE {table} SET {column} = CASE WHEN {column} = $1::ltree THEN $2::ltree
                 ELSE $2::ltree || subpath({column}, nlevel($1::ltree)) END
             WHERE {column} <@ $1::ltree"
        ))
        .bind::<Text, _>(old)
        .bind::<Text, _>(new)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Moves the subtree of `unit` (at `old_path`) under `parent` (at `parent_path`) from `day`,
/// keeping the history of where it was.
pub async fn move_subtree(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    old_path: &str,
    parent: Uuid,
    parent_path: &str,
    day: NaiveDate,
) -> diesel::QueryResult<String> {
    let label = old_path.rsplit('.').next().unwrap_or(old_path);
    let new_path = format!("{parent_path}.{label}");
    close_periods_under(conn, old_path, day).await?;
    repath(conn, old_path, &new_path).await?;
    diesel::sql_query("UPDATE org_units SET parent_id = $2, version = version + 1, updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(unit)
        .bind::<SqlUuid, _>(parent)
        .execute(conn)
        .await?;
    open_periods_under(conn, &new_path, day).await?;
    Ok(new_path)
}

/// Closes a unit from `day`: no longer current, its open period ended.
pub async fn close_unit(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> diesel::QueryResult<()> {
    diesel::sql_query("UPDATE org_unit_periods SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL")
        .bind::<SqlUuid, _>(unit)
        .bind::<Date, _>(day)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE org_units SET valid_to = $2, version = version + 1, updated_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(unit)
        .bind::<Date, _>(day)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves the members whose open placement is in `from` to `to` from `day`.
pub async fn move_members(
    conn: &mut AsyncPgConnection,
    from: Uuid,
    to: Uuid,
    to_path: &str,
    day: NaiveDate,
    by: Option<Uuid>,
    reason: &str,
) -> diesel::QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO member_events (id, member_id, kind, occurred_on, reason, from_unit_id, to_unit_id, recorded_by)
         SELECT uuid_v7(), member_id, 'unit_change', $3, $5, $1, $2, $4
         FROM member_placements WHERE unit_id = $1 AND valid_to IS NULL",
    )
    .bind::<SqlUuid, _>(from)
    .bind::<SqlUuid, _>(to)
    .bind::<Date, _>(day)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(by)
    .bind::<Text, _>(reason)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "WITH ended AS (
             UPDATE member_placements SET valid_to = $3
             WHERE unit_id = $1 AND valid_to IS NULL RETURNING member_id)
         INSERT INTO member_placements (member_id, unit_id, valid_from)
         SELECT member_id, $2, $3 FROM ended
         ON CONFLICT (member_id, valid_from) DO UPDATE SET unit_id = EXCLUDED.unit_id, valid_to = NULL",
    )
    .bind::<SqlUuid, _>(from)
    .bind::<SqlUuid, _>(to)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    diesel::sql_query("UPDATE members SET unit_id = $2, unit_path = $3::ltree, version = version + 1, updated_at = now() WHERE unit_id = $1")
        .bind::<SqlUuid, _>(from)
        .bind::<SqlUuid, _>(to)
        .bind::<Text, _>(to_path)
        .execute(conn)
        .await
}

/// Starts a new period of one unit on `day`, as the unit is now (after a rename).
pub async fn new_period(conn: &mut AsyncPgConnection, unit: Uuid, day: NaiveDate) -> diesel::QueryResult<()> {
    diesel::sql_query("DELETE FROM org_unit_periods WHERE unit_id = $1 AND valid_to IS NULL AND valid_from >= $2")
        .bind::<SqlUuid, _>(unit)
        .bind::<Date, _>(day)
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE org_unit_periods SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL")
        .bind::<SqlUuid, _>(unit)
        .bind::<Date, _>(day)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "INSERT INTO org_unit_periods (unit_id, valid_from, parent_id, path, name, official_code)
         SELECT id, $2, parent_id, path, name, official_code FROM org_units WHERE id = $1",
    )
    .bind::<SqlUuid, _>(unit)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?;
    Ok(())
}
