//! Turning member input into clean values: names normalized, CCCD cross-checked, phone in
//! international form, dates plausible. Every problem is reported at once, naming its field.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::models::MemberRow;
use super::wire::{MemberPatch, MemberType, NewMember, Sex};
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, FieldIssue, Text};
use crate::person::cccd::{self, CccdProblem};
use crate::person::{names, phone};
use crate::schema::{ethnicities, religions};
use crate::text::collate::person_sort_key;
use crate::text::fold::fold;

/// The founding of the Vietnam Women's Union: no membership starts earlier.
fn founding() -> NaiveDate {
    NaiveDate::from_ymd_opt(1930, 10, 20).unwrap_or_default()
}

/// Clean values of a member, ready to store.
#[derive(Debug, Clone)]
pub struct CleanMember {
    pub family_name: String,
    pub middle_name: String,
    pub given_name: String,
    pub search_key: String,
    pub sort_key: String,
    pub sex: Sex,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i16>,
    pub cccd: Option<String>,
    pub cccd_legacy: bool,
    pub phone: Option<String>,
    pub address: String,
    pub ethnicity_code: Option<String>,
    pub religion_code: Option<String>,
    pub occupation: String,
    pub education: String,
    pub party_member: bool,
    pub party_joined_on: Option<NaiveDate>,
    pub joined_on: NaiveDate,
    pub card_number: Option<String>,
    pub member_type: MemberType,
    pub pioneer: bool,
    pub civil_servant: bool,
}

fn issue(field: &str, code: &'static str, vi: &'static str, en: &'static str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(vi, en))
}

pub fn name_part(v: &mut Validator, field: &str, raw: &str, required: bool) -> String {
    let name = names::normalize(raw);
    if name.is_empty() {
        if required {
            v.add(issue(field, "required", "Trường này là bắt buộc.", "This field is required."));
        }
    } else if !names::is_plausible(&name) {
        v.add(issue(
            field,
            "invalid_format",
            "Tên chỉ gồm chữ cái, khoảng trắng, dấu ' hoặc -; tối đa 50 ký tự.",
            "Names use letters, spaces, ' or -; at most 50 characters.",
        ));
    }
    name
}

fn optional_text(v: &mut Validator, field: &str, raw: Option<&str>, max: usize) -> String {
    raw.and_then(|t| v.result(bounded_text(field, t, max))).unwrap_or_default()
}

/// The search key: folded family, middle and given names, so that any of them matches.
pub fn search_key(family: &str, middle: &str, given: &str) -> String {
    fold(&super::wire::full_name(family, middle, given))
}

