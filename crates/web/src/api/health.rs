use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// Liveness, database reachability and the supervised background tasks: 503 while the
/// database is unreachable or a required task (ingest writer, MQTT subscriber, escalation,
/// monitoring sweep) is not running.
pub async fn healthz(State(state): State<WebState>) -> (StatusCode, Json<serde_json::Value>) {
    let database = state.app.database_ok().await;
    let report = state.app.tasks().report();
    let tasks_up = report.iter().all(|t| !t.is_down());
    let healthy = database && tasks_up;
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let tasks: serde_json::Map<String, serde_json::Value> = report
        .iter()
        .map(|t| (t.name.to_string(), t.state.code().into()))
        .collect();
    (
        status,
        Json(serde_json::json!({
            "status": if healthy { "ok" } else { "degraded" },
            "database": state.app.backend_name(),
            "database_reachable": database,
            "tasks": tasks,
            "version": env!("CARGO_PKG_VERSION"),
        })),
    )
}
