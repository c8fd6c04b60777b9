//! Device readings as they arrive over MQTT or HTTP (`docs/device-protocol.md`): one JSON object
//! or an array of them, each with `seq` (the device's counter), `ts` (RFC 3339), `kind` and the
//! kind's values. Every reading is checked on its own: a physiologically impossible value or a
//! time far from now is refused with its reason, never stored and never alerted on.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

/// The values of one reading, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    BloodPressure {
        systolic: i64,
        diastolic: i64,
        pulse: Option<i64>,
    },
    Glucose {
        mmol_l: f64,
        context: GlucoseContext,
    },
    HeartRate {
        bpm: i64,
    },
    Spo2 {
        percent: i64,
    },
    Temperature {
        celsius: f64,
    },
    Steps {
        count: i64,
    },
    Fall,
    Sos,
    BedExit,
    /// A full vital-sign set measured together (a vital-signs monitor or a home-visit kit).
    Vitals(VitalSigns),
}

/// A full vital-sign set: what NEWS2 needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VitalSigns {
    pub respiration_rate: i64,
    pub spo2: i64,
    pub on_oxygen: bool,
    pub systolic: i64,
    pub pulse: i64,
    pub consciousness: Consciousness,
    pub temperature: f64,
}

/// ACVPU, as NEWS2 scores it (`alert` 0, any other 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consciousness {
    Alert,
    NewConfusion,
    Voice,
    Pain,
    Unresponsive,
}

