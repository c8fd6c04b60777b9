//! The JSON API's contract on every backend: shapes, status codes, field-level errors in the
//! user's language, and bad input that changes nothing.

mod common;

use axum::http::StatusCode;
use common::{error_fields, Server};
use registry::Sex;
use testkit::{id_number, Fixture, COUNTY_A, PASSWORD};

#[tokio::test]
async fn elders_api_contract() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let token = server.login("doctor", PASSWORD).await;
        let t = Some(token.as_str());

        // POST needs only name and id_number; answers 201 {"id"}.
        let id_text = id_number(COUNTY_A, 1944, 201, Sex::Female);
        let body = serde_json::json!({"name": "赵淑珍", "id_number": id_text}).to_string();
        let (status, created) = server.call("POST", "/api/v1/elders", t, Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(created.as_object().unwrap().len(), 1);

        // GET ?q= searches; lists answer items/total and honour page/per_page.
        let (status, list) = server.call("GET", "/api/v1/elders?q=zsz", t, None).await;
        assert_eq!((status, list["total"].as_i64()), (StatusCode::OK, Some(1)));
        assert_eq!(list["items"][0]["id"], id.as_str());
        let (_, page) = server
            .call("GET", "/api/v1/elders?per_page=1&page=2", t, None)
            .await;
        assert_eq!(
            (
                page["items"].as_array().unwrap().len(),
                page["total"].as_i64(),
                page["page"].as_i64()
            ),
            (1, Some(3), Some(2))
        );

        // Each kind of bad input: 422 naming the field, nothing stored.
        let cases: Vec<(serde_json::Value, Vec<&str>)> = vec![
            (
                serde_json::json!({"name": "a", "id_number": format!("{}1", &id_text[..17])}),
                vec!["id_number"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": id_number(COUNTY_A, 2030, 1, Sex::Male)}),
                vec!["id_number"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": "110105194902300028"}),
                vec!["id_number"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": id_text}),
                vec!["id_number"],
            ),
            (
                serde_json::json!({"name": "长".repeat(51), "id_number": id_number(COUNTY_A, 1950, 203, Sex::Male)}),
                vec!["name"],
            ),
            (
                serde_json::json!({"name": 12, "id_number": "x"}),
                vec!["name"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": "x", "contacts": "nope"}),
                vec!["contacts"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": "x", "ltc_insurance": "yes"}),
                vec!["ltc_insurance"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": "x", "unknown_field": 1}),
                vec!["unknown_field"],
            ),
            (
                serde_json::json!({"id_number": id_number(COUNTY_A, 1950, 205, Sex::Male), "birth_date": "1950-03-16"}),
                vec!["name", "birth_date"],
            ),
            (
                serde_json::json!({"name": "a", "id_number": id_number(COUNTY_A, 1950, 207, Sex::Male), "contacts": [{"name": "李四", "phone": "1"}]}),
                vec!["contacts[0].phone"],
            ),
        ];
        for (body, fields) in &cases {
            let (status, errors) = server
                .call("POST", "/api/v1/elders", t, Some(&body.to_string()))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {errors}");
            let got = error_fields(&errors);
            for field in fields {
                assert!(
                    got.iter()
                        .any(|g| g == field || g.starts_with(&format!("{field}."))),
                    "{body}: expected {field} in {got:?}"
                );
            }
            assert!(errors["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
        for raw in [
            "{",
            "not json",
            "",
            "[]",
            "null",
            r#"{"name":"a","id_number":"x"} trailing"#,
            "\u{0}\u{1}",
        ] {
            let (status, errors) = server.call("POST", "/api/v1/elders", t, Some(raw)).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{raw:?}: {errors}"
            );
            assert!(!error_fields(&errors).is_empty());
        }
        let (_, list) = server.call("GET", "/api/v1/elders", t, None).await;
        assert_eq!(
            list["total"], 3,
            "nothing was stored by the refused requests"
        );

        // The user's language.
        let bad = serde_json::json!({"name": "a", "id_number": format!("{}1", &id_text[..17])})
            .to_string();
        let (_, zh) = server.call("POST", "/api/v1/elders", t, Some(&bad)).await;
        let (_, en) = server
            .call_with(
                "POST",
                "/api/v1/elders",
                t,
                Some(&bad),
                &[("accept-language", "en-US,en;q=0.9")],
            )
            .await;
        assert!(
            zh["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("校验位"),
            "{zh}"
        );
        assert!(
            en["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("check character"),
            "{en}"
        );

        // PATCH changes the named fields; null clears; history keeps old and new.
        let patch = r#"{"phone":"13700001111","chronic_conditions":["I10","E11.9"],"living_situation":"alone"}"#;
        let (status, after) = server
            .call("PATCH", &format!("/api/v1/elders/{id}"), t, Some(patch))
            .await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(
            after["chronic_conditions"],
            serde_json::json!(["I10", "E11.9"])
        );
        assert_eq!(
            after["phone"], "13700001111",
            "doctors see the full phone on the detail"
        );
        let version = after["version"].as_i64().unwrap();
        let (status, after) = server
            .call(
                "PATCH",
                &format!("/api/v1/elders/{id}"),
                t,
                Some(r#"{"phone":null}"#),
            )
            .await;
        assert_eq!((status, after["phone"].is_null()), (StatusCode::OK, true));
        let stale = format!(r#"{{"address":"x","version":{version}}}"#);
        let (status, _) = server
            .call("PATCH", &format!("/api/v1/elders/{id}"), t, Some(&stale))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, history) = server
            .call("GET", &format!("/api/v1/elders/{id}/history"), t, None)
            .await;
        let fields: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields.iter().filter(|f| **f == "phone").count(),
            2,
            "{history}"
        );
        assert!(fields.contains(&"chronic_conditions") && fields.contains(&"living_situation"));
        let (status, errors) = server
            .call(
                "PATCH",
                &format!("/api/v1/elders/{id}"),
                t,
                Some(r#"{"birth_date":"2099-01-01"}"#),
            )
            .await;
        assert_eq!(
            (status, error_fields(&errors)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["birth_date".to_string()]
            )
        );

        // Query parameters are checked too.
        for (query, field) in [
            ("page=abc", "page"),
            ("per_page=0", "per_page"),
            ("per_page=100000", "per_page"),
            ("status=zombie", "status"),
            ("region=37a", "region"),
            ("min_age=-1", "min_age"),
            ("condition=%3Cscript%3E", "condition"),
        ] {
            let (status, errors) = server
                .call("GET", &format!("/api/v1/elders?{query}"), t, None)
                .await;
            assert_eq!(
                (status, error_fields(&errors)),
                (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]),
                "{query}"
            );
        }
        let _ = fixture;
    }
}

#[tokio::test]
async fn login_health_metrics_and_openapi() {
    let server = Server::start(&testkit::Backend::Sqlite).await;
    Fixture::create(&server.app).await;
    let (status, body) = server
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(r#"{"username":"doctor","password":"nope"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = server
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(r#"{"username":"doctor"}"#),
        )
        .await;
    assert_eq!(
        (status, error_fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_string()])
    );
    for _ in 0..app::auth::MAX_FAILURES {
        server
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(r#"{"username":"nurse","password":"nope"}"#),
            )
            .await;
    }
    let (status, _) = server
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&format!(
                r#"{{"username":"nurse","password":"{PASSWORD}"}}"#
            )),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the username is locked"
    );

    let token = server.login("admin", PASSWORD).await;
    let (status, me) = server
        .call("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );
    let (status, _) = server
        .call("POST", "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .call("GET", "/api/v1/auth/me", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token is revoked");

    let (status, health) = server.call("GET", "/healthz", None, None).await;
    assert_eq!(
        (
            status,
            health["status"].as_str(),
            health["database"].as_str()
        ),
        (StatusCode::OK, Some("ok"), Some("sqlite"))
    );

    let (status, doc) = server.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    // The document lists exactly the API routes of the router's own table.
    let documented: std::collections::BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {}", m.to_uppercase(), path))
        })
        .collect();
    let routed: std::collections::BTreeSet<String> = web::routes()
        .iter()
        .filter(|r| r.surface == web::Surface::Api)
        .map(|r| format!("{} {}", r.method, r.path.trim_start_matches("/api/v1")))
        .collect();
    assert_eq!(
        documented, routed,
        "the OpenAPI document is the route table"
    );
    // Every $ref resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "unresolved $ref {name}"
        );
    }

    let response = tower::ServiceExt::oneshot(
        server.router.clone(),
        axum::http::Request::get("/metrics")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let text = String::from_utf8(
        http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("yiyang_http_requests_total{method=\"POST\",route=\"/api/v1/auth/login\",status=\"4xx\"}"), "{text}");
    assert!(text.contains("yiyang_http_request_duration_seconds_count"));
    assert!(!text.contains(&token), "no secrets in metrics");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_changes() {
    let server = Server::start(&testkit::Backend::Sqlite).await;
    Fixture::create(&server.app).await;
    let ok = server
        .app
        .login("doctor", PASSWORD, None, app::auth::SessionKind::Cookie)
        .await
        .unwrap();
    let cookie = format!("yiyang_session={}", ok.token);
    let body =
        serde_json::json!({"name": "钱", "id_number": id_number(COUNTY_A, 1951, 301, Sex::Male)})
            .to_string();
    let (status, _) = server
        .call_with("GET", "/api/v1/elders", None, None, &[("cookie", &cookie)])
        .await;
    assert_eq!(status, StatusCode::OK, "reads need no CSRF token");
    let (status, _) = server
        .call_with(
            "POST",
            "/api/v1/elders",
            None,
            Some(&body),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a cookie-authenticated change without the token"
    );
    let (status, _) = server
        .call_with(
            "POST",
            "/api/v1/elders",
            None,
            Some(&body),
            &[("cookie", &cookie), ("x-csrf-token", "wrong")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .call_with(
            "POST",
            "/api/v1/elders",
            None,
            Some(&body),
            &[("cookie", &cookie), ("x-csrf-token", &ok.csrf_token)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
