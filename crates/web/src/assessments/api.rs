//! Instruments and assessments: `/api/v1/instruments` (public: list, one, score),
//! `/api/v1/elders/{id}/assessments`, `/api/v1/assessments/...` and reassessment requests.

use crate::api::{check, int_param, OrApi};
use crate::extract::{parse_json, parse_query, Caller, UserLang};
use crate::kit::{created, JsonBody};
use crate::{ApiError, WebState};
use app::assessments::{outcome_json, AssessmentInput, AssessmentView};
use app::AppError;
use assessment::{InputKind, Instrument, MorseBandSet, Stacking};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::Json;
use registry::{FieldError, Problem};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The definition of an instrument as clients need it to render and answer the form.
pub fn instrument_json(i: &Instrument) -> Value {
    let bands = |bands: &[assessment::Band]| -> Vec<Value> {
        bands
            .iter()
            .map(|b| {
                json!({"code": b.code, "grade": b.grade, "name_zh": b.name_zh,
                       "name_en": b.name_en, "min": b.min, "max": b.max, "rule": b.rule})
            })
            .collect()
    };
    json!({
        "id": i.id,
        "version": i.version,
        "name_zh": i.name_zh,
        "name_en": i.name_en,
        "citation": i.citation,
        "confidence": i.confidence,
        "recordable": i.recordable,
        "needs_second_assessor": i.needs_second_assessor,
        "assessor_only": i.assessor_only,
        "reassess_months": i.reassess_months,
        "min_total": i.min_total,
        "max_total": i.max_total,
        "domains": i.domains.iter().map(|d| json!({
            "id": d.id, "name_zh": d.name_zh, "name_en": d.name_en, "max": d.max
        })).collect::<Vec<_>>(),
        "items": i.items.iter().map(|item| json!({
            "id": item.id,
            "number": item.number,
            "domain": item.domain,
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "answer_type": match item.kind {
                assessment::AnswerKind::Score => "score",
                assessment::AnswerKind::YesNo { .. } => "yes_no",
                assessment::AnswerKind::ChangeYesNoUnknown => "yes_no_unknown",
            },
            "required": item.required,
            "options": item.options.iter().map(|o| json!({
                "value": o.value, "score": o.score, "label_zh": o.label_zh, "label_en": o.label_en
            })).collect::<Vec<_>>(),
            "anchors_zh": item.anchors_zh,
            "note": item.note,
        })).collect::<Vec<_>>(),
        "inputs": i.inputs.iter().map(|input| {
            let mut v = json!({"name": input.name, "label_zh": input.label_zh,
                               "label_en": input.label_en, "required": input.required});
            let (kind, extra) = match &input.kind {
                InputKind::Integer { min, max } => ("integer", json!({"min": min, "max": max})),
                InputKind::Decimal { min, max, decimals } => {
                    ("number", json!({"min": min, "max": max, "decimals": decimals}))
                }
                InputKind::Bool => ("boolean", json!({})),
                InputKind::Choice(choices) => ("choice", json!({"choices": choices})),
                InputKind::Text { max_chars } => ("text", json!({"max_chars": max_chars})),
            };
            v["type"] = kind.into();
            if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
                obj.extend(extra);
            }
            v
        }).collect::<Vec<_>>(),
        "bands": bands(&i.bands),
        "band_sets": i.band_sets.iter().map(|(k, v)| (k.clone(), Value::from(bands(v)))).collect::<Map<_, _>>(),
        "levels": bands(&i.levels),
        "constitutions": i.constitutions.iter().map(|c| json!({
            "id": c.id, "name_zh": c.name_zh, "name_en": c.name_en, "items": c.items,
            "reverse_scored_items": c.reverse_scored_items
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/instruments`: every instrument with its items and options. Public.
pub async fn list_instruments() -> Json<Value> {
    let catalog = assessment::catalog();
    Json(json!({
        "schema_version": catalog.schema_version,
        "generated": catalog.generated,
        "total": catalog.instruments.len(),
        "items": catalog.instruments.iter().map(instrument_json).collect::<Vec<_>>(),
    }))
}

/// `GET /api/v1/instruments/{id}`. Public.
pub async fn get_instrument(
    UserLang(lang): UserLang,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let instrument = assessment::catalog()
        .get(&id)
        .ok_or_else(|| ApiError::new(AppError::NotFound, lang))?;
    Ok(Json(instrument_json(instrument)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreBody {
    answers: Value,
}

#[derive(Deserialize, Default)]
struct ScoreParams {
    band_set: Option<String>,
    gds_cutoff: Option<String>,
    stacking: Option<String>,
}

fn answers_of(value: Value) -> Result<Map<String, Value>, AppError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(AppError::field(
            "answers",
            Problem::Invalid {
                zh: "须为对象：{\"条目编号\": 取值, ...}".into(),
                en: "must be an object: {\"item_id\": value, ...}".into(),
            },
        )),
    }
}

/// `POST /api/v1/instruments/{id}/score` with `{"answers": {...}}`: the result, nothing stored.
/// Public. The query may override the deployment's open choices for this call:
/// `band_set` (Morse), `gds_cutoff`, `stacking` (GB/T 42195).
pub async fn score(
    State(state): State<WebState>,
    UserLang(lang): UserLang,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if assessment::catalog().get(&id).is_none() {
        return Err(ApiError::new(AppError::NotFound, lang));
    }
    let params: ScoreParams = parse_query(uri.query(), lang)?;
    let mut rules = state.app.assessment_settings().rules.clone();
    let mut errors = Vec::new();
    if let Some(set) = params.band_set.as_deref().filter(|s| !s.is_empty()) {
        match MorseBandSet::parse(set) {
            Some(set) => rules.morse_bands = set,
            None => errors.push(FieldError::new(
                "band_set",
                Problem::OneOf {
                    allowed: vec!["cn_common", "morse_original"],
                },
            )),
        }
    }
    if let Some(stacking) = params.stacking.as_deref().filter(|s| !s.is_empty()) {
        match Stacking::parse(stacking) {
            Some(s) => rules.gbt_stacking = s,
            None => errors.push(FieldError::new(
                "stacking",
                Problem::OneOf {
                    allowed: vec!["one_in_total", "per_rule"],
                },
            )),
        }
    }
    if let Some(cutoff) = int_param(&mut errors, "gds_cutoff", &params.gds_cutoff, 1, 15) {
        rules.gds_positive_at = cutoff;
    }
    check(errors, lang)?;
    let body: ScoreBody = parse_json(&body, lang)?;
    let answers = answers_of(body.answers).or_api(lang)?;
    let outcome = state.app.score_with(&id, &answers, &rules).or_api(lang)?;
    Ok(Json(outcome_json(&outcome)))
}

/// An assessment as the API shows it.
pub fn assessment_json(view: &AssessmentView) -> Value {
    let r = &view.row;
    json!({
        "id": r.id,
        "elder_id": r.elder_id,
        "elder_name": r.elder_name,
        "instrument_id": r.instrument_id,
        "instrument_version": r.instrument_version,
        "assessed_on": r.assessed_on,
        "place": r.place.code(),
        "reason": r.reason.code(),
        "org_id": r.org_id,
        "region_code": r.region_code,
        "status": r.status.code(),
        "total": r.total,
        "grade": r.grade,
        "band": r.band,
        "provisional": r.provisional == 1,
        "assessor": {"id": r.assessor_id, "name": r.assessor_name, "signed_at": r.signed_at},
        "second_assessor": r.second_assessor_id.as_ref().map(|id| json!({
            "id": id, "name": r.second_assessor_name, "confirmed_at": r.confirmed_at
        })),
        "returned": r.return_reason.as_ref().map(|reason| json!({
            "by": r.returned_by_name, "reason": reason
        })),
        "next_due_on": r.next_due_on,
        "note": r.note,
        "answers": view.answers,
        "result": view.result,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    instrument_id: Option<String>,
    answers: Option<Value>,
    assessed_on: Option<String>,
    place: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

/// `POST /api/v1/elders/{id}/assessments` → 201 with the stored assessment.
pub async fn create(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
    JsonBody(body): JsonBody<AssessmentBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let answers = match body.answers {
        None => {
            return Err(ApiError::new(
                AppError::field("answers", Problem::Required),
                caller.lang,
            ))
        }
        Some(v) => answers_of(v).or_api(caller.lang)?,
    };
    let input = AssessmentInput {
        instrument_id: body.instrument_id,
        answers,
        assessed_on: body.assessed_on,
        place: body.place,
        reason: body.reason,
        note: body.note,
    };
    let (id, _) = caller
        .run(
            state
                .app
                .record_assessment(&caller.actor, &elder_id, &input),
        )
        .await?;
    let view = caller
        .run(state.app.get_assessment(&caller.actor, &id))
        .await?;
    Ok((StatusCode::CREATED, Json(assessment_json(&view))))
}

/// `GET /api/v1/elders/{id}/assessments`: history (newest first), current results, levels
/// and open reassessment requests.
pub async fn for_elder(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let found = caller
        .run(state.app.elder_assessments(&caller.actor, &elder_id))
        .await?;
    let levels = found.levels.as_ref().map(|l| {
        json!({
            "ability_grade": l.ability_grade,
            "ability_band": l.ability_band,
            "care_level": l.care_level,
            "care_level_instrument": l.care_level_instrument,
            "ltc_level": l.ltc_level,
            "subsidy_yuan_per_year": found.subsidy_yuan,
            "updated_at": l.updated_at,
        })
    });
    Ok(Json(json!({
        "total": found.history.len(),
        "items": found.history.iter().map(assessment_json).collect::<Vec<_>>(),
        "current": found.current.iter().map(|c| json!({
            "instrument_id": c.instrument_id, "assessment_id": c.assessment_id,
            "assessed_on": c.assessed_on, "band": c.band, "grade": c.grade,
            "next_due_on": c.next_due_on
        })).collect::<Vec<_>>(),
        "levels": levels,
        "open_requests": found.open_requests.iter().map(|r| json!({
            "id": r.id, "instrument_id": r.instrument_id, "reason": r.reason,
            "requested_by": r.requested_by_name, "requested_at": r.requested_at
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/assessments/{id}`.
pub async fn get(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let view = caller
        .run(state.app.get_assessment(&caller.actor, &id))
        .await?;
    Ok(Json(assessment_json(&view)))
}

/// `POST /api/v1/assessments/{id}/confirm`: the second assessor's confirmation.
pub async fn confirm(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller
        .run(state.app.confirm_assessment(&caller.actor, &id))
        .await?;
    assessment_now(&state, &caller, &id).await
}

/// The assessment as it stands after a change, in the caller's view.
async fn assessment_now(
    state: &WebState,
    caller: &Caller,
    id: &str,
) -> Result<Json<Value>, ApiError> {
    let view = caller
        .run(state.app.get_assessment(&caller.actor, id))
        .await?;
    Ok(Json(assessment_json(&view)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    reason: Option<String>,
}

/// `POST /api/v1/assessments/{id}/return` with `{"reason"}`: back for correction.
pub async fn return_for_correction(
    State(state): State<WebState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReturnBody>,
) -> Result<Json<Value>, ApiError> {
    caller
        .run(
            state
                .app
                .return_assessment(&caller.actor, &id, body.reason.as_deref()),
        )
        .await?;
    assessment_now(&state, &caller, &id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    instrument_id: Option<String>,
    reason: Option<String>,
}

/// `POST /api/v1/elders/{id}/reassessment-requests` → 201 `{"id"}`.
pub async fn request_reassessment(
    State(state): State<WebState>,
    caller: Caller,
    Path(elder_id): Path<String>,
    JsonBody(body): JsonBody<RequestBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = caller
        .run(state.app.request_reassessment(
            &caller.actor,
            &elder_id,
            body.instrument_id.as_deref(),
            body.reason.as_deref(),
        ))
        .await?;
    Ok(created(id))
}

#[derive(Deserialize, Default)]
struct WorklistParams {
    within_days: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /api/v1/assessments/worklist?within_days=30&page=1&per_page=20`: `page` and
/// `per_page` page the due reassessments.
pub async fn worklist(
    State(state): State<WebState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let params: WorklistParams = parse_query(uri.query(), caller.lang)?;
    let mut errors = Vec::new();
    let days = int_param(&mut errors, "within_days", &params.within_days, 0, 366).unwrap_or(30);
    let page = crate::api::page_of(&mut errors, &params.page, &params.per_page);
    check(errors, caller.lang)?;
    let list = caller
        .run(state.app.assessment_worklist(&caller.actor, days, page))
        .await?;
    Ok(Json(json!({
        "due_by": list.due_by,
        "due_total": list.due_total,
        "page": page.page,
        "per_page": page.per_page,
        "due": list.due.iter().map(|d| json!({
            "elder_id": d.elder_id, "elder_name": d.elder_name, "region_code": d.region_code,
            "instrument_id": d.instrument_id, "assessed_on": d.assessed_on,
            "next_due_on": d.next_due_on, "band": d.band
        })).collect::<Vec<_>>(),
        "requests": list.requests.iter().map(|r| json!({
            "id": r.id, "elder_id": r.elder_id, "elder_name": r.elder_name,
            "instrument_id": r.instrument_id, "reason": r.reason,
            "requested_by": r.requested_by_name, "requested_at": r.requested_at
        })).collect::<Vec<_>>(),
        "awaiting_confirmation": list.awaiting.iter().map(assessment_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
struct StatsParams {
    from: Option<String>,
    to: Option<String>,
    region: Option<String>,
}

/// `GET /api/v1/assessments/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&region=CODE`: final
/// assessments per sub-region, month, instrument and result.
pub async fn stats(
    State(state): State<WebState>,
    caller: Caller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let params: StatsParams = parse_query(uri.query(), caller.lang)?;
    let today = app::today(state.app.now());
    let mut errors = Vec::new();
    let mut date = |field: &str, text: &Option<String>, default: chrono::NaiveDate| match text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => default,
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.push(FieldError::new(field, Problem::Date));
            default
        }),
    };
    let from = date("from", &params.from, today - chrono::Duration::days(365));
    let to = date("to", &params.to, today);
    let region = match params
        .region
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => match region::RegionCode::parse(text) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.push(FieldError::new("region", Problem::RegionCode));
                None
            }
        },
    };
    check(errors, caller.lang)?;
    let prefix = region.as_ref().map(|r| r.prefix().to_string());
    let rows = caller
        .run(
            state
                .app
                .assessment_counts(&caller.actor, from, to, prefix.as_deref()),
        )
        .await?;
    let group_len = app::assessments::child_prefix_len(prefix.as_deref());
    let grouped = app::assessments::roll_up(&rows, group_len);
    Ok(Json(json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "region": region.map(|r| r.display_code()),
        "total": rows.iter().map(|r| r.n).sum::<i64>(),
        "items": grouped.iter().map(|r| json!({
            "region_code": r.region_code, "month": r.month, "instrument_id": r.instrument_id,
            "band": r.band, "grade": r.grade, "count": r.n
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/assessments/subsidies`: institutions in scope, their assessed residents by
/// care level, and the yearly operating subsidy that follows.
pub async fn subsidies(
    State(state): State<WebState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let items = caller
        .run(state.app.institution_subsidies(&caller.actor))
        .await?;
    let policy = &state.app.assessment_settings().subsidy;
    Ok(Json(json!({
        "policy": {
            "source": policy.source,
            "provincial_yuan": {
                "self_care": policy.provincial_yuan[0],
                "semi_dependent": policy.provincial_yuan[1],
                "fully_dependent": policy.provincial_yuan[2],
            },
            "municipal_yuan": policy.municipal_yuan,
        },
        "total_yuan": items.iter().map(|i| i.total_yuan()).sum::<i64>(),
        "items": items.iter().map(|i| json!({
            "org_id": i.org_id,
            "org_name": i.org_name,
            "residents": {
                "self_care": i.residents[0],
                "semi_dependent": i.residents[1],
                "fully_dependent": i.residents[2],
            },
            "provincial_yuan": i.provincial_yuan,
            "municipal_yuan": i.municipal_yuan,
            "total_yuan": i.total_yuan(),
        })).collect::<Vec<_>>(),
    })))
}
