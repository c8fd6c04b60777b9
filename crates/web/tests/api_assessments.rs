//! The scoring API and the assessment endpoints as outside clients use them: exact field names,
//! 422s that name the item, 404 for an unknown instrument, nothing stored by scoring.

mod common;

use axum::http::StatusCode;
use common::{error_fields, Server};
use serde_json::{json, Value};
use testkit::{Fixture, PASSWORD};

fn gbt_all_best() -> serde_json::Map<String, Value> {
    assessment::catalog()
        .get("gbt42195_2022")
        .unwrap()
        .items
        .iter()
        .map(|i| (i.id.clone(), Value::from(i.scores()[0])))
        .collect()
}

async fn score(server: &Server, instrument: &str, answers: Value) -> (StatusCode, Value) {
    let body = json!({ "answers": answers }).to_string();
    server
        .call(
            "POST",
            &format!("/api/v1/instruments/{instrument}/score"),
            None,
            Some(&body),
        )
        .await
}

#[tokio::test]
async fn scoring_answers_with_the_documented_fields() {
    let backend = testkit::backends().remove(0);
    let server = Server::start(&backend).await;

    let mut answers = gbt_all_best();
    answers.insert("coma".into(), true.into());
    let (status, body) = score(&server, "gbt42195_2022", Value::Object(answers)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 90);
    assert_eq!(body["initial_grade"], 0);
    assert_eq!(body["grade"], 4, "coma overrides the score");
    assert_eq!(body["band"], "complete");
    assert_eq!(
        body["subscores"],
        json!({"B1": 32, "B2": 15, "B3": 28, "B4": 15})
    );

    let (status, body) = score(
        &server,
        "news2",
        json!({"respiration_rate": 25, "spo2": 95, "on_oxygen": false, "systolic_bp": 120,
               "pulse": 80, "consciousness": "alert", "temperature": 37.0}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["total"].as_i64(), body["band"].as_str()),
        (Some(4), Some("low_medium"))
    );
    assert_eq!(body["parameter_scores"]["respiration_rate"], 3);
    assert_eq!(body["parameter_scores"]["spo2_scale1"], 1);

    let tcm: serde_json::Map<String, Value> = (1..=33)
        .map(|n| (format!("q{n}"), Value::from(3)))
        .collect();
    let (status, body) = score(&server, "tcm_constitution_33", Value::Object(tcm)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["constitutions"]["qixu"]["score"], 12);
    assert_eq!(body["constitutions"]["qixu"]["verdict"], "是");
    assert_eq!(body["constitutions"]["pinghe"]["verdict"], "否");

    let (status, body) = score(
        &server,
        "cn_resident_id",
        json!({"id_number": "440524188001010014"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            &body["valid"],
            &body["birth_date"],
            &body["sex"],
            &body["region_code"]
        ),
        (
            &json!(true),
            &json!("1880-01-01"),
            &json!("male"),
            &json!("440524")
        )
    );
    let (_, body) = score(
        &server,
        "cn_resident_id",
        json!({"id_number": "110105194912310021"}),
    )
    .await;
    assert_eq!(body["valid"], false);

    // Morse 50: the two published band sets disagree; the query picks one for this call.
    let morse = json!({"history_of_falling": 25, "secondary_diagnosis": 15, "ambulatory_aid": 0,
        "iv_therapy": 0, "gait": 10, "mental_status": 0});
    let (_, body) = score(&server, "morse", morse.clone()).await;
    assert_eq!(body["band"], "high", "cn_common by default");
    let body_text = json!({ "answers": morse }).to_string();
    let (_, body) = server
        .call(
            "POST",
            "/api/v1/instruments/morse/score?band_set=morse_original",
            None,
            Some(&body_text),
        )
        .await;
    assert_eq!(body["band"], "low");
    assert_eq!(
        body["band_sets"],
        json!({"cn_common": "high", "morse_original": "low"})
    );

    // GDS-15: items 1, 5, 7, 11, 13 count for "no"; 5 depressive answers is a positive screen.
    // All "no": only the five reversed items score.
    let gds: serde_json::Map<String, Value> = (1..=15)
        .map(|n| (format!("q{n}"), Value::from("no")))
        .collect();
    let (status, body) = score(&server, "gds15", Value::Object(gds)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["total"].as_i64(),
            body["band"].as_str(),
            body["screen_positive"].as_bool()
        ),
        (Some(5), Some("mild"), Some(true))
    );

    let (status, body) = score(&server, "ltc_disability_2021", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).len(), 17, "every missing item is named");
}

