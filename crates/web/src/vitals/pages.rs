//! The monitoring section of an elder's page: the last 30 days of blood pressure, glucose,
//! heart rate and oxygen saturation (and temperature when measured) as charts with the elder's
//! thresholds shaded, the elder's unresolved alerts and devices, and the thresholds, which the
//! elder's doctor may change here.

use crate::alerts::pages::{self as alerts, AlertLine};
use crate::devices::pages::{self as devices, DeviceLine};
use crate::kit::CsrfForm;
use crate::ui::charts::{LimitInput, SeriesInput, TimeChart, ZoneInput};
use crate::ui::form::FormErrors;
use crate::ui::{see_other, t, PageResult, Session};
use crate::WebState;
use access::Action;
use app::monitoring::ReadingRow;
use app::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use monitoring::rule::THRESHOLD_FIELDS;
use monitoring::Thresholds;
use registry::Lang;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Days of readings the charts show.
pub const WINDOW_DAYS: i64 = 30;
const MAX_READINGS: i64 = app::monitoring::readings::MAX_READINGS;

pub struct VitalChart {
    /// `bp`, `glucose`, `heart_rate`, `spo2`, `temperature`: the chart's element id suffix.
    pub key: &'static str,
    pub title: &'static str,
    pub chart: TimeChart,
    /// The latest reading, `186/112 mmHg · 03-14 08:30`.
    pub latest: String,
    /// The latest reading is outside the thresholds.
    pub latest_flagged: bool,
    /// Readings drawn, `12 次`.
    pub count: String,
    /// Set when there were too many readings and only the most recent days are drawn.
    pub note: String,
}

pub struct ThresholdField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

pub struct ThresholdGroup {
    pub title: &'static str,
    pub unit: &'static str,
    pub fields: Vec<ThresholdField>,
}

/// The thresholds as a form (a doctor) or a table (everyone else who sees monitoring).
pub struct ThresholdForm {
    /// The thresholds in force.
    pub current: Vec<ThresholdGroup>,
    /// The form's fields: the thresholds in force, or what the doctor typed.
    pub groups: Vec<ThresholdGroup>,
    pub errors: FormErrors,
    pub editable: bool,
    pub set_by: String,
    pub set_at: String,
    /// Open the form at once (after an error).
    pub open: bool,
}

/// What the doctor typed, to show again with the errors.
pub struct ThresholdInput {
    pub values: HashMap<String, String>,
    pub error: AppError,
}

pub struct Panel {
    pub charts: Vec<VitalChart>,
    pub alerts: Vec<AlertLine>,
    pub devices: Vec<DeviceLine>,
    pub thresholds: ThresholdForm,
    pub can_handle: bool,
    pub can_manage_devices: bool,
    /// Where the forms of the section return to.
    pub next: String,
    pub any_readings: bool,
}

/// The section for `elder_id`, or None for a role that does not see monitoring.
pub async fn panel(
    state: &WebState,
    session: &Session,
    elder_id: &str,
    input: Option<ThresholdInput>,
) -> Result<Option<Panel>, AppError> {
    let actor = &session.actor;
    if !actor.may(Action::ReadMonitoring) {
        return Ok(None);
    }
    let lang = session.lang;
    let to = state.app.now();
    let from = to - Duration::days(WINDOW_DAYS);
    let (rows, shortened) = readings(state, session, elder_id, from, to).await?;
    let stored = state.app.elder_thresholds(actor, elder_id).await?;
    let limits = &stored.values;
    let charts = charts(&rows, &shortened, limits, (from, to), lang);
    let alerts = alerts::of_elder(state, session, elder_id).await?;
    let devices = devices::of_elder(state, session, elder_id).await?;
    let (values, errors, open) = match input {
        Some(input) => {
            let errors = FormErrors::from_error(
                &input.error,
                lang,
                THRESHOLD_FIELDS.map(String::from).to_vec(),
                |f| threshold_label(f, lang).to_string(),
            );
            (input.values, errors, true)
        }
        None => (stored_values(limits), FormErrors::default(), false),
    };
    let mut errors = errors;
    for e in &mut errors.items {
        e.message = name_fields(&e.message, lang);
    }
    Ok(Some(Panel {
        any_readings: !rows.is_empty(),
        charts,
        alerts,
        devices,
        thresholds: ThresholdForm {
            current: groups(&stored_values(limits), lang),
            groups: groups(&values, lang),
            errors,
            editable: actor.may(Action::SetThresholds),
            set_by: stored.set_by.unwrap_or_default(),
            set_at: stored
                .set_at
                .as_deref()
                .map(app::local_time_text)
                .unwrap_or_default(),
            open,
        },
        can_handle: actor.may(Action::HandleAlert),
        can_manage_devices: actor.may(Action::ManageDevices),
        next: format!("/elders/{elder_id}#monitoring"),
    }))
}

