//! The remote-monitoring API as devices, the live board and the SMS gateway use it, on every
//! backend: a device registered by a doctor uploads over HTTP with its own credential; a crisis
//! reading opens one alert that a resend does not repeat; impossible values are refused with
//! their reason; alerts are seen only in scope, acknowledged and resolved with a timeline; the
//! live stream carries the change; readings by kind and time; thresholds set by the doctor only;
//! the outbox drained by the gateway.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{error_fields, Server};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use testkit::{Fixture, PASSWORD};

/// Query-safe UTC time (no `+` to encode).
fn utc(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn blood_pressure(seq: u64, systolic: i64, diastolic: i64) -> String {
    json!({"seq": seq, "ts": Utc::now().to_rfc3339(), "kind": "blood_pressure",
           "systolic": systolic, "diastolic": diastolic})
    .to_string()
}

/// Registers a device and returns its credential.
async fn register(
    server: &Server,
    token: &str,
    device_id: &str,
    kind: &str,
    elder_id: &str,
) -> String {
    let body = json!({"device_id": device_id, "kind": kind, "elder_id": elder_id}).to_string();
    let (status, device) = server
        .call("POST", "/api/v1/devices", Some(token), Some(&body))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "register {device_id}: {device}"
    );
    device["credential"]
        .as_str()
        .expect("credential")
        .to_string()
}

async fn upload(server: &Server, credential: &str, payload: &str) -> (StatusCode, Value) {
    server
        .call("POST", "/api/v1/readings", Some(credential), Some(payload))
        .await
}

