//! The demo org tree: tỉnh Vĩnh Long (after the 2025 reform) with xã Hưng Nhượng and its
//! branches, ấp Rẫy among them, where the "1+1" and "3 có 3 biết" models began.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::date;
use crate::http::ApiError;
use crate::org_units::models::{NewOrgUnitRow, label};
use crate::org_units::queries;

/// (key, parent key, level, name, official code, valid from)
type DemoUnit = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, (i32, u32, u32));

const UNITS: &[DemoUnit] = &[
    ("vinh-long", "root", "province", "Tỉnh Vĩnh Long", Some("86"), (2025, 7, 1)),
    ("hung-nhuong", "vinh-long", "commune", "Xã Hưng Nhượng", Some("29044"), (2025, 7, 1)),
    ("ap-ray", "hung-nhuong", "branch", "Chi hội ấp Rẫy", None, (2024, 1, 1)),
    ("ap-ray-to-1", "ap-ray", "group", "Tổ phụ nữ số 1 ấp Rẫy", None, (2024, 1, 1)),
    ("ap-ray-to-2", "ap-ray", "group", "Tổ phụ nữ số 2 ấp Rẫy", None, (2024, 1, 1)),
    ("ap-binh-thanh", "hung-nhuong", "branch", "Chi hội ấp Bình Thạnh", None, (2024, 1, 1)),
    ("ap-an-loi", "hung-nhuong", "branch", "Chi hội ấp An Lợi", None, (2025, 7, 1)),
    ("luong-hoa", "vinh-long", "commune", "Xã Lương Hòa", None, (2025, 7, 1)),
    ("ap-luong-thien", "luong-hoa", "branch", "Chi hội ấp Lương Thiện", None, (2024, 1, 1)),
];

pub async fn load(conn: &mut AsyncPgConnection) -> Result<HashMap<&'static str, Uuid>, ApiError> {
    let root = queries::find_by_reference(conn, "TW").await?.ok_or_else(|| ApiError::internal("root unit missing"))?;
    let mut ids: HashMap<&'static str, Uuid> = HashMap::from([("root", root.id)]);
    let mut paths: HashMap<&'static str, String> = HashMap::from([("root", root.path.0)]);
    for (key, parent, level, name, code, (y, m, d)) in UNITS {
        let parent_id = ids[parent];
        let id = Uuid::now_v7();
        let path = format!("{}.{}", paths[parent], label(id));
        let row = NewOrgUnitRow {
            id,
            level: (*level).into(),
            name: (*name).into(),
            official_code: code.map(str::to_owned),
            parent_id: Some(parent_id),
            path: Ltree(path.clone()),
            valid_from: date(*y, *m, *d),
        };
        queries::insert(conn, &row).await?;
        ids.insert(key, id);
        paths.insert(key, path);
    }
    Ok(ids)
}
