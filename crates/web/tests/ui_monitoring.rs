//! The remote-monitoring pages, in process: the live alert board (counts, most severe first,
//! the stream that carries only what the viewer may see), acknowledging and resolving with the
//! form's token, the alert's own page, the device pages with the credential shown once, and the
//! elder's charts with the thresholds drawn and the doctor's thresholds form.

mod site;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use http_body_util::BodyExt;
use serde_json::json;
use site::{Browser, Site};
use tower::ServiceExt;

/// Registers a device of `kind` for `elder` as `username` and returns its id.
async fn device(site: &Site, username: &str, id: &str, kind: &str, elder: &str) -> String {
    let actor = testkit::actor(&site.app, username).await;
    site.app
        .register_device(&actor, id, kind, elder)
        .await
        .expect("device");
    id.to_string()
}

/// Stores readings as if the device had sent them; returns the alerts they raised.
async fn send(site: &Site, device: &str, payload: serde_json::Value) -> Vec<String> {
    let report = site
        .app
        .ingest()
        .submit_and_wait(
            app::monitoring::ingest::Source::Http {
                device_id: device.into(),
            },
            payload.to_string().into_bytes(),
            Utc::now(),
        )
        .await
        .expect("ingest");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    report.alerts
}

fn ago(minutes: i64) -> String {
    (Utc::now() - Duration::minutes(minutes)).to_rfc3339()
}

/// Three alerts of elder_a1: a blood-pressure crisis (critical), low glucose (urgent) and a
/// high reading of another rule (warning); returns their ids in that order.
async fn three_alerts(site: &Site) -> (String, String, String) {
    let elder = site.fixture.elder_a1.clone();
    let bp = device(site, "doctor", "BP-A1", "blood_pressure_monitor", &elder).await;
    let glucometer = device(site, "doctor", "GLU-A1", "glucometer", &elder).await;
    let warning = send(
        site,
        &bp,
        json!({"seq": 1, "ts": ago(30), "kind": "blood_pressure", "systolic": 165, "diastolic": 95}),
    )
    .await;
    let urgent = send(
        site,
        &glucometer,
        json!({"seq": 1, "ts": ago(20), "kind": "glucose", "mmol_l": 3.5, "context": "fasting"}),
    )
    .await;
    let critical = send(
        site,
        &bp,
        json!({"seq": 2, "ts": ago(10), "kind": "blood_pressure", "systolic": 192, "diastolic": 112}),
    )
    .await;
    (critical[0].clone(), urgent[0].clone(), warning[0].clone())
}

fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the page"))
}