impl Consciousness {
    pub fn code(self) -> &'static str {
        match self {
            Consciousness::Alert => "alert",
            Consciousness::NewConfusion => "new_confusion",
            Consciousness::Voice => "voice",
            Consciousness::Pain => "pain",
            Consciousness::Unresponsive => "unresponsive",
        }
    }

    /// The stored code exactly (`parse` also takes a device's abbreviations).
    pub fn from_code(code: &str) -> Option<Consciousness> {
        [
            Consciousness::Alert,
            Consciousness::NewConfusion,
            Consciousness::Voice,
            Consciousness::Pain,
            Consciousness::Unresponsive,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }

    pub fn parse(text: &str) -> Option<Consciousness> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "alert" | "a" => Consciousness::Alert,
            "new_confusion" | "confusion" | "c" => Consciousness::NewConfusion,
            "voice" | "v" => Consciousness::Voice,
            "pain" | "p" => Consciousness::Pain,
            "unresponsive" | "u" => Consciousness::Unresponsive,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlucoseContext {
    Fasting,
    Postprandial,
    Random,
}

impl GlucoseContext {
    pub fn label_zh(self) -> &'static str {
        match self {
            GlucoseContext::Fasting => "空腹",
            GlucoseContext::Postprandial => "餐后",
            GlucoseContext::Random => "随机",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            GlucoseContext::Fasting => "fasting",
            GlucoseContext::Postprandial => "postprandial",
            GlucoseContext::Random => "random",
        }
    }

    pub fn from_code(code: &str) -> Option<GlucoseContext> {
        [
            GlucoseContext::Fasting,
            GlucoseContext::Postprandial,
            GlucoseContext::Random,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

registry::code_enum!(
    /// The `kind` of a reading in the protocol, and of a stored reading.
    ReadingKind {
        BloodPressure = "blood_pressure", "血压", "blood pressure";
        Glucose = "glucose", "血糖", "glucose";
        HeartRate = "heart_rate", "心率", "heart rate";
        Spo2 = "spo2", "血氧饱和度", "SpO2";
        Temperature = "temperature", "体温", "temperature";
        Steps = "steps", "步数", "steps";
        Fall = "fall", "跌倒", "fall";
        Sos = "sos", "紧急呼叫", "SOS";
        BedExit = "bed_exit", "离床", "bed exit";
        Vitals = "vitals", "体征组", "vital signs";
    }
);

impl ReadingKind {
    /// A call for help in itself, whatever its values: a fall or an SOS. Such a reading raises
    /// its alert even when it arrives under a seq used before (`docs/device-protocol.md`).
    pub fn is_emergency(self) -> bool {
        matches!(self, ReadingKind::Fall | ReadingKind::Sos)
    }
}

impl Values {
    pub fn reading_kind(&self) -> ReadingKind {
        match self {
            Values::BloodPressure { .. } => ReadingKind::BloodPressure,
            Values::Glucose { .. } => ReadingKind::Glucose,
            Values::HeartRate { .. } => ReadingKind::HeartRate,
            Values::Spo2 { .. } => ReadingKind::Spo2,
            Values::Temperature { .. } => ReadingKind::Temperature,
            Values::Steps { .. } => ReadingKind::Steps,
            Values::Fall => ReadingKind::Fall,
            Values::Sos => ReadingKind::Sos,
            Values::BedExit => ReadingKind::BedExit,
            Values::Vitals(_) => ReadingKind::Vitals,
        }
    }

    /// The `kind` of the protocol.
    pub fn kind(&self) -> &'static str {
        self.reading_kind().code()
    }

    /// Systolic pressure (mmHg): of a blood-pressure reading or a vital-sign set.
    pub fn systolic(&self) -> Option<i64> {
        match *self {
            Values::BloodPressure { systolic, .. } => Some(systolic),
            Values::Vitals(v) => Some(v.systolic),
            _ => None,
        }
    }

    /// Diastolic pressure (mmHg): only a blood-pressure reading has one.
    pub fn diastolic(&self) -> Option<i64> {
        match *self {
            Values::BloodPressure { diastolic, .. } => Some(diastolic),
            _ => None,
        }
    }

    /// Beats per minute: a heart rate, the pulse a blood-pressure monitor measures with the
    /// pressure, or the pulse of a vital-sign set.
    pub fn heart_rate(&self) -> Option<i64> {
        match *self {
            Values::HeartRate { bpm } => Some(bpm),
            Values::BloodPressure { pulse, .. } => pulse,
            Values::Vitals(v) => Some(v.pulse),
            _ => None,
        }
    }

    /// Blood glucose (mmol/L).
    pub fn glucose(&self) -> Option<f64> {
        match *self {
            Values::Glucose { mmol_l, .. } => Some(mmol_l),
            _ => None,
        }
    }

    /// Body temperature (°C): of a thermometer reading or a vital-sign set.
    pub fn celsius(&self) -> Option<f64> {
        match *self {
            Values::Temperature { celsius } => Some(celsius),
            Values::Vitals(v) => Some(v.temperature),
            _ => None,
        }
    }

    /// SpO2 (%): of an oximeter reading or a vital-sign set.
    pub fn spo2(&self) -> Option<i64> {
        match *self {
            Values::Spo2 { percent } => Some(percent),
            Values::Vitals(v) => Some(v.spo2),
            _ => None,
        }
    }
}

/// All reading kinds' codes.
pub const KINDS: &[&str] = ReadingKind::CODES;

/// The columns a reading is stored in (the `readings` table): up to three numbers, a context
/// code and a JSON detail, whose meaning depends on the kind. [`Values::to_columns`] and
/// [`Values::from_columns`] are the one place that meaning is written down.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Columns {
    pub value1: Option<f64>,
    pub value2: Option<f64>,
    pub value3: Option<f64>,
    pub context: Option<String>,
    pub detail: Option<String>,
}

/// Stored columns that do not hold a reading of their kind: corrupt data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored {kind} reading: {why}")]
pub struct ColumnsError {
    pub kind: &'static str,
    pub why: String,
}

impl Values {
    /// The stored columns of these values. Blood pressure: systolic, diastolic, pulse; glucose:
    /// mmol/L and its context; heart rate, SpO2, temperature, steps: the one value; a
    /// vital-sign set: systolic, SpO2, pulse (for charts and the trend rule), the severity
    /// NEWS2 gave it as context and the whole set as JSON detail.
    pub fn to_columns(&self) -> Columns {
        let one = |v: f64| Columns {
            value1: Some(v),
            ..Columns::default()
        };
        match self {
            Values::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => Columns {
                value1: Some(*systolic as f64),
                value2: Some(*diastolic as f64),
                value3: pulse.map(|p| p as f64),
                ..Columns::default()
            },
            Values::Glucose { mmol_l, context } => Columns {
                value1: Some(*mmol_l),
                context: Some(context.code().to_string()),
                ..Columns::default()
            },
            Values::HeartRate { bpm } => one(*bpm as f64),
            Values::Spo2 { percent } => one(*percent as f64),
            Values::Temperature { celsius } => one(*celsius),
            Values::Steps { count } => one(*count as f64),
            Values::Fall | Values::Sos | Values::BedExit => Columns::default(),
            Values::Vitals(v) => Columns {
                value1: Some(v.systolic as f64),
                value2: Some(v.spo2 as f64),
                value3: Some(v.pulse as f64),
                context: crate::rule::news2(self).map(|f| f.severity.code().to_string()),
                detail: Some(Value::Object(self.fields()).to_string()),
            },
        }
    }

    /// The values under the protocol's names for their kind (`pulse` null when a
    /// blood-pressure monitor did not measure it; nothing for an event).
    pub fn fields(&self) -> Map<String, Value> {
        let json = match *self {
            Values::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => serde_json::json!({"systolic": systolic, "diastolic": diastolic, "pulse": pulse}),
            Values::Glucose { mmol_l, context } => {
                serde_json::json!({"mmol_l": mmol_l, "context": context.code()})
            }
            Values::HeartRate { bpm } => serde_json::json!({ "bpm": bpm }),
            Values::Spo2 { percent } => serde_json::json!({ "percent": percent }),
            Values::Temperature { celsius } => serde_json::json!({ "celsius": celsius }),
            Values::Steps { count } => serde_json::json!({ "count": count }),
            Values::Fall | Values::Sos | Values::BedExit => serde_json::json!({}),
            Values::Vitals(v) => serde_json::json!({
                "respiration_rate": v.respiration_rate,
                "spo2": v.spo2,
                "on_oxygen": v.on_oxygen,
                "systolic": v.systolic,
                "pulse": v.pulse,
                "consciousness": v.consciousness.code(),
                "temperature": v.temperature,
            }),
        };
        match json {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// The values a stored reading of `kind` holds; a missing or malformed column is an error,
    /// never a zero.
    pub fn from_columns(kind: ReadingKind, columns: &Columns) -> Result<Values, ColumnsError> {
        let error = |why: String| ColumnsError {
            kind: kind.code(),
            why,
        };
        let number = |v: Option<f64>, name: &str| v.ok_or_else(|| error(format!("no {name}")));
        let whole = |v: Option<f64>, name: &str| number(v, name).map(|x| x.round() as i64);
        Ok(match kind {
            ReadingKind::BloodPressure => Values::BloodPressure {
                systolic: whole(columns.value1, "systolic")?,
                diastolic: whole(columns.value2, "diastolic")?,
                pulse: columns.value3.map(|x| x.round() as i64),
            },
            ReadingKind::Glucose => Values::Glucose {
                mmol_l: number(columns.value1, "mmol_l")?,
                context: match columns.context.as_deref() {
                    Some(code) => GlucoseContext::from_code(code)
                        .ok_or_else(|| error(format!("glucose context {code:?}")))?,
                    None => return Err(error("no glucose context".into())),
                },
            },
            ReadingKind::HeartRate => Values::HeartRate {
                bpm: whole(columns.value1, "bpm")?,
            },
            ReadingKind::Spo2 => Values::Spo2 {
                percent: whole(columns.value1, "percent")?,
            },
            ReadingKind::Temperature => Values::Temperature {
                celsius: number(columns.value1, "celsius")?,
            },
            ReadingKind::Steps => Values::Steps {
                count: whole(columns.value1, "count")?,
            },
            ReadingKind::Fall => Values::Fall,
            ReadingKind::Sos => Values::Sos,
            ReadingKind::BedExit => Values::BedExit,
            ReadingKind::Vitals => {
                let detail: Map<String, Value> = columns
                    .detail
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .ok_or_else(|| error("the detail is not a JSON object".into()))?;
                let int = |name: &str| {
                    detail
                        .get(name)
                        .and_then(Value::as_i64)
                        .ok_or_else(|| error(format!("no whole {name} in the detail")))
                };
                Values::Vitals(VitalSigns {
                    respiration_rate: int("respiration_rate")?,
                    spo2: int("spo2")?,
                    on_oxygen: detail
                        .get("on_oxygen")
                        .and_then(Value::as_bool)
                        .ok_or_else(|| error("no on_oxygen in the detail".into()))?,
                    systolic: int("systolic")?,
                    pulse: int("pulse")?,
                    consciousness: detail
                        .get("consciousness")
                        .and_then(Value::as_str)
                        .and_then(Consciousness::from_code)
                        .ok_or_else(|| error("no consciousness in the detail".into()))?,
                    temperature: detail
                        .get("temperature")
                        .and_then(Value::as_f64)
                        .ok_or_else(|| error("no temperature in the detail".into()))?,
                })
            }
        })
    }
}

/// A checked reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub values: Values,
}

/// Why a reading (or the whole payload) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadingError {
    #[error("payload is not JSON: {0}")]
    NotJson(String),
    #[error("payload must be a JSON object or an array of objects")]
    NotAnObject,
    #[error("payload holds more than {max} readings")]
    TooMany { max: usize },
    #[error("{field}: is required")]
    Missing { field: &'static str },
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("{field}: {value} is outside the possible range {min}..={max}")]
    Impossible {
        field: &'static str,
        value: String,
        min: String,
        max: String,
    },
    #[error("ts: {0}")]
    Time(String),
}

impl ReadingError {
    /// A short stable code for counting refusals (`/metrics`, the device's last refusal).
    pub fn reason(&self) -> &'static str {
        match self {
            ReadingError::NotJson(_) => "not_json",
            ReadingError::NotAnObject => "not_an_object",
            ReadingError::TooMany { .. } => "too_many",
            ReadingError::Missing { .. } => "missing_field",
            ReadingError::Invalid { .. } => "invalid_field",
            ReadingError::Impossible { .. } => "impossible_value",
            ReadingError::Time(_) => "bad_time",
        }
    }

    /// The field the refusal is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ReadingError::Missing { field }
            | ReadingError::Invalid { field, .. }
            | ReadingError::Impossible { field, .. } => Some(field),
            ReadingError::Time(_) => Some("ts"),
            _ => None,
        }
    }
}

