//! The elderly record through the use cases, on every backend: create, duplicates, search,
//! filters, pagination, edits with history, stale edits, audit, and bad input that changes
//! nothing.

use app::elders::ElderQuery;
use app::{AppError, Page};
use registry::{ElderInput, Problem, Sex};
use testkit::{actor, id_number, Fixture, COUNTY_A};

fn input(name: &str, id: &str) -> ElderInput {
    ElderInput {
        name: Some(name.into()),
        id_number: Some(id.into()),
        ..Default::default()
    }
}

fn invalid_fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn audit_count(app: &app::App, action: &str) -> i64 {
    let admin = app.system_actor("admin").await.unwrap();
    let filter = store::audit::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    app.search_audit(&admin, filter, Page::new(None, Some(1)))
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn create_search_edit_and_history_on_every_backend() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        let supervisor = actor(&app, "supervisor").await;

        // Only name and identity number are needed; region and organization come from the doctor.
        let id_text = id_number(COUNTY_A, 1940, 101, Sex::Male);
        let id = app
            .create_elder(&doctor, &input("欧阳修远", &id_text))
            .await
            .unwrap();
        let view = app.get_elder(&doctor, &id).await.unwrap();
        assert_eq!(
            view.responsible_org_id.as_deref(),
            Some(fixture.org_a1.as_str())
        );
        assert_eq!(
            view.region_code.as_deref(),
            Some("371402001"),
            "the health centre's township"
        );
        assert_eq!(view.sex, "male");
        assert_eq!(view.birth_date.as_deref(), Some("1940-03-15"));
        assert!(view
            .special_categories
            .contains(&"aged_80_plus".to_string()));
        assert_eq!(
            view.id_number, id_text,
            "doctors see the full number on the detail view"
        );
        assert!(!view.identity_masked);
        let supervisor_view = app.get_elder(&supervisor, &id).await.unwrap();
        assert_eq!(
            supervisor_view.id_number,
            registry::id_number::mask_identity(&id_text)
        );

        // One record per identity number: the duplicate points to the existing one.
        let error = app
            .create_elder(&doctor, &input("重复", &id_text.to_lowercase()))
            .await
            .unwrap_err();
        match error {
            AppError::Invalid(errors) => {
                assert_eq!(errors[0].field, "id_number");
                assert_eq!(
                    errors[0].problem,
                    Problem::Duplicate {
                        existing_id: id.clone()
                    }
                );
            }
            other => panic!("{other:?}"),
        }

        // Search by name prefix, pinyin initials, identity number, phone.
        let search = |q: &str| ElderQuery {
            q: Some(q.into()),
            ..Default::default()
        };
        for (q, expected) in [
            ("欧阳", 1),
            ("oyx", 1),
            ("OYXY", 1),
            (&id_text[..10], 1),
            (id_text.as_str(), 1),
            ("欧阳修远x", 0),
            ("王", 1),
        ] {
            let (_, total) = app
                .list_elders(&doctor, &search(q), Page::default())
                .await
                .unwrap();
            assert_eq!(total, expected, "{backend:?} search {q}");
        }
        // A supervisor sees phones masked, so a phone number finds nothing for them (it would
        // undo the mask); a doctor, who sees them in full, finds the elders in scope.
        let (_, by_phone) = app
            .list_elders(&supervisor, &search("138 1234 5678"), Page::default())
            .await
            .unwrap();
        assert_eq!(by_phone, 0, "{backend:?}: phone search by a masked role");
        let (_, by_phone) = app
            .list_elders(&doctor, &search("138 1234 5678"), Page::default())
            .await
            .unwrap();
        assert_eq!(
            by_phone, 2,
            "{backend:?}: the doctor's two elders of organization A1 share the fixture's phone"
        );

        // Filters and pagination.
        let eighty_plus = ElderQuery {
            category: Some("aged_80_plus".into()),
            ..Default::default()
        };
        let (items, total) = app
            .list_elders(&supervisor, &eighty_plus, Page::default())
            .await
            .unwrap();
        assert_eq!(total, 3, "born 1938, 1940 and 1945 in county A");
        assert!(items.iter().all(|e| e.age >= 80));
        let ages = ElderQuery {
            min_age: Some(70),
            max_age: Some(80),
            ..Default::default()
        };
        let (items, _) = app
            .list_elders(&supervisor, &ages, Page::default())
            .await
            .unwrap();
        assert!(
            items.iter().all(|e| (70..=80).contains(&e.age)),
            "{:?}",
            items.iter().map(|e| e.age).collect::<Vec<_>>()
        );
        let hypertension = ElderQuery {
            condition: Some("I10".into()),
            ..Default::default()
        };
        assert_eq!(
            app.list_elders(&supervisor, &hypertension, Page::default())
                .await
                .unwrap()
                .1,
            3
        );
        let page_one = app
            .list_elders(
                &supervisor,
                &ElderQuery::default(),
                Page::new(Some(1), Some(2)),
            )
            .await
            .unwrap();
        let page_two = app
            .list_elders(
                &supervisor,
                &ElderQuery::default(),
                Page::new(Some(2), Some(2)),
            )
            .await
            .unwrap();
        assert_eq!((page_one.0.len(), page_two.0.len(), page_one.1), (2, 2, 4));
        assert!(
            page_one
                .0
                .iter()
                .all(|a| page_two.0.iter().all(|b| a.id != b.id)),
            "pages do not overlap"
        );
        let names: Vec<&str> = page_one
            .0
            .iter()
            .chain(&page_two.0)
            .map(|e| e.name.as_str())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "ordered by name");

        // Edit: history records who changed what, old and new.
        let row = app.elder_for_edit(&doctor, &id).await.unwrap();
        let mut edited = app::elders::input_from_row(&row);
        edited.phone = Some("13900001111".into());
        edited.living_situation = Some("独居".into());
        let changed = app
            .update_elder(&doctor, &id, &edited, Some(row.version))
            .await
            .unwrap();
        assert_eq!(changed, vec!["phone", "living_situation"]);
        let history = app.elder_history(&doctor, &id).await.unwrap();
        assert_eq!(history.len(), 2);
        let phone_change = history.iter().find(|c| c.field == "phone").unwrap();
        assert_eq!(
            (
                phone_change.old_value.as_deref(),
                phone_change.new_value.as_deref()
            ),
            (None, Some("13900001111"))
        );
        assert_eq!(phone_change.username, "doctor");
        let masked = app.elder_history(&supervisor, &id).await.unwrap();
        assert_eq!(
            masked
                .iter()
                .find(|c| c.field == "phone")
                .unwrap()
                .new_value
                .as_deref(),
            Some("139****1111")
        );

        // A stale version is refused and changes nothing.
        edited.address = Some("新地址".into());
        assert!(matches!(
            app.update_elder(&doctor, &id, &edited, Some(row.version))
                .await,
            Err(AppError::Stale)
        ));
        assert_eq!(app.get_elder(&doctor, &id).await.unwrap().address, None);

        // Bad input changes nothing that was stored.
        let mut bad = app::elders::input_from_row(&app.elder_for_edit(&doctor, &id).await.unwrap());
        bad.id_number = Some(format!("{}0", &id_text[..17]));
        bad.name = Some("x".repeat(51));
        bad.contacts = vec![(Some("李四".into()), Some("儿子".into()), Some("123".into()))];
        let fields = invalid_fields(
            app.update_elder(&doctor, &id, &bad, None)
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["name", "id_number", "contacts[0].phone"]);
        let after = app.get_elder(&doctor, &id).await.unwrap();
        assert_eq!(
            (after.name.as_str(), after.phone.as_deref()),
            ("欧阳修远", Some("13900001111"))
        );
        assert_eq!(app.elder_history(&doctor, &id).await.unwrap().len(), 2);

        // SQL and HTML meta-characters are data, stored and returned literally.
        let tricky = "'; DROP TABLE elders;--<b>";
        let id2 = app
            .create_elder(
                &doctor,
                &ElderInput {
                    address: Some(tricky.into()),
                    ..input(
                        "O'Brien<script>",
                        &id_number(COUNTY_A, 1950, 103, Sex::Male),
                    )
                },
            )
            .await
            .unwrap();
        let view = app.get_elder(&doctor, &id2).await.unwrap();
        assert_eq!(
            (view.name.as_str(), view.address.as_deref()),
            ("O'Brien<script>", Some(tricky))
        );
        assert_eq!(
            app.list_elders(&supervisor, &search("O'Bri"), Page::default())
                .await
                .unwrap()
                .1,
            1
        );

        // The doctor cannot move a record out of reach, nor read one outside the scope.
        let mut moved =
            app::elders::input_from_row(&app.elder_for_edit(&doctor, &id).await.unwrap());
        moved.responsible_org_id = Some(fixture.org_b1.clone());
        assert_eq!(
            invalid_fields(
                app.update_elder(&doctor, &id, &moved, None)
                    .await
                    .unwrap_err()
            ),
            ["responsible_org_id"]
        );
        assert!(matches!(
            app.get_elder(&doctor, &fixture.elder_b1).await,
            Err(AppError::NotFound)
        ));

        // Every read and write was audited; the refused read too.
        assert!(audit_count(&app, "elder_read").await >= 4);
        assert!(audit_count(&app, "elder_create").await >= 6);
        assert_eq!(audit_count(&app, "elder_update").await, 1);
        assert!(audit_count(&app, "elder_list").await >= 10);
        assert!(audit_count(&app, "denied").await >= 1);
        assert!(audit_count(&app, "login").await >= 2);
    }
}

