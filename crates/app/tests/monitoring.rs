//! Remote monitoring through the use cases, on every backend: devices and their credentials,
//! the ingest pipeline (idempotent on device and seq, refusals counted, never attached to the
//! wrong elder), alerts that update instead of repeating, acknowledgement, escalation on
//! schedule with outbox rows and a 120 dispatch record, thresholds a doctor sets, and the
//! periodic rules (silence of an elder living alone, a week of rising pressure).

use app::monitoring::ingest::Source;
use app::monitoring::{IngestReport, MonitoringSettings};
use app::{App, AppError, Page};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use testkit::{actor, Fixture};

async fn ingest(app: &App, device: &str, payload: serde_json::Value) -> IngestReport {
    app.ingest()
        .submit_and_wait(
            Source::Http {
                device_id: device.into(),
            },
            payload.to_string().into_bytes(),
            Utc::now(),
        )
        .await
        .expect("ingest")
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

async fn count(app: &App, sql: &str) -> i64 {
    let mut conn = app.store().acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await.unwrap();
    n
}

async fn audit_actions(app: &App) -> Vec<String> {
    let mut conn = app.store().acquire().await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log ORDER BY at")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

fn settings() -> MonitoringSettings {
    MonitoringSettings {
        escalation: monitoring::Policy {
            team_minutes: 5,
            family_minutes: 15,
            dispatch_minutes: 30,
        },
        ..MonitoringSettings::default()
    }
}

#[tokio::test]
async fn readings_are_stored_once_and_a_crisis_opens_one_alert_that_updates() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await.with_monitoring_settings(settings());
        let fixture = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        let device = app
            .register_device(&doctor, "BP-1", "blood_pressure_monitor", &fixture.elder_a1)
            .await
            .unwrap();
        assert!(device.credential.starts_with("yyd_"));
        let found = app.authenticate_device(&device.credential).await.unwrap();
        assert_eq!(found.id, "BP-1");
        assert!(matches!(
            app.authenticate_device("yyd_wrong").await,
            Err(AppError::Unauthenticated)
        ));

        let now = Utc::now();
        let crisis = json!([
            {"seq": 1, "ts": ts(now - Duration::minutes(2)), "kind": "blood_pressure", "systolic": 128, "diastolic": 80, "pulse": 70},
            {"seq": 2, "ts": ts(now - Duration::minutes(1)), "kind": "blood_pressure", "systolic": 186, "diastolic": 112}
        ]);
        let first = ingest(&app, "BP-1", crisis.clone()).await;
        assert_eq!((first.accepted, first.duplicates), (2, 0), "{backend:?}");
        assert_eq!(first.alerts.len(), 1);
        // The resend stores nothing and raises nothing.
        let again = ingest(&app, "BP-1", crisis).await;
        assert_eq!((again.accepted, again.duplicates), (0, 2));
        assert!(again.alerts.is_empty());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM readings").await, 2);
        // A later crisis reading updates the same alert.
        let later = ingest(
            &app,
            "BP-1",
            json!({"seq": 3, "ts": ts(now), "kind": "blood_pressure", "systolic": 192, "diastolic": 100}),
        )
        .await;
        assert_eq!(later.alerts, first.alerts);
        let (alerts, total) = app
            .list_alerts(&doctor, &Default::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(total, 1);
        assert_eq!(alerts[0].row.rule, "bp_crisis");
        assert_eq!(alerts[0].row.occurrences, 2);
        assert_eq!(alerts[0].row.severity.code(), "critical");
        assert!(alerts[0].row.message_zh.contains("192/100"));

        // Acknowledge, then resolve with a note; the timeline holds each step.
        let id = &first.alerts[0];
        let caregiver = actor(&app, "caregiver").await;
        assert!(matches!(
            app.acknowledge_alert(&caregiver, id).await,
            Err(AppError::NotFound)
        ));
        app.acknowledge_alert(&doctor, id).await.unwrap();
        assert!(matches!(
            app.acknowledge_alert(&doctor, id).await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            app.resolve_alert(&doctor, id, "  ").await,
            Err(AppError::Invalid(e)) if e[0].field == "note"
        ));
        let resolved = app
            .resolve_alert(&doctor, id, "已电话随访，已服降压药")
            .await
            .unwrap();
        assert_eq!(resolved.row.status.code(), "resolved");
        let kinds: Vec<&str> = resolved.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["opened", "acknowledged", "resolved"]);
        // After resolution the next crisis opens a new alert.
        let next = ingest(
            &app,
            "BP-1",
            json!({"seq": 4, "ts": ts(now), "kind": "blood_pressure", "systolic": 200, "diastolic": 120}),
        )
        .await;
        assert_eq!(next.alerts.len(), 1);
        assert_ne!(next.alerts, first.alerts);
        let actions = audit_actions(&app).await;
        for action in [
            "device_register",
            "alert_list",
            "alert_acknowledge",
            "alert_resolve",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action} audited");
        }
    }
}

