//! When a reading needs a person. Each finding names its rule (one open alert per elder and
//! rule), a severity and a sentence in both languages.
//!
//! Sources (shared/standards README):
//! - blood pressure, §8: 中国高血压防治指南 2018 — grade 2 from 160/100, grade 3 from 180/110
//!   (the crisis rule coincides with grade 3); home readings are hypertensive from
//!   135/85, which the rising-pressure trend rule uses;
//! - glucose, §8: 中国2型糖尿病防治指南 2020 — level 1 hypoglycaemia below 3.9, level 2 below
//!   3.0 mmol/L. "Marked hyperglycaemia" has no number in the guideline; 16.7 mmol/L (the
//!   level at which Chinese practice checks for ketosis) is this product's default and a doctor
//!   may change it per elder;
//! - pulse, SpO2 and temperature, §6: the NEWS2 chart's 3-point bands (pulse ≤40 or ≥131,
//!   temperature ≤35.0) and its 2-point band for fever (≥39.1); SpO2 below 90% is the rule;
//! - falls and SOS presses need a person at once;
//! - a full vital-sign set (`vitals`) is scored with NEWS2, §6 (Royal College of Physicians
//!   2017), by the same scorer as the NEWS2 assessment: high (≥7) is critical (emergency
//!   response), medium (5–6) urgent, low-medium (a 3 in one parameter) a warning.

use crate::reading::Values;
use chrono::{DateTime, Duration, NaiveDate, Utc};

registry::code_enum!(
    /// How soon a person must act; ordered, so the higher of two is `max`.
    Severity {
        Info = "info", "提示", "info";
        Warning = "warning", "警告", "warning";
        Urgent = "urgent", "紧急", "urgent";
        Critical = "critical", "危急", "critical";
    }
);

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule; at most one open alert per elder and rule.
    pub rule: &'static str,
    pub severity: Severity,
    pub zh: String,
    pub en: String,
}

fn finding(rule: &'static str, severity: Severity, zh: String, en: String) -> Finding {
    Finding {
        rule,
        severity,
        zh,
        en,
    }
}

/// Alert thresholds; a doctor may set them per elder (within `Thresholds::check`'s bounds).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub bp_alert_systolic: i64,
    pub bp_alert_diastolic: i64,
    pub bp_crisis_systolic: i64,
    pub bp_crisis_diastolic: i64,
    pub glucose_low: f64,
    pub glucose_severe_low: f64,
    pub glucose_high: f64,
    pub spo2_low: i64,
    pub heart_rate_low: i64,
    pub heart_rate_high: i64,
    pub temperature_low: f64,
    pub temperature_high: f64,
    /// A device of an elder living alone that sends nothing for this long raises an alert.
    pub silence_hours: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            bp_alert_systolic: 160,
            bp_alert_diastolic: 100,
            bp_crisis_systolic: 180,
            bp_crisis_diastolic: 110,
            glucose_low: 3.9,
            glucose_severe_low: 3.0,
            glucose_high: 16.7,
            spo2_low: 90,
            heart_rate_low: 40,
            heart_rate_high: 131,
            temperature_low: 35.0,
            temperature_high: 39.1,
            silence_hours: 24,
        }
    }
}

/// Every threshold a doctor may set, by name, in the order of the form.
pub const THRESHOLD_FIELDS: [&str; 13] = [
    "bp_alert_systolic",
    "bp_alert_diastolic",
    "bp_crisis_systolic",
    "bp_crisis_diastolic",
    "glucose_low",
    "glucose_severe_low",
    "glucose_high",
    "spo2_low",
    "heart_rate_low",
    "heart_rate_high",
    "temperature_low",
    "temperature_high",
    "silence_hours",
];

