//! Social networks (mạng xã hội): a unit's Zalo (or other) groups, and each member's consent to
//! be contacted there. The article's remedy "use social networks to connect members" needs
//! both: the group to join and her agreement to be added.

use actix_web::{HttpResponse, get, put, web};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::validate::{Validator, bounded_text};
use crate::http::{ApiError, ApiJson, Text};
use crate::members::access::visible_member;
use crate::members::own::own_member_id;
use crate::org_units::access::visible_unit;
use crate::schema::{member_channel_consents as c, unit_channels as u};
use crate::state::AppState;
use crate::time::today_in_vietnam;

/// Groups a unit may list.
const MAX_CHANNELS: usize = 20;

/// A social network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Zalo,
    Facebook,
    Other,
}

impl Platform {
    const ALL: [Platform; 3] = [Platform::Zalo, Platform::Facebook, Platform::Other];

    fn as_str(self) -> &'static str {
        match self {
            Platform::Zalo => "zalo",
            Platform::Facebook => "facebook",
            Platform::Other => "other",
        }
    }

    fn parse(text: &str) -> Platform {
        match text {
            "zalo" => Platform::Zalo,
            "facebook" => Platform::Facebook,
            _ => Platform::Other,
        }
    }
}

/// A group of the unit on a social network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"platform": "zalo", "name": "Chi hội phụ nữ ấp Rẫy", "url": "https://zalo.me/g/abcd1234"}))]
pub struct Channel {
    pub platform: Platform,
    /// Tên nhóm.
    pub name: String,
    /// Invitation link (`https://…`).
    pub url: String,
}

/// The unit's groups (replaces the list).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channels": [{"platform": "zalo", "name": "Chi hội phụ nữ ấp Rẫy", "url": "https://zalo.me/g/abcd1234"}]}))]
pub struct ChannelSet {
    /// At most 20.
    #[schema(max_items = 20)]
    pub channels: Vec<Channel>,
}

/// A member's consent for one network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"platform": "zalo", "consented": true, "decided_on": "2026-11-02"}))]
pub struct Consent {
    pub platform: Platform,
    /// She agrees to be contacted and added there.
    pub consented: bool,
    /// The day she said so (default today).
    pub decided_on: Option<NaiveDate>,
}

/// A member's consents (replaces those given).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"consents": [{"platform": "zalo", "consented": true}]}))]
pub struct ConsentSet {
    /// One per network (so at most 3).
    #[schema(max_items = 3)]
    pub consents: Vec<Consent>,
}

fn check_channels(input: &ChannelSet) -> Result<Vec<Channel>, ApiError> {
    if input.channels.len() > MAX_CHANNELS {
        return Err(ApiError::invalid("channels", "too_many", "Tối đa 20 nhóm.", "At most 20 groups."));
    }
    let mut v = Validator::new();
    let mut out = Vec::new();
    for (i, channel) in input.channels.iter().enumerate() {
        let name = v.result(bounded_text(&format!("channels[{i}].name"), &channel.name, 200)).unwrap_or_default();
        v.check(
            !name.is_empty(),
            &format!("channels[{i}].name"),
            "required",
            Text::new("Cần tên nhóm.", "A name is required."),
        );
        v.check(
            channel.url.starts_with("https://")
                && channel.url.len() <= 500
                && !channel.url.contains(char::is_whitespace),
            &format!("channels[{i}].url"),
            "invalid_format",
            Text::new("Đường dẫn phải bắt đầu bằng https://.", "The link must start with https://."),
        );
        out.push(Channel { platform: channel.platform, name, url: channel.url.clone() });
    }
    v.finish()?;
    Ok(out)
}

async fn channels_of(conn: &mut AsyncPgConnection, unit: Uuid) -> Result<Vec<Channel>, ApiError> {
    let rows: Vec<(String, String, String)> = u::table
        .filter(u::unit_id.eq(unit))
        .select((u::platform, u::name, u::url))
        .order(u::created_at.asc())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|(p, name, url)| Channel { platform: Platform::parse(&p), name, url }).collect())
}

