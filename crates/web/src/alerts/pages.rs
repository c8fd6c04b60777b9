//! The live alert board: counts by severity, the unresolved alerts most severe first, and the
//! acknowledge and resolve forms. The page works as plain HTML (forms post, then redirect back);
//! `assets/alerts.js` keeps it current without reloading: it listens to `/alerts/stream`
//! (server-sent events that carry only an alert's id, event and severity, filtered by the
//! viewer's scope) and on each event fetches the board again from `/alerts/board`, which is
//! rendered, authorized and audited like the page. The alert's own page shows its timeline,
//! the notifications written for it (recipients masked) and its emergency dispatches.

use crate::kit::CsrfForm;
use crate::kit::Filters;
use crate::ui::form::{page_links, FormErrors, PageLink};
use crate::ui::{render, see_other, t, thousands, OrPage, PageResult, Section, Session, Ui};
use crate::WebState;
use access::Action;
use app::monitoring::alerts::{severity_label, status_label, AlertQuery, AlertView};
use app::monitoring::LiveAlert;
use app::{AppError, Page};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use monitoring::Severity;
use registry::Lang;
use serde::Deserialize;
use std::time::Duration;

/// The board shows at most this many unresolved alerts (the API pages through all).
const BOARD_LIMIT: i64 = Page::MAX_PER_PAGE;
const HISTORY_PER_PAGE: i64 = 30;

// ---------------------------------------------------------------------------------------------
// Labels

