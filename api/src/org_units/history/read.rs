use super::*;

/// One period of a unit's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitPeriod {
    /// First day of this period.
    pub valid_from: NaiveDate,
    /// `null` for the current period.
    pub valid_to: Option<NaiveDate>,
    /// Name in this period.
    pub name: String,
    /// Mã đơn vị hành chính in this period.
    pub official_code: Option<String>,
    /// Parent in this period.
    pub parent_id: Option<Uuid>,
}

/// A succession link (sáp nhập, chia tách).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitLink {
    /// The other unit.
    pub org_unit_id: Uuid,
    /// Its current name.
    pub name: String,
    /// `merge` or `split`.
    pub kind: String,
    /// Day the succession took effect.
    pub effective_on: NaiveDate,
}

/// A unit's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitHistory {
    pub unit: OrgUnit,
    /// Oldest first.
    pub periods: Vec<OrgUnitPeriod>,
    /// Units that became this one.
    pub predecessors: Vec<OrgUnitLink>,
    /// Units this one became.
    pub successors: Vec<OrgUnitLink>,
}

/// Get an org unit's history
///
/// Names and parents over time, and the units it came from or became.
#[utoipa::path(tag = "org_units", operation_id = "get_org_unit_history", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Org unit id.")),
    responses((status = 200, description = "The history.", body = OrgUnitHistory),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 404, response = crate::http::responses::NotFound)))]
#[get("/org-units/{id}/history")]
pub async fn get_org_unit_history(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, id.into_inner(), Permission::OrgUnitsRead).await?;
    let rows: Vec<PeriodRow> = periods::table
        .filter(periods::unit_id.eq(unit.id))
        .select((periods::valid_from, periods::valid_to, periods::name, periods::official_code, periods::parent_id))
        .order(periods::valid_from.asc())
        .load(&mut conn)
        .await?;
    let predecessors: Vec<(Uuid, String, String, NaiveDate)> = org_unit_links::table
        .inner_join(org_units::table.on(org_units::id.eq(org_unit_links::predecessor_id)))
        .filter(org_unit_links::successor_id.eq(unit.id))
        .select((org_units::id, org_units::name, org_unit_links::kind, org_unit_links::effective_on))
        .order(org_unit_links::effective_on.asc())
        .load(&mut conn)
        .await?;
    let successors: Vec<(Uuid, String, String, NaiveDate)> = org_unit_links::table
        .inner_join(org_units::table.on(org_units::id.eq(org_unit_links::successor_id)))
        .filter(org_unit_links::predecessor_id.eq(unit.id))
        .select((org_units::id, org_units::name, org_unit_links::kind, org_unit_links::effective_on))
        .order(org_unit_links::effective_on.asc())
        .load(&mut conn)
        .await?;
    let as_link = |(org_unit_id, name, kind, effective_on): (Uuid, String, String, NaiveDate)| OrgUnitLink {
        org_unit_id,
        name,
        kind,
        effective_on,
    };
    Ok(HttpResponse::Ok().json(OrgUnitHistory {
        unit: OrgUnit::from(unit),
        periods: rows
            .into_iter()
            .map(|(valid_from, valid_to, name, official_code, parent_id)| OrgUnitPeriod {
                valid_from,
                valid_to,
                name,
                official_code,
                parent_id,
            })
            .collect(),
        predecessors: predecessors.into_iter().map(as_link).collect(),
        successors: successors.into_iter().map(as_link).collect(),
    }))
}

/// Valid from, valid to, name, official code, parent.
type PeriodRow = (NaiveDate, Option<NaiveDate>, String, Option<String>, Option<Uuid>);
