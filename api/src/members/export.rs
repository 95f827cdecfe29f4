//! Exporting a unit's member list as CSV or XLSX in the layout of the import template (so an
//! export can be corrected and imported back): Vietnamese headers, dd/mm/yyyy dates.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_ltree::LtreeExtensions;
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::access::wants_sensitive;
use super::models::MemberRow;
use super::wire::{MemberStatus, national_phone};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::media::{FileFormat, XLSX};
use crate::http::{ApiError, ApiQuery, Text};
use crate::org_units::access::visible_unit;
use crate::schema::{ethnicities, members, org_units, religions};
use crate::state::AppState;
use crate::text::csv_cell;

const MAX_EXPORT_ROWS: i64 = 100_000;

/// Query of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The unit whose subtree is exported.
    pub unit: Uuid,
    /// `csv` (default) or `xlsx`.
    pub format: Option<FileFormat>,
    /// Only this status (default: everyone).
    pub status: Option<MemberStatus>,
    /// `sensitive` adds CCCD, ethnicity, religion and Party columns (needs `members:sensitive`).
    #[param(value_type = Option<super::vocabulary::MemberInclude>)]
    pub include: Option<String>,
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

fn status_vi(status: &str) -> &'static str {
    match status {
        "transferring" => "Đang chuyển sinh hoạt",
        "left" => "Đã ra hội",
        "removed" => "Đã xóa tên",
        "deceased" => "Đã từ trần",
        _ => "Đang sinh hoạt",
    }
}

/// Where a member is, and the names her codes stand for, as the import template writes them.
struct Place<'a> {
    branch: &'a str,
    group: &'a str,
    ethnicity: Option<&'a str>,
    religion: Option<&'a str>,
}

/// The cells of one member, in the order of `headers`.
fn cells(m: &MemberRow, place: &Place<'_>, sensitive: bool) -> Vec<String> {
    let birth = match (m.birth_date, m.birth_year) {
        (Some(d), _) => date(Some(d)),
        (None, Some(y)) => y.to_string(),
        _ => String::new(),
    };
    let mut row = vec![
        m.family_name.clone(),
        m.middle_name.clone(),
        m.given_name.clone(),
        if m.sex == "male" { "Nam".into() } else { "Nữ".into() },
        birth,
    ];
    if sensitive {
        row.push(m.cccd.clone().unwrap_or_default());
    }
    row.extend([national_phone(m.phone.as_deref()), m.address.clone()]);
    if sensitive {
        // Names, as the import template takes them (a code without a name stays a code).
        let named =
            |name: Option<&str>, code: &Option<String>| name.map(str::to_owned).or(code.clone()).unwrap_or_default();
        row.extend([named(place.ethnicity, &m.ethnicity_code), named(place.religion, &m.religion_code)]);
    }
    row.extend([m.occupation.clone(), m.education.clone()]);
    if sensitive {
        row.extend([if m.party_member { "Có".into() } else { "Không".into() }, date(m.party_joined_on)]);
    }
    row.extend([
        date(Some(m.joined_on)),
        m.card_number.clone().unwrap_or_default(),
        if m.member_type == "honorary" { "Danh dự".into() } else { "Chính thức".into() },
        place.branch.to_owned(),
        place.group.to_owned(),
        status_vi(&m.status).into(),
    ]);
    row
}

fn headers(sensitive: bool) -> Vec<&'static str> {
    let mut h = vec!["Họ", "Tên đệm", "Tên", "Giới tính", "Ngày sinh"];
    if sensitive {
        h.push("Số CCCD");
    }
    h.extend(["Số điện thoại", "Địa chỉ"]);
    if sensitive {
        h.extend(["Dân tộc", "Tôn giáo"]);
    }
    h.extend(["Nghề nghiệp", "Trình độ học vấn"]);
    if sensitive {
        h.extend(["Đảng viên", "Ngày vào Đảng"]);
    }
    h.extend(["Ngày vào hội", "Số thẻ hội viên", "Loại hội viên", "Chi hội", "Tổ", "Trạng thái"]);
    h
}

/// Export members
///
/// A unit's members (its whole subtree) as CSV or XLSX, sorted the Vietnamese way, at most
/// 100,000 rows. Needs `members:export`; every export is audited.
#[utoipa::path(tag = "members", operation_id = "export_members", security(("bearer" = [])),
    params(ExportQuery),
    responses((status = 200, description = "The file (CSV, or XLSX with `format=xlsx`).", content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "`attachment; filename=…`"))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/export")]