/// Checks a complete member record as given; `today` is the date in Vietnam.
pub fn clean(input: &NewMember, today: NaiveDate) -> Result<CleanMember, ApiError> {
    let mut v = Validator::new();
    let family_name = name_part(&mut v, "family_name", &input.family_name, true);
    let middle_name = name_part(&mut v, "middle_name", &input.middle_name, false);
    let given_name = name_part(&mut v, "given_name", &input.given_name, true);
    let sex = input.sex.unwrap_or(Sex::Female);

    let mut birth_year = input.birth_year;
    if let Some(date) = input.birth_date {
        let year = i16::try_from(date.year()).unwrap_or(0);
        if input.birth_year.is_some_and(|y| y != year) {
            v.add(issue(
                "birth_year",
                "mismatch",
                "Năm sinh không khớp ngày sinh.",
                "The birth year contradicts the birth date.",
            ));
        }
        birth_year = Some(year);
        v.check(
            date <= today,
            "birth_date",
            "in_future",
            Text::new("Ngày sinh không thể ở tương lai.", "A birth date cannot be in the future."),
        );
    }
    if let Some(year) = birth_year {
        v.check(
            (1900..=i16::try_from(today.year()).unwrap_or(i16::MAX)).contains(&year),
            "birth_year",
            "out_of_range",
            Text::new("Năm sinh không hợp lý.", "Implausible birth year."),
        );
        let age_at_join = input.joined_on.year() - i32::from(year);
        v.check(
            age_at_join >= 18 || input.birth_date.is_some_and(|b| years_between(b, input.joined_on) >= 18),
            "joined_on",
            "too_young",
            Text::new("Hội viên phải từ 18 tuổi khi vào hội.", "Members must be at least 18 when they join."),
        );
    }

    let (cccd, cccd_legacy) = match input.cccd.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => (None, false),
        Some(raw) => {
            let sex = match sex {
                Sex::Female => cccd::Sex::Female,
                Sex::Male => cccd::Sex::Male,
            };
            match cccd::parse(raw, sex, birth_year.map(i32::from)) {
                Ok(id) => (Some(id.number().to_owned()), id.is_legacy()),
                Err(problem) => {
                    v.add(match problem {
                        CccdProblem::Format => issue(
                            "cccd",
                            "invalid_format",
                            "Số CCCD gồm 12 chữ số (hoặc CMND cũ 9 chữ số).",
                            "A CCCD has 12 digits (a legacy CMND 9).",
                        ),
                        CccdProblem::Province => issue(
                            "cccd",
                            "invalid_province",
                            "Ba chữ số đầu của CCCD không phải mã tỉnh hợp lệ.",
                            "The first three digits are not a province code.",
                        ),
                        CccdProblem::Sex => issue(
                            "cccd",
                            "sex_mismatch",
                            "Chữ số thứ tư của CCCD không khớp giới tính.",
                            "The fourth digit contradicts the sex.",
                        ),
                        CccdProblem::BirthYear => issue(
                            "cccd",
                            "birth_year_mismatch",
                            "Chữ số thứ 5–6 của CCCD không khớp năm sinh.",
                            "Digits 5–6 contradict the birth year.",
                        ),
                    });
                    (None, false)
                }
            }
        }
    };
    let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => {
            let normalized = phone::normalize(raw);
            if normalized.is_none() {
                v.add(issue(
                    "phone",
                    "invalid_format",
                    "Số điện thoại không hợp lệ (di động 10 số: 03x, 05x, 07x, 08x, 09x).",
                    "Not a Vietnamese phone number (mobiles: 10 digits, 03x–09x).",
                ));
            }
            normalized
        }
    };
    let address = optional_text(&mut v, "address", input.address.as_deref(), 300);
    let occupation = optional_text(&mut v, "occupation", input.occupation.as_deref(), 100);
    let education = optional_text(&mut v, "education", input.education.as_deref(), 50);
    let card_number =
        Some(optional_text(&mut v, "card_number", input.card_number.as_deref(), 32)).filter(|c| !c.is_empty());

    v.check(
        input.joined_on <= today,
        "joined_on",
        "in_future",
        Text::new("Ngày vào hội không thể ở tương lai.", "The join date cannot be in the future."),
    );
    v.check(
        input.joined_on >= founding(),
        "joined_on",
        "out_of_range",
        Text::new("Ngày vào hội trước ngày thành lập Hội (20/10/1930).", "Before the union was founded (20/10/1930)."),
    );
    let party_member = input.party_member.unwrap_or(false);
    if let Some(date) = input.party_joined_on {
        v.check(
            party_member,
            "party_joined_on",
            "requires_party_member",
            Text::new("Chỉ ghi ngày vào Đảng cho đảng viên.", "Only Party members have an admission date."),
        );
        v.check(
            date <= today,
            "party_joined_on",
            "in_future",
            Text::new("Ngày vào Đảng không thể ở tương lai.", "Cannot be in the future."),
        );
    }
    v.finish()?;
    Ok(CleanMember {
        search_key: search_key(&family_name, &middle_name, &given_name),
        sort_key: person_sort_key(&family_name, &middle_name, &given_name),
        family_name,
        middle_name,
        given_name,
        sex,
        birth_date: input.birth_date,
        birth_year,
        cccd,
        cccd_legacy,
        phone,
        address,
        ethnicity_code: input.ethnicity_code.clone().filter(|c| !c.is_empty()),
        religion_code: input.religion_code.clone().filter(|c| !c.is_empty()),
        occupation,
        education,
        party_member,
        party_joined_on: input.party_joined_on,
        joined_on: input.joined_on,
        card_number,
        member_type: input.member_type.unwrap_or(MemberType::Regular),
        pioneer: input.pioneer.unwrap_or(false),
        civil_servant: input.civil_servant.unwrap_or(false),
    })
}

