//! The demo county's home devices: blood-pressure monitors, glucometers and smartwatches bound
//! to elders of the demo doctor's health centre, with 30 days of synthetic readings sent
//! through the real ingest pipeline, so the elder pages have charts and the alert board opens
//! with a few live alerts (a hypertensive crisis, a hypoglycaemia, a fall). Synthetic only.

use app::monitoring::ingest::Source;
use app::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Elders of the demo doctor's organization who get devices.
pub const DEMO_MONITORED: usize = 40;
const DAYS: i64 = 30;

/// `(device id, kind, elder id)` of the demo devices for `elders`.
pub fn plan_devices(elders: &[String]) -> Vec<(String, &'static str, String)> {
    let mut devices = Vec::new();
    for (i, elder) in elders.iter().enumerate() {
        devices.push((
            format!("DEMO-BP-{:04}", i + 1),
            "blood_pressure_monitor",
            elder.clone(),
        ));
        if i % 3 == 0 {
            devices.push((format!("DEMO-GL-{:04}", i + 1), "glucometer", elder.clone()));
        }
        if i % 4 == 1 {
            devices.push((format!("DEMO-W-{:04}", i + 1), "smartwatch", elder.clone()));
        }
    }
    devices
}

/// 30 days of readings of one device up to `now`, with the abnormal events `index` calls for:
/// the first monitor ends with a crisis, the first glucometer with a hypoglycaemia, the
/// first watch with a fall. Everything else stays within the usual ranges.
pub fn history(kind: &str, index: usize, now: DateTime<Utc>, rng: &mut ChaCha8Rng) -> Vec<Value> {
    let mut readings = Vec::new();
    let mut seq = 0u64;
    let mut push = |at: DateTime<Utc>, mut reading: Value| {
        seq += 1;
        reading["seq"] = seq.into();
        reading["ts"] = at.to_rfc3339().into();
        readings.push(reading);
    };
    let start = now - Duration::days(DAYS);
    match kind {
        "blood_pressure_monitor" => {
            let baseline: f64 = rng.random_range(118.0..150.0);
            for day in 0..DAYS {
                for hour in [7, 19] {
                    let at = start + Duration::days(day) + Duration::hours(hour - 8);
                    let systolic = (baseline + rng.random_range(-9.0..9.0)).round() as i64;
                    let diastolic =
                        (systolic as f64 * 0.62 + rng.random_range(-5.0..5.0)).round() as i64;
                    let pulse = rng.random_range(60..88);
                    push(
                        at,
                        json!({"kind": "blood_pressure", "systolic": systolic, "diastolic": diastolic, "pulse": pulse}),
                    );
                }
            }
            if index == 0 {
                push(
                    now - Duration::minutes(20),
                    json!({"kind": "blood_pressure", "systolic": 186, "diastolic": 112, "pulse": 96}),
                );
            }
        }
        "glucometer" => {
            let baseline: f64 = rng.random_range(5.4..7.6);
            for day in 0..DAYS {
                let at = start + Duration::days(day) - Duration::hours(1);
                let value = ((baseline + rng.random_range(-0.8..0.8)) * 10.0).round() / 10.0;
                push(
                    at,
                    json!({"kind": "glucose", "mmol_l": value, "context": "fasting"}),
                );
            }
            if index == 0 {
                push(
                    now - Duration::minutes(45),
                    json!({"kind": "glucose", "mmol_l": 3.4, "context": "random"}),
                );
            }
        }
        _ => {
            for day in 0..DAYS {
                for hour in [9, 13, 17, 21] {
                    let at = start + Duration::days(day) + Duration::hours(hour - 8);
                    push(
                        at,
                        json!({"kind": "heart_rate", "bpm": rng.random_range(62..92)}),
                    );
                    push(
                        at + Duration::minutes(1),
                        json!({"kind": "spo2", "percent": rng.random_range(94..99)}),
                    );
                }
                push(
                    start + Duration::days(day) + Duration::hours(13),
                    json!({"kind": "steps", "count": rng.random_range(1500..7000)}),
                );
            }
            if index == 0 {
                push(now - Duration::minutes(8), json!({"kind": "fall"}));
            }
        }
    }
    readings
}

/// Binds the demo devices and sends their history through the pipeline. Only on a demo
/// database.
pub async fn seed(app: &App, store: &store::Store, seed: u64, now: DateTime<Utc>) -> Result<usize> {
    let authorized = app.demo_authorized().await?;
    let mut conn = store.acquire().await?;
    let doctor = store::users::by_username(&mut conn, "doctor")
        .await?
        .ok_or_else(|| AppError::Internal("demo user doctor missing".into()))?;
    let Some(org) = doctor.org_id.clone() else {
        return Ok(0);
    };
    let filter = store::elders::ElderFilter {
        status: Some("alive".into()),
        limit: DEMO_MONITORED as i64,
        org_id: Some(org.clone()),
        ..Default::default()
    };
    let (elders, _) = store::elders::list(&mut conn, &authorized, &filter).await?;
    drop(conn);
    let elder_ids: Vec<String> = elders.into_iter().map(|e| e.id).collect();
    let devices = plan_devices(&elder_ids);
    let mut tx = store.begin().await?;
    for (id, kind, elder) in &devices {
        let credential = app::monitoring::devices::new_credential();
        store::monitoring::insert_device(
            &mut tx,
            &authorized,
            &store::monitoring::NewDevice {
                id,
                kind,
                elder_id: elder,
                organization_id: Some(&org),
                credential_hash: &app::monitoring::devices::credential_hash(&credential),
            },
            now - Duration::days(DAYS + 1),
        )
        .await?;
    }
    app::audit_log::commit(
        tx,
        store::audit::AuditEntry {
            username: Some("demo".into()),
            action: access::AuditAction::DeviceRegister.code().into(),
            outcome: "ok".into(),
            detail: Some(format!("demo generator: {} devices", devices.len())),
            ..Default::default()
        },
    )
    .await?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(91);
    let mut index_of_kind = std::collections::HashMap::new();
    let mut stored = 0;
    for (id, kind, _) in &devices {
        let index = index_of_kind.entry(*kind).or_insert(0usize);
        let payload = Value::Array(history(kind, *index, now, &mut rng));
        *index += 1;
        let report = app
            .ingest()
            .submit_and_wait(
                Source::Http {
                    device_id: id.clone(),
                },
                payload.to_string().into_bytes(),
                now,
            )
            .await
            .map_err(|e| AppError::Internal(format!("demo readings: {e}")))?;
        stored += report.accepted;
    }
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_reading_is_one_the_protocol_accepts() {
        let now = Utc::now();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for kind in ["blood_pressure_monitor", "glucometer", "smartwatch"] {
            for index in 0..3 {
                let payload = Value::Array(history(kind, index, now, &mut rng));
                let parsed =
                    monitoring::parse_payload(payload.to_string().as_bytes(), now).unwrap();
                assert!(parsed.len() >= DAYS as usize);
                let device = monitoring::DeviceKind::parse(kind).unwrap();
                for reading in parsed {
                    let reading = reading.unwrap();
                    assert!(device.may_send(reading.values.kind()));
                }
            }
        }
        let devices = plan_devices(&["a".into(), "b".into(), "c".into(), "d".into()]);
        assert_eq!(devices.len(), 4 + 2 + 1);
    }
}
