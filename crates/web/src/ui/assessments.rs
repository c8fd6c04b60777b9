//! Standardized assessments in the browser: the assessor's worklist, choosing an instrument,
//! the form (items grouped by domain, each option a large radio button, a running score from
//! `assess.js`), the review with the server's scoring and how the grade follows from it,
//! signing, the result page with the second assessor's confirmation, the printable report in
//! the layout of the official form, the panel of the elder's page and counts for supervision.
//!
//! The form posts each item's chosen option by its position in the item (`B3.9=3`), so that
//! two options with the same score (GB/T 42195 B3.9: stupor and coma) stay apart on the page;
//! the answers scored and stored are the options' values, as the API takes them.

use super::charts::{LineChart, ScoreBars, StackedBars};
use super::form::{query, FormData, FormErrors, Opt};
use super::region_names::{self, RegionNames};
use super::{render, see_other, t, thousands, OrPage, PageResult, Refusal, Section, Session, Ui};
use crate::WebState;
use access::{Action, Role};
use app::assessments::{AssessmentInput, AssessmentView, Place, Reason, Status};
use app::AppError;
use askama::Template;
use assessment::{AnswerKind, Answers, InputKind, Instrument, SelfCareLevel};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Form;
use chrono::NaiveDate;
use registry::{FieldError, Lang, Problem};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The instrument that decides the ability level.
const GBT: &str = "gbt42195_2022";
/// The long-term-care grade (provisional until the official table is loaded).
const LTC: &str = "ltc_disability_2021";
/// Reassessments listed on the worklist, the soonest due first.
const DUE_PER_PAGE: i64 = 50;

fn instrument(id: &str) -> Option<&'static Instrument> {
    assessment::catalog().get(id.trim())
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

// ---------------------------------------------------------------------------------------------
// What the assessor entered

/// The form as posted: each item's chosen option by position, each input's text, and the
/// assessment's date, place, reason and note. The review page carries it on in hidden fields.
#[derive(Clone, Default)]
struct Entered {
    values: Vec<(String, String)>,
    assessed_on: String,
    place: String,
    reason: String,
    note: String,
}

impl Entered {
    fn fresh(today: NaiveDate, reason: &str) -> Entered {
        Entered {
            assessed_on: today.to_string(),
            reason: Reason::parse(reason)
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    fn from_form(instrument: &Instrument, form: &FormData) -> Entered {
        let mut values = Vec::new();
        let names = instrument
            .items
            .iter()
            .map(|i| i.id.as_str())
            .chain(instrument.inputs.iter().map(|i| i.name));
        for name in names {
            let value = form.text(name).trim().to_string();
            if !value.is_empty() {
                values.push((name.to_string(), value));
            }
        }
        Entered {
            values,
            assessed_on: form.text("assessed_on").trim().to_string(),
            place: form.text("place").trim().to_string(),
            reason: form.text("reason").trim().to_string(),
            note: form.text("note").trim().to_string(),
        }
    }

    fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The answers to score: the chosen options' values, the inputs as numbers, booleans and
    /// text. What cannot be read goes on as text, for the scorer to name.
    fn answers(&self, instrument: &Instrument) -> Answers {
        let mut answers = Map::new();
        for item in &instrument.items {
            let raw = self.value(&item.id);
            if raw.is_empty() {
                continue;
            }
            let value = raw
                .parse::<usize>()
                .ok()
                .and_then(|i| item.options.get(i))
                .map(|o| o.value.clone())
                .unwrap_or_else(|| Value::String(raw.to_string()));
            answers.insert(item.id.clone(), value);
        }
        for input in &instrument.inputs {
            let raw = self.value(input.name);
            let value = match &input.kind {
                InputKind::Bool => Value::Bool(!raw.is_empty()),
                _ if raw.is_empty() => continue,
                InputKind::Integer { .. } => raw
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(raw.to_string())),
                InputKind::Decimal { .. } => raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(raw.to_string())),
                InputKind::Choice(_) | InputKind::Text { .. } => Value::String(raw.to_string()),
            };
            answers.insert(input.name.to_string(), value);
        }
        // GB/T 42195: B3.9's "coma" option is the A.5.11 coma the C.4 rule reads; choosing it
        // ticks coma, so that the stored answers (which keep only B3.9's score, 0 for stupor
        // and coma alike) still say which it was.
        if instrument.id == "gbt42195_2022" {
            let chosen = self.value("B3.9").parse::<usize>().ok();
            let coma_option = instrument
                .item("B3.9")
                .and_then(|i| i.options.iter().position(|o| o.label_en == "coma"));
            if chosen.is_some() && chosen == coma_option {
                answers.insert("coma".into(), Value::Bool(true));
            }
        }
        answers
    }

    /// Everything entered, as hidden fields of the review's forms.
    fn hidden(&self) -> Vec<(String, String)> {
        let mut fields = self.values.clone();
        for (name, value) in [
            ("assessed_on", &self.assessed_on),
            ("place", &self.place),
            ("reason", &self.reason),
            ("note", &self.note),
        ] {
            if !value.is_empty() {
                fields.push((name.to_string(), value.clone()));
            }
        }
        fields
    }

    /// The checks of the review step that scoring does not make (signing makes them again).
    fn meta_errors(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.place.is_empty() {
            errors.push(FieldError::new("place", Problem::Required));
        } else if Place::parse(&self.place).is_none() {
            errors.push(FieldError::new(
                "place",
                Problem::OneOf {
                    allowed: Place::CODES.to_vec(),
                },
            ));
        }
        if !self.reason.is_empty() && Reason::parse(&self.reason).is_none() {
            errors.push(FieldError::new(
                "reason",
                Problem::OneOf {
                    allowed: Reason::CODES.to_vec(),
                },
            ));
        }
        match NaiveDate::parse_from_str(&self.assessed_on, "%Y-%m-%d") {
            _ if self.assessed_on.is_empty() => {}
            Ok(d) if d > today => {
                errors.push(FieldError::new("assessed_on", Problem::DateInFuture))
            }
            Ok(_) => {}
            Err(_) => errors.push(FieldError::new("assessed_on", Problem::Date)),
        }
        errors
    }