/// A threshold's name on a form and in messages.
pub fn threshold_label(field: &str, lang: registry::Lang) -> &'static str {
    match field {
        "bp_alert_systolic" => lang.pick("收缩压偏高", "Systolic high"),
        "bp_alert_diastolic" => lang.pick("舒张压偏高", "Diastolic high"),
        "bp_crisis_systolic" => lang.pick("收缩压危急", "Systolic crisis"),
        "bp_crisis_diastolic" => lang.pick("舒张压危急", "Diastolic crisis"),
        "glucose_low" => lang.pick("低血糖", "Hypoglycaemia"),
        "glucose_severe_low" => lang.pick("严重低血糖", "Severe hypoglycaemia"),
        "glucose_high" => lang.pick("高血糖", "Hyperglycaemia"),
        "spo2_low" => lang.pick("血氧下限", "SpO2 below"),
        "heart_rate_low" => lang.pick("心率下限", "Heart rate at or below"),
        "heart_rate_high" => lang.pick("心率上限", "Heart rate at or above"),
        "temperature_low" => lang.pick("体温下限", "Temperature at or below"),
        "temperature_high" => lang.pick("体温上限", "Temperature at or above"),
        "silence_hours" => lang.pick(
            "独居老人设备静默",
            "Silence of a device of an elder living alone",
        ),
        _ => "",
    }
}

impl Thresholds {
    /// `(name, value)` of every threshold, in the order of [`THRESHOLD_FIELDS`].
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        THRESHOLD_FIELDS
            .iter()
            .map(|f| (*f, self.get(f).unwrap_or_default()))
            .collect()
    }

    pub fn get(&self, field: &str) -> Option<f64> {
        Some(match field {
            "bp_alert_systolic" => self.bp_alert_systolic as f64,
            "bp_alert_diastolic" => self.bp_alert_diastolic as f64,
            "bp_crisis_systolic" => self.bp_crisis_systolic as f64,
            "bp_crisis_diastolic" => self.bp_crisis_diastolic as f64,
            "glucose_low" => self.glucose_low,
            "glucose_severe_low" => self.glucose_severe_low,
            "glucose_high" => self.glucose_high,
            "spo2_low" => self.spo2_low as f64,
            "heart_rate_low" => self.heart_rate_low as f64,
            "heart_rate_high" => self.heart_rate_high as f64,
            "temperature_low" => self.temperature_low,
            "temperature_high" => self.temperature_high,
            "silence_hours" => self.silence_hours as f64,
            _ => return None,
        })
    }

    /// Sets one threshold by name; whole-number thresholds refuse fractions. The bounds are
    /// `check`'s business.
    pub fn set(&mut self, field: &str, value: f64) -> Result<(), &'static str> {
        if !value.is_finite() {
            return Err("must be a number");
        }
        let whole = || {
            if value.fract() == 0.0 && value.abs() < 1e9 {
                Ok(value as i64)
            } else {
                Err("must be a whole number")
            }
        };
        match field {
            "bp_alert_systolic" => self.bp_alert_systolic = whole()?,
            "bp_alert_diastolic" => self.bp_alert_diastolic = whole()?,
            "bp_crisis_systolic" => self.bp_crisis_systolic = whole()?,
            "bp_crisis_diastolic" => self.bp_crisis_diastolic = whole()?,
            "glucose_low" => self.glucose_low = value,
            "glucose_severe_low" => self.glucose_severe_low = value,
            "glucose_high" => self.glucose_high = value,
            "spo2_low" => self.spo2_low = whole()?,
            "heart_rate_low" => self.heart_rate_low = whole()?,
            "heart_rate_high" => self.heart_rate_high = whole()?,
            "temperature_low" => self.temperature_low = value,
            "temperature_high" => self.temperature_high = value,
            "silence_hours" => self.silence_hours = whole()?,
            _ => return Err("is not a threshold"),
        }
        Ok(())
    }

    /// The problems of a doctor's settings, `(field, why)`; empty when they can be used.
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let mut range = |field: &'static str, value: f64, min: f64, max: f64| {
            if !(min..=max).contains(&value) {
                problems.push((field, format!("must be between {min} and {max}")));
            }
        };
        range(
            "bp_alert_systolic",
            self.bp_alert_systolic as f64,
            120.0,
            220.0,
        );
        range(
            "bp_alert_diastolic",
            self.bp_alert_diastolic as f64,
            70.0,
            130.0,
        );
        range(
            "bp_crisis_systolic",
            self.bp_crisis_systolic as f64,
            140.0,
            250.0,
        );
        range(
            "bp_crisis_diastolic",
            self.bp_crisis_diastolic as f64,
            80.0,
            150.0,
        );
        range("glucose_low", self.glucose_low, 2.5, 6.0);
        range("glucose_severe_low", self.glucose_severe_low, 2.0, 4.0);
        range("glucose_high", self.glucose_high, 10.0, 33.3);
        range("spo2_low", self.spo2_low as f64, 80.0, 96.0);
        range("heart_rate_low", self.heart_rate_low as f64, 30.0, 60.0);
        range("heart_rate_high", self.heart_rate_high as f64, 100.0, 180.0);
        range("temperature_low", self.temperature_low, 33.0, 36.0);
        range("temperature_high", self.temperature_high, 37.5, 41.0);
        range("silence_hours", self.silence_hours as f64, 1.0, 168.0);
        if self.bp_crisis_systolic < self.bp_alert_systolic {
            problems.push((
                "bp_crisis_systolic",
                "must not be below bp_alert_systolic".into(),
            ));
        }
        if self.bp_crisis_diastolic < self.bp_alert_diastolic {
            problems.push((
                "bp_crisis_diastolic",
                "must not be below bp_alert_diastolic".into(),
            ));
        }
        if self.glucose_severe_low >= self.glucose_low {
            problems.push(("glucose_severe_low", "must be below glucose_low".into()));
        }
        problems
    }
}

