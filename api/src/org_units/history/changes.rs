use super::*;

/// A new name (and code) from a date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitRename, example = json!({"name": "Chi hội ấp Rẫy - Cầu Ván", "effective_on": "2025-07-01"}))]
pub struct Rename {
    pub name: String,
    /// A new official code; absent keeps the current one.
    pub official_code: Option<String>,
    /// Day the new name applies.
    pub effective_on: NaiveDate,
}

/// Rename an org unit
///
/// From `effective_on` the unit has the new name (and code); before it, the old name remains in
/// its history and in "as of" answers.
#[utoipa::path(tag = "org_units", operation_id = "rename_org_unit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")), request_body = Rename,
    responses((status = 200, description = "Renamed.", body = OrgUnit),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/rename")]
pub async fn rename_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<Rename>,
) -> Result<web::Json<OrgUnit>, ApiError> {
    let input = body.into_inner();
    let name = bounded_text("name", &input.name, 200).map_err(|i| ApiError::Validation(vec![i]))?;
    if name.is_empty() {
        return Err(ApiError::invalid("name", "required", "Tên đơn vị là bắt buộc.", "A name is required."));
    }
    if let Some(issue) = input.official_code.as_deref().and_then(|c| code_issue_at("official_code", c)) {
        return Err(ApiError::Validation(vec![issue]));
    }
    let mut conn = state.pool.get().await?;
    let unit = in_transaction(&mut conn, async |conn| {
        let unit = writable_open_unit(conn, &caller, id.into_inner()).await?;
        check_effective(conn, &unit, input.effective_on).await?;
        let code = input.official_code.clone().or(unit.official_code.clone());
        diesel::update(org_units::table.find(unit.id))
            .set((
                org_units::name.eq(&name),
                org_units::sort_key.eq(crate::text::collate::text_sort_key(&name)),
                org_units::official_code.eq(&code),
                org_units::version.eq(org_units::version + 1),
                org_units::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        new_period(conn, unit.id, input.effective_on).await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.rename")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .fields(["name", "official_code"]),
            )
            .await?;
        reload(conn, unit.id).await
    })
    .await?;
    Ok(web::Json(unit))
}

/// A new parent from a date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitMove, example = json!({"parent_id": "0193a5c8-0000-7000-8000-00000000c002", "effective_on": "2025-07-01"}))]
pub struct Move {
    /// The new parent unit (same level as the current one).
    pub parent_id: Uuid,
    /// Day the unit belongs to the new parent.
    pub effective_on: NaiveDate,
}

/// Move an org unit
///
/// The unit and its subtree go under another parent from `effective_on` (e.g. a commune from a
/// district straight under the province after 1 July 2025). Its members stay where they are.
#[utoipa::path(tag = "org_units", operation_id = "move_org_unit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")), request_body = Move,
    responses((status = 200, description = "Moved.", body = OrgUnit),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/move")]
pub async fn move_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<Move>,
) -> Result<web::Json<OrgUnit>, ApiError> {
    let input = body.into_inner();
    let mut conn = state.pool.get().await?;
    let unit = in_transaction(&mut conn, async |conn| {
        let unit = writable_open_unit(conn, &caller, id.into_inner()).await?;
        let parent = writable_open_unit(conn, &caller, input.parent_id).await?;
        check_effective(conn, &unit, input.effective_on).await?;
        if is_within(&parent.path.0, &unit.path.0) {
            return Err(ApiError::invalid(
                "parent_id",
                "inside_own_subtree",
                "Không thể chuyển đơn vị vào bên trong chính nó.",
                "A unit cannot move into its own subtree.",
            ));
        }
        let unit_rank = queries::level_rank(conn, &unit.level).await?.unwrap_or(0);
        let parent_rank = queries::level_rank(conn, &parent.level).await?.unwrap_or(i16::MAX);
        if parent_rank >= unit_rank {
            return Err(ApiError::invalid(
                "parent_id",
                "level_not_above",
                "Đơn vị cha phải ở cấp cao hơn.",
                "The parent must be at a higher level.",
            ));
        }
        move_subtree(conn, unit.id, &unit.path.0, parent.id, &parent.path.0, input.effective_on).await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.move")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .fields(["parent_id"])
                    .details(serde_json::json!({"from": unit.parent_id, "to": parent.id})),
            )
            .await?;
        reload(conn, unit.id).await
    })
    .await?;
    Ok(web::Json(unit))
}

/// Closing a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitClose, example = json!({"effective_on": "2025-07-01", "reason": "Giải thể theo Nghị quyết sắp xếp đơn vị hành chính"}))]
pub struct Close {
    /// Ngày giải thể / Day the unit ceases to exist (its last day is the day before).
    pub effective_on: NaiveDate,
    /// Lý do / Why it closes (decision number, merger…).
    #[serde(default)]
    pub reason: String,
}

/// Close an org unit
///
/// Ends an empty unit from `effective_on`. A unit with open children or members is merged
/// instead, so nobody is left without a unit.
#[utoipa::path(tag = "org_units", operation_id = "close_org_unit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")), request_body = Close,
    responses((status = 200, description = "Closed.", body = OrgUnit),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/close")]
pub async fn close_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<Close>,
) -> Result<web::Json<OrgUnit>, ApiError> {
    let input = body.into_inner();
    let reason = bounded_text("reason", &input.reason, 500).map_err(|i| ApiError::Validation(vec![i]))?;
    let mut conn = state.pool.get().await?;
    let unit = in_transaction(&mut conn, async |conn| {
        let unit = writable_open_unit(conn, &caller, id.into_inner()).await?;
        check_effective(conn, &unit, input.effective_on).await?;
        let children: i64 = org_units::table
            .filter(org_units::parent_id.eq(unit.id))
            .filter(org_units::valid_to.is_null())
            .count()
            .get_result(conn)
            .await?;
        let members: i64 = member_placements::table
            .filter(member_placements::unit_id.eq(unit.id))
            .filter(member_placements::valid_to.is_null())
            .count()
            .get_result(conn)
            .await?;
        if children > 0 || members > 0 {
            return Err(ApiError::state_conflict(
                "unit_not_empty",
                "Đơn vị còn đơn vị trực thuộc hoặc hội viên; hãy sáp nhập thay vì giải thể.",
                "The unit still has open children or members; merge it instead.",
            ));
        }
        close_unit(conn, unit.id, input.effective_on).await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.close")
                    .object("org_unit", unit.id)
                    .unit(unit.id)
                    .details(serde_json::json!({"reason": reason})),
            )
            .await?;
        reload(conn, unit.id).await
    })
    .await?;
    Ok(web::Json(unit))
}