    fn input(&self, instrument: &Instrument) -> AssessmentInput {
        let opt = |v: &str| Some(v.to_string()).filter(|v| !v.is_empty());
        AssessmentInput {
            instrument_id: Some(instrument.id.clone()),
            answers: self.answers(instrument),
            assessed_on: opt(&self.assessed_on),
            place: opt(&self.place),
            reason: opt(&self.reason),
            note: opt(&self.note),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The form

pub struct OptionView {
    pub value: String,
    pub html_id: String,
    pub label: String,
    pub anchor: String,
    pub score: i64,
    pub checked: bool,
}

pub struct ItemView {
    pub id: String,
    pub code: String,
    pub name: String,
    pub options: Vec<OptionView>,
    /// Few short options sit side by side; long texts one under the other.
    pub compact: bool,
}

pub struct GroupView {
    pub id: String,
    pub name: String,
    pub max: Option<i64>,
    pub items: Vec<ItemView>,
}

pub struct InputView {
    pub name: String,
    pub label: String,
    /// `bool`, `integer`, `number`, `choice` or `text`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub choices: Vec<Opt>,
    pub min: String,
    pub max: String,
    pub step: String,
    pub required: bool,
}

/// An item's number as the form prints it: the id of GB/T 42195 (B1.1), the question number,
/// else the position.
fn item_code(instrument: &Instrument, index: usize) -> String {
    let item = &instrument.items[index];
    if instrument.id == GBT {
        item.id.clone()
    } else {
        item.number
            .map(|n| n.to_string())
            .unwrap_or_else(|| (index + 1).to_string())
    }
}

fn groups_of(instrument: &Instrument, entered: &Entered, lang: Lang) -> Vec<GroupView> {
    let item_view = |index: usize| {
        let item = &instrument.items[index];
        let chosen = entered.value(&item.id);
        let options: Vec<OptionView> = item
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| OptionView {
                value: i.to_string(),
                html_id: format!("o-{}-{i}", item.id.replace('.', "_")),
                label: lang.pick(&o.label_zh, &o.label_en).to_string(),
                anchor: item.anchors_zh.get(i).cloned().unwrap_or_default(),
                score: o.score,
                checked: chosen == i.to_string(),
            })
            .collect();
        let compact = options.len() <= 5
            && options
                .iter()
                .all(|o| o.label.chars().count() <= 12 && o.anchor.is_empty());
        ItemView {
            id: item.id.clone(),
            code: item_code(instrument, index),
            name: lang.pick(&item.name_zh, &item.name_en).to_string(),
            options,
            compact,
        }
    };
    let mut groups: Vec<GroupView> = instrument
        .domains
        .iter()
        .map(|d| GroupView {
            id: d.id.clone(),
            name: lang.pick(&d.name_zh, &d.name_en).to_string(),
            max: Some(d.max),
            items: instrument
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.domain.as_deref() == Some(d.id.as_str()))
                .map(|(n, _)| item_view(n))
                .collect(),
        })
        .collect();
    let loose: Vec<ItemView> = instrument
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !instrument
                .domains
                .iter()
                .any(|d| i.domain.as_deref() == Some(d.id.as_str()))
        })
        .map(|(n, _)| item_view(n))
        .collect();
    if !loose.is_empty() {
        groups.push(GroupView {
            id: String::new(),
            name: String::new(),
            max: None,
            items: loose,
        });
    }
    groups
}

fn inputs_of(instrument: &Instrument, entered: &Entered, lang: Lang) -> Vec<InputView> {
    instrument
        .inputs
        .iter()
        .map(|input| {
            let value = entered.value(input.name).to_string();
            let mut view = InputView {
                name: input.name.to_string(),
                label: lang.pick(input.label_zh, input.label_en).to_string(),
                kind: "text",
                checked: !value.is_empty(),
                choices: Vec::new(),
                min: String::new(),
                max: String::new(),
                step: String::new(),
                required: input.required,
                value,
            };
            match &input.kind {
                InputKind::Bool => view.kind = "bool",
                InputKind::Integer { min, max } => {
                    view.kind = "integer";
                    view.min = min.to_string();
                    view.max = max.to_string();
                    view.step = "1".into();
                }
                InputKind::Decimal { min, max, decimals } => {
                    view.kind = "number";
                    view.min = min.to_string();
                    view.max = max.to_string();
                    view.step = match decimals {
                        Some(d) => format!("{}", 10f64.powi(-(*d as i32))),
                        None => "any".into(),
                    };
                }
                InputKind::Choice(choices) => {
                    view.kind = "choice";
                    let blank = if input.required {
                        t(lang, "（请选择）")
                    } else {
                        t(lang, "（未填写）")
                    };
                    view.choices = std::iter::once(Opt::new("", blank, &view.value))
                        .chain(
                            choices
                                .iter()
                                .map(|c| Opt::new(*c, choice_label(c, lang), &view.value)),
                        )
                        .collect();
                }
                InputKind::Text { max_chars } => {
                    view.max = max_chars.to_string();
                }
            }
            view
        })
        .collect()
}

/// The fields the form shows beside an input; other errors go to the top.
fn form_fields(instrument: &Instrument) -> Vec<String> {
    instrument
        .items
        .iter()
        .map(|i| i.id.clone())
        .chain(instrument.inputs.iter().map(|i| i.name.to_string()))
        .chain(
            ["assessed_on", "place", "reason", "note"]
                .into_iter()
                .map(String::from),
        )
        .collect()
}

fn field_label(instrument: &Instrument, field: &str, lang: Lang) -> String {
    if let Some(item) = instrument.item(field) {
        return format!("{} {}", item.id, lang.pick(&item.name_zh, &item.name_en));
    }
    if let Some(input) = instrument.input(field) {
        return lang.pick(input.label_zh, input.label_en).to_string();
    }
    match field {
        "assessed_on" => t(lang, "评估日期").into(),
        "place" => t(lang, "评估地点").into(),
        "reason" => t(lang, "评估原因").into(),
        "note" => t(lang, "备注").into(),
        "confirmed" => t(lang, "确认").into(),
        "answers" => t(lang, "回答").into(),
        other => other.to_string(),
    }
}

fn form_errors(instrument: &Instrument, error: &AppError, lang: Lang) -> FormErrors {
    FormErrors::from_error(error, lang, form_fields(instrument), |f| {
        field_label(instrument, f, lang)
    })
}

pub struct ElderHead {
    pub id: String,
    pub name: String,
    pub facts: String,
}

