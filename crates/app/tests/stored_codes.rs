//! Stored codes and stored JSON are read back as types, on every backend: a status, kind,
//! severity or channel the enum does not know, a reading whose columns do not hold its kind, and
//! an assessment's result or answers that are not in their shape are corrupt data. Each test
//! writes the bad value with raw SQL and asserts the read is an error, never a default.

use app::assessments::AssessmentInput;
use app::monitoring::ingest::Source;
use app::{App, AppError};
use chrono::{Duration, Utc};
use serde_json::json;
use store::{Store, StoreError};
use testkit::{actor, Fixture};

/// Sets `table.column` of the row `id` to `bad`, asserts `read` fails as corrupt data, then
/// puts the stored value back and asserts `read` succeeds again.
async fn refused<T, F, Fut>(store: &Store, table: &str, column: &str, id: &str, bad: &str, read: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
    T: std::fmt::Debug,
{
    let key = if table == "readings" {
        "device_id"
    } else {
        "id"
    };
    let mut conn = store.acquire().await.unwrap();
    let (kept,): (Option<String>,) = sqlx::query_as(&format!(
        "SELECT CAST({column} AS TEXT) FROM {table} WHERE {key} = $1"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let set = |value: Option<&str>| {
        let sql = match value {
            Some(_) => format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2"),
            None => format!("UPDATE {table} SET {column} = NULL WHERE {key} = $1"),
        };
        (sql, value.map(str::to_string))
    };
    let (sql, value) = set(Some(bad));
    sqlx::query(&sql)
        .bind(value)
        .bind(id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let got = read().await;
    assert!(
        matches!(got, Err(StoreError::Corrupt(_))),
        "{table}.{column} = {bad:?} read as {got:?}"
    );
    let mut conn = store.acquire().await.unwrap();
    let (sql, value) = set(kept.as_deref());
    let mut query = sqlx::query(&sql);
    if value.is_some() {
        query = query.bind(value);
    }
    query.bind(id).execute(&mut *conn).await.unwrap();
    drop(conn);
    assert!(read().await.is_ok(), "{table}.{column} restored");
}

async fn ingest(app: &App, device: &str, payload: serde_json::Value) {
    app.ingest()
        .submit_and_wait(
            Source::Http {
                device_id: device.into(),
            },
            payload.to_string().into_bytes(),
            Utc::now(),
        )
        .await
        .expect("ingest");
}

#[tokio::test]
async fn unknown_monitoring_codes_and_readings_that_do_not_hold_their_kind_are_refused() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let store = app::open_store(&db.url).await.unwrap();
        let admin = app.system_actor("admin").await.unwrap();
        let elder = fixture.elder_a1.clone();
        {
            let mut conn = store.acquire().await.unwrap();
            sqlx::query("UPDATE users SET phone = '13900001111' WHERE username = 'doctor'")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        app.register_device(&admin, "SOS-1", "sos_button", &elder)
            .await
            .unwrap();
        app.register_device(&admin, "VS-1", "vital_signs_monitor", &elder)
            .await
            .unwrap();
        let now = Utc::now();
        ingest(
            &app,
            "SOS-1",
            json!({"seq": 1, "ts": now.to_rfc3339(), "kind": "sos"}),
        )
        .await;
        ingest(
            &app,
            "VS-1",
            json!({"seq": 1, "ts": now.to_rfc3339(), "kind": "blood_pressure",
                   "systolic": 128, "diastolic": 82}),
        )
        .await;
        // The team is told (an outbox row), and at +30 min a 120 dispatch record is written.
        app.run_escalations(now + Duration::minutes(31))
            .await
            .unwrap();
        let alert = app
            .list_alerts(&admin, &Default::default(), app::Page::new(None, None))
            .await
            .unwrap()
            .0
            .remove(0)
            .row
            .id;
        let all = testkit::everything();

        let device = || async {
            let mut conn = store.acquire().await.unwrap();
            store::monitoring::get_device(&mut conn, &all, "SOS-1").await
        };
        refused(&store, "devices", "kind", "SOS-1", "pager", device).await;
        refused(&store, "devices", "status", "SOS-1", "lost", device).await;

        let readings = || async {
            let mut conn = store.acquire().await.unwrap();
            let (from, to) = (now - Duration::days(1), now + Duration::days(1));
            store::monitoring::elder_readings(&mut conn, &all, &elder, None, from, to, 100).await
        };
        let stored = readings().await.unwrap();
        assert_eq!(
            stored[0].values,
            monitoring::Values::BloodPressure {
                systolic: 128,
                diastolic: 82,
                pulse: None
            }
        );
        refused(&store, "readings", "kind", "VS-1", "weight", readings).await;
        // A blood pressure without its diastolic value is not one.
        let mut conn = store.acquire().await.unwrap();
        sqlx::query("UPDATE readings SET value2 = NULL WHERE device_id = 'VS-1'")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        assert!(matches!(readings().await, Err(StoreError::Corrupt(_))));

        let alert_row = || async {
            let mut conn = store.acquire().await.unwrap();
            store::monitoring::get_alert(&mut conn, &all, &alert).await
        };
        refused(&store, "alerts", "severity", &alert, "dire", alert_row).await;
        refused(&store, "alerts", "status", &alert, "closed", alert_row).await;

        let mut conn = store.acquire().await.unwrap();
        let outbox = store::monitoring::outbox_of_alert(&mut conn, &testkit::everything(), &alert)
            .await
            .unwrap();
        let dispatches =
            store::monitoring::dispatches_of_alert(&mut conn, &testkit::everything(), &alert)
                .await
                .unwrap();
        drop(conn);
        let outbox_rows = || async {
            let mut conn = store.acquire().await.unwrap();
            store::monitoring::outbox_of_alert(&mut conn, &testkit::everything(), &alert).await
        };
        refused(
            &store,
            "notification_outbox",
            "channel",
            &outbox[0].id,
            "fax",
            outbox_rows,
        )
        .await;
        let dispatch_rows = || async {
            let mut conn = store.acquire().await.unwrap();
            store::monitoring::dispatches_of_alert(&mut conn, &testkit::everything(), &alert).await
        };
        refused(
            &store,
            "emergency_dispatches",
            "status",
            &dispatches[0].id,
            "maybe",
            dispatch_rows,
        )
        .await;
        store.close().await;
    }
}

#[tokio::test]
async fn unknown_assessment_codes_and_corrupt_stored_json_are_refused() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let store = app::open_store(&db.url).await.unwrap();
        let nurse = actor(&app, "nurse").await;
        let answers = json!({"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10,
            "bowels": 10, "bladder": 10, "toilet": 10, "transfer": 15, "mobility": 15,
            "stairs": 10});
        let input = AssessmentInput {
            instrument_id: Some("barthel".into()),
            answers: answers.as_object().unwrap().clone(),
            place: Some("home".into()),
            ..Default::default()
        };
        let (id, _) = app
            .record_assessment(&nurse, &fixture.elder_a1, &input)
            .await
            .unwrap();
        let before = app.get_assessment(&nurse, &id).await.unwrap();
        assert_eq!(before.result["total"], 100);

        let row = || async {
            let mut conn = store.acquire().await.unwrap();
            store::assessments::get(&mut conn, &testkit::everything(), &id).await
        };
        refused(&store, "assessments", "status", &id, "draft", row).await;
        refused(&store, "assessments", "place", &id, "moon", row).await;
        refused(&store, "assessments", "reason", &id, "whim", row).await;

        // Corrupt stored JSON is an internal error, never a result of zeros or no answers.
        for (column, bad) in [
            ("result", "{\"instrument\":"),
            ("result", "{\"instrument\":\"barthel\",\"total\":\"many\"}"),
            ("result", "null"),
            ("answers", "[1,2"),
        ] {
            let mut conn = store.acquire().await.unwrap();
            let (kept,): (String,) =
                sqlx::query_as(&format!("SELECT {column} FROM assessments WHERE id = $1"))
                    .bind(&id)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            let set = format!("UPDATE assessments SET {column} = $1 WHERE id = $2");
            sqlx::query(&set)
                .bind(bad)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .unwrap();
            drop(conn);
            let got = app.get_assessment(&nurse, &id).await;
            assert!(
                matches!(got, Err(AppError::Internal(_))),
                "{column} = {bad:?} read as {got:?}"
            );
            let mut conn = store.acquire().await.unwrap();
            sqlx::query(&set)
                .bind(kept)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        // Read back through the stored shape, the result is what was served at signing.
        let after = app.get_assessment(&nurse, &id).await.unwrap();
        assert_eq!(after.result, before.result);
        let scored = app.score("barthel", &input.answers).unwrap();
        assert_eq!(after.result, app::assessments::outcome_json(&scored));
        store.close().await;
    }
}

#[tokio::test]
async fn unknown_registry_and_access_codes_are_refused() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let store = app::open_store(&db.url).await.unwrap();

        let elder = || async {
            let mut conn = store.acquire().await.unwrap();
            store::elders::get(&mut conn, &testkit::everything(), &fixture.elder_a1).await
        };
        refused(
            &store,
            "elders",
            "status",
            &fixture.elder_a1,
            "ghost",
            elder,
        )
        .await;
        // Contacts that are not a list of name, relation and phone: corrupt, not "no family".
        let no_phone = r#"[{"name":"王芳","relation":"女儿"}]"#;
        for bad in ["[{", no_phone] {
            refused(&store, "elders", "contacts", &fixture.elder_a1, bad, elder).await;
        }

        let org = || async {
            let mut conn = store.acquire().await.unwrap();
            store::orgs::get(&mut conn, &fixture.org_a1).await
        };
        refused(&store, "organizations", "kind", &fixture.org_a1, "spa", org).await;
        refused(
            &store,
            "organizations",
            "category",
            &fixture.org_a1,
            "x",
            org,
        )
        .await;
        refused(
            &store,
            "organizations",
            "operator",
            &fixture.org_a1,
            "x",
            org,
        )
        .await;

        let mut conn = store.acquire().await.unwrap();
        let doctor = store::users::by_username(&mut conn, "doctor")
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let user = || async {
            let mut conn = store.acquire().await.unwrap();
            store::users::by_id(&mut conn, &doctor.id).await
        };
        refused(&store, "users", "role", &doctor.id, "root", user).await;

        let mut conn = store.acquire().await.unwrap();
        let (entry,): (String,) = sqlx::query_as("SELECT id FROM audit_log ORDER BY at LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let audit = || async {
            let mut conn = store.acquire().await.unwrap();
            let filter = store::audit::AuditFilter {
                limit: 1000,
                ..Default::default()
            };
            store::audit::search(&mut conn, &filter).await
        };
        refused(&store, "audit_log", "outcome", &entry, "maybe", audit).await;

        let mut conn = store.acquire().await.unwrap();
        let batch = store::imports::start(&mut conn, "0f", "roster.csv", None, 3)
            .await
            .unwrap();
        drop(conn);
        let import = || async {
            let mut conn = store.acquire().await.unwrap();
            store::imports::by_id(&mut conn, &batch).await
        };
        refused(&store, "import_batches", "status", &batch, "paused", import).await;
        store.close().await;
    }
}
