//! Use cases on standardized assessments: score an answer set (public, stores nothing), record
//! and sign an assessment on an elder, confirm it as second assessor, the elder's history and
//! levels, reassessment requests, the assessor's worklist and counts for supervision.
//!
//! A result counts (becomes the elder's current result, updates care level and subsidy level)
//! once it is final: at signing for instruments taken by one person, at the second assessor's
//! confirmation for GB/T 42195 and the long-term-care grade.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Result};
use access::{Action, AuditAction};
use assessment::{Answers, CareSummary, CurrentResult, Instrument, Outcome, Rules, SubsidyPolicy};
use chrono::{DateTime, Months, NaiveDate, Utc};
use registry::{field, FieldError, Problem};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use store::assessments::{
    AssessmentRow, CareLevelsRow, CountRow, CurrentRow, DueRow, NewAssessment, RequestRow,
};
use store::StoreError;

/// The deployment's scoring rules and subsidy policy.
#[derive(Debug, Clone, Default)]
pub struct AssessmentSettings {
    pub rules: Rules,
    pub subsidy: SubsidyPolicy,
}

pub use assessment::record::{Place, Reason, Status};

/// What an assessor submits.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub instrument_id: Option<String>,
    pub answers: Answers,
    /// `YYYY-MM-DD`; today (Asia/Shanghai) when absent.
    pub assessed_on: Option<String>,
    pub place: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// An assessment as shown.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub row: AssessmentRow,
    /// The stored result (the same JSON shape as the scoring API's answer).
    pub result: Value,
    pub answers: Answers,
}

impl AssessmentView {
    /// The stored answers and result read back; either not in its shape is corrupt data, an
    /// error, never an empty answer set or a result of zeros.
    fn from_row(row: AssessmentRow) -> Result<AssessmentView> {
        let corrupt = |what: &str, e: serde_json::Error| {
            AppError::from(StoreError::Corrupt(format!(
                "assessment {}: {what}: {e}",
                row.id
            )))
        };
        let stored: StoredResult =
            serde_json::from_str(&row.result).map_err(|e| corrupt("result", e))?;
        let answers = serde_json::from_str(&row.answers).map_err(|e| corrupt("answers", e))?;
        Ok(AssessmentView {
            result: stored.to_json(),
            row,
            answers,
        })
    }

    pub fn instrument(&self) -> Option<&'static Instrument> {
        assessment::catalog().get(&self.row.instrument_id)
    }
}

/// An elder's assessments, current results and levels.
#[derive(Debug, Clone)]
pub struct ElderAssessments {
    pub history: Vec<AssessmentView>,
    pub current: Vec<CurrentRow>,
    pub levels: Option<CareLevelsRow>,
    /// Yuan per year the elder's care level brings, where the elder lives now in an institution.
    pub subsidy_yuan: Option<i64>,
    pub open_requests: Vec<RequestRow>,
}

/// The assessor's worklist.
#[derive(Debug, Clone)]
pub struct Worklist {
    pub due: Vec<DueRow>,
    pub due_total: i64,
    pub requests: Vec<RequestRow>,
    pub awaiting: Vec<AssessmentView>,
    pub due_by: String,
}

/// One institution's residents by care level and the operating subsidy they bring per year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionSubsidy {
    pub org_id: String,
    pub org_name: String,
    /// Residents per level, in the order of `SelfCareLevel::ALL`.
    pub residents: [i64; 3],
    pub provincial_yuan: i64,
    pub municipal_yuan: i64,
}

impl InstitutionSubsidy {
    pub fn total_yuan(&self) -> i64 {
        self.provincial_yuan + self.municipal_yuan
    }
}

/// Adds up `(org, level, residents)` rows into subsidies under `policy`.
pub fn subsidies(
    rows: &[(String, String, i64)],
    names: &std::collections::BTreeMap<String, String>,
    policy: &SubsidyPolicy,
) -> Vec<InstitutionSubsidy> {
    let mut by_org: Vec<InstitutionSubsidy> = Vec::new();
    for (org, level, n) in rows {
        let Some(level) = assessment::SelfCareLevel::parse(level) else {
            continue;
        };
        let index = by_org
            .iter()
            .position(|s| &s.org_id == org)
            .unwrap_or_else(|| {
                by_org.push(InstitutionSubsidy {
                    org_id: org.clone(),
                    org_name: names.get(org).cloned().unwrap_or_else(|| org.clone()),
                    residents: [0; 3],
                    provincial_yuan: 0,
                    municipal_yuan: 0,
                });
                by_org.len() - 1
            });
        let entry = &mut by_org[index];
        let (provincial, municipal, _) = policy.yuan(level);
        entry.residents[level as usize] += n;
        entry.provincial_yuan += provincial * n;
        entry.municipal_yuan += municipal * n;
    }
    by_org.sort_by(|a, b| {
        b.total_yuan()
            .cmp(&a.total_yuan())
            .then(a.org_name.cmp(&b.org_name))
    });
    by_org
}

