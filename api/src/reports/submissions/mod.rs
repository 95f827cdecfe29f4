//! Reports submitted upward (báo cáo gửi cấp trên): created with the figures frozen at that
//! moment; draft → submitted → accepted | returned (with a reason) → submitted again. The
//! higher unit's officers and machine clients read them; a report shows how it differs from
//! today's live figures; manual adjustments need a reason and are audited.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::is_machine;
use super::compute::kpis;
use super::figures::Kpis;
use super::period::Period;
use super::suppress::suppress;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::org_units::models::OrgUnitRow;
use crate::org_units::queries;
use crate::schema::report_submissions as s;
use crate::webhooks::WebhookEvent;
use access::{read_scope, visible};

mod access;
mod decide;
mod read;
mod write;

pub use decide::{accept_report_submission, return_report_submission};
pub use read::{get_report_submission, list_report_submissions};
pub use write::{create_report_adjustment, create_report_submission, submit_report_submission};

/// Where a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Nháp.
    Draft,
    /// Đã gửi (figures frozen).
    Submitted,
    /// Đã duyệt.
    Accepted,
    /// Trả lại (with a reason).
    Returned,
}

impl SubmissionStatus {
    fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Accepted => "accepted",
            SubmissionStatus::Returned => "returned",
        }
    }

    /// What machine clients see: a report once sent up; drafts and returned ones are the unit's own.
    const PUBLISHED: [SubmissionStatus; 2] = [SubmissionStatus::Submitted, SubmissionStatus::Accepted];

    fn parse(text: &str) -> SubmissionStatus {
        match text {
            "submitted" => SubmissionStatus::Submitted,
            "accepted" => SubmissionStatus::Accepted,
            "returned" => SubmissionStatus::Returned,
            _ => SubmissionStatus::Draft,
        }
    }
}

/// A manual change of a frozen figure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adjustment {
    /// The figure, as a dotted path into `figures` (e.g. `members.joins`).
    pub figure: String,
    /// The value before.
    pub before: Option<i64>,
    /// The value set.
    pub value: i64,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A frozen figure that differs from today's live one.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureDiff {
    /// Dotted path of the figure.
    pub figure: String,
    /// In the report.
    pub frozen: Value,
    /// Computed now.
    pub live: Value,
}

/// A report sent upward.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSubmission {
    pub id: Uuid,
    /// The reporting unit.
    pub unit_id: Uuid,
    /// The period label.
    pub period: String,
    /// First day.
    pub period_from: NaiveDate,
    /// Last day.
    pub period_to: NaiveDate,
    pub status: SubmissionStatus,
    /// The figures as frozen (with adjustments applied).
    #[schema(value_type = Kpis)]
    pub figures: Value,
    /// When the figures were frozen.
    pub frozen_at: DateTime<Utc>,
    /// Manual adjustments, oldest first.
    pub adjustments: Vec<Adjustment>,
    /// How many times it was submitted.
    pub submissions: i32,
    /// Last submission.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Last decision (accept or return).
    pub decided_at: Option<DateTime<Utc>>,
    /// The reason given when returned, or the note given when accepted.
    pub decision_note: String,
    /// Frozen figures that differ from today's live figures (on `GET` of one report).
    pub live_diff: Option<Vec<FigureDiff>>,
    /// Version.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A report to prepare.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000c001", "period": "2025-11"}))]
pub struct NewSubmission {
    /// The reporting unit; needs `org_units:write` there.
    pub unit_id: Uuid,
    /// Period label (`2025-11`, `2025-Q4`, `2025`…).
    #[schema(value_type = crate::reports::period::PeriodLabel)]
    pub period: String,
}

/// A manual adjustment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"figure": "members.joins", "value": 12, "reason": "Hai hội viên kết nạp chưa nhập kịp"}))]
pub struct NewAdjustment {
    /// Dotted path of a whole-number figure (e.g. `members.joins`).
    pub figure: String,
    /// The corrected value.
    pub value: i64,
    /// Why (required).
    pub reason: String,
}

/// Returning a report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Số kết nạp mới chưa khớp danh sách"}))]
pub struct ReturnReason {
    /// Lý do trả lại (required).
    pub reason: String,
}

/// Accepting a report.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SubmissionAcceptance)]
pub struct Acceptance {
    /// Nhận xét (optional).
    #[serde(default)]
    pub note: String,
}