#[tokio::test]
async fn refused_answer_sets_name_the_item() {
    let backend = testkit::backends().remove(0);
    let server = Server::start(&backend).await;
    let mut answers = gbt_all_best();
    answers.insert("B2.4".into(), 4.into());
    answers.remove("B4.4");
    answers.insert("B9.9".into(), 1.into());
    answers.insert("B1.1".into(), "four".into());
    let (status, body) = score(&server, "gbt42195_2022", Value::Object(answers)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(fields, ["B1.1", "B2.4", "B4.4", "B9.9"]);
    assert!(body.to_string().contains("上下楼梯"), "{body}");

    let (status, _) = score(&server, "no_such_instrument", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for bad in [
        "not json",
        "[]",
        r#"{"answers": [1]}"#,
        r#"{"answers": {}, "extra": 1}"#,
        "{}",
    ] {
        let (status, body) = server
            .call("POST", "/api/v1/instruments/barthel/score", None, Some(bad))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["errors"][0]["message"].is_string());
    }
    let (status, body) = server
        .call(
            "POST",
            "/api/v1/instruments/morse/score?band_set=nope",
            None,
            Some(r#"{"answers":{}}"#),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["band_set"]);
}

#[tokio::test]
async fn recording_through_the_api_on_every_backend() {
    for backend in testkit::backends() {
        let server = Server::start(&backend).await;
        let fixture = Fixture::create(&server.app).await;
        let assessor = server.login("assessor", PASSWORD).await;
        let second = server.login("assessor2", PASSWORD).await;
        let elder = &fixture.elder_a1;
        let body = json!({"instrument_id": "gbt42195_2022", "place": "centre",
            "answers": gbt_all_best()})
        .to_string();
        let (status, created) = server
            .call(
                "POST",
                &format!("/api/v1/elders/{elder}/assessments"),
                Some(&assessor),
                Some(&body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["status"], "awaiting_confirmation");
        assert_eq!(created["result"]["grade"], 0);
        let id = created["id"].as_str().unwrap();
        let (status, confirmed) = server
            .call(
                "POST",
                &format!("/api/v1/assessments/{id}/confirm"),
                Some(&second),
                Some("{}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
        assert_eq!(confirmed["status"], "final");
        let (_, listed) = server
            .call(
                "GET",
                &format!("/api/v1/elders/{elder}/assessments"),
                Some(&assessor),
                None,
            )
            .await;
        assert_eq!(listed["levels"]["care_level"], "self_care");
        assert_eq!(listed["levels"]["ability_grade"], 0);
        assert_eq!(listed["current"][0]["instrument_id"], "gbt42195_2022");
        // Due in a year: on the worklist a year ahead, one per page.
        for (page, listed) in [(1, 1), (2, 0)] {
            let (status, list) = server
                .call(
                    "GET",
                    &format!("/api/v1/assessments/worklist?within_days=366&per_page=1&page={page}"),
                    Some(&assessor),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{list}");
            assert_eq!(list["due_total"], 1);
            assert_eq!(list["due"].as_array().unwrap().len(), listed, "page {page}");
        }
        let (status, body) = server
            .call(
                "GET",
                "/api/v1/assessments/worklist?page=0",
                Some(&assessor),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&body), ["page"]);
        let supervisor = server.login("supervisor", PASSWORD).await;
        let (_, dashboard) = server
            .call("GET", "/api/v1/dashboard", Some(&supervisor), None)
            .await;
        assert_eq!(
            dashboard["care_levels"],
            json!({"self_care": 1, "semi_dependent": 0, "fully_dependent": 0})
        );

        let future =
            json!({"instrument_id": "barthel", "place": "home", "assessed_on": "2999-01-01",
            "answers": {"feeding": 10}})
            .to_string();
        let (status, body) = server
            .call(
                "POST",
                &format!("/api/v1/elders/{elder}/assessments"),
                Some(&assessor),
                Some(&future),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = error_fields(&body);
        assert!(fields.contains(&"assessed_on".to_string()), "{fields:?}");
        assert!(fields.contains(&"bathing".to_string()), "{fields:?}");
        eprintln!("assessment API passed on {}", backend.name());
    }
}
