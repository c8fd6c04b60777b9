//! Hygiene of every API answer, on every backend: personal data is never left in a cache, and a
//! NUL byte anywhere in a query, a path or a JSON field is bad input (PostgreSQL refuses NUL in
//! text, which answered 500).

mod common;

use axum::http::StatusCode;
use common::Server;
use testkit::{Fixture, PASSWORD};

#[tokio::test]
async fn api_answers_are_not_cached_and_a_nul_byte_is_bad_input() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let response = server
            .open(
                "GET",
                &format!("/api/v1/elders/{}", f.elder_a1),
                Some(&doctor),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "a record must not stay in a shared or browser cache"
        );
        for path in [
            "/api/v1/elders?q=%00".to_string(),
            "/api/v1/elders?q=a%00b".to_string(),
            "/api/v1/elders/%00".to_string(),
            format!("/api/v1/elders/{}%00", f.elder_a1),
            "/api/v1/organizations?q=%00".to_string(),
        ] {
            let (status, body) = server.call("GET", &path, Some(&doctor), None).await;
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::NOT_FOUND,
                "{backend:?} {path}: {status} {body}"
            );
        }
        let (status, body) = server
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(r#"{"username":"doc\u0000tor","password":"x"}"#),
            )
            .await;
        assert!(
            status.is_client_error(),
            "{backend:?} login: {status} {body}"
        );
    }
}
