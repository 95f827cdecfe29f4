//! Checks on a prospect's data and on the member assigned to bring her in.

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, Text};
use crate::members::access::visible_member;
use crate::members::validate::{name_part, years_between};
use crate::members::wire::MemberStatus;
use crate::person::phone;

/// Clean name, birth and phone of a prospect.
pub(super) struct CleanProspect {
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i16>,
    pub phone: Option<String>,
    pub address: String,
    pub notes: String,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn clean_prospect(
    family: &str,
    middle: &str,
    given: &str,
    birth_date: Option<NaiveDate>,
    birth_year: Option<i16>,
    phone_raw: Option<&str>,
    address: &str,
    notes: &str,
    today: NaiveDate,
) -> Result<CleanProspect, ApiError> {
    let mut v = Validator::new();
    let family_name = name_part(&mut v, "family_name", family, true);
    let middle_name = name_part(&mut v, "middle_name", middle, false);
    let given_name = name_part(&mut v, "given_name", given, true);
    let birth_year = birth_date.map(|d| i16::try_from(d.year()).unwrap_or(0)).or(birth_year);
    if let Some(date) = birth_date {
        v.check(
            years_between(date, today) >= 18,
            "birth_date",
            "too_young",
            Text::new("Hội viên tương lai phải từ 18 tuổi.", "Prospects are women aged 18 or more."),
        );
    }
    if let Some(year) = birth_year {
        v.check(
            year >= 1900,
            if birth_date.is_some() { "birth_date" } else { "birth_year" },
            "out_of_range",
            Text::new("Năm sinh không hợp lý.", "Implausible birth year."),
        );
    }
    if let (None, Some(year)) = (birth_date, birth_year) {
        v.check(
            today.year() - i32::from(year) >= 18,
            "birth_year",
            "too_young",
            Text::new("Hội viên tương lai phải từ 18 tuổi.", "Prospects are women aged 18 or more."),
        );
    }
    let phone = match phone_raw.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => {
            let normalized = phone::normalize(raw);
            v.check(
                normalized.is_some(),
                "phone",
                "invalid_format",
                Text::new("Số điện thoại không hợp lệ.", "Not a Vietnamese phone number."),
            );
            normalized
        }
        None => None,
    };
    let address = v.result(bounded_text("address", address, 300)).unwrap_or_default();
    let notes = v.result(bounded_text("notes", notes, 1000)).unwrap_or_default();
    v.finish()?;
    Ok(CleanProspect { family_name, middle_name, given_name, birth_date, birth_year, phone, address, notes })
}

pub(super) async fn check_assignee(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    member: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(id) = member {
        let m = visible_member(conn, caller, id, Permission::MembersRead).await?;
        if m.status() != MemberStatus::Active {
            return Err(ApiError::invalid_field(
                "assigned_member_id",
                "not_active",
                Text::new("Người vận động phải là hội viên đang sinh hoạt.", "The assigned member must be active."),
            ));
        }
    }
    Ok(())
}
