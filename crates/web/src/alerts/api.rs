//! `/api/v1/alerts`: the list in the caller's scope, one alert with its timeline, notifications
//! and 120 dispatches, acknowledging and resolving, and the live stream (server-sent events).

use crate::api::{ListBody, OrApi};
use crate::extract::{parse_json, Caller};
use crate::kit::{ListFilter, ListQuery};
use crate::{ApiError, WebState};
use access::Action;
use app::monitoring::alerts::AlertQuery;
use app::monitoring::AlertRow;
use app::monitoring::{AlertView, LiveAlert};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::Stream;
use registry::Lang;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Serialize)]
pub struct AlertJson {
    id: String,
    elder_id: String,
    elder_name: String,
    region_code: Option<String>,
    rule: String,
    severity: &'static str,
    /// `open`, `acknowledged` or `resolved`.
    status: &'static str,
    /// In the request's language.
    message: String,
    message_zh: String,
    message_en: String,
    device_id: Option<String>,
    reading_seq: Option<i64>,
    occurrences: i64,
    opened_at: String,
    last_seen_at: String,
    escalation_level: i64,
    next_escalation_at: Option<String>,
    acknowledged_at: Option<String>,
    acknowledged_by: Option<String>,
    resolved_at: Option<String>,
    resolved_by: Option<String>,
    resolution_note: Option<String>,
}

impl AlertJson {
    fn new(row: AlertRow, lang: Lang) -> AlertJson {
        AlertJson {
            message: lang.pick(&row.message_zh, &row.message_en).to_string(),
            id: row.id,
            elder_id: row.elder_id,
            elder_name: row.elder_name,
            region_code: row.region_code,
            rule: row.rule,
            severity: row.severity.code(),
            status: row.status.code(),
            message_zh: row.message_zh,
            message_en: row.message_en,
            device_id: row.device_id,
            reading_seq: row.reading_seq,
            occurrences: row.occurrences,
            opened_at: row.opened_at,
            last_seen_at: row.last_seen_at,
            escalation_level: row.escalation_level,
            next_escalation_at: row.next_escalation_at,
            acknowledged_at: row.acknowledged_at,
            acknowledged_by: row.acknowledged_by,
            resolved_at: row.resolved_at,
            resolved_by: row.resolved_by,
            resolution_note: row.resolution_note,
        }
    }
}

#[derive(Serialize)]
pub struct EventJson {
    at: String,
    /// `opened`, `severity_raised`, `acknowledged`, `resolved`, `escalated_team`, ...
    kind: String,
    actor: Option<String>,
    detail: Option<String>,
}

#[derive(Serialize)]
pub struct NotificationJson {
    channel: &'static str,
    /// Masked.
    recipient: String,
    recipient_name: Option<String>,
    created_at: String,
    sent_at: Option<String>,
}

#[derive(Serialize)]
pub struct DispatchJson {
    id: String,
    address: Option<String>,
    /// Masked.
    phone: Option<String>,
    reason: String,
    status: &'static str,
    created_at: String,
}

/// One alert as `GET /api/v1/alerts/{id}` shows it.
#[derive(Serialize)]
pub struct AlertDetailJson {
    #[serde(flatten)]
    alert: AlertJson,
    timeline: Vec<EventJson>,
    notifications: Vec<NotificationJson>,
    dispatches: Vec<DispatchJson>,
}