pub fn years_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

/// Full years of age on `today` of someone born on `birth` (or in `year`).
pub fn age(birth: Option<NaiveDate>, year: Option<i16>, today: NaiveDate) -> Option<i32> {
    match (birth, year) {
        (Some(date), _) => Some(years_between(date, today)),
        (None, Some(year)) => Some(today.year() - i32::from(year)),
        _ => None,
    }
}

/// Ethnicity and religion codes must exist in their lists.
pub async fn check_codes(conn: &mut AsyncPgConnection, member: &CleanMember) -> Result<(), ApiError> {
    let mut v = Validator::new();
    if let Some(code) = &member.ethnicity_code {
        let known: bool = diesel::select(diesel::dsl::exists(ethnicities::table.find(code))).get_result(conn).await?;
        v.check(
            known,
            "ethnicity_code",
            "unknown_code",
            Text::new("Không có mã dân tộc này (01–54).", "No such ethnicity code (01–54)."),
        );
    }
    if let Some(code) = &member.religion_code {
        let known: bool = diesel::select(diesel::dsl::exists(religions::table.find(code))).get_result(conn).await?;
        v.check(
            known,
            "religion_code",
            "unknown_code",
            Text::new("Không có mã tôn giáo này.", "No such religion code."),
        );
    }
    v.finish()
}

/// The current record as input, with `patch` applied on top (for re-validation as a whole).
pub fn patched(row: &MemberRow, patch: &MemberPatch) -> NewMember {
    NewMember {
        id: None,
        family_name: patch.family_name.clone().unwrap_or_else(|| row.family_name.clone()),
        middle_name: patch.middle_name.clone().unwrap_or_else(|| row.middle_name.clone()),
        given_name: patch.given_name.clone().unwrap_or_else(|| row.given_name.clone()),
        sex: patch.sex.or(Some(if row.sex == "male" { Sex::Male } else { Sex::Female })),
        birth_date: patch.birth_date.or(row.birth_date),
        birth_year: match (patch.birth_year, patch.birth_date) {
            (Some(year), _) => Some(year),
            (None, Some(_)) => None,
            (None, None) => row.birth_year,
        },
        cccd: patch.cccd.clone().or_else(|| row.cccd.clone()),
        phone: patch.phone.clone().or_else(|| row.phone.clone()),
        address: patch.address.clone().or_else(|| Some(row.address.clone())),
        ethnicity_code: patch.ethnicity_code.clone().or_else(|| row.ethnicity_code.clone()),
        religion_code: patch.religion_code.clone().or_else(|| row.religion_code.clone()),
        occupation: patch.occupation.clone().or_else(|| Some(row.occupation.clone())),
        education: patch.education.clone().or_else(|| Some(row.education.clone())),
        party_member: patch.party_member.or(Some(row.party_member)),
        party_joined_on: patch.party_joined_on.or(row.party_joined_on),
        joined_on: patch.joined_on.unwrap_or(row.joined_on),
        card_number: patch.card_number.clone().or_else(|| row.card_number.clone()),
        member_type: patch.member_type.or(Some(if row.member_type == "honorary" {
            MemberType::Honorary
        } else {
            MemberType::Regular
        })),
        pioneer: patch.pioneer.or(Some(row.pioneer)),
        civil_servant: patch.civil_servant.or(Some(row.civil_servant)),
        unit_id: patch.unit_id.unwrap_or(row.unit_id),
    }
}

/// Whether input writes any sensitive field.
pub fn writes_sensitive(cccd: bool, ethnicity: bool, religion: bool, party: bool, party_date: bool) -> bool {
    cccd || ethnicity || religion || party || party_date
}