#[tokio::test]
async fn refused_readings_are_counted_and_never_alert_or_reach_another_elder() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let nurse = actor(&app, "nurse").await;
        app.register_device(&nurse, "W-1", "smartwatch", &fixture.elder_a1)
            .await
            .unwrap();
        let now = Utc::now();
        let report = ingest(
            &app,
            "W-1",
            json!([
                {"seq": 1, "ts": ts(now), "kind": "spo2", "percent": 130},
                {"seq": 2, "ts": ts(now + Duration::days(365)), "kind": "fall"},
                {"seq": 3, "ts": ts(now), "kind": "glucose", "mmol_l": 2.1},
                {"seq": 4, "ts": ts(now), "kind": "heart_rate", "bpm": 72}
            ]),
        )
        .await;
        assert_eq!(report.accepted, 1, "{backend:?}: {report:?}");
        let reasons: Vec<&str> = report.rejected.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, ["impossible_value", "bad_time", "wrong_kind"]);
        assert!(report.alerts.is_empty());
        // Unknown and unbound devices: counted, nothing stored.
        let stranger = ingest(
            &app,
            "NOPE",
            json!({"seq": 1, "ts": ts(now), "kind": "sos"}),
        )
        .await;
        assert_eq!(stranger.rejected[0].reason, "unknown_device");
        app.unbind_device(&nurse, "W-1").await.unwrap();
        let unbound = ingest(&app, "W-1", json!({"seq": 9, "ts": ts(now), "kind": "sos"})).await;
        assert_eq!(unbound.rejected[0].reason, "unbound_device");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM readings").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM alerts").await, 0);
        let stats = &app.monitoring().stats;
        assert_eq!(stats.rejected_total(), 5);
        // Unbound: still the nurse's organization's spare device, and nobody else's.
        let device = app.get_device(&nurse, "W-1").await.unwrap();
        assert!(!device.bound);
        let caregiver = actor(&app, "caregiver").await;
        let device = app.get_device(&caregiver, "W-1").await;
        assert!(matches!(device, Err(AppError::NotFound)));
        let admin = app.system_actor("admin").await.unwrap();
        let device = app.get_device(&admin, "W-1").await.unwrap();
        assert_eq!(device.rejected, 4);
        assert!(!device.bound);
        // Rebinding to another elder gives a new credential; old readings stay with the first.
        let rebound = app
            .bind_device(&admin, "W-1", &fixture.home_resident)
            .await
            .unwrap();
        let r = ingest(
            &app,
            "W-1",
            json!({"seq": 10, "ts": ts(now), "kind": "fall"}),
        )
        .await;
        assert_eq!(r.accepted, 1);
        let mut conn = app.store().acquire().await.unwrap();
        let owners: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, elder_id FROM readings ORDER BY seq")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            owners,
            [
                (4, fixture.elder_a1.clone()),
                (10, fixture.home_resident.clone())
            ]
        );
        assert!(rebound.credential.starts_with("yyd_"));
        let actions = audit_actions(&app).await;
        assert!(actions.iter().any(|a| a == "device_unbind"));
        assert!(actions.iter().any(|a| a == "device_bind"));
        // A payload that is not readings is refused whole.
        let bad = app
            .ingest()
            .submit_and_wait(
                Source::Http {
                    device_id: "W-1".into(),
                },
                b"{not json".to_vec(),
                Utc::now(),
            )
            .await;
        assert!(bad.is_err());
    }
}

