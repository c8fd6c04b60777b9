//! The OpenAPI 3.1 document of `/api/v1`, kept as data beside the code. A test checks that it
//! names every route the router serves.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
