//! Attendance (điểm danh): the whole roster in one `PUT`, which writes only what differs from
//! what is recorded (a retry changes nothing), or one member at a time.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, put, web};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::access::visible_activity;
use super::models::{ActivityRow, MAX_ROSTER};
use super::roster::{Person, Recorded, apply, differs, recorded};
use super::sheet::sheet;
use super::wire::ActivityStatus;
use super::wire::{AttendanceChange, AttendanceSheet, Roster};
use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::db::in_transaction;
use crate::http::precondition::OptionalIfMatch;
use crate::http::validate::bounded_text;
use crate::http::{ApiError, ApiJson, FieldIssue, IfMatch, Text, etag, precondition};
use crate::members::queries::placed_on;
use crate::prospects::access::visible_prospect_ids;
use crate::state::AppState;

/// The activity may take attendance: not cancelled, not in the future.
fn open_for_attendance(row: &ActivityRow) -> Result<(), ApiError> {
    if row.status() == ActivityStatus::Cancelled {
        return Err(ApiError::state_conflict(
            "activity_cancelled",
            "Buổi sinh hoạt đã hủy.",
            "The activity was cancelled.",
        ));
    }
    if row.starts_at > Utc::now() {
        return Err(ApiError::state_conflict(
            "activity_not_started",
            "Buổi sinh hoạt chưa diễn ra.",
            "The activity has not started.",
        ));
    }
    Ok(())
}

/// With `If-Match` (optional here: a roster is a whole state), the activity must still be at
/// that version; an app that recorded offline gets 412 and the current roster to merge.
async fn unchanged_since(
    conn: &mut AsyncPgConnection,
    if_match: &Option<IfMatch>,
    row: &ActivityRow,
) -> Result<(), ApiError> {
    match if_match {
        Some(if_match) => {
            let current = sheet(conn, row).await?;
            precondition::check(if_match, row.version, || serde_json::to_value(&current).unwrap_or_default())
        }
        None => Ok(()),
    }
}

/// Checks a roster: each person once, members placed in the unit that day, prospects in scope.
async fn check_roster(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    row: &ActivityRow,
    roster: &Roster,
) -> Result<Recorded, ApiError> {
    if roster.entries.len() > MAX_ROSTER {
        return Err(ApiError::invalid_field(
            "entries",
            "too_many",
            Text::new("Tối đa 2.000 người mỗi buổi.", "At most 2,000 people per activity."),
        ));
    }
    let placed: HashSet<Uuid> = placed_on(conn, row.unit_id, row.held_on).await?.into_iter().collect();
    let prospect_ids: Vec<Uuid> = roster.entries.iter().filter_map(|e| e.prospect_id).collect();
    let visible_prospects = visible_prospect_ids(conn, caller, &prospect_ids).await?;
    let mut issues = Vec::new();
    let mut wanted = Recorded::new();
    for (i, entry) in roster.entries.iter().enumerate() {
        let person = match (entry.member_id, entry.prospect_id) {
            (Some(m), None) => Person::Member(m),
            (None, Some(p)) => Person::Prospect(p),
            _ => {
                issues.push(FieldIssue::new(
                    format!("entries[{i}]"),
                    "one_person",
                    Text::new(
                        "Mỗi dòng ghi đúng một hội viên hoặc một khách.",
                        "Each entry names one member or one prospect.",
                    ),
                ));
                continue;
            }
        };
        let note = match bounded_text(&format!("entries[{i}].note"), &entry.note, 300) {
            Ok(note) => note,
            Err(issue) => {
                issues.push(issue);
                continue;
            }
        };
        match person {
            Person::Member(m) if !placed.contains(&m) => issues.push(FieldIssue::new(
                format!("entries[{i}].member_id"),
                "outside_unit",
                Text::owned(
                    format!("Hội viên {m} không sinh hoạt ở đơn vị này vào ngày đó."),
                    format!("Member {m} did not belong to this unit on that day."),
                ),
            )),
            Person::Prospect(p) if !visible_prospects.contains(&p) => issues.push(FieldIssue::new(
                format!("entries[{i}].prospect_id"),
                "not_found",
                Text::new("Không tìm thấy người này.", "No such prospect."),
            )),
            _ => {}
        }
        if wanted.insert(person, (entry.status.as_str().to_owned(), note)).is_some() {
            issues.push(FieldIssue::new(
                format!("entries[{i}]"),
                "duplicate",
                Text::new("Người này đã có trong danh sách.", "This person is already in the roster."),
            ));
        }
    }
    if issues.is_empty() { Ok(wanted) } else { Err(ApiError::Validation(issues)) }
}

/// Record the whole roster
///
/// Replaces the recorded attendance with this roster in one request. Only differences are
/// written, so sending the same roster again changes nothing. Members must belong to the
/// activity's unit subtree on its day (else 422 naming each `entries[i].member_id`); prospects
/// may come as guests. Marks the activity held.
#[utoipa::path(tag = "activities", operation_id = "replace_activity_attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id."), ("If-Match" = Option<String>, Header, description = "Optional: the activity's ETag this roster is based on (412 if it changed since).")),
    request_body = Roster,
    responses((status = 200, description = "The recorded roster.", body = AttendanceSheet),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed)))]