/// Query of the reports.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    /// Only this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this status.
    pub status: Option<SubmissionStatus>,
    /// Only this period label.
    #[param(value_type = Option<crate::reports::period::PeriodLabel>)]
    pub period: Option<String>,
    /// Changed at or after this instant (incremental pulls).
    pub updated_since: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(ReportSubmissionPage, ReportSubmission, "reports");

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct Row {
    id: Uuid,
    unit_id: Uuid,
    unit_path: diesel_ltree::Ltree,
    period: String,
    period_from: NaiveDate,
    period_to: NaiveDate,
    status: String,
    figures: Value,
    frozen_at: DateTime<Utc>,
    adjustments: Value,
    submissions: i32,
    submitted_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    decision_note: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn status(&self) -> SubmissionStatus {
        SubmissionStatus::parse(&self.status)
    }
}

fn to_wire(caller: &Caller, r: Row) -> ReportSubmission {
    let machine = is_machine(caller);
    // Suppressing is idempotent: figures already seen within their family (`read.rs`) keep
    // every cell their family hid.
    let figures = if machine { suppressed(r.figures) } else { r.figures };
    // An adjustment's before and after are raw counts and its reason free text: not for
    // machine clients, which see the adjusted figures, suppressed.
    let adjustments = if machine { Vec::new() } else { serde_json::from_value(r.adjustments).unwrap_or_default() };
    ReportSubmission {
        id: r.id,
        unit_id: r.unit_id,
        period: r.period,
        period_from: r.period_from,
        period_to: r.period_to,
        status: SubmissionStatus::parse(&r.status),
        figures,
        frozen_at: r.frozen_at,
        adjustments,
        submissions: r.submissions,
        submitted_at: r.submitted_at,
        decided_at: r.decided_at,
        decision_note: r.decision_note,
        live_diff: None,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Frozen or live figures with small counts hidden, for machine clients.
fn suppressed(figures: Value) -> Value {
    serde_json::from_value::<Kpis>(figures).map(suppress).and_then(serde_json::to_value).unwrap_or(Value::Null)
}

/// The unit above: its officers accept or return.
async fn parent_of(conn: &mut AsyncPgConnection, unit: Uuid) -> Result<OrgUnitRow, ApiError> {
    let unit = queries::find(conn, unit).await?.ok_or(ApiError::NotFound)?;
    let parent = unit.parent_id.ok_or(ApiError::Forbidden)?;
    queries::find(conn, parent).await?.ok_or(ApiError::NotFound)
}

/// Figures built on others computed again from their parts, after adjustments.
fn rederive(figures: &mut Value) {
    if let Ok(mut kpis) = serde_json::from_value::<Kpis>(figures.clone()) {
        kpis.rederive();
        if let Ok(value) = serde_json::to_value(kpis) {
            *figures = value;
        }
    }
}

/// Walks a dotted path to a number; sets it to `value` and returns the old one.
fn adjust(figures: &mut Value, figure: &str, value: i64) -> Option<Option<i64>> {
    let mut node = figures;
    for part in figure.split('.') {
        node = node.get_mut(part)?;
    }
    match node {
        Value::Number(n) if n.is_i64() => {
            let before = n.as_i64();
            *node = Value::from(value);
            Some(before)
        }
        Value::Null => {
            *node = Value::from(value);
            Some(None)
        }
        _ => None,
    }
}

/// Numeric leaves that differ between two figure documents.
fn diff(frozen: &Value, live: &Value, at: &str, out: &mut Vec<FigureDiff>) {
    if out.len() >= 100 {
        return;
    }
    match (frozen, live) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                if key == "period" || key == "unit_name" || key == "suppressed" {
                    continue;
                }
                let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                diff(a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null), &path, out);
            }
        }
        (a, b) if a != b => out.push(FigureDiff { figure: at.to_owned(), frozen: a.clone(), live: b.clone() }),
        _ => {}
    }
}

async fn freeze(conn: &mut AsyncPgConnection, unit: Uuid, period: &Period) -> Result<Value, ApiError> {
    let unit = queries::find(conn, unit).await?.ok_or(ApiError::NotFound)?;
    serde_json::to_value(kpis(conn, &unit, period).await?).map_err(ApiError::internal)
}

/// Tells subscribers of the unit's subtree (ids and the period only).
async fn announce(conn: &mut AsyncPgConnection, event: WebhookEvent, row: &Row) -> Result<(), ApiError> {
    let data =
        serde_json::json!({"report_id": row.id, "unit_id": row.unit_id, "period": row.period, "status": row.status});
    crate::webhooks::outbox::record(conn, event, &row.unit_path.0, data).await
}

/// Refuses (409) an action the report's status does not allow.
fn require_status(row: &Row, from: &[SubmissionStatus]) -> Result<(), ApiError> {
    if from.contains(&row.status()) {
        return Ok(());
    }
    Err(ApiError::state_conflict(
        "report_state",
        "Báo cáo không ở trạng thái cho phép thao tác này.",
        "The report is not in a state that allows this.",
    ))
}
