//! Reports as files people use: CSV (UTF-8 with BOM, opens in Excel) and XLSX laid out like a
//! commune report (Vietnamese headers, dd/mm/yyyy, VND formats, a sheet per section, and the
//! monthly trend with a chart), written with `rust_xlsxwriter`.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use super::figures::{KpiReport, Kpis, Ratio};
use super::trend::TrendPoint;
use crate::http::ApiError;
use crate::text::csv_cell;

/// One line of a report: a figure with its Vietnamese and English labels.
pub struct Line {
    pub section: &'static str,
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// Money (formatted as VND) or a percentage.
    pub money: bool,
    pub percent: bool,
}

fn count(section: &'static str, code: &str, vi: &str, en: &str, value: Option<i64>) -> Line {
    Line {
        section,
        code: code.to_owned(),
        label_vi: vi.to_owned(),
        label_en: en.to_owned(),
        value: value.map(|v| v as f64),
        numerator: None,
        denominator: None,
        money: false,
        percent: false,
    }
}

fn money(section: &'static str, code: &str, vi: &str, en: &str, value: Option<i64>) -> Line {
    Line { money: true, ..count(section, code, vi, en, value) }
}

fn ratio(section: &'static str, code: &str, vi: &str, en: &str, r: &Ratio) -> Line {
    Line {
        value: r.percent,
        numerator: r.numerator,
        denominator: r.denominator,
        percent: true,
        ..count(section, code, vi, en, None)
    }
}

const MEMBERS: &str = "Hội viên";
const ENGAGEMENT: &str = "Sinh hoạt";
const PAIRS: &str = "1+1";
const SUPPORT: &str = "Hỗ trợ";

/// Every figure of the KPIs as lines, in report order.
pub fn lines(k: &Kpis) -> Vec<Line> {
    let m = &k.members;
    let mut out = vec![
        count(MEMBERS, "members.start", "Hội viên đầu kỳ", "Members at start", m.start),
        count(MEMBERS, "members.end", "Hội viên cuối kỳ", "Members at end", m.end),
        count(MEMBERS, "members.joins", "Kết nạp mới", "Joins", m.joins),
        count(MEMBERS, "members.reinstatements", "Phục hồi", "Reinstatements", m.reinstatements),
        count(MEMBERS, "members.transfers_in", "Chuyển đến", "Transfers in", m.transfers_in),
        count(MEMBERS, "members.transfers_out", "Chuyển đi", "Transfers out", m.transfers_out),
        count(MEMBERS, "members.leavers", "Ra hội", "Leavers", m.leavers),
        count(MEMBERS, "members.removals", "Xóa tên", "Removals", m.removals),
        count(MEMBERS, "members.deaths", "Từ trần", "Deaths", m.deaths),
        count(MEMBERS, "members.net_change", "Tăng giảm thực", "Net change", m.net_change),
        ratio(MEMBERS, "members.growth", "Tăng trưởng trong kỳ (%)", "Growth in the period (%)", &m.growth),
        ratio(
            MEMBERS,
            "members.growth_year",
            "Tăng trưởng so với cùng kỳ (%)",
            "Growth on a year before (%)",
            &m.growth_year,
        ),
        count(MEMBERS, "members.honorary_end", "Hội viên danh dự", "Honorary members", m.honorary_end),
        count(MEMBERS, "coverage.women_18_plus", "Phụ nữ từ 18 tuổi", "Women aged 18+", k.coverage.women_18_plus),
        ratio(MEMBERS, "coverage.coverage", "Tỷ lệ tập hợp (%)", "Coverage (%)", &k.coverage.coverage),
        ratio(
            MEMBERS,
            "cards_and_fees.card_holders",
            "Có thẻ hội viên (%)",
            "Card holders (%)",
            &k.cards_and_fees.card_holders,
        ),
    ];
    if let Some(fee) = &k.cards_and_fees.fee_paid {
        out.push(ratio(MEMBERS, "cards_and_fees.fee_paid", "Đóng hội phí (%)", "Fee paid (%)", fee));
    }
    let e = &k.engagement;
    out.extend([
        count(ENGAGEMENT, "engagement.meetings", "Số buổi sinh hoạt", "Meetings held", e.meetings),
        ratio(
            ENGAGEMENT,
            "engagement.meeting_attendance",
            "Tỷ lệ dự sinh hoạt (%)",
            "Meeting attendance (%)",
            &e.meeting_attendance,
        ),
        ratio(
            ENGAGEMENT,
            "engagement.participation",
            "Tỷ lệ tham gia hoạt động (%)",
            "Participation (%)",
            &e.participation,
        ),
        count(
            ENGAGEMENT,
            "engagement.absent_three_running",
            "Vắng sinh hoạt 3 tháng liền",
            "Absent 3 months running",
            e.absent_three_running,
        ),
    ]);
    let p = &k.pairs;
    for (kind, value) in &p.active_by_kind {
        out.push(count(
            PAIRS,
            &format!("pairs.active.{kind}"),
            &format!("Cặp đang thực hiện: {kind}"),
            &format!("Active pairs: {kind}"),
            *value,
        ));
    }
    for (kind, value) in &p.achieved_by_kind {
        out.push(count(
            PAIRS,
            &format!("pairs.achieved.{kind}"),
            &format!("Cặp đạt: {kind}"),
            &format!("Achieved pairs: {kind}"),
            *value,
        ));
    }
    out.extend([
        ratio(
            PAIRS,
            "pairs.outcomes_reached",
            "Cặp đạt / cặp kết thúc (%)",
            "Outcomes reached (%)",
            &p.outcomes_reached,
        ),
        count(PAIRS, "pairs.prospects_recruited", "Vận động vào hội", "Prospects recruited", p.prospects_recruited),
        count(
            PAIRS,
            "pairs.party_introductions",
            "Giới thiệu kết nạp Đảng",
            "Party introductions",
            p.party_introductions,
        ),
        count(PAIRS, "pairs.party_admissions", "Được kết nạp Đảng", "Party admissions", p.party_admissions),
    ]);
    let s = &k.support;
    out.extend([
        count(SUPPORT, "support.households", "Hộ được hỗ trợ", "Households supported", s.households),
        count(SUPPORT, "support.entries", "Lượt hỗ trợ", "Support entries", s.entries),
        money(SUPPORT, "support.amount_vnd", "Tổng tiền hỗ trợ (đồng)", "Support total (VND)", s.amount_vnd),
        count(SUPPORT, "support.jobs", "Giới thiệu việc làm", "Jobs", s.jobs),
        count(SUPPORT, "support.out_of_poverty", "Hộ thoát nghèo", "Households out of poverty", s.out_of_poverty),
    ]);
    for (kind, value) in &s.amount_vnd_by_kind {
        out.push(money(
            SUPPORT,
            &format!("support.kind.{kind}"),
            &format!("Tiền theo loại: {kind}"),
            &format!("VND by kind: {kind}"),
            *value,
        ));
    }
    for (source, value) in &s.amount_vnd_by_source {
        out.push(money(
            SUPPORT,
            &format!("support.source.{source}"),
            &format!("Tiền theo nguồn: {source}"),
            &format!("VND by source: {source}"),
            *value,
        ));
    }
    out
}

