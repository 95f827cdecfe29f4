//! The contract: the committed `openapi/openapi.json` is what the code serves, and it meets the
//! project's rules (every operation named verb_resource, described, with problem responses).

use std::path::Path;

use serde_json::Value;

use crate::helpers::spawn_app;

fn committed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    std::fs::read_to_string(&path).expect("openapi/openapi.json exists")
}

#[test]
fn committed_contract_matches_the_code() {
    let generated = chihoi::openapi::document_json();
    let committed = committed();
    let at = if generated == committed {
        String::new()
    } else {
        let (a, b): (Value, Value) =
            (serde_json::from_str(&generated).unwrap(), serde_json::from_str(&committed).unwrap());
        first_difference(&a, &b, "")
    };
    assert!(
        generated == committed,
        "openapi/openapi.json differs from the code (first at {at}). Regenerate it with `scripts/openapi` \
         (or `cargo run -p chihoi -- openapi --output openapi/openapi.json`), review the diff, \
         and commit it. A change to a published field is a versioned decision (info.version)."
    );
}

#[tokio::test]
async fn the_server_serves_the_committed_contract() {
    let app = spawn_app().await;
    let text = app.get("/openapi.json").await.text().await.unwrap();
    // Served without indentation (a third smaller for slow networks), the same document.
    assert!(!text.contains("\n  "), "served compact");
    assert!(text.len() * 10 < committed().len() * 7, "{} vs {} bytes", text.len(), committed().len());
    let served: Value = serde_json::from_str(&text).unwrap();
    let committed: Value = serde_json::from_str(&committed()).unwrap();
    assert!(
        served == committed,
        "served and committed contracts differ at {}",
        first_difference(&served, &committed, "")
    );
}

/// The JSON pointer of the first place where two documents differ (a readable failure instead
/// of two whole contracts).
fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (left, right) = (x.get(key).unwrap_or(&Value::Null), y.get(key).unwrap_or(&Value::Null));
                if left != right {
                    return first_difference(
                        left,
                        right,
                        &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    );
                }
            }
            at.to_owned()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (l, r))| l != r)
            .map_or(at.to_owned(), |(i, (l, r))| first_difference(l, r, &format!("{at}/{i}"))),
        _ => format!("{at} ({a} vs {b})").chars().take(400).collect(),
    }
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    out
}

#[test]
fn every_operation_is_named_described_and_answers_problems() {
    let doc: Value = serde_json::from_str(&chihoi::openapi::document_json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ids = std::collections::BTreeSet::new();
    for (path, method, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        let (verb, resource) = id.split_once('_').unwrap_or_else(|| panic!("{id} is not verb_resource"));
        assert!(
            [
                "get", "list", "create", "run", "replay", "update", "delete", "replace", "submit", "accept", "return",
                "merge", "login", "refresh", "logout", "issue", "revoke", "import", "export", "record", "close",
                "move", "rename", "convert", "set", "reset", "reject", "cancel", "split"
            ]
            .contains(&verb),
            "{id}: unknown verb {verb}"
        );
        assert!(!resource.is_empty() && resource.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{id}");
        assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
        // Vietnamese first, then English: "Danh sách hội viên / List members".
        let summary = operation["summary"].as_str().unwrap_or_default();
        let (vi, en) =
            summary.split_once(" / ").unwrap_or_else(|| panic!("{id}: summary {summary:?} not Vietnamese / English"));
        assert!(!vi.is_empty() && !en.is_empty(), "{id}: {summary:?}");
        assert!(!vi.is_ascii(), "{id}: {vi:?} does not read as Vietnamese");
        assert!(operation["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
        assert!(operation.get("security").is_some(), "{id} declares no security requirement");
        let responses = operation["responses"].as_object().unwrap();
        assert!(responses.contains_key("500"), "{id} lacks 500");
        for (status, response) in responses {
            if let Some(reference) = response["$ref"].as_str() {
                let name = reference.rsplit('/').next().unwrap();
                let component = &doc["components"]["responses"][name];
                assert!(component.is_object(), "{id} {status}: dangling {reference}");
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        component["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/ProblemDetails",
                        "{id} {status}"
                    );
                }
                continue;
            }
            assert!(response["description"].as_str().is_some_and(|d| !d.is_empty()), "{id} {status}: no description");
            // OAuth's endpoints answer in OAuth's forms (RFC 6749 error JSON, the sign-in pages'
            // HTML), which OAuth libraries and browsers expect; each is declared with its body.
            if path.starts_with("/oauth/") && status.starts_with('4') {
                let content = response["content"].as_object().unwrap_or_else(|| panic!("{id} {status}: no body"));
                assert!(content.contains_key("text/html") || content.contains_key("application/json"), "{id} {status}");
                continue;
            }
            if status.starts_with('4') || status.starts_with('5') {
                panic!("{id} {status}: error responses must reference a problem response component");
            }
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            // Shared parameters are references to `components/parameters`.
            let parameter = match parameter["$ref"].as_str() {
                Some(reference) => {
                    let name = reference.trim_start_matches("#/components/parameters/");
                    &doc["components"]["parameters"][name]
                }
                None => parameter,
            };
            assert!(
                parameter["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{id}: parameter {} undescribed",
                parameter["name"]
            );
        }
    }
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            let described = property.get("description").is_some()
                || property.get("$ref").is_some()
                || property.get("allOf").is_some()
                || property.get("oneOf").is_some();
            assert!(described || is_self_explanatory(field), "{name}.{field} has no description");
        }
    }
}

/// Timestamps and ids whose meaning is the same everywhere.
fn is_self_explanatory(field: &str) -> bool {
    ["id", "created_at", "updated_at", "name", "items"].contains(&field)
}

#[test]
fn every_rate_limited_operation_documents_429_with_its_headers_and_503() {
    let doc: Value = serde_json::from_str(&committed()).unwrap();
    let too_many = &doc["components"]["responses"]["TooManyRequests"]["headers"];
    for header in ["Retry-After", "RateLimit", "RateLimit-Policy"] {
        assert!(too_many[header].is_object(), "429 declares {header}: {too_many}");
    }
    let mut counted = 0;
    for (path, method, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
        let responses = &operation["responses"];
        // The sign-in page answers its own throttle with the page itself (text/html, Retry-After).
        let page_429 = path.starts_with("/oauth/") && responses["429"]["content"]["text/html"].is_object();
        if (path.starts_with("/api/") || path.starts_with("/oauth/")) && !page_429 {
            assert_eq!(responses["429"]["$ref"], "#/components/responses/TooManyRequests", "{method} {path} ({id})");
            counted += 1;
        }
        let without_database = [
            "get_health",
            "get_metrics",
            "get_service_info",
            "get_openapi",
            "get_readiness",
            "get_oauth_server_metadata",
        ];
        if !without_database.contains(&id.as_str()) {
            assert!(responses["503"].is_object(), "{id} documents 503");
        }
    }
    assert!(counted > 150, "every operation under /api/ ({counted})");
}
