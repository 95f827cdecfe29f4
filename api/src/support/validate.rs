//! Checks shared by recording and correcting support: the amount fits the kind, the linked
//! need and pair are hers, a sponsor-pair source names its pair.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::kinds::{Measure, SupportKind};
use super::wire::Source;
use crate::auth::Caller;
use crate::http::validate::Validator;
use crate::http::{ApiError, FieldIssue, Text};
use crate::pairs::access::visible_pair;
use crate::schema::member_needs;

const MAX_VND: i64 = 100_000_000_000;

/// Amount and quantity as the kind measures it.
pub fn check_measure(v: &mut Validator, kind: &SupportKind, amount: Option<i64>, quantity: Option<i32>) {
    v.check(
        amount.is_none_or(|a| (0..=MAX_VND).contains(&a)),
        "amount_vnd",
        "out_of_range",
        Text::new("Số tiền từ 0 đến 100 tỷ đồng.", "Between 0 and 100,000,000,000 VND."),
    );
    v.check(
        quantity.is_none_or(|q| q > 0),
        "quantity",
        "out_of_range",
        Text::new("Số lượng phải lớn hơn 0.", "The quantity must be positive."),
    );
    match kind.measure {
        Measure::Money => v.check(
            amount.is_some(),
            "amount_vnd",
            "required",
            Text::new(
                "Loại hỗ trợ này tính bằng tiền: cần số tiền.",
                "This kind is counted in money: amount_vnd is required.",
            ),
        ),
        Measure::InKind => v.check(
            quantity.is_some(),
            "quantity",
            "required",
            Text::new(
                "Loại hỗ trợ này tính bằng hiện vật: cần số lượng.",
                "This kind is in kind: quantity is required.",
            ),
        ),
        Measure::Either => v.check(
            amount.is_some() || quantity.is_some(),
            "amount_vnd",
            "required",
            Text::new("Cần số tiền hoặc số lượng.", "Give amount_vnd or quantity."),
        ),
    };
}

pub fn check_date(v: &mut Validator, field: &str, day: NaiveDate, today: NaiveDate) {
    v.check(
        day <= today,
        field,
        "in_future",
        Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
    );
}

/// The linked need and pair belong to her; a sponsor-pair source names its pair.
pub async fn check_links(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    member: Uuid,
    need: Option<Uuid>,
    pair: Option<Uuid>,
    source: Source,
) -> Result<Vec<FieldIssue>, ApiError> {
    let mut issues = Vec::new();
    if let Some(need) = need {
        let owner: Option<Uuid> =
            member_needs::table.find(need).select(member_needs::member_id).first(conn).await.optional()?;
        if owner != Some(member) {
            issues.push(FieldIssue::new(
                "need_id",
                "not_her_need",
                Text::new("Nhu cầu này không phải của hội viên được hỗ trợ.", "This need is not hers."),
            ));
        }
    }
    match pair {
        Some(pair) => {
            let (row, _) = visible_pair(conn, caller, pair, false).await?;
            if row.mentee_member_id != Some(member) {
                issues.push(FieldIssue::new(
                    "pair_id",
                    "not_her_pair",
                    Text::new(
                        "Hội viên được hỗ trợ không phải người được giúp của cặp này.",
                        "She is not this pair's mentee.",
                    ),
                ));
            }
        }
        None if source == Source::SponsorPair => issues.push(FieldIssue::new(
            "pair_id",
            "required",
            Text::new("Hỗ trợ từ cặp đỡ đầu cần ghi cặp.", "Support from a sponsor pair names the pair."),
        )),
        None => {}
    }
    Ok(issues)
}