#[tokio::test]
async fn an_unacknowledged_alert_escalates_on_schedule_and_acknowledging_stops_it() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await.with_monitoring_settings(settings());
        let fixture = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        // A doctor with a phone and an elder with a family contact.
        {
            let mut conn = app.store().acquire().await.unwrap();
            sqlx::query("UPDATE users SET phone = '13900001111' WHERE username = 'doctor'")
                .execute(&mut *conn)
                .await
                .unwrap();
            sqlx::query(
                "UPDATE elders SET contacts = '[{\"name\":\"王芳\",\"relation\":\"女儿\",\"phone\":\"13700002222\"}]', \
                 address = '新华街道 1 号' WHERE id = $1",
            )
            .bind(&fixture.elder_a1)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        app.register_device(&admin, "SOS-1", "sos_button", &fixture.elder_a1)
            .await
            .unwrap();
        app.register_device(&admin, "BED-1", "bed_exit_sensor", &fixture.elder_a1)
            .await
            .unwrap();
        let now = Utc::now();
        let sos = ingest(
            &app,
            "SOS-1",
            json!({"seq": 1, "ts": ts(now), "kind": "sos"}),
        )
        .await;
        let bed = ingest(
            &app,
            "BED-1",
            json!({"seq": 1, "ts": ts(now), "kind": "bed_exit"}),
        )
        .await;
        let (sos_id, bed_id) = (sos.alerts[0].clone(), bed.alerts[0].clone());
        let opened = Utc::now();

        assert_eq!(
            app.run_escalations(opened + Duration::minutes(4))
                .await
                .unwrap(),
            0
        );
        // +5: the team (both alerts); the warning stops there.
        assert_eq!(
            app.run_escalations(opened + Duration::minutes(5) + Duration::seconds(5))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            app.run_escalations(opened + Duration::minutes(6))
                .await
                .unwrap(),
            0,
            "{backend:?}"
        );
        // +15: the family; +30: a 120 dispatch record.
        assert_eq!(
            app.run_escalations(opened + Duration::minutes(15) + Duration::seconds(5))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            app.run_escalations(opened + Duration::minutes(30) + Duration::seconds(5))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            app.run_escalations(opened + Duration::hours(5))
                .await
                .unwrap(),
            0
        );

        let view = app.get_alert(&admin, &sos_id).await.unwrap();
        assert_eq!(view.row.escalation_level, 3);
        let kinds: Vec<&str> = view.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "escalated_team",
                "escalated_family",
                "escalated_dispatch"
            ]
        );
        let sent: Vec<(&str, &str)> = view
            .outbox
            .iter()
            .map(|o| (o.channel.code(), o.recipient.as_str()))
            .collect();
        assert_eq!(
            sent,
            [
                ("sms", "139****1111"),
                ("wechat", "139****1111"),
                ("sms", "137****2222"),
                ("wechat", "137****2222")
            ]
        );
        assert_eq!(view.dispatches.len(), 1);
        assert_eq!(view.dispatches[0].address.as_deref(), Some("新华街道 1 号"));
        let bed_view = app.get_alert(&admin, &bed_id).await.unwrap();
        assert_eq!(bed_view.row.escalation_level, 1);

        // An alert acknowledged in time never escalates.
        let fall = ingest(
            &app,
            "SOS-1",
            json!({"seq": 2, "ts": ts(Utc::now()), "kind": "fall"}),
        )
        .await;
        let doctor = actor(&app, "doctor").await;
        app.acknowledge_alert(&doctor, &fall.alerts[0])
            .await
            .unwrap();
        assert_eq!(
            app.run_escalations(Utc::now() + Duration::hours(2))
                .await
                .unwrap(),
            0
        );
        let fall_view = app.get_alert(&admin, &fall.alerts[0]).await.unwrap();
        assert_eq!(fall_view.row.escalation_level, 0);
        assert!(audit_actions(&app)
            .await
            .iter()
            .any(|a| a == "alert_escalate"));

        // The gateway's outbox holds the full numbers.
        let pending = app.pending_outbox(&admin, Some("sms"), 10).await.unwrap();
        assert_eq!(pending.len(), 3);
        assert!(pending.iter().any(|p| p.recipient == "13700002222"));
        app.mark_outbox_sent(&admin, &pending[0].id).await.unwrap();
        assert!(matches!(
            app.mark_outbox_sent(&admin, &pending[0].id).await,
            Err(app::AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_doctors_thresholds_decide_the_alert_and_the_change_is_audited() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        let nurse = actor(&app, "nurse").await;
        app.register_device(&doctor, "BP-2", "blood_pressure_monitor", &fixture.elder_a1)
            .await
            .unwrap();
        let now = Utc::now();
        let r = ingest(&app, "BP-2", json!({"seq": 1, "ts": ts(now), "kind": "blood_pressure", "systolic": 152, "diastolic": 88})).await;
        assert!(
            r.alerts.is_empty(),
            "{backend:?}: below the default 160/100"
        );

        let changes = json!({"bp_alert_systolic": 150})
            .as_object()
            .unwrap()
            .clone();
        assert!(matches!(
            app.set_elder_thresholds(&nurse, &fixture.elder_a1, &changes)
                .await,
            Err(AppError::Forbidden)
        ));
        let bad = json!({"bp_alert_systolic": 500})
            .as_object()
            .unwrap()
            .clone();
        assert!(matches!(
            app.set_elder_thresholds(&doctor, &fixture.elder_a1, &bad).await,
            Err(AppError::Invalid(e)) if e[0].field == "bp_alert_systolic"
        ));
        let set = app
            .set_elder_thresholds(&doctor, &fixture.elder_a1, &changes)
            .await
            .unwrap();
        assert_eq!(set.values.bp_alert_systolic, 150);
        let r = ingest(&app, "BP-2", json!({"seq": 2, "ts": ts(now), "kind": "blood_pressure", "systolic": 152, "diastolic": 88})).await;
        assert_eq!(r.alerts.len(), 1);
        let read = app
            .elder_thresholds(&nurse, &fixture.elder_a1)
            .await
            .unwrap();
        assert_eq!(read.values.bp_alert_systolic, 150);
        assert!(read.set_by.unwrap().contains("doctor"));
        let mut conn = app.store().acquire().await.unwrap();
        let (detail,): (String,) = sqlx::query_as(
            "SELECT detail FROM audit_log WHERE action = 'thresholds_set' AND outcome = 'ok'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(detail, "bp_alert_systolic 160 → 150");
        // Outside the doctor's scope the elder does not exist.
        assert!(matches!(
            app.set_elder_thresholds(&doctor, &fixture.elder_b1, &changes)
                .await,
            Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn alerts_are_seen_only_within_scope_and_live_notices_follow_the_same_rule() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        app.register_device(&admin, "W-A", "smartwatch", &fixture.elder_a1)
            .await
            .unwrap();
        app.register_device(&admin, "W-B", "smartwatch", &fixture.elder_b1)
            .await
            .unwrap();
        let mut live = app.subscribe_alerts();
        let now = Utc::now();
        ingest(
            &app,
            "W-A",
            json!({"seq": 1, "ts": ts(now), "kind": "fall"}),
        )
        .await;
        ingest(
            &app,
            "W-B",
            json!({"seq": 1, "ts": ts(now), "kind": "spo2", "percent": 85}),
        )
        .await;
        let doctor = actor(&app, "doctor").await;
        let (mine, total) = app
            .list_alerts(&doctor, &Default::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(total, 1, "{backend:?}");
        assert_eq!(mine[0].row.elder_id, fixture.elder_a1);
        let first = live.recv().await.unwrap();
        let second = live.recv().await.unwrap();
        assert_eq!((first.event, first.rule.as_str()), ("opened", "fall"));
        assert!(first.visible_to(&doctor));
        assert!(!second.visible_to(&doctor));
        let all = app
            .list_alerts(
                &admin,
                &app::monitoring::alerts::AlertQuery {
                    region: Some(testkit::COUNTY_B.into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(all.1, 1);
        assert_eq!(all.0[0].row.rule, "spo2_low");
        let bad = app
            .list_alerts(
                &admin,
                &app::monitoring::alerts::AlertQuery {
                    status: Some("closed".into()),
                    severity: Some("huge".into()),
                    ..Default::default()
                },
                Page::default(),
            )
            .await;
        assert!(matches!(bad, Err(AppError::Invalid(e)) if e.len() == 2));
        let supervisor = actor(&app, "supervisor").await;
        assert!(matches!(
            app.list_alerts(&supervisor, &Default::default(), Page::default())
                .await,
            Err(AppError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn the_sweep_finds_silence_of_an_elder_living_alone_and_a_week_of_rising_pressure() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        {
            let mut conn = app.store().acquire().await.unwrap();
            sqlx::query("UPDATE elders SET living_situation = 'alone' WHERE id = $1")
                .bind(&fixture.elder_a1)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        app.register_device(&admin, "W-1", "smartwatch", &fixture.elder_a1)
            .await
            .unwrap();
        app.register_device(
            &admin,
            "BP-9",
            "blood_pressure_monitor",
            &fixture.home_resident,
        )
        .await
        .unwrap();
        // Seven days of rising morning pressure for the home resident.
        let now = Utc::now();
        let week: Vec<serde_json::Value> = (0..7)
            .map(|i| {
                json!({"seq": i, "ts": ts(now - Duration::days(6 - i)), "kind": "blood_pressure",
                       "systolic": 130 + 3 * i, "diastolic": 85})
            })
            .collect();
        let r = ingest(&app, "BP-9", serde_json::Value::Array(week)).await;
        assert_eq!(r.accepted, 7);
        assert_eq!(
            app.sweep_monitoring(now).await.unwrap(),
            1,
            "{backend:?}: the trend only"
        );
        // A day later the watch of the elder living alone has been silent for 24 hours.
        let later = now + Duration::hours(25);
        let raised = app.sweep_monitoring(later).await.unwrap();
        assert!(raised >= 1);
        let (alerts, _) = app
            .list_alerts(&admin, &Default::default(), Page::default())
            .await
            .unwrap();
        let mut rules: Vec<(&str, &str)> = alerts
            .iter()
            .map(|a| (a.row.rule.as_str(), a.row.elder_id.as_str()))
            .collect();
        rules.sort();
        assert_eq!(
            rules,
            [
                ("rising_pressure", fixture.home_resident.as_str()),
                ("silence", fixture.elder_a1.as_str())
            ]
        );
        // Sweeping again updates the same alerts instead of repeating them.
        app.sweep_monitoring(later + Duration::minutes(10))
            .await
            .unwrap();
        assert_eq!(count(&app, "SELECT COUNT(*) FROM alerts").await, 2);
    }
}

/// Regression: sqlx's Any driver declares a NULL double as `float4`; a cached insert statement
/// then refused the next reading whose value was a `float8` on PostgreSQL.
#[tokio::test]
async fn readings_with_and_without_second_values_alternate_on_every_backend() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        app.register_device(&admin, "BP-A", "blood_pressure_monitor", &fixture.elder_a1)
            .await
            .unwrap();
        let now = Utc::now();
        // Runs of three, so that every pooled connection sees both shapes whatever their number.
        for seq in 0..60 {
            let reading = if (seq / 3) % 2 == 0 {
                json!({"seq": seq, "ts": ts(now), "kind": "heart_rate", "bpm": 70})
            } else {
                json!({"seq": seq, "ts": ts(now), "kind": "blood_pressure", "systolic": 121, "diastolic": 79})
            };
            let report = ingest(&app, "BP-A", reading).await;
            assert_eq!(report.accepted, 1, "{backend:?}: reading {seq}");
        }
    }
}

/// A reading under a seq that is already stored, on every backend: the same content is a resend
/// (stored once); other content is a conflict, kept apart, counted in the report, the metrics and
/// on the device, and an SOS or a fall among such readings still raises its alert. The probe
/// that found it: readings 500–502 published first made a real `{"seq":501,"kind":"sos"}` vanish.
#[tokio::test]
async fn an_sos_under_a_used_seq_is_a_conflict_that_still_raises_its_alert() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        app.register_device(&doctor, "W-9", "smartwatch", &fixture.elder_a1)
            .await
            .unwrap();
        let ts = |minutes: i64| (Utc::now() - Duration::minutes(minutes)).to_rfc3339();
        // Someone (or a faulty clock) used seqs 500–502 first.
        let first = json!([
            {"seq": 500, "ts": ts(5), "kind": "heart_rate", "bpm": 72},
            {"seq": 501, "ts": ts(4), "kind": "heart_rate", "bpm": 73},
            {"seq": 502, "ts": ts(3), "kind": "heart_rate", "bpm": 74},
        ]);
        let report = ingest(&app, "W-9", first.clone()).await;
        assert_eq!(
            (report.accepted, report.duplicates, report.conflicts),
            (3, 0, 0)
        );

        // The true resend: the same content, stored once.
        let report = ingest(&app, "W-9", first).await;
        assert_eq!(
            (report.accepted, report.duplicates, report.conflicts),
            (0, 3, 0),
            "{backend:?}"
        );

        // The real device's SOS under seq 501.
        let sos = json!({"seq": 501, "ts": ts(1), "kind": "sos"});
        let report = ingest(&app, "W-9", sos.clone()).await;
        assert_eq!(
            (report.accepted, report.duplicates, report.conflicts),
            (0, 0, 1),
            "{backend:?}: the SOS must not pass for a duplicate"
        );
        assert_eq!(
            report.alerts.len(),
            1,
            "{backend:?}: the SOS raised no alert"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM alerts WHERE rule = 'sos'").await,
            1
        );
        // The stored reading 501 is untouched; the SOS is kept apart.
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM readings WHERE device_id = 'W-9'"
            )
            .await,
            3
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM reading_conflicts WHERE device_id = 'W-9' AND seq = 501"
            )
            .await,
            1
        );
        let device = app.get_device(&doctor, "W-9").await.unwrap();
        assert_eq!(device.conflicts, 1, "visible on the device");
        assert!(device.last_conflict_at.is_some());

        // The SOS resent (the device missed the acknowledgement): kept once, one alert.
        let report = ingest(&app, "W-9", sos).await;
        assert_eq!(report.conflicts, 1);
        assert_eq!(app.get_device(&doctor, "W-9").await.unwrap().conflicts, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM alerts WHERE rule = 'sos'").await,
            1
        );

        // Within one submission: seq 600 twice with other content is a conflict too; the
        // same content twice is one reading.
        let at = ts(1);
        let report = ingest(
            &app,
            "W-9",
            json!([
                {"seq": 600, "ts": at, "kind": "heart_rate", "bpm": 80},
                {"seq": 600, "ts": at, "kind": "heart_rate", "bpm": 80},
                {"seq": 600, "ts": at, "kind": "fall"},
            ]),
        )
        .await;
        assert_eq!(
            (report.accepted, report.duplicates, report.conflicts),
            (1, 1, 1),
            "{backend:?}"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM alerts WHERE rule = 'fall'").await,
            1
        );
        assert_eq!(app.get_device(&doctor, "W-9").await.unwrap().conflicts, 2);
    }
}
