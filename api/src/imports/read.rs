//! Reading a spreadsheet (CSV or XLSX) into rows of text by column.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use super::columns::{Column, column_of};

/// One data row: its number as the spreadsheet shows it (the header is row 1), and its cells.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub number: usize,
    pub cells: HashMap<Column, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

pub const MAX_ROWS: usize = 50_000;

fn rows_from(records: impl Iterator<Item = Vec<String>>) -> Result<Vec<RawRow>, String> {
    let mut records = records.enumerate();
    let Some((_, header)) = records.next() else {
        return Err("the file is empty".into());
    };
    let columns: Vec<Option<Column>> = header.iter().map(|h| column_of(h)).collect();
    if !columns.contains(&Some(Column::FamilyName))
        || !columns.contains(&Some(Column::GivenName))
        || !columns.contains(&Some(Column::JoinedOn))
    {
        return Err(
            "the header row must name at least the columns Họ, Tên and Ngày vào hội (download the template)".into()
        );
    }
    let mut rows = Vec::new();
    for (index, record) in records {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(format!("at most {MAX_ROWS} rows per file"));
        }
        let cells = columns
            .iter()
            .zip(record)
            .filter_map(|(column, value)| column.map(|c| (c, value.trim().to_owned())))
            .collect();
        rows.push(RawRow { number: index + 1, cells });
    }
    Ok(rows)
}

pub fn read(bytes: &[u8], format: Format) -> Result<Vec<RawRow>, String> {
    match format {
        Format::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|_| "the CSV file must be UTF-8".to_owned())?;
            let delimiter = if text.lines().next().is_some_and(|l| l.matches(';').count() > l.matches(',').count()) {
                b';'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let records: Result<Vec<Vec<String>>, _> =
                reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect())).collect();
            rows_from(records.map_err(|e| format!("unreadable CSV: {e}"))?.into_iter())
        }
        Format::Xlsx => {
            let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("unreadable XLSX: {e}"))?;
            let range = workbook
                .worksheet_range_at(0)
                .ok_or("the workbook has no sheet")?
                .map_err(|e| format!("unreadable sheet: {e}"))?;
            rows_from(range.rows().map(|row| row.iter().map(cell_text).collect()))
        }
    }
}

/// A cell as the text a person would type: dates as dd/mm/yyyy, whole numbers without ".0".
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "Có".into()
            } else {
                "Không".into()
            }
        }
        Data::DateTime(dt) => dt.as_datetime().map(|d| d.date().format("%d/%m/%Y").to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) => NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| s.clone()),
        other => other.to_string(),
    }
}
