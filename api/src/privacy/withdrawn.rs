//! Withdrawn consent is enforced, not only recorded. When the decision in force for a purpose
//! is "not granted" (`granted: false`, whatever its legal basis), the data kept for that purpose
//! is no longer processed: writes for it answer `409 consent_withdrawn`, and the cadres' reads
//! of it answer the same instead of showing it. Her own copy (`/me/personal-data`, and a cadre's
//! export of it for her) still holds everything: access is her right, and erasure is its own
//! request. With no decision recorded, the registry's public-task basis applies and nothing is
//! blocked.

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text as SqlText, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::consents::ProcessingPurpose;
use crate::http::{ApiError, Text};

#[derive(QueryableByName)]
struct Latest {
    #[diesel(sql_type = Bool)]
    granted: bool,
}

fn code(purpose: ProcessingPurpose) -> &'static str {
    match purpose {
        ProcessingPurpose::MembershipRegistry => "membership_registry",
        ProcessingPurpose::CircumstancesAndNeeds => "circumstances_and_needs",
        ProcessingPurpose::SupportPrograms => "support_programs",
        ProcessingPurpose::Photo => "photo",
        ProcessingPurpose::ContactByPhone => "contact_by_phone",
        ProcessingPurpose::ShareWithPartners => "share_with_partners",
    }
}

/// Whether the decision in force for `purpose` withdraws it.
pub async fn is_withdrawn(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    purpose: ProcessingPurpose,
) -> Result<bool, ApiError> {
    let latest: Option<Latest> = diesel::sql_query(
        "SELECT granted FROM member_consents WHERE member_id = $1 AND purpose = $2
         ORDER BY recorded_at DESC, id DESC LIMIT 1",
    )
    .bind::<SqlUuid, _>(member)
    .bind::<SqlText, _>(code(purpose))
    .get_result(conn)
    .await
    .map(Some)
    .or_else(|e| if matches!(e, diesel::result::Error::NotFound) { Ok(None) } else { Err(e) })?;
    Ok(latest.is_some_and(|l| !l.granted))
}

/// `409 consent_withdrawn` when she withdrew `purpose`.
pub async fn ensure_not_withdrawn(
    conn: &mut AsyncPgConnection,
    member: Uuid,
    purpose: ProcessingPurpose,
) -> Result<(), ApiError> {
    if is_withdrawn(conn, member, purpose).await? {
        return Err(ApiError::Conflict {
            code: "consent_withdrawn",
            detail: Text::owned(
                format!(
                    "Hội viên đã rút lại sự đồng ý cho mục đích này ({}): không xử lý dữ liệu này nữa.",
                    code(purpose)
                ),
                format!(
                    "The member withdrew her consent for this purpose ({}): this data is no longer processed.",
                    code(purpose)
                ),
            ),
            field: None,
        });
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Withdrawn {
    #[diesel(sql_type = SqlUuid)]
    member_id: Uuid,
}

/// Those of `members` who withdrew `purpose` (for lists and the sync feed).
pub async fn withdrawn_among(
    conn: &mut AsyncPgConnection,
    members: &[Uuid],
    purpose: ProcessingPurpose,
) -> Result<std::collections::HashSet<Uuid>, ApiError> {
    if members.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<Withdrawn> = diesel::sql_query(
        "SELECT member_id FROM (
             SELECT DISTINCT ON (member_id) member_id, granted FROM member_consents
             WHERE member_id = ANY($1) AND purpose = $2 ORDER BY member_id, recorded_at DESC, id DESC) latest
         WHERE NOT granted",
    )
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(members)
    .bind::<SqlText, _>(code(purpose))
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.member_id).collect())
}
