//! The assessments panel of the elder's page and the reassessment request.

use super::*;

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
    let found = session
        .run(state.app.elder_assessments(&session.actor, elder_id))
        .await?;
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
    Path(elder_id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let lang = session.lang;
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
            crate::elders::pages::detail_page(
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