impl AlertDetailJson {
    fn new(view: AlertView, lang: Lang) -> AlertDetailJson {
        AlertDetailJson {
            alert: AlertJson::new(view.row, lang),
            timeline: view
                .events
                .into_iter()
                .map(|e| EventJson {
                    at: e.at,
                    kind: e.kind,
                    actor: e.actor,
                    detail: e.detail,
                })
                .collect(),
            notifications: view
                .outbox
                .into_iter()
                .map(|o| NotificationJson {
                    channel: o.channel.code(),
                    recipient: o.recipient,
                    recipient_name: o.recipient_name,
                    created_at: o.created_at,
                    sent_at: o.sent_at,
                })
                .collect(),
            dispatches: view
                .dispatches
                .into_iter()
                .map(|d| DispatchJson {
                    id: d.id,
                    address: d.address,
                    phone: d.phone,
                    reason: d.reason,
                    status: d.status.code(),
                    created_at: d.created_at,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    status: Option<String>,
    severity: Option<String>,
    elder_id: Option<String>,
    region: Option<String>,
}

impl ListFilter for ListParams {
    type Checked = AlertQuery;
    fn check(self, _: &mut Vec<registry::FieldError>) -> AlertQuery {
        AlertQuery {
            status: self.status,
            severity: self.severity,
            elder_id: self.elder_id,
            region: self.region,
        }
    }
}

/// `GET /api/v1/alerts?status=&severity=&elder_id=&region=&page=&per_page=`: unresolved
/// first, then the most severe, then the latest.
pub async fn list(
    State(state): State<WebState>,
    caller: Caller,
    ListQuery {
        page,
        filter: query,
        ..
    }: ListQuery<ListParams>,
) -> Result<Json<ListBody<AlertJson>>, ApiError> {
    let found = state.app.list_alerts(&caller.actor, &query, page).await;
    ListBody::answer(found, page, caller.lang, |v| {
        AlertJson::new(v.row, caller.lang)
    })
}

/// `GET /api/v1/alerts/{id}`
pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AlertDetailJson>, ApiError> {
    let view = caller.run(state.app.get_alert(&caller.actor, &id)).await?;
    Ok(Json(AlertDetailJson::new(view, caller.lang)))
}

/// `POST /api/v1/alerts/{id}/acknowledge` (no body needed): someone has taken it on; its
/// escalation stops.
pub async fn acknowledge(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AlertDetailJson>, ApiError> {
    let view = caller
        .run(state.app.acknowledge_alert(&caller.actor, &id))
        .await?;
    Ok(Json(AlertDetailJson::new(view, caller.lang)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    note: Option<String>,
}

/// `POST /api/v1/alerts/{id}/resolve` with `{"note"}` (required): how it was dealt with.
pub async fn resolve(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<AlertDetailJson>, ApiError> {
    let body: ResolveBody = if body.iter().all(u8::is_ascii_whitespace) {
        ResolveBody::default()
    } else {
        parse_json(&body, caller.lang)?
    };
    let view = caller
        .run(
            state
                .app
                .resolve_alert(&caller.actor, &id, body.note.as_deref().unwrap_or("")),
        )
        .await?;
    Ok(Json(AlertDetailJson::new(view, caller.lang)))
}

#[derive(Serialize)]
struct LiveJson<'a> {
    alert_id: &'a str,
    /// `opened`, `updated`, `severity_raised`, `acknowledged`, `resolved`, `escalated`.
    event: &'a str,
    elder_id: &'a str,
    elder_name: &'a str,
    rule: &'a str,
    severity: &'a str,
    status: &'a str,
    message: &'a str,
    at: String,
}

fn live_event(notice: &LiveAlert, lang: Lang) -> Event {
    let data = LiveJson {
        alert_id: &notice.alert_id,
        event: notice.event,
        elder_id: &notice.elder_id,
        elder_name: &notice.elder_name,
        rule: &notice.rule,
        severity: notice.severity.code(),
        status: notice.status.code(),
        message: lang.pick(&notice.message_zh, &notice.message_en),
        at: app::time_text(notice.at),
    };
    let event = Event::default().event("alert");
    match event.json_data(&data) {
        Ok(event) => event,
        // Serializing these strings cannot fail; keep the stream alive if it ever does.
        Err(_) => Event::default().comment("unserializable notice"),
    }
}

/// `GET /api/v1/alerts/stream`: `event: alert` for every change to an alert in the caller's
/// scope, as it happens (after the change is committed), with a keep-alive comment every 15 s.
/// A client that falls behind misses notices rather than stalling the others; it reloads the
/// list to catch up.
pub async fn stream(
    State(state): State<WebState>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller
        .actor
        .require(&state.app, Action::ReadMonitoring)
        .await
        .or_api(caller.lang)?;
    let lang = caller.lang;
    let events = crate::alerts::live::alert_events(
        &state.app,
        caller.actor,
        caller.token,
        move |notice: &LiveAlert| live_event(notice, lang),
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
