//! What the code knows about every operation, stated in the contract by rule rather than by
//! hand on each of them (a generator or linter then sees it everywhere it holds):
//! - bounds on every string, integer and array: the field's own where it says one, otherwise
//!   the edge's (`http/safe_values.rs` refuses longer strings, control characters and longer
//!   arrays in every parameter and body), the page size for pages, the type's range;
//! - bodies that are files: binary with the size the handler reads, downloads without a schema;
//! - the headers every answer carries (`X-Request-Id`, CORS, the rate limiter's `RateLimit`
//!   under `/api/` and `/oauth/`, `Content-Language` on problems), declared once in
//!   `components/headers`;
//! - public operations as `security: []`, and a relative server (the origin the document came
//!   from), so "Try it out" and generated clients call the host they were given.

use serde_json::{Map, Value, json};

use crate::http::pagination::MAX_LIMIT;
use crate::http::safe_values::{FREE_TEXT_PATTERN, MAX_ITEMS, MAX_TEXT_CHARS};

/// The size each file upload may have, by operation (the handlers' own limits).
const UPLOAD_LIMITS: [(&str, usize); 2] = [
    ("replace_member_photo", crate::members::photo::MAX_PHOTO_BYTES),
    ("create_member_import", crate::imports::limits::MAX_FILE_BYTES),
];

/// Parameters kept for one more release and flagged `deprecated` (docs/api-guide.md,
/// "Versioning"): (operation, parameter).
const DEPRECATED_PARAMETERS: [(&str, &str); 1] = [("get_report_kpis", "format")];

pub fn apply(doc: &mut Value) {
    doc["servers"] = json!([{
        "url": "/",
        "description": "Máy chủ này: nơi tài liệu được tải về (production hoặc local) / This server: wherever this document was fetched from (production or local).",
        "x-internal": false
    }]);
    add_shared_headers(doc);
    add_advisory_parameters(doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for operation in item.values_mut() {
                complete_operation(path, operation);
            }
        }
    }
    if let Some(responses) = doc.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        // The shared error responses: the limiter's headers are declared, not required
        // (`/healthz` answers its 503 without them).
        for response in responses.values_mut() {
            let problem = response.pointer("/content/application~1problem+json").is_some();
            add_headers(response, true, problem);
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            let page = name.ends_with("Page");
            bound_schema(schema, page);
        }
    }
}

/// The response headers, each declared once.
fn add_shared_headers(doc: &mut Value) {
    let headers = json!({
        "X-Request-Id": {
            "description": "Id of this request in the server's logs: yours from the request header when well-formed, else a generated UUIDv7. Quote it when reporting a problem.",
            "schema": {"type": "string", "maxLength": 128, "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
            "example": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a87"
        },
        "Access-Control-Allow-Origin": {
            "description": "Sent only when `CHIHOI_CORS_ORIGINS` names the request's `Origin` (browser apps of other origins); absent otherwise, so browsers refuse other origins.",
            "schema": {"type": "string", "maxLength": 2048, "format": "uri"},
            "example": "https://sotay.example.vn"
        },
        "RateLimit": {
            "description": "Under `/api/` and `/oauth/`: the state of the tightest budget this request spent (draft-ietf-httpapi-ratelimit-headers), e.g. `\"reads\";r=1187;t=42`: 1187 requests remaining, full again in 42 seconds.",
            "schema": {"type": "string", "maxLength": 128, "pattern": "^\"[a-z]+\";r=[0-9]+;t=[0-9]+$"},
            "example": "\"reads\";r=1187;t=42"
        },
        "RateLimit-Policy": {
            "description": "Under `/api/` and `/oauth/`: that budget, e.g. `\"reads\";q=1200;w=60`: 1200 requests per 60 seconds.",
            "schema": {"type": "string", "maxLength": 128, "pattern": "^\"[a-z]+\";q=[0-9]+;w=[0-9]+$"},
            "example": "\"reads\";q=1200;w=60"
        },
        "Content-Language": {
            "description": "The language of the texts for people (`title`, `detail`): `vi` unless `Accept-Language` prefers `en`. Such answers also carry `Vary: Accept-Language`.",
            "schema": {"type": "string", "enum": ["vi", "en"]},
            "example": "vi"
        }
    });
    let components = doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| json!({})));
    if let Some(components) = components.and_then(Value::as_object_mut) {
        components.insert("headers".to_owned(), headers);
    }
}

