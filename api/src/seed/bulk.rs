//! `chihoi seed --members N`: a large synthetic registry for benchmarks (1,000,000 members in a
//! few minutes), made in bulk by SQL. Names come from the demo vocabulary with their search and
//! sort keys computed by the same Rust code as the API; everything is marked `[SEED]`.

use std::time::Instant;

use chrono::Utc;
use diesel::sql_types::{BigInt, Date, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::people::{FAMILY, GIVEN, MIDDLE};
use crate::config::Config;
use crate::db::in_transaction;
use crate::http::ApiError;
use crate::members::validate::search_key;
use crate::text::collate::person_sort_key;
use crate::time::today_in_vietnam;

const MARKER: &str = "seed.bulk";
/// Shape of the synthetic tree: members per branch, branches per commune, communes per province.
const MEMBERS_PER_BRANCH: i64 = 250;
const BRANCHES_PER_COMMUNE: i64 = 10;
const COMMUNES_PER_PROVINCE: i64 = 100;
const GROUPS_PER_BRANCH: i64 = 4;

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// Loads `count` synthetic members (once per database). Returns a summary for the terminal.
pub async fn members(config: &Config, count: i64) -> Result<String, String> {
    if !(1..=20_000_000).contains(&count) {
        return Err("--members must be between 1 and 20000000".into());
    }
    let mut conn =
        AsyncPgConnection::establish(config.database_url.expose()).await.map_err(|e| format!("database: {e}"))?;
    let existing: Option<serde_json::Value> = {
        use crate::schema::instance_settings as s;
        use diesel::{OptionalExtension, QueryDsl};
        s::table.find(MARKER).select(s::value).first(&mut conn).await.optional().map_err(|e| e.to_string())?
    };
    if let Some(value) = existing {
        return Ok(format!("Đã có dữ liệu thử tải / bulk data already loaded ({value}); nothing changed.\n"));
    }
    let started = Instant::now();
    let today = today_in_vietnam(Utc::now());
    in_transaction(&mut conn, async |conn| load(conn, count, today).await).await.map_err(|e| e.to_string())?;
    crate::members::search::recount_words(&mut conn).await.map_err(|e| e.to_string())?;
    // VACUUM too: name searches read the word index alone once its pages are marked all-visible.
    conn.batch_execute("VACUUM (ANALYZE) member_name_tokens").await.map_err(|e| e.to_string())?;
    conn.batch_execute("ANALYZE").await.map_err(|e| e.to_string())?;
    Ok(format!(
        "[SEED] {count} synthetic members loaded in {:.0} s under \"[SEED] Tỉnh thử tải …\" (marked, not real people).\n",
        started.elapsed().as_secs_f64()
    ))
}

async fn load(conn: &mut AsyncPgConnection, count: i64, today: chrono::NaiveDate) -> Result<(), ApiError> {
    // Synthetic data is not news to any device: a sync snapshot covers it.
    conn.batch_execute("SET LOCAL chihoi.sync_off = 'on'").await?;
    names(conn).await?;
    let branches = ceil_div(count, MEMBERS_PER_BRANCH);
    let communes = ceil_div(branches, BRANCHES_PER_COMMUNE);
    let provinces = ceil_div(communes, COMMUNES_PER_PROVINCE);
    conn.batch_execute(
        "CREATE TEMP TABLE seed_units (id uuid PRIMARY KEY, level text, n bigint, parent uuid, path ltree, name text) \
         ON COMMIT DROP",
    )
    .await?;
    // Each level: unit n of a level hangs under unit (n-1)/fanout + 1 of the level above.
    diesel::sql_query(
        "INSERT INTO seed_units \
         SELECT id, 'province', n, r.id_root, (r.path::text || '.' || replace(id::text, '-', ''))::ltree, \
                '[SEED] Tỉnh thử tải ' || n \
         FROM (SELECT uuid_v7() AS id, n FROM generate_series(1, $1) n) s, \
              (SELECT id AS id_root, path FROM org_units WHERE parent_id IS NULL) r",
    )
    .bind::<BigInt, _>(provinces)
    .execute(conn)
    .await?;
    for (level, parent_level, total, fanout, label) in [
        ("commune", "province", communes, COMMUNES_PER_PROVINCE, "Xã thử tải "),
        ("branch", "commune", branches, BRANCHES_PER_COMMUNE, "Chi hội ấp "),
        ("group", "branch", branches * GROUPS_PER_BRANCH, GROUPS_PER_BRANCH, "Tổ phụ nữ "),
    ] {
        diesel::sql_query(
            "INSERT INTO seed_units \
             SELECT s.id, $1, s.n, p.id, (p.path::text || '.' || replace(s.id::text, '-', ''))::ltree, $5 || s.n \
             FROM (SELECT uuid_v7() AS id, n FROM generate_series(1, $3) n) s \
             JOIN seed_units p ON p.level = $2 AND p.n = (s.n - 1) / $4 + 1",
        )
        .bind::<Text, _>(level)
        .bind::<Text, _>(parent_level)
        .bind::<BigInt, _>(total)
        .bind::<BigInt, _>(fanout)
        .bind::<Text, _>(label)
        .execute(conn)
        .await?;
    }
    conn.batch_execute(
        "INSERT INTO org_units (id, level, name, parent_id, path, valid_from) \
           SELECT id, level, name, parent, path, DATE '2000-01-01' FROM seed_units; \
         INSERT INTO org_unit_periods (unit_id, valid_from, parent_id, path, name) \
           SELECT id, DATE '2000-01-01', parent, path, name FROM seed_units; \
         INSERT INTO org_unit_population (unit_id, as_of, women_18_plus, source) \
           SELECT id, DATE '2025-01-01', 330, '[SEED]' FROM seed_units WHERE level = 'branch'",
    )
    .await?;
    // The units' sort keys (computed in Rust from the names, as for every unit).
    use crate::db::migrations::{SET_SORT_KEYS, UNSORTED_UNITS, Unnamed};
    loop {
        let rows: Vec<Unnamed> = diesel::sql_query(UNSORTED_UNITS).load(conn).await?;
        if rows.is_empty() {
            break;
        }
        let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
        let keys: Vec<String> = rows.iter().map(|r| crate::text::collate::text_sort_key(&r.name)).collect();
        diesel::sql_query(SET_SORT_KEYS)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&ids)
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&keys)
            .execute(conn)
            .await?;
    }
    // Member i lives in group (i-1)/per_group + 1; names, years and flags vary with i.
    let per_group = MEMBERS_PER_BRANCH / GROUPS_PER_BRANCH + 1;
    diesel::sql_query(
        "CREATE TEMP TABLE seed_members ON COMMIT DROP AS \
         SELECT uuid_v7() AS id, i, g.id AS unit_id, g.path AS unit_path, \
                (1950 + (i * 31) % 55)::int AS birth_year FROM generate_series(1, $1) i \
         JOIN seed_units g ON g.level = 'group' AND g.n = (i - 1) / $2 + 1",
    )
    .bind::<BigInt, _>(count)
    .bind::<BigInt, _>(per_group)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "INSERT INTO members (id, family_name, middle_name, given_name, search_key, sort_key, birth_year, cccd, \
                              phone, address, ethnicity_code, religion_code, occupation, party_member, joined_on, \
                              card_number, member_type, pioneer, unit_id, unit_path, last_contact_on) \
         SELECT m.id, n.family, n.middle, n.given, n.search_key, n.sort_key, m.birth_year, \
                CASE WHEN m.i % 5 < 3 THEN lpad((1 + (m.i / 1000000) % 96)::text, 3, '0') \
                     || CASE WHEN m.birth_year >= 2000 THEN '3' ELSE '1' END \
                     || lpad((m.birth_year % 100)::text, 2, '0') || lpad((m.i % 1000000)::text, 6, '0') END, \
                CASE WHEN m.i % 5 <> 4 THEN '+849' || lpad((m.i * 7919 % 100000000)::text, 8, '0') END, \
                '[SEED] Tổ ' || (1 + m.i % 9), CASE WHEN m.i % 17 = 0 THEN '05' ELSE '01' END, \
                CASE WHEN m.i % 4 = 0 THEN '01' ELSE '00' END, '[SEED]', m.i % 12 = 0, \
                LEAST(make_date(GREATEST(m.birth_year + 18, 1990) + (m.i % 12)::int, 1 + (m.i % 12)::int, \
                                1 + (m.i % 28)::int), $2), \
                'SEED-' || m.i, CASE WHEN m.i % 500 = 0 THEN 'honorary' ELSE 'regular' END, m.i % 10 = 0, \
                m.unit_id, m.unit_path, CASE WHEN m.i % 3 <> 0 THEN $2 - (m.i % 240)::int END \
         FROM seed_members m JOIN seed_names n ON n.k = m.i * 7919 % $3",
    )
    .bind::<BigInt, _>(count)
    .bind::<Date, _>(today)
    .bind::<BigInt, _>(names_count())
    .execute(conn)
    .await?;
    conn.batch_execute(
        "INSERT INTO member_placements (member_id, unit_id, valid_from) \
           SELECT m.id, m.unit_id, GREATEST(m.joined_on, DATE '2000-01-01') FROM members m JOIN seed_members s USING (id); \
         INSERT INTO member_events (id, member_id, kind, occurred_on, to_unit_id) \
           SELECT uuid_v7(), m.id, 'join', m.joined_on, m.unit_id FROM members m JOIN seed_members s USING (id); \
         INSERT INTO member_profiles (member_id, poverty_status, circumstances, verified_on) \
           SELECT id, (ARRAY['poor', 'near_poor', 'escaped_poverty', 'not_poor'])[1 + i % 4], \
                  ARRAY[(ARRAY['single_mother', 'widowed', 'disability', 'chronic_illness', 'elderly_alone'])[1 + i % 5]], \
                  CURRENT_DATE - (i % 300)::int \
           FROM seed_members WHERE i % 5 = 0; \
         INSERT INTO member_needs (id, member_id, kind, description, status) \
           SELECT uuid_v7(), id, (ARRAY['capital', 'job', 'vocational_training', 'health', 'housing'])[1 + i % 5], \
                  '[SEED]', (ARRAY['open', 'in_progress', 'met'])[1 + i % 3] \
           FROM seed_members WHERE i % 15 = 0; \
         INSERT INTO member_contacts (id, member_id, contacted_on, method) \
           SELECT uuid_v7(), m.id, m.last_contact_on, (ARRAY['home_visit', 'meeting', 'phone', 'zalo'])[1 + s.i % 4] \
           FROM members m JOIN seed_members s USING (id) WHERE m.last_contact_on IS NOT NULL",
    )
    .await?;
    meetings(conn, today).await?;
    diesel::sql_query("INSERT INTO instance_settings (key, value, description) VALUES ($1, $2::jsonb, $3)")
        .bind::<Text, _>(MARKER)
        .bind::<Text, _>(serde_json::json!({"members": count, "branches": branches}).to_string())
        .bind::<Text, _>(
            "Dữ liệu thử tải [SEED] đã được nạp / Synthetic benchmark data is loaded. Never in production.",
        )
        .execute(conn)
        .await?;
    Ok(())
}

