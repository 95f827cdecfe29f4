//! `chihoi seed --demo`: a clearly marked demonstration data set, so a newcomer sees every
//! feature with realistic Vietnamese data. Idempotent: a second run changes nothing.
//!
//! Demo accounts share `CHIHOI_DEMO_PASSWORD` (default `chihoi-demo`). The default is on the
//! list of refused common passwords on purpose: no real account can ever be given it.

mod activities;
pub mod apps;
pub mod bulk;
mod org;
mod pairs;
mod people;
mod reform;
mod reports;
mod support;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, AuditActor, AuditEvent};
use crate::auth::tokens::{digest, shown_part};
use crate::auth::{RequestMeta, Role, passwords};
use crate::config::Config;
use crate::db::in_transaction;
use crate::http::ApiError;
use crate::schema::{instance_settings, machine_clients, role_grants, users};
use crate::time::today_in_vietnam;
use crate::users::models::NewUserRow;

const MARKER: &str = "demo.seeded";
/// The demo province system's client secret: known, because this is demo data.
pub const DEMO_CLIENT_SECRET: &str = "chs_demo-vinh-long-province-reporting-system";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The demo accounts: user name, display name, role, and the unit key it is granted on.
const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("demo-admin", "[DEMO] Quản trị hệ thống", Role::Admin, "root"),
    ("demo-province", "[DEMO] Cán bộ Hội LHPN tỉnh Vĩnh Long", Role::ProvinceOfficer, "vinh-long"),
    ("demo-commune", "[DEMO] Chủ tịch Hội LHPN xã Hưng Nhượng", Role::CommuneOfficer, "hung-nhuong"),
    ("demo-branch", "[DEMO] Chi hội trưởng ấp Rẫy", Role::BranchHead, "ap-ray"),
    ("demo-member", "[DEMO] Hội viên ấp Rẫy", Role::Member, "ap-ray"),
    ("demo-auditor", "[DEMO] Kiểm tra viên", Role::Auditor, "root"),
];

/// Whether the demo data set is loaded in this database.
pub async fn is_loaded(conn: &mut AsyncPgConnection) -> diesel::QueryResult<bool> {
    diesel::select(diesel::dsl::exists(instance_settings::table.find(MARKER))).get_result(conn).await
}

pub async fn demo(config: &Config, password: &str) -> Result<String, String> {
    let mut conn =
        AsyncPgConnection::establish(config.database_url.expose()).await.map_err(|e| format!("database: {e}"))?;
    let seeded = is_loaded(&mut conn).await.map_err(|e| e.to_string())?;
    if !seeded {
        let phc = passwords::hash(password, config.auth.password_hash)?;
        in_transaction(&mut conn, async |conn| load(conn, &phc).await).await.map_err(|e| e.to_string())?;
    }
    Ok(summary(password, seeded))
}

