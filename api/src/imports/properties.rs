//! Property tests of the import parsers: any bytes given as a CSV file are read or refused
//! without a panic, and any row is either a clean member or a list of errors that name its row
//! and columns. Bounded (256 cases each) so they run in the ordinary test command.

use std::collections::HashMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use uuid::Uuid;

use super::columns::{COLUMNS, Column, header};
use super::read::{Format, RawRow, read};
use super::rows::{BranchGroups, CodeLists, RowContext, member_of};
use crate::http::Lang;

fn context<'a>(branches: &'a HashMap<String, BranchGroups>, codes: &'a CodeLists) -> RowContext<'a> {
    RowContext {
        unit_id: Uuid::nil(),
        default_branch: branches.values().next(),
        branches,
        codes,
        today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
        lang: Lang::Vi,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_csv_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let _ = read(&bytes, Format::Csv);
    }

    #[test]
    fn any_csv_text_under_the_template_header_is_read_or_refused(body in "\\PC{0,400}") {
        let head: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
        let file = format!("{}\n{body}", head.join(","));
        if let Ok(rows) = read(file.as_bytes(), Format::Csv) {
            prop_assert!(rows.iter().all(|r| r.number >= 2), "rows are numbered as the sheet shows them");
        }
    }

    #[test]
    fn every_row_is_a_member_or_errors_naming_its_row(cells in proptest::collection::vec("\\PC{0,30}", COLUMNS.len())) {
        let groups = HashMap::from([("chi hoi".to_owned(), (Uuid::nil(), HashMap::new()))]);
        let codes = CodeLists::new(vec![("01".into(), "Kinh".into())], vec![]);
        let row = RawRow { number: 7, cells: COLUMNS.iter().map(|c| c.0).zip(cells).collect() };
        if let Err(errors) = member_of(&row, &context(&groups, &codes)) {
            prop_assert!(!errors.is_empty());
            let headers: Vec<&str> = COLUMNS.iter().map(|c| header(c.0)).collect();
            for error in errors {
                prop_assert_eq!(error.row, 7);
                prop_assert!(error.column.is_empty() || headers.contains(&error.column.as_str()), "{}", error.column);
            }
        }
    }

    #[test]
    fn plausible_rows_are_accepted(
        given in "(Hòa|Lan|Mai|Cúc|Đào|Phượng|Yến)",
        day in 1u32..=28, month in 1u32..=12, year in 1950i32..=2000, age_at_joining in 19i32..=40,
    ) {
        let groups = HashMap::from([("chi hoi".to_owned(), (Uuid::nil(), HashMap::new()))]);
        let codes = CodeLists::default();
        let cells = COLUMNS
            .iter()
            .map(|c| {
                let value = match c.0 {
                    Column::FamilyName => "Nguyễn".to_owned(),
                    Column::GivenName => given.clone(),
                    Column::Birth => format!("{day:02}/{month:02}/{year}"),
                    Column::JoinedOn => format!("08/03/{}", (year + age_at_joining).min(2025)),
                    _ => String::new(),
                };
                (c.0, value)
            })
            .collect();
        let row = RawRow { number: 2, cells };
        let result = member_of(&row, &context(&groups, &codes));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