async fn elder_head(state: &WebState, session: &Session, id: &str) -> Result<ElderHead, Refusal> {
    let lang = session.lang;
    let elder = state
        .app
        .get_elder(&session.actor, id)
        .await
        .or_page(session)?;
    let sex = registry::Sex::parse(&elder.sex)
        .map(|s| s.label(lang).to_string())
        .unwrap_or_default();
    Ok(ElderHead {
        facts: format!("{sex} · {} {}", elder.age, t(lang, "岁")),
        id: elder.id,
        name: elder.name,
    })
}

pub struct InstrumentCard {
    pub href: String,
    pub name: String,
    pub facts: String,
    pub second_assessor: bool,
}

#[derive(Template)]
#[template(path = "assessments/choose.html")]
struct ChoosePage {
    ui: Ui,
    elder: ElderHead,
    cards: Vec<InstrumentCard>,
}

#[derive(Template)]
#[template(path = "assessments/form.html")]
struct FormPage {
    ui: Ui,
    elder: ElderHead,
    instrument_id: String,
    instrument_name: String,
    second_assessor: bool,
    groups: Vec<GroupView>,
    inputs: Vec<InputView>,
    item_count: usize,
    max_total: Option<i64>,
    assessed_on: String,
    today: String,
    places: Vec<Opt>,
    reasons: Vec<Opt>,
    note: String,
    errors: FormErrors,
}

impl FormPage {
    fn invalid(&self, field: &str) -> bool {
        !self.errors.of(field).is_empty()
    }
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    instrument: Option<String>,
    reason: Option<String>,
}

/// `GET /elders/{id}/assessments/new`: the instruments to choose from, or with `?instrument=`
/// the blank form.
pub async fn new_form(
    State(state): State<WebState>,
    session: Session,
    Path(elder_id): Path<String>,
    params: Result<Query<NewParams>, QueryRejection>,
) -> PageResult {
    let lang = session.lang;
    session
        .actor
        .require(&state.app, Action::Assess)
        .await
        .or_page(&session)?;
    let params = params.map(|q| q.0).unwrap_or_default();
    let chosen = params
        .instrument
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty());
    let Some(chosen) = chosen else {
        let elder = elder_head(&state, &session, &elder_id).await?;
        let reason = params.reason.as_deref().unwrap_or("");
        let cards = recordable_for(session.actor.role())
            .into_iter()
            .map(|i| InstrumentCard {
                href: format!(
                    "/elders/{}/assessments/new?{}",
                    elder.id,
                    query(&[("instrument", &i.id), ("reason", reason)])
                ),
                name: i.name(lang).to_string(),
                facts: if i.items.is_empty() {
                    format!("{} {}", i.inputs.len(), t(lang, "项测量值"))
                } else {
                    format!("{} {}", i.items.len(), t(lang, "个条目"))
                },
                second_assessor: i.needs_second_assessor,
            })
            .collect();
        let page = ChoosePage {
            ui: session.ui(Section::Assessments),
            elder,
            cards,
        };
        return Ok(render(StatusCode::OK, &page));
    };
    let instrument = allowed_instrument(&session, chosen)?;
    let elder = elder_head(&state, &session, &elder_id).await?;
    let entered = Entered::fresh(today(&state), params.reason.as_deref().unwrap_or(""));
    let page = form_page(
        &state,
        &session,
        elder,
        instrument,
        &entered,
        FormErrors::default(),
    );
    Ok(render(StatusCode::OK, &page))
}

fn form_page(
    state: &WebState,
    session: &Session,
    elder: ElderHead,
    instrument: &Instrument,
    entered: &Entered,
    errors: FormErrors,
) -> FormPage {
    let lang = session.lang;
    let blank_place = t(lang, "（请选择）");
    let places = std::iter::once(Opt::new("", blank_place, &entered.place))
        .chain(
            Place::ALL
                .iter()
                .map(|p| Opt::new(p.code(), p.label(lang), &entered.place)),
        )
        .collect();
    let reasons = std::iter::once(Opt::new("", t(lang, "自动（首次或年度）"), &entered.reason))
        .chain(
            Reason::ALL
                .iter()
                .map(|r| Opt::new(r.code(), r.label(lang), &entered.reason)),
        )
        .collect();
    FormPage {
        ui: session.ui(Section::Assessments),
        elder,
        instrument_id: instrument.id.clone(),
        instrument_name: instrument.name(lang).to_string(),
        second_assessor: instrument.needs_second_assessor,
        groups: groups_of(instrument, entered, lang),
        inputs: inputs_of(instrument, entered, lang),
        item_count: instrument.items.len(),
        max_total: instrument
            .max_total
            .filter(|_| !instrument.items.is_empty()),
        assessed_on: entered.assessed_on.clone(),
        today: today(state).to_string(),
        places,
        reasons,
        note: entered.note.clone(),
        errors,
    }
}

// ---------------------------------------------------------------------------------------------
// Results: the review before signing, the result page and the print-out share these.

pub struct DomainScore {
    pub name: String,
    pub score: i64,
    pub max: i64,
}

pub struct ConstitutionLine {
    pub name: String,
    pub score: i64,
    pub verdict: String,
    pub positive: bool,
}

pub struct ResultView {
    pub total: Option<i64>,
    pub max_total: Option<i64>,
    pub band_name: String,
    pub grade: Option<i64>,
    pub grade_text: String,
    pub initial_grade_text: String,
    pub domains: Vec<DomainScore>,
    pub bars: ScoreBars,
    pub explanation: Vec<String>,
    /// The C.4 lines of GB/T 42195 (and any other rule applied between C.3 and C.5).
    pub changes: Vec<String>,
    pub flags: Vec<String>,
    pub provisional: bool,
    pub constitutions: Vec<ConstitutionLine>,
    pub parameters: Vec<(String, i64)>,
}

