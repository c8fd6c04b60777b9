//! Static assets (CSS, icons) embedded in the binary and served under
//! `/static/<content hash>/<file>`, so that a browser may cache them for a year: a changed file
//! gets a new URL.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The first 12 hex digits of each file's SHA-256.
static VERSIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            let hash: String = file.metadata.sha256_hash()[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            Some((name.to_string(), hash))
        })
        .collect()
});

/// The versioned URL of an asset.
pub fn url(name: &str) -> String {
    let version = VERSIONS.get(name).map(String::as_str).unwrap_or("0");
    format!("/static/{version}/{name}")
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

pub async fn serve(Path((version, file)): Path<(String, String)>) -> Response {
    let Some(content) = Assets::get(&file) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // A page from before an upgrade may ask for an old version: answer with the current file,
    // but do not let it be cached under the old URL.
    let cache = if VERSIONS.get(&file) == Some(&version) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = content.data.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_is_embedded_and_versioned() {
        let url = url("app.css");
        assert!(url.starts_with("/static/"), "{url}");
        assert!(!url.contains("/0/"), "{url}");
        assert!(Assets::get("app.css").is_some());
    }
}
