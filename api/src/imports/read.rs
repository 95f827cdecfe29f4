//! Reading a spreadsheet (CSV or XLSX) into rows of text by column.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use super::columns::{Column, column_of};
use super::limits::{
    Limit, MAX_COLUMNS, MAX_CSV_RECORD_BYTES, MAX_FILE_BYTES, MAX_ROWS, MAX_SHEET_ROWS, check_csv, check_xlsx,
};
use crate::http::ApiError;

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

/// Why a file could not be read into rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// It broke one of the bounds of `limits`.
    Limit(Limit),
    /// It is not a member list (no header, not UTF-8, unreadable).
    Invalid(String),
}

impl From<Limit> for ReadError {
    fn from(limit: Limit) -> Self {
        ReadError::Limit(limit)
    }
}

impl ReadError {
    pub fn into_api_error(self) -> ApiError {
        match self {
            ReadError::Limit(limit) => limit.into_error(),
            ReadError::Invalid(message) => ApiError::MalformedJson(message),
        }
    }
}

fn rows_from(records: impl Iterator<Item = Vec<String>>) -> Result<Vec<RawRow>, ReadError> {
    let mut records = records.enumerate();
    let Some((_, header)) = records.next() else {
        return Err(ReadError::Invalid("the file is empty".into()));
    };
    let columns: Vec<Option<Column>> = header.iter().map(|h| column_of(h)).collect();
    if !columns.contains(&Some(Column::FamilyName))
        || !columns.contains(&Some(Column::GivenName))
        || !columns.contains(&Some(Column::JoinedOn))
    {
        return Err(ReadError::Invalid(
            "the header row must name at least the columns Họ, Tên and Ngày vào hội (download the template)".into(),
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in records {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(Limit::Rows.into());
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

/// Reads a file into rows, within the bounds of `limits` (checked first, then kept while
/// reading: no sheet is ever laid out as a grid of its declared size).
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<RawRow>, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::Invalid(format!("at most {MAX_FILE_BYTES} bytes per file")));
    }
    match format {
        Format::Csv => {
            check_csv(bytes)?;
            let text =
                std::str::from_utf8(bytes).map_err(|_| ReadError::Invalid("the CSV file must be UTF-8".into()))?;
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
            let mut records = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| ReadError::Invalid(format!("unreadable CSV: {e}")))?;
                if record.len() > MAX_COLUMNS as usize {
                    return Err(Limit::Columns.into());
                }
                if record.as_slice().len() > MAX_CSV_RECORD_BYTES {
                    return Err(Limit::RecordBytes.into());
                }
                records.push(record.iter().map(str::to_owned).collect());
            }
            rows_from(records.into_iter())
        }
        Format::Xlsx => {
            check_xlsx(bytes)?;
            rows_from(xlsx_records(bytes)?.into_iter())
        }
    }
}

/// The bounds a file breaks, checked without reading its rows (the request handler calls this
/// before it starts a job). A file that is merely unreadable passes: its job says why.
pub fn check(bytes: &[u8], format: Format) -> Result<(), Limit> {
    match format {
        Format::Csv => check_csv(bytes),
        Format::Xlsx => {
            check_xlsx(bytes)?;
            let Ok(mut workbook) = Xlsx::new(Cursor::new(bytes)) else { return Ok(()) };
            let Some(name) = workbook.sheet_names().first().cloned() else { return Ok(()) };
            match workbook.worksheet_cells_reader(&name) {
                Ok(cells) => declared_within_bounds(cells.dimensions()),
                Err(_) => Ok(()),
            }
        }
    }
}

fn declared_within_bounds(declared: calamine::Dimensions) -> Result<(), Limit> {
    if declared.end.1 >= MAX_COLUMNS {
        Err(Limit::Columns)
    } else if declared.end.0 >= MAX_SHEET_ROWS {
        Err(Limit::SheetRows)
    } else {
        Ok(())
    }
}

/// The first sheet's rows, cell by cell from the XML stream, within `MAX_SHEET_ROWS` and
/// `MAX_COLUMNS` (the declared dimension is checked first, then every cell).
fn xlsx_records(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let unreadable = |e: calamine::XlsxError| ReadError::Invalid(format!("unreadable XLSX: {e}"));
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let name = workbook.sheet_names().first().cloned().ok_or(ReadError::Invalid("the workbook has no sheet".into()))?;
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(unreadable)?;
    declared_within_bounds(cells.dimensions())?;
    let mut records: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if column >= MAX_COLUMNS {
            return Err(Limit::Columns.into());
        }
        if row >= MAX_SHEET_ROWS {
            return Err(Limit::SheetRows.into());
        }
        let (row, column) = (row as usize, column as usize);
        if records.len() <= row {
            records.resize_with(row + 1, Vec::new);
        }
        let record = &mut records[row];
        if record.len() <= column {
            record.resize(column + 1, String::new());
        }
        record[column] = text;
    }
    // As a spreadsheet shows it: the list starts at its first row with something in it.
    let first = records.iter().position(|r| !r.is_empty()).ok_or(ReadError::Invalid("the sheet is empty".into()))?;
    records.drain(..first);
    Ok(records)
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
