//! The import template, as CSV or XLSX: the headers a file must have, and an example row.

use rust_xlsxwriter::{Format, Workbook};

use super::columns::COLUMNS;

pub fn csv() -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    let mut writer = csv::Writer::from_writer(&mut out);
    let _ = writer.write_record(COLUMNS.iter().map(|(_, h, ..)| *h));
    let _ = writer.write_record(COLUMNS.iter().map(|(.., example)| *example));
    drop(writer);
    out
}

pub fn xlsx() -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet().set_name("Hội viên").map_err(|e| e.to_string())?;
    for (i, (_, heading, meaning, example)) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(0);
        sheet.write_string_with_format(0, col, *heading, &bold).map_err(|e| e.to_string())?;
        sheet.write_string_with_format(1, col, *example, &text).map_err(|e| e.to_string())?;
        sheet.set_column_width(col, 18).map_err(|e| e.to_string())?;
        let _ = meaning;
    }
    let help = workbook.add_worksheet().set_name("Hướng dẫn").map_err(|e| e.to_string())?;
    help.write_string_with_format(0, 0, "Cột / Column", &bold).map_err(|e| e.to_string())?;
    help.write_string_with_format(0, 1, "Ý nghĩa / Meaning", &bold).map_err(|e| e.to_string())?;
    for (i, (_, heading, meaning, _)) in COLUMNS.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(0);
        help.write_string(row, 0, *heading).map_err(|e| e.to_string())?;
        help.write_string(row, 1, *meaning).map_err(|e| e.to_string())?;
    }
    help.set_column_width(0, 20).map_err(|e| e.to_string())?;
    help.set_column_width(1, 60).map_err(|e| e.to_string())?;
    workbook.save_to_buffer().map_err(|e| e.to_string())
}