fn criteria(k: &Kpis, code: &str) -> String {
    k.criteria_codes.get(code).map(|c| c.join(" ")).unwrap_or_default()
}

fn dmy(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

fn cell(value: Option<f64>) -> String {
    value.map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") }).unwrap_or_default()
}

/// One row per unit and figure.
pub fn csv(report: &KpiReport) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let head = [
            "Đơn vị",
            "Từ ngày",
            "Đến ngày",
            "Nhóm",
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            "Indicator",
            "Giá trị",
            "Tử số",
            "Mẫu số",
            "Mã tiêu chí",
        ];
        let _ = csv_cell::write_record(&mut writer, head);
        for k in std::iter::once(&report.unit).chain(&report.children) {
            for line in lines(k) {
                let _ = csv_cell::write_record(
                    &mut writer,
                    [
                        k.unit_name.clone(),
                        dmy(k.period.from),
                        dmy(k.period.to),
                        line.section.to_owned(),
                        line.code.clone(),
                        line.label_vi.clone(),
                        line.label_en.clone(),
                        cell(line.value),
                        line.numerator.map(|n| n.to_string()).unwrap_or_default(),
                        line.denominator.map(|n| n.to_string()).unwrap_or_default(),
                        criteria(k, &line.code),
                    ],
                );
            }
        }
        let _ = writer.flush();
    }
    out
}

struct Formats {
    bold: Format,
    title: Format,
    vnd: Format,
    percent: Format,
    integer: Format,
}

