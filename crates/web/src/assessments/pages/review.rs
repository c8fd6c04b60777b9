//! Results: the review before signing (the result page and the print-out share these), signing.

use super::*;

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
    pub(crate) fn from_json(
        instrument: Option<&Instrument>,
        result: &Value,
        lang: Lang,
    ) -> ResultView {
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
pub(crate) fn domain_code(instrument: Option<&Instrument>, id: &str) -> String {
    match (instrument.map(|i| i.id.as_str()), id.strip_prefix('B')) {
        (Some(GBT), Some(n)) => format!("B.{n}"),
        _ => String::new(),
    }
}

pub(crate) fn parameter_label(instrument: Option<&Instrument>, id: &str, lang: Lang) -> String {
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
pub(crate) fn answer_groups(
    instrument: &Instrument,
    answers: &Answers,
    lang: Lang,
) -> Vec<AnswerGroup> {
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
        let lines = items_in(instrument, Some(&d.id))
            .into_iter()
            .map(|n| {
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
    let loose: Vec<AnswerLine> = items_in(instrument, None)
        .into_iter()
        .map(|n| line(n).0)
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
pub(crate) fn same_answer(option: &Value, given: &Value, kind: AnswerKind) -> bool {
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

pub(crate) fn input_text(
    input: &assessment::InputSpec,
    value: Option<&Value>,
    lang: Lang,
) -> String {
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
pub(crate) struct ReviewPage {
    pub(crate) ui: Ui,
    pub(crate) sheet: Sheet,
    pub(crate) result: ResultView,
    pub(crate) groups: Vec<AnswerGroup>,
    pub(crate) hidden: Vec<(String, String)>,
    pub(crate) assessed_on: String,
    pub(crate) place: String,
    pub(crate) reason: String,
    pub(crate) errors: FormErrors,
}

pub(crate) fn review_page(
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
        sheet: Sheet::new(elder, instrument, lang),
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
    Path(elder_id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let lang = session.lang;
    session.require(&state.app, Action::Assess).await?;
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
    Path(elder_id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let lang = session.lang;
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
