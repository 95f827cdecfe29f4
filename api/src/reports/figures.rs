//! The KPI figures as they go on the wire. Every figure's definition is its doc comment, so it
//! reaches the OpenAPI contract in Vietnamese and English. Counts are `null` only in machine-
//! client answers where a count under 5 could identify a person (`suppressed` is then `true`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::period::Period;

/// A ratio with its parts: `percent` = `numerator` ÷ `denominator` × 100, two decimals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ratio {
    /// Tử số / Numerator.
    pub numerator: Option<i64>,
    /// Mẫu số / Denominator.
    pub denominator: Option<i64>,
    /// Tỷ lệ %; `null` when the denominator is 0 or a part is suppressed.
    pub percent: Option<f64>,
}

impl Ratio {
    pub fn of(numerator: i64, denominator: i64) -> Ratio {
        let percent =
            (denominator != 0).then(|| ((numerator as f64) * 10_000.0 / (denominator as f64)).round() / 100.0);
        Ratio { numerator: Some(numerator), denominator: Some(denominator), percent }
    }
}

/// Membership figures (hội viên). Honorary members are excluded from every figure but
/// `honorary_end`. Units count with their predecessors (merged units) on each day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberFigures {
    /// Hội viên đầu kỳ / Members placed in the unit (and its predecessors) on the first day.
    pub start: Option<i64>,
    /// Hội viên cuối kỳ / Members placed on the last day.
    pub end: Option<i64>,
    /// Hội viên danh dự cuối kỳ / Honorary members on the last day (excluded from ratios).
    pub honorary_end: Option<i64>,
    /// Kết nạp mới / Join events in the period.
    pub joins: Option<i64>,
    /// Phục hồi / Reinstatements in the period.
    pub reinstatements: Option<i64>,
    /// Chuyển đến / Transfers accepted from outside the unit.
    pub transfers_in: Option<i64>,
    /// Chuyển đi / Transfers accepted to outside the unit.
    pub transfers_out: Option<i64>,
    /// Ra hội / Members who left.
    pub leavers: Option<i64>,
    /// Xóa tên / Members removed.
    pub removals: Option<i64>,
    /// Từ trần / Deaths.
    pub deaths: Option<i64>,
    /// Tăng giảm thực / Net change = joins + reinstatements + transfers in − transfers out −
    /// leavers − removals − deaths.
    pub net_change: Option<i64>,
    /// Biến động khác / end − start − net change: units entering or leaving the tree (a split
    /// counted through its source). 0 when boundaries did not change.
    pub other_moves: Option<i64>,
    /// Tăng trưởng trong kỳ / (end − start) ÷ start.
    pub growth: Ratio,
    /// Hội viên cùng kỳ năm trước / Members on the same day a year before `to`.
    pub year_before: Option<i64>,
    /// Tăng trưởng so với cùng kỳ / (end − year_before) ÷ year_before, across merges.
    pub growth_year: Ratio,
}

/// Coverage (tỷ lệ tập hợp). Only units with a count of women aged 18+ take part, numerator
/// and denominator alike; what no count covers is in `left_out` (docs/figures.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageFigures {
    /// Phụ nữ từ 18 tuổi / Sum of the counts of the counted units: each its latest count on or
    /// before `to`, plus the last counts of units merged into it since; a counted unit covers
    /// its subtree. `null` when no unit has a count.
    pub women_18_plus: Option<i64>,
    /// Tỷ lệ tập hợp / Regular members of the counted units at the end ÷ `women_18_plus`.
    pub coverage: Ratio,
    /// The threshold (setting `coverage.flag_below_percent`, default 60).
    pub threshold_percent: i64,
    /// Dưới ngưỡng / Coverage under the threshold (never when `stale`).
    pub flagged: bool,
    /// Số liệu cũ / Coverage above 100 %: the count is out of date; not a best result.
    #[serde(default)]
    pub stale: bool,
    /// Chưa đầy đủ / Some units (or members) are left out for want of a count.
    #[serde(default)]
    pub partial: bool,
    /// Đơn vị chưa có số phụ nữ / What no count covers.
    #[serde(default)]
    pub left_out: CoverageLeftOut,
}

/// Units and members left out of coverage for want of a count of women aged 18+.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoverageLeftOut {
    /// Units without a count, none of whose subunits has one.
    pub units: i64,
    /// Regular members of the units left out (and of uncounted units above counted ones).
    pub members: Option<i64>,
    /// The first 20 of those units, in Vietnamese order.
    #[schema(max_items = 20)]
    pub named: Vec<UnitRef>,
}

/// A unit named in a figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitRef {
    /// Mã đơn vị / The unit's id.
    pub unit_id: Uuid,
    /// Tên đơn vị / Its name on the day counted.
    pub name: String,
}

/// Participation (sinh hoạt).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EngagementFigures {
    /// Tỷ lệ tham gia / Members at the end who were present at ≥ 1 activity of the unit in the
    /// period ÷ members at the end.
    pub participation: Ratio,
    /// Tỷ lệ dự sinh hoạt / Regular members present ÷ expected (regular members), over the
    /// meetings held with attendance; honorary members present count in neither.
    pub meeting_attendance: Ratio,
    /// Số buổi sinh hoạt / Meetings held with attendance recorded.
    pub meetings: Option<i64>,
    /// Vắng 3 tháng liền / Members who missed their last 3 meetings as of `to`; computed for
    /// units of at most 50,000 members (ask per commune above that).
    pub absent_three_running: Option<i64>,
}

