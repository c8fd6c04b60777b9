//! `/api/v1/devices`: register a home device bound to an elder (its credential is shown once),
//! list, read, bind anew, unbind.

use crate::api::ListBody;
use crate::extract::Caller;
use crate::kit::JsonBody;
use crate::kit::{ListFilter, ListQuery};
use crate::{ApiError, WebState};
use app::monitoring::{DeviceView, RegisteredDevice};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct DeviceJson {
    device_id: String,
    kind: &'static str,
    elder_id: Option<String>,
    elder_name: Option<String>,
    /// `bound` or `unbound`.
    status: &'static str,
    bound_at: Option<String>,
    unbound_at: Option<String>,
    last_seen_at: Option<String>,
    /// Readings of this device refused so far.
    rejected: i64,
    /// Why the latest one was refused.
    last_rejection: Option<String>,
    created_at: String,
    /// Readings sent under a seq already used with other content.
    conflicts: i64,
    last_conflict_at: Option<String>,
}

impl From<DeviceView> for DeviceJson {
    fn from(v: DeviceView) -> DeviceJson {
        DeviceJson {
            device_id: v.id,
            kind: v.kind.code(),
            elder_id: v.elder_id,
            elder_name: v.elder_name,
            status: if v.bound { "bound" } else { "unbound" },
            bound_at: v.bound_at,
            unbound_at: v.unbound_at,
            last_seen_at: v.last_seen_at,
            rejected: v.rejected,
            last_rejection: v.last_rejection,
            created_at: v.created_at,
            conflicts: v.conflicts,
            last_conflict_at: v.last_conflict_at,
        }
    }
}

/// A device just registered or bound, with the credential it sends as `Authorization: Bearer`.
/// The credential is not stored and cannot be shown again.
#[derive(Serialize)]
pub struct RegisteredJson {
    #[serde(flatten)]
    device: DeviceJson,
    credential: String,
}

impl From<RegisteredDevice> for RegisteredJson {
    fn from(r: RegisteredDevice) -> RegisteredJson {
        RegisteredJson {
            device: r.device.into(),
            credential: r.credential,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    device_id: Option<String>,
    kind: Option<String>,
    elder_id: Option<String>,
}

/// `POST /api/v1/devices` with `{"device_id", "kind", "elder_id"}` → 201 with the credential.
pub async fn register(
    State(state): State<WebState>,
    caller: Caller,
    JsonBody(body): JsonBody<RegisterBody>,
) -> Result<(StatusCode, Json<RegisteredJson>), ApiError> {
    let registered = caller
        .run(state.app.register_device(
            &caller.actor,
            body.device_id.as_deref().unwrap_or(""),
            body.kind.as_deref().unwrap_or(""),
            body.elder_id.as_deref().unwrap_or(""),
        ))
        .await?;
    Ok((StatusCode::CREATED, Json(registered.into())))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    elder_id: Option<String>,
}

impl ListFilter for ListParams {
    type Checked = Option<String>;
    fn check(self, _: &mut Vec<registry::FieldError>) -> Option<String> {
        self.elder_id
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
    }
}

/// `GET /api/v1/devices?elder_id=&page=&per_page=`
pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    ListQuery {
        page,
        filter: elder_id,
        ..
    }: ListQuery<ListParams>,
) -> Result<Json<ListBody<DeviceJson>>, ApiError> {
    let elder_id = elder_id.as_deref();
    let found = state.app.list_devices(&caller.actor, elder_id, page).await;
    ListBody::answer(found, page, caller.lang, DeviceJson::from)
}

/// `GET /api/v1/devices/{id}`
pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DeviceJson>, ApiError> {
    caller.json(state.app.get_device(&caller.actor, &id)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindBody {
    elder_id: Option<String>,
}

/// `POST /api/v1/devices/{id}/bind` with `{"elder_id"}`: an unbound device gets a new elder and
/// a new credential.
pub async fn bind(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BindBody>,
) -> Result<Json<RegisteredJson>, ApiError> {
    caller
        .json(
            state
                .app
                .bind_device(&caller.actor, &id, body.elder_id.as_deref().unwrap_or("")),
        )
        .await
}

/// `POST /api/v1/devices/{id}/unbind` → 204; the device's readings are refused from now on.
pub async fn unbind(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller
        .run(state.app.unbind_device(&caller.actor, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
