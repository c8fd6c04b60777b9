//! Record grants through the use cases, on every backend: who may grant, what a grant lets its
//! grantee read (and not change), the audit row naming the grant, and revocation and expiry
//! taking effect on the very next read.

use access::grant::GrantRequest;
use app::grants::GrantStatus;
use app::{Actor, App, AppError, Page};
use testkit::{actor, Fixture, PASSWORD};

async fn staff_of(app: &App, username: &str, role: &str, org: &str) -> Actor {
    let admin = app.system_actor("admin").await.unwrap();
    let input = app::users::UserInput {
        username: Some(username.into()),
        display_name: Some(format!("测试{username}")),
        role: Some(role.into()),
        org_id: Some(org.into()),
        password: Some(PASSWORD.into()),
        ..Default::default()
    };
    app.create_user(&admin, &input).await.unwrap();
    actor(app, username).await
}

fn to_org(org: &str, until: &str) -> GrantRequest {
    GrantRequest {
        organization_id: Some(org.into()),
        reason: Some("上转至县医院老年科".into()),
        until: Some(until.into()),
        ..Default::default()
    }
}

fn tomorrow() -> String {
    (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()
}

async fn grant_audit_rows(app: &App, grant_id: &str) -> Vec<(String, String)> {
    let admin = app.system_actor("admin").await.unwrap();
    let filter = store::audit::AuditFilter::default();
    let (rows, _) = app
        .search_audit(&admin, filter, Page::new(None, Some(200)))
        .await
        .unwrap();
    rows.into_iter()
        .filter(|r| r.grant_id.as_deref() == Some(grant_id))
        .map(|r| (r.action, r.username.unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn a_grant_lets_another_organization_read_one_record_until_revoked() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let f = Fixture::create(&app).await;
        let doctor = actor(&app, "doctor").await;
        let hospital = staff_of(&app, "doctor_b", "doctor", &f.org_b1).await;

        // Before: the receiving hospital's doctor cannot see the elder of org_a1.
        assert!(matches!(
            app.get_elder(&hospital, &f.elder_a1).await,
            Err(AppError::NotFound)
        ));
        let grant = app
            .create_grant(&doctor, &f.elder_a1, &to_org(&f.org_b1, &tomorrow()))
            .await
            .unwrap();

        // Now it can read that record, and only that one, and the read names the grant.
        let view = app.get_elder(&hospital, &f.elder_a1).await.unwrap();
        assert_eq!(view.id, f.elder_a1);
        assert!(matches!(
            app.get_elder(&hospital, &f.home_resident).await,
            Err(AppError::NotFound)
        ));
        let (listed, _) = app
            .list_elders(&hospital, &Default::default(), Page::default())
            .await
            .unwrap();
        assert!(listed.iter().any(|e| e.id == f.elder_a1));
        assert!(!listed.iter().any(|e| e.id == f.home_resident));
        let audited = grant_audit_rows(&app, &grant).await;
        assert!(audited.contains(&("grant_create".into(), "doctor".into())));
        assert!(audited.contains(&("elder_read".into(), "doctor_b".into())));
        // The responsible doctor's own reads rely on no grant.
        app.get_elder(&doctor, &f.elder_a1).await.unwrap();
        assert!(!grant_audit_rows(&app, &grant)
            .await
            .iter()
            .any(|(action, user)| action == "elder_read" && user == "doctor"));

        // A grant is for reading: no edits, and no passing the record on.
        let input =
            app::elders::input_from_row(&app.elder_for_edit(&doctor, &f.elder_a1).await.unwrap());
        assert!(matches!(
            app.update_elder(&hospital, &f.elder_a1, &input, None).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.create_grant(&hospital, &f.elder_a1, &to_org(&f.org_b1, &tomorrow()))
                .await,
            Err(AppError::NotFound)
        ));

        // The responsible organization sees the grant in force.
        let grants = app.list_grants(&doctor, &f.elder_a1).await.unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].status, GrantStatus::Active);
        assert_eq!(
            grants[0].grantee,
            access::grant::Grantee::Organization(f.org_b1.clone())
        );
        assert!(grants[0].grantee_name.is_some());

        // Revoked: the very next read is refused.
        app.revoke_grant(&doctor, &f.elder_a1, &grant)
            .await
            .unwrap();
        assert!(matches!(
            app.get_elder(&hospital, &f.elder_a1).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.revoke_grant(&doctor, &f.elder_a1, &grant).await,
            Err(AppError::NotFound)
        ));
        let grants = app.list_grants(&doctor, &f.elder_a1).await.unwrap();
        assert_eq!(grants[0].status, GrantStatus::Revoked);
    }
}

