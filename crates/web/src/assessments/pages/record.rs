//! One assessment: its page, the second assessor's confirmation, return for correction.

use super::*;

pub struct Meta {
    pub id: String,
    pub elder_id: String,
    pub elder_name: String,
    pub instrument_name: String,
    pub assessed_on: String,
    pub place: String,
    pub reason: String,
    pub status: String,
    pub awaiting: bool,
    /// Sent back for correction or taken back by the signer: it never counts.
    pub returned: bool,
    pub returned_by: String,
    pub return_reason: String,
    pub assessor: String,
    pub signed_at: String,
    pub second_assessor: String,
    pub confirmed_at: String,
    /// The day of the confirmation, for the signature line.
    pub confirmed_on: String,
    pub needs_second: bool,
    pub next_due_on: String,
    pub note: String,
}

pub(crate) fn meta_of(view: &AssessmentView, lang: Lang) -> Meta {
    let r = &view.row;
    let instrument = view.instrument();
    Meta {
        id: r.id.clone(),
        elder_id: r.elder_id.clone(),
        elder_name: r.elder_name.clone(),
        instrument_name: instrument_name(&r.instrument_id, lang),
        assessed_on: r.assessed_on.clone(),
        place: r.place.label(lang).to_string(),
        reason: r.reason.label(lang).to_string(),
        status: r.status.label(lang).to_string(),
        awaiting: r.status == Status::AwaitingConfirmation,
        returned: r.status == Status::Returned,
        returned_by: r.returned_by_name.clone().unwrap_or_default(),
        return_reason: r.return_reason.clone().unwrap_or_default(),
        assessor: r.assessor_name.clone(),
        signed_at: app::local_time_text(&r.signed_at),
        second_assessor: r.second_assessor_name.clone().unwrap_or_default(),
        confirmed_at: r
            .confirmed_at
            .as_deref()
            .map(app::local_time_text)
            .unwrap_or_default(),
        confirmed_on: r
            .confirmed_at
            .as_deref()
            .map(|t| app::local_time_text(t).chars().take(10).collect())
            .unwrap_or_default(),
        needs_second: instrument.is_some_and(|i| i.needs_second_assessor),
        next_due_on: r.next_due_on.clone().unwrap_or_default(),
        note: r.note.clone().unwrap_or_default(),
    }
}

pub(crate) fn groups_of_view(view: &AssessmentView, lang: Lang) -> Vec<AnswerGroup> {
    match view.instrument() {
        Some(i) => answer_groups(i, &view.answers, lang),
        None => vec![AnswerGroup {
            code: String::new(),
            name: t(lang, "条目").into(),
            subtotal: String::new(),
            lines: view
                .answers
                .iter()
                .map(|(k, v)| AnswerLine {
                    code: k.clone(),
                    name: String::new(),
                    answer: v.to_string(),
                    score: String::new(),
                })
                .collect(),
        }],
    }
}

#[derive(Template)]
#[template(path = "assessments/view.html")]
pub(crate) struct ViewPage {
    pub(crate) ui: Ui,
    pub(crate) m: Meta,
    pub(crate) result: ResultView,
    pub(crate) groups: Vec<AnswerGroup>,
    pub(crate) can_confirm: bool,
    pub(crate) own_awaiting: bool,
    /// An assessor may send it back (or, as the signer, take it back) while it waits.
    pub(crate) can_return: bool,
    pub(crate) confirm_error: Vec<String>,
}

pub(crate) async fn view_page(
    state: &WebState,
    session: &Session,
    id: &str,
    confirm_error: Vec<String>,
) -> Result<ViewPage, Refusal> {
    let lang = session.lang;
    let view = session
        .run(state.app.get_assessment(&session.actor, id))
        .await?;
    let m = meta_of(&view, lang);
    let awaiting = m.awaiting;
    let signer = view.row.assessor_id == session.actor.user_id();
    Ok(ViewPage {
        ui: session.ui(Section::Assessments),
        result: ResultView::from_json(view.instrument(), &view.result, lang),
        groups: groups_of_view(&view, lang),
        can_confirm: awaiting && !signer && session.actor.may(Action::ConfirmAssessment),
        own_awaiting: awaiting && signer,
        can_return: awaiting && session.actor.may(Action::ConfirmAssessment),
        confirm_error,
        m,
    })
}

/// `GET /assessments/{id}`.
pub async fn view(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let page = view_page(&state, &session, &id, Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /assessments/{id}/confirm`: the second assessor's confirmation.
pub async fn confirm(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form: _ }: CsrfForm,
) -> PageResult {
    let done = state.app.confirm_assessment(&session.actor, &id).await;
    after_change(&state, &session, &id, done).await
}

/// The assessment's page after a confirmation or a return: redirected there, or shown again
/// with the reason it was refused.
pub(crate) async fn after_change(
    state: &WebState,
    session: &Session,
    id: &str,
    done: Result<(), AppError>,
) -> PageResult {
    match done {
        Ok(()) => Ok(see_other(&format!("/assessments/{id}"))),
        Err(e @ (AppError::Invalid(_) | AppError::Stale)) => {
            let messages = crate::error::messages(&e, session.lang)
                .into_iter()
                .map(|(field, m)| {
                    if field == "reason" {
                        format!("{}{}", t(session.lang, "退回原因"), m)
                    } else {
                        m
                    }
                })
                .collect();
            let page = view_page(state, session, id, messages).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(session.refuse(&other)),
    }
}

/// `POST /assessments/{id}/return`: back for correction, with a reason.
pub async fn return_for_correction(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let reason = form.text("reason");
    let done = state
        .app
        .return_assessment(&session.actor, &id, Some(reason.as_str()))
        .await;
    after_change(&state, &session, &id, done).await
}
