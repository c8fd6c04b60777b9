//! Scoring, one function per instrument, each citing the section of the standards README it
//! implements. Answers are read through [`Reader`], which refuses unknown keys, missing items
//! and values that are not options, and collects every such error before anything is scored.

use crate::answers::{AnswerError, AnswerProblem, Answers};
use crate::catalog::{AnswerKind, Band, InputKind, Instrument, Item};
use crate::outcome::{ConstitutionResult, Flag, IdCheck, Line, Outcome, Subscore, Verdict};
use crate::rules::{MorseBandSet, Rules, Stacking};
use chrono::NaiveDate;
use serde_json::Value;

pub fn score(
    instrument: &Instrument,
    answers: &Answers,
    rules: &Rules,
    today: NaiveDate,
) -> Result<Outcome, Vec<AnswerError>> {
    let mut reader = Reader::new(instrument, answers);
    let outcome = match instrument.id.as_str() {
        "gbt42195_2022" => gbt42195(&mut reader, rules),
        "tcm_constitution_33" => tcm_constitution(&mut reader),
        "ltc_disability_2021" => ltc_disability(&mut reader, rules),
        "news2" => news2(&mut reader),
        "morse" => morse(&mut reader, rules),
        "mna_sf" => mna_sf(&mut reader),
        "bp_grade_cn" => blood_pressure(&mut reader),
        "glucose_cn" => glucose(&mut reader),
        "cn_resident_id" => resident_id(&mut reader, today),
        _ => summed(&mut reader, rules),
    };
    reader.finish(outcome)
}

/// Reads and checks answers. Every method records its own errors and returns `None` on one.
struct Reader<'a> {
    instrument: &'a Instrument,
    answers: &'a Answers,
    errors: Vec<AnswerError>,
}

