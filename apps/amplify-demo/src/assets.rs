//! The stylesheet, the script and the README, served by the app itself: no CDN, no external asset.

use axum::http::header;
use axum::response::IntoResponse;

/// Where the stylesheet is served.
pub(crate) const STYLESHEET_ROUTE: &str = "/assets/site.css";
/// Where the script is served.
pub(crate) const SCRIPT_ROUTE: &str = "/assets/app.js";
/// The stylesheet's URL in pages; the version in it makes a new release's pages load the new file.
pub(crate) const STYLESHEET_PATH: &str = concat!("/assets/site.css?v=", env!("CARGO_PKG_VERSION"));
/// The script's URL in pages.
pub(crate) const SCRIPT_PATH: &str = concat!("/assets/app.js?v=", env!("CARGO_PKG_VERSION"));

const STYLESHEET: &str = include_str!("../assets/site.css");
const SCRIPT: &str = include_str!("../assets/app.js");
/// The project's README, linked from every page's footer.
const README: &str = include_str!("../../../README.md");

/// Browsers may keep the assets for a day; the version in their URLs changes with a release.
const ASSET_CACHING: &str = "public, max-age=86400";

/// `GET /assets/site.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHING),
        ],
        STYLESHEET,
    )
}

/// `GET /assets/app.js`.
pub(crate) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, ASSET_CACHING),
        ],
        SCRIPT,
    )
}

/// `GET /readme`: the README as text (Markdown reads well as it is).
pub(crate) async fn readme() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        README,
    )
}