/// A monthly meeting of every branch in each of the 12 months before this one, with a roster of
/// its members who had joined by then: most present, some excused, one in 20 always absent (the
/// members a branch head should visit). The presence pre-aggregates are rebuilt from the rows
/// once at the end rather than by the row trigger (millions of rows in one statement).
async fn meetings(conn: &mut AsyncPgConnection, today: chrono::NaiveDate) -> Result<(), ApiError> {
    diesel::sql_query(
        "CREATE TEMP TABLE seed_meetings ON COMMIT DROP AS \
         SELECT uuid_v7() AS id, b.id AS unit_id, b.path AS unit_path, k, \
                (date_trunc('month', $1::date) - make_interval(months => k) + interval '9 days')::date AS held_on \
         FROM seed_units b, generate_series(1, 12) k WHERE b.level = 'branch'",
    )
    .bind::<Date, _>(today)
    .execute(conn)
    .await?;
    conn.batch_execute(
        "CREATE TEMP TABLE seed_roster ON COMMIT DROP AS \
           SELECT a.id AS activity_id, s.id AS member_id, s.i, a.k, a.held_on \
           FROM seed_meetings a JOIN seed_units g ON g.level = 'group' AND g.parent = a.unit_id \
           JOIN seed_members s ON s.unit_id = g.id JOIN members m ON m.id = s.id \
           WHERE m.member_type = 'regular' AND m.joined_on <= a.held_on; \
         INSERT INTO activities (id, unit_id, unit_path, kind, starts_at, held_on, title, expected, status, \
                                 attendance_recorded_at) \
           SELECT a.id, a.unit_id, a.unit_path, 'monthly_meeting', \
                  (a.held_on + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh', a.held_on, \
                  '[SEED] Sinh hoạt tháng ' || to_char(a.held_on, 'MM/YYYY'), \
                  coalesce(r.expected, 0), 'held', (a.held_on + time '11:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' \
           FROM seed_meetings a \
           LEFT JOIN (SELECT activity_id, count(*)::int AS expected FROM seed_roster GROUP BY activity_id) r \
             ON r.activity_id = a.id; \
         ALTER TABLE attendance DISABLE TRIGGER attendance_presence_insert; \
         INSERT INTO attendance (id, activity_id, member_id, status, recorded_at) \
           SELECT gen_random_uuid(), activity_id, member_id, \
                  CASE WHEN i % 20 = 0 OR (i + k) % 7 = 0 THEN 'absent' WHEN (i * 3 + k) % 11 = 0 THEN 'excused' \
                       ELSE 'present' END, \
                  (held_on + time '11:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' \
           FROM seed_roster; \
         ALTER TABLE attendance ENABLE TRIGGER attendance_presence_insert; \
         DELETE FROM activity_presence; \
         INSERT INTO activity_presence SELECT * FROM activity_presence_recount; \
         DELETE FROM member_presence; \
         INSERT INTO member_presence SELECT * FROM member_presence_recount",
    )
    .await?;
    Ok(())
}

fn names_count() -> i64 {
    (FAMILY.len() * MIDDLE.len() * GIVEN.len()) as i64
}

/// Every name of the vocabulary with its keys, as the API computes them.
async fn names(conn: &mut AsyncPgConnection) -> Result<(), ApiError> {
    conn.batch_execute(
        "CREATE TEMP TABLE seed_names (k bigint PRIMARY KEY, family text, middle text, given text, search_key text, \
         sort_key text COLLATE \"C\") ON COMMIT DROP",
    )
    .await?;
    let mut rows = Vec::new();
    for family in FAMILY {
        for middle in MIDDLE {
            for given in GIVEN {
                rows.push(serde_json::json!([
                    rows.len(),
                    family,
                    middle,
                    given,
                    search_key(family, middle, given),
                    person_sort_key(family, middle, given)
                ]));
            }
        }
    }
    diesel::sql_query(
        "INSERT INTO seed_names SELECT (r->>0)::bigint, r->>1, r->>2, r->>3, r->>4, r->>5 \
         FROM jsonb_array_elements($1::jsonb) r",
    )
    .bind::<Text, _>(serde_json::Value::Array(rows).to_string())
    .execute(conn)
    .await?;
    Ok(())
}