impl<'a> Reader<'a> {
    fn new(instrument: &'a Instrument, answers: &'a Answers) -> Reader<'a> {
        let mut reader = Reader {
            instrument,
            answers,
            errors: Vec::new(),
        };
        for key in answers.keys() {
            if instrument.item(key).is_none() && instrument.input(key).is_none() {
                reader.error(key, AnswerProblem::Unknown);
            }
        }
        reader
    }

    fn finish(mut self, outcome: Option<Outcome>) -> Result<Outcome, Vec<AnswerError>> {
        match outcome {
            Some(outcome) if self.errors.is_empty() => Ok(outcome),
            _ => {
                if self.errors.is_empty() {
                    self.error(
                        "answers",
                        AnswerProblem::Invalid {
                            zh: "无法评分".into(),
                            en: "cannot be scored".into(),
                        },
                    );
                }
                Err(self.errors)
            }
        }
    }

    /// Records that `name` lies outside `min..=max`; the answer reads as absent.
    fn out_of_range<T>(&mut self, name: &str, min: impl ToString, max: impl ToString) -> Option<T> {
        let (min, max) = (min.to_string(), max.to_string());
        self.error(name, AnswerProblem::OutOfRange { min, max });
        None
    }

    /// Records that `name` is not of the expected kind; the answer reads as absent.
    fn wrong_type<T>(
        &mut self,
        name: &str,
        expected_zh: &'static str,
        expected_en: &'static str,
    ) -> Option<T> {
        let problem = AnswerProblem::WrongType {
            expected_zh,
            expected_en,
        };
        self.error(name, problem);
        None
    }

    fn error(&mut self, key: &str, problem: AnswerProblem) {
        let (zh, en) = match (self.instrument.item(key), self.instrument.input(key)) {
            (Some(item), _) => (item.name_zh.clone(), item.name_en.clone()),
            (None, Some(input)) => (input.label_zh.to_string(), input.label_en.to_string()),
            _ => (String::new(), String::new()),
        };
        self.errors.push(AnswerError {
            item: key.to_string(),
            item_name_zh: zh,
            item_name_en: en,
            problem,
        });
    }

    /// The answer under `key`, treating JSON null as absent.
    fn raw(&self, key: &str) -> Option<&'a Value> {
        self.answers.get(key).filter(|v| !v.is_null())
    }

    /// Scores of all required items, in form order; `None` where an item failed.
    fn item_scores(&mut self) -> Vec<Option<i64>> {
        let items: Vec<&Item> = self.instrument.items.iter().collect();
        items
            .into_iter()
            .map(|item| self.item_score(item))
            .collect()
    }

    fn item_score(&mut self, item: &Item) -> Option<i64> {
        let Some(value) = self.raw(&item.id) else {
            if item.required {
                self.error(&item.id, AnswerProblem::Missing);
            }
            return None;
        };
        let allowed = || -> Vec<String> {
            let mut seen: Vec<String> = Vec::new();
            for o in &item.options {
                let text = match &o.value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !seen.contains(&text) {
                    seen.push(text);
                }
            }
            seen
        };
        match item.kind {
            AnswerKind::Score => match whole_number(value) {
                Some(n) if item.options.iter().any(|o| o.score == n) => Some(n),
                Some(_) => {
                    self.error(&item.id, AnswerProblem::NotAnOption { allowed: allowed() });
                    None
                }
                None => {
                    if let Some(score) = option_by_label(item, value) {
                        return Some(score);
                    }
                    let problem = if value.is_number() {
                        AnswerProblem::NotAnOption { allowed: allowed() }
                    } else {
                        AnswerProblem::WrongType {
                            expected_zh: "整数分值",
                            expected_en: "a whole-number score",
                        }
                    };
                    self.error(&item.id, problem);
                    None
                }
            },
            AnswerKind::YesNo { one_point_for_yes } => match yes_no(value) {
                Some(YesNo::Yes) => Some(i64::from(one_point_for_yes)),
                Some(YesNo::No) => Some(i64::from(!one_point_for_yes)),
                _ => {
                    self.error(&item.id, AnswerProblem::NotAnOption { allowed: allowed() });
                    None
                }
            },
            AnswerKind::ChangeYesNoUnknown => {
                let answer = match whole_number(value) {
                    Some(1) => Some(YesNo::Yes),
                    Some(0) => Some(YesNo::No),
                    Some(_) => None,
                    None => yes_no(value),
                };
                match answer {
                    Some(YesNo::Yes) => Some(1),
                    Some(YesNo::No | YesNo::Unknown) => Some(0),
                    None => {
                        self.error(&item.id, AnswerProblem::NotAnOption { allowed: allowed() });
                        None
                    }
                }
            }
        }
    }

    fn missing_or_none(&mut self, name: &str) -> Option<&'a Value> {
        let value = self.raw(name);
        if value.is_none() && self.instrument.input(name).is_some_and(|i| i.required) {
            self.error(name, AnswerProblem::Missing);
        }
        value
    }

    fn integer(&mut self, name: &str) -> Option<i64> {
        let value = self.missing_or_none(name)?;
        let Some(InputKind::Integer { min, max }) = self.instrument.input(name).map(|i| &i.kind)
        else {
            return None;
        };
        let (min, max) = (*min, *max);
        match whole_number(value) {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => self.out_of_range(name, min, max),
            None => self.wrong_type(name, "整数", "a whole number"),
        }
    }

    fn decimal(&mut self, name: &str) -> Option<f64> {
        let value = self.missing_or_none(name)?;
        let Some(InputKind::Decimal { min, max, decimals }) =
            self.instrument.input(name).map(|i| i.kind.clone())
        else {
            return None;
        };
        match value.as_f64().filter(|v| v.is_finite()) {
            Some(v) => {
                let v = match decimals {
                    Some(places) => round_half_up(v, places),
                    None => v,
                };
                if (min..=max).contains(&v) {
                    Some(v)
                } else {
                    self.out_of_range(name, min, max)
                }
            }
            None => self.wrong_type(name, "数值", "a number"),
        }
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.missing_or_none(name)?;
        match (value, whole_number(value), yes_no(value)) {
            (Value::Bool(b), _, _) => Some(*b),
            (_, Some(1), _) | (_, _, Some(YesNo::Yes)) => Some(true),
            (_, Some(0), _) | (_, _, Some(YesNo::No)) => Some(false),
            _ => self.wrong_type(name, "true 或 false", "true or false"),
        }
    }

    /// One of the input's choices; numbers are read as their text (`spo2_scale: 2`).
    fn choice(&mut self, name: &str, aliases: &[(&str, &'static str)]) -> Option<&'static str> {
        let value = self.missing_or_none(name)?;
        let Some(InputKind::Choice(choices)) = self.instrument.input(name).map(|i| &i.kind) else {
            return None;
        };
        let choices: &'static [&'static str] = choices;
        let text = match value {
            Value::String(s) => s.trim().to_ascii_lowercase(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let found = choices
            .iter()
            .find(|c| **c == text)
            .copied()
            .or_else(|| aliases.iter().find(|(a, _)| *a == text).map(|(_, c)| *c));
        if found.is_none() {
            self.error(
                name,
                AnswerProblem::NotAnOption {
                    allowed: choices.iter().map(|c| c.to_string()).collect(),
                },
            );
        }
        found
    }

    fn text(&mut self, name: &str) -> Option<String> {
        let value = self.missing_or_none(name)?;
        let Some(InputKind::Text { max_chars }) = self.instrument.input(name).map(|i| &i.kind)
        else {
            return None;
        };
        match value {
            Value::String(s) if s.chars().count() <= *max_chars => Some(s.clone()),
            Value::String(_) => self.out_of_range(name, 1, max_chars),
            _ => self.wrong_type(name, "文本", "text"),
        }
    }
}

/// A score item answered by the words of one of its options instead of the score: the option
/// text in either language (`"furniture"`, `"依扶家具行走"`), or for a no/yes item `true` /
/// `false`. Only an exact, unambiguous match counts.
fn option_by_label(item: &Item, value: &Value) -> Option<i64> {
    let wanted = match value {
        Value::String(text) => text.trim().to_lowercase(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        _ => return None,
    };
    if wanted.is_empty() {
        return None;
    }
    let matches: Vec<i64> = item
        .options
        .iter()
        .filter(|o| o.label_en.to_lowercase() == wanted || o.label_zh == wanted)
        .map(|o| o.score)
        .collect();
    match matches.as_slice() {
        [score] => Some(*score),
        // Options with the same score (B3.9 stupor and coma) are the same answer.
        [first, rest @ ..] if rest.iter().all(|s| s == first) => Some(*first),
        _ => None,
    }
}

/// A JSON number that is a whole number (`4` or `4.0`).
fn whole_number(value: &Value) -> Option<i64> {
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let f = value.as_f64()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
}

enum YesNo {
    Yes,
    No,
    Unknown,
}

fn yes_no(value: &Value) -> Option<YesNo> {
    match value {
        Value::Bool(true) => Some(YesNo::Yes),
        Value::Bool(false) => Some(YesNo::No),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "是" | "有" => Some(YesNo::Yes),
            "no" | "n" | "false" | "否" | "无" => Some(YesNo::No),
            "unknown" | "na" | "n/a" | "dont_know" | "不知道" | "不适用" => {
                Some(YesNo::Unknown)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Rounds half away from zero on the decimal digits as written (the shortest representation
/// of the number), so that 38.05 becomes 38.1 although the binary 38.05 lies just below it.
pub(crate) fn round_half_up(value: f64, places: u32) -> f64 {
    let text = format!("{}", value.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    if frac_part.len() <= places as usize {
        return value;
    }
    let kept = format!("{int_part}{}", &frac_part[..places as usize]);
    let Ok(mut scaled) = kept.parse::<i128>() else {
        return value;
    };
    if frac_part.as_bytes()[places as usize] >= b'5' {
        scaled += 1;
    }
    let rounded = scaled as f64 / 10f64.powi(places as i32);
    if value < 0.0 {
        -rounded
    } else {
        rounded
    }
}

fn band_for(bands: &[Band], total: i64) -> Option<&Band> {
    bands
        .iter()
        .find(|b| b.min.is_none_or(|min| total >= min) && b.max.is_none_or(|max| total <= max))
}

fn set_band(outcome: &mut Outcome, band: &Band) {
    outcome.band = Some(band.code.clone());
    outcome.band_name = Some(Line::new(&band.name_zh, &band.name_en));
}

fn range_text(band: &Band) -> String {
    match (band.min, band.max) {
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("≥{a}"),
        (None, Some(b)) => format!("≤{b}"),
        (None, None) => String::new(),
    }
}

fn band_line(total: i64, band: &Band) -> Line {
    Line::new(
        format!(
            "总分 {total} 分，在 {} 分范围内 → {}",
            range_text(band),
            band.name_zh
        ),
        format!(
            "total {total} lies in {} → {}",
            range_text(band),
            band.name_en
        ),
    )
}

fn subscores(instrument: &Instrument, scores: &[i64]) -> Vec<Subscore> {
    instrument
        .domains
        .iter()
        .map(|d| Subscore {
            id: d.id.clone(),
            name_zh: d.name_zh.clone(),
            name_en: d.name_en.clone(),
            score: instrument
                .items
                .iter()
                .zip(scores)
                .filter(|(i, _)| i.domain.as_deref() == Some(d.id.as_str()))
                .map(|(_, s)| *s)
                .sum(),
            max: d.max,
        })
        .collect()
}

fn all_scores(reader: &mut Reader) -> Option<Vec<i64>> {
    reader.item_scores().into_iter().collect()
}

fn flag(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Flag {
    Flag {
        code: code.to_string(),
        text: Line::new(zh, en),
    }
}

/// Sum of item scores, then the band whose range holds the total. Self-care form (README §2),
/// Barthel (§5), GDS-15, Mini-Cog, AD8 and Braden (§7).
fn summed(reader: &mut Reader, rules: &Rules) -> Option<Outcome> {
    let instrument = reader.instrument;
    let scores = all_scores(reader)?;
    let total: i64 = scores.iter().sum();
    let mut outcome = Outcome::new(instrument);
    outcome.total = Some(total);
    outcome.subscores = subscores(instrument, &scores);
    let band = band_for(&instrument.bands, total)?;
    set_band(&mut outcome, band);
    outcome.grade = band.grade;
    outcome.explanation.push(band_line(total, band));
    match instrument.id.as_str() {
        "gds15" if total >= rules.gds_positive_at => {
            outcome.flags.push(flag(
                "screen_positive",
                format!("抑郁筛查阳性（总分 ≥ {}）", rules.gds_positive_at),
                format!(
                    "positive depression screen (total >= {})",
                    rules.gds_positive_at
                ),
            ));
        }
        "minicog" if band.code == "positive" => {
            outcome.flags.push(flag(
                "screen_positive",
                "认知筛查阳性，建议进一步评估",
                "positive cognitive screen; refer for further assessment",
            ));
        }
        "ad8" if band.code == "impairment_likely" => {
            outcome.flags.push(flag(
                "screen_positive",
                "AD8 ≥ 2：可能存在认知障碍",
                "AD8 >= 2: cognitive impairment likely",
            ));
        }
        _ => {}
    }
    Some(outcome)
}

/// GB/T 42195-2022 (standards README §1): the sum of the 26 items of Annex B gives the
/// initial grade (C.3); the change rules of C.4 give the final grade (C.5): coma → grade 4
/// whatever the score; diagnosed dementia or mental disorder → one grade up; two or more
/// care-risk events in 30 days → one grade up; never above 4. Whether the two "+1" rules add
/// up is the deployment's [`Stacking`] choice (UNCONFIRMED in the standard; default one grade
/// in total).
fn gbt42195(reader: &mut Reader, rules: &Rules) -> Option<Outcome> {
    let instrument = reader.instrument;
    let scores = reader.item_scores();
    // Absent adjustment inputs mean no / none; a wrong one is an error `finish` reports.
    let coma = reader.boolean("coma") == Some(true);
    let dementia = reader.boolean("dementia_or_mental_disorder") == Some(true);
    let events = reader.integer("risk_events_30d").unwrap_or(0);
    let scores: Vec<i64> = scores.into_iter().collect::<Option<_>>()?;
    let total: i64 = scores.iter().sum();
    let mut outcome = Outcome::new(instrument);
    outcome.total = Some(total);
    outcome.subscores = subscores(instrument, &scores);
    let initial = band_for(&instrument.bands, total)?;
    let initial_grade = initial.grade?;
    outcome.initial_grade = Some(initial_grade);
    let parts: Vec<String> = outcome
        .subscores
        .iter()
        .map(|s| format!("{} {}", s.name_zh, s.score))
        .collect();
    let parts_en: Vec<String> = outcome
        .subscores
        .iter()
        .map(|s| format!("{} {}", s.name_en, s.score))
        .collect();
    outcome.explanation.push(Line::new(
        format!("总分 {total} = {}", parts.join(" + ")),
        format!("total {total} = {}", parts_en.join(" + ")),
    ));
    outcome.explanation.push(Line::new(
        format!(
            "C.3 初步等级：{total} 分在 {} 分范围内 → {} 级「{}」",
            range_text(initial),
            initial_grade,
            initial.name_zh
        ),
        format!(
            "C.3 initial grade: {total} lies in {} → grade {initial_grade} ({})",
            range_text(initial),
            initial.name_en
        ),
    ));
    let final_grade = if coma {
        outcome.explanation.push(Line::new(
            "C.4 昏迷 → 直接评定为 4 级「能力完全丧失」，不论得分",
            "C.4 coma → grade 4 (ability completely lost) whatever the score",
        ));
        4
    } else {
        let mut raise = 0;
        if dementia {
            raise += 1;
            outcome.explanation.push(Line::new(
                "C.4 确诊痴呆或精神科确诊的精神和行为障碍 → 上调一级",
                "C.4 diagnosed dementia or mental disorder → one grade up",
            ));
        }
        if events >= 2 {
            raise += 1;
            outcome.explanation.push(Line::new(
                format!("C.4 近30天内照护风险事件 {events} 次（≥2）→ 上调一级"),
                format!("C.4 {events} care-risk events in 30 days (>= 2) → one grade up"),
            ));
        }
        if raise > 1 && rules.gbt_stacking == Stacking::OneInTotal {
            raise = 1;
            outcome.explanation.push(Line::new(
                "两项上调条件同时满足时合计只上调一级（本机构配置）",
                "both change rules apply; together they raise one grade (this deployment's setting)",
            ));
        }
        let raised = (initial_grade + raise).min(4);
        if raise > 0 && raised < initial_grade + raise {
            outcome
                .explanation
                .push(Line::new("等级最高为 4 级", "a grade never goes above 4"));
        }
        raised
    };
    if coma
        && reader
            .raw("B3.9")
            .and_then(whole_number)
            .is_some_and(|s| s > 0)
    {
        outcome.flags.push(flag(
            "coma_disagrees_with_b3_9",
            "已勾选昏迷，但 B3.9 意识水平不是昏睡/昏迷，请核对",
            "coma is ticked but B3.9 is not stupor or coma; please check",
        ));
    }
    let final_band = instrument
        .bands
        .iter()
        .find(|b| b.grade == Some(final_grade))?;
    set_band(&mut outcome, final_band);
    outcome.grade = Some(final_grade);
    outcome.explanation.push(Line::new(
        format!("C.5 最终等级：{final_grade} 级「{}」", final_band.name_zh),
        format!("C.5 final grade: {final_grade} ({})", final_band.name_en),
    ));
    outcome.values = vec![
        ("coma".into(), coma.into()),
        ("dementia_or_mental_disorder".into(), dementia.into()),
        ("risk_events_30d".into(), events.into()),
    ];
    Some(outcome)
}

/// TCM constitution, 33-item form for older adults (standards README §3): raw sums per
/// constitution, questions 2, 4, 5 and 13 reversed (6 − answer) inside 平和质 only; biased
/// types ≥11 是, 9–10 倾向是, ≤8 否; 平和质 是 if ≥17 and all others ≤8, 基本是 if ≥17 and all
/// others ≤10, else 否.
fn tcm_constitution(reader: &mut Reader) -> Option<Outcome> {
    let instrument = reader.instrument;
    let scores = all_scores(reader)?;
    let answer = |number: u32| -> i64 {
        instrument
            .items
            .iter()
            .zip(&scores)
            .find(|(i, _)| i.number == Some(number))
            .map(|(_, s)| *s)
            .unwrap_or(0)
    };
    let mut outcome = Outcome::new(instrument);
    outcome.max_total = None;
    let mut biased: Vec<ConstitutionResult> = Vec::new();
    let mut balanced: Option<(ConstitutionResult, i64)> = None;
    for c in &instrument.constitutions {
        let score: i64 = c
            .items
            .iter()
            .map(|n| {
                if c.reverse_scored_items.contains(n) {
                    6 - answer(*n)
                } else {
                    answer(*n)
                }
            })
            .sum();
        let result = ConstitutionResult {
            code: c.id.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            score,
            verdict: Verdict::No,
        };
        if c.id == "pinghe" {
            balanced = Some((result, score));
        } else {
            let verdict = match score {
                s if s >= 11 => Verdict::Yes,
                9..=10 => Verdict::Tendency,
                _ => Verdict::No,
            };
            biased.push(ConstitutionResult { verdict, ..result });
        }
    }
    let (mut pinghe, pinghe_score) = balanced?;
    let worst_biased = biased.iter().map(|c| c.score).max().unwrap_or(0);
    pinghe.verdict = if pinghe_score >= 17 && worst_biased <= 8 {
        Verdict::Yes
    } else if pinghe_score >= 17 && worst_biased <= 10 {
        Verdict::Basically
    } else {
        Verdict::No
    };
    outcome.explanation.push(Line::new(
        format!(
            "平和质 {pinghe_score} 分（第2、4、5、13题反向计分），其余体质最高 {worst_biased} 分 → 平和质「{}」",
            pinghe.verdict.as_form()
        ),
        format!(
            "balanced {pinghe_score} (questions 2, 4, 5, 13 reversed), highest other type {worst_biased} → balanced: {}",
            pinghe.verdict.en()
        ),
    ));
    for c in &biased {
        if c.verdict != Verdict::No {
            outcome.explanation.push(Line::new(
                format!("{} {} 分 → {}", c.name_zh, c.score, c.verdict.as_form()),
                format!("{} {} → {}", c.name_en, c.score, c.verdict.en()),
            ));
        }
    }
    let is_yes = |code: &str| {
        biased
            .iter()
            .any(|c| c.code == code && c.verdict == Verdict::Yes)
    };
    let mut leading: Vec<&ConstitutionResult> =
        biased.iter().filter(|c| c.verdict != Verdict::No).collect();
    leading.sort_by_key(|c| std::cmp::Reverse(c.score));
    let everything_no = pinghe.verdict == Verdict::No && leading.is_empty();
    if everything_no || (is_yes("yinxu") && is_yes("yangxu")) {
        outcome.flags.push(flag(
            "recheck_answers",
            "判定结果互相矛盾或全部为「否」：请核对答案，或 2 周后重新采集",
            "the verdicts contradict each other or are all 'no': re-check the answers or collect them again after 2 weeks",
        ));
    }
    let primary: Vec<Value> = if pinghe.verdict != Verdict::No && leading.is_empty() {
        vec![Value::from("pinghe")]
    } else {
        let top = leading.first().map(|c| c.score);
        leading
            .iter()
            .filter(|c| Some(c.score) == top)
            .map(|c| Value::from(c.code.clone()))
            .collect()
    };
    if primary.len() > 1 {
        outcome.flags.push(flag(
            "tie_for_physician",
            "多个体质得分相同，由中医师判定主要体质",
            "several types share the highest score; a TCM physician decides",
        ));
    }
    outcome
        .values
        .push(("primary".into(), Value::Array(primary)));
    outcome.constitutions.push(pinghe);
    outcome.constitutions.extend(biased);
    Some(outcome)
}

/// Long-term-care disability grade 2021 (standards README §4): domain totals always; the level
/// only through the deployment's official table ([`Rules::ltc_table`]), else provisional.
fn ltc_disability(reader: &mut Reader, rules: &Rules) -> Option<Outcome> {
    let instrument = reader.instrument;
    let scores = all_scores(reader)?;
    let mut outcome = Outcome::new(instrument);
    outcome.max_total = None;
    outcome.subscores = subscores(instrument, &scores);
    for s in &outcome.subscores {
        outcome.explanation.push(Line::new(
            format!("{}：{} / {} 分", s.name_zh, s.score, s.max),
            format!("{}: {} of {}", s.name_en, s.score, s.max),
        ));
    }
    let Some(table) = &rules.ltc_table else {
        outcome.provisional = true;
        outcome.flags.push(flag(
            "level_needs_official_table",
            "失能等级须按官方组合表确定；本系统尚未载入经核对的官方表，仅显示三项一级指标得分",
            "the level needs the official combination table, which this deployment has not loaded; only the three domain totals are shown",
        ));
        return Some(outcome);
    };
    let grade =
        |domain: &str| -> Option<u8> { table.domain_grade(domain, outcome.subscore(domain)?) };
    let (adl, cognition, sensory) = (grade("adl")?, grade("cognition")?, grade("sensory")?);
    let worse = cognition.max(sensory);
    let level = table.combination[adl as usize][worse as usize];
    let names = ["能力完好", "轻度受损", "中度受损", "重度受损"];
    outcome.explanation.push(Line::new(
        format!(
            "日常生活活动能力「{}」；认知「{}」与感知觉与沟通「{}」取较重者「{}」；按组合表 → {} 级",
            names[adl as usize], names[cognition as usize], names[sensory as usize], names[worse as usize], level
        ),
        format!(
            "ADL grade {adl}; the worse of cognition ({cognition}) and perception ({sensory}) is {worse}; combination table → level {level}"
        ),
    ));
    let band = instrument.levels.get(level as usize)?;
    set_band(&mut outcome, band);
    outcome.grade = Some(i64::from(level));
    outcome
        .values
        .push(("table_source".into(), table.source.clone().into()));
    Some(outcome)
}

/// Morse Fall Scale (standards README §7): sum of six items; the band from the deployment's
/// band set (default `cn_common`), with the band under every set shown beside it.
fn morse(reader: &mut Reader, rules: &Rules) -> Option<Outcome> {
    let instrument = reader.instrument;
    let scores = all_scores(reader)?;
    let total: i64 = scores.iter().sum();
    let mut outcome = Outcome::new(instrument);
    outcome.total = Some(total);
    for (name, bands) in &instrument.band_sets {
        if let Some(b) = band_for(bands, total) {
            outcome.band_sets.push((name.clone(), b.code.clone()));
        }
    }
    let set = match rules.morse_bands {
        MorseBandSet::CnCommon => "cn_common",
        MorseBandSet::MorseOriginal => "morse_original",
    };
    let band = band_for(instrument.band_sets.get(set)?, total)?;
    set_band(&mut outcome, band);
    outcome.explanation.push(band_line(total, band));
    outcome.explanation.push(Line::new(
        format!("风险分级采用「{set}」分级方案（可配置）"),
        format!("bands of the '{set}' set (configurable)"),
    ));
    Some(outcome)
}

/// MNA-SF (standards README §7): A+B+C+D+E plus F1 (BMI), or F2 (calf) only when BMI is
/// unavailable; never both.
fn mna_sf(reader: &mut Reader) -> Option<Outcome> {
    let instrument = reader.instrument;
    let items: Vec<&Item> = instrument.items.iter().filter(|i| i.required).collect();
    let base: Option<i64> = items
        .into_iter()
        .map(|item| reader.item_score(item))
        .collect::<Vec<_>>()
        .into_iter()
        .sum();
    // F1 from its option or from the measured BMI; F2 likewise from the calf circumference.
    let mut source = |item_id: &str, measured: &str, band: fn(f64) -> i64| -> Option<Option<i64>> {
        match (
            reader.raw(item_id).is_some(),
            reader.raw(measured).is_some(),
        ) {
            (false, false) => None,
            (true, true) => {
                reader.error(
                    measured,
                    AnswerProblem::Conflicts {
                        with: item_id.into(),
                    },
                );
                Some(None)
            }
            (true, false) => Some(reader.item_score(instrument.item(item_id)?)),
            (false, true) => Some(reader.decimal(measured).map(band)),
        }
    };
    let f1 = source("F1_bmi", "bmi", |bmi| match bmi {
        b if b < 19.0 => 0,
        b if b < 21.0 => 1,
        b if b < 23.0 => 2,
        _ => 3,
    });
    let f2 = source("F2_calf", "calf_cm", |cm| if cm < 31.0 { 0 } else { 3 });
    let f = match (f1, f2) {
        (Some(_), Some(_)) => {
            reader.error(
                "F2_calf",
                AnswerProblem::Conflicts {
                    with: "F1_bmi".into(),
                },
            );
            None
        }
        (None, None) => {
            reader.error(
                "F1_bmi",
                AnswerProblem::Invalid {
                    zh: "F1（BMI）与 F2（小腿围）须填一项".into(),
                    en: "answer F1 (BMI), or F2 (calf) when BMI is unavailable".into(),
                },
            );
            None
        }
        (Some(score), None) | (None, Some(score)) => score,
    };
    let base = base?;
    let f = f?;
    if !reader.errors.is_empty() {
        return None;
    }
    let total = base + f;
    let mut outcome = Outcome::new(instrument);
    outcome.total = Some(total);
    let band = band_for(&instrument.bands, total)?;
    set_band(&mut outcome, band);
    outcome.explanation.push(band_line(total, band));
    Some(outcome)
}

/// NEWS2 (standards README §6): each parameter scored from the chart in instruments.json
/// (temperature rounded to one decimal first), aggregate 0–20; risk ≥7 high, 5–6 medium, a 3 in
/// any single parameter low-medium, otherwise low, evaluated in that order.
fn news2(reader: &mut Reader) -> Option<Outcome> {
    let instrument = reader.instrument;
    let respiration = reader.integer("respiration_rate");
    let spo2 = reader.integer("spo2");
    let scale = reader.choice("spo2_scale", &[]).unwrap_or("1");
    let oxygen = reader.boolean("on_oxygen");
    let systolic = reader.integer("systolic_bp");
    let pulse = reader.integer("pulse");
    let consciousness = reader.choice(
        "consciousness",
        &[
            ("a", "alert"),
            ("c", "new_confusion"),
            ("confusion", "new_confusion"),
            ("confused", "new_confusion"),
            ("cvpu", "new_confusion"),
            ("v", "voice"),
            ("p", "pain"),
            ("u", "unresponsive"),
        ],
    );
    let temperature = reader.decimal("temperature");
    let (respiration, spo2, scale, oxygen, systolic, pulse, consciousness, temperature) = (
        respiration?,
        spo2?,
        scale,
        oxygen?,
        systolic?,
        pulse?,
        consciousness?,
        temperature?,
    );
    let table = |id: &str, value: f64, on_oxygen: Option<bool>| -> Option<i64> {
        instrument
            .parameters
            .iter()
            .find(|p| p.id == id)?
            .bands
            .iter()
            .find(|b| {
                b.min.is_none_or(|m| value >= m - 1e-9)
                    && b.max.is_none_or(|m| value <= m + 1e-9)
                    && b.on_oxygen.is_none_or(|o| Some(o) == on_oxygen)
            })
            .map(|b| b.score)
    };
    let spo2_id = if scale == "2" {
        "spo2_scale2"
    } else {
        "spo2_scale1"
    };
    let parameter_scores = [
        (
            "respiration_rate",
            table("respiration_rate", respiration as f64, None)?,
        ),
        (spo2_id, table(spo2_id, spo2 as f64, Some(oxygen))?),
        ("air_or_oxygen", if oxygen { 2 } else { 0 }),
        ("systolic_bp", table("systolic_bp", systolic as f64, None)?),
        ("pulse", table("pulse", pulse as f64, None)?),
        (
            "consciousness",
            if consciousness == "alert" { 0 } else { 3 },
        ),
        ("temperature", table("temperature", temperature, None)?),
    ];
    let total: i64 = parameter_scores.iter().map(|p| p.1).sum();
    let any_three = parameter_scores.iter().any(|p| p.1 == 3);
    let code = if total >= 7 {
        "high"
    } else if total >= 5 {
        "medium"
    } else if any_three {
        "low_medium"
    } else {
        "low"
    };
    let mut outcome = Outcome::new(instrument);
    outcome.total = Some(total);
    outcome.parameter_scores = parameter_scores
        .iter()
        .map(|(id, s)| (id.to_string(), *s))
        .collect();
    let band = instrument.bands.iter().find(|b| b.code == code)?;
    outcome.band = Some(code.to_string());
    let zh = match code {
        "high" => "高风险（紧急响应）",
        "medium" => "中风险（紧急评估）",
        "low_medium" => "低-中风险（单项 3 分，病房紧急评估）",
        _ => "低风险",
    };
    outcome.band_name = Some(Line::new(zh, &band.name_en));
    outcome.explanation.push(Line::new(
        format!(
            "各参数得分相加：{} = {total}",
            parameter_scores
                .iter()
                .map(|p| p.1.to_string())
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        format!("parameter scores add up to {total}"),
    ));
    outcome.explanation.push(Line::new(
        format!("依次判断：≥7 高风险；5–6 中风险；任一单项 3 分为低-中风险；否则低风险 → {zh}"),
        format!(
            "in order: >= 7 high; 5-6 medium; any single 3 low-medium; else low → {}",
            band.name_en
        ),
    ));
    if scale == "2" {
        outcome.explanation.push(Line::new(
            "使用 SpO2 第 2 量表（仅限医生确定的高碳酸血症呼吸衰竭患者）",
            "SpO2 scale 2 (only for hypercapnic respiratory failure, prescribed by a clinician)",
        ));
    }
    outcome
        .values
        .push(("temperature".into(), Value::from(temperature)));
    Some(outcome)
}

/// Office blood-pressure classification of the Chinese hypertension guideline 2018 (standards
/// README §8): systolic and diastolic are graded separately and the higher category wins;
/// isolated systolic hypertension is SBP ≥140 with DBP <90.
pub fn bp_category(systolic: i64, diastolic: i64) -> (usize, bool) {
    let by_systolic = match systolic {
        s if s >= 180 => 4,
        s if s >= 160 => 3,
        s if s >= 140 => 2,
        s if s >= 120 => 1,
        _ => 0,
    };
    let by_diastolic = match diastolic {
        d if d >= 110 => 4,
        d if d >= 100 => 3,
        d if d >= 90 => 2,
        d if d >= 80 => 1,
        _ => 0,
    };
    (
        by_systolic.max(by_diastolic),
        systolic >= 140 && diastolic < 90,
    )
}

const BP_CODES: [(&str, &str, &str); 5] = [
    ("normal", "正常血压", "normal"),
    ("high_normal", "正常高值", "high-normal"),
    ("grade1", "1级高血压（轻度）", "grade 1 hypertension (mild)"),
    (
        "grade2",
        "2级高血压（中度）",
        "grade 2 hypertension (moderate)",
    ),
    (
        "grade3",
        "3级高血压（重度）",
        "grade 3 hypertension (severe)",
    ),
];

fn blood_pressure(reader: &mut Reader) -> Option<Outcome> {
    let systolic = reader.integer("systolic");
    let diastolic = reader.integer("diastolic");
    let (systolic, diastolic) = (systolic?, diastolic?);
    if diastolic >= systolic {
        reader.error(
            "diastolic",
            AnswerProblem::Invalid {
                zh: "舒张压须低于收缩压".into(),
                en: "must be lower than the systolic pressure".into(),
            },
        );
        return None;
    }
    let (category, isolated) = bp_category(systolic, diastolic);
    let (code, zh, en) = BP_CODES[category];
    let mut outcome = Outcome::new(reader.instrument);
    outcome.band = Some(code.into());
    outcome.band_name = Some(Line::new(zh, en));
    outcome.explanation.push(Line::new(
        format!("收缩压 {systolic}、舒张压 {diastolic} mmHg 分别分级，取较高者 → {zh}"),
        format!("systolic {systolic} and diastolic {diastolic} mmHg graded separately, the higher wins → {en}"),
    ));
    if isolated {
        outcome.flags.push(flag(
            "isolated_systolic",
            "单纯收缩期高血压（收缩压 ≥140 且舒张压 <90）",
            "isolated systolic hypertension (SBP >= 140 and DBP < 90)",
        ));
    }
    if category == 4 {
        outcome.flags.push(flag(
            "crisis",
            "血压 ≥180/110 mmHg：须立即处理",
            "blood pressure >= 180/110 mmHg: act now",
        ));
    }
    outcome.explanation.push(Line::new(
        "单次读数仅作提示，诊断高血压需非同日 3 次诊室血压",
        "a single reading only flags; diagnosis needs office readings on 3 different days",
    ));
    Some(outcome)
}

/// Glucose thresholds of the Chinese T2DM guideline 2020 (standards README §8). Hypoglycaemia
/// first: with known or unstated diabetes, level 2 below 3.0 and level 1 from 3.0 to below
/// 3.9 mmol/L; without diabetes (`diabetic: false`) below 2.8. Otherwise the category of the
/// measurement context: fasting <6.1 / 6.1–<7.0 / ≥7.0; 2-hour <7.8 / 7.8–<11.1 / ≥11.1; random
/// ≥11.1 is the diabetic range.
fn glucose(reader: &mut Reader) -> Option<Outcome> {
    let context = reader.choice(
        "context",
        &[
            ("postprandial", "postprandial_2h"),
            ("2h", "postprandial_2h"),
            ("ogtt_2h", "postprandial_2h"),
        ],
    );
    let value = reader.decimal("mmol_l");
    let diabetic = reader.boolean("diabetic");
    let (context, value) = (context?, value?);
    let mut outcome = Outcome::new(reader.instrument);
    let (code, grade, zh, en): (&str, Option<i64>, &str, &str) =
        if diabetic != Some(false) && value < 3.0 {
            (
                "hypoglycaemia_level2",
                Some(2),
                "2级低血糖（<3.0）",
                "level 2 hypoglycaemia (< 3.0)",
            )
        } else if diabetic != Some(false) && value < 3.9 {
            (
                "hypoglycaemia_level1",
                Some(1),
                "1级低血糖（3.0–<3.9）",
                "level 1 hypoglycaemia (3.0 to < 3.9)",
            )
        } else if diabetic == Some(false) && value < 2.8 {
            (
                "hypoglycaemia",
                None,
                "低血糖（非糖尿病者 <2.8）",
                "hypoglycaemia (non-diabetic, < 2.8)",
            )
        } else {
            match context {
                "fasting" if value >= 7.0 => (
                    "dm_range",
                    None,
                    "空腹血糖达糖尿病范围（≥7.0）",
                    "fasting glucose in the diabetic range (>= 7.0)",
                ),
                "fasting" if value >= 6.1 => (
                    "ifg",
                    None,
                    "空腹血糖受损（6.1–<7.0）",
                    "impaired fasting glucose (6.1 to < 7.0)",
                ),
                "fasting" => (
                    "normal",
                    None,
                    "空腹血糖正常（<6.1）",
                    "normal fasting glucose (< 6.1)",
                ),
                "postprandial_2h" if value >= 11.1 => (
                    "dm_range",
                    None,
                    "餐后2小时血糖达糖尿病范围（≥11.1）",
                    "2-hour glucose in the diabetic range (>= 11.1)",
                ),
                "postprandial_2h" if value >= 7.8 => (
                    "igt",
                    None,
                    "糖耐量减低（7.8–<11.1）",
                    "impaired glucose tolerance (7.8 to < 11.1)",
                ),
                "postprandial_2h" => (
                    "normal",
                    None,
                    "餐后2小时血糖正常（<7.8）",
                    "normal 2-hour glucose (< 7.8)",
                ),
                _ if value >= 11.1 => (
                    "dm_range",
                    None,
                    "随机血糖 ≥11.1（明显高血糖）",
                    "random glucose >= 11.1 (marked hyperglycaemia)",
                ),
                _ => ("normal", None, "随机血糖 <11.1", "random glucose < 11.1"),
            }
        };
    outcome.band = Some(code.into());
    outcome.band_name = Some(Line::new(zh, en));
    outcome.grade = grade;
    outcome.explanation.push(Line::new(
        format!("{value} mmol/L → {zh}"),
        format!("{value} mmol/L → {en}"),
    ));
    outcome.explanation.push(Line::new(
        "设备测得的是毛细血管血糖，仅作提示，不作诊断",
        "devices measure capillary glucose: an alert threshold, not a diagnosis",
    ));
    outcome.values.push(("mmol_l".into(), Value::from(value)));
    Some(outcome)
}

/// GB/T 11643-1999 identity numbers (standards README §9): 18 characters checked by
/// `registry::IdNumber`; a 15-digit number (YYMMDD meaning 19YY, no check character) is upgraded
/// by inserting "19" and computing the check character.
fn resident_id(reader: &mut Reader, today: NaiveDate) -> Option<Outcome> {
    let text = reader.text("id_number")?;
    let mut outcome = Outcome::new(reader.instrument);
    let trimmed = text.trim().to_ascii_uppercase();
    let is_old_form = trimmed.len() == 15 && trimmed.bytes().all(|b| b.is_ascii_digit());
    let candidate = if is_old_form {
        let first17 = format!("{}19{}", &trimmed[..6], &trimmed[6..]);
        let check = registry::id_number::check_character(&first17);
        format!("{first17}{check}")
    } else {
        trimmed
    };
    let parsed = match registry::IdNumber::parse(&candidate, today) {
        Ok(id) => Ok((
            id.birth_date(),
            id.sex() == registry::Sex::Male,
            id.as_str().to_string(),
        )),
        Err(registry::IdNumberError::BirthDate) => born_before_1900(&candidate),
        Err(e) => Err(e),
    };
    let check = match parsed {
        Ok((birth, male, number)) => IdCheck {
            valid: true,
            birth_date: Some(birth.format("%Y-%m-%d").to_string()),
            sex: Some(if male { "male" } else { "female" }.to_string()),
            region_code: Some(number[..6].to_string()),
            upgraded: is_old_form.then_some(number),
            reason: None,
        },
        Err(e) => {
            let e = match (is_old_form, e) {
                (true, registry::IdNumberError::CheckDigit { .. }) => {
                    registry::IdNumberError::Characters
                }
                (_, e) => e,
            };
            IdCheck {
                valid: false,
                birth_date: None,
                sex: None,
                region_code: None,
                upgraded: None,
                reason: Some(Line::new(
                    e.message(registry::Lang::Zh),
                    e.message(registry::Lang::En),
                )),
            }
        }
    };
    outcome.explanation.push(match &check.reason {
        None => Line::new(
            "校验位正确（ISO 7064 MOD 11-2），出生日期存在",
            "check character correct (ISO 7064 MOD 11-2), birth date exists",
        ),
        Some(reason) => reason.clone(),
    });
    outcome.id_check = Some(check);
    Some(outcome)
}

/// The registry refuses birth years before 1900 (implausible on an elder's record), but
/// GB 11643-1999 does not: its own published example `440524188001010014` is born 1880-01-01
/// (standards README §9). Called only after the registry has checked length, characters and
/// province code and refused the birth date.
fn born_before_1900(number: &str) -> Result<(NaiveDate, bool, String), registry::IdNumberError> {
    let part = |range: std::ops::Range<usize>| number.get(range)?.parse::<u32>().ok();
    let birth = match (part(6..10), part(10..12), part(12..14)) {
        (Some(y), Some(m), Some(d)) if y < 1900 => NaiveDate::from_ymd_opt(y as i32, m, d),
        _ => None,
    }
    .ok_or(registry::IdNumberError::BirthDate)?;
    let expected = registry::id_number::check_character(&number[..17]);
    if !number.ends_with(expected) {
        return Err(registry::IdNumberError::CheckDigit { expected });
    }
    let male = (number.as_bytes()[16] - b'0') % 2 == 1;
    Ok((birth, male, number.to_string()))
}