#[tokio::test]
async fn the_board_counts_by_severity_and_lists_the_most_severe_first() {
    let site = Site::start().await;
    let (critical, urgent, warning) = three_alerts(&site).await;
    // An alert the doctor of org_a1 must not see.
    let other = device(
        &site,
        "admin",
        "BP-B1",
        "blood_pressure_monitor",
        &site.fixture.elder_b1,
    )
    .await;
    let hidden = send(
        &site,
        &other,
        json!({"seq": 1, "ts": ago(5), "kind": "blood_pressure", "systolic": 200, "diastolic": 120}),
    )
    .await;

    let mut doctor = site.signed_in("doctor").await;
    let page = doctor.get("/alerts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("href=\"/alerts\" aria-current=\"page\""));
    assert!(page.body.contains("实时告警"));
    assert!(page.body.contains("王秀英"), "the elder's name");
    assert!(page.body.contains("href=\"/elders/"), "the elder is linked");
    for rule in ["血压危急", "低血糖", "血压偏高"] {
        assert!(page.body.contains(rule), "{rule}");
    }
    // Most severe first.
    let rows: Vec<usize> = [&critical, &urgent, &warning]
        .iter()
        .map(|id| position(&page.body, &format!("data-alert-id=\"{id}\"")))
        .collect();
    assert!(rows[0] < rows[1] && rows[1] < rows[2], "{rows:?}");
    assert!(page.body.contains("alert-card sev-critical status-open"));
    assert!(page.body.contains("alert-card sev-urgent status-open"));
    assert!(page.body.contains("alert-card sev-warning status-open"));
    // The counts of the doctor's scope only.
    for (severity, n) in [("critical", 1), ("urgent", 1), ("warning", 1), ("info", 0)] {
        let card = &page.body[position(&page.body, &format!("data-count=\"{severity}\""))..];
        let count = &card[card.find("class=\"count\">").unwrap() + 14..];
        assert!(
            count.starts_with(&format!("{n}<")),
            "{severity}: {}",
            &count[..10]
        );
    }
    assert!(
        !page.body.contains(&hidden[0]),
        "an alert outside the scope"
    );
    assert!(!page.body.contains("李建国"));
    // The live parts: the script, the stream and the fragment it fetches.
    assert!(page.body.contains("/alerts.js"));
    assert!(page.body.contains("data-stream=\"/alerts/stream\""));
    let fragment = doctor.get("/alerts/board").await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(!fragment.body.contains("<html"), "only the board");
    assert!(fragment
        .body
        .contains(&format!("data-alert-id=\"{critical}\"")));
    assert!(
        fragment.body.contains("name=\"csrf\""),
        "forms keep their token"
    );

    // English on request.
    let english = doctor.get("/alerts?lang=en").await;
    assert!(english.body.contains("Live alerts"));
    assert!(english.body.contains("hypertensive crisis"));
    assert!(english.body.contains(">Acknowledge<") || english.body.contains("Acknowledge"));

    // The roles that do not see monitoring have no board and no menu entry.
    for role in ["assessor", "supervisor"] {
        let mut browser = site.signed_in(role).await;
        let home = browser.get("/").await;
        assert!(!home.body.contains("href=\"/alerts\""), "{role} nav");
        let refused = browser.get("/alerts").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role}");
        let stream = browser.get("/alerts/stream").await;
        assert_eq!(stream.status, StatusCode::FORBIDDEN, "{role} stream");
    }
    // Family: the own elder's alerts, no buttons.
    let mut family = site.signed_in("family").await;
    let board = family.get("/alerts").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains(&critical));
    assert!(
        !board.body.contains("/acknowledge\""),
        "no acknowledge form"
    );
}

