//! `/api/v1/elders/{id}/thresholds`: the alert thresholds of one elder, and the doctor's
//! changes to them.

use crate::extract::Caller;
use crate::kit::JsonBody;
use crate::{ApiError, WebState};
use app::monitoring::thresholds::thresholds_map as values_json;
use app::monitoring::thresholds::ThresholdsView;
use axum::extract::{Path, State};
use axum::Json;
use monitoring::Thresholds;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Serialize)]
pub struct ThresholdsJson {
    /// In force for this elder.
    thresholds: Map<String, Value>,
    /// The guidelines' values, where no doctor has changed them.
    defaults: Map<String, Value>,
    set_by: Option<String>,
    set_at: Option<String>,
}

impl From<ThresholdsView> for ThresholdsJson {
    fn from(v: ThresholdsView) -> ThresholdsJson {
        ThresholdsJson {
            thresholds: values_json(&v.values),
            defaults: values_json(&Thresholds::default()),
            set_by: v.set_by,
            set_at: v.set_at,
        }
    }
}

/// `GET /api/v1/elders/{id}/thresholds`
pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
) -> Result<Json<ThresholdsJson>, ApiError> {
    caller
        .json(state.app.elder_thresholds(&caller.actor, &elder_id))
        .await
}

/// `PUT /api/v1/elders/{id}/thresholds` with some thresholds by name
/// (`{"bp_alert_systolic": 150}`); the others keep their values. The elder's doctor only.
pub async fn set(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
    JsonBody(changes): JsonBody<Map<String, Value>>,
) -> Result<Json<ThresholdsJson>, ApiError> {
    caller
        .json(
            state
                .app
                .set_elder_thresholds(&caller.actor, &elder_id, &changes),
        )
        .await
}