/// Uploads a crisis blood pressure and returns the alert it opened or updated.
async fn crisis(server: &Server, credential: &str, seq: u64) -> String {
    let (status, report) = upload(server, credential, &blood_pressure(seq, 186, 112)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report["alerts"][0].as_str().expect("an alert").to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["elder_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_device_uploads_with_its_credential_and_a_resend_is_stored_once() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let d = Some(doctor.as_str());

        // Registration answers the device with its one-time credential.
        let body = json!({"device_id": "BP-0001", "kind": "blood_pressure_monitor",
                          "elder_id": fixture.elder_a1})
        .to_string();
        let (status, device) = server.call("POST", "/api/v1/devices", d, Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{device}");
        assert_eq!(device["device_id"], "BP-0001");
        assert_eq!(device["kind"], "blood_pressure_monitor");
        assert_eq!(device["elder_id"], fixture.elder_a1.as_str());
        assert_eq!(device["elder_name"], "王秀英");
        assert_eq!(device["status"], "bound");
        assert!(device["bound_at"].as_str().unwrap().ends_with('Z'));
        let credential = device["credential"].as_str().unwrap().to_string();
        assert!(credential.starts_with("yyd_"), "{credential}");

        // Registration errors name their field.
        for (body, field) in [
            (
                json!({"device_id": "BP-0001", "kind": "blood_pressure_monitor",
                    "elder_id": fixture.elder_a1}),
                "device_id",
            ),
            (
                json!({"device_id": "BP-0002", "kind": "toaster", "elder_id": fixture.elder_a1}),
                "kind",
            ),
            (
                json!({"device_id": "bad id/1", "kind": "glucometer", "elder_id": fixture.elder_a1}),
                "device_id",
            ),
            (
                json!({"device_id": "BP-0003", "kind": "glucometer", "elder_id": fixture.elder_b1}),
                "elder_id",
            ),
            (
                json!({"device_id": "BP-0004", "kind": "glucometer"}),
                "elder_id",
            ),
        ] {
            let (status, errors) = server
                .call("POST", "/api/v1/devices", d, Some(&body.to_string()))
                .await;
            assert_eq!(
                (status, error_fields(&errors)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
                "{body}"
            );
        }
        let nurse = server.login("caregiver", PASSWORD).await;
        let (status, _) = server
            .call("POST", "/api/v1/devices", Some(&nurse), Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "caregivers do not register devices"
        );

        // A crisis reading: stored, one alert.
        let payload = blood_pressure(1, 186, 112);
        let (status, report) = upload(&server, &credential, &payload).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(
            (
                &report["accepted"],
                &report["duplicates"],
                &report["rejected"]
            ),
            (&json!(1), &json!(0), &json!([]))
        );
        let alerts = report["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 1, "{report}");
        let alert_id = alerts[0].as_str().unwrap().to_string();

        // The same payload again is a resend: stored once, no second occurrence.
        let (status, report) = upload(&server, &credential, &payload).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (
                &report["accepted"],
                &report["duplicates"],
                &report["alerts"]
            ),
            (&json!(0), &json!(1), &json!([]))
        );
        let (_, list) = server
            .call("GET", "/api/v1/alerts?status=open", d, None)
            .await;
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["id"], alert_id.as_str());
        assert_eq!(list["items"][0]["occurrences"], 1);

        // An impossible value is refused with its reason and raises nothing.
        let (status, report) = upload(&server, &credential, &blood_pressure(2, 400, 90)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (&report["accepted"], &report["alerts"]),
            (&json!(0), &json!([]))
        );
        let rejected = &report["rejected"][0];
        assert_eq!(
            (&rejected["index"], &rejected["reason"], &rejected["field"]),
            (&json!(0), &json!("impossible_value"), &json!("systolic"))
        );
        assert!(rejected["message"].as_str().unwrap().contains("400"));

        // An array is taken reading by reading; a kind the device does not send is refused.
        let now = Utc::now().to_rfc3339();
        let batch = json!([
            {"seq": 3, "ts": now, "kind": "heart_rate", "bpm": 72},
            {"seq": 4, "ts": now, "kind": "glucose", "mmol_l": 6.1},
        ])
        .to_string();
        let (status, report) = upload(&server, &credential, &batch).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["accepted"], 1);
        assert_eq!(
            (
                &report["rejected"][0]["index"],
                &report["rejected"][0]["reason"]
            ),
            (&json!(1), &json!("wrong_kind"))
        );

        // Credentials: none, unknown, or a person's token are all 401 with the error body.
        for token in [
            None,
            Some(format!("yyd_{}", "0".repeat(64))),
            Some(doctor.clone()),
        ] {
            let (status, body) = server
                .call("POST", "/api/v1/readings", token.as_deref(), Some(&payload))
                .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert!(body["errors"][0]["message"].is_string(), "{body}");
        }

        // A payload that is not readings at all: 422 naming the payload, nothing stored.
        for garbage in ["not json", "\"text\"", "42"] {
            let (status, body) = upload(&server, &credential, garbage).await;
            assert_eq!(
                (status, error_fields(&body)),
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    vec!["payload".to_string()]
                ),
                "{garbage}: {body}"
            );
        }
        // At most 8 MiB in one upload.
        let huge = format!("[{}]", " ".repeat(9 * 1024 * 1024));
        let (status, body) = upload(&server, &credential, &huge).await;
        assert_eq!(
            (status, error_fields(&body)),
            (StatusCode::PAYLOAD_TOO_LARGE, vec!["payload".to_string()])
        );
        // Any content type: a device may not set one at all.
        let (status, report) = server
            .call_with(
                "POST",
                "/api/v1/readings",
                Some(&credential),
                Some(&blood_pressure(5, 120, 80)),
                &[("content-type", "text/plain")],
            )
            .await;
        assert_eq!(
            (status, &report["accepted"]),
            (StatusCode::OK, &json!(1)),
            "{report}"
        );

        // The device page: heard from, refusals counted, no credential.
        let (status, device) = server.call("GET", "/api/v1/devices/BP-0001", d, None).await;
        assert_eq!(status, StatusCode::OK, "{device}");
        assert!(device["last_seen_at"].is_string(), "{device}");
        assert_eq!(device["rejected"], 5, "{device}");
        assert!(device["last_rejection"].is_string());
        assert!(device.get("credential").is_none());
        let (status, list) = server
            .call(
                "GET",
                &format!("/api/v1/devices?elder_id={}", fixture.elder_a1),
                d,
                None,
            )
            .await;
        assert_eq!((status, &list["total"]), (StatusCode::OK, &json!(1)));
        assert!(list["items"][0].get("credential").is_none());
        let (_, list) = server
            .call(
                "GET",
                &format!("/api/v1/devices?elder_id={}", fixture.elder_b1),
                d,
                None,
            )
            .await;
        assert_eq!(list["total"], 0);

        // Unbinding stops the credential; binding anew gives a new one.
        let (status, _) = server
            .call("POST", "/api/v1/devices/BP-0001/unbind", d, None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = upload(&server, &credential, &blood_pressure(6, 120, 80)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "an unbound device's credential is dead"
        );
        let bind = json!({"elder_id": fixture.home_resident}).to_string();
        let (status, bound) = server
            .call("POST", "/api/v1/devices/BP-0001/bind", d, Some(&bind))
            .await;
        assert_eq!(status, StatusCode::OK, "{bound}");
        assert_eq!(bound["elder_id"], fixture.home_resident.as_str());
        let fresh = bound["credential"].as_str().unwrap();
        assert_ne!(fresh, credential);
        let (status, _) = upload(&server, fresh, &blood_pressure(7, 120, 80)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = server
            .call("POST", "/api/v1/devices/BP-0001/bind", d, Some(&bind))
            .await;
        assert_eq!(
            (status, error_fields(&body)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["device_id".to_string()]
            ),
            "a bound device must be unbound first"
        );
        let (status, _) = server
            .call("GET", "/api/v1/devices/no-such-device", d, None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The pipeline's counters.
        let (status, metrics) = server.text("/metrics").await;
        assert_eq!(status, StatusCode::OK);
        for line in [
            "yiyang_readings_accepted_total 4",
            "yiyang_readings_duplicates_total 1",
            "yiyang_readings_rejected_total{reason=\"impossible_value\"} 1",
            "yiyang_readings_rejected_total{reason=\"wrong_kind\"} 1",
            "yiyang_readings_rejected_total{reason=\"not_json\"} 1",
            "yiyang_alerts_opened_total 1",
            "# TYPE yiyang_ingest_commits_total counter",
        ] {
            assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
        }
        eprintln!("device upload passed on {}", backend.name());
    }
}

#[tokio::test]
async fn alerts_are_seen_in_scope_and_handled_with_a_timeline() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let caregiver = server.login("caregiver", PASSWORD).await;
        let family = server.login("family", PASSWORD).await;
        let d = Some(doctor.as_str());
        let a1 = register(&server, &doctor, "w-a1", "smartwatch", &fixture.elder_a1).await;
        let home = register(
            &server,
            &doctor,
            "w-home",
            "smartwatch",
            &fixture.home_resident,
        )
        .await;
        let b1 = register(&server, &admin, "w-b1", "smartwatch", &fixture.elder_b1).await;
        let a1_alert = crisis(&server, &a1, 1).await;
        let home_alert = crisis(&server, &home, 1).await;
        let b1_alert = crisis(&server, &b1, 1).await;

        // Each role sees the alerts of the elders in its scope.
        let (status, list) = server
            .call("GET", "/api/v1/alerts?status=open", d, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let mut seen = ids(&list);
        seen.sort();
        let mut expected = vec![fixture.elder_a1.clone(), fixture.home_resident.clone()];
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!((&list["page"], &list["per_page"]), (&json!(1), &json!(20)));
        let item = &list["items"][0];
        assert_eq!(item["rule"], "bp_crisis");
        assert_eq!(item["severity"], "critical");
        assert_eq!(item["status"], "open");
        assert_eq!(item["message"], item["message_zh"]);
        assert!(item["opened_at"].as_str().unwrap().ends_with('Z'));
        let (_, english) = server.call("GET", "/api/v1/alerts?lang=en", d, None).await;
        assert_eq!(
            english["items"][0]["message"],
            english["items"][0]["message_en"]
        );
        let (_, list) = server
            .call("GET", "/api/v1/alerts", Some(&caregiver), None)
            .await;
        assert_eq!(ids(&list), [fixture.home_resident.as_str()]);
        let (_, list) = server
            .call("GET", "/api/v1/alerts", Some(&family), None)
            .await;
        assert_eq!(ids(&list), [fixture.elder_a1.as_str()]);
        let (_, list) = server
            .call("GET", "/api/v1/alerts", Some(&admin), None)
            .await;
        assert_eq!(list["total"], 3);
        let (_, list) = server
            .call(
                "GET",
                &format!("/api/v1/alerts?elder_id={}", fixture.home_resident),
                d,
                None,
            )
            .await;
        assert_eq!(ids(&list), [fixture.home_resident.as_str()]);
        let (_, list) = server
            .call(
                "GET",
                "/api/v1/alerts?region=371402002&severity=critical",
                d,
                None,
            )
            .await;
        assert_eq!(ids(&list), [fixture.home_resident.as_str()]);
        let (status, _) = server
            .call("GET", &format!("/api/v1/alerts/{b1_alert}"), d, None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "outside the doctor's scope");
        let assessor = server.login("assessor", PASSWORD).await;
        let (status, _) = server
            .call("GET", "/api/v1/alerts", Some(&assessor), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for (query, field) in [
            ("status=closed", "status"),
            ("severity=high", "severity"),
            ("region=37140", "region"),
            ("per_page=0", "per_page"),
        ] {
            let (status, body) = server
                .call("GET", &format!("/api/v1/alerts?{query}"), d, None)
                .await;
            assert_eq!(
                (status, error_fields(&body)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
                "{query}"
            );
        }

        // The caregiver takes the home resident's alert on; twice is refused.
        let (status, alert) = server
            .call(
                "POST",
                &format!("/api/v1/alerts/{home_alert}/acknowledge"),
                Some(&caregiver),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{alert}");
        assert_eq!(alert["status"], "acknowledged");
        assert_eq!(alert["acknowledged_by"], "测试caregiver");
        assert!(alert["next_escalation_at"].is_null(), "escalation stops");
        let (status, body) = server
            .call(
                "POST",
                &format!("/api/v1/alerts/{home_alert}/acknowledge"),
                Some(&caregiver),
                None,
            )
            .await;
        assert_eq!(
            (status, error_fields(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_string()])
        );
        let (status, _) = server
            .call(
                "POST",
                &format!("/api/v1/alerts/{a1_alert}/acknowledge"),
                Some(&caregiver),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "not the caregiver's resident"
        );

        // Resolving needs a note; family members do not handle alerts.
        let resolve = format!("/api/v1/alerts/{home_alert}/resolve");
        for body in [None, Some("{}"), Some(r#"{"note": "  "}"#)] {
            let (status, errors) = server.call("POST", &resolve, d, body).await;
            assert_eq!(
                (status, error_fields(&errors)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec!["note".to_string()]),
                "{body:?}"
            );
        }
        let (status, _) = server
            .call(
                "POST",
                &format!("/api/v1/alerts/{a1_alert}/resolve"),
                Some(&family),
                Some("{}"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "refused whatever the body");
        let note = json!({"note": "电话随访，已服用降压药，复测 150/90"}).to_string();
        let (status, alert) = server.call("POST", &resolve, d, Some(&note)).await;
        assert_eq!(status, StatusCode::OK, "{alert}");
        assert_eq!(alert["status"], "resolved");
        assert_eq!(
            alert["resolution_note"],
            "电话随访，已服用降压药，复测 150/90"
        );
        assert_eq!(alert["resolved_by"], "测试doctor");
        let kinds: Vec<&str> = alert["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["opened", "acknowledged", "resolved"]);
        assert_eq!(alert["timeline"][1]["actor"], "测试caregiver (caregiver)");
        assert_eq!(
            alert["timeline"][2]["detail"],
            "电话随访，已服用降压药，复测 150/90"
        );
        assert_eq!(
            (&alert["notifications"], &alert["dispatches"]),
            (&json!([]), &json!([]))
        );
        let (_, detail) = server
            .call("GET", &format!("/api/v1/alerts/{home_alert}"), d, None)
            .await;
        assert_eq!(detail["timeline"].as_array().unwrap().len(), 3);

        let (_, list) = server
            .call("GET", "/api/v1/alerts?status=unresolved", d, None)
            .await;
        assert_eq!(ids(&list), [fixture.elder_a1.as_str()]);
        let (_, list) = server
            .call("GET", "/api/v1/alerts?status=resolved", d, None)
            .await;
        assert_eq!(ids(&list), [fixture.home_resident.as_str()]);

        // The next crisis after resolution opens a new alert.
        let again = crisis(&server, &home, 2).await;
        assert_ne!(again, home_alert);
        // A repeat while unresolved counts on the open one.
        assert_eq!(crisis(&server, &a1, 2).await, a1_alert);
        let (_, alert) = server
            .call("GET", &format!("/api/v1/alerts/{a1_alert}"), d, None)
            .await;
        assert_eq!(alert["occurrences"], 2);
        eprintln!("alerts passed on {}", backend.name());
    }
}

/// The next `event: alert` of a stream, parsed.
async fn next_alert(body: &mut axum::body::Body) -> Value {
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(20), body.frame())
            .await
            .expect("an event in time")
            .expect("the stream is open")
            .expect("a frame");
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let text = String::from_utf8(data.to_vec()).unwrap();
        if !text.lines().any(|l| l == "event: alert") {
            continue; // a keep-alive comment
        }
        let json = text
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("data");
        return serde_json::from_str(json).unwrap();
    }
}

#[tokio::test]
async fn the_live_stream_carries_changes_to_alerts_in_scope() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let caregiver = server.login("caregiver", PASSWORD).await;
        let a1 = register(&server, &doctor, "sos-a1", "sos_button", &fixture.elder_a1).await;
        let home = register(
            &server,
            &doctor,
            "bp-home",
            "blood_pressure_monitor",
            &fixture.home_resident,
        )
        .await;

        let response = server
            .open("GET", "/api/v1/alerts/stream", Some(&caregiver))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut stream = response.into_body();

        // An alert outside the caregiver's scope is not sent; the one inside is.
        let sos = json!({"seq": 1, "ts": Utc::now().to_rfc3339(), "kind": "sos"}).to_string();
        let (status, report) = upload(&server, &a1, &sos).await;
        assert_eq!(
            (status, report["alerts"].as_array().unwrap().len()),
            (StatusCode::OK, 1)
        );
        let home_alert = crisis(&server, &home, 1).await;
        let event = next_alert(&mut stream).await;
        assert_eq!(event["alert_id"], home_alert.as_str());
        assert_eq!(event["event"], "opened");
        assert_eq!(event["elder_id"], fixture.home_resident.as_str());
        assert_eq!(event["elder_name"], "张桂兰");
        assert_eq!(
            (&event["rule"], &event["severity"]),
            (&json!("bp_crisis"), &json!("critical"))
        );
        assert_eq!(event["status"], "open");
        assert!(
            event["message"].as_str().unwrap().contains("186"),
            "{event}"
        );
        assert!(event["at"].as_str().unwrap().ends_with('Z'));

        // Handling it is a change too.
        let (status, _) = server
            .call(
                "POST",
                &format!("/api/v1/alerts/{home_alert}/acknowledge"),
                Some(&doctor),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let event = next_alert(&mut stream).await;
        assert_eq!(
            (&event["alert_id"], &event["event"], &event["status"]),
            (
                &json!(home_alert),
                &json!("acknowledged"),
                &json!("acknowledged")
            )
        );
        drop(stream);

        let assessor = server.login("assessor", PASSWORD).await;
        let response = server
            .open("GET", "/api/v1/alerts/stream", Some(&assessor))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = server.open("GET", "/api/v1/alerts/stream", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        eprintln!("live stream passed on {}", backend.name());
    }
}

#[tokio::test]
async fn an_elders_readings_by_kind_and_time() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let d = Some(doctor.as_str());
        let watch = register(&server, &doctor, "watch-1", "smartwatch", &fixture.elder_a1).await;
        let monitor = register(
            &server,
            &doctor,
            "vsm-1",
            "vital_signs_monitor",
            &fixture.elder_a1,
        )
        .await;
        let now = Utc::now();
        let at = |d: Duration| (now - d).to_rfc3339();
        let batch = json!([
            {"seq": 1, "ts": at(Duration::days(40)), "kind": "heart_rate", "bpm": 66},
            {"seq": 2, "ts": at(Duration::days(3)), "kind": "heart_rate", "bpm": 72},
            {"seq": 3, "ts": at(Duration::days(2)), "kind": "spo2", "percent": 97},
            {"seq": 4, "ts": at(Duration::hours(5)), "kind": "blood_pressure",
             "systolic": 132, "diastolic": 84, "pulse": 70},
            {"seq": 5, "ts": at(Duration::hours(1)), "kind": "temperature", "celsius": 36.6},
        ])
        .to_string();
        let (status, report) = upload(&server, &watch, &batch).await;
        assert_eq!(
            (status, &report["accepted"]),
            (StatusCode::OK, &json!(5)),
            "{report}"
        );
        let vitals = json!({"seq": 1, "ts": at(Duration::minutes(30)), "kind": "vitals",
            "respiration_rate": 25, "spo2": 95, "on_oxygen": false, "systolic": 120,
            "pulse": 80, "consciousness": "alert", "temperature": 37.0})
        .to_string();
        let (status, report) = upload(&server, &monitor, &vitals).await;
        assert_eq!(
            (status, &report["accepted"]),
            (StatusCode::OK, &json!(1)),
            "{report}"
        );

        let path = format!("/api/v1/elders/{}/readings", fixture.elder_a1);
        // By default the last 30 days, oldest first.
        let (status, body) = server.call("GET", &path, d, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "heart_rate",
                "spo2",
                "blood_pressure",
                "temperature",
                "vitals"
            ]
        );
        assert_eq!(items[0]["values"], json!({"bpm": 72}));
        assert_eq!(items[0]["device_id"], "watch-1");
        assert_eq!(items[0]["seq"], 2);
        assert!(items[0]["measured_at"].as_str().unwrap().ends_with('Z'));
        assert!(items[0]["received_at"].is_string());
        assert_eq!(items[1]["values"], json!({"percent": 97}));
        assert_eq!(
            items[2]["values"],
            json!({"systolic": 132, "diastolic": 84, "pulse": 70, "grade": "high_normal"})
        );
        assert_eq!(items[3]["values"], json!({"celsius": 36.6}));
        assert_eq!(
            items[4]["values"],
            json!({"respiration_rate": 25, "spo2": 95, "on_oxygen": false, "systolic": 120,
                   "pulse": 80, "consciousness": "alert", "temperature": 37.0,
                   "news2_severity": "warning"})
        );

        // By kind, over a longer range, with an offset time (its `+` encoded).
        let from = (now - Duration::days(60))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%dT%H:%M:%S%%2B08:00")
            .to_string();
        let (status, body) = server
            .call(
                "GET",
                &format!("{path}?kind=heart_rate&from={from}"),
                d,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let bpm: Vec<&Value> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["values"]["bpm"])
            .collect();
        assert_eq!(bpm, [&json!(66), &json!(72)]);
        // `to` is exclusive; `limit` caps the answer.
        let window = format!(
            "{path}?from={}&to={}",
            utc(now - Duration::days(4)),
            utc(now - Duration::days(2) - Duration::minutes(1))
        );
        let (_, body) = server.call("GET", &window, d, None).await;
        assert_eq!(body["items"].as_array().unwrap().len(), 1, "{body}");
        let (_, body) = server
            .call("GET", &format!("{path}?limit=2"), d, None)
            .await;
        assert_eq!(body["items"].as_array().unwrap().len(), 2);

        for (query, field) in [
            ("kind=weather".to_string(), "kind"),
            ("from=yesterday".to_string(), "from"),
            ("to=2026-13-01T00:00:00Z".to_string(), "to"),
            (
                format!("from={}&to={}", utc(now), utc(now - Duration::days(1))),
                "from",
            ),
            ("limit=0".to_string(), "limit"),
            ("limit=10001".to_string(), "limit"),
        ] {
            let (status, body) = server
                .call("GET", &format!("{path}?{query}"), d, None)
                .await;
            assert_eq!(
                (status, error_fields(&body)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
                "{query}"
            );
        }

        // Scope and role.
        let (status, _) = server
            .call(
                "GET",
                &format!("/api/v1/elders/{}/readings", fixture.elder_b1),
                d,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let assessor = server.login("assessor", PASSWORD).await;
        let (status, _) = server.call("GET", &path, Some(&assessor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let family = server.login("family", PASSWORD).await;
        let (status, _) = server.call("GET", &path, Some(&family), None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the family sees its own elder's readings"
        );
        // Each read is audited.
        let admin = server.login("admin", PASSWORD).await;
        let (_, audit) = server
            .call(
                "GET",
                "/api/v1/audit?action=readings_read",
                Some(&admin),
                None,
            )
            .await;
        assert!(audit["total"].as_i64().unwrap() >= 5, "{audit}");
        eprintln!("readings passed on {}", backend.name());
    }
}

#[tokio::test]
async fn thresholds_are_set_by_the_doctor_and_take_effect() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let nurse = server.login("nurse", PASSWORD).await;
        let path = format!("/api/v1/elders/{}/thresholds", fixture.elder_a1);

        let (status, body) = server.call("GET", &path, Some(&nurse), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["thresholds"], body["defaults"]);
        assert_eq!(body["defaults"]["bp_alert_systolic"], 160);
        assert!(body["set_by"].is_null() && body["set_at"].is_null());

        let (status, body) = server
            .call(
                "PUT",
                &path,
                Some(&doctor),
                Some(r#"{"bp_alert_systolic": 150}"#),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["thresholds"]["bp_alert_systolic"], 150);
        assert_eq!(body["defaults"]["bp_alert_systolic"], 160);
        assert_eq!(
            body["thresholds"]["bp_alert_diastolic"], body["defaults"]["bp_alert_diastolic"],
            "the others keep their values"
        );
        assert_eq!(body["set_by"], "测试doctor (doctor)");
        assert!(body["set_at"].as_str().unwrap().ends_with('Z'));
        let (_, read) = server.call("GET", &path, Some(&nurse), None).await;
        assert_eq!(read["thresholds"]["bp_alert_systolic"], 150);

        let (status, _) = server
            .call(
                "PUT",
                &path,
                Some(&nurse),
                Some(r#"{"bp_alert_systolic": 150}"#),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a doctor's decision");
        for (body, field) in [
            (r#"{"bp_alert_systolic": "high"}"#, "bp_alert_systolic"),
            (r#"{"mood": 1}"#, "mood"),
            (r#"{"bp_crisis_systolic": 140}"#, "bp_crisis_systolic"),
            ("[150]", "body"),
            ("nonsense", "body"),
        ] {
            let (status, errors) = server.call("PUT", &path, Some(&doctor), Some(body)).await;
            assert_eq!(
                (status, error_fields(&errors)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
                "{body}"
            );
        }
        let (status, _) = server
            .call(
                "PUT",
                &format!("/api/v1/elders/{}/thresholds", fixture.elder_b1),
                Some(&doctor),
                Some(r#"{"bp_alert_systolic": 150}"#),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The new threshold applies to the next reading at once.
        let credential = register(
            &server,
            &doctor,
            "bp-1",
            "blood_pressure_monitor",
            &fixture.elder_a1,
        )
        .await;
        let (status, report) = upload(&server, &credential, &blood_pressure(1, 155, 90)).await;
        assert_eq!(status, StatusCode::OK);
        let alert = report["alerts"][0].as_str().expect("an alert at 155");
        let (_, alert) = server
            .call(
                "GET",
                &format!("/api/v1/alerts/{alert}"),
                Some(&doctor),
                None,
            )
            .await;
        assert_eq!(
            (&alert["rule"], &alert["severity"]),
            (&json!("bp_high"), &json!("warning"))
        );
        eprintln!("thresholds passed on {}", backend.name());
    }
}

#[tokio::test]
async fn the_gateway_drains_the_outbox() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let credential = register(&server, &doctor, "sos-1", "sos_button", &fixture.elder_a1).await;
        let sos = json!({"seq": 1, "ts": Utc::now().to_rfc3339(), "kind": "sos"}).to_string();
        let (_, report) = upload(&server, &credential, &sos).await;
        let alert = report["alerts"][0].as_str().unwrap().to_string();
        // Escalation writes these; here they are written directly.
        let mut conn = server.app.store().acquire().await.unwrap();
        let sms = store::monitoring::insert_outbox(
            &mut conn,
            &testkit::everything(),
            &alert,
            "sms",
            "13912345678",
            Some("王芳"),
            "【医养】您的家人王秀英 出现告警",
            Utc::now(),
        )
        .await
        .unwrap();
        store::monitoring::insert_outbox(
            &mut conn,
            &testkit::everything(),
            &alert,
            "wechat",
            "13912345678",
            Some("王芳"),
            "{}",
            Utc::now(),
        )
        .await
        .unwrap();
        drop(conn);

        let (status, body) = server
            .call("GET", "/api/v1/outbox", Some(&admin), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 2);
        let (_, body) = server
            .call(
                "GET",
                "/api/v1/outbox?channel=sms&limit=10",
                Some(&admin),
                None,
            )
            .await;
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], sms.as_str());
        assert_eq!(
            items[0]["recipient"], "13912345678",
            "the gateway needs the number"
        );
        assert_eq!(items[0]["recipient_name"], "王芳");
        assert_eq!(items[0]["alert_id"], alert.as_str());
        assert_eq!(items[0]["attempts"], 0);
        for (query, field) in [("channel=fax", "channel"), ("limit=0", "limit")] {
            let (status, body) = server
                .call(
                    "GET",
                    &format!("/api/v1/outbox?{query}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(
                (status, error_fields(&body)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()])
            );
        }
        let (status, _) = server
            .call("GET", "/api/v1/outbox", Some(&doctor), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // People see the notifications on the alert, numbers masked.
        let (_, detail) = server
            .call(
                "GET",
                &format!("/api/v1/alerts/{alert}"),
                Some(&doctor),
                None,
            )
            .await;
        let sent = &detail["notifications"][0];
        assert_eq!(
            (
                &sent["channel"],
                &sent["recipient"],
                &sent["recipient_name"]
            ),
            (&json!("sms"), &json!("139****5678"), &json!("王芳"))
        );
        assert!(sent["sent_at"].is_null());

        let mark = format!("/api/v1/outbox/{sms}/sent");
        let (status, _) = server.call("POST", &mark, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = server.call("POST", &mark, Some(&admin), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = server.call("POST", &mark, Some(&admin), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "already sent");
        let (status, _) = server
            .call(
                "POST",
                "/api/v1/outbox/no-such-message/sent",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, body) = server
            .call("GET", "/api/v1/outbox?channel=sms", Some(&admin), None)
            .await;
        assert_eq!(body["items"], json!([]));
        let (_, detail) = server
            .call(
                "GET",
                &format!("/api/v1/alerts/{alert}"),
                Some(&doctor),
                None,
            )
            .await;
        assert!(detail["notifications"][0]["sent_at"].is_string());
        eprintln!("outbox passed on {}", backend.name());
    }
}