/// The JSON shape of a scoring result: the scoring API's answer and what is stored with an
/// assessment. Absent figures are left out rather than null (`total` only where the
/// instrument has one).
pub fn outcome_json(outcome: &Outcome) -> Value {
    StoredResult::of(outcome).to_json()
}

/// A scoring result as it is stored (`assessments.result`) and served: one serde type written
/// and read back, so a stored result that is not in this shape is an error. Keys are served in
/// the order of a JSON object's map (sorted), as `to_json` gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredResult {
    pub instrument: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band_name: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_grade: Option<i64>,
    /// GDS-15, Mini-Cog and AD8 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_positive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscores: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<StoredDomain>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_scores: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constitutions: Option<BTreeMap<String, StoredConstitution>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band_sets: Option<BTreeMap<String, String>>,
    /// The identity-number checker's fields, beside the others.
    #[serde(flatten)]
    pub id_check: Option<StoredIdCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Map<String, Value>>,
    pub flags: Vec<StoredFlag>,
    pub provisional: bool,
    pub explanation: Vec<Text>,
}

/// A sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDomain {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub score: i64,
    pub max: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredConstitution {
    pub score: i64,
    /// 是 / 倾向是 / 基本是 / 否, as the form writes it.
    pub verdict: String,
    pub verdict_en: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFlag {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// `birth_date`, `sex` and `region_code` are null when the number does not give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIdCheck {
    pub valid: bool,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgraded_id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
}

impl Text {
    fn of(line: &assessment::Line) -> Text {
        Text {
            zh: line.zh.clone(),
            en: line.en.clone(),
        }
    }
}

impl StoredResult {
    pub fn of(outcome: &Outcome) -> StoredResult {
        StoredResult {
            instrument: outcome.instrument.clone(),
            version: outcome.version.clone(),
            total: outcome.total,
            max_total: outcome.total.and(outcome.max_total),
            band: outcome.band.clone(),
            band_name: outcome.band_name.as_ref().map(Text::of),
            grade: outcome.grade,
            initial_grade: outcome.initial_grade,
            screen_positive: matches!(outcome.instrument.as_str(), "gds15" | "minicog" | "ad8")
                .then(|| outcome.has_flag("screen_positive")),
            subscores: (!outcome.subscores.is_empty()).then(|| {
                outcome
                    .subscores
                    .iter()
                    .map(|s| (s.id.clone(), s.score))
                    .collect()
            }),
            domains: (!outcome.subscores.is_empty()).then(|| {
                outcome
                    .subscores
                    .iter()
                    .map(|s| StoredDomain {
                        id: s.id.clone(),
                        name_zh: s.name_zh.clone(),
                        name_en: s.name_en.clone(),
                        score: s.score,
                        max: s.max,
                    })
                    .collect()
            }),
            parameter_scores: (!outcome.parameter_scores.is_empty())
                .then(|| outcome.parameter_scores.iter().cloned().collect()),
            constitutions: (!outcome.constitutions.is_empty()).then(|| {
                outcome
                    .constitutions
                    .iter()
                    .map(|c| {
                        let stored = StoredConstitution {
                            score: c.score,
                            verdict: c.verdict.as_form().to_string(),
                            verdict_en: c.verdict.en().to_string(),
                            name_zh: c.name_zh.clone(),
                            name_en: c.name_en.clone(),
                        };
                        (c.code.clone(), stored)
                    })
                    .collect()
            }),
            band_sets: (!outcome.band_sets.is_empty())
                .then(|| outcome.band_sets.iter().cloned().collect()),
            id_check: outcome.id_check.as_ref().map(|check| StoredIdCheck {
                valid: check.valid,
                birth_date: check.birth_date.clone(),
                sex: check.sex.clone(),
                region_code: check.region_code.clone(),
                upgraded_id_number: check.upgraded.clone(),
                reason: check.reason.as_ref().map(Text::of),
            }),
            details: (!outcome.values.is_empty()).then(|| outcome.values.iter().cloned().collect()),
            flags: outcome
                .flags
                .iter()
                .map(|f| StoredFlag {
                    code: f.code.clone(),
                    zh: f.text.zh.clone(),
                    en: f.text.en.clone(),
                })
                .collect(),
            provisional: outcome.provisional,
            explanation: outcome.explanation.iter().map(Text::of).collect(),
        }
    }

    /// The JSON object (keys sorted, as every JSON object of the API).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a stored result always serializes")
    }
}