/// What a rule of `monitoring::rule` is called on a page.
pub fn rule_label(rule: &str, lang: Lang) -> String {
    let (zh, en) = match rule {
        "bp_crisis" => ("血压危急", "hypertensive crisis"),
        "bp_high" => ("血压偏高", "high blood pressure"),
        "hypoglycaemia" => ("低血糖", "hypoglycaemia"),
        "hyperglycaemia" => ("高血糖", "hyperglycaemia"),
        "spo2_low" => ("血氧偏低", "low oxygen saturation"),
        "temperature" => ("体温异常", "abnormal temperature"),
        "heart_rate" => ("心率异常", "abnormal heart rate"),
        "fall" => ("跌倒", "fall"),
        "sos" => ("紧急呼叫", "SOS call"),
        "bed_exit" => ("离床", "bed exit"),
        "news2" => ("NEWS2 早期预警", "NEWS2 early warning"),
        "rising_pressure" => ("血压持续升高", "rising blood pressure"),
        "silence" => ("设备长时间无数据", "device silent"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

/// The name of an event of an alert's timeline.
fn event_label(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "opened" => ("告警产生", "opened"),
        "updated" => ("再次出现", "occurred again"),
        "severity_raised" => ("级别升高", "severity raised"),
        "acknowledged" => ("已确认", "acknowledged"),
        "resolved" => ("已处置", "resolved"),
        "escalated_team" => (
            "升级：通知家庭医生团队",
            "escalated: family-doctor team notified",
        ),
        "escalated_family" => ("升级：通知家属", "escalated: family contact notified"),
        "escalated_dispatch" => ("升级：生成 120 急救派单", "escalated: 120 dispatch record"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

/// An event's detail with the severity codes the timeline stores (`warning → critical · …`)
/// named in the page's language.
fn event_detail(kind: &str, detail: &str, lang: Lang) -> String {
    if !matches!(kind, "opened" | "severity_raised") {
        return detail.to_string();
    }
    let (head, rest) = detail.split_once(" · ").unwrap_or((detail, ""));
    let head = head
        .split(' ')
        .map(|word| match word {
            "critical" | "urgent" | "warning" | "info" => {
                severity_label(app::monitoring::alerts::severity_of(word), lang)
            }
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ");
    if rest.is_empty() {
        head
    } else {
        format!("{head} · {rest}")
    }
}

/// How far the escalation chain has gone (`escalation_level` 0–3).
fn escalation_label(level: i64, lang: Lang) -> &'static str {
    match level {
        0 => t(lang, "未升级"),
        1 => t(lang, "已通知医生团队"),
        2 => t(lang, "已通知家属"),
        _ => t(lang, "已生成120派单"),
    }
}

/// `critical`, `urgent`, `warning`, `info`: the colour class of a severity.
pub fn severity_code(severity: Severity) -> &'static str {
    severity.code()
}

// ---------------------------------------------------------------------------------------------
// The board

/// One alert as the board, the elder's page and the history show it.
pub struct AlertLine {
    pub id: String,
    pub href: String,
    pub elder_href: String,
    pub elder_name: String,
    pub rule: String,
    pub message: String,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub open: bool,
    pub resolved: bool,
    pub opened_at: String,
    pub last_seen_at: String,
    pub occurrences: i64,
    pub escalation: &'static str,
    pub escalation_level: i64,
    /// `测试doctor · 2026-03-01 08:30` once acknowledged.
    pub acknowledged: String,
    pub resolved_note: String,
    pub resolved_by: String,
    /// Changes whenever the alert does, so the board script can flash a changed row.
    pub version: String,
}

impl AlertLine {
    pub fn of(view: &AlertView, lang: Lang) -> AlertLine {
        let row = &view.row;
        let when_by = |by: &Option<String>, at: &Option<String>| match (by, at) {
            (Some(by), Some(at)) => format!("{by} · {}", app::local_time_text(at)),
            (None, Some(at)) => app::local_time_text(at),
            _ => String::new(),
        };
        AlertLine {
            href: format!("/alerts/{}", row.id),
            elder_href: format!("/elders/{}", row.elder_id),
            elder_name: row.elder_name.clone(),
            rule: rule_label(&row.rule, lang),
            message: lang
                .pick(row.message_zh.as_str(), row.message_en.as_str())
                .to_string(),
            severity: severity_code(view.severity),
            severity_label: severity_label(view.severity, lang),
            status_label: status_label(row.status, lang),
            open: row.status == monitoring::AlertStatus::Open,
            resolved: row.status == monitoring::AlertStatus::Resolved,
            status: row.status.code().to_string(),
            opened_at: app::local_time_text(&row.opened_at),
            last_seen_at: app::local_time_text(&row.last_seen_at),
            occurrences: row.occurrences,
            escalation: escalation_label(row.escalation_level, lang),
            escalation_level: row.escalation_level,
            acknowledged: when_by(&row.acknowledged_by, &row.acknowledged_at),
            resolved_by: when_by(&row.resolved_by, &row.resolved_at),
            resolved_note: row.resolution_note.clone().unwrap_or_default(),
            version: format!(
                "{}|{}|{}|{}|{}",
                row.status.code(),
                row.severity.code(),
                row.occurrences,
                row.last_seen_at,
                row.escalation_level
            ),
            id: row.id.clone(),
        }
    }
}

pub struct CountCard {
    pub severity: &'static str,
    pub label: &'static str,
    pub count: String,
    pub zero: bool,
}

/// What the board fragment shows.
pub struct Board {
    pub cards: Vec<CountCard>,
    pub open: Vec<AlertLine>,
    pub acknowledged: Vec<AlertLine>,
    pub open_total: String,
    pub acknowledged_total: String,
    pub resolved_total: String,
    /// More unresolved alerts than the board shows.
    pub more: bool,
    pub can_handle: bool,
    /// Where the forms return to.
    pub next: String,
    pub updated_at: String,
}

impl Board {
    pub fn is_empty(&self) -> bool {
        self.open.is_empty() && self.acknowledged.is_empty()
    }

    /// The board's groups as (key, heading, alerts): waiting for someone, then being handled.
    pub fn groups(&self, ui: &Ui) -> [(&'static str, &'static str, &[AlertLine]); 2] {
        [
            ("open", t(ui.lang, "待处理"), &self.open),
            (
                "acknowledged",
                t(ui.lang, "已确认，处理中"),
                &self.acknowledged,
            ),
        ]
    }
}

async fn board(state: &WebState, session: &Session) -> Result<Board, crate::ui::Refusal> {
    let lang = session.lang;
    let actor = &session.actor;
    let counts = state.app.alert_counts(actor).await.or_page(session)?;
    let query = AlertQuery {
        status: Some("unresolved".into()),
        ..Default::default()
    };
    let (views, total) = session
        .run(
            state
                .app
                .list_alerts(actor, &query, Page::new(Some(1), Some(BOARD_LIMIT))),
        )
        .await?;
    let sum = |status: Option<&str>, severity: Option<&str>| -> i64 {
        counts
            .iter()
            .filter(|(st, sv, _)| {
                status.is_none_or(|s| s == st)
                    && severity.is_none_or(|s| s == sv)
                    && (status.is_some() || st != "resolved")
            })
            .map(|c| c.2)
            .sum()
    };
    let cards = [
        Severity::Critical,
        Severity::Urgent,
        Severity::Warning,
        Severity::Info,
    ]
    .into_iter()
    .map(|s| {
        let n = sum(None, Some(s.code()));
        CountCard {
            severity: s.code(),
            label: severity_label(s, lang),
            count: thousands(n),
            zero: n == 0,
        }
    })
    .collect();
    let (open, acknowledged): (Vec<AlertLine>, Vec<AlertLine>) = views
        .iter()
        .map(|v| AlertLine::of(v, lang))
        .partition(|l| l.open);
    Ok(Board {
        cards,
        more: total > views.len() as i64,
        open,
        acknowledged,
        open_total: thousands(sum(Some("open"), None)),
        acknowledged_total: thousands(sum(Some("acknowledged"), None)),
        resolved_total: thousands(sum(Some("resolved"), None)),
        can_handle: actor.may(Action::HandleAlert),
        next: "/alerts".into(),
        updated_at: state
            .app
            .now()
            .with_timezone(&app::shanghai())
            .format("%H:%M:%S")
            .to_string(),
    })
}

#[derive(Template)]
#[template(path = "alerts/board.html")]
struct BoardPage {
    ui: Ui,
    board: Board,
}

#[derive(Template)]
#[template(path = "alerts/_board.html")]
struct BoardFragment {
    ui: Ui,
    board: Board,
}

pub async fn page(State(state): State<WebState>, session: Session) -> PageResult {
    let board = board(&state, &session).await?;
    let page = BoardPage {
        ui: session.ui(Section::Alerts),
        board,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The board alone, for the script to swap in.
pub async fn fragment(State(state): State<WebState>, session: Session) -> PageResult {
    let board = board(&state, &session).await?;
    let page = BoardFragment {
        ui: session.ui(Section::Alerts),
        board,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// Live notices

/// Ends every open live stream of the board (call when the server starts shutting down).
pub fn end_streams() {
    crate::alerts::live::end_streams();
}

/// One notice of the stream: what changed, never whose or why (the board fetches that).
fn event_of(notice: &LiveAlert) -> Event {
    Event::default().event("alert").data(
        serde_json::json!({
            "alert_id": notice.alert_id,
            "event": notice.event,
            "severity": notice.severity.code(),
        })
        .to_string(),
    )
}

/// `GET /alerts/stream`: server-sent events for the board, only of alerts the viewer may see.
pub async fn stream(State(state): State<WebState>, session: Session) -> Response {
    if let Err(e) = session
        .actor
        .require(&state.app, Action::ReadMonitoring)
        .await
    {
        return session.error_page(&e);
    }
    let events = crate::alerts::live::alert_events(
        &state.app,
        session.actor.clone(),
        session.token.clone(),
        event_of,
    );
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // A proxy must pass the events on as they come.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

// ---------------------------------------------------------------------------------------------
// Resolved alerts

#[derive(Deserialize, Default)]
pub struct HistoryParams {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "alerts/history.html")]
struct HistoryPage {
    ui: Ui,
    lines: Vec<AlertLine>,
    total: String,
    pages: Vec<PageLink>,
}

pub async fn history(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<HistoryParams>,
) -> PageResult {
    let lang = session.lang;
    let page = crate::kit::ui_page_or_refuse(&session, &params.page, HISTORY_PER_PAGE)?;
    let query = AlertQuery {
        status: Some("resolved".into()),
        ..Default::default()
    };
    let (views, total) = session
        .run(state.app.list_alerts(&session.actor, &query, page))
        .await?;
    let page = HistoryPage {
        lines: views.iter().map(|v| AlertLine::of(v, lang)).collect(),
        total: thousands(total),
        pages: page_links("/alerts/history", &[], page, total, lang),
        ui: session.ui(Section::Alerts),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// One alert

pub struct EventLine {
    pub at: String,
    pub label: String,
    pub actor: String,
    pub detail: String,
    pub kind: String,
}

pub struct OutboxLine {
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub created_at: String,
    pub sent: String,
    pub attempts: i64,
}

pub struct DispatchLine {
    pub created_at: String,
    pub status: String,
    pub address: String,
    pub phone: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "alerts/detail.html")]
struct DetailPage {
    ui: Ui,
    alert: AlertLine,
    device: String,
    next_escalation: String,
    events: Vec<EventLine>,
    outbox: Vec<OutboxLine>,
    dispatches: Vec<DispatchLine>,
    can_handle: bool,
    /// Why the last action was refused (the alert changed meanwhile, …).
    problems: Vec<String>,
    note: String,
    note_errors: FormErrors,
}

pub async fn detail(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    detail_page(&state, &session, &id, None, String::new(), StatusCode::OK).await
}

async fn detail_page(
    state: &WebState,
    session: &Session,
    id: &str,
    error: Option<AppError>,
    note: String,
    status: StatusCode,
) -> PageResult {
    let lang = session.lang;
    let view = session.run(state.app.get_alert(&session.actor, id)).await?;
    let row = &view.row;
    let (note_errors, problems) = match &error {
        Some(e) => {
            let errors = FormErrors::from_error(e, lang, vec!["note".into()], |f| match f {
                "note" => t(lang, "处置说明").to_string(),
                _ => String::new(),
            });
            // Everything refused, labelled, at the top (the board's script shows this too).
            let problems = errors
                .items
                .iter()
                .map(|e| match e.label.as_str() {
                    "" => e.message.clone(),
                    label => format!("{label}{}{}", t(lang, "："), e.message),
                })
                .collect();
            (errors, problems)
        }
        None => (FormErrors::default(), Vec::new()),
    };
    let page = DetailPage {
        device: match (&row.device_id, row.reading_seq) {
            (Some(d), Some(seq)) => format!("{d} · #{seq}"),
            (Some(d), None) => d.clone(),
            _ => String::new(),
        },
        next_escalation: row
            .next_escalation_at
            .as_deref()
            .filter(|_| row.status == monitoring::AlertStatus::Open)
            .map(app::local_time_text)
            .unwrap_or_default(),
        events: view
            .events
            .iter()
            .map(|e| EventLine {
                at: app::local_time_text(&e.at),
                label: event_label(&e.kind, lang),
                actor: match e.actor.as_deref() {
                    None | Some("system") => t(lang, "系统").to_string(),
                    Some(who) => who.to_string(),
                },
                detail: event_detail(&e.kind, e.detail.as_deref().unwrap_or(""), lang),
                kind: e.kind.clone(),
            })
            .collect(),
        outbox: view
            .outbox
            .iter()
            .map(|o| OutboxLine {
                channel: o.channel.label(lang).to_string(),
                recipient: match &o.recipient_name {
                    Some(name) => format!("{name} {}", o.recipient),
                    None => o.recipient.clone(),
                },
                body: o.body.clone(),
                created_at: app::local_time_text(&o.created_at),
                sent: match &o.sent_at {
                    Some(at) => app::local_time_text(at),
                    None => String::new(),
                },
                attempts: o.attempts,
            })
            .collect(),
        dispatches: view
            .dispatches
            .iter()
            .map(|d| DispatchLine {
                created_at: app::local_time_text(&d.created_at),
                status: d.status.label(lang).to_string(),
                address: d.address.clone().unwrap_or_default(),
                phone: d.phone.clone().unwrap_or_default(),
                reason: d.reason.clone(),
            })
            .collect(),
        alert: AlertLine::of(&view, lang),
        can_handle: session.actor.may(Action::HandleAlert),
        problems,
        note,
        note_errors,
        ui: session.ui(Section::Alerts),
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------------------------------------
// Acknowledge and resolve

pub async fn acknowledge(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    match state.app.acknowledge_alert(&session.actor, &id).await {
        Ok(_) => Ok(see_other(&form.next_or(format!("/alerts/{id}")))),
        Err(e @ AppError::Invalid(_)) => {
            detail_page(
                &state,
                &session,
                &id,
                Some(e),
                String::new(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(session.refuse(&e)),
    }
}

pub async fn resolve(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let note = form.text("note");
    match state.app.resolve_alert(&session.actor, &id, &note).await {
        Ok(_) => Ok(see_other(&form.next_or(format!("/alerts/{id}")))),
        Err(e @ AppError::Invalid(_)) => {
            let status = if FormErrors::from_error(&e, session.lang, Vec::new(), |_| String::new())
                .of("note")
                .is_empty()
            {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            detail_page(&state, &session, &id, Some(e), note, status).await
        }
        Err(e) => Err(session.refuse(&e)),
    }
}

/// The elder's unresolved alerts, for the elder's page.
pub async fn of_elder(
    state: &WebState,
    session: &Session,
    elder_id: &str,
) -> Result<Vec<AlertLine>, AppError> {
    let query = AlertQuery {
        status: Some("unresolved".into()),
        elder_id: Some(elder_id.to_string()),
        ..Default::default()
    };
    let (views, _) = state
        .app
        .list_alerts(&session.actor, &query, Page::new(Some(1), Some(50)))
        .await?;
    Ok(views
        .iter()
        .map(|v| AlertLine::of(v, session.lang))
        .collect())
}