/// What one reading means under `t`: nothing, or the findings (at most one per rule).
pub fn evaluate(values: &Values, t: &Thresholds) -> Vec<Finding> {
    let mut found = Vec::new();
    match *values {
        Values::BloodPressure {
            systolic,
            diastolic,
            pulse,
        } => {
            let text = format!("{systolic}/{diastolic} mmHg");
            if systolic >= t.bp_crisis_systolic || diastolic >= t.bp_crisis_diastolic {
                found.push(finding(
                    "bp_crisis",
                    Severity::Critical,
                    format!(
                        "血压 {text}，收缩压≥{}或舒张压≥{}，达到危急值，须立即处理",
                        t.bp_crisis_systolic, t.bp_crisis_diastolic
                    ),
                    format!(
                        "blood pressure {text}: systolic ≥ {} or diastolic ≥ {}, the crisis level: act now",
                        t.bp_crisis_systolic, t.bp_crisis_diastolic
                    ),
                ));
            } else if systolic >= t.bp_alert_systolic || diastolic >= t.bp_alert_diastolic {
                found.push(finding(
                    "bp_high",
                    Severity::Warning,
                    format!(
                        "血压 {text}，收缩压≥{}或舒张压≥{}（2级高血压水平）",
                        t.bp_alert_systolic, t.bp_alert_diastolic
                    ),
                    format!(
                        "blood pressure {text}: systolic ≥ {} or diastolic ≥ {} (grade 2 level)",
                        t.bp_alert_systolic, t.bp_alert_diastolic
                    ),
                ));
            }
            if let Some(bpm) = pulse {
                found.extend(heart_rate(bpm, t));
            }
        }
        Values::Glucose { mmol_l, context } => {
            let text = format!("{mmol_l} mmol/L（{}）", context.label_zh());
            if mmol_l < t.glucose_severe_low {
                found.push(finding(
                    "hypoglycaemia",
                    Severity::Critical,
                    format!("血糖 {text}，低于 {}：严重低血糖", t.glucose_severe_low),
                    format!(
                        "glucose {mmol_l} mmol/L, below {}: severe hypoglycaemia",
                        t.glucose_severe_low
                    ),
                ));
            } else if mmol_l < t.glucose_low {
                found.push(finding(
                    "hypoglycaemia",
                    Severity::Urgent,
                    format!("血糖 {text}，低于 {}：低血糖", t.glucose_low),
                    format!(
                        "glucose {mmol_l} mmol/L, below {}: hypoglycaemia",
                        t.glucose_low
                    ),
                ));
            } else if mmol_l >= t.glucose_high {
                found.push(finding(
                    "hyperglycaemia",
                    Severity::Warning,
                    format!("血糖 {text}，不低于 {}：明显高血糖", t.glucose_high),
                    format!(
                        "glucose {mmol_l} mmol/L, at or above {}: marked hyperglycaemia",
                        t.glucose_high
                    ),
                ));
            }
        }
        Values::HeartRate { bpm } => found.extend(heart_rate(bpm, t)),
        Values::Spo2 { percent } => {
            if percent < t.spo2_low {
                found.push(finding(
                    "spo2_low",
                    Severity::Urgent,
                    format!("血氧饱和度 {percent}%，低于 {}%", t.spo2_low),
                    format!("SpO2 {percent}%, below {}%", t.spo2_low),
                ));
            }
        }
        Values::Temperature { celsius } => {
            if celsius <= t.temperature_low {
                found.push(finding(
                    "temperature",
                    Severity::Urgent,
                    format!("体温 {celsius}℃，不高于 {}℃", t.temperature_low),
                    format!(
                        "temperature {celsius} °C, at or below {} °C",
                        t.temperature_low
                    ),
                ));
            } else if celsius >= t.temperature_high {
                found.push(finding(
                    "temperature",
                    Severity::Warning,
                    format!("体温 {celsius}℃，不低于 {}℃", t.temperature_high),
                    format!(
                        "temperature {celsius} °C, at or above {} °C",
                        t.temperature_high
                    ),
                ));
            }
        }
        Values::Steps { .. } => {}
        Values::Fall => found.push(finding(
            "fall",
            Severity::Critical,
            "检测到跌倒".into(),
            "a fall was detected".into(),
        )),
        Values::Sos => found.push(finding(
            "sos",
            Severity::Critical,
            "老人按下了紧急呼叫".into(),
            "the SOS button was pressed".into(),
        )),
        Values::BedExit => found.push(finding(
            "bed_exit",
            Severity::Warning,
            "离床".into(),
            "left the bed".into(),
        )),
        Values::Vitals(v) => {
            found.extend(news2(values));
            found.extend(evaluate(&Values::Spo2 { percent: v.spo2 }, t));
            found.extend(heart_rate(v.pulse, t));
            found.extend(evaluate(
                &Values::Temperature {
                    celsius: v.temperature,
                },
                t,
            ));
        }
    }
    found
}

