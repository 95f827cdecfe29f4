//! Demo members of the communes that became xã Hưng Nhượng, made reproducibly (a fixed-seed
//! generator): names from the Mekong Delta, birth years, citizen ids that pass the cross-checks,
//! circumstances, needs and visits — the "3 có 3 biết" a branch head keeps in her head — plus
//! prospects, positions, population figures, and transfers.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::date;
use crate::http::ApiError;
use crate::members::models::MemberRow;
use crate::members::registration::row_of;
use crate::members::validate::clean;
use crate::members::wire::{MemberType, NewMember, Sex};
use crate::members::{profile::CIRCUMSTANCES, queries};
use crate::org_units::queries as units;
use crate::schema::{member_contacts, member_needs, member_profile_events, member_profiles, members};

pub const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
    "Thạch",
];
pub const MIDDLE: [&str; 10] =
    ["Thị", "Thị Ngọc", "Thị Kim", "Thị Thu", "Thị Mỹ", "Ngọc", "Thị Thanh", "Thị Bích", "Thị Hồng", "Thị Diễm"];
pub const GIVEN: [&str; 40] = [
    "Lan",
    "Hoa",
    "Mai",
    "Cúc",
    "Đào",
    "Huệ",
    "Hồng",
    "Thu",
    "Nga",
    "Yến",
    "Hạnh",
    "Loan",
    "Tuyết",
    "Hằng",
    "Phượng",
    "Diễm",
    "Trang",
    "Thảo",
    "Nhung",
    "Vân",
    "Xuân",
    "Hương",
    "Liên",
    "Sen",
    "Kiều",
    "Ngân",
    "Trinh",
    "Oanh",
    "Bích",
    "Dung",
    "Thủy",
    "Quyên",
    "Tâm",
    "Nhàn",
    "Lệ",
    "Phúc",
    "Châu",
    "Thắm",
    "Mến",
    "Út",
];
const OCCUPATIONS: [&str; 7] =
    ["Nông dân", "Trồng dừa", "Buôn bán nhỏ", "Công nhân", "Nội trợ", "Giáo viên", "Làm thuê"];
const EDUCATION: [&str; 4] = ["Tiểu học", "Trung học cơ sở", "Trung học phổ thông", "Cao đẳng"];
const NEEDS: [(&str, &str); 6] = [
    ("capital", "Vay vốn nuôi bò sinh sản"),
    ("job", "Tìm việc làm gần nhà"),
    ("vocational_training", "Học nghề may công nghiệp"),
    ("health", "Khám chữa bệnh mãn tính"),
    ("housing", "Sửa nhà dột nát"),
    ("legal_aid", "Tư vấn thủ tục đất đai"),
];

/// A fixed-seed generator (SplitMix64): the same demo on every machine.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// How many members each branch (or group) gets, and when its members mostly joined.
const PLAN: &[(&str, usize)] = &[
    ("ap-ray-to-1", 34),
    ("ap-ray-to-2", 31),
    ("ap-binh-thanh", 52),
    ("ap-tan-phu", 47),
    ("ap-an-loi", 44),
    ("ap-luong-thien", 38),
];

/// What the people seed made, for the accounts to link to.
pub struct People {
    /// Members of each unit key, in the order made.
    pub members_of: HashMap<&'static str, Vec<Uuid>>,
}

impl People {
    pub fn nth(&self, key: &str, n: usize) -> Result<Uuid, ApiError> {
        self.members_of
            .get(key)
            .and_then(|m| m.get(n))
            .copied()
            .ok_or_else(|| ApiError::internal("demo member missing"))
    }
}

fn new_member(dice: &mut Dice, unit: Uuid, n: usize, today: NaiveDate) -> NewMember {
    let birth_year = 1950 + dice.below(53) as i32;
    let earliest = (birth_year + 18).max(2000);
    // Most joined long ago; a steady trickle every year since, a few more after "1+1" began.
    let joined_year = if dice.chance(70) { earliest + dice.below(6) as i32 } else { 2018 + dice.below(8) as i32 };
    let joined_year = joined_year.clamp(earliest, today.year());
    let joined_on = date(joined_year, 1 + dice.below(12) as u32, 1 + dice.below(28) as u32).min(today);
    let party_member = dice.chance(8);
    let with_cccd = dice.chance(60);
    let century_digit = if birth_year >= 2000 { 3 } else { 1 };
    NewMember {
        family_name: dice.pick(&FAMILY).into(),
        middle_name: dice.pick(&MIDDLE).into(),
        given_name: dice.pick(&GIVEN).into(),
        birth_year: Some(i16::try_from(birth_year).unwrap_or(1970)),
        cccd: with_cccd.then(|| format!("083{century_digit}{:02}{:06}", birth_year % 100, 100_000 + n)),
        phone: dice.chance(80).then(|| format!("09{}{:07}", dice.below(10), dice.below(10_000_000))),
        address: Some(format!("Tổ {} ấp", 1 + dice.below(9))),
        ethnicity_code: Some(if dice.chance(6) { "05" } else { "01" }.into()),
        religion_code: Some(if dice.chance(25) { "01" } else { "00" }.into()),
        occupation: Some(dice.pick(&OCCUPATIONS).into()),
        education: Some(dice.pick(&EDUCATION).into()),
        party_member: Some(party_member),
        party_joined_on: party_member.then(|| date(joined_year.max(2005), 5, 19).min(today)),
        joined_on,
        card_number: Some(format!("HL-{:06}", n)),
        member_type: Some(MemberType::Regular),
        pioneer: Some(dice.chance(10)),
        unit_id: unit,
        ..NewMember::default()
    }
}

