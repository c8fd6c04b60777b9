//! Assessments through the use cases, on every backend: signing, the second assessor, what a
//! final result changes (current result, care level, subsidy, worklist), reassessment requests,
//! counts for supervision, and bad input that stores nothing.

use app::assessments::{AssessmentInput, Status};
use app::AppError;
use serde_json::{json, Map, Value};
use testkit::{actor, Fixture};

fn answers(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

/// GB/T 42195 answers with every item at `level` of its options (0 = best option).
fn gbt(worse_by: usize) -> Map<String, Value> {
    let gbt = assessment::catalog().get("gbt42195_2022").unwrap();
    gbt.items
        .iter()
        .map(|item| {
            let scores = item.scores();
            let pick = scores[worse_by.min(scores.len() - 1)];
            (item.id.clone(), Value::from(pick))
        })
        .collect()
}

fn barthel(total_minus: i64) -> Map<String, Value> {
    let mut a = answers(
        json!({"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10,
        "bowels": 10, "bladder": 10, "toilet": 10, "transfer": 15, "mobility": 15, "stairs": 10}),
    );
    if total_minus >= 10 {
        a.insert("stairs".into(), 0.into());
    }
    a
}

fn input(instrument: &str, answers: Map<String, Value>) -> AssessmentInput {
    AssessmentInput {
        instrument_id: Some(instrument.into()),
        answers,
        place: Some("home".into()),
        ..Default::default()
    }
}

fn invalid_fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn audit_details(app: &app::App, action: &str) -> Vec<String> {
    let admin = app.system_actor("admin").await.unwrap();
    let filter = store::audit::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    app.search_audit(&admin, filter, app::Page::new(None, Some(200)))
        .await
        .unwrap()
        .0
        .into_iter()
        .filter_map(|row| row.detail)
        .collect()
}

async fn assessment_count(app: &app::App) -> i64 {
    let mut conn = app.store().acquire().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM assessments")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_gbt42195_assessment_counts_once_a_second_assessor_confirms() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let assessor = actor(&app, "assessor").await;
        let second = actor(&app, "assessor2").await;
        let elder = fixture.home_resident.as_str();

        // Every item one option below the best: 26 items, total well below 90.
        let mut a = gbt(1);
        a.insert("dementia_or_mental_disorder".into(), true.into());
        let (id, status) = app
            .record_assessment(&assessor, elder, &input("gbt42195_2022", a))
            .await
            .expect("signed");
        assert_eq!(status, Status::AwaitingConfirmation);
        let before = app.elder_assessments(&assessor, elder).await.unwrap();
        assert!(before.levels.is_none(), "no level before confirmation");
        assert!(before.current.is_empty());
        let worklist = app
            .assessment_worklist(&assessor, 30, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.awaiting.iter().any(|a| a.row.id == id));
        assert!(
            audit_details(&app, "assessment_read")
                .await
                .iter()
                .any(|d| d.starts_with("worklist: ")),
            "reading the worklist is audited"
        );

        let same = app.confirm_assessment(&assessor, &id).await.unwrap_err();
        assert_eq!(invalid_fields(same), ["second_assessor"]);
        let doctor = actor(&app, "doctor").await;
        assert!(matches!(
            app.confirm_assessment(&doctor, &id).await,
            Err(AppError::Forbidden)
        ));
        app.confirm_assessment(&second, &id)
            .await
            .expect("confirmed");
        assert!(app.confirm_assessment(&second, &id).await.is_err());

        let after = app.elder_assessments(&assessor, elder).await.unwrap();
        let view = &after.history[0];
        assert_eq!(view.row.status.code(), "final");
        assert_eq!(
            view.row.second_assessor_name.as_deref(),
            Some("测试assessor2")
        );
        let total = view.row.total.unwrap();
        // 26 items one step down: 26 points off 90 → 64, grade 2; dementia raises it to 3.
        assert_eq!(total, 64);
        assert_eq!(view.result["initial_grade"], 2);
        assert_eq!(view.row.grade, Some(3));
        let levels = after.levels.clone().expect("levels");
        assert_eq!(levels.ability_grade, Some(3));
        assert_eq!(levels.care_level.as_deref(), Some("fully_dependent"));
        // Lives in a care home: provincial 2400 + municipal 200.
        assert_eq!(after.subsidy_yuan, Some(2600));
        let current = &after.current[0];
        assert_eq!(current.instrument_id, "gbt42195_2022");
        let due: chrono::NaiveDate = current.next_due_on.as_ref().unwrap().parse().unwrap();
        let on: chrono::NaiveDate = current.assessed_on.parse().unwrap();
        assert_eq!(due, on.checked_add_months(chrono::Months::new(12)).unwrap());
        let worklist = app
            .assessment_worklist(&assessor, 30, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.awaiting.is_empty());
        // Due in a year: not in the next 30 days, but within 366.
        assert!(worklist.due.is_empty());
        let later = app
            .assessment_worklist(&assessor, 366, app::Page::default())
            .await
            .unwrap();
        assert_eq!(later.due.len(), 1);
        assert_eq!(later.due[0].elder_id, elder);

        // The care home's subsidy: one fully dependent resident, 2400 + 200 yuan a year.
        let supervisor = actor(&app, "supervisor").await;
        let subsidies = app.institution_subsidies(&supervisor).await.unwrap();
        assert_eq!(subsidies.len(), 1);
        assert_eq!(
            (
                subsidies[0].org_id.as_str(),
                subsidies[0].residents,
                subsidies[0].total_yuan()
            ),
            (fixture.home_a.as_str(), [0, 0, 1], 2600)
        );

        // The elder list filters by care level.
        let by_level = |level: &str| app::elders::ElderQuery {
            care_level: Some(level.into()),
            ..Default::default()
        };
        let (found, total) = app
            .list_elders(
                &assessor,
                &by_level("fully_dependent"),
                app::Page::default(),
            )
            .await
            .unwrap();
        assert_eq!((total, found[0].id.as_str()), (1, elder));
        let (found, _) = app
            .list_elders(&assessor, &by_level("unassessed"), app::Page::default())
            .await
            .unwrap();
        assert!(found.iter().all(|e| e.id != elder));
        assert!(!found.is_empty());
        let refused = app
            .list_elders(&assessor, &by_level("very_dependent"), app::Page::default())
            .await
            .unwrap_err();
        assert_eq!(invalid_fields(refused), ["care_level"]);

        // Supervision counts it in its township.
        let today = app::today(app.now());
        let rows = app
            .assessment_counts(&supervisor, today - chrono::Duration::days(1), today, None)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].instrument_id.as_str(), rows[0].grade, rows[0].n),
            ("gbt42195_2022", Some(3), 1)
        );
        eprintln!("gbt42195 flow passed on {}", backend.name());
    }
}