/// The grade of one blood-pressure reading under the Chinese hypertension guideline 2018
/// (standards README §8; the higher of the systolic and diastolic categories): `normal`,
/// `high_normal`, `grade1`, `grade2`, `grade3`. A single home reading grades, it does not
/// diagnose; alerts start at grade 2 (`bp_high`) and grade 3 (`bp_crisis`).
pub fn bp_grade(systolic: i64, diastolic: i64) -> &'static str {
    const CODES: [&str; 5] = ["normal", "high_normal", "grade1", "grade2", "grade3"];
    CODES[assessment::bp_category(systolic, diastolic).0.min(4)]
}

/// NEWS2 of a full vital-sign set (standards README §6), scored by `assessment`'s NEWS2 scorer
/// so that a device and an assessor get the same number for the same values.
pub fn news2(values: &Values) -> Option<Finding> {
    let Values::Vitals(v) = values else {
        return None;
    };
    let instrument = assessment::catalog().get("news2")?;
    let mut answers = assessment::Answers::new();
    answers.insert("respiration_rate".into(), v.respiration_rate.into());
    answers.insert("spo2".into(), v.spo2.into());
    answers.insert("on_oxygen".into(), v.on_oxygen.into());
    answers.insert("systolic_bp".into(), v.systolic.into());
    answers.insert("pulse".into(), v.pulse.into());
    answers.insert("consciousness".into(), v.consciousness.code().into());
    answers.insert("temperature".into(), v.temperature.into());
    let today = NaiveDate::from_ymd_opt(2026, 1, 1)?;
    let outcome =
        assessment::score(instrument, &answers, &assessment::Rules::default(), today).ok()?;
    let total = outcome.total?;
    let (severity, zh, en) = match outcome.band.as_deref()? {
        "high" => (
            Severity::Critical,
            "高风险，须紧急响应",
            "high risk: emergency response",
        ),
        "medium" => (
            Severity::Urgent,
            "中风险，须紧急评估",
            "medium risk: urgent response",
        ),
        "low_medium" => (
            Severity::Warning,
            "单项 3 分，须尽快评估",
            "a single parameter scores 3: urgent review",
        ),
        _ => return None,
    };
    Some(finding(
        "news2",
        severity,
        format!("NEWS2 评分 {total}：{zh}"),
        format!("NEWS2 score {total}: {en}"),
    ))
}