/// List a unit's social-network groups
///
/// A unit's social-network groups (nhóm Zalo, Facebook) where members meet between activities:
/// platform, name and link.
#[utoipa::path(tag = "activities", operation_id = "list_org_unit_channels", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")),
    responses((status = 200, description = "Its groups.", body = Vec<Channel>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/channels")]
pub async fn list_org_unit_channels(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Channel>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
    Ok(web::Json(channels_of(&mut conn, unit.id).await?))
}

/// Set a unit's social-network groups
///
/// Replaces the list. Needs `members:write` on the unit (the branch head manages her group).
#[utoipa::path(tag = "activities", operation_id = "replace_org_unit_channels", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")),
    request_body = ChannelSet,
    responses((status = 200, description = "Its groups.", body = Vec<Channel>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[put("/org-units/{id}/channels")]
pub async fn replace_org_unit_channels(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<ChannelSet>,
) -> Result<web::Json<Vec<Channel>>, ApiError> {
    let wanted = check_channels(&body.into_inner())?;
    let mut conn = state.pool.get().await?;
    let channels = in_transaction(&mut conn, async |conn| {
        let unit = visible_unit(conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
        caller.require(Permission::MembersWrite, &unit.path.0)?;
        diesel::delete(u::table.filter(u::unit_id.eq(unit.id))).execute(conn).await?;
        let rows: Vec<_> = wanted
            .iter()
            .map(|channel| {
                (
                    u::id.eq(Uuid::now_v7()),
                    u::unit_id.eq(unit.id),
                    u::platform.eq(channel.platform.as_str()),
                    u::name.eq(&channel.name),
                    u::url.eq(&channel.url),
                )
            })
            .collect();
        diesel::insert_into(u::table).values(rows).execute(conn).await?;
        caller.audit(conn, AuditEvent::new("org_unit.channels").object("org_unit", unit.id).unit(unit.id)).await?;
        channels_of(conn, unit.id).await
    })
    .await?;
    Ok(web::Json(channels))
}

async fn consents_of(conn: &mut AsyncPgConnection, member: Uuid) -> Result<Vec<Consent>, ApiError> {
    let rows: Vec<(String, bool, NaiveDate)> = c::table
        .filter(c::member_id.eq(member))
        .select((c::platform, c::consented, c::decided_on))
        .order(c::platform.asc())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(p, consented, day)| Consent { platform: Platform::parse(&p), consented, decided_on: Some(day) })
        .collect())
}

async fn save_consents(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    member: Uuid,
    unit: Option<Uuid>,
    input: &ConsentSet,
) -> Result<Vec<Consent>, ApiError> {
    let today = today_in_vietnam(Utc::now());
    // One per network: checked before any write, so a body of thousands of entries is refused
    // at once instead of becoming thousands of upserts.
    if input.consents.len() > Platform::ALL.len() {
        return Err(ApiError::invalid("consents", "too_many", "Mỗi mạng xã hội một lần.", "One per social network."));
    }
    let mut v = Validator::new();
    for (i, consent) in input.consents.iter().enumerate() {
        v.check(
            consent.decided_on.is_none_or(|d| d <= today),
            &format!("consents[{i}].decided_on"),
            "in_future",
            Text::new("Ngày không thể ở tương lai.", "The date cannot be in the future."),
        );
        v.check(
            !input.consents[..i].iter().any(|earlier| earlier.platform == consent.platform),
            &format!("consents[{i}].platform"),
            "duplicate",
            Text::new("Mạng xã hội này đã có ở trên.", "This network is already given above."),
        );
    }
    v.finish()?;
    for consent in &input.consents {
        let day = consent.decided_on.unwrap_or(today);
        diesel::insert_into(c::table)
            .values((
                c::member_id.eq(member),
                c::platform.eq(consent.platform.as_str()),
                c::consented.eq(consent.consented),
                c::decided_on.eq(day),
                c::recorded_by.eq(caller.principal.user_id()),
            ))
            .on_conflict((c::member_id, c::platform))
            .do_update()
            .set((c::consented.eq(consent.consented), c::decided_on.eq(day), c::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
    }
    let mut event = AuditEvent::new("member.channel_consent").object("member", member);
    if let Some(unit) = unit {
        event = event.unit(unit);
    }
    caller.audit(conn, event).await?;
    consents_of(conn, member).await
}

/// Get a member's social-network consents
///
/// A member's consents to her unit's social-network groups, as she gave them; officers read them
/// before adding her to a group.
#[utoipa::path(tag = "members", operation_id = "list_member_channel_consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses((status = 200, description = "Her consents.", body = Vec<Consent>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/members/{id}/channel-consents")]
pub async fn list_member_channel_consents(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<Consent>>, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    Ok(web::Json(consents_of(&mut conn, member.id).await?))
}

/// Record a member's social-network consents
///
/// What she told a cadre. Needs `members:write`.
#[utoipa::path(tag = "members", operation_id = "replace_member_channel_consents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    request_body = ConsentSet,
    responses((status = 200, description = "Her consents.", body = Vec<Consent>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[put("/members/{id}/channel-consents")]
pub async fn replace_member_channel_consents(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<ConsentSet>,
) -> Result<web::Json<Vec<Consent>>, ApiError> {
    let input = body.into_inner();
    let mut conn = state.pool.get().await?;
    let consents = in_transaction(&mut conn, async |conn| {
        let member = visible_member(conn, &caller, id.into_inner(), Permission::MembersRead).await?;
        caller.require(Permission::MembersWrite, &member.unit_path.0)?;
        save_consents(conn, &caller, member.id, Some(member.unit_id), &input).await
    })
    .await?;
    Ok(web::Json(consents))
}

/// Set my social-network consents
///
/// The member sets which of her unit's social-network groups (nhóm Zalo, Facebook) she agrees to be
/// added to; the whole set is replaced and the date of each decision is kept.
#[utoipa::path(tag = "me", operation_id = "replace_my_channel_consents", security(("bearer" = ["me:write"])),
    request_body = ConsentSet,
    responses((status = 200, description = "Her consents.", body = Vec<Consent>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound)))]
#[put("/me/member/channel-consents")]
pub async fn replace_my_channel_consents(
    caller: Caller,
    state: web::Data<AppState>,
    body: ApiJson<ConsentSet>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let mut conn = state.pool.get().await?;
    let consents = in_transaction(&mut conn, async |conn| {
        let member = own_member_id(conn, &caller, Permission::MeWrite).await?;
        save_consents(conn, &caller, member, None, &input).await
    })
    .await?;
    Ok(HttpResponse::Ok().json(consents))
}
