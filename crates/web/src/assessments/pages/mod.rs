//! Standardized assessments in the browser: the assessor's worklist, choosing an instrument,
//! the form (items grouped by domain, each option a large radio button, a running score from
//! `assess.js`), the review with the server's scoring and how the grade follows from it,
//! signing, the result page with the second assessor's confirmation, the printable report in
//! the layout of the official form, the panel of the elder's page and counts for supervision.
//!
//! The form posts each item's chosen option by its position in the item (`B3.9=3`), so that
//! two options with the same score (GB/T 42195 B3.9: stupor and coma) stay apart on the page;
//! the answers scored and stored are the options' values, as the API takes them.

use crate::kit::{CsrfForm, Filters};
use crate::ui::charts::{LineChart, ScoreBars, StackedBars};
use crate::ui::form::{query, FormData, FormErrors, Opt};
use crate::ui::region_names::{self, RegionNames};
use crate::ui::{
    render, see_other, t, thousands, OrPage, PageResult, Refusal, Section, Session, Ui,
};
use crate::WebState;
use access::{Action, Role};
use app::assessments::{AssessmentInput, AssessmentView, Place, Reason, Status};
use app::AppError;
use askama::Template;
use assessment::{AnswerKind, Answers, InputKind, Instrument, SelfCareLevel};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use registry::{FieldError, Lang, Problem};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

mod elder;
mod form;
mod print;
mod record;
mod review;
mod stats;
mod worklist;

pub use elder::*;
pub use form::*;
pub use print::*;
pub use record::*;
pub use review::*;
pub use stats::*;
pub use worklist::*;

/// The instrument that decides the ability level.
const GBT: &str = "gbt42195_2022";
/// The long-term-care grade (provisional until the official table is loaded).
const LTC: &str = "ltc_disability_2021";
/// Reassessments listed on the worklist, the soonest due first.
const DUE_PER_PAGE: i64 = 50;

fn instrument(id: &str) -> Option<&'static Instrument> {
    assessment::catalog().get(id.trim())
}

/// The indexes of an instrument's items in one of its domains, or (`None`) in none of them.
fn items_in(instrument: &Instrument, domain: Option<&str>) -> Vec<usize> {
    let in_domain = |i: &assessment::Item, d: &str| i.domain.as_deref() == Some(d);
    instrument
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| match domain {
            Some(d) => in_domain(i, d),
            None => !instrument.domains.iter().any(|d| in_domain(i, &d.id)),
        })
        .map(|(n, _)| n)
        .collect()
}

/// What the assessment form and its review both show at the top: whose, and which instrument.
pub(crate) struct Sheet {
    pub(crate) elder: ElderHead,
    pub(crate) instrument_id: String,
    pub(crate) instrument_name: String,
    pub(crate) second_assessor: bool,
}

impl Sheet {
    fn new(elder: ElderHead, instrument: &Instrument, lang: Lang) -> Sheet {
        Sheet {
            elder,
            instrument_id: instrument.id.clone(),
            instrument_name: instrument.name(lang).to_string(),
            second_assessor: instrument.needs_second_assessor,
        }
    }
}

fn instrument_name(id: &str, lang: Lang) -> String {
    instrument(id)
        .map(|i| i.name(lang).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The instruments a role may record: those reserved to assessors only for assessors.
fn recordable_for(role: Role) -> Vec<&'static Instrument> {
    assessment::catalog()
        .instruments
        .iter()
        .filter(|i| i.recordable && (!i.assessor_only || role == Role::Assessor))
        .collect()
}

/// The instrument of a form, if this user may record it.
fn allowed_instrument(session: &Session, id: &str) -> Result<&'static Instrument, Refusal> {
    let found = instrument(id)
        .filter(|i| i.recordable)
        .ok_or_else(|| session.refuse(&AppError::NotFound))?;
    if found.assessor_only && session.actor.role() != Role::Assessor {
        return Err(session.refuse(&AppError::Forbidden));
    }
    Ok(found)
}

fn today(state: &WebState) -> NaiveDate {
    app::today(state.app.now())
}

fn grade_text(grade: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{grade} 级"),
        Lang::En => format!("grade {grade}"),
    }
}