fn heart_rate(bpm: i64, t: &Thresholds) -> Option<Finding> {
    if bpm <= t.heart_rate_low {
        Some(finding(
            "heart_rate",
            Severity::Urgent,
            format!("心率 {bpm} 次/分，不高于 {}", t.heart_rate_low),
            format!("heart rate {bpm}/min, at or below {}", t.heart_rate_low),
        ))
    } else if bpm >= t.heart_rate_high {
        Some(finding(
            "heart_rate",
            Severity::Urgent,
            format!("心率 {bpm} 次/分，不低于 {}", t.heart_rate_high),
            format!("heart rate {bpm}/min, at or above {}", t.heart_rate_high),
        ))
    } else {
        None
    }
}

/// A week of rising pressure: the daily mean systolic of 7 consecutive days never falls, rises
/// by at least 15 mmHg in all, and ends at or above the home threshold of 135 mmHg.
/// `daily` holds (day, mean systolic), any order; only the last 7 days up to the latest count.
pub fn rising_pressure(daily: &[(NaiveDate, f64)]) -> Option<Finding> {
    let mut days: Vec<(NaiveDate, f64)> = daily.to_vec();
    days.sort_by_key(|d| d.0);
    let week = days.get(days.len().checked_sub(7)?..)?;
    let consecutive = week
        .windows(2)
        .all(|w| w[1].0 - w[0].0 == Duration::days(1));
    let never_falls = week.windows(2).all(|w| w[1].1 >= w[0].1);
    let (first, last) = (week[0].1, week[6].1);
    if consecutive && never_falls && last - first >= 15.0 && last >= 135.0 {
        Some(finding(
            "rising_pressure",
            Severity::Warning,
            format!("近 7 天收缩压日均值持续上升：{first:.0} → {last:.0} mmHg"),
            format!("daily mean systolic rose for 7 days: {first:.0} → {last:.0} mmHg"),
        ))
    } else {
        None
    }
}

