use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// Liveness and database reachability.
pub async fn healthz(State(state): State<WebState>) -> (StatusCode, Json<serde_json::Value>) {
    let database = state.app.database_ok().await;
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({
            "status": if database { "ok" } else { "degraded" },
            "database": state.app.backend_name(),
            "database_reachable": database,
            "version": env!("CARGO_PKG_VERSION"),
        })),
    )
}
