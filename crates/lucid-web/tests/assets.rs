//! The page as the server hands it out: every asset at its path with its media type and the
//! self-only Content-Security-Policy, and rules read off the embedded files — nothing loaded
//! from another origin, no inline script (the policy would block it), every imported module
//! served, and the key never written anywhere but sessionStorage.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lucid_web::{ASSETS, CONTENT_SECURITY_POLICY, router};
use tower::ServiceExt;

async fn fetch(path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router::<()>()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn every_asset_is_served_with_its_type_and_the_self_only_policy() {
    for asset in ASSETS {
        let (status, headers, body) = fetch(asset.path).await;
        assert_eq!(status, StatusCode::OK, "{}", asset.path);
        assert_eq!(body, asset.body, "{}", asset.path);
        assert_eq!(headers[header::CONTENT_TYPE], asset.content_type);
        assert_eq!(
            headers[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    let policy = CONTENT_SECURITY_POLICY;
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(policy.contains(directive), "{policy} lacks {directive}");
    }
    assert!(!policy.contains("unsafe-inline") && !policy.contains("http"));
}

#[tokio::test]
async fn an_unknown_asset_is_not_served_by_the_page() {
    let (status, _, _) = fetch("/assets/missing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn nothing_is_loaded_from_another_origin() {
    for asset in ASSETS {
        for needle in ["http://", "https://", "url(", "@import", "//cdn", "fonts."] {
            assert!(
                !asset.body.contains(needle),
                "{} contains {needle:?}: the page must not reach any other origin",
                asset.path
            );
        }
    }
}

#[test]
fn the_page_has_no_inline_script_and_loads_only_served_assets() {
    let index = ASSETS.iter().find(|a| a.path == "/").expect("index");
    let mut rest = index.body;
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').expect("a closed tag") + at;
        let tag = &rest[at..tag_end];
        assert!(tag.contains("src=\"/assets/"), "inline script: {tag}");
        assert!(
            rest[tag_end + 1..].starts_with("</script>"),
            "a script tag with a body"
        );
        rest = &rest[tag_end..];
    }
    for attribute in ["src=\"", "href=\""] {
        for (at, _) in index.body.match_indices(attribute) {
            let value = &index.body[at + attribute.len()..];
            let value = &value[..value.find('"').expect("closed")];
            let served = ASSETS.iter().any(|a| a.path == value);
            assert!(
                served || value.starts_with('#') || value == "data:,",
                "index.html refers to {value}, which the page does not serve"
            );
        }
    }
}

#[test]
fn every_imported_module_is_served() {
    for asset in ASSETS.iter().filter(|a| a.path.ends_with(".js")) {
        for (at, _) in asset.body.match_indices("from \"./") {
            let name = &asset.body[at + "from \"./".len()..];
            let name = &name[..name.find('"').expect("closed")];
            let path = format!("/assets/{name}");
            assert!(
                ASSETS.iter().any(|a| a.path == path),
                "{} imports {path}, which is not embedded",
                asset.path
            );
        }
    }
}

#[test]
fn the_key_is_kept_only_in_session_storage_and_text_never_becomes_markup() {
    for asset in ASSETS {
        for needle in [
            "localStorage",
            "document.cookie",
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "eval(",
            "new Function",
        ] {
            assert!(!asset.body.contains(needle), "{} uses {needle}", asset.path);
        }
    }
    let api = ASSETS
        .iter()
        .find(|a| a.path == "/assets/api.js")
        .expect("api.js");
    assert!(api.body.contains("sessionStorage.setItem"));
    assert!(api.body.contains("\"x-api-key\""));
    // Only api.js touches the key.
    for asset in ASSETS.iter().filter(|a| a.path != "/assets/api.js") {
        assert!(!asset.body.contains("sessionStorage"), "{}", asset.path);
    }
}