/// Silence: an elder living alone whose device has sent nothing for `t.silence_hours` (or has
/// never sent anything since `bound_at`).
pub fn silence(
    last_seen: Option<DateTime<Utc>>,
    bound_at: DateTime<Utc>,
    now: DateTime<Utc>,
    t: &Thresholds,
) -> Option<Finding> {
    let since = last_seen.unwrap_or(bound_at);
    let quiet = now - since;
    (quiet >= Duration::hours(t.silence_hours)).then(|| {
        finding(
            "silence",
            Severity::Urgent,
            format!("独居老人的设备已 {} 小时没有数据", quiet.num_hours()),
            format!(
                "the device of an elder living alone has sent nothing for {} hours",
                quiet.num_hours()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::GlucoseContext;

    fn rules(values: Values) -> Vec<(&'static str, Severity)> {
        evaluate(&values, &Thresholds::default())
            .into_iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    fn bp(systolic: i64, diastolic: i64) -> Vec<(&'static str, Severity)> {
        rules(Values::BloodPressure {
            systolic,
            diastolic,
            pulse: None,
        })
    }

    #[test]
    fn blood_pressure_boundaries() {
        assert_eq!(bp(159, 99), []);
        assert_eq!(bp(160, 80), [("bp_high", Severity::Warning)]);
        assert_eq!(bp(130, 100), [("bp_high", Severity::Warning)]);
        assert_eq!(bp(179, 109), [("bp_high", Severity::Warning)]);
        assert_eq!(bp(180, 90), [("bp_crisis", Severity::Critical)]);
        assert_eq!(bp(150, 110), [("bp_crisis", Severity::Critical)]);
    }

    #[test]
    fn each_reading_gets_its_guideline_grade() {
        for (s, d, grade) in [
            (119, 79, "normal"),
            (120, 79, "high_normal"),
            (119, 80, "high_normal"),
            (139, 89, "high_normal"),
            (140, 70, "grade1"),
            (130, 90, "grade1"),
            (159, 99, "grade1"),
            (160, 80, "grade2"),
            (150, 100, "grade2"),
            (179, 109, "grade2"),
            (180, 60, "grade3"),
            (120, 110, "grade3"),
        ] {
            assert_eq!(bp_grade(s, d), grade, "{s}/{d}");
        }
    }

    #[test]
    fn a_pulse_with_the_pressure_is_checked_too() {
        let found = rules(Values::BloodPressure {
            systolic: 120,
            diastolic: 70,
            pulse: Some(135),
        });
        assert_eq!(found, [("heart_rate", Severity::Urgent)]);
    }

    fn glucose(mmol_l: f64) -> Vec<(&'static str, Severity)> {
        rules(Values::Glucose {
            mmol_l,
            context: GlucoseContext::Fasting,
        })
    }

    #[test]
    fn glucose_boundaries() {
        assert_eq!(glucose(2.9), [("hypoglycaemia", Severity::Critical)]);
        assert_eq!(glucose(3.0), [("hypoglycaemia", Severity::Urgent)]);
        assert_eq!(glucose(3.8), [("hypoglycaemia", Severity::Urgent)]);
        assert_eq!(glucose(3.9), []);
        assert_eq!(glucose(16.6), []);
        assert_eq!(glucose(16.7), [("hyperglycaemia", Severity::Warning)]);
    }

    #[test]
    fn spo2_heart_rate_and_temperature_boundaries() {
        assert_eq!(
            rules(Values::Spo2 { percent: 89 }),
            [("spo2_low", Severity::Urgent)]
        );
        assert_eq!(rules(Values::Spo2 { percent: 90 }), []);
        assert_eq!(
            rules(Values::HeartRate { bpm: 40 }),
            [("heart_rate", Severity::Urgent)]
        );
        assert_eq!(rules(Values::HeartRate { bpm: 41 }), []);
        assert_eq!(rules(Values::HeartRate { bpm: 130 }), []);
        assert_eq!(
            rules(Values::HeartRate { bpm: 131 }),
            [("heart_rate", Severity::Urgent)]
        );
        assert_eq!(
            rules(Values::Temperature { celsius: 35.0 }),
            [("temperature", Severity::Urgent)]
        );
        assert_eq!(rules(Values::Temperature { celsius: 35.1 }), []);
        assert_eq!(rules(Values::Temperature { celsius: 39.0 }), []);
        assert_eq!(
            rules(Values::Temperature { celsius: 39.1 }),
            [("temperature", Severity::Warning)]
        );
    }

    #[test]
    fn falls_and_sos_are_critical_at_once_and_steps_never_alert() {
        assert_eq!(rules(Values::Fall), [("fall", Severity::Critical)]);
        assert_eq!(rules(Values::Sos), [("sos", Severity::Critical)]);
        assert_eq!(rules(Values::BedExit), [("bed_exit", Severity::Warning)]);
        assert_eq!(rules(Values::Steps { count: 0 }), []);
    }

    #[test]
    fn a_doctors_thresholds_change_the_outcome_and_are_checked() {
        let mut t = Thresholds {
            bp_alert_systolic: 150,
            ..Thresholds::default()
        };
        assert!(t.check().is_empty());
        let found = evaluate(
            &Values::BloodPressure {
                systolic: 152,
                diastolic: 80,
                pulse: None,
            },
            &t,
        );
        assert_eq!(found[0].rule, "bp_high");
        t.bp_crisis_systolic = 140;
        t.glucose_severe_low = 4.0;
        t.spo2_low = 99;
        let fields: Vec<&str> = t.check().iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            ["spo2_low", "bp_crisis_systolic", "glucose_severe_low"]
        );
    }

    fn vitals(
        respiration_rate: i64,
        spo2: i64,
        systolic: i64,
        pulse: i64,
        temperature: f64,
    ) -> Values {
        Values::Vitals(crate::reading::VitalSigns {
            respiration_rate,
            spo2,
            on_oxygen: false,
            systolic,
            pulse,
            consciousness: crate::reading::Consciousness::Alert,
            temperature,
        })
    }

    fn news2_of(v: Values) -> Option<(Severity, String)> {
        news2(&v).map(|f| (f.severity, f.en))
    }

    #[test]
    fn news2_bands_of_a_vital_sign_set() {
        // All parameters in their 0 band: no finding.
        assert_eq!(news2_of(vitals(16, 97, 120, 70, 37.0)), None);
        // 4 points, no single 3: low, no finding.
        assert_eq!(news2_of(vitals(22, 95, 105, 70, 37.0)), None);
        // One 3 (respiration ≤ 8) alone: low-medium.
        assert_eq!(
            news2_of(vitals(8, 97, 120, 70, 37.0)).unwrap().0,
            Severity::Warning
        );
        // 5: medium (RR 21-24 = 2, SpO2 94-95 = 1, pulse 111-130 = 2).
        let medium = news2_of(vitals(22, 95, 120, 115, 37.0)).unwrap();
        assert_eq!(
            medium,
            (
                Severity::Urgent,
                "NEWS2 score 5: medium risk: urgent response".into()
            )
        );
        // 6 is still medium; 7 is high.
        assert_eq!(
            news2_of(vitals(22, 95, 105, 115, 37.0)).unwrap().0,
            Severity::Urgent
        );
        assert_eq!(
            news2_of(vitals(22, 93, 105, 115, 37.0)).unwrap().0,
            Severity::Critical
        );
        // A set with an SpO2 below 90 also raises the SpO2 rule.
        let all: Vec<&str> = evaluate(&vitals(26, 88, 95, 135, 39.5), &Thresholds::default())
            .iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(all, ["news2", "spo2_low", "heart_rate", "temperature"]);
    }

    #[test]
    fn thresholds_round_trip_by_name() {
        let mut t = Thresholds::default();
        for (field, value) in Thresholds::default().fields() {
            t.set(field, value).unwrap();
        }
        assert_eq!(t, Thresholds::default());
        assert_eq!(t.set("spo2_low", 88.5), Err("must be a whole number"));
        assert_eq!(t.set("glucose_low", f64::NAN), Err("must be a number"));
        assert_eq!(t.set("mood", 1.0), Err("is not a threshold"));
        t.set("glucose_low", 4.4).unwrap();
        assert_eq!(t.get("glucose_low"), Some(4.4));
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_week_of_rising_pressure_is_found_and_near_misses_are_not() {
        let week: Vec<(NaiveDate, f64)> = (0..7)
            .map(|i| (day(10 + i), 125.0 + 2.5 * f64::from(i)))
            .collect();
        assert_eq!(rising_pressure(&week).unwrap().rule, "rising_pressure");
        // One day lower in the middle.
        let mut dip = week.clone();
        dip[3].1 = 120.0;
        assert!(rising_pressure(&dip).is_none());
        // Rises by 14 only.
        let small: Vec<_> = week
            .iter()
            .map(|(d, v)| (*d, 135.0 + (v - 125.0) * 14.0 / 15.0))
            .collect();
        assert!(rising_pressure(&small).is_none());
        // Ends below 135.
        let low: Vec<_> = week.iter().map(|(d, v)| (*d, v - 10.0)).collect();
        assert!(rising_pressure(&low).is_none());
        // A missing day.
        let gap: Vec<_> = week
            .iter()
            .enumerate()
            .map(|(i, (d, v))| (if i == 6 { *d + Duration::days(1) } else { *d }, *v))
            .collect();
        assert!(rising_pressure(&gap).is_none());
        assert!(rising_pressure(&week[..6]).is_none());
    }

    #[test]
    fn silence_counts_from_the_last_reading_or_the_binding() {
        let t = Thresholds::default();
        let bound = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let seen = bound + Duration::hours(30);
        assert!(silence(Some(seen), bound, seen + Duration::hours(23), &t).is_none());
        assert_eq!(
            silence(Some(seen), bound, seen + Duration::hours(24), &t)
                .unwrap()
                .severity,
            Severity::Urgent
        );
        assert!(silence(None, bound, bound + Duration::hours(24), &t).is_some());
    }
}