impl ResultView {
    fn from_json(instrument: Option<&Instrument>, result: &Value, lang: Lang) -> ResultView {
        let lines = |key: &str| -> Vec<String> {
            result[key]
                .as_array()
                .map(|a| a.iter().map(|l| pick(l, lang)).collect())
                .unwrap_or_default()
        };
        let domains: Vec<DomainScore> = result["domains"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| DomainScore {
                        name: lang
                            .pick(
                                d["name_zh"].as_str().unwrap_or_default(),
                                d["name_en"].as_str().unwrap_or_default(),
                            )
                            .to_string(),
                        score: d["score"].as_i64().unwrap_or(0),
                        max: d["max"].as_i64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let bars = ScoreBars::new(
            domains
                .iter()
                .map(|d| (d.name.clone(), d.score, d.max))
                .collect(),
        );
        let grade = result["grade"].as_i64();
        let initial = result["initial_grade"].as_i64();
        let band_of_grade = |g: i64| {
            instrument
                .and_then(|i| i.bands.iter().find(|b| b.grade == Some(g)))
                .map(|b| lang.pick(&b.name_zh, &b.name_en).to_string())
                .unwrap_or_default()
        };
        let with_band = |g: i64| {
            let name = band_of_grade(g);
            if name.is_empty() {
                grade_text(g, lang)
            } else {
                format!("{} · {name}", grade_text(g, lang))
            }
        };
        let explanation = lines("explanation");
        let changes = result["explanation"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|l| {
                        let zh = l["zh"].as_str().unwrap_or_default();
                        !(zh.starts_with("总分") || zh.starts_with("C.3") || zh.starts_with("C.5"))
                    })
                    .map(|l| pick(l, lang))
                    .collect()
            })
            .unwrap_or_default();
        let constitutions = match (instrument, result["constitutions"].as_object()) {
            (Some(i), Some(found)) => i
                .constitutions
                .iter()
                .filter_map(|c| {
                    let r = found.get(&c.id)?;
                    let verdict = r["verdict"].as_str().unwrap_or_default();
                    Some(ConstitutionLine {
                        name: lang.pick(&c.name_zh, &c.name_en).to_string(),
                        score: r["score"].as_i64().unwrap_or(0),
                        verdict: match lang {
                            Lang::Zh => verdict.to_string(),
                            Lang::En => r["verdict_en"].as_str().unwrap_or_default().to_string(),
                        },
                        positive: verdict != "否",
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let parameters = result["parameter_scores"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(id, s)| {
                        (
                            parameter_label(instrument, id, lang),
                            s.as_i64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        ResultView {
            total: result["total"].as_i64(),
            max_total: result["max_total"].as_i64(),
            band_name: pick(&result["band_name"], lang),
            grade,
            grade_text: grade.map(&with_band).unwrap_or_default(),
            initial_grade_text: initial.map(&with_band).unwrap_or_default(),
            domains,
            bars,
            explanation,
            changes,
            flags: lines("flags"),
            provisional: result["provisional"].as_bool().unwrap_or(false),
            constitutions,
            parameters,
        }
    }
}

/// `B1` → `B.1` (the first-level indicators of GB/T 42195 Annex B); other ids stay.
fn domain_code(instrument: Option<&Instrument>, id: &str) -> String {
    match (instrument.map(|i| i.id.as_str()), id.strip_prefix('B')) {
        (Some(GBT), Some(n)) => format!("B.{n}"),
        _ => String::new(),
    }
}

fn parameter_label(instrument: Option<&Instrument>, id: &str, lang: Lang) -> String {
    let input = match id {
        "spo2_scale1" | "spo2_scale2" => "spo2",
        "air_or_oxygen" => "on_oxygen",
        other => other,
    };
    let label = instrument
        .and_then(|i| i.input(input))
        .map(|i| lang.pick(i.label_zh, i.label_en).to_string())
        .unwrap_or_else(|| id.to_string());
    match id {
        "spo2_scale1" => format!("{label} · {}", choice_label("1", lang)),
        "spo2_scale2" => format!("{label} · {}", choice_label("2", lang)),
        _ => label,
    }
}

pub struct AnswerLine {
    pub code: String,
    pub name: String,
    pub answer: String,
    pub score: String,
}

pub struct AnswerGroup {
    pub code: String,
    pub name: String,
    /// `12 / 32` for a domain.
    pub subtotal: String,
    pub lines: Vec<AnswerLine>,
}

/// The answers as the form shows them: each item with the text of the chosen option and its
/// score, grouped by domain, then the other inputs.
fn answer_groups(instrument: &Instrument, answers: &Answers, lang: Lang) -> Vec<AnswerGroup> {
    let line = |index: usize| {
        let item = &instrument.items[index];
        let given = answers.get(&item.id).filter(|v| !v.is_null());
        let mut matching: Vec<&assessment::ItemOption> = match given {
            Some(v) => item
                .options
                .iter()
                .filter(|o| same_answer(&o.value, v, item.kind))
                .collect(),
            None => Vec::new(),
        };
        // B3.9 scores stupor and coma alike; the A.5.11 coma answer tells them apart.
        if item.id == "B3.9" && matching.len() > 1 {
            let coma = answers.get("coma").and_then(Value::as_bool) == Some(true);
            matching.retain(|o| (o.label_en == "coma") == coma);
        }
        let answer = match (given, matching.is_empty()) {
            (None, _) => "—".to_string(),
            (Some(v), true) => match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            (Some(_), false) => matching
                .iter()
                .map(|o| lang.pick(&o.label_zh, &o.label_en))
                .collect::<Vec<_>>()
                .join(lang.pick(" ／ ", " / ")),
        };
        (
            AnswerLine {
                code: item_code(instrument, index),
                name: lang.pick(&item.name_zh, &item.name_en).to_string(),
                answer,
                score: matching
                    .first()
                    .map(|o| o.score.to_string())
                    .unwrap_or_else(|| "—".into()),
            },
            matching.first().map(|o| o.score),
        )
    };
    let mut groups = Vec::new();
    for d in &instrument.domains {
        let mut sum = 0;
        let lines = instrument
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.domain.as_deref() == Some(d.id.as_str()))
            .map(|(n, _)| {
                let (l, s) = line(n);
                sum += s.unwrap_or(0);
                l
            })
            .collect();
        groups.push(AnswerGroup {
            code: domain_code(Some(instrument), &d.id),
            name: lang.pick(&d.name_zh, &d.name_en).to_string(),
            subtotal: format!("{sum} / {}", d.max),
            lines,
        });
    }
    let loose: Vec<AnswerLine> = instrument
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !instrument
                .domains
                .iter()
                .any(|d| i.domain.as_deref() == Some(d.id.as_str()))
        })
        .map(|(n, _)| line(n).0)
        .collect();
    if !loose.is_empty() {
        groups.push(AnswerGroup {
            code: String::new(),
            name: t(lang, "条目").into(),
            subtotal: String::new(),
            lines: loose,
        });
    }
    let inputs: Vec<AnswerLine> = instrument
        .inputs
        .iter()
        .map(|input| AnswerLine {
            code: String::new(),
            name: lang.pick(input.label_zh, input.label_en).to_string(),
            answer: input_text(input, answers.get(input.name), lang),
            score: String::new(),
        })
        .collect();
    if !inputs.is_empty() {
        groups.push(AnswerGroup {
            code: String::new(),
            name: if instrument.items.is_empty() {
                t(lang, "测量值").into()
            } else {
                t(lang, "其他评估信息").into()
            },
            subtotal: String::new(),
            lines: inputs,
        });
    }
    groups
}

/// Whether a stored answer is this option (`4` and `4.0`; `yes`, `true` and `是`).
fn same_answer(option: &Value, given: &Value, kind: AnswerKind) -> bool {
    if option == given {
        return true;
    }
    match kind {
        AnswerKind::Score => given.as_f64().is_some_and(|g| option.as_f64() == Some(g)),
        _ => {
            let norm = |v: &Value| match v {
                Value::Bool(true) => "yes".to_string(),
                Value::Bool(false) => "no".to_string(),
                Value::Number(n) if n.as_i64() == Some(1) => "yes".to_string(),
                Value::Number(n) if n.as_i64() == Some(0) => "no".to_string(),
                Value::String(s) => match s.trim().to_lowercase().as_str() {
                    "yes" | "y" | "true" | "是" | "有" => "yes".into(),
                    "no" | "n" | "false" | "否" | "无" => "no".into(),
                    other => other.to_string(),
                },
                other => other.to_string(),
            };
            norm(option) == norm(given)
        }
    }
}

fn input_text(input: &assessment::InputSpec, value: Option<&Value>, lang: Lang) -> String {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return match input.kind {
            InputKind::Bool => t(lang, "否").into(),
            _ => "—".into(),
        };
    };
    match (&input.kind, value) {
        (InputKind::Bool, Value::Bool(b)) => {
            if *b {
                t(lang, "是").into()
            } else {
                t(lang, "否").into()
            }
        }
        (InputKind::Choice(_), Value::String(s)) => choice_label(s, lang),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "assessments/review.html")]
struct ReviewPage {
    ui: Ui,
    elder: ElderHead,
    instrument_id: String,
    instrument_name: String,
    second_assessor: bool,
    result: ResultView,
    groups: Vec<AnswerGroup>,
    hidden: Vec<(String, String)>,
    assessed_on: String,
    place: String,
    reason: String,
    errors: FormErrors,
}

fn review_page(
    session: &Session,
    elder: ElderHead,
    instrument: &Instrument,
    entered: &Entered,
    outcome: &assessment::Outcome,
    errors: FormErrors,
) -> ReviewPage {
    let lang = session.lang;
    let answers = entered.answers(instrument);
    let result = app::assessments::outcome_json(outcome);
    ReviewPage {
        ui: session.ui(Section::Assessments),
        elder,
        instrument_id: instrument.id.clone(),
        instrument_name: instrument.name(lang).to_string(),
        second_assessor: instrument.needs_second_assessor,
        result: ResultView::from_json(Some(instrument), &result, lang),
        groups: answer_groups(instrument, &answers, lang),
        hidden: entered.hidden(),
        assessed_on: entered.assessed_on.clone(),
        place: place_label(&entered.place, lang),
        reason: if entered.reason.is_empty() {
            t(lang, "自动（首次或年度）").into()
        } else {
            reason_label(&entered.reason, lang)
        },
        errors,
    }
}

/// `POST /elders/{id}/assessments/new`: the server scores the answers; the review page, or
/// the form again with each error beside its item. `back` returns to the form unscored.
pub async fn review(
    State(state): State<WebState>,
    session: Session,
    Path(elder_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let lang = session.lang;
    let form = FormData::from_extracted(form);
    session.check_csrf(&form.text("csrf"))?;
    session
        .actor
        .require(&state.app, Action::Assess)
        .await
        .or_page(&session)?;
    let instrument = allowed_instrument(&session, &form.text("instrument"))?;
    let elder = elder_head(&state, &session, &elder_id).await?;
    let entered = Entered::from_form(instrument, &form);
    if form.checked("back") {
        let page = form_page(
            &state,
            &session,
            elder,
            instrument,
            &entered,
            FormErrors::default(),
        );
        return Ok(render(StatusCode::OK, &page));
    }
    let mut errors = entered.meta_errors(today(&state));
    let outcome = match state
        .app
        .score(&instrument.id, &entered.answers(instrument))
    {
        Ok(outcome) => Some(outcome),
        Err(AppError::Invalid(found)) => {
            errors.extend(found);
            None
        }
        Err(other) => return Err(session.refuse(&other)),
    };
    match outcome {
        Some(outcome) if errors.is_empty() => {
            let page = review_page(
                &session,
                elder,
                instrument,
                &entered,
                &outcome,
                FormErrors::default(),
            );
            Ok(render(StatusCode::OK, &page))
        }
        _ => {
            let errors = form_errors(instrument, &AppError::Invalid(errors), lang);
            let page = form_page(&state, &session, elder, instrument, &entered, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

/// `POST /elders/{id}/assessments`: signs the reviewed answers; the assessment's page.
pub async fn sign(
    State(state): State<WebState>,
    session: Session,
    Path(elder_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let lang = session.lang;
    let form = FormData::from_extracted(form);
    session.check_csrf(&form.text("csrf"))?;
    let instrument = allowed_instrument(&session, &form.text("instrument"))?;
    let entered = Entered::from_form(instrument, &form);
    if !form.checked("confirmed") {
        let elder = elder_head(&state, &session, &elder_id).await?;
        let outcome = state
            .app
            .score(&instrument.id, &entered.answers(instrument));
        if let Ok(outcome) = outcome {
            let error = AppError::field(
                "confirmed",
                Problem::Invalid {
                    zh: "请先勾选“我确认以上回答无误”".into(),
                    en: "tick “I confirm these answers” first".into(),
                },
            );
            let errors = form_errors(instrument, &error, lang);
            let page = review_page(&session, elder, instrument, &entered, &outcome, errors);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    }
    match state
        .app
        .record_assessment(&session.actor, &elder_id, &entered.input(instrument))
        .await
    {
        Ok((id, _)) => Ok(see_other(&format!("/assessments/{id}"))),
        Err(e @ AppError::Invalid(_)) => {
            let elder = elder_head(&state, &session, &elder_id).await?;
            let errors = form_errors(instrument, &e, lang);
            let page = form_page(&state, &session, elder, instrument, &entered, errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(session.refuse(&other)),
    }
}

// ---------------------------------------------------------------------------------------------
// One assessment

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

fn meta_of(view: &AssessmentView, lang: Lang) -> Meta {
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

fn groups_of_view(view: &AssessmentView, lang: Lang) -> Vec<AnswerGroup> {
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
struct ViewPage {
    ui: Ui,
    m: Meta,
    result: ResultView,
    groups: Vec<AnswerGroup>,
    can_confirm: bool,
    own_awaiting: bool,
    /// An assessor may send it back (or, as the signer, take it back) while it waits.
    can_return: bool,
    confirm_error: Vec<String>,
}

async fn view_page(
    state: &WebState,
    session: &Session,
    id: &str,
    confirm_error: Vec<String>,
) -> Result<ViewPage, Refusal> {
    let lang = session.lang;
    let view = state
        .app
        .get_assessment(&session.actor, id)
        .await
        .or_page(session)?;
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
    session: Session,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let form = FormData::from_extracted(form);
    session.check_csrf(&form.text("csrf"))?;
    let done = state.app.confirm_assessment(&session.actor, &id).await;
    after_change(&state, &session, &id, done).await
}

/// The assessment's page after a confirmation or a return: redirected there, or shown again
/// with the reason it was refused.
async fn after_change(
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
    session: Session,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let form = FormData::from_extracted(form);
    session.check_csrf(&form.text("csrf"))?;
    let reason = form.text("reason");
    let done = state
        .app
        .return_assessment(&session.actor, &id, Some(reason.as_str()))
        .await;
    after_change(&state, &session, &id, done).await
}

#[derive(Template)]
#[template(path = "assessments/print.html")]
struct PrintPage {
    ui: Ui,
    m: Meta,
    gbt: bool,
    result: ResultView,
    groups: Vec<AnswerGroup>,
    sex: String,
    birth_date: String,
    id_number: String,
}

/// `GET /assessments/{id}/print`: the report in the layout of the official form.
pub async fn print(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let lang = session.lang;
    let view = state
        .app
        .get_assessment(&session.actor, &id)
        .await
        .or_page(&session)?;
    let elder = state
        .app
        .get_elder(&session.actor, &view.row.elder_id)
        .await
        .or_page(&session)?;
    let page = PrintPage {
        ui: session.ui(Section::Assessments),
        m: meta_of(&view, lang),
        gbt: view.row.instrument_id == GBT,
        result: ResultView::from_json(view.instrument(), &view.result, lang),
        groups: groups_of_view(&view, lang),
        sex: registry::Sex::parse(&elder.sex)
            .map(|s| s.label(lang).to_string())
            .unwrap_or_default(),
        birth_date: elder.birth_date,
        id_number: elder.id_number,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// The worklist

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
struct WorklistPage {
    ui: Ui,
    windows: Vec<Opt>,
    due_note: String,
    due_total: String,
    due: Vec<DueLine>,
    /// Pages of the due list, soonest first.
    pages: Vec<super::form::PageLink>,
    requests: Vec<RequestLine>,
    awaiting: Vec<AwaitingLine>,
    show_stats: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct WorklistParams {
    within_days: Option<String>,
    page: Option<String>,
}

fn start_link(session: &Session, elder_id: &str, instrument_id: &str, reason: &str) -> String {
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
    params: Result<Query<WorklistParams>, QueryRejection>,
) -> PageResult {
    let lang = session.lang;
    let params = params.map(|q| q.0).unwrap_or_default();
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
    let list = state
        .app
        .assessment_worklist(&session.actor, days, due_page)
        .await
        .or_page(&session)?;
    let pages = super::form::page_links(
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

// ---------------------------------------------------------------------------------------------
// Counts for supervision

#[derive(Deserialize, Default)]
pub struct StatsParams {
    from: Option<String>,
    to: Option<String>,
    region: Option<String>,
    instrument: Option<String>,
}

pub struct StatsRow {
    pub label: String,
    pub href: String,
    pub counts: Vec<String>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "assessments/stats.html")]
struct StatsPage {
    ui: Ui,
    from: String,
    to: String,
    regions: Vec<Opt>,
    instruments: Vec<Opt>,
    instrument_name: String,
    scope_name: String,
    series: Vec<String>,
    chart: StackedBars,
    rows: Vec<StatsRow>,
    totals: Vec<String>,
    total: String,
    errors: FormErrors,
}

/// `GET /assessments/stats`: final assessments per sub-region and grade over a period.
pub async fn stats(
    State(state): State<WebState>,
    session: Session,
    params: Result<Query<StatsParams>, QueryRejection>,
) -> PageResult {
    let lang = session.lang;
    let params = params.map(|q| q.0).unwrap_or_default();
    let today = today(&state);
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let mut problems = Vec::new();
    let mut date = |field: &str, given: &str, default: NaiveDate| {
        if given.is_empty() {
            return default;
        }
        NaiveDate::parse_from_str(given, "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(FieldError::new(field, Problem::Date));
            default
        })
    };
    let from_text = text(&params.from);
    let to_text = text(&params.to);
    let from = date("from", &from_text, today - chrono::Duration::days(365));
    let to = date("to", &to_text, today);
    let region_text = text(&params.region);
    let region = if region_text.is_empty() {
        None
    } else {
        match region::RegionCode::parse(&region_text) {
            Ok(code) => Some(code),
            Err(_) => {
                problems.push(FieldError::new("region", Problem::RegionCode));
                None
            }
        }
    };
    let graded: Vec<&Instrument> = assessment::catalog()
        .instruments
        .iter()
        .filter(|i| i.recordable && (!i.bands.is_empty() || !i.levels.is_empty()))
        .collect();
    let chosen_id = Some(text(&params.instrument))
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| GBT.to_string());
    let chosen = match graded.iter().find(|i| i.id == chosen_id) {
        Some(i) => *i,
        None => {
            problems.push(FieldError::new(
                "instrument",
                Problem::OneOf {
                    allowed: graded.iter().map(|i| i.id.as_str()).collect(),
                },
            ));
            graded
                .iter()
                .find(|i| i.id == GBT)
                .copied()
                .unwrap_or(graded[0])
        }
    };
    let errors = FormErrors::from_error(
        &AppError::Invalid(problems),
        lang,
        ["from", "to", "region", "instrument"]
            .map(String::from)
            .to_vec(),
        |f| match f {
            "from" => t(lang, "开始日期").into(),
            "to" => t(lang, "结束日期").into(),
            "region" => t(lang, "区划").into(),
            _ => t(lang, "量表").into(),
        },
    );
    // Without a chosen region, the sub-regions of the user's own.
    let prefix = region
        .as_ref()
        .or(session.actor.region_root())
        .map(|r| r.prefix().to_string());
    let rows = state
        .app
        .assessment_counts(&session.actor, from, to, prefix.as_deref())
        .await
        .or_page(&session)?;
    let group_len = app::assessments::child_prefix_len(prefix.as_deref());
    let grouped = app::assessments::roll_up(&rows, group_len);
    // The parts of each bar: the instrument's grades in order, then results without one.
    let bands: Vec<&assessment::Band> = if chosen.levels.is_empty() {
        chosen.bands.iter().collect()
    } else {
        chosen.levels.iter().collect()
    };
    let mut series: Vec<String> = bands
        .iter()
        .map(|b| {
            let name = short_name(lang.pick(&b.name_zh, &b.name_en));
            match b.grade {
                Some(g) if chosen.id == GBT => format!("{g} {name}"),
                _ => name,
            }
        })
        .collect();
    let other = series.len();
    let mut counts: BTreeMap<Option<String>, Vec<i64>> = BTreeMap::new();
    for row in grouped.iter().filter(|r| r.instrument_id == chosen.id) {
        let at = row
            .band
            .as_deref()
            .and_then(|b| bands.iter().position(|x| x.code == b))
            .unwrap_or(other);
        let line = counts
            .entry(row.region_code.clone())
            .or_insert_with(|| vec![0; other + 1]);
        line[at] += row.n;
    }
    let has_other = counts.values().any(|c| c[other] > 0);
    if has_other {
        series.push(t(lang, "未分级").into());
    }
    let width = series.len();
    let mut names = RegionNames::default();
    let mut chart_rows = Vec::new();
    let mut table = Vec::new();
    let mut totals = vec![0i64; width];
    for (code, line) in counts {
        let line: Vec<i64> = line.into_iter().take(width).collect();
        let (label, href) = match &code {
            Some(code) => {
                let display = region::RegionCode::parse(code)
                    .map(|c| c.display_code())
                    .unwrap_or_else(|_| code.clone());
                let label = names
                    .name(&state.app, code)
                    .await
                    .unwrap_or_else(|| display.clone());
                let href = if code.len() < 12 {
                    format!(
                        "/assessments/stats?{}",
                        query(&[
                            ("from", &from.to_string()),
                            ("to", &to.to_string()),
                            ("region", &display),
                            ("instrument", &chosen.id),
                        ])
                    )
                } else {
                    String::new()
                };
                (label, href)
            }
            None => (t(lang, "未填区划").to_string(), String::new()),
        };
        for (i, n) in line.iter().enumerate() {
            totals[i] += n;
        }
        table.push(StatsRow {
            label: label.clone(),
            href: href.clone(),
            counts: line.iter().map(|n| thousands(*n)).collect(),
            total: thousands(line.iter().sum()),
        });
        chart_rows.push((label, Some(href).filter(|h| !h.is_empty()), line));
    }
    let scope_name = match &region {
        Some(code) => names.full_path(&state.app, code.prefix()).await,
        None => match session.actor.region_root() {
            Some(code) => names.full_path(&state.app, code.prefix()).await,
            None => t(lang, "全部辖区").to_string(),
        },
    };
    let page = StatsPage {
        ui: session.ui(Section::Assessments),
        from: from.to_string(),
        to: to.to_string(),
        regions: {
            let mut o = vec![Opt::new("", t(lang, "不限"), "")];
            o.extend(region_names::filter_options(&state.app, &session.actor, &region_text).await);
            o
        },
        instruments: graded
            .iter()
            .map(|i| Opt::new(i.id.clone(), i.name(lang), &chosen.id))
            .collect(),
        instrument_name: chosen.name(lang).to_string(),
        scope_name,
        chart: StackedBars::new(&series, chart_rows),
        series,
        total: thousands(totals.iter().sum()),
        totals: totals.iter().map(|n| thousands(*n)).collect(),
        rows: table,
        errors,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// The elder's page

/// The reassessment request form as the user filled it in (after an error).
#[derive(Default)]
pub struct RequestForm {
    pub instrument: String,
    pub reason: String,
    pub errors: FormErrors,
}

pub struct HistoryLine {
    pub href: String,
    pub assessed_on: String,
    pub instrument_name: String,
    pub result: String,
    pub status: String,
    pub awaiting: bool,
    pub returned: bool,
}

pub struct OpenRequest {
    pub instrument_name: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
}

/// The assessments panel of the elder's page.
pub struct ElderPanel {
    pub ability: String,
    pub care_level: String,
    pub care_level_by: String,
    pub ltc_level: String,
    /// The long-term-care result is provisional: its three domain totals.
    pub ltc_provisional: String,
    pub subsidy: String,
    pub history: Vec<HistoryLine>,
    pub trend_name: String,
    pub trend: Option<LineChart>,
    pub requests: Vec<OpenRequest>,
    pub can_assess: bool,
    pub can_request: bool,
    pub request_instruments: Vec<Opt>,
    pub request: RequestForm,
}

impl ElderPanel {
    pub fn has_levels(&self) -> bool {
        !(self.ability.is_empty()
            && self.care_level.is_empty()
            && self.ltc_level.is_empty()
            && self.ltc_provisional.is_empty()
            && self.subsidy.is_empty())
    }
}

pub async fn elder_panel(
    state: &WebState,
    session: &Session,
    elder_id: &str,
    request: RequestForm,
) -> Result<ElderPanel, Refusal> {
    let lang = session.lang;
    let found = state
        .app
        .elder_assessments(&session.actor, elder_id)
        .await
        .or_page(session)?;
    let levels = found.levels.clone().unwrap_or_default();
    let gbt = instrument(GBT);
    let ability = match (levels.ability_grade, levels.ability_band.as_deref()) {
        (Some(g), band) => {
            let name = band
                .and_then(|b| gbt.and_then(|i| i.band(b)))
                .map(|b| lang.pick(&b.name_zh, &b.name_en).to_string())
                .unwrap_or_default();
            if name.is_empty() {
                grade_text(g, lang)
            } else {
                format!("{} · {name}", grade_text(g, lang))
            }
        }
        _ => String::new(),
    };
    let care_level = levels
        .care_level
        .as_deref()
        .and_then(SelfCareLevel::parse)
        .map(|l| l.label().pick(lang).to_string())
        .unwrap_or_default();
    let care_level_by = levels
        .care_level_instrument
        .as_deref()
        .map(|i| instrument_name(i, lang))
        .unwrap_or_default();
    let ltc = instrument(LTC);
    let ltc_level = levels
        .ltc_level
        .map(|l| {
            let name = ltc
                .and_then(|i| i.levels.iter().find(|b| b.grade == Some(l)))
                .map(|b| lang.pick(&b.name_zh, &b.name_en).to_string())
                .unwrap_or_default();
            format!("{} · {name}", grade_text(l, lang))
        })
        .unwrap_or_default();
    let ltc_provisional = match (
        levels.ltc_level,
        found.current.iter().find(|c| c.instrument_id == LTC),
    ) {
        (None, Some(current)) => found
            .history
            .iter()
            .find(|h| h.row.id == current.assessment_id)
            .map(|h| {
                ResultView::from_json(ltc, &h.result, lang)
                    .domains
                    .iter()
                    .map(|d| format!("{} {} / {}", d.name, d.score, d.max))
                    .collect::<Vec<_>>()
                    .join(lang.pick("；", "; "))
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    let subsidy = found
        .subsidy_yuan
        .map(|y| match lang {
            Lang::Zh => format!("{} 元/年", thousands(y)),
            Lang::En => format!("{} yuan a year", thousands(y)),
        })
        .unwrap_or_default();
    let history = found
        .history
        .iter()
        .map(|h| HistoryLine {
            href: format!("/assessments/{}", h.row.id),
            assessed_on: h.row.assessed_on.clone(),
            instrument_name: instrument_name(&h.row.instrument_id, lang),
            result: summary_of(&h.result, lang),
            status: h.row.status.label(lang).to_string(),
            awaiting: h.row.status == Status::AwaitingConfirmation,
            returned: h.row.status == Status::Returned,
        })
        .collect();
    // The trend of the instrument assessed most often (at least twice), by total.
    let mut by_instrument: BTreeMap<&str, Vec<(NaiveDate, i64)>> = BTreeMap::new();
    for h in found
        .history
        .iter()
        .filter(|h| h.row.status != Status::Returned)
    {
        if let (Some(total), Ok(date)) = (
            h.row.total,
            NaiveDate::parse_from_str(&h.row.assessed_on, "%Y-%m-%d"),
        ) {
            by_instrument
                .entry(h.row.instrument_id.as_str())
                .or_default()
                .push((date, total));
        }
    }
    let most = by_instrument
        .iter()
        .filter(|(_, points)| points.len() >= 2)
        .max_by_key(|(id, points)| (points.len(), **id == GBT))
        .map(|(id, points)| (id.to_string(), points.clone()));
    let (trend_name, trend) = match most {
        Some((id, points)) => {
            let i = instrument(&id);
            let max = i.and_then(|i| i.max_total).unwrap_or(0);
            let bands = i
                .map(|i| {
                    i.bands
                        .iter()
                        .filter_map(|b| {
                            Some((
                                b.min?,
                                b.max?,
                                short_name(lang.pick(&b.name_zh, &b.name_en)),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                instrument_name(&id, lang),
                Some(LineChart::new(points, max, bands)),
            )
        }
        None => (String::new(), None),
    };
    let requests = found
        .open_requests
        .iter()
        .map(|r| OpenRequest {
            instrument_name: instrument_name(&r.instrument_id, lang),
            reason: r.reason.clone(),
            requested_by: r.requested_by_name.clone(),
            requested_at: app::local_time_text(&r.requested_at),
        })
        .collect();
    let chosen = if request.instrument.is_empty() {
        GBT.to_string()
    } else {
        request.instrument.clone()
    };
    Ok(ElderPanel {
        ability,
        care_level,
        care_level_by,
        ltc_level,
        ltc_provisional,
        subsidy,
        history,
        trend_name,
        trend,
        requests,
        can_assess: session.actor.may(Action::Assess),
        can_request: session.actor.may(Action::RequestReassessment),
        request_instruments: assessment::catalog()
            .instruments
            .iter()
            .filter(|i| i.recordable)
            .map(|i| Opt::new(i.id.clone(), i.name(lang), &chosen))
            .collect(),
        request,
    })
}

/// `POST /elders/{id}/reassessment-requests`: asks for a reassessment after a change of
/// condition; the elder's page again, with the error beside the reason if there is one.
pub async fn request_reassessment(
    State(state): State<WebState>,
    session: Session,
    Path(elder_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    let lang = session.lang;
    let form = FormData::from_extracted(form);
    session.check_csrf(&form.text("csrf"))?;
    let instrument = form.text("instrument_id");
    let reason = form.text("reason");
    match state
        .app
        .request_reassessment(
            &session.actor,
            &elder_id,
            Some(instrument.as_str()),
            Some(reason.as_str()),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/elders/{elder_id}#assessments"))),
        Err(e @ AppError::Invalid(_)) => {
            let errors = FormErrors::from_error(
                &e,
                lang,
                vec!["instrument_id".into(), "reason".into()],
                |f| match f {
                    "reason" => t(lang, "变化情况").into(),
                    _ => t(lang, "量表").into(),
                },
            );
            let request = RequestForm {
                instrument,
                reason,
                errors,
            };
            super::elders::detail_page(
                &state,
                &session,
                &elder_id,
                request,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(session.refuse(&other)),
    }
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