#[tokio::test]
async fn failed_logins_are_audited_and_rate_limited() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let ip = Some("10.0.0.9".to_string());
        for _ in 0..app::auth::MAX_FAILURES {
            let result = app
                .login(
                    "doctor",
                    "wrong",
                    ip.clone(),
                    app::auth::SessionKind::Bearer,
                )
                .await;
            assert!(matches!(result, Err(app::LoginError::WrongCredentials)));
        }
        // Locked now, even with the right password.
        let result = app
            .login(
                "doctor",
                testkit::PASSWORD,
                ip.clone(),
                app::auth::SessionKind::Bearer,
            )
            .await;
        assert!(
            matches!(result, Err(app::LoginError::RateLimited { .. })),
            "{result:?}"
        );
        assert_eq!(
            audit_count(&app, "login_failed").await,
            app::auth::MAX_FAILURES as i64 + 1
        );
        // Unknown users fail the same way.
        let result = app
            .login(
                "nobody",
                "x",
                Some("10.0.0.10".into()),
                app::auth::SessionKind::Bearer,
            )
            .await;
        assert!(matches!(result, Err(app::LoginError::WrongCredentials)));
    }
}

#[tokio::test]
async fn sessions_end_on_logout_and_when_a_user_is_deactivated() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        Fixture::create(&app).await;
        let admin = app.system_actor("admin").await.unwrap();
        let ok = app
            .login(
                "nurse",
                testkit::PASSWORD,
                None,
                app::auth::SessionKind::Cookie,
            )
            .await
            .unwrap();
        assert!(
            !ok.csrf_token.is_empty(),
            "cookie sessions carry a CSRF token"
        );
        let actor = app.authenticate(&ok.token, None).await.unwrap();
        assert_eq!(actor.username(), "nurse");
        app.logout(&actor, &ok.token).await.unwrap();
        assert!(matches!(
            app.authenticate(&ok.token, None).await,
            Err(AppError::Unauthenticated)
        ));

        let ok = app
            .login(
                "nurse",
                testkit::PASSWORD,
                None,
                app::auth::SessionKind::Bearer,
            )
            .await
            .unwrap();
        let (users, _) = app
            .list_users(&admin, Page::new(None, Some(200)))
            .await
            .unwrap();
        let nurse = users.iter().find(|u| u.username == "nurse").unwrap();
        let mut input = app::users::UserInput {
            display_name: Some(nurse.display_name.clone()),
            role: Some("nurse".into()),
            org_id: nurse.org_id.clone(),
            active: Some(false),
            ..Default::default()
        };
        app.update_user(&admin, &nurse.id, &input).await.unwrap();
        assert!(matches!(
            app.authenticate(&ok.token, None).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(app
            .login(
                "nurse",
                testkit::PASSWORD,
                None,
                app::auth::SessionKind::Bearer
            )
            .await
            .is_err());
        input.active = Some(true);
        input.password = Some("short".into());
        assert_eq!(
            invalid_fields(
                app.update_user(&admin, &nurse.id, &input)
                    .await
                    .unwrap_err()
            ),
            ["password"]
        );
    }
}
