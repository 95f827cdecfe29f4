//! Webhooks for higher-level systems (province or legacy district systems): subscriptions to
//! events of a subtree, an outbox written in the same transaction as the change (so no event is
//! lost), and signed deliveries retried with exponential backoff.

mod access;
pub mod deliveries;
pub mod delivery;
pub mod handlers;
mod models;
pub mod outbox;
pub mod target;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Events a subscription can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum WebhookEvent {
    /// Báo cáo đã gửi lên: `{report_id, unit_id, period, status}`.
    #[serde(rename = "report.submitted")]
    ReportSubmitted,
    /// Báo cáo được duyệt.
    #[serde(rename = "report.accepted")]
    ReportAccepted,
    /// Báo cáo bị trả lại.
    #[serde(rename = "report.returned")]
    ReportReturned,
    /// Kết nạp hội viên: `{member_id, unit_id}` (ids only).
    #[serde(rename = "member.joined")]
    MemberJoined,
    /// Hội viên ra hội, bị xóa tên hoặc từ trần: `{member_id, unit_id, kind}`.
    #[serde(rename = "member.left")]
    MemberLeft,
    /// Cặp "1+1" đạt: `{pair_id, unit_id, kind}`.
    #[serde(rename = "pair.achieved")]
    PairAchieved,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 6] = [
        WebhookEvent::ReportSubmitted,
        WebhookEvent::ReportAccepted,
        WebhookEvent::ReportReturned,
        WebhookEvent::MemberJoined,
        WebhookEvent::MemberLeft,
        WebhookEvent::PairAchieved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ReportSubmitted => "report.submitted",
            WebhookEvent::ReportAccepted => "report.accepted",
            WebhookEvent::ReportReturned => "report.returned",
            WebhookEvent::MemberJoined => "member.joined",
            WebhookEvent::MemberLeft => "member.left",
            WebhookEvent::PairAchieved => "pair.achieved",
        }
    }

    pub fn parse(text: &str) -> Option<WebhookEvent> {
        WebhookEvent::ALL.into_iter().find(|e| e.as_str() == text)
    }
}
