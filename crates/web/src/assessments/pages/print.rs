//! The printable report in the layout of the official form.

use super::*;

#[derive(Template)]
#[template(path = "assessments/print.html")]
pub(crate) struct PrintPage {
    pub(crate) ui: Ui,
    pub(crate) m: Meta,
    pub(crate) gbt: bool,
    pub(crate) result: ResultView,
    pub(crate) groups: Vec<AnswerGroup>,
    pub(crate) sex: String,
    pub(crate) birth_date: String,
    pub(crate) id_number: String,
}

/// `GET /assessments/{id}/print`: the report in the layout of the official form.
pub async fn print(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let lang = session.lang;
    let view = session
        .run(state.app.get_assessment(&session.actor, &id))
        .await?;
    let elder = session
        .run(state.app.get_elder(&session.actor, &view.row.elder_id))
        .await?;
    let page = PrintPage {
        ui: session.ui(Section::Assessments),
        m: meta_of(&view, lang),
        gbt: view.row.instrument_id == GBT,
        result: ResultView::from_json(view.instrument(), &view.result, lang),
        groups: groups_of_view(&view, lang),
        sex: registry::Sex::parse(&elder.sex)
            .map(|s| s.label(lang).to_string())
            .unwrap_or_default(),
        birth_date: elder
            .birth_date
            .unwrap_or_else(|| format!("{} {}", elder.age, t(lang, "岁"))),
        id_number: elder.id_number,
    };
    Ok(render(StatusCode::OK, &page))
}
