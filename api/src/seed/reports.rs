//! Demo reports: outside criteria codes on a few figures, the last complete quarter of xã Hưng
//! Nhượng submitted and accepted by the province, the last complete month submitted and waiting,
//! and last year's ratings of its branches.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::http::ApiError;
use crate::org_units::queries;
use crate::reports::compute::kpis;
use crate::reports::period::Period;
use crate::schema::{instance_settings, report_submissions as s, unit_ratings as r};

/// The last complete quarter and month before `today`, as period labels.
fn last_complete(today: NaiveDate) -> (String, String) {
    let month_ago = today - Months::new(1);
    let quarter_ago = today - Months::new(3);
    (
        format!("{}-Q{}", quarter_ago.year(), quarter_ago.month().div_ceil(3)),
        format!("{}-{:02}", month_ago.year(), month_ago.month()),
    )
}

async fn submit(conn: &mut AsyncPgConnection, unit: Uuid, label: &str, decision: Option<&str>) -> Result<(), ApiError> {
    let period = Period::parse(label).ok_or_else(|| ApiError::internal("demo period"))?;
    let row = queries::find(conn, unit).await?.ok_or(ApiError::NotFound)?;
    let figures = serde_json::to_value(kpis(conn, &row, &period).await?).map_err(ApiError::internal)?;
    let now = Utc::now();
    diesel::insert_into(s::table)
        .values((
            s::id.eq(Uuid::now_v7()),
            s::unit_id.eq(unit),
            s::unit_path.eq(&row.path),
            s::period.eq(&period.label),
            s::period_from.eq(period.from),
            s::period_to.eq(period.to),
            s::status.eq(if decision.is_some() { "accepted" } else { "submitted" }),
            s::figures.eq(figures),
            s::frozen_at.eq(now),
            s::submissions.eq(1),
            s::submitted_at.eq(Some(now)),
            s::decided_at.eq(decision.map(|_| now)),
            s::decision_note.eq(decision.unwrap_or_default()),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn load(
    conn: &mut AsyncPgConnection,
    units: &HashMap<&'static str, Uuid>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let criteria = serde_json::json!({
        "coverage.coverage": ["NTMNC-18.5"],
        "support.out_of_poverty": ["NTMNC-10.2"],
        "engagement.meeting_attendance": ["TĐ-PNTC-2"]
    });
    diesel::insert_into(instance_settings::table)
        .values((
            instance_settings::key.eq("reports.criteria_codes"),
            instance_settings::value.eq(criteria),
            instance_settings::description.eq(
                "[DEMO] Mã tiêu chí ngoài gắn với chỉ tiêu (Nông thôn mới nâng cao, thi đua) / Outside criteria codes by figure",
            ),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let commune = units["hung-nhuong"];
    let (quarter, month) = last_complete(today);
    submit(conn, commune, &quarter, Some("[DEMO] Đã duyệt: số liệu khớp sổ hội viên")).await?;
    submit(conn, commune, &month, None).await?;
    let year = today.year() - 1;
    for (key, rating, reason) in [
        ("ap-ray", "xuat_sac", "[DEMO] Chi hội điểm \"3 có 3 biết\""),
        ("ap-binh-thanh", "vung_manh", "[DEMO] Hoàn thành các chỉ tiêu"),
        ("ap-tan-phu", "kha", "[DEMO] Sinh hoạt đều, cần thêm nguồn lực"),
        ("ap-an-loi", "trung_binh", "[DEMO] Bỏ sinh hoạt nhiều tháng"),
        ("hung-nhuong", "vung_manh", "[DEMO] Xã mới sau sắp xếp, hoạt động ổn định"),
    ] {
        diesel::insert_into(r::table)
            .values((
                r::id.eq(Uuid::now_v7()),
                r::unit_id.eq(units[key]),
                r::year.eq(year),
                r::rating.eq(rating),
                r::reason.eq(reason),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}
