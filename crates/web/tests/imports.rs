//! `POST /api/v1/imports` in process, on every backend: a raw CSV body, a multipart upload of a
//! CSV and of an .xlsx, the report's shape, a repeated upload, bad input answered with 422 and
//! the API's error body, and roles that may not import.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Server;
use http_body_util::BodyExt;
use registry::Sex;
use serde_json::{json, Value};
use testkit::{id_number, Fixture, COUNTY_A, PASSWORD};
use tower::ServiceExt;

const BOUNDARY: &str = "yiyang-test-boundary";

async fn post(
    server: &Server,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", content_type);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = server
        .router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A multipart body with a text part and a `file` part.
fn multipart(file_name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nroster of March\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

async fn elder_count(server: &Server) -> i64 {
    let mut conn = server.app.store().acquire().await.unwrap();
    store::elders::counts(&mut conn, &testkit::everything())
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn a_csv_body_is_imported_and_reported_row_by_row() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        Fixture::create(&server.app).await;
        let token = server.login("admin", PASSWORD).await;
        let csv = format!(
            "姓名,身份证号,联系电话,爱好\n甲,{},13812345678,下棋\n乙,{},12345,\n丙,{},,\n",
            id_number(COUNTY_A, 1940, 601, Sex::Male),
            id_number(COUNTY_A, 1941, 603, Sex::Male),
            id_number(COUNTY_A, 1942, 605, Sex::Male),
        );
        let before = elder_count(&server).await;
        let (status, body) = post(
            &server,
            "/api/v1/imports?filename=roster.csv&lang=en",
            Some(&token),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        let batch_id = body["batch_id"].as_str().unwrap().to_string();
        assert!(!batch_id.is_empty());
        assert_eq!(
            body,
            json!({
                "batch_id": batch_id,
                "total_rows": 3,
                "stored": 2,
                "skipped": 1,
                "resumed_from_row": 0,
                "errors": [{
                    "row": 3,
                    "column": "联系电话",
                    "message": "is not a valid phone number (11-digit mobile or landline with area code)"
                }],
                "warnings": [{"row": 1, "column": "爱好", "message": "unknown column, ignored"}],
            })
        );
        assert_eq!(elder_count(&server).await, before + 2);

        // The same file again, as application/octet-stream: the earlier report, nothing new.
        let (status, again) = post(
            &server,
            "/api/v1/imports?filename=again.csv",
            Some(&token),
            "application/octet-stream",
            csv.into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["batch_id"], body["batch_id"]);
        assert_eq!(
            (&again["stored"], &again["resumed_from_row"]),
            (&json!(2), &json!(3))
        );
        assert_eq!(elder_count(&server).await, before + 2);
    }
}

#[tokio::test]
async fn a_multipart_upload_of_csv_or_xlsx_is_imported() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        Fixture::create(&server.app).await;
        let token = server.login("admin", PASSWORD).await;
        let csv = format!(
            "name,id_number\nWang,{}\n",
            id_number(COUNTY_A, 1940, 701, Sex::Male)
        );
        let (status, body) = post(
            &server,
            "/api/v1/imports",
            Some(&token),
            &multipart_type(),
            multipart("roster.csv", csv.as_bytes()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!((&body["stored"], &body["skipped"]), (&json!(1), &json!(0)));

        // An .xlsx written by another program: the identity number typed as a number is refused,
        // formula-looking text is stored as text.
        let xlsx = include_bytes!("../../interop/tests/fixtures/roster.xlsx");
        let (status, body) = post(
            &server,
            "/api/v1/imports",
            Some(&token),
            &multipart_type(),
            multipart("花名册.xlsx", xlsx),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        assert_eq!(
            (&body["total_rows"], &body["stored"], &body["skipped"]),
            (&json!(3), &json!(2), &json!(1)),
            "{body}"
        );
        assert_eq!(body["errors"][0]["row"], 4);
        assert_eq!(body["errors"][0]["column"], "身份证号");
        let mut conn = server.app.store().acquire().await.unwrap();
        let id = store::elders::id_by_identity_number(
            &mut conn,
            &testkit::everything(),
            "371402195503150433",
        )
        .await
        .unwrap()
        .unwrap();
        let row = store::elders::get(&mut conn, &testkit::everything(), &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.name, "=cmd|' /C calc'!A0");
    }
}

#[tokio::test]
async fn bad_uploads_answer_422_with_the_file_field() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        Fixture::create(&server.app).await;
        let token = server.login("admin", PASSWORD).await;
        let before = elder_count(&server).await;
        let cases: Vec<(&str, String, Vec<u8>, &str)> = vec![
            (
                "/api/v1/imports?filename=r.csv",
                "text/csv".into(),
                Vec::new(),
                "文件为空",
            ),
            (
                "/api/v1/imports?filename=r.csv",
                "text/csv".into(),
                "姓名,电话\n甲,13812345678\n".into(),
                "身份证号",
            ),
            (
                "/api/v1/imports?filename=r.xlsx&lang=en",
                "application/octet-stream".into(),
                b"PK\x03\x04 cut short".to_vec(),
                "damaged",
            ),
            (
                "/api/v1/imports?filename=r.xls&lang=en",
                "application/octet-stream".into(),
                b"anything".to_vec(),
                ".xls",
            ),
            (
                "/api/v1/imports?lang=en",
                multipart_type(),
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--{BOUNDARY}--\r\n").into_bytes(),
                "required",
            ),
            (
                "/api/v1/imports?lang=en",
                multipart_type(),
                b"no boundary here".to_vec(),
                "could not be received",
            ),
        ];
        for (path, content_type, body, says) in cases {
            let (status, json) = post(&server, path, Some(&token), &content_type, body).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{backend:?} {path} {says}: {json}"
            );
            assert_eq!(json["errors"][0]["field"], "file", "{json}");
            let message = json["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{path}: {message}");
        }
        assert_eq!(elder_count(&server).await, before);
    }
}

