//! Per-elder alert thresholds: the defaults of the guidelines (`monitoring::Thresholds`),
//! changed by the elder's doctor, each change audited with its old and new values.

use crate::audit_log::Audit;
use crate::auth::Actor;
use crate::{App, AppError, Result};
use access::{Action, AuditAction};
use monitoring::rule::THRESHOLD_FIELDS;
use monitoring::Thresholds;
use registry::{FieldError, Problem};
use serde_json::{Map, Value};

/// Every threshold by name, whole numbers as integers: the stored form and what the API shows.
pub fn thresholds_map(t: &Thresholds) -> Map<String, Value> {
    t.fields()
        .into_iter()
        .map(|(name, v)| {
            let value = if v.fract() == 0.0 {
                Value::from(v as i64)
            } else {
                Value::from(v)
            };
            (name.to_string(), value)
        })
        .collect()
}

/// Stored form: every threshold by name.
pub fn thresholds_to_json(t: &Thresholds) -> String {
    Value::Object(thresholds_map(t)).to_string()
}

/// Reads the stored form; a field missing or unreadable keeps its default.
pub fn thresholds_from_json(text: &str) -> Thresholds {
    let mut t = Thresholds::default();
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        for (k, v) in map {
            if let Some(n) = v.as_f64() {
                let _ = t.set(&k, n);
            }
        }
    }
    if t.check().is_empty() {
        t
    } else {
        Thresholds::default()
    }
}

/// An elder's thresholds and who set them.
#[derive(Debug, Clone)]
pub struct ThresholdsView {
    pub values: Thresholds,
    pub set_by: Option<String>,
    pub set_at: Option<String>,
}

/// Applies `changes` (threshold name → number) to `current`; every problem names its field.
pub fn apply_changes(current: &Thresholds, changes: &Map<String, Value>) -> Result<Thresholds> {
    let mut t = current.clone();
    let mut errors = Vec::new();
    let invalid = |field: &str, zh: &str, en: &str| {
        let (zh, en) = (zh.into(), en.into());
        FieldError::new(field, Problem::Invalid { zh, en })
    };
    for (field, value) in changes {
        if !THRESHOLD_FIELDS.contains(&field.as_str()) {
            errors.push(invalid(
                field,
                "不是可设置的阈值",
                "is not a threshold that can be set",
            ));
            continue;
        }
        let Some(n) = value.as_f64() else {
            // `Problem::NotANumber` says "a whole number"; glucose and temperature are not.
            errors.push(invalid(field, "须为数字", "must be a number"));
            continue;
        };
        if let Err(why) = t.set(field, n) {
            errors.push(FieldError::new(
                field,
                Problem::Invalid {
                    zh: if why.contains("whole") {
                        "须为整数".into()
                    } else {
                        "须为数字".into()
                    },
                    en: why.into(),
                },
            ));
        }
    }
    if errors.is_empty() {
        for (field, why) in t.check() {
            errors.push(FieldError::new(
                field,
                Problem::Invalid {
                    zh: threshold_problem_zh(&why),
                    en: why,
                },
            ));
        }
    }
    if errors.is_empty() {
        Ok(t)
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn threshold_problem_zh(why: &str) -> String {
    if let Some(rest) = why.strip_prefix("must be between ") {
        let parts: Vec<&str> = rest.split(" and ").collect();
        if parts.len() == 2 {
            return format!("须在 {} 到 {} 之间", parts[0], parts[1]);
        }
    }
    let label = |field: &str| match monitoring::rule::threshold_label(field, registry::Lang::Zh) {
        "" => field.to_string(),
        label => format!("“{label}”"),
    };
    if let Some(other) = why.strip_prefix("must not be below ") {
        return format!("不能低于{}", label(other));
    }
    if let Some(other) = why.strip_prefix("must be below ") {
        return format!("须低于{}", label(other));
    }
    why.to_string()
}

impl App {
    pub async fn elder_thresholds(&self, actor: &Actor, elder_id: &str) -> Result<ThresholdsView> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let (mut conn, _) = self
            .elder_to_read(&authorized, actor, elder_id, "thresholds_read")
            .await?;
        let row = store::monitoring::thresholds_of(&mut conn, &authorized, elder_id).await?;
        Audit::new(actor, AuditAction::ThresholdsRead)
            .elder(elder_id)
            .append(&mut conn)
            .await?;
        Ok(match row {
            Some(r) => ThresholdsView {
                values: thresholds_from_json(&r.thresholds),
                set_by: Some(r.set_by),
                set_at: Some(r.set_at),
            },
            None => ThresholdsView {
                values: Thresholds::default(),
                set_by: None,
                set_at: None,
            },
        })
    }

    /// The doctor changes some thresholds of an elder; the audit row lists each change.
    pub async fn set_elder_thresholds(
        &self,
        actor: &Actor,
        elder_id: &str,
        changes: &Map<String, Value>,
    ) -> Result<ThresholdsView> {
        let authorized = actor.writes_for(self, Action::SetThresholds).await?;
        let now = self.now();
        let tx = self.store.begin().await?;
        let (mut tx, _) = self
            .elder_in_scope(tx, &authorized, actor, elder_id, "thresholds_set")
            .await?;
        let current = store::monitoring::thresholds_of(&mut tx, &authorized, elder_id)
            .await?
            .map(|r| thresholds_from_json(&r.thresholds))
            .unwrap_or_default();
        let new = apply_changes(&current, changes)?;
        let changed: Vec<String> = current
            .fields()
            .into_iter()
            .zip(new.fields())
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, b)| format!("{} {} → {}", a.0, a.1, b.1))
            .collect();
        let by = format!("{} ({})", actor.display_name, actor.username);
        store::monitoring::set_thresholds(
            &mut tx,
            &authorized,
            elder_id,
            &thresholds_to_json(&new),
            &by,
            now,
        )
        .await?;
        Audit::new(actor, AuditAction::ThresholdsSet)
            .elder(elder_id)
            .detail(if changed.is_empty() {
                "no change".to_string()
            } else {
                changed.join("; ")
            })
            .commit(tx)
            .await?;
        self.forget_elder(elder_id);
        Ok(ThresholdsView {
            values: new,
            set_by: Some(by),
            set_at: Some(store::time_text(now)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn stored_thresholds_round_trip() {
        let mut t = Thresholds::default();
        t.set("glucose_low", 4.4).unwrap();
        t.set("bp_alert_systolic", 150.0).unwrap();
        assert_eq!(thresholds_from_json(&thresholds_to_json(&t)), t);
        assert_eq!(thresholds_from_json("garbage"), Thresholds::default());
    }

    #[test]
    fn changes_are_checked_field_by_field() {
        let t = Thresholds::default();
        let ok = apply_changes(&t, &changes(r#"{"spo2_low": 92, "glucose_high": 15}"#)).unwrap();
        assert_eq!((ok.spo2_low, ok.glucose_high), (92, 15.0));
        let Err(AppError::Invalid(errors)) = apply_changes(
            &t,
            &changes(r#"{"spo2_low": "low", "mood": 1, "heart_rate_low": 40.5}"#),
        ) else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["heart_rate_low", "mood", "spo2_low"]);
        let Err(AppError::Invalid(errors)) =
            apply_changes(&t, &changes(r#"{"bp_crisis_systolic": 150}"#))
        else {
            panic!("expected a range error");
        };
        assert_eq!(errors[0].field, "bp_crisis_systolic");
    }
}