/// "1+1" figures (cặp "1+1"), by pair kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PairFigures {
    /// Cặp đang thực hiện / Pairs active on the last day, by kind.
    pub active_by_kind: BTreeMap<String, Option<i64>>,
    /// Cặp đạt / Pairs achieved in the period, by kind.
    pub achieved_by_kind: BTreeMap<String, Option<i64>>,
    /// Cặp đạt ÷ cặp kết thúc / Pairs achieved ÷ pairs closed (achieved or ended) in the period.
    pub outcomes_reached: Ratio,
    /// Vận động vào hội / Prospects who joined in the period.
    pub prospects_recruited: Option<i64>,
    /// Giới thiệu kết nạp Đảng / Party-nurture pairs reaching `introduced` in the period.
    pub party_introductions: Option<i64>,
    /// Được kết nạp Đảng / Party-nurture pairs reaching `admitted` in the period.
    pub party_admissions: Option<i64>,
}

/// Support figures (hỗ trợ). Voided entries are excluded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupportFigures {
    /// Hộ được hỗ trợ / Distinct regular members (households) supported in the period;
    /// support to honorary members is in `entries` and the amounts, not here.
    pub households: Option<i64>,
    /// Số lượt hỗ trợ / Entries in the period.
    pub entries: Option<i64>,
    /// Tổng tiền / VND given in the period.
    pub amount_vnd: Option<i64>,
    /// VND by kind.
    pub amount_vnd_by_kind: BTreeMap<String, Option<i64>>,
    /// VND by source.
    pub amount_vnd_by_source: BTreeMap<String, Option<i64>>,
    /// Việc làm / Entries of job kinds.
    pub jobs: Option<i64>,
    /// Hộ thoát nghèo / Regular members' households with an `out_of_poverty` outcome observed
    /// in the period.
    pub out_of_poverty: Option<i64>,
}

/// Cards and fees (thẻ hội viên, hội phí).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardsAndFees {
    /// Có thẻ hội viên / Members at the end with a card number ÷ members at the end.
    pub card_holders: Ratio,
    /// Đóng hội phí / Members at the end who paid the fee period containing `to` ÷ members at
    /// the end; `null` without an applying fee schedule.
    pub fee_paid: Option<Ratio>,
}

/// The KPIs of a unit for a period (chỉ tiêu).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Kpis {
    /// The unit.
    pub unit_id: Uuid,
    /// Its name today.
    pub unit_name: String,
    /// Its level.
    pub level: String,
    pub period: Period,
    pub members: MemberFigures,
    pub coverage: CoverageFigures,
    pub engagement: EngagementFigures,
    pub pairs: PairFigures,
    pub support: SupportFigures,
    pub cards_and_fees: CardsAndFees,
    /// Mã tiêu chí ngoài / Outside criteria codes (Nông thôn mới nâng cao…) by figure, from the
    /// setting `reports.criteria_codes`.
    pub criteria_codes: BTreeMap<String, Vec<String>>,
    /// Counts under 5 were hidden (machine clients only).
    pub suppressed: bool,
}

/// KPIs of a unit, and of each child when `group_by=child`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReport {
    /// The unit asked about.
    pub unit: Kpis,
    /// Each open child unit, by name (with `group_by=child`).
    pub children: Vec<Kpis>,
    /// How fresh the figures are (độ mới của số liệu). Always sent (added after 0.2.0); listed as
    /// optional so that clients generated from 0.2.0 stay valid.
    #[schema(required = false)]
    pub freshness: Freshness,
}

/// When figures were computed. They are exact as of the response: figures computed earlier are
/// served only while no write they depend on has been committed since (the commit clock has
/// not moved), otherwise they are computed again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Freshness {
    /// The commit clock (đồng hồ ghi) the figures were computed at: every write committed up
    /// to it is counted. The same value as `GET /sync/changes` positions use.
    #[schema(example = 48213)]
    pub commit_clock: i64,
    /// When they were computed (thời điểm tính); earlier than the response when served from
    /// the server's memory.
    #[schema(example = "2025-07-01T08:30:00Z")]
    pub computed_at: chrono::DateTime<chrono::Utc>,
}

impl Ratio {
    /// The percent again from the parts (after one was adjusted by hand).
    fn rederive(&mut self) {
        if let (Some(n), Some(d)) = (self.numerator, self.denominator) {
            *self = Ratio::of(n, d);
        }
    }
}

impl Kpis {
    /// Every figure built on others, computed again from its parts: a report adjusted by hand
    /// (joins set to 99) must not keep the net change, growth or percents of before.
    pub fn rederive(&mut self) {
        let m = &mut self.members;
        if let [Some(joins), Some(back), Some(came), Some(went), Some(left), Some(removed), Some(died)] =
            [m.joins, m.reinstatements, m.transfers_in, m.transfers_out, m.leavers, m.removals, m.deaths]
        {
            let net = joins + back + came - went - left - removed - died;
            m.net_change = Some(net);
            m.other_moves = m.start.zip(m.end).map(|(start, end)| end - start - net);
        }
        if let (Some(start), Some(end)) = (m.start, m.end) {
            m.growth = Ratio::of(end - start, start);
        }
        if let (Some(before), Some(end)) = (m.year_before, m.end) {
            m.growth_year = Ratio::of(end - before, before);
        }
        let c = &mut self.coverage;
        c.coverage.rederive();
        c.stale = c.coverage.percent.is_some_and(|p| p > 100.0);
        c.flagged = !c.stale && c.coverage.percent.is_some_and(|p| p < c.threshold_percent as f64);
        self.engagement.participation.rederive();
        self.engagement.meeting_attendance.rederive();
        self.pairs.outcomes_reached.rederive();
        self.cards_and_fees.card_holders.rederive();
        if let Some(fee) = self.cards_and_fees.fee_paid.as_mut() {
            fee.rederive();
        }
    }
}
