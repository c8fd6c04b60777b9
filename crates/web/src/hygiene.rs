//! What every request and every answer gets before a handler sees it: a NUL byte is bad input
//! wherever it is (PostgreSQL refuses it in text, which answered 500), and API answers, which
//! carry personal data, are never stored by a browser or a shared cache.

use crate::extract::lang_of;
use crate::ApiError;
use app::AppError;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use registry::Problem;

/// A path holding a NUL names nothing (404); a query parameter holding one is bad input (422
/// naming it). Bodies are checked where they are read ([`crate::extract::parse_json`], the UI
/// forms).
pub(crate) async fn refuse_nul(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let error = if decodes_to_nul(uri.path()) {
        AppError::NotFound
    } else if let Some(field) = uri.query().and_then(nul_parameter) {
        nul_in(&field)
    } else {
        return next.run(request).await;
    };
    let (parts, _) = request.into_parts();
    let lang = lang_of(&parts);
    if parts.uri.path().starts_with("/api/") {
        ApiError::new(error, lang).into_response()
    } else {
        crate::ui::bare_error_page(lang, &error)
    }
}

/// The answer of `field` holding a NUL byte.
pub(crate) fn nul_in(field: &str) -> AppError {
    AppError::field(field, Problem::ControlCharacters)
}

fn decodes_to_nul(text: &str) -> bool {
    percent_decode_str(text).any(|b| b == 0)
}

/// The first query parameter whose name or value holds a NUL byte.
fn nul_parameter(query: &str) -> Option<String> {
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(name, value)| decodes_to_nul(name) || decodes_to_nul(value))
        .map(|(name, _)| {
            let name = percent_decode_str(name).decode_utf8_lossy();
            match name.contains('\0') {
                true => "query".to_string(),
                false => name.chars().take(64).collect(),
            }
        })
}

/// The JSON path of the first string (or key) in `body` holding a NUL, if the body is JSON and
/// has one. JSON can only spell NUL as an escape, so bodies without one are not parsed twice.
pub(crate) fn nul_in_json(body: &[u8]) -> Option<String> {
    const ESCAPED_NUL: &[u8] = b"\\u0000";
    if !body.windows(ESCAPED_NUL.len()).any(|w| w == ESCAPED_NUL) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    nul_path(&value, "body")
}

fn nul_path(value: &serde_json::Value, path: &str) -> Option<String> {
    let child = |name: &dyn std::fmt::Display| match path {
        "body" => name.to_string(),
        _ => format!("{path}.{name}"),
    };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then(|| path.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            if name.contains('\0') {
                Some(path.to_string())
            } else {
                nul_path(item, &child(name))
            }
        }),
        _ => None,
    }
}

/// API answers carry personal data: never stored by a browser or a shared cache, unless a
/// handler said otherwise.
pub(crate) async fn api_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_in_the_query_parameter_or_json_field_holding_it() {
        assert_eq!(nul_parameter("q=%00"), Some("q".into()));
        assert_eq!(nul_parameter("page=1&q=a%00b"), Some("q".into()));
        assert_eq!(nul_parameter("%00=1"), Some("query".into()));
        assert_eq!(nul_parameter("q=%2500&page=2"), None);
        assert_eq!(nul_in_json(br#"{"a":"\\u0000"}"#), None);
        assert_eq!(nul_in_json(br#"{"a":"x\u0000"}"#), Some("a".into()));
        assert_eq!(
            nul_in_json(br#"{"a":{"b":[1,"\u0000"]}}"#),
            Some("a.b[1]".into())
        );
        assert_eq!(nul_in_json(br#"["\u0000"]"#), Some("body[0]".into()));
        assert_eq!(nul_in_json(br#""\u0000""#), Some("body".into()));
        assert_eq!(nul_in_json(br#"{"\u0000":1}"#), Some("body".into()));
    }
}
