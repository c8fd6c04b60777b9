//! A reading under a seq that is already stored, on every backend: the same content is a resend
//! (stored once); other content is a conflict, kept apart, counted in the report, the metrics and
//! on the device, and an SOS or a fall among such readings still raises its alert. The probe
//! that found it: readings 500–502 published first made a real `{"seq":501,"kind":"sos"}` vanish.

use app::monitoring::ingest::Source;
use app::monitoring::IngestReport;
use app::App;
use chrono::{Duration, Utc};
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

async fn count(app: &App, sql: &str) -> i64 {
    let mut conn = app.store().acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await.unwrap();
    n
}

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
