//! The member list layout commune offices keep: one row per member, Vietnamese headers, dates as
//! dd/mm/yyyy. Headers are matched without case or diacritics ("Ngay sinh" works too).

use crate::text::fold::fold;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    FamilyName,
    MiddleName,
    GivenName,
    Sex,
    Birth,
    Cccd,
    Phone,
    Address,
    Ethnicity,
    Religion,
    Occupation,
    Education,
    PartyMember,
    PartyJoinedOn,
    JoinedOn,
    CardNumber,
    MemberType,
    Branch,
    Group,
}

/// (column, Vietnamese header, English meaning, example)
pub const COLUMNS: [(Column, &str, &str, &str); 19] = [
    (Column::FamilyName, "Họ", "Family name (required)", "Nguyễn"),
    (Column::MiddleName, "Tên đệm", "Middle name", "Thị"),
    (Column::GivenName, "Tên", "Given name (required)", "Hòa"),
    (Column::Sex, "Giới tính", "Nữ or Nam (default Nữ)", "Nữ"),
    (Column::Birth, "Ngày sinh", "dd/mm/yyyy, or the year alone", "12/03/1985"),
    (Column::Cccd, "Số CCCD", "12-digit CCCD or 9-digit CMND (sensitive)", "083185000123"),
    (Column::Phone, "Số điện thoại", "Phone", "0912345678"),
    (Column::Address, "Địa chỉ", "Address", "Ấp Rẫy"),
    (Column::Ethnicity, "Dân tộc", "Code (01–54) or name (sensitive)", "Kinh"),
    (Column::Religion, "Tôn giáo", "Code or name, Không = none (sensitive)", "Không"),
    (Column::Occupation, "Nghề nghiệp", "Occupation", "Nông dân"),
    (Column::Education, "Trình độ học vấn", "Education", "12/12"),
    (Column::PartyMember, "Đảng viên", "Có or Không (sensitive)", "Không"),
    (Column::PartyJoinedOn, "Ngày vào Đảng", "dd/mm/yyyy (sensitive)", ""),
    (Column::JoinedOn, "Ngày vào hội", "dd/mm/yyyy (required)", "08/03/2010"),
    (Column::CardNumber, "Số thẻ hội viên", "Card number", "VL-000123"),
    (Column::MemberType, "Loại hội viên", "Chính thức or Danh dự", "Chính thức"),
    (Column::Branch, "Chi hội", "Name of the branch (required when importing into a commune)", "Chi hội ấp Rẫy"),
    (Column::Group, "Tổ", "Name of a women's group of the branch (optional)", "Tổ 1"),
];

pub fn header(column: Column) -> &'static str {
    COLUMNS.iter().find(|(c, ..)| *c == column).map_or("", |(_, h, ..)| h)
}

/// The column a header names, if any.
pub fn column_of(header: &str) -> Option<Column> {
    let wanted = fold(header.trim_start_matches('\u{feff}'));
    COLUMNS.iter().find(|(_, h, ..)| fold(h) == wanted).map(|(c, ..)| *c)
}

pub fn is_sensitive(column: Column) -> bool {
    matches!(column, Column::Cccd | Column::Ethnicity | Column::Religion | Column::PartyMember | Column::PartyJoinedOn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_without_case_or_diacritics() {
        assert_eq!(column_of("Ngày sinh"), Some(Column::Birth));
        assert_eq!(column_of("ngay sinh"), Some(Column::Birth));
        assert_eq!(column_of("\u{feff}Họ"), Some(Column::FamilyName));
        assert_eq!(column_of("SỐ CCCD"), Some(Column::Cccd));
        assert_eq!(column_of("Ghi chú"), None);
    }
}