fn place_label(code: &str, lang: Lang) -> String {
    Place::parse(code)
        .map(|p| p.label(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn reason_label(code: &str, lang: Lang) -> String {
    Reason::parse(code)
        .map(|p| p.label(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// `"能力轻度受损（轻度失能）"` → `"能力轻度受损"`, for chart labels.
fn short_name(name: &str) -> String {
    name.split(['（', '('])
        .next()
        .unwrap_or(name)
        .trim()
        .to_string()
}

/// A `{"zh": …, "en": …}` of a stored result in the page's language.
fn pick(value: &Value, lang: Lang) -> String {
    value[lang.pick("zh", "en")]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `band name（total）`, the one-line result of lists.
fn summary_of(result: &Value, lang: Lang) -> String {
    let band = pick(&result["band_name"], lang);
    match (result["total"].as_i64(), band.is_empty()) {
        (Some(total), false) => format!(
            "{band}{}{total}{}",
            lang.pick("（", " ("),
            lang.pick("）", ")")
        ),
        (Some(total), true) => total.to_string(),
        (None, _) => band,
    }
}

/// The labels of the choices of an input (NEWS2 consciousness, glucose context).
fn choice_label(code: &str, lang: Lang) -> String {
    match code {
        "alert" => t(lang, "清醒（A）"),
        "new_confusion" => t(lang, "新发意识混乱（C）"),
        "voice" => t(lang, "对声音有反应（V）"),
        "pain" => t(lang, "对疼痛有反应（P）"),
        "unresponsive" => t(lang, "无反应（U）"),
        "fasting" => t(lang, "空腹"),
        "postprandial_2h" => t(lang, "餐后2小时"),
        "random" => t(lang, "随机"),
        "1" => t(lang, "量表 1"),
        "2" => t(lang, "量表 2"),
        other => return other.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbt() -> &'static Instrument {
        instrument(GBT).unwrap()
    }

    #[test]
    fn chosen_positions_become_the_options_values() {
        let entered = Entered {
            values: vec![
                ("B1.1".into(), "0".into()),
                ("B3.9".into(), "3".into()),
                ("B4.1".into(), "x".into()),
                ("risk_events_30d".into(), "2".into()),
            ],
            ..Default::default()
        };
        let answers = entered.answers(gbt());
        assert_eq!(answers["B1.1"], Value::from(4));
        assert_eq!(answers["B3.9"], Value::from(0));
        assert_eq!(answers["B4.1"], Value::from("x"));
        assert_eq!(
            answers["coma"],
            Value::Bool(true),
            "B3.9's coma option is the A.5.11 coma"
        );
        let stupor = Entered {
            values: vec![("B3.9".into(), "2".into())],
            ..Default::default()
        };
        assert_eq!(stupor.answers(gbt())["coma"], Value::Bool(false));
        assert_eq!(answers["dementia_or_mental_disorder"], Value::Bool(false));
        assert_eq!(answers["risk_events_30d"], Value::from(2));
    }

    #[test]
    fn b3_9_shows_stupor_or_coma_by_the_coma_answer() {
        let mut answers = Map::new();
        answers.insert("B3.9".into(), Value::from(0));
        answers.insert("B1.1".into(), Value::from(4.0));
        let text = |answers: &Map<String, Value>| {
            answer_groups(gbt(), answers, Lang::Zh)
                .iter()
                .flat_map(|g| &g.lines)
                .find(|l| l.code == "B3.9")
                .unwrap()
                .answer
                .clone()
        };
        assert!(text(&answers).starts_with("昏睡"), "{}", text(&answers));
        let mut coma = answers.clone();
        coma.insert("coma".into(), Value::Bool(true));
        assert!(text(&coma).starts_with("昏迷"), "{}", text(&coma));
        let groups = answer_groups(gbt(), &answers, Lang::Zh);
        let line = |code: &str| {
            groups
                .iter()
                .flat_map(|g| &g.lines)
                .find(|l| l.code == code)
                .unwrap()
        };
        assert_eq!(line("B1.1").score, "4");
        assert_eq!(line("B1.2").answer, "—");
        assert_eq!(groups[0].code, "B.1");
        assert_eq!(groups[0].subtotal, "4 / 32");
    }

    #[test]
    fn choice_labels_are_translated() {
        assert_eq!(choice_label("fasting", Lang::Zh), "空腹");
        assert_eq!(choice_label("fasting", Lang::En), "fasting");
        assert_eq!(choice_label("other", Lang::En), "other");
    }
}
