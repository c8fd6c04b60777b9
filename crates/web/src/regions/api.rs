//! `/api/v1/regions`: the division tree, one level at a time.

use crate::extract::{parse_query, Caller};
use crate::kit::ListBody;
use crate::{ApiError, WebState};
use app::regions::RegionRow;
use app::AppError;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct RegionJson {
    code: String,
    name: String,
    level: String,
    parent_code: Option<String>,
}

impl From<RegionRow> for RegionJson {
    fn from(r: RegionRow) -> RegionJson {
        let display = region::display_code_of;
        RegionJson {
            code: display(&r.code),
            name: r.name,
            level: r.level,
            parent_code: r.parent_code.as_deref().map(display),
        }
    }
}

#[derive(Deserialize)]
pub struct ListParams {
    parent: Option<String>,
}

/// `GET /api/v1/regions?parent=CODE`: the children of a region (provinces without `parent`).
pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<ListBody<RegionJson>>, ApiError> {
    let params: ListParams = parse_query(uri.query(), caller.lang)?;
    let rows = caller
        .run(state.app.region_children(
            &caller.actor,
            params.parent.as_deref().filter(|p| !p.is_empty()),
        ))
        .await?;
    let items: Vec<RegionJson> = rows.into_iter().map(RegionJson::from).collect();
    Ok(ListBody::all(items))
}

pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<RegionJson>, ApiError> {
    let row = caller
        .run(state.app.region(&code))
        .await?
        .ok_or(ApiError::new(AppError::NotFound, caller.lang))?;
    Ok(Json(row.into()))
}