/// Request headers declared once in `components/parameters` (name, description, example).
/// They are advisory: any value is accepted (a malformed request id is replaced by a generated
/// one, an unknown language falls back to Vietnamese, a tag that is not current does not
/// match), so their schemas state no bound the server would not enforce (openapi/spectral.yaml
/// says so beside its exception).
const ADVISORY_HEADERS: [(&str, &str, &str); 3] = [
    (
        "Accept-Language",
        "Language of texts for people in the response: Vietnamese (`vi`, default) or English (`en`), by quality value; anything else means Vietnamese.",
        "vi",
    ),
    (
        "X-Request-Id",
        "Your id for this request (1–128 characters of A–Z a–z 0–9 - _ . :), echoed back and logged; when absent or not of that form a UUIDv7 is generated instead.",
        "app-7f3a-000123",
    ),
    (
        "If-None-Match",
        "The `ETag` of the copy you hold (or a list of them, or `*`): while it is current the answer is `304 Not Modified` without a body. Any other value simply does not match.",
        "\"3\"",
    ),
];

/// Where an advisory request header is declared.
pub fn advisory_header_ref(name: &str) -> String {
    format!("#/components/parameters/{name}")
}

fn add_advisory_parameters(doc: &mut Value) {
    let parameters: Map<String, Value> = ADVISORY_HEADERS
        .iter()
        .map(|(name, description, example)| {
            let parameter = json!({
                "name": name, "in": "header", "required": false, "description": description,
                "schema": {"type": "string"}, "example": example
            });
            ((*name).to_owned(), parameter)
        })
        .collect();
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.insert("parameters".to_owned(), Value::Object(parameters));
    }
}

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// Declares on `response` the headers every answer carries.
fn add_headers(response: &mut Value, rate_limited: bool, problem: bool) {
    let Some(object) = response.as_object_mut() else { return };
    if object.contains_key("$ref") {
        return;
    }
    let headers = object.entry("headers").or_insert_with(|| json!({}));
    let Some(headers) = headers.as_object_mut() else { return };
    let mut names = vec!["X-Request-Id", "Access-Control-Allow-Origin"];
    if rate_limited {
        names.extend(["RateLimit", "RateLimit-Policy"]);
    }
    if problem {
        names.push("Content-Language");
    }
    for name in names {
        headers.entry(name.to_owned()).or_insert_with(|| header_ref(name));
    }
    for header in headers.values_mut() {
        if let Some(schema) = header.get_mut("schema") {
            bound_schema(schema, false);
        }
    }
}

fn complete_operation(path: &str, operation: &mut Value) {
    let Some(object) = operation.as_object_mut() else { return };
    let id = object.get("operationId").and_then(Value::as_str).unwrap_or_default().to_owned();
    // Vietnamese first, English after (summaries.rs); the test of the contract checks each has one.
    if let Some(vi) = super::summaries::vietnamese(&id)
        && let Some(summary) = object.get_mut("summary")
        && let Some(en) = summary.as_str()
    {
        *summary = json!(format!("{vi} / {en}"));
    }
    // utoipa writes `security(())` as `[{}]` ("anonymous allowed"); a public operation is `[]`.
    if let Some(security) = object.get_mut("security").and_then(Value::as_array_mut) {
        security.retain(|r| r.as_object().is_none_or(|o| !o.is_empty()));
    }
    if let Some(parameters) = object.get_mut("parameters").and_then(Value::as_array_mut) {
        for parameter in parameters {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
            let header = parameter.get("in").and_then(Value::as_str) == Some("header");
            if DEPRECATED_PARAMETERS.contains(&(id.as_str(), name)) {
                parameter["deprecated"] = json!(true);
            }
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
            // A handler's own declaration of one (the photo's If-None-Match) points there too.
            if header && ADVISORY_HEADERS.iter().any(|(shared, _, _)| *shared == name) {
                *parameter = json!({"$ref": advisory_header_ref(name)});
            } else if let Some(schema) = parameter.get_mut("schema") {
                bound_schema(schema, false);
            }
        }
    }
    if let Some(content) =
        object.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut)
    {
        let limit = UPLOAD_LIMITS.iter().find(|(op, _)| *op == id).map(|(_, limit)| *limit);
        for (media, body) in content.iter_mut() {
            match limit {
                Some(limit) if !is_structured(media) => {
                    body["schema"] = json!({"type": "string", "format": "binary", "maxLength": limit});
                }
                _ => {
                    if let Some(schema) = body.get_mut("schema") {
                        bound_schema(schema, false);
                    }
                }
            }
        }
    }
    let rate_limited = path.starts_with("/api/") || path.starts_with("/oauth/");
    if let Some(responses) = object.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            let counted = rate_limited && (status.starts_with('2') || status.starts_with('4'));
            let problem = response.pointer("/content/application~1problem+json").is_some();
            add_headers(response, counted, problem);
            let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { continue };
            for (media, body) in content.iter_mut() {
                if is_structured(media) {
                    if let Some(schema) = body.get_mut("schema") {
                        bound_schema(schema, false);
                    }
                } else if let Some(body) = body.as_object_mut() {
                    // A file (CSV, XLSX, an image, a page): bytes whose size follows the data.
                    body.remove("schema");
                }
            }
        }
    }
}

