//! The review page: a browser front end to lucid's own HTTP API, served by `lucid serve` at `/`.
//!
//! Everything the browser loads is in this crate's `assets/` folder and embedded in the binary
//! (`include_str!`): plain HTML, CSS and JavaScript modules, nothing to build and nothing fetched
//! from anywhere else. The page talks only to the `/v1` API of the server that served it, with
//! the API key the reviewer typed in (kept in the tab's `sessionStorage`, sent as `x-api-key`),
//! so it can do exactly what that key can do through the API and nothing more: the API enforces
//! workspaces, the page adds no route and no data of its own.
//!
//! Architecture invariant: the page makes no request to another origin (every response carries
//! a Content-Security-Policy that allows only `'self'`), and the key is never put in a URL, a
//! cookie or `localStorage`.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file: where it is served, its media type, its bytes.
pub struct Asset {
    /// Where it is served (`/review/…`).
    pub path: &'static str,
    /// Its `content-type` header.
    pub content_type: &'static str,
    /// The file, compiled into the binary.
    pub body: &'static str,
}

/// Every file of the page, in the order a reader would open them.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../assets/index.html"),
    },
    Asset {
        path: "/assets/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../assets/style.css"),
    },
    Asset {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/app.js"),
    },
    Asset {
        path: "/assets/api.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/api.js"),
    },
    Asset {
        path: "/assets/dom.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/dom.js"),
    },
    Asset {
        path: "/assets/diff.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/diff.js"),
    },
    Asset {
        path: "/assets/review.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/review.js"),
    },
    Asset {
        path: "/assets/stores.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/stores.js"),
    },
    Asset {
        path: "/assets/dreams.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../assets/dreams.js"),
    },
];

/// The policy every response of the page carries: scripts, styles, images and API calls from
/// this server only; no inline script, no frames, no form posts elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The routes of the page (`/` and `/assets/…`), for any router state: `lucid serve` merges
/// them into its API router. Unknown paths are left to the API's own fallback.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    ASSETS.iter().fold(Router::new(), |router, asset| {
        router.route(asset.path, get(move || async move { serve(asset) }))
    })
}

fn serve(asset: &'static Asset) -> Response {
    let mut response = asset.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The assets change with the binary; a reload after an upgrade must not mix versions.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
