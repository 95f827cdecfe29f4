//! One spreadsheet row to a member record, with every problem named by row and column.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::columns::{Column, header};
use super::read::RawRow;
use super::spellings::{ETHNICITY_ALIASES, RELIGION_ALIASES, name_key};
use crate::http::{ApiError, FieldIssue, Lang, Text};
use crate::members::validate::{CleanMember, clean};
use crate::members::wire::{MemberType, NewMember, Sex};
use crate::text::fold::fold;

/// A problem with one cell (or row) of an imported file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The column header, e.g. `Số CCCD`; empty for a problem of the whole row.
    pub column: String,
    /// Stable code, as in the API's field errors.
    pub code: String,
    /// The message, in the language of the request that started the import.
    pub message: String,
}

/// Official code lists, by code and by folded name.
#[derive(Debug, Default)]
pub struct CodeLists {
    pub ethnicities: HashMap<String, String>,
    pub religions: HashMap<String, String>,
}

impl CodeLists {
    pub fn new(ethnicities: Vec<(String, String)>, religions: Vec<(String, String)>) -> Self {
        // Keyed by `name_key`: the list's names, their usual spellings, and the codes.
        let index = |list: Vec<(String, String)>, aliases: &[(&str, &str)]| {
            let mut map = HashMap::new();
            for (spelling, code) in aliases {
                if list.iter().any(|(c, _)| c == code) {
                    map.insert((*spelling).to_owned(), (*code).to_owned());
                }
            }
            for (code, name) in list {
                map.insert(name_key(&name), code.clone());
                map.insert(code.clone(), code);
            }
            map
        };
        CodeLists { ethnicities: index(ethnicities, ETHNICITY_ALIASES), religions: index(religions, RELIGION_ALIASES) }
    }
}

fn column_of_field(field: &str) -> Column {
    match field {
        "family_name" => Column::FamilyName,
        "middle_name" => Column::MiddleName,
        "given_name" => Column::GivenName,
        "sex" => Column::Sex,
        "birth_date" | "birth_year" => Column::Birth,
        "cccd" => Column::Cccd,
        "phone" => Column::Phone,
        "address" => Column::Address,
        "ethnicity_code" => Column::Ethnicity,
        "religion_code" => Column::Religion,
        "occupation" => Column::Occupation,
        "education" => Column::Education,
        "party_member" => Column::PartyMember,
        "party_joined_on" => Column::PartyJoinedOn,
        "card_number" => Column::CardNumber,
        "member_type" => Column::MemberType,
        "unit_id" => Column::Group,
        _ => Column::JoinedOn,
    }
}

/// A branch rows may go to: its id and its groups by folded name.
pub type BranchGroups = (Uuid, HashMap<String, Uuid>);

pub struct RowContext<'a> {
    /// The unit imported into: a branch, or a commune whose rows name their branch.
    pub unit_id: Uuid,
    /// Rows go to this branch when they name none (importing into a branch).
    pub default_branch: Option<&'a BranchGroups>,
    /// The branches rows may name, by folded name (the branch itself, or the commune's).
    pub branches: &'a HashMap<String, BranchGroups>,
    pub codes: &'a CodeLists,
    pub today: NaiveDate,
    pub lang: Lang,
}

/// Why a date cell is not a date: written otherwise, or written right but no such day.
#[derive(Debug, PartialEq)]
enum BadDate {
    Shape,
    NoSuchDay,
}

fn parse_date(text: &str) -> Result<NaiveDate, BadDate> {
    if let Some(day) =
        ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"].iter().find_map(|f| NaiveDate::parse_from_str(text, f).ok())
    {
        return Ok(day);
    }
    // Three numbers in a date's places (31/02/1980, 2025-13-01): the shape is right.
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let numeric = parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric && (parts[0].len() == 4 || parts[2].len() == 4) { Err(BadDate::NoSuchDay) } else { Err(BadDate::Shape) }
}