async fn insert(conn: &mut AsyncPgConnection, input: &NewMember, today: NaiveDate) -> Result<MemberRow, ApiError> {
    let clean = clean(input, today)?;
    let unit = units::find(conn, input.unit_id).await?.ok_or(ApiError::NotFound)?;
    let row = row_of(&clean, Uuid::now_v7(), &unit, None);
    Ok(queries::insert(conn, &row, unit.valid_from, None).await?)
}

pub async fn load(
    conn: &mut AsyncPgConnection,
    ids: &HashMap<&'static str, Uuid>,
    today: NaiveDate,
) -> Result<People, ApiError> {
    let mut dice = Dice::new(20_240_718); // the day ấp Rẫy began "1+1"
    let mut members_of: HashMap<&'static str, Vec<Uuid>> = HashMap::new();
    let mut all: Vec<(Uuid, &'static str)> = Vec::new();
    let mut n = 0;
    for (key, count) in PLAN {
        let unit = units::find(conn, ids[key]).await?.ok_or(ApiError::NotFound)?;
        for _ in 0..*count {
            n += 1;
            let input = new_member(&mut dice, unit.id, n, today);
            let member = insert(conn, &input, today).await?;
            members_of.entry(*key).or_default().push(member.id);
            all.push((member.id, key));
        }
    }
    // Two honorary members (men who support the union): never in any ratio.
    for (given, unit) in [("Hùng", "ap-ray-to-1"), ("Dũng", "ap-an-loi")] {
        let input = NewMember {
            family_name: "Nguyễn".into(),
            middle_name: "Văn".into(),
            given_name: given.into(),
            sex: Some(Sex::Male),
            birth_year: Some(1968),
            joined_on: date(2019, 3, 8),
            member_type: Some(MemberType::Honorary),
            unit_id: ids[unit],
            ..NewMember::default()
        };
        insert(conn, &input, today).await?;
    }
    knowing(conn, &mut dice, &all, today).await?;
    Ok(People { members_of })
}

/// "3 biết": circumstances, needs and visits. Ấp Rẫy, where the model began, knows everyone.
async fn knowing(
    conn: &mut AsyncPgConnection,
    dice: &mut Dice,
    all: &[(Uuid, &'static str)],
    today: NaiveDate,
) -> Result<(), ApiError> {
    for (member, key) in all {
        let model_branch = key.starts_with("ap-ray");
        if dice.chance(if model_branch { 40 } else { 15 }) {
            let poverty = ["poor", "near_poor", "escaped_poverty", "not_poor"][dice.below(4)];
            let tags: Vec<String> = (0..1 + dice.below(2)).map(|_| dice.pick(&CIRCUMSTANCES[..9]).to_owned()).collect();
            let verified = today - Duration::days(dice.below(300) as i64);
            diesel::insert_into(member_profiles::table)
                .values((
                    member_profiles::member_id.eq(member),
                    member_profiles::poverty_status.eq(poverty),
                    member_profiles::circumstances.eq(&tags),
                    member_profiles::verified_on.eq(verified),
                ))
                .execute(conn)
                .await?;
            diesel::insert_into(member_profile_events::table)
                .values((
                    member_profile_events::id.eq(Uuid::now_v7()),
                    member_profile_events::member_id.eq(member),
                    member_profile_events::poverty_status.eq(poverty),
                    member_profile_events::circumstances.eq(&tags),
                    member_profile_events::notes.eq(""),
                    member_profile_events::verified_on.eq(verified),
                ))
                .execute(conn)
                .await?;
            if dice.chance(60) {
                let (kind, description) = NEEDS[dice.below(NEEDS.len())];
                let status = ["open", "open", "in_progress", "met"][dice.below(4)];
                diesel::insert_into(member_needs::table)
                    .values((
                        member_needs::id.eq(Uuid::now_v7()),
                        member_needs::member_id.eq(member),
                        member_needs::kind.eq(kind),
                        member_needs::description.eq(description),
                        member_needs::status.eq(status),
                        member_needs::verified_on.eq(verified),
                        member_needs::met_on.eq((status == "met").then_some(today - Duration::days(10))),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
        let visits = if model_branch { 1 + dice.below(3) } else { dice.below(2) };
        let mut last = None;
        for _ in 0..visits {
            let day = today - Duration::days(dice.below(if model_branch { 60 } else { 200 }) as i64);
            let method = ["home_visit", "meeting", "phone", "zalo"][dice.below(4)];
            diesel::insert_into(member_contacts::table)
                .values((
                    member_contacts::id.eq(Uuid::now_v7()),
                    member_contacts::member_id.eq(member),
                    member_contacts::contacted_on.eq(day),
                    member_contacts::method.eq(method),
                ))
                .execute(conn)
                .await?;
            last = last.max(Some(day));
        }
        if last.is_some() {
            diesel::update(members::table.find(member)).set(members::last_contact_on.eq(last)).execute(conn).await?;
        }
    }
    Ok(())
}
