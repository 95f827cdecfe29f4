use super::*;

/// Units to merge into this one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitMerge, example = json!({"sources": ["0193a5c8-0000-7000-8000-00000000c101", "0193a5c8-0000-7000-8000-00000000c102"], "effective_on": "2025-07-01"}))]
pub struct Merge {
    /// Units of the same level that cease to exist, their subtrees and members moving here (1–50).
    #[schema(min_items = 1, max_items = 50)]
    pub sources: Vec<Uuid>,
    /// Ngày sáp nhập / Day the sources close and their members count here.
    pub effective_on: NaiveDate,
}

/// What a merge moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The receiving unit as it is now.
    pub unit: OrgUnit,
    /// Units that moved under it (the sources' open children).
    pub moved_units: usize,
    /// Members placed directly in the sources who moved to it.
    pub moved_members: usize,
}

/// Merge org units into this one
///
/// Each source closes on `effective_on`: its open child units move under this unit, members
/// placed directly in it move here, pending transfers and prospects follow, its positions end,
/// and a `merge` link records the succession. History is kept: "as of" questions about a date
/// before the merge still see the sources as they were. To merge into a new unit, create it
/// first (with `valid_from` = the effective date).
#[utoipa::path(tag = "org_units", operation_id = "merge_org_unit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The receiving (successor) unit.")), request_body = Merge,
    responses((status = 200, description = "Merged.", body = MergeResult),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/merge")]
pub async fn merge_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<Merge>,
) -> Result<web::Json<MergeResult>, ApiError> {
    let input = body.into_inner();
    if input.sources.is_empty() || input.sources.len() > 50 {
        return Err(ApiError::invalid("sources", "out_of_range", "Cần từ 1 đến 50 đơn vị.", "Between 1 and 50 units."));
    }
    let day = input.effective_on;
    let mut conn = state.pool.get().await?;
    let result = in_transaction(&mut conn, async |conn| {
        let target = writable_open_unit(conn, &caller, id.into_inner()).await?;
        if day > today_in_vietnam(Utc::now()) {
            return Err(ApiError::invalid(
                "effective_on",
                "in_future",
                "Ngày hiệu lực không thể ở tương lai.",
                "The effective date cannot be in the future.",
            ));
        }
        let (mut moved_units, mut moved_members) = (0, 0);
        for (i, source_id) in input.sources.iter().enumerate() {
            let field = format!("sources[{i}]");
            let source = writable_open_unit(conn, &caller, *source_id).await?;
            if source.id == target.id
                || is_within(&target.path.0, &source.path.0)
                || is_within(&source.path.0, &target.path.0)
            {
                return Err(ApiError::invalid_field(
                    field,
                    "not_mergeable",
                    Text::new(
                        "Không thể sáp nhập đơn vị với chính nó hay đơn vị cha, con của nó.",
                        "A unit cannot merge with itself, its ancestors or descendants.",
                    ),
                ));
            }
            if source.level != target.level {
                return Err(ApiError::invalid_field(
                    field,
                    "level_mismatch",
                    Text::new("Chỉ sáp nhập các đơn vị cùng cấp.", "Only units of the same level merge."),
                ));
            }
            check_effective(conn, &source, day).await?;
            let (units, members) = absorb(conn, &target, &source, day, caller.principal.user_id()).await?;
            moved_units += units;
            moved_members += members;
            caller
                .audit(
                    conn,
                    AuditEvent::new("org_unit.merge")
                        .object("org_unit", source.id)
                        .unit(target.id)
                        .details(serde_json::json!({"into": target.id, "effective_on": day})),
                )
                .await?;
        }
        Ok(MergeResult { unit: reload(conn, target.id).await?, moved_units, moved_members })
    })
    .await?;
    Ok(web::Json(result))
}

