//! `/api/v1/dashboard`: the counts on the home page.

use crate::extract::Caller;
use crate::{ApiError, WebState};
use axum::extract::State;
use axum::Json;

pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let d = caller.run(state.app.dashboard(&caller.actor)).await?;
    let c = &d.counts;
    Ok(Json(serde_json::json!({
        "elders": {
            "total": c.total, "alive": c.alive, "aged_80_plus": c.aged_80_plus, "living_alone": c.alone,
            "disabled_or_semi": c.disabled, "hypertension": c.hypertension, "diabetes": c.diabetes,
        },
        "organizations": d.organizations,
        "care_levels": d.care_levels.iter().map(|(level, n)| (level.code().to_string(), serde_json::Value::from(*n))).collect::<serde_json::Map<_, _>>(),
        "by_region": d.by_region.iter().map(|(code, name, n)| serde_json::json!({"code": code, "name": name, "elders": n})).collect::<Vec<_>>(),
        "age_bands": d.age_bands.iter().map(|(from, m, f)| serde_json::json!({"from": from, "male": m, "female": f})).collect::<Vec<_>>(),
    })))
}
