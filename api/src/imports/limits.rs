//! Bounds on an import file, checked before anything parses it (OWASP "file upload" and "zip
//! bomb" rules). A file of a few kilobytes may declare a sheet of 17 billion cells or a
//! gigabyte of XML; every bound here is checked on what the file *is*, not on what it says:
//! zip entries are inflated into a counting sink, never into memory.

use std::io::{Cursor, Read};

use crate::http::{ApiError, FieldIssue, Text};

/// Largest upload, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Data rows (the header row not counted).
pub const MAX_ROWS: usize = 50_000;
/// Rows a sheet may reach, blank ones included (spreadsheets keep formatted empty rows).
pub const MAX_SHEET_ROWS: u32 = 100_000;
/// Columns of a row: the template has 18; room for a few of the office's own.
pub const MAX_COLUMNS: u32 = 64;
/// One CSV record, in bytes.
pub const MAX_CSV_RECORD_BYTES: usize = 16 * 1024;
/// Entries of the XLSX archive (a workbook of one sheet has about a dozen).
pub const MAX_ZIP_ENTRIES: usize = 256;
/// All entries inflated, in bytes.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 192 * 1024 * 1024;
/// Inflated ÷ compressed for an entry larger than `RATIO_FLOOR_BYTES` (XML of real sheets
/// stays under 30).
pub const MAX_RATIO: u64 = 200;
const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// Which bound a file broke. 413 for sizes, 422 for shapes; `errors[0].field` is `file` and
/// `errors[0].code` names the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    ZipEntries,
    Uncompressed,
    Ratio,
    Unreadable,
    Rows,
    SheetRows,
    Columns,
    RecordBytes,
}

impl Limit {
    pub fn code(self) -> &'static str {
        match self {
            Limit::ZipEntries => "too_many_entries",
            Limit::Uncompressed => "uncompressed_too_large",
            Limit::Ratio => "compression_ratio_too_high",
            Limit::Unreadable => "unreadable_file",
            Limit::Rows => "too_many_rows",
            Limit::SheetRows => "sheet_too_long",
            Limit::Columns => "too_many_columns",
            Limit::RecordBytes => "line_too_long",
        }
    }

    pub fn message(self) -> Text {
        match self {
            Limit::ZipEntries => Text::owned(
                format!("Tệp XLSX có quá nhiều thành phần (tối đa {MAX_ZIP_ENTRIES})."),
                format!("The XLSX archive has too many entries (at most {MAX_ZIP_ENTRIES})."),
            ),
            Limit::Uncompressed => Text::owned(
                format!("Tệp XLSX khi giải nén vượt quá {} MiB.", MAX_UNCOMPRESSED_BYTES >> 20),
                format!("The XLSX file inflates to more than {} MiB.", MAX_UNCOMPRESSED_BYTES >> 20),
            ),
            Limit::Ratio => Text::owned(
                format!("Tệp XLSX nén bất thường (tỷ lệ giải nén trên {MAX_RATIO} lần)."),
                format!("The XLSX file is abnormally compressed (inflation ratio above {MAX_RATIO})."),
            ),
            Limit::Unreadable => {
                Text::new("Không đọc được tệp (không phải XLSX hợp lệ).", "The file is not a readable XLSX workbook.")
            }
            Limit::Rows => Text::owned(
                format!("Tối đa {MAX_ROWS} dòng dữ liệu mỗi tệp."),
                format!("At most {MAX_ROWS} data rows per file."),
            ),
            Limit::SheetRows => Text::owned(
                format!("Trang tính dài quá {MAX_SHEET_ROWS} dòng."),
                format!("The sheet reaches beyond row {MAX_SHEET_ROWS}."),
            ),
            Limit::Columns => Text::owned(
                format!("Tối đa {MAX_COLUMNS} cột mỗi dòng."),
                format!("At most {MAX_COLUMNS} columns per row."),
            ),
            Limit::RecordBytes => Text::owned(
                format!("Một dòng CSV dài quá {MAX_CSV_RECORD_BYTES} byte."),
                format!("A CSV line is longer than {MAX_CSV_RECORD_BYTES} bytes."),
            ),
        }
    }

    fn is_size(self) -> bool {
        matches!(self, Limit::ZipEntries | Limit::Uncompressed | Limit::Ratio)
    }

    pub fn into_error(self) -> ApiError {
        let issue = FieldIssue::new("file", self.code(), self.message());
        if self.is_size() { ApiError::FileTooLarge(vec![issue]) } else { ApiError::Validation(vec![issue]) }
    }
}

/// Checks an XLSX archive: entry count, the real inflated size of every entry and its ratio.
pub fn check_xlsx(bytes: &[u8]) -> Result<(), Limit> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Limit::Unreadable)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(Limit::ZipEntries);
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|_| Limit::Unreadable)?;
        let compressed = entry.compressed_size().max(1);
        // Inflate into a sink, reading at most one byte past what is still allowed: a
        // declared size may lie, what comes out may not.
        let allowed = MAX_UNCOMPRESSED_BYTES - total;
        let inflated =
            std::io::copy(&mut entry.take(allowed + 1), &mut std::io::sink()).map_err(|_| Limit::Unreadable)?;
        if inflated > allowed {
            return Err(Limit::Uncompressed);
        }
        if inflated > RATIO_FLOOR_BYTES && inflated / compressed > MAX_RATIO {
            return Err(Limit::Ratio);
        }
        total += inflated;
    }
    Ok(())
}

/// Checks a CSV file: record length, columns and rows, without keeping any record.
pub fn check_csv(bytes: &[u8]) -> Result<(), Limit> {
    let mut rows = 0usize;
    for line in bytes.split(|b| *b == b'\n') {
        if line.len() > MAX_CSV_RECORD_BYTES {
            return Err(Limit::RecordBytes);
        }
        // A rough count (a quoted delimiter counts too): only a bound, the reader counts exactly.
        let separators = line.iter().filter(|b| **b == b',' || **b == b';').count();
        if separators >= MAX_COLUMNS as usize * 2 {
            return Err(Limit::Columns);
        }
        if !line.iter().all(|b| b.is_ascii_whitespace() || *b == b',' || *b == b';') {
            rows += 1;
        }
        if rows > MAX_ROWS + 1 {
            return Err(Limit::Rows);
        }
    }
    Ok(())
}
