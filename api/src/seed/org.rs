//! The demo org tree, told as it happened. Until 30/06/2025: tỉnh Bến Tre → huyện Giồng Trôm →
//! xã Hưng Lễ (where ấp Rẫy's branch began "1+1" and "3 có 3 biết"), xã Tân Thanh and the old
//! xã Hưng Nhượng. On 01/07/2025 the reform: the three communes merge into the new xã Hưng
//! Nhượng of the new tỉnh Vĩnh Long, the district closes, Bến Tre merges into Vĩnh Long. The
//! merges go through the same code as `POST /org-units/{id}/merge`, so the demo's history
//! answers "as of" questions exactly like real data.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use diesel_ltree::Ltree;
use uuid::Uuid;

use super::date;
use crate::http::ApiError;
use crate::org_units::history::absorb;
use crate::org_units::models::{NewOrgUnitRow, label};
use crate::org_units::queries;
use crate::org_units::tree::close_unit;

/// (key, parent key, level, name, official code, valid from)
type DemoUnit = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, (i32, u32, u32));

/// Units as they stood before the reform, then the new ones it created.
const UNITS: &[DemoUnit] = &[
    ("ben-tre", "root", "province", "Tỉnh Bến Tre", Some("83"), (1976, 2, 20)),
    ("giong-trom", "ben-tre", "district", "Huyện Giồng Trôm", Some("835"), (1976, 2, 20)),
    ("hung-le", "giong-trom", "commune", "Xã Hưng Lễ", Some("28975"), (1976, 2, 20)),
    ("ap-ray", "hung-le", "branch", "Chi hội ấp Rẫy", None, (2010, 1, 1)),
    ("ap-ray-to-1", "ap-ray", "group", "Tổ phụ nữ số 1 ấp Rẫy", None, (2010, 1, 1)),
    ("ap-ray-to-2", "ap-ray", "group", "Tổ phụ nữ số 2 ấp Rẫy", None, (2010, 1, 1)),
    ("ap-binh-thanh", "hung-le", "branch", "Chi hội ấp Bình Thạnh", None, (2010, 1, 1)),
    ("tan-thanh", "giong-trom", "commune", "Xã Tân Thanh", Some("28978"), (1976, 2, 20)),
    ("ap-tan-phu", "tan-thanh", "branch", "Chi hội ấp Tân Phú", None, (2010, 1, 1)),
    ("old-hung-nhuong", "giong-trom", "commune", "Xã Hưng Nhượng", Some("28981"), (1976, 2, 20)),
    ("ap-an-loi", "old-hung-nhuong", "branch", "Chi hội ấp An Lợi", None, (2010, 1, 1)),
    ("vinh-long", "root", "province", "Tỉnh Vĩnh Long", Some("86"), (2025, 7, 1)),
    ("hung-nhuong", "vinh-long", "commune", "Xã Hưng Nhượng", Some("29044"), (2025, 7, 1)),
    ("luong-hoa", "vinh-long", "commune", "Xã Lương Hòa", None, (2025, 7, 1)),
    ("ap-luong-thien", "luong-hoa", "branch", "Chi hội ấp Lương Thiện", None, (2025, 7, 1)),
];

pub const REFORM_DAY: (i32, u32, u32) = (2025, 7, 1);

pub async fn load(conn: &mut AsyncPgConnection) -> Result<HashMap<&'static str, Uuid>, ApiError> {
    let root = queries::find_by_reference(conn, "TW").await?.ok_or_else(|| ApiError::internal("root unit missing"))?;
    let mut ids: HashMap<&'static str, Uuid> = HashMap::from([("root", root.id)]);
    let mut paths: HashMap<&'static str, String> = HashMap::from([("root", root.path.0)]);
    for (key, parent, level, name, code, (y, m, d)) in UNITS {
        let id = Uuid::now_v7();
        let path = format!("{}.{}", paths[parent], label(id));
        let row = NewOrgUnitRow {
            id,
            level: (*level).into(),
            name: (*name).into(),
            official_code: code.map(str::to_owned),
            parent_id: Some(ids[parent]),
            path: Ltree(path.clone()),
            valid_from: date(*y, *m, *d),
            sort_key: crate::text::collate::text_sort_key(name),
        };
        queries::insert(conn, &row).await?;
        ids.insert(key, id);
        paths.insert(key, path);
    }
    Ok(ids)
}

/// The 2025 reform, applied after the members of the old communes are on file.
pub async fn reform(conn: &mut AsyncPgConnection, ids: &HashMap<&'static str, Uuid>) -> Result<(), ApiError> {
    let (y, m, d) = REFORM_DAY;
    let day = date(y, m, d);
    merge(conn, ids["hung-nhuong"], &[ids["hung-le"], ids["tan-thanh"], ids["old-hung-nhuong"]], day).await?;
    close_unit(conn, ids["giong-trom"], day).await?;
    merge(conn, ids["vinh-long"], &[ids["ben-tre"]], day).await
}

async fn merge(conn: &mut AsyncPgConnection, target: Uuid, sources: &[Uuid], day: NaiveDate) -> Result<(), ApiError> {
    let target = queries::find(conn, target).await?.ok_or(ApiError::NotFound)?;
    for source in sources {
        let source = queries::find(conn, *source).await?.ok_or(ApiError::NotFound)?;
        absorb(conn, &target, &source, day, None).await?;
    }
    Ok(())
}