/// The row as a clean member (and the unit it goes to), or its problems.
pub fn member_of(row: &RawRow, ctx: &RowContext<'_>) -> Result<(CleanMember, Uuid), Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |c: Column| row.cells.get(&c).map(String::as_str).unwrap_or("");
    let mut fail = |column: Column, code: &str, text: Text| {
        errors.push(RowError {
            row: row.number,
            column: header(column).into(),
            code: code.into(),
            message: text.get(ctx.lang).into(),
        });
    };
    let date = |c: Column, fail: &mut dyn FnMut(Column, &str, Text)| -> Option<NaiveDate> {
        let text = cell(c);
        if text.is_empty() {
            return None;
        }
        match parse_date(text) {
            Ok(day) => Some(day),
            Err(BadDate::NoSuchDay) => {
                fail(
                    c,
                    "no_such_day",
                    Text::new("Không có ngày này trong lịch.", "There is no such day in the calendar."),
                );
                None
            }
            Err(BadDate::Shape) => {
                fail(c, "invalid_date", Text::new("Ngày phải có dạng dd/mm/yyyy.", "Dates are written dd/mm/yyyy."));
                None
            }
        }
    };
    let (birth_date, birth_year) = match cell(Column::Birth) {
        "" => (None, None),
        text if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) => (None, text.parse().ok()),
        _ => (date(Column::Birth, &mut fail), None),
    };
    let joined_on = date(Column::JoinedOn, &mut fail);
    if cell(Column::JoinedOn).is_empty() {
        fail(Column::JoinedOn, "required", Text::new("Cần ngày vào hội.", "The join date is required."));
    }
    let party_joined_on = date(Column::PartyJoinedOn, &mut fail);
    let sex = match fold(cell(Column::Sex)).as_str() {
        "" | "nu" => Sex::Female,
        "nam" => Sex::Male,
        _ => {
            fail(Column::Sex, "invalid_value", Text::new("Giới tính là Nữ hoặc Nam.", "Sex is Nữ or Nam."));
            Sex::Female
        }
    };
    let party_member = match fold(cell(Column::PartyMember)).as_str() {
        "" | "khong" | "0" => false,
        "co" | "x" | "1" | "dang vien" => true,
        _ => {
            fail(Column::PartyMember, "invalid_value", Text::new("Ghi Có hoặc Không.", "Write Có or Không."));
            false
        }
    };
    let member_type = match fold(cell(Column::MemberType)).as_str() {
        "" | "chinh thuc" => MemberType::Regular,
        "danh du" => MemberType::Honorary,
        _ => {
            fail(
                Column::MemberType,
                "invalid_value",
                Text::new("Loại hội viên là Chính thức hoặc Danh dự.", "Chính thức or Danh dự."),
            );
            MemberType::Regular
        }
    };
    let mut code = |column: Column, list: &HashMap<String, String>| -> Option<String> {
        let text = cell(column);
        if text.is_empty() {
            return None;
        }
        let found = list.get(&name_key(text)).or_else(|| list.get(text)).cloned();
        if found.is_none() {
            fail(
                column,
                "unknown_code",
                Text::new("Không có mã hoặc tên này trong danh mục.", "Not a code or name of the official list."),
            );
        }
        found
    };
    let ethnicity_code = code(Column::Ethnicity, &ctx.codes.ethnicities);
    let religion_code = code(Column::Religion, &ctx.codes.religions);
    let branch = match cell(Column::Branch) {
        "" => {
            if ctx.default_branch.is_none() {
                fail(
                    Column::Branch,
                    "required",
                    Text::new(
                        "Nhập vào xã: mỗi dòng ghi tên chi hội.",
                        "Importing into a commune: name each row's branch.",
                    ),
                );
            }
            ctx.default_branch
        }
        name => {
            let found = ctx.branches.get(&fold(name));
            if found.is_none() {
                fail(
                    Column::Branch,
                    "unknown_branch",
                    Text::new(
                        "Không có chi hội này ở đơn vị đang nhập.",
                        "No branch of this name in the unit imported into.",
                    ),
                );
            }
            found
        }
    };
    let unit_id = match (cell(Column::Group), branch) {
        (_, None) => ctx.unit_id,
        ("", Some((branch, _))) => *branch,
        (name, Some((branch, groups))) => match groups.get(&fold(name)) {
            Some(id) => *id,
            None => {
                fail(
                    Column::Group,
                    "unknown_group",
                    Text::new("Chi hội không có tổ này.", "The branch has no group of this name."),
                );
                *branch
            }
        },
    };
    let input = NewMember {
        id: None,
        family_name: cell(Column::FamilyName).into(),
        middle_name: cell(Column::MiddleName).into(),
        given_name: cell(Column::GivenName).into(),
        sex: Some(sex),
        birth_date,
        birth_year,
        cccd: Some(cell(Column::Cccd).to_owned()).filter(|c| !c.is_empty()),
        phone: Some(cell(Column::Phone).to_owned()).filter(|c| !c.is_empty()),
        address: Some(cell(Column::Address).to_owned()),
        ethnicity_code,
        religion_code,
        occupation: Some(cell(Column::Occupation).to_owned()),
        education: Some(cell(Column::Education).to_owned()),
        party_member: Some(party_member),
        party_joined_on,
        joined_on: joined_on.unwrap_or(ctx.today),
        card_number: Some(cell(Column::CardNumber).to_owned()).filter(|c| !c.is_empty()),
        member_type: Some(member_type),
        pioneer: Some(false),
        civil_servant: Some(false),
        unit_id,
    };
    let cleaned = clean(&input, ctx.today);
    match cleaned {
        Ok(member) if errors.is_empty() => Ok((member, unit_id)),
        Ok(_) => Err(errors),
        Err(ApiError::Validation(issues)) => {
            errors.extend(issues.into_iter().filter(|i| !(i.field == "joined_on" && joined_on.is_none())).map(
                |issue: FieldIssue| RowError {
                    row: row.number,
                    column: header(column_of_field(&issue.field)).into(),
                    code: issue.code.into(),
                    message: issue.message.get(ctx.lang).into(),
                },
            ));
            Err(errors)
        }
        Err(other) => {
            errors.push(RowError {
                row: row.number,
                column: String::new(),
                code: other.code().into(),
                message: other.detail().get(ctx.lang).into(),
            });
            Err(errors)
        }
    }
}