/// The readings of the window: in one answer when they fit, else kind by kind, each from as
/// many recent days as fit (returned by kind, with the days drawn).
async fn readings(
    state: &WebState,
    session: &Session,
    elder_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<ReadingRow>, HashMap<&'static str, i64>), AppError> {
    let actor = &session.actor;
    let all = state
        .app
        .elder_readings(actor, elder_id, None, from, to, MAX_READINGS)
        .await?;
    let mut shortened = HashMap::new();
    if (all.len() as i64) < MAX_READINGS {
        return Ok((all, shortened));
    }
    let mut rows = Vec::new();
    for kind in [
        "blood_pressure",
        "glucose",
        "heart_rate",
        "spo2",
        "temperature",
        "vitals",
    ] {
        for days in [WINDOW_DAYS, 7, 1] {
            let start = from.max(to - Duration::days(days));
            let part = state
                .app
                .elder_readings(actor, elder_id, Some(kind), start, to, MAX_READINGS)
                .await?;
            if (part.len() as i64) < MAX_READINGS || days == 1 {
                if days < WINDOW_DAYS {
                    shortened.insert(kind, days);
                }
                rows.extend(part);
                break;
            }
        }
    }
    Ok((rows, shortened))
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    app::parse_time(text)
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A stored threshold as the form shows it: glucose and temperature with their decimal.
fn threshold_text(field: &str, v: f64) -> String {
    if field.starts_with("glucose") || field.starts_with("temperature") {
        format!("{v:.1}")
    } else {
        number_text(v)
    }
}

fn stored_values(t: &Thresholds) -> HashMap<String, String> {
    t.fields()
        .into_iter()
        .map(|(k, v)| (k.to_string(), threshold_text(k, v)))
        .collect()
}

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&app::shanghai())
        .format("%m-%d %H:%M")
        .to_string()
}