#[tokio::test]
async fn an_assessment_awaiting_confirmation_can_be_returned_and_then_never_counts() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let assessor = actor(&app, "assessor").await;
        let second = actor(&app, "assessor2").await;
        let elder = fixture.elder_a1.as_str();
        let all_best = input("gbt42195_2022", gbt(0));
        let sign = || app.record_assessment(&assessor, elder, &all_best);

        // The second assessor disagrees and sends it back with a reason.
        let (first, _) = sign().await.unwrap();
        let missing = app
            .return_assessment(&second, &first, None)
            .await
            .unwrap_err();
        assert_eq!(invalid_fields(missing), ["reason"]);
        let nurse = actor(&app, "nurse").await;
        assert!(matches!(
            app.return_assessment(&nurse, &first, Some("x")).await,
            Err(AppError::Forbidden)
        ));
        app.return_assessment(&second, &first, Some("B3.4 记忆与家属描述不符"))
            .await
            .unwrap();
        let view = app.get_assessment(&assessor, &first).await.unwrap();
        assert_eq!(view.row.status.code(), "returned");
        assert_eq!(
            view.row.return_reason.as_deref(),
            Some("B3.4 记忆与家属描述不符")
        );
        assert_eq!(view.row.returned_by_name.as_deref(), Some("测试assessor2"));
        assert!(app.confirm_assessment(&second, &first).await.is_err());
        assert!(app
            .return_assessment(&second, &first, Some("again"))
            .await
            .is_err());

        // The signer takes a second one back before anyone confirms it.
        let (taken_back, _) = sign().await.unwrap();
        app.return_assessment(&assessor, &taken_back, Some("选错了老人"))
            .await
            .unwrap();
        let found = app.elder_assessments(&assessor, elder).await.unwrap();
        assert!(found.levels.is_none(), "a returned assessment never counts");
        assert!(found.current.is_empty());
        let worklist = app
            .assessment_worklist(&assessor, 30, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.awaiting.is_empty());
        eprintln!("returns passed on {}", backend.name());
    }
}