#[put("/activities/{id}/attendance")]
pub async fn replace_activity_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: OptionalIfMatch,
    body: ApiJson<Roster>,
) -> Result<HttpResponse, ApiError> {
    let roster = body.into_inner();
    let mut conn = state.pool.get().await?;
    let id = id.into_inner();
    let (sheet, version) = in_transaction(&mut conn, async |conn| {
        // Checked and compared without a lock: a roster sent again (a retry, a phone syncing)
        // changes nothing and need not wait for the other writers of the meeting.
        let mut row = visible_activity(conn, &caller, id, false).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        open_for_attendance(&row)?;
        unchanged_since(conn, &if_match.0, &row).await?;
        let mut wanted = check_roster(conn, &caller, &row, &roster).await?;
        let mut current = recorded(conn, row.id).await?;
        let (changed, version) = if differs(&current, &wanted, true) || row.attendance_recorded_at.is_none() {
            // A change is made under the activity's lock, against the roster as it is then.
            // Every roster write moves the activity's version: if it has not moved, the roster
            // read above (after the activity) is still the current one; if it has, the
            // activity and the roster are checked again as they now are.
            let locked = visible_activity(conn, &caller, id, true).await?;
            if locked.version != row.version {
                caller.require(Permission::MembersWrite, &locked.unit_path.0)?;
                open_for_attendance(&locked)?;
                unchanged_since(conn, &if_match.0, &locked).await?;
                wanted = check_roster(conn, &caller, &locked, &roster).await?;
                current = recorded(conn, locked.id).await?;
            }
            row = locked;
            apply(conn, &caller, &row, &current, wanted, true).await?
        } else {
            (0, row.version)
        };
        caller
            .audit(
                conn,
                AuditEvent::new("activity.attendance")
                    .object("activity", row.id)
                    .unit(row.unit_id)
                    .details(serde_json::json!({"entries": roster.entries.len(), "changed": changed})),
            )
            .await?;
        Ok::<_, ApiError>((sheet(conn, &row).await?, version))
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(sheet))
}

/// Get the roster
///
/// The roster (danh sách điểm danh) of an activity: the members of its unit with their attendance
/// and the totals; honorary members are listed but count in no rate.
#[utoipa::path(tag = "activities", operation_id = "get_activity_attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id.")),
    responses((status = 200, description = "The recorded roster and who is missing from it.", body = AttendanceSheet),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/activities/{id}/attendance")]
pub async fn get_activity_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<AttendanceSheet>, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = visible_activity(&mut conn, &caller, id.into_inner(), false).await?;
    Ok(web::Json(sheet(&mut conn, &row).await?))
}

/// Change one member's attendance
///
/// Records one member's attendance without sending the whole roster, for a head marking people as
/// they arrive; `If-Match` is optional (attendance of different members never conflicts). Answers
/// the recorded roster.
#[utoipa::path(tag = "activities", operation_id = "update_activity_attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Activity id."), ("member_id" = Uuid, Path, description = "Member id."),
        ("If-Match" = Option<String>, Header, description = "Optional: the activity's ETag this change is based on.")),
    request_body = AttendanceChange,
    responses((status = 200, description = "The recorded roster.", body = AttendanceSheet),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict),
        (status = 412, response = crate::http::responses::PreconditionFailed)))]
#[patch("/activities/{id}/attendance/{member_id}")]
pub async fn update_activity_attendance(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: OptionalIfMatch,
    body: ApiJson<AttendanceChange>,
) -> Result<web::Json<AttendanceSheet>, ApiError> {
    let (activity, member) = path.into_inner();
    let change = body.into_inner();
    let note = bounded_text("note", &change.note, 300).map_err(|i| ApiError::Validation(vec![i]))?;
    let mut conn = state.pool.get().await?;
    let sheet = in_transaction(&mut conn, async |conn| {
        let row = visible_activity(conn, &caller, activity, true).await?;
        caller.require(Permission::MembersWrite, &row.unit_path.0)?;
        open_for_attendance(&row)?;
        unchanged_since(conn, &if_match.0, &row).await?;
        if !placed_on(conn, row.unit_id, row.held_on).await?.contains(&member) {
            return Err(ApiError::invalid_parameter(
                "member_id",
                "outside_unit",
                Text::new(
                    "Hội viên không sinh hoạt ở đơn vị này vào ngày đó.",
                    "She did not belong to this unit on that day.",
                ),
            ));
        }
        let wanted = Recorded::from([(Person::Member(member), (change.status.as_str().to_owned(), note))]);
        let current = recorded(conn, row.id).await?;
        apply(conn, &caller, &row, &current, wanted, false).await?;
        caller.audit(conn, AuditEvent::new("activity.attendance").object("activity", row.id).unit(row.unit_id)).await?;
        sheet(conn, &row).await
    })
    .await?;
    Ok(web::Json(sheet))
}