/// At most this many readings in one payload (a device's offline backlog fits easily).
pub const MAX_BATCH: usize = 5_000;
/// A reading may be stamped at most this far ahead of the server's clock (device clock drift).
pub fn max_ahead() -> Duration {
    Duration::minutes(5)
}
/// ...and at most this far back (a device that was offline for weeks uploads its backlog).
pub fn max_behind() -> Duration {
    Duration::days(90)
}

/// Parses a payload into readings, each checked on its own: `(index, result)` in order.
/// Refuses the whole payload only when it is not JSON, not an object or array, or too large.
pub fn parse_payload(
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Reading, ReadingError>>, ReadingError> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| ReadingError::NotJson(e.to_string()))?;
    let items = match value {
        Value::Object(map) => vec![Value::Object(map)],
        Value::Array(items) => items,
        _ => return Err(ReadingError::NotAnObject),
    };
    if items.len() > MAX_BATCH {
        return Err(ReadingError::TooMany { max: MAX_BATCH });
    }
    Ok(items
        .iter()
        .map(|item| match item {
            Value::Object(map) => parse_reading(map, now),
            _ => Err(ReadingError::NotAnObject),
        })
        .collect())
}

fn parse_reading(map: &Map<String, Value>, now: DateTime<Utc>) -> Result<Reading, ReadingError> {
    let seq = match map.get("seq") {
        None | Some(Value::Null) => return Err(ReadingError::Missing { field: "seq" }),
        Some(v) => {
            v.as_u64()
                .filter(|n| i64::try_from(*n).is_ok())
                .ok_or(ReadingError::Invalid {
                    field: "seq",
                    why: "must be a whole number from 0 to 9223372036854775807".into(),
                })?
        }
    };
    let ts = match map.get("ts") {
        None | Some(Value::Null) => return Err(ReadingError::Missing { field: "ts" }),
        Some(Value::String(text)) => DateTime::parse_from_rfc3339(text.trim())
            .map_err(|_| ReadingError::Time("must be an RFC 3339 time with offset".into()))?
            .with_timezone(&Utc),
        Some(_) => return Err(ReadingError::Time("must be text".into())),
    };
    if ts > now + max_ahead() {
        return Err(ReadingError::Time(format!(
            "{} is in the future (more than 5 minutes ahead)",
            ts.to_rfc3339()
        )));
    }
    if ts < now - max_behind() {
        return Err(ReadingError::Time(format!(
            "{} is more than 90 days old",
            ts.to_rfc3339()
        )));
    }
    let kind = match map.get("kind") {
        Some(Value::String(kind)) => kind.as_str(),
        None | Some(Value::Null) => return Err(ReadingError::Missing { field: "kind" }),
        Some(_) => {
            return Err(ReadingError::Invalid {
                field: "kind",
                why: "must be text".into(),
            })
        }
    };
    let values = match kind {
        "blood_pressure" => {
            let systolic = int(map, "systolic", 40, 300)?;
            let diastolic = int(map, "diastolic", 20, 200)?;
            if diastolic >= systolic {
                return Err(ReadingError::Invalid {
                    field: "diastolic",
                    why: "must be lower than systolic".into(),
                });
            }
            let pulse = match map.get("pulse") {
                None | Some(Value::Null) => None,
                Some(_) => Some(int(map, "pulse", 20, 300)?),
            };
            Values::BloodPressure {
                systolic,
                diastolic,
                pulse,
            }
        }
        "glucose" => {
            let mmol_l = number(map, "mmol_l", 0.5, 40.0)?;
            let context = match map.get("context") {
                None | Some(Value::Null) => GlucoseContext::Random,
                Some(Value::String(c)) => match c.as_str() {
                    "fasting" => GlucoseContext::Fasting,
                    "postprandial" | "postprandial_2h" => GlucoseContext::Postprandial,
                    "random" => GlucoseContext::Random,
                    _ => {
                        return Err(ReadingError::Invalid {
                            field: "context",
                            why: "must be fasting, postprandial or random".into(),
                        })
                    }
                },
                Some(_) => {
                    return Err(ReadingError::Invalid {
                        field: "context",
                        why: "must be text".into(),
                    })
                }
            };
            Values::Glucose { mmol_l, context }
        }
        "heart_rate" => Values::HeartRate {
            bpm: int(map, "bpm", 20, 300)?,
        },
        "spo2" => Values::Spo2 {
            percent: int(map, "percent", 50, 100)?,
        },
        "temperature" => Values::Temperature {
            celsius: number(map, "celsius", 25.0, 45.0)?,
        },
        "steps" => Values::Steps {
            count: int(map, "count", 0, 200_000)?,
        },
        "fall" => Values::Fall,
        "sos" => Values::Sos,
        "bed_exit" => Values::BedExit,
        "vitals" => {
            let systolic = int(map, "systolic", 40, 300)?;
            let on_oxygen = match map.get("on_oxygen") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(ReadingError::Invalid {
                        field: "on_oxygen",
                        why: "must be true or false".into(),
                    })
                }
            };
            let consciousness = match present(map, "consciousness")? {
                Value::String(text) => {
                    Consciousness::parse(text).ok_or_else(|| ReadingError::Invalid {
                        field: "consciousness",
                        why: "must be alert, new_confusion, voice, pain or unresponsive".into(),
                    })?
                }
                _ => {
                    return Err(ReadingError::Invalid {
                        field: "consciousness",
                        why: "must be text".into(),
                    })
                }
            };
            Values::Vitals(VitalSigns {
                respiration_rate: int(map, "respiration_rate", 3, 70)?,
                spo2: int(map, "spo2", 50, 100)?,
                on_oxygen,
                systolic,
                pulse: int(map, "pulse", 20, 300)?,
                consciousness,
                temperature: number(map, "temperature", 25.0, 45.0)?,
            })
        }
        _ => {
            return Err(ReadingError::Invalid {
                field: "kind",
                why: format!("must be one of {}", KINDS.join(", ")),
            })
        }
    };
    Ok(Reading { seq, ts, values })
}

