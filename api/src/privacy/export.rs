//! Data-subject access (quyền được biết, quyền truy cập): every row that names a member, as
//! stored, with who looked at or changed her record. Built in one statement so the copy is
//! consistent.

use actix_web::{HttpResponse, get, web};
use diesel::QueryableByName;
use diesel::sql_types::{Jsonb, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::auth::{Caller, Permission};
use crate::http::ApiError;
use crate::members::access::visible_member;
use crate::members::own::own_member_id;
use crate::state::AppState;

#[derive(QueryableByName)]
struct Document {
    #[diesel(sql_type = Jsonb)]
    document: serde_json::Value,
}

/// Each section: a name and the rows of one table about her, oldest first.
const SECTIONS: [(&str, &str); 17] = [
    ("placements", "SELECT x.* FROM member_placements x WHERE x.member_id = $1 ORDER BY x.valid_from"),
    ("events", "SELECT x.* FROM member_events x WHERE x.member_id = $1 ORDER BY x.occurred_on, x.recorded_at"),
    ("transfers", "SELECT x.* FROM member_transfers x WHERE x.member_id = $1 ORDER BY x.created_at"),
    ("profile", "SELECT x.* FROM member_profiles x WHERE x.member_id = $1"),
    ("profile_history", "SELECT x.* FROM member_profile_events x WHERE x.member_id = $1 ORDER BY x.recorded_at"),
    ("needs", "SELECT x.* FROM member_needs x WHERE x.member_id = $1 ORDER BY x.created_at"),
    ("contacts", "SELECT x.* FROM member_contacts x WHERE x.member_id = $1 ORDER BY x.contacted_on"),
    ("photo", "SELECT x.content_type, x.digest, x.updated_at FROM member_photos x WHERE x.member_id = $1"),
    (
        "attendance",
        "SELECT a.id AS activity_id, a.title, a.kind, a.held_on, t.status FROM attendance t
         JOIN activities a ON a.id = t.activity_id WHERE t.member_id = $1 ORDER BY a.held_on",
    ),
    ("support", "SELECT x.* FROM support_entries x WHERE x.member_id = $1 ORDER BY x.given_on"),
    // As mentee, the whole pair is about her. As mentor, the goal, outcome and cadres' notes are
    // about her mentee, not her: they stay out of her copy.
    (
        "pairs",
        "SELECT x.id, x.kind, x.unit_id, x.mentor_member_id, x.mentor_prospect_id, x.mentor_unit_id,
                x.mentee_member_id, x.mentee_prospect_id, x.mentee_unit_id, x.started_on, x.ended_on, x.status,
                x.stage, x.result_member_id, x.created_at, x.updated_at,
                CASE WHEN x.mentee_member_id = $1 THEN x.goal END AS goal,
                CASE WHEN x.mentee_member_id = $1 THEN x.outcome END AS outcome,
                CASE WHEN x.mentee_member_id = $1 THEN x.notes END AS notes,
                x.mentee_member_id = $1 AS as_mentee
         FROM pairs x WHERE x.mentor_member_id = $1 OR x.mentee_member_id = $1 ORDER BY x.started_on",
    ),
    ("fee_payments", "SELECT x.* FROM fee_payments x WHERE x.member_id = $1 ORDER BY x.year, x.period_no"),
    ("positions", "SELECT x.* FROM positions x WHERE x.member_id = $1 ORDER BY x.started_on"),
    ("consents", "SELECT x.* FROM member_consents x WHERE x.member_id = $1 ORDER BY x.recorded_at"),
    ("channel_consents", "SELECT x.* FROM member_channel_consents x WHERE x.member_id = $1 ORDER BY x.platform"),
    ("data_requests", "SELECT x.* FROM data_requests x WHERE x.member_id = $1 ORDER BY x.requested_at"),
    (
        "processing_log",
        "SELECT x.occurred_at, x.actor_type, x.actor_name, x.action, x.outcome, x.fields FROM audit_events x
         WHERE x.object_type = 'member' AND x.object_id = $1::text ORDER BY x.id",
    ),
];

/// The contract's shape of the document, built from [`SECTIONS`] so it names every section the
/// query returns. The rows are each table's as stored (their columns are the database's, named
/// by `format`), so a row is an open object.
pub struct PersonalDataDocument;

impl utoipa::PartialSchema for PersonalDataDocument {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
        let row = || {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        };
        let mut document = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Dữ liệu cá nhân / Everything held about a member: her record and one array of rows per section, oldest first.",
            ))
            .property(
                "format",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["chihoi.personal-data.v1"]))
                    .description(Some("The layout of the document (its sections and their columns).")),
            )
            .property(
                "generated_at",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
                    .description(Some("When the document was made.")),
            )
            .property("member", row().description(Some("Her record as stored, sensitive fields included.")))
            .property(
                "erasure",
                row()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Object, Type::Null]))
                    .description(Some("The erasure of her record, if any.")),
            )
            .required("format")
            .required("generated_at")
            .required("member");
        for (name, _) in SECTIONS {
            document = document
                .property(name, ArrayBuilder::new().items(row()).description(Some(format!("Rows of `{name}`."))));
        }
        document.into()
    }
}