async fn load(conn: &mut AsyncPgConnection, phc: &str) -> Result<(), ApiError> {
    let today = today_in_vietnam(Utc::now());
    let units = org::load(conn).await?;
    let people = people::load(conn, &units, today).await?;
    org::reform(conn, &units).await?;
    reform::after_reform(conn, &units, &people, today).await?;
    pairs::load(conn, &units, &people, today).await?;
    activities::load(conn, &units, today).await?;
    reports::load(conn, &units, today).await?;
    // Name search ranks words by how many members hold them: counted now, not at the first
    // hourly housekeeping, so the demo's searches take the word index from the start.
    crate::members::search::recount_words(conn).await?;
    // Legal bases: the register rests on the charter; circumstances on each woman's consent.
    diesel::sql_query(
        "INSERT INTO member_consents (id, member_id, purpose, legal_basis, granted, decided_on, evidence)
         SELECT gen_random_uuid(), m.id, 'membership_registry', 'legal_obligation', true, m.joined_on,
                '[DEMO] Điều lệ Hội LHPN Việt Nam' FROM members m
         UNION ALL
         SELECT gen_random_uuid(), p.member_id, 'circumstances_and_needs', 'consent', true,
                coalesce(p.verified_on, CURRENT_DATE), '[DEMO] Phiếu đồng ý có chữ ký' FROM member_profiles p",
    )
    .execute(conn)
    .await?;
    // One woman of ấp Rẫy withdrew her photo consent: a new photo is refused (409
    // consent_withdrawn) and cadres no longer see one (privacy.md).
    diesel::sql_query(
        "INSERT INTO member_consents (id, member_id, purpose, legal_basis, granted, decided_on, evidence)
         VALUES (gen_random_uuid(), $1, 'photo', 'consent', false, CURRENT_DATE,
                 '[DEMO] Rút lại đồng ý dùng ảnh / Withdrew consent to her photo')",
    )
    .bind::<diesel::sql_types::Uuid, _>(people.nth("ap-ray-to-1", 3)?)
    .execute(conn)
    .await?;
    // The member of An Lợi who left asked for her data to be erased: she stays in every count
    // under a pseudonym (GET /members/{id}/personal-data shows the erasure).
    crate::privacy::erasure::anonymize(
        conn,
        people.nth("ap-an-loi", 2)?,
        crate::privacy::erasure::ErasureBasis::Request,
        "[DEMO] Theo đơn đề nghị xoá dữ liệu / At her written request",
        None,
    )
    .await?;
    // The branch head and the member of ấp Rẫy are members themselves: `/me/member` works.
    let linked: [(&str, Uuid); 2] =
        [("demo-branch", people.nth("ap-ray-to-2", 0)?), ("demo-member", people.nth("ap-ray-to-1", 5)?)];
    for (username, display_name, role, unit_key) in ACCOUNTS {
        let unit = units.get(unit_key).copied().ok_or_else(|| ApiError::internal("demo unit missing"))?;
        let row = NewUserRow {
            id: Uuid::now_v7(),
            username: (*username).into(),
            display_name: (*display_name).into(),
            home_unit_id: unit,
            member_id: linked.iter().find(|(u, _)| u == username).map(|(_, m)| *m),
            must_change_password: false,
            password_hash: phc.to_owned(),
        };
        let Some(user) = crate::users::queries::insert(conn, &row).await? else {
            continue;
        };
        diesel::insert_into(role_grants::table)
            .values((
                role_grants::id.eq(Uuid::now_v7()),
                role_grants::user_id.eq(user.id),
                role_grants::role.eq(role.as_str()),
                role_grants::org_unit_id.eq(unit),
            ))
            .execute(conn)
            .await?;
    }
    let province = units.get("vinh-long").copied().ok_or_else(|| ApiError::internal("demo province missing"))?;
    let client = Uuid::now_v7();
    diesel::insert_into(machine_clients::table)
        .values((
            machine_clients::id.eq(client),
            machine_clients::name.eq("[DEMO] Hệ thống báo cáo Hội LHPN tỉnh Vĩnh Long"),
            machine_clients::org_unit_id.eq(province),
            machine_clients::secret_prefix.eq(shown_part(DEMO_CLIENT_SECRET)),
            machine_clients::secret_hash.eq(digest(DEMO_CLIENT_SECRET)),
        ))
        .execute(conn)
        .await?;
    // A subscription of the province system, paused: nothing listens at the example address.
    // Its secret is a real Standard Webhooks key (base64 of "chihoi demo webhook key, not
    // secret"), so a newcomer can check a signature with a library.
    diesel::sql_query(
        "INSERT INTO webhooks (id, owner_client_id, unit_id, unit_path, url, events, secret, status, status_note)
         SELECT uuid_v7(), $1, u.id, u.path, 'https://baocao.vinhlong.example/hooks/chihoi',
                ARRAY['report.submitted', 'report.accepted', 'report.returned'], 'whsec_Y2hpaG9pIGRlbW8gd2ViaG9vayBrZXksIG5vdCBzZWNyZXQ=', 'disabled',
                '[DEMO] Ví dụ: đặt URL thật rồi bật lại (status: active) / Example: set a real URL, then re-enable'
         FROM org_units u WHERE u.id = $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(client)
    .bind::<diesel::sql_types::Uuid, _>(province)
    .execute(conn)
    .await?;
    let commune = units.get("hung-nhuong").copied().ok_or_else(|| ApiError::internal("demo commune missing"))?;
    apps::load(conn, commune).await?;
    let admin: Uuid = users::table.filter(users::username.eq("demo-admin")).select(users::id).first(conn).await?;
    diesel::insert_into(instance_settings::table)
        .values((
            instance_settings::key.eq(MARKER),
            instance_settings::value.eq(serde_json::json!({"demo": true, "admin": admin})),
            instance_settings::description
                .eq("Dữ liệu mẫu (DEMO) đã được nạp / Demonstration data is loaded. Never in production."),
        ))
        .execute(conn)
        .await?;
    for (key, value, description) in [
        (
            "coverage.flag_below_percent",
            serde_json::json!(60),
            "Ngưỡng tỷ lệ tập hợp: đơn vị dưới ngưỡng bị đánh dấu / Units under this coverage are flagged",
        ),
        (
            "attendance.model_branch_target_percent",
            serde_json::json!(85),
            "Mục tiêu tỷ lệ dự sinh hoạt của chi hội điểm / Attendance target of model branches",
        ),
    ] {
        diesel::insert_into(instance_settings::table)
            .values((
                instance_settings::key.eq(key),
                instance_settings::value.eq(value),
                instance_settings::description.eq(description),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    let meta = RequestMeta { request_id: Some("seed-demo".into()), client_ip: None };
    audit::record(conn, &AuditActor::system(), &meta, AuditEvent::new("demo.seed")).await
}

fn summary(password: &str, already: bool) -> String {
    let mut out = String::new();
    out.push_str(if already {
        "Dữ liệu mẫu đã có sẵn / demo data already loaded (nothing changed).\n"
    } else {
        "Đã nạp dữ liệu mẫu / demo data loaded.\n"
    });
    out.push_str("  *** DỮ LIỆU MẪU — KHÔNG DÙNG CHO THỰC TẾ / DEMO DATA — NOT FOR REAL USE ***\n");
    out.push_str(&format!("  Demo accounts (password: {password}):\n"));
    for (username, display_name, role, _) in ACCOUNTS {
        out.push_str(&format!("    {username:<14} {:<17} {display_name}\n", role.as_str()));
    }
    out.push_str(&format!("  Demo machine client secret: {DEMO_CLIENT_SECRET}\n"));
    out.push_str(&format!(
        "  Demo third-party app (OAuth, public + PKCE): client_id {}, redirect {} (docs/integration.md)\n",
        apps::DEMO_APP_CLIENT_ID,
        apps::DEMO_APP_REDIRECTS[0]
    ));
    out
}