/// Merges `source` into `target` on `day`: its open children and members move, pending
/// transfers and open prospects follow, its positions end, it closes with a `merge` link, and
/// the closed unit hangs under its successor. Returns (units moved, members moved). The caller
/// checks permissions and dates; the demo seed uses it for the 2025 reform.
pub async fn absorb(
    conn: &mut AsyncPgConnection,
    target: &OrgUnitRow,
    source: &OrgUnitRow,
    day: NaiveDate,
    by: Option<Uuid>,
) -> Result<(usize, usize), ApiError> {
    let children: Vec<(Uuid, diesel_ltree::Ltree)> = org_units::table
        .filter(org_units::parent_id.eq(source.id))
        .filter(org_units::valid_to.is_null())
        .select((org_units::id, org_units::path))
        .load(conn)
        .await?;
    for (child, child_path) in &children {
        move_subtree(conn, *child, &child_path.0, target.id, &target.path.0, day).await?;
    }
    let moved_members = move_members(conn, source.id, target.id, &target.path.0, day, by, "merge").await?;
    diesel::update(
        member_transfers::table
            .filter(member_transfers::to_unit_id.eq(source.id))
            .filter(member_transfers::status.eq("pending")),
    )
    .set((member_transfers::to_unit_id.eq(target.id), member_transfers::to_unit_path.eq(target.path.clone())))
    .execute(conn)
    .await?;
    diesel::update(prospects::table.filter(prospects::unit_id.eq(source.id)).filter(prospects::status.eq("open")))
        .set((prospects::unit_id.eq(target.id), prospects::unit_path.eq(target.path.clone())))
        .execute(conn)
        .await?;
    diesel::update(positions::table.filter(positions::unit_id.eq(source.id)).filter(positions::ended_on.is_null()))
        .set(positions::ended_on.eq(day))
        .execute(conn)
        .await?;
    close_unit(conn, source.id, day).await?;
    diesel::insert_into(org_unit_links::table)
        .values((
            org_unit_links::predecessor_id.eq(source.id),
            org_unit_links::successor_id.eq(target.id),
            org_unit_links::kind.eq("merge"),
            org_unit_links::effective_on.eq(day),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    // The closed source hangs under its successor, so those who see the successor see
    // its history too.
    let source_path = queries::find(conn, source.id).await?.ok_or(ApiError::NotFound)?.path;
    crate::org_units::tree::repath(
        conn,
        &source_path.0,
        &format!("{}.{}", target.path.0, source_path.0.rsplit('.').next().unwrap_or("")),
    )
    .await?;
    diesel::update(org_units::table.find(source.id)).set(org_units::parent_id.eq(target.id)).execute(conn).await?;
    Ok((children.len(), moved_members))
}

/// How to split a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitSplit)]
pub struct Split {
    /// Day the parts start and the unit closes.
    pub effective_on: NaiveDate,
    /// The new units; every open child unit and every member placed directly in the unit must be
    /// given to exactly one part. 2 to 20 parts.
    #[schema(min_items = 2, max_items = 20)]
    pub parts: Vec<SplitPart>,
}

/// One unit a split creates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrgUnitSplitPart)]
pub struct SplitPart {
    pub name: String,
    /// Mã đơn vị hành chính of the new part, if any.
    pub official_code: Option<String>,
    /// Child units that go to this part.
    #[serde(default)]
    pub children: Vec<Uuid>,
    /// Members (placed directly in the unit) that go to this part.
    #[serde(default)]
    pub members: Vec<Uuid>,
}

/// Split an org unit
///
/// The unit closes on `effective_on`; each part is a new unit of the same level under the same
/// parent, receiving the children and members listed for it; `split` links record succession.
#[utoipa::path(tag = "org_units", operation_id = "split_org_unit", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")), request_body = Split,
    responses((status = 200, description = "The new units.", body = Vec<OrgUnit>),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound), (status = 409, response = crate::http::responses::Conflict)))]
