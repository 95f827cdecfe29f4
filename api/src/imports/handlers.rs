use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::limits::{self, MAX_FILE_BYTES};
use super::read::Format;
use super::run::{ImportOutcome, Importer, import};
use super::template;
use crate::audit::AuditActor;
use crate::auth::{Caller, Permission};
use crate::http::body::{declared_length, read_limited};
use crate::http::media::{FileFormat, XLSX};
use crate::http::{ApiError, ApiQuery, Lang, Text};
use crate::jobs::{self, Job, JobStatus};
use crate::org_units::access::visible_unit;
use crate::state::AppState;

/// Query of the template download.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<FileFormat>,
}

/// Get the member import template
///
/// The headers (Vietnamese) and an example row, as CSV (UTF-8 with BOM, opens in Excel) or XLSX
/// with a second sheet explaining each column.
#[utoipa::path(tag = "imports", operation_id = "get_member_import_template", security(("bearer" = [])),
    params(TemplateQuery),
    responses((status = 200, description = "The template file (CSV, or XLSX with `format=xlsx`).",
            content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = crate::http::responses::Unauthorized)))]
#[get("/imports/members/template")]
pub async fn get_member_import_template(
    _caller: Caller,
    query: ApiQuery<TemplateQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(match query.0.format.unwrap_or(FileFormat::Csv) {
        FileFormat::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"mau-nhap-hoi-vien.csv\""))
            .body(template::csv()),
        FileFormat::Xlsx => HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"mau-nhap-hoi-vien.xlsx\""))
            .body(template::xlsx().map_err(ApiError::internal)?),
    })
}

/// Query of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The branch the members join (a `Tổ` column places them in its groups).
    pub unit: Uuid,
    /// `true`: check every row and report, write nothing.
    pub dry_run: Option<bool>,
}

/// Import members from a spreadsheet
///
/// The body is the file: CSV (`text/csv`, UTF-8) or XLSX, in the template's layout. It runs as
/// a job (`202` with `Location: /api/v1/jobs/{id}`): a dry run reports every problem by row and
/// column and writes nothing; a real run writes all valid rows in one transaction (or none if
/// it fails) and skips rows already on file, so importing the same file twice adds nothing.
/// Needs `members:import` (and `members:sensitive` for files with CCCD, ethnicity, religion or
/// Party columns filled in). `unit` is a branch, or a commune whose rows name their branch in
/// the `Chi hội` column (a commune's export imports back as it is); ethnicities and religions
/// may be codes, official names or their usual spellings.
///
/// Bounds (giới hạn), checked before any job starts: at most 16 MiB sent (`413
/// payload_too_large`); an XLSX archive of at most 256 entries inflating to at most 192 MiB,
/// no entry inflating more than 200× (`413 file_too_large`); at most 50,000 data rows, 64
/// columns, a sheet no longer than 100,000 rows and CSV lines of at most 16 KiB (`422`).
/// `errors[0].code` names the bound (`too_many_entries`, `uncompressed_too_large`,
/// `compression_ratio_too_high`, `too_many_rows`, `sheet_too_long`, `too_many_columns`,
/// `line_too_long`). A file that passes them but still cannot be read fails its own job.
#[utoipa::path(tag = "imports", operation_id = "create_member_import", security(("bearer" = [])),
    params(ImportQuery),
    request_body(content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), description = "The CSV (UTF-8) or XLSX file, at most 16 MiB."),
    responses((status = 202, description = "The job; poll it for the outcome (`result` is an ImportOutcome).", body = Job,
            headers(("Location" = String, description = "URL of the job."), ("Retry-After" = u32, description = "Seconds before the first look at it."))),
        (status = 401, response = crate::http::responses::Unauthorized), (status = 403, response = crate::http::responses::Forbidden),
        (status = 404, response = crate::http::responses::NotFound),
        (status = 413, response = crate::http::responses::PayloadTooLarge),
        (status = 415, response = crate::http::responses::UnsupportedMediaType),
        (status = 422, response = crate::http::responses::Unprocessable)))]
#[post("/imports/members")]
pub async fn create_member_import(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ApiQuery<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let format = if content_type.starts_with("text/csv") {
        Format::Csv
    } else if content_type.starts_with(XLSX) {
        Format::Xlsx
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    let bytes =
        read_limited(payload.into_inner(), declared_length(&req), MAX_FILE_BYTES, state.config.body_idle_timeout)
            .await?;
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, query.unit, Permission::MembersRead).await?;
    caller.require(Permission::MembersImport, &unit.path.0)?;
    caller.require(Permission::MembersWrite, &unit.path.0)?;
    if unit.level != "branch" && unit.level != "commune" {
        return Err(ApiError::invalid_parameter(
            "unit",
            "not_a_branch",
            Text::new(
                "Nhập danh sách vào một chi hội, hoặc vào một xã với cột Chi hội.",
                "Import into a branch, or into a commune with a Chi hội (branch) column.",
            ),
        ));
    }
    // Bounds first (a crafted file is refused here with the bound it broke, before any job).
    let checked = bytes.clone();
    web::block(move || super::read::check(&checked, format))
        .await
        .map_err(ApiError::internal)?
        .map_err(limits::Limit::into_error)?;
    let job = jobs::create(&mut conn, "member_import", caller.principal.user_id(), Some(unit.id)).await?;
    drop(conn);
    let job_id = job.id;
    let dry_run = query.dry_run.unwrap_or(false);
    let alive = jobs::watchdog::keep_alive(state.pool.clone(), job_id);
    actix_web::rt::spawn(async move {
        let _alive = alive;
        let who = Importer {
            principal: &caller.principal,
            actor: AuditActor::of(&caller.principal.actor),
            meta: caller.meta.clone(),
            lang,
            job: Some(job_id),
        };
        let pool = state.pool.clone();
        let outcome = import(&state.pool, &who, &unit, &bytes, format, dry_run, async |done, total| {
            let Ok(mut conn) = pool.get().await else { return true };
            let (done, total) = (i32::try_from(done).unwrap_or(i32::MAX), i32::try_from(total).unwrap_or(i32::MAX));
            // A progress not recorded (a busy pool) does not stop the import.
            jobs::progress(&mut conn, job_id, done, total).await.unwrap_or(true)
        })
        .await;
        let (status, result) = outcome_json(outcome, lang);
        // Ends the job unless its write already did, in the same transaction.
        let recorded = match state.pool.get().await {
            Ok(mut conn) => jobs::finish(&mut conn, job_id, status, &result).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(error) = recorded {
            tracing::error!(error = %error, job = %job_id, "could not record the end of an import");
        }
    });
    let mut accepted = HttpResponse::Accepted();
    accepted.insert_header((header::LOCATION, format!("/api/v1/jobs/{job_id}")));
    Ok(jobs::with_poll_hint(accepted, &job))
}

fn outcome_json(outcome: Result<ImportOutcome, ApiError>, lang: Lang) -> (JobStatus, serde_json::Value) {
    match outcome {
        Ok(outcome) => (JobStatus::Succeeded, serde_json::to_value(outcome).unwrap_or_default()),
        Err(error) if error.code() == jobs::cancel::CANCELLED => {
            (JobStatus::Cancelled, jobs::cancel::cancelled_result())
        }
        Err(error) => (JobStatus::Failed, jobs::JobFailure::to_json(error.code(), error.detail().get(lang))),
    }
}