/// The current result a final assessment makes.
pub(crate) fn current_row(new: &NewAssessment, assessment_id: &str) -> CurrentRow {
    CurrentRow {
        elder_id: new.elder_id.clone(),
        instrument_id: new.instrument_id.clone(),
        assessment_id: assessment_id.to_string(),
        assessed_on: new.assessed_on.clone(),
        band: new.band.clone(),
        grade: new.grade,
        next_due_on: new.next_due_on.clone(),
    }
}

fn answer_errors(errors: Vec<assessment::AnswerError>) -> AppError {
    AppError::Invalid(errors.iter().map(|e| e.to_field_error()).collect())
}

/// `assessed_on` + the instrument's reassessment interval.
pub fn next_due(instrument: &Instrument, assessed_on: NaiveDate) -> Option<NaiveDate> {
    let months = instrument.reassess_months?;
    assessed_on.checked_add_months(Months::new(months))
}

impl App {
    /// Scores an answer set with the deployment's rules. Stores nothing and needs no sign-in:
    /// the instruments are public standards.
    pub fn score(&self, instrument_id: &str, answers: &Answers) -> Result<Outcome> {
        self.score_with(instrument_id, answers, &self.assessment.rules)
    }

    /// Scores with explicit rules (the API's per-request band set or cut-off).
    pub fn score_with(
        &self,
        instrument_id: &str,
        answers: &Answers,
        rules: &Rules,
    ) -> Result<Outcome> {
        let instrument = assessment::catalog()
            .get(instrument_id)
            .ok_or(AppError::NotFound)?;
        assessment::score(instrument, answers, rules, crate::today(self.now()))
            .map_err(answer_errors)
    }