#[post("/org-units/{id}/split")]
pub async fn split_org_unit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: ApiJson<Split>,
) -> Result<web::Json<Vec<OrgUnit>>, ApiError> {
    let input = body.into_inner();
    if input.parts.len() < 2 || input.parts.len() > 20 {
        return Err(ApiError::invalid(
            "parts",
            "out_of_range",
            "Tách thành 2 đến 20 đơn vị.",
            "Split into 2 to 20 units.",
        ));
    }
    let codes: Vec<_> = input
        .parts
        .iter()
        .enumerate()
        .filter_map(|(i, part)| {
            part.official_code.as_deref().and_then(|c| code_issue_at(&format!("parts[{i}].official_code"), c))
        })
        .collect();
    if !codes.is_empty() {
        return Err(ApiError::Validation(codes));
    }
    let day = input.effective_on;
    let mut conn = state.pool.get().await?;
    let parts = in_transaction(&mut conn, async |conn| {
        let unit = writable_open_unit(conn, &caller, id.into_inner()).await?;
        check_effective(conn, &unit, day).await?;
        let parent = queries::find(
            conn,
            unit.parent_id.ok_or_else(|| {
                ApiError::invalid("id", "root", "Không thể tách đơn vị gốc.", "The root cannot be split.")
            })?,
        )
        .await?
        .ok_or(ApiError::NotFound)?;
        let mut children: Vec<Uuid> = org_units::table
            .filter(org_units::parent_id.eq(unit.id))
            .filter(org_units::valid_to.is_null())
            .select(org_units::id)
            .load(conn)
            .await?;
        let mut members: Vec<Uuid> = member_placements::table
            .filter(member_placements::unit_id.eq(unit.id))
            .filter(member_placements::valid_to.is_null())
            .select(member_placements::member_id)
            .load(conn)
            .await?;
        let mut given_children: Vec<Uuid> = input.parts.iter().flat_map(|p| p.children.clone()).collect();
        let mut given_members: Vec<Uuid> = input.parts.iter().flat_map(|p| p.members.clone()).collect();
        for list in [&mut children, &mut members, &mut given_children, &mut given_members] {
            list.sort();
        }
        if children != given_children {
            return Err(ApiError::invalid(
                "parts",
                "children_not_partitioned",
                "Mỗi đơn vị trực thuộc phải thuộc đúng một phần.",
                "Each open child unit must go to exactly one part.",
            ));
        }
        if members != given_members {
            return Err(ApiError::invalid(
                "parts",
                "members_not_partitioned",
                "Mỗi hội viên phải thuộc đúng một phần.",
                "Each member placed in the unit must go to exactly one part.",
            ));
        }
        let mut created = Vec::new();
        for part in &input.parts {
            let name = bounded_text("name", &part.name, 200).map_err(|i| ApiError::Validation(vec![i]))?;
            let new_id = Uuid::now_v7();
            let row = crate::org_units::models::NewOrgUnitRow {
                id: new_id,
                level: unit.level.clone(),
                name: name.clone(),
                official_code: part.official_code.clone(),
                parent_id: Some(parent.id),
                path: diesel_ltree::Ltree(format!("{}.{}", parent.path.0, crate::org_units::models::label(new_id))),
                valid_from: day,
                sort_key: crate::text::collate::text_sort_key(&name),
            };
            let new_unit = queries::insert(conn, &row).await?;
            for child in &part.children {
                let child_path = queries::find(conn, *child).await?.ok_or(ApiError::NotFound)?.path;
                move_subtree(conn, *child, &child_path.0, new_unit.id, &new_unit.path.0, day).await?;
            }
            for member in &part.members {
                crate::members::queries::end_placement(conn, *member, day).await?;
                crate::members::queries::start_placement(conn, *member, new_unit.id, &new_unit.path, day).await?;
                crate::members::queries::record_event(
                    conn,
                    *member,
                    "unit_change",
                    day,
                    "split",
                    Some(unit.id),
                    Some(new_unit.id),
                    None,
                    caller.principal.user_id(),
                )
                .await?;
            }
            diesel::insert_into(org_unit_links::table)
                .values((
                    org_unit_links::predecessor_id.eq(unit.id),
                    org_unit_links::successor_id.eq(new_unit.id),
                    org_unit_links::kind.eq("split"),
                    org_unit_links::effective_on.eq(day),
                ))
                .execute(conn)
                .await?;
            created.push(new_unit.id);
        }
        close_unit(conn, unit.id, day).await?;
        caller
            .audit(
                conn,
                AuditEvent::new("org_unit.split")
                    .object("org_unit", unit.id)
                    .unit(parent.id)
                    .details(serde_json::json!({"into": created})),
            )
            .await?;
        let mut parts = Vec::new();
        for id in created {
            parts.push(reload(conn, id).await?);
        }
        Ok(parts)
    })
    .await?;
    Ok(web::Json(parts))
}