pub async fn export_members(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let sensitive = wants_sensitive(query.include.as_deref())?;
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, query.unit, Permission::MembersRead).await?;
    caller.require(Permission::MembersExport, &unit.path.0)?;
    if sensitive {
        caller.require(Permission::MembersSensitive, &unit.path.0)?;
    }
    let mut select = members::table
        .inner_join(org_units::table)
        .filter(members::unit_path.contained_by(unit.path.clone()))
        .select((MemberRow::as_select(), org_units::level, org_units::name, org_units::parent_id))
        .order((members::sort_key.asc(), members::id.asc()))
        .limit(MAX_EXPORT_ROWS + 1)
        .into_boxed();
    if let Some(status) = query.status {
        select = select.filter(members::status.eq(status.as_str()));
    }
    let rows: Vec<(MemberRow, String, String, Option<Uuid>)> = select.load(&mut conn).await?;
    if rows.len() > usize::try_from(MAX_EXPORT_ROWS).unwrap_or(usize::MAX) {
        return Err(ApiError::invalid_parameter(
            "unit",
            "too_many_rows",
            Text::new(
                "Quá 100.000 hội viên; hãy xuất theo từng đơn vị nhỏ hơn.",
                "More than 100,000 members; export smaller units.",
            ),
        ));
    }
    let head = headers(sensitive);
    // The branch of a member in a group is the group's parent.
    let parents: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.1 == "group")
        .filter_map(|r| r.3)
        .collect::<std::collections::HashSet<_>>()
        .into_iter()
        .collect();
    let branch_names: HashMap<Uuid, String> = org_units::table
        .filter(org_units::id.eq_any(&parents))
        .select((org_units::id, org_units::name))
        .load::<(Uuid, String)>(&mut conn)
        .await?
        .into_iter()
        .collect();
    let (ethnicities, religions) = if sensitive {
        (
            ethnicities::table
                .select((ethnicities::code, ethnicities::name))
                .load::<(String, String)>(&mut conn)
                .await?,
            religions::table.select((religions::code, religions::name)).load::<(String, String)>(&mut conn).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let ethnicities: HashMap<String, String> = ethnicities.into_iter().collect();
    let religions: HashMap<String, String> = religions.into_iter().collect();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(m, level, name, parent)| {
            let in_group = level == "group";
            let branch =
                if in_group { parent.and_then(|p| branch_names.get(&p)).map_or("", String::as_str) } else { name };
            let place = Place {
                branch: if level == "group" || level == "branch" { branch } else { "" },
                group: if in_group { name } else { "" },
                ethnicity: m.ethnicity_code.as_ref().and_then(|c| ethnicities.get(c)).map(String::as_str),
                religion: m.religion_code.as_ref().and_then(|c| religions.get(c)).map(String::as_str),
            };
            cells(m, &place, sensitive)
        })
        .collect();
    let mut fields: Vec<&str> = vec![
        "family_name",
        "middle_name",
        "given_name",
        "sex",
        "birth_date",
        "phone",
        "address",
        "occupation",
        "education",
        "joined_on",
        "card_number",
        "member_type",
        "status",
    ];
    if sensitive {
        fields.extend(super::wire::SENSITIVE_FIELDS);
    }
    let event = AuditEvent::new("member.export")
        .object("org_unit", unit.id)
        .unit(unit.id)
        .fields(fields)
        .details(serde_json::json!({"rows": table.len(), "sensitive": sensitive}));
    caller.audit(&mut conn, event).await?;
    let stem = format!("hoi-vien-{}", unit.id.simple());
    Ok(match query.format.unwrap_or(FileFormat::Csv) {
        FileFormat::Csv => {
            let mut out = Vec::from("\u{feff}".as_bytes());
            {
                let mut writer = csv::Writer::from_writer(&mut out);
                csv_cell::write_record(&mut writer, &head).map_err(ApiError::internal)?;
                for row in &table {
                    csv_cell::write_record(&mut writer, row).map_err(ApiError::internal)?;
                }
                writer.flush().map_err(ApiError::internal)?;
            }
            HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.csv\"")))
                .body(out)
        }
        FileFormat::Xlsx => HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.xlsx\"")))
            .body(workbook(&head, &table).map_err(ApiError::internal)?),
    })
}

fn workbook(head: &[&str], table: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#D9E1F2");
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet().set_name("Hội viên")?;
    for (c, h) in head.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *h, &bold)?;
        sheet.set_column_width(col, 16)?;
    }
    for (r, row) in table.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, value) in row.iter().enumerate() {
            sheet.write_string_with_format(r, u16::try_from(c).unwrap_or(u16::MAX), value, &text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}
