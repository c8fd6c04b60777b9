//! Record grants over the JSON API, on every backend: the exact endpoints referral and
//! consultation clients use, each refusal's status and field, and that a revoked grant closes
//! the record on the grantee's next request.

mod common;

use axum::http::StatusCode;
use common::{error_fields, Server};
use serde_json::json;
use testkit::{Fixture, PASSWORD};

#[tokio::test]
async fn grant_list_and_revoke_over_the_api() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let hospital = server
            .add_doctor(&admin, "hospital_doctor", &f.org_b1)
            .await;
        let record = format!("/api/v1/elders/{}", f.elder_a1);
        let grants = format!("{record}/grants");

        let (status, _) = server.call("GET", &record, Some(&hospital), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "before the grant");

        let body =
            json!({"organization_id": f.org_b1, "reason": "上转：髋部骨折", "until": "2099-01-01"});
        let (status, _) = server
            .call("POST", &grants, Some(&doctor), Some(&body.to_string()))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "until too far ahead"
        );
        let until = (chrono::Utc::now() + chrono::Duration::days(7))
            .date_naive()
            .to_string();
        let body = json!({"organization_id": f.org_b1, "reason": "上转：髋部骨折", "until": until});
        let (status, created) = server
            .call("POST", &grants, Some(&doctor), Some(&body.to_string()))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let grant_id = created["id"].as_str().unwrap().to_string();

        let (status, elder) = server.call("GET", &record, Some(&hospital), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(elder["id"], f.elder_a1.as_str());
        // The grantee reads; it does not edit, and it cannot see or manage the grants.
        let (status, _) = server
            .call(
                "PATCH",
                &record,
                Some(&hospital),
                Some(r#"{"address":"x"}"#),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server.call("GET", &grants, Some(&hospital), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, list) = server.call("GET", &grants, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["total"], 1);
        let item = &list["items"][0];
        assert_eq!(item["id"], grant_id.as_str());
        assert_eq!(item["organization_id"], f.org_b1.as_str());
        assert_eq!(item["status"], "active");
        assert_eq!(item["granted_by"], "doctor");

        // The audit log names the grant on the grantee's read.
        let (_, audit) = server
            .call(
                "GET",
                "/api/v1/audit?action=elder_read&username=hospital_doctor",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(audit["items"][0]["grant_id"], grant_id.as_str(), "{audit}");

        let revoke = format!("{grants}/{grant_id}");
        let (status, _) = server.call("DELETE", &revoke, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = server.call("GET", &record, Some(&hospital), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "revoked at once");
        let (status, _) = server.call("DELETE", &revoke, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "already revoked");
        let (_, list) = server.call("GET", &grants, Some(&doctor), None).await;
        assert_eq!(list["items"][0]["status"], "revoked");
    }
}

#[tokio::test]
async fn grant_refusals_name_their_reason() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let supervisor = server.login("supervisor", PASSWORD).await;
        let grants = format!("/api/v1/elders/{}/grants", f.elder_a1);
        let soon = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let good = json!({"organization_id": f.org_b1, "reason": "会诊", "until": soon});
        let (status, _) = server
            .call("POST", &grants, Some(&supervisor), Some(&good.to_string()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a supervisor does not grant");
        let cases = [
            (
                json!({"reason": "会诊", "until": "2099-01-01"}),
                "organization_id",
            ),
            (
                json!({"organization_id": f.org_b1, "user_id": "u", "reason": "会诊", "until": "2099-01-01"}),
                "user_id",
            ),
            (
                json!({"organization_id": f.org_b1, "until": "2099-01-01"}),
                "reason",
            ),
            (
                json!({"organization_id": f.org_b1, "reason": "会诊", "until": "soon"}),
                "until",
            ),
            (
                json!({"organization_id": "nope", "reason": "会诊", "until": soon}),
                "organization_id",
            ),
        ];
        for (body, field) in cases {
            let (status, errors) = server
                .call("POST", &grants, Some(&doctor), Some(&body.to_string()))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(
                error_fields(&errors).contains(&field.to_string()),
                "{body}: {errors}"
            );
        }
        let (status, _) = server
            .call(
                "POST",
                &grants,
                Some(&doctor),
                Some(r#"{"organisation_id": "x"}"#),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown fields are refused"
        );
        let (_, list) = server.call("GET", &grants, Some(&doctor), None).await;
        assert_eq!(list["total"], 0, "nothing was stored");
        // Another county's elder does not exist for this doctor.
        let other = format!("/api/v1/elders/{}/grants", f.elder_b1);
        let (status, _) = server.call("GET", &other, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// A refused grant request is answered and audited at once: the refusal's audit row used to be
/// written while the request's own write transaction held SQLite's only write lock, so the
/// answer waited out `busy_timeout` (every writer behind it too) and the refusal went unrecorded.
#[tokio::test]
async fn grant_refusals_are_audited_without_waiting_for_the_write_lock() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let outsider = server.add_doctor(&admin, "other_doctor", &f.org_b1).await;
        let supervisor = server.login("supervisor", PASSWORD).await;
        let soon = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let good =
            json!({"organization_id": f.org_b1, "reason": "会诊", "until": soon}).to_string();
        let record_grants = format!("/api/v1/elders/{}/grants", f.elder_a1);
        let refusals = [
            (
                "DELETE",
                "/api/v1/elders/0/grants/0".to_string(),
                None,
                &admin,
                StatusCode::NOT_FOUND,
            ),
            (
                "POST",
                "/api/v1/elders/0/grants".to_string(),
                Some(&good),
                &admin,
                StatusCode::NOT_FOUND,
            ),
            (
                "POST",
                record_grants.clone(),
                Some(&good),
                &supervisor,
                StatusCode::FORBIDDEN,
            ),
            (
                "GET",
                record_grants.clone(),
                None,
                &outsider,
                StatusCode::NOT_FOUND,
            ),
        ];
        for (method, path, body, token, expected) in &refusals {
            let (status, _) = server
                .call(method, path, Some(token), body.map(String::as_str))
                .await;
            assert_eq!(status, *expected, "{method} {path}");
        }
        let (status, audit) = server
            .call(
                "GET",
                "/api/v1/audit?action=denied&per_page=50",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let details: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|row| row["detail"].as_str())
            .collect();
        for what in [
            "grant_revoke",
            "grant_create",
            "GrantRecordAccess",
            "grant_list",
        ] {
            assert!(
                details.contains(&what),
                "{what} refusal audited: {details:?}"
            );
        }
        // A writer after the refusals is not held up by them.
        let (status, _) = server
            .call("POST", &record_grants, Some(&admin), Some(&good))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}
