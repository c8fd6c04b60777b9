//! The audit log (system administrators): search by user, action, record and date range; times
//! in Asia/Shanghai.

use crate::audit::api::time_bound;
use crate::kit::text;
use crate::kit::{filtered_rows, ui_page, Filters};
use crate::ui::form::enum_options;
use crate::ui::form::{page_links, FormErrors, Opt, PageLink};
use crate::ui::{render, t, thousands, PageResult, Section, Session, Ui};
use crate::WebState;
use access::{Action, AuditAction, AuditOutcome, Role};
use app::audit_log::AuditFilter;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use registry::Lang;
use serde::Deserialize;

const PER_PAGE: i64 = 50;

/// The API's filters and the page number.
#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(flatten)]
    filter: crate::audit::api::Params,
    page: Option<String>,
}

pub struct AuditLine {
    pub at: String,
    pub username: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub target_href: Option<String>,
    pub ip: String,
    pub denied: bool,
    pub outcome: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit/page.html")]
struct AuditPage {
    ui: Ui,
    username: String,
    target_id: String,
    from: String,
    to: String,
    actions: Vec<Opt>,
    errors: FormErrors,
    lines: Vec<AuditLine>,
    total: String,
    pages: Vec<PageLink>,
}

fn field_label(field: &str, lang: Lang) -> String {
    match field {
        "username" => t(lang, "用户名"),
        "action" => t(lang, "操作"),
        "target_id" => t(lang, "记录编号"),
        "from" => t(lang, "起始日期"),
        "to" => t(lang, "截止日期"),
        _ => t(lang, "页码"),
    }
    .to_string()
}

pub async fn page(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<Params>,
) -> PageResult {
    let lang = session.lang;
    // Refuse before looking at the filters, so that a refused role never sees the form.
    session.require(&state.app, Action::ReadAudit).await?;
    let mut errors = Vec::new();
    let page = ui_page(&mut errors, &params.page, PER_PAGE);
    let from = time_bound(&mut errors, "from", &params.filter.from, false);
    let to = time_bound(&mut errors, "to", &params.filter.to, true);
    let nonempty = |v: &Option<String>| Some(text(v)).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        username: nonempty(&params.filter.username),
        action: nonempty(&params.filter.action),
        target_id: nonempty(&params.filter.target_id),
        from,
        to,
        ..Default::default()
    };
    let found = state.app.search_audit(&session.actor, filter, page);
    let filters = ["username", "action", "target_id", "from", "to"];
    let (rows, total, form_errors) =
        filtered_rows(&session, errors, found, &filters, field_label).await?;
    let lines = rows
        .into_iter()
        .map(|r| {
            let target_href = match (r.target_kind.as_deref(), r.target_id.as_deref()) {
                (Some("elder"), Some(id)) => Some(format!("/elders/{id}")),
                (Some("organization"), Some(id)) => Some(format!("/orgs/{id}")),
                (Some("user"), Some(id)) => Some(format!("/users/{id}/edit")),
                _ => None,
            };
            AuditLine {
                at: app::local_time_text(&r.at),
                username: r.username.unwrap_or_default(),
                role: r
                    .role
                    .as_deref()
                    .and_then(Role::parse)
                    .map(|role| role.label(lang).to_string())
                    .unwrap_or_default(),
                action: AuditAction::parse(&r.action)
                    .map(|a| a.label(lang).to_string())
                    .unwrap_or(r.action),
                target: r.target_id.unwrap_or_default(),
                target_href,
                ip: r.ip.unwrap_or_default(),
                denied: r.outcome == AuditOutcome::Denied,
                outcome: if r.outcome == AuditOutcome::Ok {
                    t(lang, "成功").to_string()
                } else {
                    t(lang, "拒绝").to_string()
                },
                detail: r.detail.unwrap_or_default(),
            }
        })
        .collect();
    let current = [
        ("username", text(&params.filter.username)),
        ("action", text(&params.filter.action)),
        ("target_id", text(&params.filter.target_id)),
        ("from", text(&params.filter.from)),
        ("to", text(&params.filter.to)),
    ];
    let page = AuditPage {
        username: text(&params.filter.username),
        target_id: text(&params.filter.target_id),
        from: text(&params.filter.from),
        to: text(&params.filter.to),
        actions: enum_options!(
            AuditAction,
            lang,
            &text(&params.filter.action),
            t(lang, "不限")
        ),
        errors: form_errors,
        lines,
        total: thousands(total),
        pages: page_links("/audit", &current, page, total, lang),
        ui: session.ui(Section::Audit),
    };
    Ok(render(StatusCode::OK, &page))
}