#[tokio::test]
async fn an_expired_grant_stops_at_once_and_a_user_grant_is_for_that_user_only() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let f = Fixture::create(&app).await;
        let nurse = actor(&app, "nurse").await;
        let consultant = staff_of(&app, "consultant", "doctor", &f.org_b1).await;
        let colleague = staff_of(&app, "colleague", "nurse", &f.org_b1).await;
        let request = GrantRequest {
            user_id: Some(consultant.user_id().to_string()),
            reason: Some("远程会诊".into()),
            until: Some(tomorrow()),
            ..Default::default()
        };
        let grant = app
            .create_grant(&nurse, &f.home_resident, &request)
            .await
            .unwrap();
        app.get_elder(&consultant, &f.home_resident).await.unwrap();
        assert!(matches!(
            app.get_elder(&colleague, &f.home_resident).await,
            Err(AppError::NotFound)
        ));

        // The grant's end passes (moved into the past by hand): no cache keeps it alive.
        let raw = db.raw().await;
        let now = chrono::Utc::now();
        let began = store::time_text(now - chrono::Duration::days(2));
        let past = store::time_text(now - chrono::Duration::seconds(1));
        sqlx::query("UPDATE record_grants SET starts_at = $1, until_at = $2 WHERE id = $3")
            .bind(&began)
            .bind(&past)
            .bind(&grant)
            .execute(&raw)
            .await
            .unwrap();
        assert!(matches!(
            app.get_elder(&consultant, &f.home_resident).await,
            Err(AppError::NotFound)
        ));
        let grants = app.list_grants(&nurse, &f.home_resident).await.unwrap();
        assert_eq!(grants[0].status, GrantStatus::Expired);
        raw.close().await;
    }
}

#[tokio::test]
async fn only_the_responsible_organization_or_an_admin_grants_and_bad_requests_store_nothing() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        let f = Fixture::create(&app).await;
        let request = to_org(&f.org_b1, &tomorrow());
        // Roles without the permission.
        for username in ["supervisor", "caregiver", "assessor", "family"] {
            let who = actor(&app, username).await;
            assert!(
                matches!(
                    app.create_grant(&who, &f.elder_a1, &request).await,
                    Err(AppError::Forbidden)
                ),
                "{username} may not grant"
            );
        }
        // Staff of another organization, even with the permission: the record is not theirs.
        let other = staff_of(&app, "doctor_b", "doctor", &f.org_b1).await;
        assert!(matches!(
            app.create_grant(&other, &f.elder_a1, &request).await,
            Err(AppError::NotFound)
        ));
        // Staff of the home where the elder lives, but not of the responsible organization.
        let home_admin = staff_of(&app, "home_admin", "institution_admin", &f.home_a).await;
        assert!(matches!(
            app.create_grant(&home_admin, &f.home_resident, &request)
                .await,
            Err(AppError::Forbidden)
        ));
        // An administrator may grant any record.
        let admin = app.system_actor("admin").await.unwrap();
        app.create_grant(&admin, &f.unmanaged_a2, &request)
            .await
            .unwrap();

        // Bad requests name their field and store nothing.
        let doctor = actor(&app, "doctor").await;
        let cases: [(GrantRequest, &str); 4] = [
            (to_org("no-such-org", &tomorrow()), "organization_id"),
            (to_org(&f.org_b1, "2020-01-01"), "until"),
            (
                GrantRequest {
                    organization_id: Some(f.org_b1.clone()),
                    user_id: Some(doctor.user_id().to_string()),
                    reason: Some("x".into()),
                    until: Some(tomorrow()),
                },
                "user_id",
            ),
            (
                GrantRequest {
                    user_id: Some("no-such-user".into()),
                    reason: Some("x".into()),
                    until: Some(tomorrow()),
                    ..Default::default()
                },
                "user_id",
            ),
        ];
        for (bad, field) in cases {
            match app.create_grant(&doctor, &f.elder_a1, &bad).await {
                Err(AppError::Invalid(errors)) => {
                    assert_eq!(errors[0].field, field)
                }
                other => panic!("expected a field error on {field}, got {other:?}"),
            }
        }
        assert!(app
            .list_grants(&doctor, &f.elder_a1)
            .await
            .unwrap()
            .is_empty());
    }
}