impl utoipa::ToSchema for PersonalDataDocument {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("PersonalDataDocument")
    }
}

/// Everything held about `member` as one JSON document.
pub async fn document(conn: &mut AsyncPgConnection, member: Uuid) -> Result<serde_json::Value, ApiError> {
    let sections: Vec<String> = SECTIONS
        .iter()
        .map(|(name, sql)| format!("'{name}', (SELECT coalesce(jsonb_agg(to_jsonb(s)), '[]'::jsonb) FROM ({sql}) s)"))
        .collect();
    let sql = format!(
        "SELECT jsonb_build_object(
             'format', 'chihoi.personal-data.v1',
             'generated_at', now(),
             'member', (SELECT to_jsonb(m) - 'search_key' - 'sort_key' FROM members m WHERE m.id = $1),
             'erasure', (SELECT to_jsonb(e) FROM member_erasures e WHERE e.member_id = $1),
             {}) AS document",
        sections.join(",\n             ")
    );
    let found: Document = diesel::sql_query(sql).bind::<SqlUuid, _>(member).get_result(conn).await?;
    Ok(found.document)
}

/// Personal data held about a member
///
/// Quyền truy cập dữ liệu / Data-subject access (Law 91/2025/QH15): everything held about her
/// as one JSON document — her record with the sensitive fields, placements, lifecycle events,
/// transfers, circumstances and their history, needs, contacts, photo (metadata), attendance,
/// support, pairs, fee payments, positions, consents, data requests, the erasure if any, and
/// the processing log (who read or changed her record, field names only). Sections are the
/// rows as stored (`format` names the layout). Needs `members:sensitive` on her unit; audited.
#[utoipa::path(
    tag = "members",
    operation_id = "get_member_personal_data",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Member id.")),
    responses(
        (status = 200, description = "The document.", body = PersonalDataDocument, content_type = "application/json",
         example = json!({"format": "chihoi.personal-data.v1", "generated_at": "2026-11-29T09:00:00Z",
            "member": {"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "family_name": "Nguyễn", "given_name": "Lan"},
            "erasure": null, "placements": [], "events": [], "consents": [], "processing_log": []})),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/members/{id}/personal-data")]
pub async fn get_member_personal_data(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = visible_member(&mut conn, &caller, id.into_inner(), Permission::MembersRead).await?;
    caller.require(Permission::MembersSensitive, &member.unit_path.0)?;
    let body = document(&mut conn, member.id).await?;
    caller
        .audit(
            &mut conn,
            AuditEvent::new("member.personal_data_export").object("member", member.id).unit(member.unit_id),
        )
        .await?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(body))
}

/// My personal data
///
/// The same document as `get_member_personal_data`, for the member linked to the calling
/// account: her own copy, without a cadre in between. Audited.
#[utoipa::path(
    tag = "me",
    operation_id = "get_my_personal_data",
    security(("bearer" = ["me:read"])),
    responses(
        (status = 200, description = "The document.", body = PersonalDataDocument, content_type = "application/json",
         example = json!({"format": "chihoi.personal-data.v1", "generated_at": "2026-11-29T09:00:00Z", "member": {"given_name": "Lan"}, "placements": []})),
        (status = 401, response = crate::http::responses::Unauthorized),
        (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
    )
)]
#[get("/me/personal-data")]
pub async fn get_my_personal_data(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let member = own_member_id(&mut conn, &caller, Permission::MeRead).await?;
    let body = document(&mut conn, member).await?;
    caller.audit(&mut conn, AuditEvent::new("member.personal_data_export").object("member", member)).await?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(body))
}

fn no_store() -> (actix_web::http::header::HeaderName, &'static str) {
    (actix_web::http::header::CACHE_CONTROL, "no-store")
}