fn write_lines(sheet: &mut Worksheet, k: &Kpis, lines: &[Line], f: &Formats) -> Result<(), XlsxError> {
    sheet.write_string_with_format(
        0,
        0,
        format!("{} — {} đến {}", k.unit_name, dmy(k.period.from), dmy(k.period.to)),
        &f.title,
    )?;
    for (c, h) in ["Chỉ tiêu", "Indicator", "Giá trị", "Tử số", "Mẫu số", "Mã tiêu chí"].iter().enumerate()
    {
        sheet.write_string_with_format(2, u16::try_from(c).unwrap_or(0), *h, &f.bold)?;
    }
    sheet.set_column_width(0, 38)?;
    sheet.set_column_width(1, 34)?;
    for c in 2..6 {
        sheet.set_column_width(c, 14)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let r = u32::try_from(i + 3).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, &line.label_vi)?;
        sheet.write_string(r, 1, &line.label_en)?;
        if let Some(v) = line.value {
            let format = if line.money {
                &f.vnd
            } else if line.percent {
                &f.percent
            } else {
                &f.integer
            };
            sheet.write_number_with_format(r, 2, v, format)?;
        }
        if let Some(n) = line.numerator {
            sheet.write_number_with_format(r, 3, n as f64, &f.integer)?;
        }
        if let Some(d) = line.denominator {
            sheet.write_number_with_format(r, 4, d as f64, &f.integer)?;
        }
        sheet.write_string(r, 5, criteria(k, &line.code))?;
    }
    sheet.set_freeze_panes(3, 0)?;
    Ok(())
}

fn build(report: &KpiReport, trend: &[TrendPoint]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold().set_background_color("#D9E1F2"),
        title: Format::new().set_bold().set_font_size(13),
        vnd: Format::new().set_num_format("#,##0 \"đ\""),
        percent: Format::new().set_num_format("0.00"),
        integer: Format::new().set_num_format("#,##0"),
    };
    let k = &report.unit;
    let all = lines(k);
    let mut workbook = Workbook::new();
    write_lines(workbook.add_worksheet().set_name("Tổng hợp")?, k, &all, &f)?;
    for section in [MEMBERS, ENGAGEMENT, PAIRS, SUPPORT] {
        let part: Vec<Line> = lines(k).into_iter().filter(|l| l.section == section).collect();
        write_lines(workbook.add_worksheet().set_name(section)?, k, &part, &f)?;
    }
    if !report.children.is_empty() {
        let sheet = workbook.add_worksheet().set_name("Theo đơn vị")?;
        sheet.write_string_with_format(0, 0, "Đơn vị", &f.bold)?;
        sheet.set_column_width(0, 30)?;
        for (c, line) in all.iter().enumerate() {
            let col = u16::try_from(c + 1).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, col, &line.label_vi, &f.bold)?;
            sheet.set_column_width(col, 16)?;
        }
        for (r, child) in report.children.iter().enumerate() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            sheet.write_string(row, 0, &child.unit_name)?;
            for line in lines(child) {
                if let (Some(c), Some(v)) = (all.iter().position(|l| l.code == line.code), line.value) {
                    sheet.write_number(row, u16::try_from(c + 1).unwrap_or(u16::MAX), v)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 1)?;
    }
    let sheet = workbook.add_worksheet().set_name("Xu hướng")?;
    for (c, h) in ["Tháng", "Hội viên cuối tháng", "Tỷ lệ dự sinh hoạt (%)"].iter().enumerate() {
        sheet.write_string_with_format(0, u16::try_from(c).unwrap_or(0), *h, &f.bold)?;
        sheet.set_column_width(u16::try_from(c).unwrap_or(0), 22)?;
    }
    for (i, point) in trend.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        sheet.write_string(r, 0, point.label())?;
        sheet.write_number_with_format(r, 1, point.members as f64, &f.integer)?;
        if let Some(a) = point.attendance_percent {
            sheet.write_number_with_format(r, 2, a, &f.percent)?;
        }
    }
    if !trend.is_empty() {
        let last = u32::try_from(trend.len()).unwrap_or(1);
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name("Hội viên và tỷ lệ dự sinh hoạt theo tháng");
        chart.add_series().set_name("Hội viên").set_categories(("Xu hướng", 1, 0, last, 0)).set_values((
            "Xu hướng",
            1,
            1,
            last,
            1,
        ));
        chart
            .add_series()
            .set_name("Tỷ lệ dự sinh hoạt (%)")
            .set_categories(("Xu hướng", 1, 0, last, 0))
            .set_values(("Xu hướng", 1, 2, last, 2))
            .set_secondary_axis(true);
        sheet.insert_chart(1, 4, &chart)?;
    }
    workbook.save_to_buffer()
}

pub fn xlsx(report: &KpiReport, trend: &[TrendPoint]) -> Result<Vec<u8>, ApiError> {
    build(report, trend).map_err(ApiError::internal)
}
