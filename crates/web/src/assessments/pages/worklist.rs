//! The assessor's worklist.

use super::*;

pub struct DueLine {
    pub elder_id: String,
    pub elder_name: String,
    pub region: String,
    pub instrument_name: String,
    pub assessed_on: String,
    pub band: String,
    pub due_on: String,
    pub overdue: bool,
    /// Where to start the reassessment; empty when this user may not record the instrument.
    pub start: String,
}

pub struct RequestLine {
    pub elder_id: String,
    pub elder_name: String,
    pub instrument_name: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    pub start: String,
}

pub struct AwaitingLine {
    pub id: String,
    pub elder_id: String,
    pub elder_name: String,
    pub instrument_name: String,
    pub assessed_on: String,
    pub assessor: String,
    pub result: String,
    pub can_confirm: bool,
    pub own: bool,
}

#[derive(Template)]
#[template(path = "assessments/worklist.html")]
pub(crate) struct WorklistPage {
    pub(crate) ui: Ui,
    pub(crate) windows: Vec<Opt>,
    pub(crate) due_note: String,
    pub(crate) due_total: String,
    pub(crate) due: Vec<DueLine>,
    /// Pages of the due list, soonest first.
    pub(crate) pages: Vec<crate::ui::form::PageLink>,
    pub(crate) requests: Vec<RequestLine>,
    pub(crate) awaiting: Vec<AwaitingLine>,
    pub(crate) show_stats: bool,
    pub(crate) errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct WorklistParams {
    pub(crate) within_days: Option<String>,
    pub(crate) page: Option<String>,
}

pub(crate) fn start_link(
    session: &Session,
    elder_id: &str,
    instrument_id: &str,
    reason: &str,
) -> String {
    let allowed = session.actor.may(Action::Assess)
        && instrument(instrument_id).is_some_and(|i| {
            i.recordable && (!i.assessor_only || session.actor.role() == Role::Assessor)
        });
    if allowed {
        format!(
            "/elders/{elder_id}/assessments/new?{}",
            query(&[("instrument", instrument_id), ("reason", reason)])
        )
    } else {
        String::new()
    }
}

/// `GET /assessments`: reassessments due, requests after a change of condition, and
/// assessments waiting for a second assessor.
pub async fn worklist(
    State(state): State<WebState>,
    session: Session,
    Filters(params): Filters<WorklistParams>,
) -> PageResult {
    let lang = session.lang;
    let mut problems = Vec::new();
    let days = crate::api::int_param(&mut problems, "within_days", &params.within_days, 0, 366)
        .unwrap_or(30);
    let page_number = crate::api::int_param(&mut problems, "page", &params.page, 1, 1_000_000);
    let due_page = app::Page::new(page_number, Some(DUE_PER_PAGE));
    let errors = FormErrors::from_error(
        &AppError::Invalid(problems),
        lang,
        vec!["within_days".into()],
        |_| t(lang, "到期范围").into(),
    );
    let list = session
        .run(
            state
                .app
                .assessment_worklist(&session.actor, days, due_page),
        )
        .await?;
    let pages = crate::ui::form::page_links(
        "/assessments",
        &[("within_days", days.to_string())],
        due_page,
        list.due_total,
        lang,
    );
    let today = today(&state).to_string();
    let mut names = RegionNames::default();
    let mut due = Vec::with_capacity(list.due.len());
    for d in list.due {
        let region = match &d.region_code {
            Some(code) => names.short_path(&state.app, code).await,
            None => String::new(),
        };
        let band = instrument(&d.instrument_id)
            .and_then(|i| i.band(d.band.as_deref().unwrap_or_default()))
            .map(|b| lang.pick(&b.name_zh, &b.name_en).to_string())
            .unwrap_or_default();
        due.push(DueLine {
            start: start_link(&session, &d.elder_id, &d.instrument_id, "annual"),
            overdue: d.next_due_on < today,
            instrument_name: instrument_name(&d.instrument_id, lang),
            elder_id: d.elder_id,
            elder_name: d.elder_name,
            region,
            assessed_on: d.assessed_on,
            band,
            due_on: d.next_due_on,
        });
    }
    let requests = list
        .requests
        .into_iter()
        .map(|r| RequestLine {
            start: start_link(
                &session,
                &r.elder_id,
                &r.instrument_id,
                "change_of_condition",
            ),
            instrument_name: instrument_name(&r.instrument_id, lang),
            elder_id: r.elder_id,
            elder_name: r.elder_name,
            reason: r.reason,
            requested_by: r.requested_by_name,
            requested_at: app::local_time_text(&r.requested_at),
        })
        .collect();
    let awaiting = list
        .awaiting
        .iter()
        .map(|v| {
            let own = v.row.assessor_id == session.actor.user_id();
            AwaitingLine {
                id: v.row.id.clone(),
                elder_id: v.row.elder_id.clone(),
                elder_name: v.row.elder_name.clone(),
                instrument_name: instrument_name(&v.row.instrument_id, lang),
                assessed_on: v.row.assessed_on.clone(),
                assessor: v.row.assessor_name.clone(),
                result: summary_of(&v.result, lang),
                can_confirm: !own && session.actor.may(Action::ConfirmAssessment),
                own,
            }
        })
        .collect();
    let current = days.to_string();
    let mut windows: Vec<Opt> = [0, 30, 60, 90, 180, 365]
        .iter()
        .map(|d| {
            let label = match (d, lang) {
                (0, Lang::Zh) => "已到期".to_string(),
                (0, Lang::En) => "due now".to_string(),
                (d, Lang::Zh) => format!("{d} 天内到期"),
                (d, Lang::En) => format!("due within {d} days"),
            };
            Opt::new(d.to_string(), label, &current)
        })
        .collect();
    if !windows.iter().any(|o| o.selected) {
        windows.push(Opt::new(current.clone(), current.clone(), &current));
    }
    let page = WorklistPage {
        ui: session.ui(Section::Assessments),
        windows,
        due_note: match lang {
            Lang::Zh => format!("截至 {} 到期", list.due_by),
            Lang::En => format!("Due by {}", list.due_by),
        },
        pages,
        due_total: thousands(list.due_total),
        due,
        requests,
        awaiting,
        show_stats: matches!(session.actor.role(), Role::Supervisor | Role::Admin),
        errors,
    };
    Ok(render(StatusCode::OK, &page))
}