fn int(
    map: &Map<String, Value>,
    field: &'static str,
    min: i64,
    max: i64,
) -> Result<i64, ReadingError> {
    let value = present(map, field)?;
    let n = value
        .as_i64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        })
        .ok_or(ReadingError::Invalid {
            field,
            why: "must be a whole number".into(),
        })?;
    within(field, n, min, max)
}

fn number(
    map: &Map<String, Value>,
    field: &'static str,
    min: f64,
    max: f64,
) -> Result<f64, ReadingError> {
    let value = present(map, field)?;
    let n = value
        .as_f64()
        .filter(|f| f.is_finite())
        .ok_or(ReadingError::Invalid {
            field,
            why: "must be a number".into(),
        })?;
    within(field, n, min, max)
}

/// The field's value; absent and null are missing.
fn present<'a>(
    map: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Value, ReadingError> {
    match map.get(field) {
        None | Some(Value::Null) => Err(ReadingError::Missing { field }),
        Some(v) => Ok(v),
    }
}

/// `n` if it is physiologically possible, else why not.
fn within<T: PartialOrd + ToString>(
    field: &'static str,
    n: T,
    min: T,
    max: T,
) -> Result<T, ReadingError> {
    if min <= n && n <= max {
        Ok(n)
    } else {
        Err(ReadingError::Impossible {
            field,
            value: n.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn one(text: &str) -> Result<Reading, ReadingError> {
        parse_payload(text.as_bytes(), now()).unwrap().remove(0)
    }

    fn every_kind() -> Vec<Values> {
        vec![
            Values::BloodPressure {
                systolic: 182,
                diastolic: 96,
                pulse: Some(88),
            },
            Values::BloodPressure {
                systolic: 120,
                diastolic: 80,
                pulse: None,
            },
            Values::Glucose {
                mmol_l: 7.8,
                context: GlucoseContext::Postprandial,
            },
            Values::HeartRate { bpm: 61 },
            Values::Spo2 { percent: 93 },
            Values::Temperature { celsius: 37.4 },
            Values::Steps { count: 5_210 },
            Values::Fall,
            Values::Sos,
            Values::BedExit,
            Values::Vitals(VitalSigns {
                respiration_rate: 24,
                spo2: 91,
                on_oxygen: true,
                systolic: 98,
                pulse: 118,
                consciousness: Consciousness::NewConfusion,
                temperature: 38.2,
            }),
        ]
    }

    #[test]
    fn stored_columns_decode_back_to_the_values_of_every_kind() {
        let kinds: Vec<ReadingKind> = every_kind().iter().map(Values::reading_kind).collect();
        assert!(ReadingKind::ALL.iter().all(|k| kinds.contains(k)));
        for values in every_kind() {
            let columns = values.to_columns();
            assert_eq!(
                Values::from_columns(values.reading_kind(), &columns),
                Ok(values.clone()),
                "{columns:?}"
            );
        }
    }

    #[test]
    fn a_vital_sign_set_is_stored_with_the_severity_news2_gave_it() {
        let columns = every_kind().pop().unwrap().to_columns();
        assert_eq!(columns.context.as_deref(), Some("critical"));
        assert_eq!(columns.value1, Some(98.0));
    }

    #[test]
    fn stored_columns_that_do_not_hold_their_kind_are_refused() {
        let bp = Columns {
            value1: Some(140.0),
            ..Columns::default()
        };
        let glucose = Columns {
            value1: Some(5.5),
            context: Some("lunch".into()),
            ..Columns::default()
        };
        let vitals = Columns {
            value1: Some(120.0),
            detail: Some("{not json".into()),
            ..Columns::default()
        };
        for (kind, columns) in [
            (ReadingKind::BloodPressure, bp),
            (ReadingKind::Glucose, glucose),
            (ReadingKind::HeartRate, Columns::default()),
            (ReadingKind::Vitals, vitals),
        ] {
            assert!(Values::from_columns(kind, &columns).is_err(), "{kind:?}");
        }
    }

    #[test]
    fn a_blood_pressure_reading_parses_with_its_pulse() {
        let r = one(r#"{"seq":7,"ts":"2026-11-23T15:59:00+08:00","kind":"blood_pressure","systolic":182,"diastolic":96,"pulse":88}"#).unwrap();
        assert_eq!(r.seq, 7);
        assert_eq!(r.ts, now() - Duration::minutes(1));
        assert_eq!(
            r.values,
            Values::BloodPressure {
                systolic: 182,
                diastolic: 96,
                pulse: Some(88)
            }
        );
    }

    #[test]
    fn an_array_is_checked_reading_by_reading() {
        let text = r#"[{"seq":1,"ts":"2026-11-23T07:00:00Z","kind":"spo2","percent":95},
                       {"seq":2,"ts":"2026-11-23T07:01:00Z","kind":"spo2","percent":130},
                       {"seq":3,"ts":"2026-11-23T07:02:00Z","kind":"fall"}]"#;
        let parsed = parse_payload(text.as_bytes(), now()).unwrap();
        assert!(parsed[0].is_ok());
        assert!(matches!(
            parsed[1],
            Err(ReadingError::Impossible {
                field: "percent",
                ..
            })
        ));
        assert_eq!(parsed[2].as_ref().unwrap().values, Values::Fall);
    }

    #[test]
    fn impossible_values_and_times_are_refused_with_a_reason() {
        let base = |extra: &str, ts: &str| one(&format!(r#"{{"seq":1,"ts":"{ts}",{extra}}}"#));
        let ok_ts = "2026-11-23T07:00:00Z";
        for (extra, field) in [
            (
                r#""kind":"blood_pressure","systolic":400,"diastolic":90"#,
                "systolic",
            ),
            (
                r#""kind":"blood_pressure","systolic":120,"diastolic":130"#,
                "diastolic",
            ),
            (r#""kind":"spo2","percent":130"#, "percent"),
            (r#""kind":"heart_rate","bpm":0"#, "bpm"),
            (r#""kind":"glucose","mmol_l":55.5"#, "mmol_l"),
            (
                r#""kind":"glucose","mmol_l":5.5,"context":"lunch"#,
                "context",
            ),
            (r#""kind":"temperature","celsius":"hot""#, "celsius"),
            (r#""kind":"teleport""#, "kind"),
        ] {
            let extra = if extra.ends_with("lunch") {
                format!("{extra}\"")
            } else {
                extra.to_string()
            };
            let error = base(&extra, ok_ts).unwrap_err();
            assert!(error.to_string().starts_with(field), "{extra}: {error}");
        }
        let ahead = base(r#""kind":"sos""#, "2027-11-23T07:00:00Z").unwrap_err();
        assert!(matches!(ahead, ReadingError::Time(_)), "{ahead}");
        assert!(
            base(r#""kind":"sos""#, "2026-11-23T08:04:59Z").is_ok(),
            "clock drift"
        );
        assert!(base(r#""kind":"sos""#, "2026-11-23T08:05:01Z").is_err());
        assert!(matches!(
            one(r#"{"ts":"2026-11-23T07:00:00Z","kind":"sos"}"#),
            Err(ReadingError::Missing { field: "seq" })
        ));
        assert!(matches!(
            one(r#"{"seq":-1,"ts":"2026-11-23T07:00:00Z","kind":"sos"}"#),
            Err(ReadingError::Invalid { field: "seq", .. })
        ));
    }

    #[test]
    fn a_vital_sign_set_parses_whole_or_names_its_field() {
        let r = one(r#"{"seq":3,"ts":"2026-11-23T07:00:00Z","kind":"vitals","respiration_rate":22,"spo2":93,"systolic":105,"pulse":112,"consciousness":"A","temperature":38.4}"#).unwrap();
        assert_eq!(
            r.values,
            Values::Vitals(VitalSigns {
                respiration_rate: 22,
                spo2: 93,
                on_oxygen: false,
                systolic: 105,
                pulse: 112,
                consciousness: Consciousness::Alert,
                temperature: 38.4
            })
        );
        let missing = one(
            r#"{"seq":3,"ts":"2026-11-23T07:00:00Z","kind":"vitals","spo2":93,"systolic":105,"pulse":112,"consciousness":"alert","temperature":38.4}"#,
        );
        assert_eq!(
            missing,
            Err(ReadingError::Missing {
                field: "respiration_rate"
            })
        );
        let confused = one(
            r#"{"seq":3,"ts":"2026-11-23T07:00:00Z","kind":"vitals","respiration_rate":22,"spo2":93,"systolic":105,"pulse":112,"consciousness":"sleepy","temperature":38.4}"#,
        );
        assert!(matches!(
            confused,
            Err(ReadingError::Invalid {
                field: "consciousness",
                ..
            })
        ));
    }

    #[test]
    fn payloads_that_are_not_readings_are_refused_whole() {
        assert!(matches!(
            parse_payload(b"not json", now()),
            Err(ReadingError::NotJson(_))
        ));
        assert!(matches!(
            parse_payload(b"42", now()),
            Err(ReadingError::NotAnObject)
        ));
        let many = format!("[{}]", vec![r#"{"kind":"sos"}"#; MAX_BATCH + 1].join(","));
        assert!(matches!(
            parse_payload(many.as_bytes(), now()),
            Err(ReadingError::TooMany { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn garbage_payloads_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_payload(&bytes, now());
        }

        #[test]
        fn readings_with_random_fields_never_panic(
            kind in proptest::sample::select(KINDS.to_vec()),
            seq in proptest::num::i64::ANY,
            value in proptest::num::f64::ANY,
            field in proptest::sample::select(vec!["systolic", "diastolic", "pulse", "mmol_l", "bpm", "percent", "celsius", "count", "context", "respiration_rate", "spo2", "temperature", "consciousness", "on_oxygen"]),
        ) {
            let text = format!(
                r#"{{"seq":{seq},"ts":"2026-11-23T07:00:00Z","kind":"{kind}","{field}":{}}}"#,
                if value.is_finite() { value.to_string() } else { "null".into() }
            );
            let _ = parse_payload(text.as_bytes(), now());
        }
    }
}