    /// Scores and signs an assessment of an elder. Audited; one transaction.
    pub async fn record_assessment(
        &self,
        actor: &Actor,
        elder_id: &str,
        input: &AssessmentInput,
    ) -> Result<(String, Status)> {
        let authorized = actor.writes_for(self, Action::Assess).await?;
        let now = self.now();
        let today = crate::today(now);
        let mut errors = Vec::new();
        let instrument = field::required(
            &mut errors,
            "instrument_id",
            &input.instrument_id,
            recordable_instrument,
        );
        let place = field::required(&mut errors, "place", &input.place, |t| {
            field::listed(t, Place::CODES).map(str::to_string)
        });
        let reason = field::optional(&mut errors, "reason", &input.reason, |t| {
            field::listed(t, Reason::CODES).map(str::to_string)
        });
        let assessed_on = match input.assessed_on.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) if d > today => {
                    errors.push(FieldError::new("assessed_on", Problem::DateInFuture));
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new("assessed_on", Problem::Date));
                    None
                }
            },
        };
        let note = registry::field::text(&mut errors, "note", input.note.as_deref(), 1000, false);
        let outcome = match instrument {
            Some(instrument) => {
                match assessment::score(instrument, &input.answers, &self.assessment.rules, today) {
                    Ok(outcome) => Some(outcome),
                    Err(answer) => {
                        errors.extend(answer.iter().map(|e| e.to_field_error()));
                        None
                    }
                }
            }
            None => None,
        };
        if let Some(instrument) = instrument {
            if instrument.assessor_only && actor.role != access::Role::Assessor {
                return Err(self
                    .denied(
                        actor,
                        "assessment_assessor_only",
                        Some(elder_id),
                        AppError::Forbidden,
                    )
                    .await);
            }
        }
        let tx = self.store.begin().await?;
        let (mut tx, elder) = self
            .elder_in_scope(tx, &authorized, actor, elder_id, "assessment_create")
            .await?;
        if let (Some(date), Ok(birth)) = (
            assessed_on,
            NaiveDate::parse_from_str(&elder.birth_date, "%Y-%m-%d"),
        ) {
            if date < birth {
                errors.push(FieldError::new("assessed_on", Problem::DateBeforeBirth));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (Some(instrument), Some(outcome), Some(assessed_on), Some(place)) =
            (instrument, outcome, assessed_on, place)
        else {
            return Err(AppError::Internal("checked input incomplete".into()));
        };
        let previous =
            store::assessments::current_for_elder(&mut tx, &authorized, elder_id).await?;
        let reason = reason.unwrap_or_else(|| {
            if previous.iter().any(|c| c.instrument_id == instrument.id) {
                "annual".into()
            } else {
                "initial".into()
            }
        });
        let status = if instrument.needs_second_assessor {
            Status::AwaitingConfirmation
        } else {
            Status::Final
        };
        let next_due_on = next_due(instrument, assessed_on).map(|d| d.to_string());
        let new = NewAssessment {
            elder_id: elder_id.to_string(),
            instrument_id: instrument.id.clone(),
            instrument_version: instrument.version.clone(),
            assessed_on: assessed_on.to_string(),
            place,
            reason,
            org_id: actor.org_id.clone(),
            region_code: elder.region_code.clone(),
            answers: Value::Object(input.answers.clone()).to_string(),
            result: outcome_json(&outcome).to_string(),
            total: outcome.total,
            grade: outcome.grade,
            band: outcome.band.clone(),
            provisional: outcome.provisional,
            status: status.code().to_string(),
            assessor_id: actor.user_id.clone(),
            assessor_name: actor.display_name.clone(),
            note,
            next_due_on: next_due_on.clone(),
        };
        let id = store::assessments::insert(&mut tx, &authorized, &new, now).await?;
        if status == Status::Final {
            self.apply_result(&mut tx, &current_row(&new, &id), now)
                .await?;
        }
        Audit::new(actor, AuditAction::AssessmentCreate)
            .elder(elder_id)
            .detail(format!(
                "{} {} {}",
                instrument.id,
                id,
                outcome.band.as_deref().unwrap_or("")
            ))
            .commit(tx)
            .await?;
        Ok((id, status))
    }

    /// Makes a final result current, closes the reassessment requests it answers and
    /// recomputes the elder's levels.
    pub(crate) async fn apply_result(
        &self,
        conn: &mut store::Conn,
        result: &CurrentRow,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let authorized = crate::auth::system_access(now);
        store::assessments::make_current(conn, &authorized, result).await?;
        store::assessments::resolve_requests(
            conn,
            &authorized,
            &result.elder_id,
            &result.instrument_id,
            &result.assessment_id,
            now,
        )
        .await?;
        let current =
            store::assessments::current_for_elder(conn, &authorized, &result.elder_id).await?;
        let results: Vec<CurrentResult> = current
            .iter()
            .map(|c| CurrentResult {
                instrument: c.instrument_id.clone(),
                band: c.band.clone(),
                grade: c.grade,
                assessed_on: c.assessed_on.clone(),
            })
            .collect();
        let summary = CareSummary::from_results(&results, &self.assessment.subsidy);
        store::assessments::save_care_levels(
            conn,
            &authorized,
            &CareLevelsRow {
                elder_id: result.elder_id.clone(),
                ability_grade: summary.ability_grade,
                ability_band: summary.ability_band.clone(),
                care_level: summary.care_level.as_ref().map(|c| c.0.code().to_string()),
                care_level_instrument: summary.care_level.as_ref().map(|c| c.1.clone()),
                ltc_level: summary.ltc_level,
                assessment_id: Some(result.assessment_id.clone()),
                updated_at: store::time_text(now),
            },
        )
        .await?;
        Ok(())
    }

    /// The second assessor's confirmation: another assessor than the one who signed.
    pub async fn confirm_assessment(&self, actor: &Actor, id: &str) -> Result<()> {
        let authorized = actor.writes_for(self, Action::ConfirmAssessment).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = store::assessments::get(&mut tx, &authorized, id).await?;
        let (mut tx, row) = self
            .found_or_denied(tx, found, actor, "assessment_confirm", Some(id))
            .await?;
        if row.status != Status::AwaitingConfirmation {
            return Err(AppError::field(
                "status",
                Problem::Invalid {
                    zh: "该评估不需要复核，或已复核".into(),
                    en: "this assessment needs no confirmation or is already confirmed".into(),
                },
            ));
        }
        if row.assessor_id == actor.user_id {
            return Err(AppError::field(
                "second_assessor",
                Problem::Invalid {
                    zh: "复核须由另一名评估员完成".into(),
                    en: "the second assessor must be a different person".into(),
                },
            ));
        }
        if !store::assessments::confirm(
            &mut tx,
            &authorized,
            id,
            &actor.user_id,
            &actor.display_name,
            now,
        )
        .await?
        {
            return Err(AppError::Stale);
        }
        let result = CurrentRow {
            elder_id: row.elder_id.clone(),
            instrument_id: row.instrument_id.clone(),
            assessment_id: id.to_string(),
            assessed_on: row.assessed_on.clone(),
            band: row.band.clone(),
            grade: row.grade,
            next_due_on: row.next_due_on.clone(),
        };
        self.apply_result(&mut tx, &result, now).await?;
        Audit::new(actor, AuditAction::AssessmentConfirm)
            .elder(&row.elder_id)
            .detail(format!("{} {id}", row.instrument_id))
            .commit(tx)
            .await?;
        Ok(())
    }

    /// Sends an assessment that awaits its second assessor back for correction, or lets the
    /// signer take it back: it never counts, and the reason stays on it. A new assessment is
    /// then signed in its place.
    pub async fn return_assessment(
        &self,
        actor: &Actor,
        id: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let authorized = actor.writes_for(self, Action::ConfirmAssessment).await?;
        let mut errors = Vec::new();
        let reason = registry::field::text(&mut errors, "reason", reason, 500, true);
        let mut tx = self.store.begin().await?;
        let found = store::assessments::get(&mut tx, &authorized, id).await?;
        let (mut tx, row) = self
            .found_or_denied(tx, found, actor, "assessment_return", Some(id))
            .await?;
        if row.status != Status::AwaitingConfirmation {
            errors.push(FieldError::new(
                "status",
                Problem::Invalid {
                    zh: "只有待复核的评估可以退回".into(),
                    en: "only an assessment awaiting confirmation can be returned".into(),
                },
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let reason = reason.unwrap_or_default();
        if !store::assessments::return_for_correction(
            &mut tx,
            &authorized,
            id,
            &actor.display_name,
            &reason,
        )
        .await?
        {
            return Err(AppError::Stale);
        }
        Audit::new(actor, AuditAction::AssessmentReturn)
            .elder(&row.elder_id)
            .detail(format!("{} {id}", row.instrument_id))
            .commit(tx)
            .await?;
        Ok(())
    }

    /// One assessment in the caller's scope; audited.
    pub async fn get_assessment(&self, actor: &Actor, id: &str) -> Result<AssessmentView> {
        let authorized = actor.reads_for(self, Action::ReadElder).await?;
        let mut conn = self.store.acquire().await?;
        let found = store::assessments::get(&mut conn, &authorized, id).await?;
        let (mut conn, row) = self
            .found_or_denied(conn, found, actor, "assessment_read", Some(id))
            .await?;
        Audit::new(actor, AuditAction::AssessmentRead)
            .elder(&row.elder_id)
            .detail(id)
            .append(&mut conn)
            .await?;
        AssessmentView::from_row(row)
    }

    /// An elder's assessments, current results and levels; audited.
    pub async fn elder_assessments(
        &self,
        actor: &Actor,
        elder_id: &str,
    ) -> Result<ElderAssessments> {
        let authorized = actor.reads_for(self, Action::ReadElder).await?;
        let (mut conn, elder) = self
            .elder_to_read(&authorized, actor, elder_id, "assessment_list")
            .await?;
        let history = store::assessments::for_elder(&mut conn, &authorized, elder_id, None)
            .await?
            .into_iter()
            .map(AssessmentView::from_row)
            .collect::<Result<_>>()?;
        let current =
            store::assessments::current_for_elder(&mut conn, &authorized, elder_id).await?;
        let levels = store::assessments::care_levels(&mut conn, &authorized, elder_id).await?;
        let subsidy_yuan = self
            .assessment
            .subsidy
            .for_elder(
                levels
                    .as_ref()
                    .and_then(|l| l.care_level.as_deref())
                    .and_then(assessment::SelfCareLevel::parse),
                elder.residence_org_id.is_some(),
            )
            .map(|yuan| yuan.2);
        let open_requests =
            store::assessments::open_requests(&mut conn, &authorized, Some(elder_id), 50).await?;
        self.audit_elder_read(conn, actor, AuditAction::AssessmentRead, elder_id, None)
            .await?;
        Ok(ElderAssessments {
            history,
            current,
            levels,
            subsidy_yuan,
            open_requests,
        })
    }

    /// Asks for a reassessment after a change of condition; it shows on assessors' worklists
    /// until an assessment with that instrument becomes final.
    pub async fn request_reassessment(
        &self,
        actor: &Actor,
        elder_id: &str,
        instrument_id: Option<&str>,
        reason: Option<&str>,
    ) -> Result<String> {
        let authorized = actor.writes_for(self, Action::RequestReassessment).await?;
        let mut errors = Vec::new();
        let instrument = instrument_id
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .unwrap_or("gbt42195_2022");
        if let Err(problem) = recordable_instrument(instrument) {
            errors.push(FieldError::new("instrument_id", problem));
        }
        let reason = registry::field::text(&mut errors, "reason", reason, 500, true);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let tx = self.store.begin().await?;
        let (mut tx, _) = self
            .elder_in_scope(tx, &authorized, actor, elder_id, "reassessment_request")
            .await?;
        let id = store::assessments::insert_request(
            &mut tx,
            &authorized,
            elder_id,
            instrument,
            reason.as_deref().unwrap_or_default(),
            (&actor.user_id, &actor.display_name),
            now,
        )
        .await?;
        Audit::new(actor, AuditAction::ReassessmentRequest)
            .elder(elder_id)
            .detail(instrument)
            .commit(tx)
            .await?;
        Ok(id)
    }

    /// Who is due: reassessments due within `within_days` (one page of them, soonest first),
    /// open requests, and assessments waiting for a second assessor, all in the caller's scope.
    pub async fn assessment_worklist(
        &self,
        actor: &Actor,
        within_days: i64,
        due_page: crate::Page,
    ) -> Result<Worklist> {
        let authorized = actor.reads_for(self, Action::ReadDashboard).await?;
        let today = crate::today(self.now());
        let due_by = (today + chrono::Duration::days(within_days.clamp(0, 366))).to_string();
        let mut conn = self.store.acquire().await?;
        let (due, due_total) = store::assessments::due(
            &mut conn,
            &authorized,
            &due_by,
            due_page.offset(),
            due_page.per_page,
        )
        .await?;
        let requests = store::assessments::open_requests(&mut conn, &authorized, None, 200).await?;
        let awaiting: Vec<AssessmentView> =
            store::assessments::awaiting_confirmation(&mut conn, &authorized, 200)
                .await?
                .into_iter()
                .map(AssessmentView::from_row)
                .collect::<Result<_>>()?;
        // The worklist names elders: it is a read of personal records like a list page.
        Audit::new(actor, AuditAction::AssessmentRead)
            .detail(format!(
                "worklist: {} due, {} requested, {} awaiting confirmation",
                due.len(),
                requests.len(),
                awaiting.len()
            ))
            .append(&mut conn)
            .await?;
        Ok(Worklist {
            due,
            due_total,
            requests,
            awaiting,
            due_by,
        })
    }

    /// Institutions in the caller's scope with their assessed residents by care level and the
    /// yearly operating subsidy that follows (Dezhou plan amounts unless configured).
    pub async fn institution_subsidies(&self, actor: &Actor) -> Result<Vec<InstitutionSubsidy>> {
        let authorized = actor.reads_for(self, Action::ReadDashboard).await?;
        let mut conn = self.store.acquire().await?;
        let rows = store::assessments::residents_by_care_level(&mut conn, &authorized).await?;
        let mut names = std::collections::BTreeMap::new();
        for (org, _, _) in &rows {
            if !names.contains_key(org) {
                if let Some(row) = store::orgs::get(&mut conn, org).await? {
                    names.insert(org.clone(), row.name);
                }
            }
        }
        Ok(subsidies(&rows, &names, &self.assessment.subsidy))
    }

    /// Final assessments per region, month, instrument and result, dated within `[from, to]`.
    pub async fn assessment_counts(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        region_prefix: Option<&str>,
    ) -> Result<Vec<CountRow>> {
        let authorized = actor.reads_for(self, Action::ReadDashboard).await?;
        let mut conn = self.store.acquire().await?;
        Ok(store::assessments::counts(
            &mut conn,
            &authorized,
            &from.to_string(),
            &to.to_string(),
            region_prefix,
        )
        .await?)
    }
}

fn clip(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The instrument `id` names, if it is one that can be recorded.
fn recordable_instrument(id: &str) -> Result<&'static Instrument, Problem> {
    assessment::catalog()
        .get(id)
        .filter(|i| i.recordable)
        .ok_or_else(|| Problem::Invalid {
            zh: format!("“{}”不是可记录的评估量表", clip(id)),
            en: format!("“{}” is not an instrument that can be recorded", clip(id)),
        })
}

/// How many leading digits name the sub-regions of `prefix` (the level counts are shown at):
/// province 2 → city 4 → county 6 → township 9 → village 12; the whole country by county.
pub fn child_prefix_len(prefix: Option<&str>) -> usize {
    match prefix.map(str::len) {
        None => 6,
        Some(2) => 4,
        Some(4) => 6,
        Some(6) => 9,
        Some(n) if n < 9 => 9,
        Some(_) => 12,
    }
}

/// Adds up counts per region cut to `prefix_len` digits (records without a region stay apart).
pub fn roll_up(rows: &[CountRow], prefix_len: usize) -> Vec<CountRow> {
    type Key = (Option<String>, String, String, Option<String>, Option<i64>);
    let mut merged: std::collections::BTreeMap<Key, i64> = std::collections::BTreeMap::new();
    for row in rows {
        let region = row
            .region_code
            .as_ref()
            .map(|r| r.chars().take(prefix_len).collect::<String>());
        *merged
            .entry((
                region,
                row.month.clone(),
                row.instrument_id.clone(),
                row.band.clone(),
                row.grade,
            ))
            .or_default() += row.n;
    }
    merged
        .into_iter()
        .map(
            |((region_code, month, instrument_id, band, grade), n)| CountRow {
                region_code,
                month,
                instrument_id,
                band,
                grade,
                n,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(region: &str, band: &str, n: i64) -> CountRow {
        CountRow {
            region_code: Some(region.into()),
            month: "2026-11".into(),
            instrument_id: "gbt42195_2022".into(),
            band: Some(band.into()),
            grade: None,
            n,
        }
    }

    #[test]
    fn counts_roll_up_to_the_sub_regions_of_the_chosen_region() {
        assert_eq!(child_prefix_len(None), 6);
        assert_eq!(child_prefix_len(Some("37")), 4);
        assert_eq!(child_prefix_len(Some("3714")), 6);
        assert_eq!(child_prefix_len(Some("371402")), 9);
        assert_eq!(child_prefix_len(Some("371402001")), 12);
        let rows = [
            row("371402001", "mild", 2),
            row("371402002", "mild", 3),
            row("371403001", "mild", 4),
            row("371402001", "severe", 1),
        ];
        let by_county = roll_up(&rows, 6);
        let counts: Vec<(String, String, i64)> = by_county
            .iter()
            .map(|r| (r.region_code.clone().unwrap(), r.band.clone().unwrap(), r.n))
            .collect();
        assert_eq!(
            counts,
            [
                ("371402".into(), "mild".into(), 5),
                ("371402".into(), "severe".into(), 1),
                ("371403".into(), "mild".into(), 4)
            ]
        );
    }

    #[test]
    fn subsidies_add_up_per_institution_at_the_plan_amounts() {
        let rows = [
            ("home".to_string(), "fully_dependent".to_string(), 2),
            ("home".to_string(), "self_care".to_string(), 3),
            ("day".to_string(), "semi_dependent".to_string(), 1),
            ("day".to_string(), "nonsense".to_string(), 9),
        ];
        let names = [("home".to_string(), "敬老院".to_string())].into();
        let all = subsidies(&rows, &names, &SubsidyPolicy::default());
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].org_name, "敬老院");
        assert_eq!(all[0].residents, [3, 0, 2]);
        // 3 × 600 + 2 × 2400 provincial; 5 × 200 municipal.
        assert_eq!(
            (all[0].provincial_yuan, all[0].municipal_yuan),
            (6600, 1000)
        );
        assert_eq!(all[1].org_name, "day", "unknown names fall back to the id");
        assert_eq!(all[1].total_yuan(), 1400);
    }

    #[test]
    fn the_next_annual_assessment_is_due_a_year_later() {
        let gbt = assessment::catalog().get("gbt42195_2022").unwrap();
        let on = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(next_due(gbt, on), NaiveDate::from_ymd_opt(2025, 2, 28));
        let news2 = assessment::catalog().get("news2").unwrap();
        assert_eq!(next_due(news2, on), None);
    }
}