/// JSON, problem details and forms have a structure a schema describes; the rest are files.
fn is_structured(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json") || media == "application/x-www-form-urlencoded"
}

fn types_of(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Bounds `schema` and everything inside it; `page` marks a page object, whose `items` hold
/// at most a page.
fn bound_schema(schema: &mut Value, page: bool) {
    let Some(object) = schema.as_object_mut() else { return };
    let types: Vec<String> = types_of(object).into_iter().map(str::to_owned).collect();
    let has = |o: &Map<String, Value>, keys: &[&str]| keys.iter().any(|k| o.contains_key(*k));
    if types.iter().any(|t| t == "string") && !has(object, &["maxLength", "enum", "const"]) {
        let limit = match object.get("format").and_then(Value::as_str) {
            Some("uuid") => 36,
            Some("date") => 10,
            Some("date-time") => 64,
            Some("email") => 254,
            Some("uri") => 2048,
            _ => MAX_TEXT_CHARS,
        };
        object.insert("maxLength".to_owned(), json!(limit));
    }
    if types.iter().any(|t| t == "string") && !has(object, &["format", "pattern", "enum", "const"]) {
        object.insert("pattern".to_owned(), json!(FREE_TEXT_PATTERN));
    }
    if types.iter().any(|t| t == "integer") {
        let format = object.get("format").and_then(Value::as_str).unwrap_or("int64").to_owned();
        object.entry("format").or_insert_with(|| json!("int64"));
        let (low, high): (i64, i64) = match format.as_str() {
            "int32" => (i32::MIN.into(), i32::MAX.into()),
            "u-int8" | "uint8" => (0, u8::MAX.into()),
            "u-int16" | "uint16" => (0, u16::MAX.into()),
            "u-int32" | "uint32" => (0, u32::MAX.into()),
            "u-int64" | "uint64" => (0, i64::MAX),
            _ => (i64::MIN, i64::MAX),
        };
        if !has(object, &["minimum", "exclusiveMinimum"]) {
            object.insert("minimum".to_owned(), json!(low));
        }
        if !has(object, &["maximum", "exclusiveMaximum"]) {
            object.insert("maximum".to_owned(), json!(high));
        }
    }
    if types.iter().any(|t| t == "array") && !object.contains_key("maxItems") {
        object.insert("maxItems".to_owned(), json!(MAX_ITEMS));
    }
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            if page
                && name == "items"
                && property.get("maxItems").is_none()
                && property.get("type") == Some(&json!("array"))
            {
                property["maxItems"] = json!(MAX_LIMIT);
            }
            bound_schema(property, false);
        }
    }
    for key in ["items", "additionalProperties", "propertyNames", "not"] {
        if let Some(inner) = object.get_mut(key) {
            bound_schema(inner, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(list) = object.get_mut(key).and_then(Value::as_array_mut) {
            for inner in list {
                bound_schema(inner, false);
            }
        }
    }
}
