//! `/api/v1/members`: the list (search, filters, Vietnamese order) and single reads.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, Months, Utc};
use uuid::Uuid;

use super::access::{visible_member, wants_sensitive};
use super::queries::{self, ListFilter};
use super::vocabulary::CIRCUMSTANCES;
use super::wire::{Member, MemberListQuery, MemberReadQuery, SENSITIVE_FIELDS};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::{ApiError, ApiQuery, Page, PageRequest, Text, etag};
use crate::org_units::access::visible_unit;
use crate::state::AppState;
use crate::text::fold::fold;
use crate::time::today_in_vietnam;

const NEEDS: [&str; 8] =
    ["capital", "job", "vocational_training", "health", "housing", "legal_aid", "education", "other"];

fn one_of(field: &str, value: Option<String>, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(ApiError::invalid_parameter(
            field,
            "invalid_value",
            Text::owned(
                format!("Giá trị cho phép: {}.", allowed.join(", ")),
                format!("Allowed values: {}.", allowed.join(", ")),
            ),
        )),
        other => Ok(other),
    }
}

/// List members
///
/// Members of the units the caller may see, sorted the Vietnamese way (given name, middle
/// name, family name). `q` ignores case and diacritics and maps đ to d. Filters on sensitive
/// data (`party`, `circumstance`, `need`) and `include=sensitive` need `members:sensitive` and
/// narrow the list to where the caller holds it; such reads are audited.
#[utoipa::path(
    tag = "members",
    operation_id = "list_members",
    security(("bearer" = [])),
    params(MemberListQuery),
    responses(
        (status = 200, description = "A page of members.", body = super::wire::MemberPage),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members")]
pub async fn list_members(
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<MemberListQuery>,
) -> Result<web::Json<Page<Member>>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::<(String, Uuid)>::parse(query.limit, query.cursor.as_deref())?;
    let sensitive = wants_sensitive(query.include.as_deref())?;
    let touches_sensitive = sensitive || query.party.is_some() || query.circumstance.is_some() || query.need.is_some();
    // Filters on what a member is today (or on sensitive data) apply, as of a past day, only to
    // members still in the caller's scope.
    let filters_current_data = query.party.is_some()
        || query.circumstance.is_some()
        || query.need.is_some()
        || query.pioneer.is_some()
        || query.no_contact_months.is_some();
    let permission = if touches_sensitive { Permission::MembersSensitive } else { Permission::MembersRead };
    let scope = caller.scope(permission)?;
    let today = today_in_vietnam(Utc::now());
    let mut conn = state.pool.get().await?;
    let within = match query.unit {
        Some(unit) => Some(visible_unit(&mut conn, &caller, unit, permission).await?),
        None => None,
    };
    let unit_asked = within.as_ref().map(|u| u.id).unwrap_or_default();
    let placed_ids = match (query.as_of, &within) {
        (Some(day), Some(unit)) => Some(queries::placed_on(&mut conn, unit.id, day).await?),
        (Some(_), None) => {
            return Err(ApiError::invalid_parameter(
                "as_of",
                "requires_unit",
                Text::new("as_of cần kèm tham số unit.", "as_of needs the unit parameter."),
            ));
        }
        (None, _) => None,
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let digits = q.filter(|q| q.len() >= 4 && q.chars().all(|c| c.is_ascii_digit())).map(str::to_owned);
    let filter = ListFilter {
        within: within.map(|u| u.path),
        status: query.status.map(|s| s.as_str().to_owned()),
        member_type: query
            .member_type
            .map(|t| if t == super::wire::MemberType::Honorary { "honorary".into() } else { "regular".into() }),
        pioneer: query.pioneer,
        party: query.party,
        circumstance: one_of("circumstance", query.circumstance, &CIRCUMSTANCES)?,
        need: one_of("need", query.need, &NEEDS)?,
        born_from: age_bound("age_max", query.age_max)?.map(|a| i16::try_from(today.year() - a).unwrap_or(i16::MIN)),
        born_to: age_bound("age_min", query.age_min)?.map(|a| i16::try_from(today.year() - a).unwrap_or(i16::MAX)),
        no_contact_since: match query.no_contact_months {
            Some(months @ 1..=120) => {
                Some(today.checked_sub_months(Months::new(months.unsigned_abs())).unwrap_or(today))
            }
            Some(_) => {
                return Err(ApiError::invalid_parameter(
                    "no_contact_months",
                    "out_of_range",
                    Text::new("Từ 1 đến 120 tháng.", "Between 1 and 120 months."),
                ));
            }
            None => None,
        },
        search: if digits.is_some() { None } else { q.map(|q| fold(q).chars().take(100).collect()) },
        still_in_scope: filters_current_data || digits.is_some(),
        phone_suffix: digits,
        placed_ids,
    };
    let asked_unit = filter.within.clone();
    let (limit, fetch) = (page.limit, page.fetch_limit());
    let rows = queries::list(&mut conn, &scope, &filter, page.after, fetch).await?;
    let page = Page::from_rows(
        rows,
        limit,
        |r| (r.sort_key.clone(), r.id),
        |r| {
            // As of a past day, a member who has since left the caller's scope shows only
            // what that scope knew of her as a member there (docs/security.md, "History").
            if asked_unit.is_some() && !scope.contains(&r.unit_path.0) {
                Member::former(r, unit_asked)
            } else if sensitive {
                Member::with_sensitive(r)
            } else {
                Member::basic(r)
            }
        },
    );
    // Filtering on a sensitive attribute discloses it as surely as returning it.
    let any_sensitive = page.items.iter().any(|m| m.sensitive.is_some());
    let mut disclosed: Vec<&str> = if sensitive && any_sensitive { SENSITIVE_FIELDS.to_vec() } else { Vec::new() };
    for (used, field) in [
        (filter.party.is_some(), "party_member"),
        (filter.circumstance.is_some(), "circumstances"),
        (filter.need.is_some(), "needs"),
    ] {
        if used && !disclosed.contains(&field) {
            disclosed.push(field);
        }
    }
    if !disclosed.is_empty() && !page.items.is_empty() {
        let ids: Vec<Uuid> = page.items.iter().filter(|m| m.sensitive.is_some() || !sensitive).map(|m| m.id).collect();
        let event =
            AuditEvent::new("member.read_sensitive").fields(disclosed).details(serde_json::json!({"member_ids": ids}));
        caller.audit(&mut conn, event).await?;
    }
    Ok(web::Json(page))
}

/// Get a member
///
/// Basic data by default (no audit write); `include=sensitive` adds ethnicity, religion, Party
/// membership and the full CCCD for a role with `members:sensitive`, and is audited.
#[utoipa::path(
    tag = "members",
    operation_id = "get_member",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id."), MemberReadQuery),
    responses(
        (status = 200, description = "The member.", body = Member, headers(("ETag" = String, description = "Version tag."))),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}")]
pub async fn get_member(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ApiQuery<MemberReadQuery>,
) -> Result<HttpResponse, ApiError> {
    let sensitive = wants_sensitive(query.0.include.as_deref())?;
    let mut conn = state.pool.get().await?;
    let row = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    let member = if sensitive {
        caller.require(Permission::MembersSensitive, &row.unit_path.0)?;
        let event = AuditEvent::new("member.read_sensitive")
            .object("member", row.id)
            .unit(row.unit_id)
            .fields(SENSITIVE_FIELDS);
        caller.audit(&mut conn, event).await?;
        Member::with_sensitive(row)
    } else {
        Member::basic(row)
    };
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(member.version))).json(member))
}

/// An age filter within 0–130 years, or a 400 naming it.
fn age_bound(field: &str, age: Option<i32>) -> Result<Option<i32>, ApiError> {
    match age {
        Some(0..=130) | None => Ok(age),
        Some(_) => Err(ApiError::invalid_parameter(
            field,
            "out_of_range",
            Text::new("Từ 0 đến 130 tuổi.", "Between 0 and 130 years."),
        )),
    }
}