/// The charts of the section, in a fixed order.
fn charts(
    rows: &[ReadingRow],
    shortened: &HashMap<&'static str, i64>,
    th: &Thresholds,
    window: (DateTime<Utc>, DateTime<Utc>),
    lang: Lang,
) -> Vec<VitalChart> {
    let of = |kinds: &[&str]| -> Vec<(DateTime<Utc>, &ReadingRow)> {
        rows.iter()
            .filter(|r| kinds.contains(&r.values.kind()))
            .filter_map(|r| parse_time(&r.measured_at).map(|t| (t, r)))
            .collect()
    };
    let note = |kinds: &[&str]| {
        kinds
            .iter()
            .filter_map(|k| shortened.get(k))
            .min()
            .map(|days| match lang {
                Lang::Zh => format!("数据较多，仅显示最近 {days} 天"),
                Lang::En => format!("many readings: only the last {days} day(s) are drawn"),
            })
            .unwrap_or_default()
    };
    let count = |n: usize| format!("{n} {}", t(lang, "条读数"));
    let ge = |v: f64, name: &str| format!("≥{} {name}", number_text(v));
    let lt = |v: f64, name: &str| format!("<{} {name}", number_text(v));
    let le = |v: f64, name: &str| format!("≤{} {name}", number_text(v));
    // Glucose and temperature thresholds keep their decimal (`<3.0`, `≤35.0`).
    let ge1 = |v: f64, name: &str| format!("≥{v:.1} {name}");
    let lt1 = |v: f64, name: &str| format!("<{v:.1} {name}");
    let le1 = |v: f64, name: &str| format!("≤{v:.1} {name}");
    // The chart of the readings of `kinds`; `latest` is the newest as text, and whether it is
    // outside the thresholds.
    let vital =
        |key, title, kinds: &[&str], readings: usize, latest: Option<(String, bool)>, chart| {
            let (latest, latest_flagged) = latest.unwrap_or_default();
            VitalChart {
                key,
                title,
                count: count(readings),
                note: note(kinds),
                latest,
                latest_flagged,
                chart,
            }
        };
    // The newest of one value's points, shown by `text`.
    let newest = |points: &[(DateTime<Utc>, f64, bool)], text: &dyn Fn(f64) -> String| {
        let p = points.iter().max_by_key(|p| p.0)?;
        Some((format!("{} · {}", text(p.1), when(p.0)), p.2))
    };
    let mut out = Vec::new();

    // Blood pressure: systolic and diastolic; the shaded zones are the systolic thresholds,
    // the dashed lines the diastolic ones.
    let bp = of(&["blood_pressure", "vitals"]);
    let (sys_alert, dia_alert) = (th.bp_alert_systolic as f64, th.bp_alert_diastolic as f64);
    let (sys_crisis, dia_crisis) = (th.bp_crisis_systolic as f64, th.bp_crisis_diastolic as f64);
    let systolic: Vec<_> = bp
        .iter()
        .filter_map(|(t, r)| {
            r.values
                .systolic()
                .map(|v| (*t, v as f64, v as f64 >= sys_alert))
        })
        .collect();
    let diastolic: Vec<_> = bp
        .iter()
        .filter_map(|(t, r)| {
            r.values
                .diastolic()
                .map(|v| (*t, v as f64, v as f64 >= dia_alert))
        })
        .collect();
    let latest = bp.iter().max_by_key(|(t, _)| *t).map(|(t, r)| {
        let s = r.values.systolic().unwrap_or_default();
        let text = match r.values.diastolic() {
            Some(d) => format!("{s}/{d} mmHg"),
            None => format!("{s} mmHg"),
        };
        let flagged =
            s as f64 >= sys_alert || r.values.diastolic().is_some_and(|d| d as f64 >= dia_alert);
        (format!("{text} · {}", when(*t)), flagged)
    });
    out.push(vital(
        "bp",
        t(lang, "血压"),
        &["blood_pressure", "vitals"],
        bp.len(),
        latest,
        TimeChart::new(
            window,
            (40.0, 200.0_f64.max(sys_crisis + 20.0)),
            20.0,
            vec![
                SeriesInput {
                    label: t(lang, "收缩压").into(),
                    class: "s-a",
                    unit: "mmHg",
                    decimals: 0,
                    points: systolic,
                },
                SeriesInput {
                    label: t(lang, "舒张压").into(),
                    class: "s-b",
                    unit: "mmHg",
                    decimals: 0,
                    points: diastolic,
                },
            ],
            vec![
                ZoneInput {
                    low: Some(sys_alert),
                    high: Some(sys_crisis),
                    edge: sys_alert,
                    class: "zone-warn",
                    label: ge(sys_alert, t(lang, "偏高")),
                },
                ZoneInput::above(sys_crisis, "zone-crit", ge(sys_crisis, t(lang, "危急"))),
            ],
            vec![
                LimitInput {
                    value: dia_alert,
                    class: "limit-warn",
                    label: format!("{} ≥{}", t(lang, "舒张"), dia_alert),
                },
                LimitInput {
                    value: dia_crisis,
                    class: "limit-crit",
                    label: format!("{} ≥{}", t(lang, "舒张"), dia_crisis),
                },
            ],
        ),
    ));

    // Glucose.
    let glucose = of(&["glucose"]);
    let flag_glucose = |v: f64| v < th.glucose_low || v >= th.glucose_high;
    let points: Vec<_> = glucose
        .iter()
        .filter_map(|(t, r)| r.values.glucose().map(|v| (*t, v, flag_glucose(v))))
        .collect();
    let latest = newest(&points, &|v| format!("{v:.1} mmol/L"));
    out.push(vital(
        "glucose",
        t(lang, "血糖"),
        &["glucose"],
        points.len(),
        latest,
        TimeChart::new(
            window,
            (2.0, 20.0_f64.max(th.glucose_high + 2.0)),
            2.0,
            vec![SeriesInput {
                label: t(lang, "血糖").into(),
                class: "s-a",
                unit: "mmol/L",
                decimals: 1,
                points,
            }],
            vec![
                ZoneInput::below(
                    th.glucose_severe_low,
                    "zone-crit",
                    lt1(th.glucose_severe_low, t(lang, "严重低血糖")),
                ),
                ZoneInput {
                    low: Some(th.glucose_severe_low),
                    high: Some(th.glucose_low),
                    edge: th.glucose_low,
                    class: "zone-urgent",
                    label: lt1(th.glucose_low, t(lang, "低血糖")),
                },
                ZoneInput::above(
                    th.glucose_high,
                    "zone-warn",
                    ge1(th.glucose_high, t(lang, "高血糖")),
                ),
            ],
            Vec::new(),
        ),
    ));

    // Heart rate: the watch's and the monitors' heart rate and the pulse a blood-pressure
    // monitor measures with the pressure.
    let heart = of(&["heart_rate", "blood_pressure", "vitals"]);
    let (hr_low, hr_high) = (th.heart_rate_low as f64, th.heart_rate_high as f64);
    let points: Vec<_> = heart
        .iter()
        .filter_map(|(t, r)| {
            let bpm = r.values.heart_rate().map(|v| v as f64);
            bpm.map(|v| (*t, v, v <= hr_low || v >= hr_high))
        })
        .collect();
    let latest = newest(&points, &|v| format!("{} {}", v as i64, t(lang, "次/分")));
    out.push(vital(
        "heart_rate",
        t(lang, "心率"),
        &["heart_rate", "blood_pressure", "vitals"],
        points.len(),
        latest,
        TimeChart::new(
            window,
            (30.0_f64.min(hr_low - 10.0), 150.0_f64.max(hr_high + 10.0)),
            20.0,
            vec![SeriesInput {
                label: t(lang, "心率").into(),
                class: "s-a",
                unit: t(lang, "次/分"),
                decimals: 0,
                points,
            }],
            vec![
                ZoneInput::below(hr_low, "zone-urgent", le(hr_low, t(lang, "过缓"))),
                ZoneInput::above(hr_high, "zone-urgent", ge(hr_high, t(lang, "过速"))),
            ],
            Vec::new(),
        ),
    ));

    // Oxygen saturation.
    let spo2 = of(&["spo2", "vitals"]);
    let low = th.spo2_low as f64;
    let points: Vec<_> = spo2
        .iter()
        .filter_map(|(t, r)| {
            let v = r.values.spo2().map(|v| v as f64);
            v.map(|v| (*t, v, v < low))
        })
        .collect();
    let latest = newest(&points, &|v| format!("{}%", v as i64));
    out.push(vital(
        "spo2",
        t(lang, "血氧饱和度"),
        &["spo2", "vitals"],
        points.len(),
        latest,
        TimeChart::new(
            window,
            (80.0_f64.min(low - 5.0), 100.0),
            5.0,
            vec![SeriesInput {
                label: "SpO₂".into(),
                class: "s-a",
                unit: "%",
                decimals: 0,
                points,
            }],
            vec![ZoneInput::below(
                low,
                "zone-urgent",
                lt(low, t(lang, "偏低")),
            )],
            Vec::new(),
        ),
    ));

    // Temperature, only when measured.
    let temperature = of(&["temperature"]);
    if !temperature.is_empty() {
        let (t_low, t_high) = (th.temperature_low, th.temperature_high);
        let points: Vec<_> = temperature
            .iter()
            .filter_map(|(t, r)| {
                r.values
                    .celsius()
                    .map(|v| (*t, v, v <= t_low || v >= t_high))
            })
            .collect();
        let latest = newest(&points, &|v| format!("{v:.1} ℃"));
        out.push(vital(
            "temperature",
            t(lang, "体温"),
            &["temperature"],
            points.len(),
            latest,
            TimeChart::new(
                window,
                (34.0_f64.min(t_low - 1.0), 41.0_f64.max(t_high + 1.0)),
                1.0,
                vec![SeriesInput {
                    label: t(lang, "体温").into(),
                    class: "s-a",
                    unit: "℃",
                    decimals: 1,
                    points,
                }],
                vec![
                    ZoneInput::below(t_low, "zone-urgent", le1(t_low, t(lang, "过低"))),
                    ZoneInput::above(t_high, "zone-warn", ge1(t_high, t(lang, "发热"))),
                ],
                Vec::new(),
            ),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Thresholds

/// A threshold's name on the form.
pub fn threshold_label(field: &str, lang: Lang) -> &'static str {
    monitoring::rule::threshold_label(field, lang)
}

/// A message that names another threshold by its code (`must not be below
/// bp_alert_systolic`) names it as the form does.
fn name_fields(message: &str, lang: Lang) -> String {
    let mut text = message.to_string();
    // Longest first: `glucose_low` is part of `glucose_severe_low`'s neighbours.
    let mut fields = THRESHOLD_FIELDS.to_vec();
    fields.sort_by_key(|f| std::cmp::Reverse(f.len()));
    for field in fields {
        if text.contains(field) {
            text = text.replace(field, &format!("“{}”", threshold_label(field, lang)));
        }
    }
    text
}

fn groups(values: &HashMap<String, String>, lang: Lang) -> Vec<ThresholdGroup> {
    let field = |name: &'static str| ThresholdField {
        name,
        label: threshold_label(name, lang),
        value: values.get(name).cloned().unwrap_or_default(),
    };
    vec![
        ThresholdGroup {
            title: t(lang, "血压"),
            unit: "mmHg",
            fields: vec![
                field("bp_alert_systolic"),
                field("bp_alert_diastolic"),
                field("bp_crisis_systolic"),
                field("bp_crisis_diastolic"),
            ],
        },
        ThresholdGroup {
            title: t(lang, "血糖"),
            unit: "mmol/L",
            fields: vec![
                field("glucose_low"),
                field("glucose_severe_low"),
                field("glucose_high"),
            ],
        },
        ThresholdGroup {
            title: t(lang, "心率"),
            unit: t(lang, "次/分"),
            fields: vec![field("heart_rate_low"), field("heart_rate_high")],
        },
        ThresholdGroup {
            title: t(lang, "血氧与体温"),
            unit: "% · ℃",
            fields: vec![
                field("spo2_low"),
                field("temperature_low"),
                field("temperature_high"),
            ],
        },
        ThresholdGroup {
            title: t(lang, "设备"),
            unit: t(lang, "小时"),
            fields: vec![field("silence_hours")],
        },
    ]
}

/// Full-width digits and points (typed with a Chinese input method) as ASCII.
fn ascii_number(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '－' => '-',
            other => other,
        })
        .collect()
}

/// `POST /elders/{id}/thresholds`: the doctor's new thresholds; a blank field keeps its value.
pub async fn set(
    State(state): State<WebState>,
    Path(id): Path<String>,
    CsrfForm { session, form }: CsrfForm,
) -> PageResult {
    let mut changes = Map::new();
    let mut typed = HashMap::new();
    for field in THRESHOLD_FIELDS {
        let text = form.text(field);
        typed.insert(field.to_string(), text.clone());
        let text = ascii_number(&text);
        if text.is_empty() {
            continue;
        }
        let value = match text.parse::<f64>() {
            Ok(n) if n.is_finite() => serde_json::Number::from_f64(n)
                .map(Value::Number)
                .unwrap_or(Value::String(text)),
            _ => Value::String(text),
        };
        changes.insert(field.to_string(), value);
    }
    match state
        .app
        .set_elder_thresholds(&session.actor, &id, &changes)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/elders/{id}#thresholds"))),
        Err(error @ AppError::Invalid(_)) => {
            crate::elders::pages::detail_page_with(
                &state,
                &session,
                &id,
                Default::default(),
                Some(ThresholdInput {
                    values: typed,
                    error,
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(session.refuse(&e)),
    }
}