#[tokio::test]
async fn a_screening_scale_is_final_at_signing_and_a_request_waits_for_it() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let nurse = actor(&app, "nurse").await;
        let caregiver = actor(&app, "caregiver").await;
        let elder = fixture.home_resident.as_str();

        let request = app
            .request_reassessment(&caregiver, elder, Some("barthel"), Some("近一周两次跌倒"))
            .await
            .expect("requested");
        let assessor = actor(&app, "assessor").await;
        let worklist = app
            .assessment_worklist(&assessor, 30, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.requests.iter().any(|r| r.id == request));

        let (_, status) = app
            .record_assessment(&nurse, elder, &input("barthel", barthel(10)))
            .await
            .expect("signed");
        assert_eq!(status, Status::Final);
        let found = app.elder_assessments(&nurse, elder).await.unwrap();
        assert_eq!(found.history[0].row.total, Some(90));
        assert_eq!(found.history[0].row.band.as_deref(), Some("mild"));
        let levels = found.levels.expect("levels");
        assert_eq!(levels.care_level.as_deref(), Some("semi_dependent"));
        assert_eq!(levels.care_level_instrument.as_deref(), Some("barthel"));
        assert!(found.open_requests.is_empty(), "the assessment answers it");
        let worklist = app
            .assessment_worklist(&assessor, 30, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.requests.is_empty());

        // A doctor may not take an assessor-only instrument.
        let doctor = actor(&app, "doctor").await;
        assert!(matches!(
            app.record_assessment(&doctor, elder, &input("gbt42195_2022", gbt(0)))
                .await,
            Err(AppError::Forbidden)
        ));
        eprintln!("screening flow passed on {}", backend.name());
    }
}

#[tokio::test]
async fn bad_assessments_name_the_field_and_store_nothing() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let assessor = actor(&app, "assessor").await;
        let elder = fixture.elder_a1.as_str();
        let before = assessment_count(&app).await;

        let mut missing = gbt(0);
        missing.remove("B2.4");
        missing.insert("B3.7".into(), 2.into());
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &input("gbt42195_2022", missing))
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["B2.4", "B3.7"]);

        let mut unknown = gbt(0);
        unknown.insert("B9.9".into(), 1.into());
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &input("gbt42195_2022", unknown))
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["B9.9"]);

        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &input("no_such_scale", gbt(0)))
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["instrument_id"]);
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &input("cn_resident_id", Map::new()))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            fields,
            ["instrument_id"],
            "the identity checker is not recordable"
        );

        let tomorrow = (app::today(app.now()) + chrono::Duration::days(1)).to_string();
        let future = AssessmentInput {
            assessed_on: Some(tomorrow),
            ..input("gbt42195_2022", gbt(0))
        };
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &future)
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["assessed_on"]);
        let before_birth = AssessmentInput {
            assessed_on: Some("1940-01-01".into()),
            ..input("gbt42195_2022", gbt(0))
        };
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &before_birth)
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["assessed_on"]);
        let nowhere = AssessmentInput {
            place: Some("moon".into()),
            reason: Some("whim".into()),
            ..input("gbt42195_2022", gbt(0))
        };
        let fields = invalid_fields(
            app.record_assessment(&assessor, elder, &nowhere)
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["place", "reason"]);

        // Outside the assessor's organization: not found, and audited as a refusal.
        assert!(matches!(
            app.record_assessment(
                &assessor,
                &fixture.elder_b1,
                &input("gbt42195_2022", gbt(0))
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert_eq!(assessment_count(&app).await, before, "nothing stored");
        eprintln!("bad input passed on {}", backend.name());
    }
}
