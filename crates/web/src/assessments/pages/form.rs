//! The form: what the assessor entered, items grouped by domain, choosing an instrument.

use super::*;

/// The form as posted: each item's chosen option by position, each input's text, and the
/// assessment's date, place, reason and note. The review page carries it on in hidden fields.
#[derive(Clone, Default)]
pub(crate) struct Entered {
    pub(crate) values: Vec<(String, String)>,
    pub(crate) assessed_on: String,
    pub(crate) place: String,
    pub(crate) reason: String,
    pub(crate) note: String,
}

impl Entered {
    pub(crate) fn fresh(today: NaiveDate, reason: &str) -> Entered {
        Entered {
            assessed_on: today.to_string(),
            reason: Reason::parse(reason)
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    pub(crate) fn from_form(instrument: &Instrument, form: &FormData) -> Entered {
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

    pub(crate) fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The answers to score: the chosen options' values, the inputs as numbers, booleans and
    /// text. What cannot be read goes on as text, for the scorer to name.
    pub(crate) fn answers(&self, instrument: &Instrument) -> Answers {
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
    pub(crate) fn hidden(&self) -> Vec<(String, String)> {
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
    pub(crate) fn meta_errors(&self, today: NaiveDate) -> Vec<FieldError> {
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

    pub(crate) fn input(&self, instrument: &Instrument) -> AssessmentInput {
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
pub(crate) fn item_code(instrument: &Instrument, index: usize) -> String {
    let item = &instrument.items[index];
    if instrument.id == GBT {
        item.id.clone()
    } else {
        item.number
            .map(|n| n.to_string())
            .unwrap_or_else(|| (index + 1).to_string())
    }
}

pub(crate) fn groups_of(instrument: &Instrument, entered: &Entered, lang: Lang) -> Vec<GroupView> {
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
            items: items_in(instrument, Some(&d.id))
                .into_iter()
                .map(item_view)
                .collect(),
        })
        .collect();
    let loose: Vec<ItemView> = items_in(instrument, None)
        .into_iter()
        .map(item_view)
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

pub(crate) fn inputs_of(instrument: &Instrument, entered: &Entered, lang: Lang) -> Vec<InputView> {
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
pub(crate) fn form_fields(instrument: &Instrument) -> Vec<String> {
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

pub(crate) fn field_label(instrument: &Instrument, field: &str, lang: Lang) -> String {
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

pub(crate) fn form_errors(instrument: &Instrument, error: &AppError, lang: Lang) -> FormErrors {
    FormErrors::from_error(error, lang, form_fields(instrument), |f| {
        field_label(instrument, f, lang)
    })
}

pub struct ElderHead {
    pub id: String,
    pub name: String,
    pub facts: String,
}

pub(crate) async fn elder_head(
    state: &WebState,
    session: &Session,
    id: &str,
) -> Result<ElderHead, Refusal> {
    let lang = session.lang;
    let elder = session.run(state.app.get_elder(&session.actor, id)).await?;
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
pub(crate) struct ChoosePage {
    pub(crate) ui: Ui,
    pub(crate) elder: ElderHead,
    pub(crate) cards: Vec<InstrumentCard>,
}

#[derive(Template)]
#[template(path = "assessments/form.html")]
pub(crate) struct FormPage {
    pub(crate) ui: Ui,
    pub(crate) sheet: Sheet,
    pub(crate) groups: Vec<GroupView>,
    pub(crate) inputs: Vec<InputView>,
    pub(crate) item_count: usize,
    pub(crate) max_total: Option<i64>,
    pub(crate) assessed_on: String,
    pub(crate) today: String,
    pub(crate) places: Vec<Opt>,
    pub(crate) reasons: Vec<Opt>,
    pub(crate) note: String,
    pub(crate) errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    pub(crate) instrument: Option<String>,
    pub(crate) reason: Option<String>,
}

/// `GET /elders/{id}/assessments/new`: the instruments to choose from, or with `?instrument=`
/// the blank form.
pub async fn new_form(
    State(state): State<WebState>,
    session: Session,
    Path(elder_id): Path<String>,
    Filters(params): Filters<NewParams>,
) -> PageResult {
    let lang = session.lang;
    session.require(&state.app, Action::Assess).await?;
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

pub(crate) fn form_page(
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
        sheet: Sheet::new(elder, instrument, lang),
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
