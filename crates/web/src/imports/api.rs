//! `/api/v1/imports`: roster upload (CSV or .xlsx) into the import use case.
//!
//! The file is the raw body (`?filename=roster.xlsx`; `application/octet-stream` or
//! `text/csv`) or the `file` part of a `multipart/form-data` body. The format is decided by the
//! file's content and then its name, never by the Content-Type alone.

use crate::extract::{parse_query, Caller};
use crate::{ApiError, WebState};
use access::Action;
use app::import::{ImportReport, RowError};
use app::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use registry::{Lang, Problem};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct ImportQuery {
    filename: Option<String>,
}

#[derive(Serialize)]
pub struct RowErrorJson {
    row: usize,
    column: String,
    message: String,
}

impl From<RowError> for RowErrorJson {
    fn from(e: RowError) -> RowErrorJson {
        RowErrorJson {
            row: e.row,
            column: e.column,
            message: e.message,
        }
    }
}

/// The import report; `warnings` lists columns that were ignored.
#[derive(Serialize)]
pub struct ImportJson {
    batch_id: String,
    total_rows: usize,
    stored: usize,
    skipped: usize,
    resumed_from_row: usize,
    errors: Vec<RowErrorJson>,
    warnings: Vec<RowErrorJson>,
}

impl From<ImportReport> for ImportJson {
    fn from(r: ImportReport) -> ImportJson {
        ImportJson {
            batch_id: r.batch_id,
            total_rows: r.total_rows,
            stored: r.stored,
            skipped: r.skipped,
            resumed_from_row: r.resumed_from_row,
            errors: r.errors.into_iter().map(Into::into).collect(),
            warnings: r.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

pub async fn upload(
    State(state): State<WebState>,
    caller: Caller,
    request: Request,
) -> Result<Json<ImportJson>, ApiError> {
    let lang = caller.lang;
    // Refuse before receiving a file the caller may not import.
    caller
        .actor
        .require(&state.app, Action::ImportElders)
        .await
        .map_err(|e| ApiError::new(e, lang))?;
    let query: ImportQuery = parse_query(request.uri().query(), lang)?;
    let (file_name, bytes) = received_file(request, &state, query.filename, lang).await?;
    let report = state
        .app
        .import_elders(&caller.actor, &file_name, &bytes, lang, &|_, _| {})
        .await
        .map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(report.into()))
}

/// The file's name and bytes, from a multipart `file` part or the whole body.
async fn received_file(
    request: Request,
    state: &WebState,
    query_name: Option<String>,
    lang: Lang,
) -> Result<(String, Bytes), ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|r| upload_error(r.status(), lang))?;
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| upload_error(e.status(), lang))?
        {
            if part.name() != Some("file") {
                continue;
            }
            let name = part
                .file_name()
                .map(str::to_string)
                .filter(|n| !n.trim().is_empty())
                .or(query_name)
                .unwrap_or_default();
            let bytes = part
                .bytes()
                .await
                .map_err(|e| upload_error(e.status(), lang))?;
            return Ok((name, bytes));
        }
        return Err(ApiError::new(
            AppError::field("file", Problem::Required),
            lang,
        ));
    }
    let name = query_name.unwrap_or_else(|| {
        if content_type.starts_with("text/csv") {
            "upload.csv".into()
        } else {
            String::new()
        }
    });
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|r| upload_error(r.status(), lang))?;
    Ok((name, bytes))
}

/// A body that could not be received: too large, or a malformed multipart body.
fn upload_error(status: StatusCode, lang: Lang) -> ApiError {
    let problem = if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::Invalid {
            zh: "文件超过服务器允许的上传大小，请拆分后分别导入".into(),
            en: "is larger than the server accepts; split it and import the parts".into(),
        }
    } else {
        Problem::Invalid {
            zh: "上传内容无法读取（multipart 格式不正确或传输中断）".into(),
            en: "could not be received (malformed multipart body or interrupted upload)".into(),
        }
    };
    ApiError::new(AppError::field("file", problem), lang)
}
