//! Record grants over HTTP: `POST|GET /api/v1/elders/{id}/grants` and
//! `DELETE /api/v1/elders/{id}/grants/{grant_id}`. Who may grant, and what a grant opens, is
//! decided in `app::grants`; this folder only translates.

use crate::extract::{parse_json, Caller};
use crate::{ApiError, WebState};
use access::grant::{GrantRequest, Grantee};
use app::grants::GrantView;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    organization_id: Option<String>,
    user_id: Option<String>,
    reason: Option<String>,
    /// RFC 3339, or `YYYY-MM-DD` for the end of that day in Asia/Shanghai.
    until: Option<String>,
}

#[derive(Serialize)]
pub struct CreatedBody {
    id: String,
}

#[derive(Serialize)]
pub struct GrantJson {
    id: String,
    elder_id: String,
    organization_id: Option<String>,
    user_id: Option<String>,
    /// The organization's name or the user's username.
    grantee_name: Option<String>,
    reason: String,
    starts_at: String,
    until: String,
    granted_by: String,
    revoked_at: Option<String>,
    /// `active`, `expired` or `revoked`.
    status: &'static str,
}

impl From<GrantView> for GrantJson {
    fn from(g: GrantView) -> GrantJson {
        let (organization_id, user_id) = match g.grantee {
            Grantee::Organization(org) => (Some(org), None),
            Grantee::User(user) => (None, Some(user)),
        };
        GrantJson {
            id: g.id,
            elder_id: g.elder_id,
            organization_id,
            user_id,
            grantee_name: g.grantee_name,
            reason: g.reason,
            starts_at: g.starts_at,
            until: g.until,
            granted_by: g.granted_by_name,
            revoked_at: g.revoked_at,
            status: g.status.code(),
        }
    }
}

#[derive(Serialize)]
pub struct GrantList {
    items: Vec<GrantJson>,
    total: usize,
}

pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<CreatedBody>), ApiError> {
    let body: GrantBody = parse_json(&body, caller.lang)?;
    let request = GrantRequest {
        organization_id: body.organization_id,
        user_id: body.user_id,
        reason: body.reason,
        until: body.until,
    };
    let id = caller
        .run(state.app.create_grant(&caller.actor, &elder_id, &request))
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedBody { id })))
}

pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
) -> Result<Json<GrantList>, ApiError> {
    let items: Vec<GrantJson> = caller
        .run(state.app.list_grants(&caller.actor, &elder_id))
        .await?
        .into_iter()
        .map(GrantJson::from)
        .collect();
    Ok(Json(GrantList {
        total: items.len(),
        items,
    }))
}

pub async fn revoke(
    State(state): State<WebState>,
    caller: Caller,
    Path((elder_id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller
        .run(state.app.revoke_grant(&caller.actor, &elder_id, &grant_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