#[tokio::test]
async fn roles_that_may_not_import_get_403_and_signed_out_callers_401() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        Fixture::create(&server.app).await;
        let before = elder_count(&server).await;
        let csv = format!(
            "姓名,身份证号\n甲,{}\n",
            id_number(COUNTY_A, 1940, 801, Sex::Male)
        );
        for role in ["caregiver", "supervisor"] {
            let token = server.login(role, PASSWORD).await;
            let (status, body) = post(
                &server,
                "/api/v1/imports?filename=r.csv",
                Some(&token),
                "text/csv",
                csv.clone().into_bytes(),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{backend:?} {role}");
            assert!(body["errors"][0]["message"].is_string());
        }
        let (status, _) = post(
            &server,
            "/api/v1/imports?filename=r.csv",
            None,
            "text/csv",
            csv.into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(elder_count(&server).await, before);
    }
}

#[tokio::test]
async fn the_same_file_from_another_user_is_that_users_own_import() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor_b = server.add_doctor(&admin, "doctor_b", &f.org_b1).await;
        let csv = format!(
            "姓名,身份证号,联系电话\n甲,{},13812345678\n乙,{},12345\n",
            id_number(COUNTY_A, 1940, 701, Sex::Male),
            id_number(COUNTY_A, 1941, 703, Sex::Male),
        );
        let doctor = server.login("doctor", PASSWORD).await;
        let (status, first) = post(
            &server,
            "/api/v1/imports?filename=roster.csv",
            Some(&doctor),
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let (status, second) = post(
            &server,
            "/api/v1/imports?filename=roster.csv",
            Some(&doctor_b),
            "text/csv",
            csv.into_bytes(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_ne!(
            second["batch_id"], first["batch_id"],
            "{backend:?}: another organization's user got the first user's batch"
        );
        assert_eq!(second["resumed_from_row"], 0);
        // Its report is about its own attempt: the first row is now a duplicate for it, and
        // nothing tells it which record holds that identity number.
        let text = second.to_string();
        let mut conn = server.app.store().acquire().await.unwrap();
        let (first_id,): (String,) = sqlx::query_as("SELECT id FROM elders WHERE name = '甲'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert!(!text.contains(&first_id), "{text}");
    }
}
