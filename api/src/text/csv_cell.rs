//! Writing CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection"): a
//! cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width
//! forms) is prefixed with `'`, which spreadsheets show as text. Plain numbers (`-5`, `+84…`
//! phones are text anyway) keep their sign so that figures stay figures.

use std::borrow::Cow;
use std::io::Write;

const TRIGGERS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// The cell as a spreadsheet must read it.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    let starts_with_trigger = cell.starts_with(TRIGGERS);
    if starts_with_trigger && !is_plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Writes one record with every cell neutralized.
pub fn write_record<W: Write, S: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    let cells: Vec<String> = cells.into_iter().map(|c| neutralize(c.as_ref()).into_owned()).collect();
    writer.write_record(&cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for formula in
            ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1", "=cmd|' /C calc'!A0"]
        {
            assert!(neutralize(formula).starts_with('\''), "{formula:?}");
        }
        for plain in ["-5", "12.5", "+3", "Nguyễn Thị Hòa", "", "0912345678", "a=b"] {
            assert_eq!(neutralize(plain), plain);
        }
        assert_eq!(neutralize("-"), "'-");
        assert_eq!(neutralize("-1."), "'-1.");
    }
}
