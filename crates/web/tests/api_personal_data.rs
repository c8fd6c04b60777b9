//! Personal data as an attacker would probe it, on every backend: what a masked identity number
//! plus another field reveal, what a refused duplicate says about a record out of scope, whether
//! reading the change history is audited, and whether search undoes phone masking.

mod common;

use axum::http::StatusCode;
use common::Server;
use serde_json::{json, Value};
use testkit::{Fixture, PASSWORD};

/// Every string anywhere in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Fails if any text of `value` holds the birth date hidden by the identity mask (digits 7–14 of
/// the identity number), as `YYYYMMDD` or `YYYY-MM-DD`.
fn assert_reveals_no_birth_date(value: &Value, id_number: &str, what: &str) {
    let birth = &id_number[6..14];
    let dashed = format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..]);
    let mut texts = Vec::new();
    strings(value, &mut texts);
    for text in texts {
        assert!(
            !text.contains(birth) && !text.contains(&dashed),
            "{what}: {text:?} restores the masked birth date of {id_number}"
        );
    }
}

#[tokio::test]
async fn where_the_identity_number_is_masked_nothing_restores_it() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let record = format!("/api/v1/elders/{}", f.elder_a1);
        let (_, full) = server.call("GET", &record, Some(&admin), None).await;
        let id_number = full["id_number"].as_str().unwrap().to_string();
        assert_eq!(id_number.len(), 18, "the admin sees the full number");
        // An edit, so that the history has entries to show.
        let (status, _) = server
            .call(
                "PATCH",
                &record,
                Some(&admin),
                Some(r#"{"address":"新华街道 1 号"}"#),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        for role in ["supervisor", "caregiver"] {
            let token = server.login(role, PASSWORD).await;
            let (status, elder) = server.call("GET", &record, Some(&token), None).await;
            if status == StatusCode::NOT_FOUND {
                continue; // out of this role's scope: nothing shown at all
            }
            assert_eq!(status, StatusCode::OK, "{role}: {elder}");
            assert!(
                elder["id_number"].as_str().unwrap().contains('*'),
                "{role} sees it masked"
            );
            assert_reveals_no_birth_date(&elder, &id_number, role);
            assert!(
                elder["age"].as_i64().is_some_and(|a| a > 60),
                "{role}: the age is shown instead"
            );

            let (status, list) = server
                .call("GET", "/api/v1/elders?per_page=200", Some(&token), None)
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_reveals_no_birth_date(&list, &id_number, &format!("{role} list"));

            let (status, history) = server
                .call("GET", &format!("{record}/history"), Some(&token), None)
                .await;
            if status == StatusCode::OK {
                assert_reveals_no_birth_date(&history, &id_number, &format!("{role} history"));
            }
        }
    }
}

#[tokio::test]
async fn a_refused_duplicate_does_not_reveal_a_record_out_of_scope() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        // A doctor of organization B1, which does not see elder A1.
        let doctor_b = server.add_doctor(&admin, "doctor_b", &f.org_b1).await;
        let (_, a1) = server
            .call(
                "GET",
                &format!("/api/v1/elders/{}", f.elder_a1),
                Some(&admin),
                None,
            )
            .await;
        let (status, _) = server
            .call(
                "GET",
                &format!("/api/v1/elders/{}", f.elder_a1),
                Some(&doctor_b),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "elder A1 is out of doctor B's scope"
        );

        let again =
            json!({"name": "王秀英", "id_number": a1["id_number"], "region_code": "371403001"});
        let (status, refused) = server
            .call(
                "POST",
                "/api/v1/elders",
                Some(&doctor_b),
                Some(&again.to_string()),
            )
            .await;
        assert!(status.is_client_error(), "{status}");
        let text = refused.to_string();
        assert!(
            !text.contains(&f.elder_a1),
            "the refusal names the record: {text}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("转") || message.contains("授权"),
            "the refusal says what to do (transfer or grant): {message}"
        );
        // Whoever may read the record is told which one it is.
        let (status, refused) = server
            .call(
                "POST",
                "/api/v1/elders",
                Some(&admin),
                Some(&again.to_string()),
            )
            .await;
        assert!(status.is_client_error());
        assert!(refused.to_string().contains(&f.elder_a1), "{refused}");
    }
}

#[tokio::test]
async fn reading_the_change_history_is_audited() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let f = Fixture::create(&server.app).await;
        let admin = server.login("admin", PASSWORD).await;
        let doctor = server.login("doctor", PASSWORD).await;
        let path = format!("/api/v1/elders/{}/history", f.elder_a1);
        let (status, _) = server.call("GET", &path, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, audit) = server
            .call(
                "GET",
                &format!("/api/v1/audit?target_id={}&per_page=200", f.elder_a1),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let reads: Vec<&Value> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["username"] == "doctor" && e["action"] == "elder_history_read")
            .collect();
        assert_eq!(reads.len(), 1, "{audit}");
    }
}

#[tokio::test]
async fn search_by_phone_is_for_roles_that_see_the_number_and_is_rate_limited() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let _f = Fixture::create(&server.app).await;
        // The fixture's elders share this phone number.
        let by_phone = "/api/v1/elders?q=13812345678";
        let supervisor = server.login("supervisor", PASSWORD).await;
        let (status, found) = server.call("GET", by_phone, Some(&supervisor), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            found["total"], 0,
            "a role that sees masked phones finds by phone: {found}"
        );

        let doctor = server.login("doctor", PASSWORD).await;
        let (status, found) = server.call("GET", by_phone, Some(&doctor), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(found["total"].as_i64().unwrap() >= 1, "{found}");
        // Enumerating numbers is slowed down: a run of phone searches is refused with 429.
        let mut limited = false;
        for n in 0..100 {
            let (status, _) = server
                .call(
                    "GET",
                    &format!("/api/v1/elders?q=139{n:08}"),
                    Some(&doctor),
                    None,
                )
                .await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                limited = true;
                break;
            }
            assert_eq!(status, StatusCode::OK);
        }
        assert!(limited, "100 phone searches in a row were all answered");
        // Name searches are not phone searches.
        let (status, _) = server
            .call("GET", "/api/v1/elders?q=%E7%8E%8B", Some(&doctor), None)
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}