#[tokio::test]
async fn acknowledging_and_resolving_post_with_the_token_and_return_to_the_board() {
    let site = Site::start().await;
    let (critical, _, _) = three_alerts(&site).await;
    let mut nurse = site.signed_in("nurse").await;
    let board = nurse.get("/alerts").await;
    let csrf = board.csrf();
    let ack = format!("/alerts/{critical}/acknowledge");

    let forged = nurse.post(&ack, &[("next", "/alerts")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no token, no change");

    let done = nurse
        .post(&ack, &[("csrf", &csrf), ("next", "/alerts")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/alerts"));
    let board = nurse.get("/alerts").await;
    let row = &board.body[position(&board.body, &format!("data-alert-id=\"{critical}\""))..];
    let row = &row[..row.find("</li>").unwrap()];
    assert!(row.contains("data-status=\"acknowledged\""), "{row}");
    assert!(row.contains("已确认"));
    assert!(row.contains("测试nurse"), "who acknowledged it");
    assert!(
        !row.contains("/acknowledge\""),
        "no second acknowledge button"
    );
    assert!(
        position(&board.body, "group-acknowledged") < position(&board.body, &critical),
        "it moved to the acknowledged group"
    );
    // A next outside the site is not followed.
    let again = nurse
        .post(&ack, &[("csrf", &csrf), ("next", "https://evil.example/")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "already acknowledged");
    assert!(again.body.contains("已确认"), "{}", again.body);
    assert!(again.body.contains("data-action-error"));

    // Resolving needs a note, shown beside its field.
    let resolve = format!("/alerts/{critical}/resolve");
    let empty = nurse
        .post(
            &resolve,
            &[("csrf", &csrf), ("note", "  "), ("next", "/alerts")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.field_errors("note"), ["必填"]);
    let ok = nurse
        .post(
            &resolve,
            &[
                ("csrf", &csrf),
                ("note", "已电话联系，复测 150/90"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/"), "only local paths");
    let board = nurse.get("/alerts").await;
    assert!(
        !board.body.contains(&critical),
        "resolved alerts leave the board"
    );
    let history = nurse.get("/alerts/history").await;
    assert!(history.body.contains("已电话联系，复测 150/90"));

    // The alert's page: the timeline of every step.
    let detail = nurse.get(&format!("/alerts/{critical}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    for text in [
        "告警产生",
        "已确认",
        "已处置",
        "已电话联系，复测 150/90",
        "BP-A1",
    ] {
        assert!(detail.body.contains(text), "{text}");
    }
    assert!(detail.body.contains("尚未发出短信或微信通知"));

    // Someone who does not see the elder gets nothing.
    let mut caregiver = site.signed_in("caregiver").await;
    let page = caregiver.get(&format!("/alerts/{critical}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_alert_page_shows_escalation_notifications_masked_and_the_dispatch() {
    let site = Site::start().await;
    let (critical, _, _) = three_alerts(&site).await;
    // Two hours later every step is due: the team and the family (nobody has a phone in the
    // fixture) and the 120 dispatch record with the elder's phone, masked.
    site.app
        .run_escalations(Utc::now() + Duration::hours(2))
        .await
        .expect("escalations");
    let mut doctor = site.signed_in("doctor").await;
    let page = doctor.get(&format!("/alerts/{critical}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("升级：生成 120 急救派单"),
        "{}",
        page.body
    );
    assert!(page.body.contains("已请求派车"));
    assert!(
        !page.body.contains("13812345678"),
        "phone numbers are masked"
    );
    assert!(page.body.contains("已生成120派单"));
}

/// The next server-sent event of a stream, or None if none comes within the time.
async fn next_data(body: &mut Body, within: std::time::Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + within;
    let mut buffer = String::new();
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .ok()??;
        let Ok(frame) = frame else { return None };
        if let Some(bytes) = frame.data_ref() {
            buffer.push_str(&String::from_utf8_lossy(bytes));
        }
        if let Some(at) = buffer.find("event: alert\n") {
            let rest = &buffer[at..];
            if let Some(end) = rest.find("\n\n") {
                return Some(rest[..end].to_string());
            }
        }
    }
}

async fn open_stream(browser: &Browser) -> axum::http::Response<Body> {
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    browser
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/alerts/stream")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_stream_carries_only_alerts_the_viewer_may_see_and_no_personal_data() {
    let site = Site::start().await;
    let mine = device(
        &site,
        "doctor",
        "BP-A1",
        "blood_pressure_monitor",
        &site.fixture.elder_a1,
    )
    .await;
    let theirs = device(
        &site,
        "admin",
        "BP-B1",
        "blood_pressure_monitor",
        &site.fixture.elder_b1,
    )
    .await;
    let doctor = site.signed_in("doctor").await;
    let response = open_stream(&doctor).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = response.into_body();

    let hidden = send(
        &site,
        &theirs,
        json!({"seq": 1, "ts": ago(1), "kind": "blood_pressure", "systolic": 200, "diastolic": 120}),
    )
    .await;
    let shown = send(
        &site,
        &mine,
        json!({"seq": 1, "ts": ago(1), "kind": "blood_pressure", "systolic": 190, "diastolic": 115}),
    )
    .await;
    let event = next_data(&mut body, std::time::Duration::from_secs(5))
        .await
        .expect("an event");
    assert!(event.contains(&shown[0]), "{event}");
    assert!(!event.contains(&hidden[0]), "{event}");
    assert!(event.contains("\"event\":\"opened\""), "{event}");
    assert!(event.contains("\"severity\":\"critical\""), "{event}");
    assert!(
        !event.contains("王秀英") && !event.contains("190"),
        "{event}"
    );

    // Acknowledging is a notice too.
    let actor = testkit::actor(&site.app, "nurse").await;
    site.app
        .acknowledge_alert(&actor, &shown[0])
        .await
        .expect("ack");
    let event = next_data(&mut body, std::time::Duration::from_secs(5))
        .await
        .expect("the acknowledgement");
    assert!(event.contains("\"event\":\"acknowledged\""), "{event}");

    // Signed out, the stream is not opened.
    let anonymous = site.browser();
    let response = open_stream(&anonymous).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_device_is_registered_from_the_elder_page_and_its_credential_shown_once() {
    let site = Site::start().await;
    let elder = site.fixture.elder_a1.clone();
    let mut nurse = site.signed_in("nurse").await;
    let home = nurse.get("/").await;
    assert!(home.body.contains("href=\"/devices\""), "in the menu");
    let page = nurse.get(&format!("/elders/{elder}")).await;
    let link = format!("/devices/new?elder_id={elder}");
    assert!(page.body.contains(&link), "the elder page offers it");

    let form = nurse.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .body
        .contains(&format!("name=\"elder_id\" value=\"{elder}\"")));
    assert!(form.body.contains("王秀英"), "the elder is named");
    let csrf = form.csrf();

    // Errors beside their fields.
    let bad = nurse
        .post(
            "/devices/new",
            &[
                ("csrf", &csrf),
                ("device_id", "BP/1"),
                ("kind", "toaster"),
                ("elder_id", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field_errors("device_id").len(), 1);
    assert_eq!(bad.field_errors("kind").len(), 1);
    assert_eq!(bad.field_errors("elder_id"), ["必填"]);
    assert!(bad.body.contains("value=\"BP/1\""), "the input is kept");
    let unknown = nurse
        .post(
            "/devices/new",
            &[
                ("csrf", &csrf),
                ("device_id", "BP-9"),
                ("kind", "blood_pressure_monitor"),
                ("elder_id", &site.fixture.elder_b1),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.field_errors("elder_id")[0].contains("管辖范围"));

    let done = nurse
        .post(
            "/devices/new",
            &[
                ("csrf", &csrf),
                ("device_id", "BP-2026-0001"),
                ("kind", "blood_pressure_monitor"),
                ("elder_id", &elder),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let marker = "data-credential>";
    let start = position(&done.body, marker) + marker.len();
    let credential = &done.body[start..start + done.body[start..].find('<').unwrap()];
    assert!(credential.starts_with("yyd_"), "{credential}");
    assert!(done.body.contains("凭证只显示这一次"));
    let found = site.app.authenticate_device(credential).await.unwrap();
    assert_eq!(found.id, "BP-2026-0001");

    // The list shows the device, never the credential.
    let list = nurse.get("/devices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("BP-2026-0001"));
    assert!(list.body.contains("血压计"));
    assert!(list.body.contains("已绑定"));
    assert!(list.body.contains("从未上报"));
    assert!(!list.body.contains(credential));
    let elder_page = nurse.get(&format!("/elders/{elder}")).await;
    assert!(
        elder_page.body.contains("BP-2026-0001"),
        "on the elder's page"
    );
    assert!(!elder_page.body.contains(credential));

    // Unbinding refuses its readings from then on; binding again gives a new credential.
    let unbound = nurse
        .post(
            "/devices/BP-2026-0001/unbind",
            &[("csrf", &csrf), ("next", "/devices")],
        )
        .await;
    assert_eq!(unbound.status, StatusCode::SEE_OTHER);
    assert!(site.app.authenticate_device(credential).await.is_err());
    // Unbound, it belongs to no elder but stays the organization's spare device: its own
    // staff list it (to bind it again), others do not.
    let list = nurse.get("/devices").await;
    assert!(list.body.contains("BP-2026-0001") && list.body.contains("未绑定"));
    let mut caregiver = site.signed_in("caregiver").await;
    let list = caregiver.get("/devices").await;
    assert!(!list.body.contains("BP-2026-0001"));
    let mut admin = site.signed_in("admin").await;
    let list = admin.get("/devices").await;
    assert!(list.body.contains("BP-2026-0001") && list.body.contains("未绑定"));
    assert!(list.body.contains("/devices/bind?device_id=BP-2026-0001"));
    // Anyone who manages devices binds it by its printed id.
    let bind = nurse.get(&format!("/devices/bind?elder_id={elder}")).await;
    assert_eq!(bind.status, StatusCode::OK);
    assert!(bind.body.contains("王秀英"));
    let unknown = nurse
        .post(
            "/devices/bind",
            &[
                ("csrf", &csrf),
                ("device_id", "NO-SUCH"),
                ("elder_id", &elder),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.field_errors("device_id").len(), 1);
    let rebound = nurse
        .post(
            "/devices/bind",
            &[
                ("csrf", &csrf),
                ("device_id", "BP-2026-0001"),
                ("elder_id", &elder),
            ],
        )
        .await;
    assert_eq!(rebound.status, StatusCode::OK, "{}", rebound.body);
    let start = position(&rebound.body, marker) + marker.len();
    let second = &rebound.body[start..start + rebound.body[start..].find('<').unwrap()];
    assert!(second.starts_with("yyd_") && second != credential);
    assert!(site.app.authenticate_device(second).await.is_ok());

    // A caregiver reads monitoring but manages no devices.
    let mut caregiver = site.signed_in("caregiver").await;
    let home = caregiver.get("/").await;
    assert!(!home.body.contains("href=\"/devices\""));
    assert_eq!(
        caregiver.get("/devices/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_elder_page_charts_a_month_of_readings_with_the_thresholds_drawn() {
    let site = Site::start().await;
    let elder = site.fixture.elder_a1.clone();
    let watch = device(&site, "doctor", "W-1", "smartwatch", &elder).await;
    let glucometer = device(&site, "doctor", "G-1", "glucometer", &elder).await;
    let mut readings = Vec::new();
    for day in 0..28 {
        let ts = |h: i64| (Utc::now() - Duration::days(day) - Duration::hours(h)).to_rfc3339();
        let seq = day * 10;
        let systolic = if day == 3 { 186 } else { 128 + day % 7 };
        readings.push(json!({"seq": seq, "ts": ts(2), "kind": "blood_pressure", "systolic": systolic, "diastolic": 82, "pulse": 70}));
        readings.push(json!({"seq": seq + 1, "ts": ts(3), "kind": "heart_rate", "bpm": 72}));
        readings.push(json!({"seq": seq + 2, "ts": ts(4), "kind": "spo2", "percent": if day == 5 { 87 } else { 97 }}));
    }
    send(&site, &watch, json!(readings)).await;
    send(
        &site,
        &glucometer,
        json!([
            {"seq": 1, "ts": ago(600), "kind": "glucose", "mmol_l": 6.2, "context": "fasting"},
            {"seq": 2, "ts": ago(300), "kind": "glucose", "mmol_l": 8.4, "context": "postprandial"}
        ]),
    )
    .await;

    let mut doctor = site.signed_in("doctor").await;
    let page = doctor.get(&format!("/elders/{elder}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let monitoring = &page.body[position(&page.body, "id=\"monitoring\"")..];
    for chart in [
        "vital-bp",
        "vital-glucose",
        "vital-heart_rate",
        "vital-spo2",
    ] {
        assert!(monitoring.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    assert!(
        !monitoring.contains("id=\"vital-temperature\""),
        "not measured"
    );
    // Blood pressure: the zones above 160 and 180, the diastolic lines, two lines of readings.
    let bp = &monitoring[position(monitoring, "id=\"vital-bp\"")..];
    let bp = &bp[..bp.find("</figure>").unwrap()];
    assert!(bp.contains("class=\"zone zone-warn\""));
    assert!(bp.contains("class=\"zone zone-crit\""));
    assert!(bp.contains("≥160 偏高") && bp.contains("≥180 危急"), "{bp}");
    assert!(bp.contains("class=\"limit limit-warn\""));
    assert!(bp.contains("class=\"series s-a\"") && bp.contains("class=\"series s-b\""));
    assert!(
        bp.contains("data-points=\"56\""),
        "28 systolic and 28 diastolic"
    );
    assert_eq!(
        bp.matches("point s-a flagged").count(),
        1,
        "the one reading above the threshold is marked"
    );
    assert!(bp.contains("186 mmHg"), "its tooltip");
    let spo2 = &monitoring[position(monitoring, "id=\"vital-spo2\"")..];
    let spo2 = &spo2[..spo2.find("</figure>").unwrap()];
    assert!(spo2.contains("class=\"zone zone-urgent\""));
    assert!(spo2.contains("&#60;90 偏低"), "{spo2}");
    assert!(spo2.contains("point s-a flagged"));
    let glucose = &monitoring[position(monitoring, "id=\"vital-glucose\"")..];
    assert!(glucose.contains("8.4 mmol/L"), "the latest glucose");
    // The open alerts of the elder, and the thresholds in use.
    assert!(monitoring.contains("id=\"elder-alerts\""));
    assert!(monitoring.contains("血压危急") && monitoring.contains("血氧偏低"));
    assert!(monitoring.contains("data-threshold=\"bp_alert_systolic\""));
    assert!(monitoring.contains("W-1") && monitoring.contains("智能手表"));

    // English labels.
    let english = doctor.get(&format!("/elders/{elder}?lang=en")).await;
    assert!(english.body.contains("Remote monitoring"));
    assert!(english.body.contains("≥180 crisis"));

    // An assessor does not see monitoring (and is not refused for looking at the record).
    let mut assessor = site.signed_in("assessor").await;
    let page = assessor.get(&format!("/elders/{elder}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"monitoring\""));
    assert!(!page.body.contains("vital-bp"));
}

#[tokio::test]
async fn the_doctor_sets_thresholds_and_errors_appear_beside_their_fields() {
    let site = Site::start().await;
    let elder = site.fixture.elder_a1.clone();
    let path = format!("/elders/{elder}/thresholds");
    let mut doctor = site.signed_in("doctor").await;
    let page = doctor.get(&format!("/elders/{elder}")).await;
    assert!(
        page.body.contains("id=\"threshold-form\""),
        "the doctor's form"
    );
    assert!(page.body.contains("name=\"glucose_low\" value=\"3.9\""));
    let csrf = page.csrf();

    let bad = doctor
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("glucose_low", "abc"),
                ("spo2_low", "90.5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.field_errors("glucose_low"), ["须为数字"]);
    assert_eq!(bad.field_errors("spo2_low"), ["须为整数"]);
    assert!(
        bad.body.contains("name=\"glucose_low\" value=\"abc\""),
        "kept"
    );
    assert!(
        bad.body.contains("threshold-box\" open"),
        "the form stays open"
    );

    // A threshold below another names the other as the form does.
    let order = doctor
        .post(&path, &[("csrf", &csrf), ("bp_crisis_systolic", "150")])
        .await;
    assert_eq!(order.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = &order.field_errors("bp_crisis_systolic")[0];
    assert!(message.contains("收缩压偏高"), "{message}");
    assert!(!message.contains("bp_alert_systolic"), "{message}");

    // In English.
    let english = doctor
        .post(
            &format!("{path}?lang=en"),
            &[("csrf", &csrf), ("heart_rate_high", "400")],
        )
        .await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = &english.field_errors("heart_rate_high")[0];
    assert!(message.contains("between"), "{message}");

    // Full-width digits from a Chinese input method are numbers too.
    let ok = doctor
        .post(
            &path,
            &[("csrf", &csrf), ("spo2_low", "９２"), ("glucose_low", "")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some(format!("/elders/{elder}#thresholds").as_str())
    );
    let page = doctor.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("name=\"spo2_low\" value=\"92\""));
    assert!(
        page.body.contains("name=\"glucose_low\" value=\"3.9\""),
        "blank kept"
    );
    assert!(page.body.contains("测试doctor"), "who set them");

    // A nurse sees the thresholds, without the form, and may not post them.
    let mut nurse = site.signed_in("nurse").await;
    let page = nurse.get(&format!("/elders/{elder}")).await;
    assert!(page.body.contains("data-threshold=\"spo2_low\""));
    assert!(!page.body.contains("id=\"threshold-form\""));
    let refused = nurse
        .post(&path, &[("csrf", &page.csrf()), ("spo2_low", "93")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_monitoring_pages_send_the_signed_out_to_the_sign_in_page() {
    let site = Site::start().await;
    let mut browser = site.browser();
    for path in [
        "/alerts",
        "/alerts/board",
        "/alerts/history",
        "/devices",
        "/devices/new",
        "/devices/bind",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let to = page.location.unwrap_or_default();
        assert!(to.starts_with("/login?next="), "{path} → {to}");
    }
    let post = browser
        .post("/alerts/some-id/acknowledge", &[("csrf", "x")])
        .await;
    assert_eq!(post.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn a_seq_conflict_shows_on_the_device_list() {
    let site = Site::start().await;
    let elder = site.fixture.elder_a1.clone();
    let id = device(&site, "nurse", "W-CONFLICT", "smartwatch", &elder).await;
    send(
        &site,
        &id,
        json!({"seq": 7, "ts": ago(3), "kind": "heart_rate", "bpm": 70}),
    )
    .await;
    let mut nurse = site.signed_in("nurse").await;
    let list = nurse.get("/devices").await;
    assert!(!list.body.contains("data-conflicts"), "no conflict yet");
    // The same seq with other content: an SOS, which still raises its alert.
    let alerts = send(&site, &id, json!({"seq": 7, "ts": ago(1), "kind": "sos"})).await;
    assert_eq!(alerts.len(), 1);
    let list = nurse.get("/devices").await;
    assert!(list.body.contains(r#"data-conflicts="1""#), "{}", list.body);
    assert!(list.body.contains("序号冲突"));
}
