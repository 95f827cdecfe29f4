//! Time conventions: stored in UTC, periods and "today" in Asia/Ho_Chi_Minh (UTC+7, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar date in Vietnam at instant `now`.
pub fn today_in_vietnam(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&vietnam()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_is_seven_hours_ahead() {
        let late_utc = DateTime::parse_from_rfc3339("2025-06-30T18:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_in_vietnam(late_utc), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    }
}
