//! `/api/v1/outbox`: the SMS/WeChat gateway's queue. The gateway (an admin account) reads the
//! messages not yet sent, with the full recipient number, sends them and reports each one.

use crate::api::{check, int_param};
use crate::extract::{parse_query, Caller};
use crate::{ApiError, WebState};
use app::monitoring::outbox::{DEFAULT_OUTBOX, MAX_OUTBOX};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
struct OutboxParams {
    channel: Option<String>,
    limit: Option<String>,
}

#[derive(Serialize)]
pub struct OutboxJson {
    id: String,
    alert_id: Option<String>,
    /// `sms` or `wechat`.
    channel: &'static str,
    /// The full phone number: the gateway sends to it.
    recipient: String,
    recipient_name: Option<String>,
    /// The SMS text, or the WeChat template message as JSON text.
    body: String,
    created_at: String,
    attempts: i64,
}

/// `GET /api/v1/outbox?channel=sms|wechat&limit=`: unsent messages, oldest first.
pub async fn pending(
    State(state): State<WebState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let params: OutboxParams = parse_query(uri.query(), caller.lang)?;
    let mut errors = Vec::new();
    let limit =
        int_param(&mut errors, "limit", &params.limit, 1, MAX_OUTBOX).unwrap_or(DEFAULT_OUTBOX);
    check(errors, caller.lang)?;
    let rows = caller
        .run(
            state
                .app
                .pending_outbox(&caller.actor, params.channel.as_deref(), limit),
        )
        .await?;
    let items: Vec<OutboxJson> = rows
        .into_iter()
        .map(|r| OutboxJson {
            id: r.id,
            alert_id: r.alert_id,
            channel: r.channel.code(),
            recipient: r.recipient,
            recipient_name: r.recipient_name,
            body: r.body,
            created_at: r.created_at,
            attempts: r.attempts,
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/outbox/{id}/sent` → 204; 404 when there is no such unsent message.
pub async fn sent(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller
        .run(state.app.mark_outbox_sent(&caller.actor, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
