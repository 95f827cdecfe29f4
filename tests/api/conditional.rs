//! HEAD beside every GET, conditional GET (`If-None-Match` → 304) and the language headers that
//! let a cache in front of the API keep Vietnamese and English answers apart.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn head_answers_wherever_get_does_with_the_same_headers_and_no_body() {
    let app = spawn_app().await;
    for path in ["/api/v1", "/readyz", "/openapi.json", "/docs/"] {
        let get = app.get(path).await;
        assert_eq!(get.status(), StatusCode::OK, "GET {path}");
        let get_type = get.headers().get("content-type").cloned();
        let get_length = get.bytes().await.unwrap().len();

        let head = app.request(Method::HEAD, path).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(head.headers().get("content-type").cloned(), get_type, "HEAD {path}");
        let length = head.headers().get("content-length").map(|v| v.to_str().unwrap().parse::<usize>().unwrap());
        assert_eq!(length, Some(get_length), "HEAD {path} says how long the GET body is");
        assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path} has no body");
    }

    // A token-protected read: HEAD needs the token as GET does, and the Allow header says HEAD.
    let admin = app.admin().await;
    let head = admin.request(Method::HEAD, "/api/v1/settings").send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let anonymous = app.request(Method::HEAD, "/api/v1/settings").send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let refused = admin.request(Method::PUT, "/api/v1/settings").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = refused.headers().get("allow").unwrap().to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("HEAD"), "Allow: {allow}");
}

#[tokio::test]
async fn a_read_with_an_etag_answers_304_while_the_copy_is_current() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    admin.create("/api/v1/settings", &json!({"key": "coverage.flag_below_percent", "value": 60})).await;
    let path = "/api/v1/settings/coverage.flag_below_percent".to_owned();

    let first = admin.get(&path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers().get("etag").unwrap().to_str().unwrap().to_owned();

    let again = admin.request(Method::GET, &path).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers().get("etag").unwrap().to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());

    // A weak form of the same tag, or a list holding it, names it too (RFC 9110 weak comparison).
    let weak =
        admin.request(Method::GET, &path).header("if-none-match", format!("\"x\", W/{etag}")).send().await.unwrap();
    assert_eq!(weak.status(), StatusCode::NOT_MODIFIED);

    // After a change the old tag no longer matches: the new copy comes back.
    let changed = admin.patch_json(&path, Some(&etag), &json!({"value": 65})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let fresh = admin.request(Method::GET, &path).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_ne!(fresh.headers().get("etag").unwrap().to_str().unwrap(), etag);
    assert_eq!(fresh.json::<serde_json::Value>().await.unwrap()["value"], 65);

    // A tag never bypasses authorization: without a token it is 401, not 304.
    let anonymous = app.request(Method::GET, &path).header("if-none-match", "*").send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The contract document is revalidated the same way.
    let document = app.get("/openapi.json").await;
    let tag = document.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    assert_eq!(document.headers().get("cache-control").unwrap(), "no-cache");
    let cached = app.request(Method::GET, "/openapi.json").header("if-none-match", &tag).send().await.unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert!(cached.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn problems_say_their_language_and_vary_on_it() {
    let app = spawn_app().await;
    for (asked, expected) in [(None, "vi"), (Some("en-US,en;q=0.9"), "en"), (Some("vi"), "vi")] {
        let mut request = app.request(Method::GET, "/api/v1/settings");
        if let Some(asked) = asked {
            request = request.header("accept-language", asked);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers().get("content-language").unwrap(), expected, "{asked:?}");
        let vary: Vec<String> =
            response.headers().get_all("vary").iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect();
        assert!(vary.iter().any(|v| v.contains("accept-language")), "Vary: {vary:?}");
    }
}
