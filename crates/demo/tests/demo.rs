//! The demo region in a real database, on every backend: it is stored whole, its demo users
//! sign in and see the scopes their roles give them, staff accounts cannot sign in, and a
//! second run is refused instead of mixing into existing records.

use app::auth::SessionKind;
use app::elders::ElderQuery;
use app::{Actor, AppError, LoginError, Page};
use demo::{DemoOptions, DEMO_USERS};
use std::sync::Mutex;

const ELDERS: usize = 3_000;

async fn login(app: &app::App, username: &str, password: &str) -> Actor {
    app.login(
        username,
        password,
        Some("127.0.0.1".into()),
        SessionKind::Bearer,
    )
    .await
    .unwrap_or_else(|e| panic!("{username} signs in: {e}"))
    .actor
}

async fn visible(app: &app::App, actor: &Actor, query: ElderQuery) -> i64 {
    app.list_elders(actor, &query, Page::new(None, Some(5)))
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn demo_county_is_stored_and_its_users_sign_in_with_their_scopes() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let reported = Mutex::new(Vec::new());
        let summary = demo::generate(
            &app,
            &DemoOptions {
                elders: ELDERS,
                seed: 2026,
                password: None,
            },
            &|done| reported.lock().unwrap().push(done),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        let password = summary
            .generated_password
            .clone()
            .expect("a password is generated when none is given");
        assert_eq!(summary.elders, ELDERS);
        assert_eq!(*reported.lock().unwrap(), vec![ELDERS as u64]);
        assert!((25..=40).contains(&summary.organizations), "{summary:?}");
        assert!(summary.regions > 60, "{summary:?}");

        let admin = testkit::bootstrap_admin(&app).await;
        assert_eq!(
            visible(&app, &admin, ElderQuery::default()).await,
            ELDERS as i64
        );
        let (_, orgs) = app
            .list_orgs(&admin, Default::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(orgs, summary.organizations as i64);
        let (_, users) = app.list_users(&admin, Page::default()).await.unwrap();
        assert_eq!(
            users,
            summary.users as i64 + 1,
            "staff, demo users and admin"
        );

        let mut actors = Vec::new();
        for username in DEMO_USERS {
            actors.push(login(&app, username, &password).await);
        }
        let [supervisor, doctor, nurse, caregiver, assessor, assessor2, family] = &actors[..]
        else {
            unreachable!()
        };
        let by_supervisor = visible(&app, supervisor, ElderQuery::default()).await;
        let by_doctor = visible(&app, doctor, ElderQuery::default()).await;
        assert_eq!(by_supervisor, ELDERS as i64, "one county: the supervisor's");
        assert!(
            by_doctor > 0 && by_doctor < by_supervisor,
            "doctor {by_doctor}, supervisor {by_supervisor}"
        );
        assert_eq!(visible(&app, nurse, ElderQuery::default()).await, by_doctor);
        assert_eq!(
            visible(&app, assessor, ElderQuery::default()).await,
            by_supervisor,
            "the assessment centre works across the county"
        );
        // The demo assessments: a worklist with due, waiting and requested work, all scored.
        let worklist = app
            .assessment_worklist(assessor2, 60, app::Page::default())
            .await
            .unwrap();
        assert!(worklist.due_total > 0, "some reassessments are due");
        assert!(
            !worklist.awaiting.is_empty(),
            "some wait for a second assessor"
        );
        assert!(!worklist.requests.is_empty(), "some were requested");
        let today = app::today(app.now());
        let counts = app
            .assessment_counts(supervisor, today - chrono::Duration::days(500), today, None)
            .await
            .unwrap();
        let assessed: i64 = counts.iter().map(|c| c.n).sum();
        assert!(assessed > 1000, "{assessed} demo assessments");
        // Home devices with a month of readings, and a few alerts open on the doctor's board.
        let (devices, device_total) = app
            .list_devices(doctor, None, Page::default())
            .await
            .unwrap();
        assert!(device_total >= 40, "{device_total} demo devices");
        assert!(devices.iter().all(|d| d.bound));
        let (alerts, _) = app
            .list_alerts(doctor, &Default::default(), Page::default())
            .await
            .unwrap();
        let mut rules: Vec<&str> = alerts.iter().map(|a| a.row.rule.as_str()).collect();
        rules.sort();
        for rule in ["bp_crisis", "fall", "hypoglycaemia"] {
            assert!(rules.contains(&rule), "demo alert {rule} in {rules:?}");
        }
        // The database is marked, and the simulator's use case finds the demo elders and the
        // demo devices with the last seq of each.
        assert!(app.is_demo_database().await.unwrap());
        let fleet = app.demo_fleet(&admin, "DEMO-").await.unwrap();
        assert_eq!(fleet.elders.len(), ELDERS);
        assert_eq!(fleet.devices.len() as i64, device_total);
        assert!(fleet
            .devices
            .iter()
            .all(|d| d.bound && d.last_seq > Some(0)));

        let residents = visible(&app, caregiver, ElderQuery::default()).await;
        assert!(residents > 0, "the care home has residents");
        let (own, total) = app
            .list_elders(family, &ElderQuery::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(total, 1);
        assert_eq!(own[0].status, "alive");
        assert_eq!(
            own[0].responsible_org_id,
            doctor.org_id().map(str::to_string),
            "the family's elder is one of the doctor's"
        );

        // The distributions survive storage: searches and filters find realistic shares.
        let hypertension = visible(
            &app,
            &admin,
            ElderQuery {
                condition: Some("I10".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(
            (1_350..=1_800).contains(&hypertension),
            "hypertension {hypertension}"
        );
        let name = &own[0].name;
        let surname: String = name.chars().take(1).collect();
        let by_name = visible(
            &app,
            &admin,
            ElderQuery {
                q: Some(surname),
                ..Default::default()
            },
        )
        .await;
        assert!(by_name >= 1);

        // Staff accounts that are not demo logins cannot sign in, whatever the password.
        let (staff, _) = app
            .list_users(&admin, Page::new(None, Some(200)))
            .await
            .unwrap();
        let clerk = staff
            .iter()
            .find(|u| u.username.starts_with('s') && u.username != "supervisor")
            .expect("staff accounts exist");
        for attempt in [password.as_str(), "", "!"] {
            let refused = app
                .login(&clerk.username, attempt, None, SessionKind::Bearer)
                .await;
            assert!(matches!(refused, Err(LoginError::WrongCredentials)));
        }

        // A second run is refused and changes nothing.
        let again = demo::generate(
            &app,
            &DemoOptions {
                elders: 10,
                seed: 1,
                password: Some("Other-pass-1".into()),
            },
            &|_| {},
        )
        .await;
        assert!(matches!(again, Err(AppError::Internal(_))));
        assert_eq!(
            visible(&app, &admin, ElderQuery::default()).await,
            ELDERS as i64
        );
    }
}

#[tokio::test]
async fn demo_users_take_the_given_password() {
    let db = testkit::TestDb::new(&testkit::Backend::Sqlite).await;
    let app = db.app().await;
    let summary = demo::generate(
        &app,
        &DemoOptions {
            elders: 200,
            seed: 5,
            password: Some("Demo-pass-2026".into()),
        },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.generated_password, None);
    assert_eq!(summary.elders, 200);
    assert!(
        app.is_demo_database().await.unwrap(),
        "the generator marks it"
    );
    let doctor = login(&app, "doctor", "Demo-pass-2026").await;
    assert_eq!(doctor.role(), access::Role::Doctor);
    let wrong = app
        .login("doctor", "Demo-pass-2027", None, SessionKind::Bearer)
        .await;
    assert!(matches!(wrong, Err(LoginError::WrongCredentials)));
}

/// The demo's bulk path keeps the record's rules: a duplicate identity number undoes the open
/// transaction, and a reference to a missing organization is refused (PostgreSQL, row by row)
/// or reported when the load finishes (SQLite, which checks references once at the end).
#[tokio::test]
async fn bulk_load_refuses_duplicates_and_reports_dangling_references() {
    use store::elders::{BulkLoad, ElderColumns};
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let fixture = testkit::Fixture::create(&app).await;
        let now = app.now();
        let elder = |seq: u16, org: &str| {
            let input = registry::ElderInput {
                name: Some("赵桂兰".into()),
                id_number: Some(testkit::id_number(
                    testkit::COUNTY_A,
                    1944,
                    seq,
                    registry::Sex::Female,
                )),
                region_code: Some("371402001".into()),
                responsible_org_id: Some(org.into()),
                ..Default::default()
            };
            ElderColumns::from_valid(&input.validate(app::today(now)).unwrap())
        };
        let stored = || async {
            let mut conn = app.store().acquire().await.unwrap();
            store::elders::counts(&mut conn, &testkit::everything())
                .await
                .unwrap()
                .total
        };
        let before = stored().await;

        let mut load = BulkLoad::start(app.store(), &testkit::everything())
            .await
            .unwrap();
        load.insert(&[elder(2, &fixture.org_a1), elder(4, &fixture.org_a1)], now)
            .await
            .unwrap();
        let duplicate = load.insert(&[elder(2, &fixture.org_a1)], now).await;
        assert!(
            matches!(duplicate, Err(store::StoreError::Conflict(_))),
            "{}: {duplicate:?}",
            backend.name()
        );
        load.insert(&[elder(6, &fixture.org_a1)], now)
            .await
            .unwrap();
        load.finish().await.unwrap();
        assert_eq!(
            stored().await,
            before + 1,
            "{}: the duplicate undid its whole transaction; the next one is stored",
            backend.name()
        );

        let mut load = BulkLoad::start(app.store(), &testkit::everything())
            .await
            .unwrap();
        let dangling = load.insert(&[elder(8, "no-such-organization")], now).await;
        match backend {
            testkit::Backend::Sqlite => {
                dangling.unwrap();
                let finished = load.finish().await;
                assert!(
                    matches!(finished, Err(store::StoreError::Corrupt(_))),
                    "{finished:?}"
                );
            }
            testkit::Backend::Postgres { .. } => assert!(dangling.is_err()),
        }
    }
}

fn refuses_as_not_demo<T>(outcome: &Result<T, AppError>) -> bool {
    match outcome {
        Err(AppError::Invalid(errors)) => {
            errors.len() == 1
                && errors[0].field == "database"
                && errors[0]
                    .problem
                    .message(registry::Lang::En)
                    .contains("not a yiyang demo database (no demo marker)")
        }
        _ => false,
    }
}

/// A database with records and no demo marker is never filled with simulated data: the
/// generator, the device seeder, the simulator's use case and the raw store are all refused
/// with the same message, and nothing is added.
#[tokio::test]
async fn a_database_without_the_demo_marker_is_refused_by_every_seeder() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        testkit::Fixture::create(&app).await;
        let admin = testkit::bootstrap_admin(&app).await;
        let elders_before = visible(&app, &admin, ElderQuery::default()).await;
        let (_, devices_before) = app
            .list_devices(&admin, None, Page::default())
            .await
            .unwrap();

        let generated = demo::generate(
            &app,
            &DemoOptions {
                elders: 10,
                seed: 1,
                password: None,
            },
            &|_| {},
        )
        .await;
        assert!(
            refuses_as_not_demo(&generated),
            "{}: generate",
            backend.name()
        );
        let seeded = demo::devices::seed(&app, app.store(), 1, app.now()).await;
        assert!(refuses_as_not_demo(&seeded), "{}: devices", backend.name());
        let fleet = app.demo_fleet(&admin, "SIM-").await;
        assert!(refuses_as_not_demo(&fleet), "{}: simulator", backend.name());
        assert!(refuses_as_not_demo(&app.demo_store().await));
        assert!(refuses_as_not_demo(&app.demo_authorized().await));
        assert!(refuses_as_not_demo(&app.mark_demo_database().await));

        assert!(!app.is_demo_database().await.unwrap());
        assert_eq!(
            visible(&app, &admin, ElderQuery::default()).await,
            elders_before
        );
        let (_, devices_after) = app
            .list_devices(&admin, None, Page::default())
            .await
            .unwrap();
        assert_eq!(devices_after, devices_before);
    }
}
